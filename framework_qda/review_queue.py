"""The review queue at study size: list, filter, decide in bulk, and undo a decision.

``fqda review`` walks suggestions one at a time (:mod:`framework_qda.session`);
a study's first suggestion pass makes hundreds.  Here the same pending
suggestions are picked by sub-topic (or theme), the words a rule matched,
case and sample group, listed with their places (source, offsets, ref), and
accepted or rejected together in one transaction, which the history records
as one action.  Undoing a review action puts back exactly what was there
before it (status, deciding coder and time), through the history's own undo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from framework_qda.coding import check_overlaps
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.history import Action, undo
from framework_qda.model import natural_key
from framework_qda.store import ChangeRow, StudyStore
from framework_qda.suggestion import inflections
from framework_qda.targets import Span

Decision = Literal["accepted", "rejected"]


@dataclass(frozen=True)
class QueueFilter:
    """Which pending suggestions: each field narrows, and an empty one is any.

    ``subtopics`` takes sub-topic or theme codes (a theme stands for its
    sub-topics, whose rules made the suggestions); ``keywords`` the words a rule
    matched (case-insensitive, in any regular inflection: ``trust`` picks
    ``trusts``); ``cases`` case ids; ``groups`` sample groups.
    """

    subtopics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueItem:
    """One pending suggestion, where it is and why a rule made it."""

    id: int
    ref: str
    """The segment it covers, e.g. ``P7:12``."""
    case_id: str
    group: str
    subtopic: str
    matched: str
    """The words the rule matched, ``; ``-separated."""
    source: str
    """The source's name; ``start``/``end`` are offsets into its text (end exclusive)."""
    start: int
    end: int
    source_id: int
    text: str = ""
    """The words it covers, exactly as in the source."""


@dataclass(frozen=True)
class BulkReport:
    """What a bulk decision did."""

    decided: int
    """Suggestions accepted or rejected."""
    refused: tuple[tuple[str, str], ...] = ()
    """(ref, reason) of suggestions not accepted: they stay pending."""
    action: int | None = None
    """The history action that holds the decision (what ``undo_review`` takes)."""


def _subtopic_codes(store: StudyStore, codes: Sequence[str]) -> set[str]:
    cb = store.codebook()
    subs = {s.code for s in cb.subtopics}
    out: set[str] = set()
    for code in codes:
        if code in subs:
            out.add(code)
            continue
        try:  # a theme, by code or label
            out.update(s.code for s in cb.theme(code).subtopics)
        except KeyError:
            raise UnknownReference(f"no sub-topic or theme {code}; `fqda codebook show` "
                                   "lists them") from None
    return out


def _keyword_forms(keywords: Sequence[str]) -> set[str]:
    forms: set[str] = set()
    for k in keywords:
        forms.update(inflections(k.strip()))
    return forms


def review_queue(store: StudyStore, where: QueueFilter = QueueFilter()) -> list[QueueItem]:
    """The pending suggestions ``where`` picks, in review order (cases in natural
    order, then offset and codebook order): the order ``fqda review`` walks."""
    cases = {c.id: c for c in store.cases()}
    for case in where.cases:
        if case not in cases:
            raise UnknownReference(f"no case {case}; `fqda status` lists the cases")
    if where.groups:
        known = {c.group for c in cases.values()}
        missing = [g for g in where.groups if g not in known]
        if missing:
            shown = ", ".join(sorted(g for g in known if g)) or "none"
            raise UnknownReference(f"no sample group {missing[0]!r}; the groups are {shown}")
    codes = _subtopic_codes(store, where.subtopics) if where.subtopics else None
    forms = _keyword_forms(where.keywords)
    prefixes = store.ref_prefixes()
    sources = {s.id: s for s in store.sources()}
    rows = store.suggestions(where.cases[0] if len(where.cases) == 1 else None,
                             sorted(codes) if codes is not None else None)
    items = []
    for r in sorted(rows, key=lambda r: natural_key(r.case_id)):
        group = cases[r.case_id].group if r.case_id in cases else ""
        if where.cases and r.case_id not in where.cases:
            continue
        if where.groups and group not in where.groups:
            continue
        if forms and not forms & {w.strip().lower() for w in r.matched.split(";")}:
            continue
        source = sources[r.source_id]
        items.append(QueueItem(r.id, f"{prefixes.get(r.source_id, '?')}:{r.segment}",
                               r.case_id, group, r.subtopic, r.matched, source.name,
                               r.start, r.end, r.source_id, source.text[r.start:r.end]))
    return items


def decide(store: StudyStore, items: Sequence[QueueItem], decision: Decision,
           coder: str) -> BulkReport:
    """Accept or reject these suggestions in one transaction (one history action).

    An accepted suggestion becomes a coding; one that would partly overlap a
    coding of the same sub-topic (stored, or accepted in this same call) is
    refused and stays pending, as ``fqda review`` refuses it one at a time.
    """
    chosen = list(items)
    refused: list[tuple[str, str]] = []
    if decision == "accepted" and chosen:
        sources = {s.id: s for s in store.sources()}
        planned = [(Span(sources[i.source_id], i.start, i.end, i.ref), i.subtopic)
                   for i in chosen]
        bad: dict[int, str] = {}
        for index, message in check_overlaps(store, planned):
            bad.setdefault(index, message)
        refused = [(chosen[i].ref, m) for i, m in sorted(bad.items())]
        chosen = [item for i, item in enumerate(chosen) if i not in bad]
    if not chosen:
        return BulkReport(0, tuple(refused))
    with store.atomic():
        store.set_coding_status([i.id for i in chosen], decision, coder)
    newest = store.actions(limit=1)
    return BulkReport(len(chosen), tuple(refused), newest[0].id if newest else None)


def _is_review(changes: Sequence[ChangeRow]) -> bool:
    """Whether an action decided suggestions (accepted, rejected or changed them),
    and did nothing but that."""
    if not changes or any(c.table != "codings" for c in changes):
        return False
    return any(c.before is not None and c.after is not None
               and c.before.get("status") == "suggested"
               and c.after.get("status") != "suggested" for c in changes)


def review_actions(store: StudyStore, who: str | None = None, limit: int = 0) -> list[int]:
    """Ids of review actions (by ``who``) that can still be undone, newest first."""
    found: list[int] = []
    for row in store.actions(who=who):
        if row.undoes is not None or row.undone_by is not None:
            continue
        if _is_review(store.changes([row.id])):
            found.append(row.id)
            if limit and len(found) >= limit:
                break
    return found


def undo_review(store: StudyStore, who: str, action_id: int | None = None) -> Action:
    """Undo ``who``'s last review action, or the review action ``action_id``: every
    suggestion it decided is pending again, with its coder and time as before.

    Refused, with nothing changed, when the action is not a review, is undone
    already, or later work changed the same codings (undo that first).
    """
    if action_id is None:
        last = review_actions(store, who, limit=1)
        if not last:
            raise FqdaError(f"{who} has no review decision to undo; `fqda history` lists "
                            "the study's changes")
        action_id = last[0]
    row = store.action(action_id)
    if row is None:
        raise UnknownReference(f"no action #{action_id}; `fqda history` lists them")
    if row.undone_by is not None:
        raise FqdaError(f"#{action_id} was undone already (by #{row.undone_by})")
    if row.undoes is not None or not _is_review(store.changes([action_id])):
        raise FqdaError(f"#{action_id} ({row.command or 'a change'}) is not a review "
                        "decision; `fqda undo` reverts any last change")
    return undo(store, who, action_id)
