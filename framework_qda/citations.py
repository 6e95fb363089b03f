"""References typed into summaries (``[P7:12]``, ``[P7:12-14]``, ``[P7:12, 14]``), and
keeping them on the same words when a transcript is ingested again.

A summary cites segments by number, but numbers move: two lines added at the
top of a transcript turn ``A01:2`` into ``A01:4``.  So a reference is resolved,
when the summary is saved, to the span of the words it names (a row of
``summary_links``); when the transcript is re-ingested, :func:`follow_plan`
finds those words in the new text (as re-ingest does for codings) and
:func:`follow_apply` writes the summary's references with the segment
numbers the words have now.  A summary's evidence fingerprint is taken over
the words alone (:func:`framework_qda.matrix.evidence_hash`), so moving
words make no cell stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from framework_qda.evidence import evidence_hash, evidence_holds, snapshot
from framework_qda.model import Evidence, ref_number, span_hash
from framework_qda.store import StudyStore

_GROUP = re.compile(r"\[([^\[\]\n]*)\]")
_ITEM = re.compile(r"^(?:(?P<src>[^\s:,;]+)\s*:\s*)?(?P<first>\d+)(?:\s*[-–]\s*(?P<last>\d+))?$")
_FIRST_IS_REF = re.compile(r"^\s*[^\s:,;]+\s*:\s*\d+(?:\s*[-–]\s*\d+)?\s*(?:[,;]|$)")


def ref_items(text: str) -> list[tuple[str, str | None, int, int]]:
    """The segment references typed in ``text``: (as typed, source or None, first, last).

    Only bracket groups that start with something like ``P07:12`` count, so
    ``[sic]`` or ``[inaudible 00:12]`` stay plain text.  Inside a group a bare number continues the
    previous source (``[P07:12, 14]``).  A malformed item has ``first == -1``.
    """
    items: list[tuple[str, str | None, int, int]] = []
    for group in _GROUP.finditer(text):
        body = group.group(1)
        if not _FIRST_IS_REF.match(body):
            continue
        src: str | None = None
        for raw in re.split(r"[,;]", body):
            item = raw.strip()
            if not item:
                continue
            m = _ITEM.match(item)
            if m is None:
                items.append((item, None, -1, -1))
                continue
            src = m.group("src") or src
            first = ref_number(m.group("first"))
            last = ref_number(m.group("last")) if m.group("last") else first
            items.append((item, src, first, last))
    return items


Renumber = Callable[[str, int], "list[int] | None"]
"""(source as typed, segment number) -> the numbers its words have now, or None to keep it."""


def renumber_text(text: str, renumber: Renumber) -> str:
    """``text`` with each reference rewritten through ``renumber``; everything else,
    spacing and separators included, as typed.  A range whose words now lie in
    segments that do not follow each other is written as a list (``P7:4, 6``)."""

    def group(m: re.Match[str]) -> str:
        body = m.group(1)
        if not _FIRST_IS_REF.match(body):
            return m.group(0)
        pieces = re.split(r"([,;])", body)
        src: str | None = None
        for i in range(0, len(pieces), 2):
            raw = pieces[i]
            item = raw.strip()
            found = _ITEM.match(item) if item else None
            if found is None:
                continue
            src = found.group("src") or src
            if src is None:
                continue
            first = ref_number(found.group("first"))
            last = ref_number(found.group("last")) if found.group("last") else first
            if last < first or last - first > 500:
                continue
            numbers: set[int] = set()
            for n in range(first, last + 1):
                now = renumber(src, n)
                numbers.update(now if now is not None else [n])
            spelled = _spell(sorted(numbers))
            if found.group("src"):
                spelled = f"{found.group('src')}:{spelled}"
            lead = raw[:len(raw) - len(raw.lstrip())]
            trail = raw[len(raw.rstrip()):]
            pieces[i] = lead + spelled + trail
        return "[" + "".join(pieces) + "]"

    return _GROUP.sub(group, text)


def _spell(numbers: list[int]) -> str:
    """``4``, ``4-6`` or ``4, 6-7``: consecutive numbers as ranges."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


# -- following a re-ingested transcript ----------------------------------------------
@dataclass
class FollowPlan:
    """What re-ingesting one source will do to the summaries that rest on it."""

    source_id: int
    case_id: str
    moved: list[tuple[str, int, int, int, int, int]] = field(default_factory=list)
    """(case, sub-topic id, old segment, position, new start, new end) per link."""
    lost: list[tuple[str, int, int]] = field(default_factory=list)
    """(case, sub-topic id, old segment): links whose words the new text lacks."""
    holding: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """Cells whose summary held on their evidence before the re-ingest, with the
    hashes of that evidence's passages (sorted)."""


def follow_plan(store: StudyStore, source_id: int, old_text: str, new_text: str) -> FollowPlan:
    """Before the new text is stored: where each cited span's words stand in the new
    text (the nearest occurrence to where they were), and which summaries of the
    case still hold on their evidence."""
    links = store.source_links(source_id)
    case_id = store.source_case(source_id)
    plan = FollowPlan(source_id, case_id)
    for case, sub_id, segment, position, start, end in links:
        if start < 0:  # a link older than spans: its segment's words as they were
            plan.lost.append((case, sub_id, segment))
            continue
        words = old_text[start:end]
        if new_text[start:end] == words:
            plan.moved.append((case, sub_id, segment, position, start, end))
            continue
        hits = occurrences(new_text, words)
        if not hits:
            plan.lost.append((case, sub_id, segment))
            continue
        at = min(hits, key=lambda h: abs(h - start))
        plan.moved.append((case, sub_id, segment, position, at, at + len(words)))
    plan.holding = _holding(store, case_id)
    return plan


def occurrences(text: str, words: str) -> list[int]:
    """Every offset at which ``words`` stands in ``text``."""
    hits: list[int] = []
    at = text.find(words)
    while at != -1:
        hits.append(at)
        at = text.find(words, at + 1)
    return hits


def _evidence_by_cell(store: StudyStore, case_id: str, codes: Iterable[str]
                      ) -> dict[tuple[str, str], list[Evidence]]:
    by_cell: dict[tuple[str, str], list[Evidence]] = {}
    wanted = sorted(codes)
    for e in store.evidence(wanted, case_id) if wanted else []:
        by_cell.setdefault((e.case_id, e.subtopic), []).append(e)
    return by_cell


def _holding(store: StudyStore, case_id: str) -> dict[tuple[str, str], list[str]]:
    rows = {k: r for k, r in store.summaries().items() if k[0] == case_id}
    by_cell = _evidence_by_cell(store, case_id, {code for _, code in rows})
    return {k: sorted(span_hash(e.text) for e in by_cell.get(k, []))
            for k, r in rows.items()
            if r.evidence_hash and evidence_holds(r.evidence_hash, by_cell.get(k, []))}


def follow_apply(store: StudyStore, plan: FollowPlan, drop_lost: bool) -> int:
    """After the new text and segments are stored (same transaction): move each link to
    its words' span, write every reference to this source with the numbers those
    words have now, and record again what still-holding summaries rest on (the
    same words, under their new refs).  Links in ``plan.lost`` are dropped when
    ``drop_lost`` (their typed refs are left as they were).  Returns the number of
    summaries whose text changed."""
    spans = list(store.segment_spans(plan.source_id))
    new_numbers: dict[tuple[str, int, int], list[int]] = {}
    rows: dict[tuple[str, int], list[tuple[int, int, int, int]]] = {}
    for case, sub_id, segment, position, start, end in plan.moved:
        numbers = [n for _, n, a, b, _ in spans if a < end and start < b] or [segment]
        new_numbers[(case, sub_id, segment)] = numbers
        rows.setdefault((case, sub_id), []).extend(
            (n, position, start, end) for n in numbers)
    touched = {(c, s) for c, s, *_ in plan.moved} | {(c, s) for c, s, _ in plan.lost}
    names = store.source_names(plan.source_id)
    changed = 0
    for case, sub_id in sorted(touched):
        kept = rows.get((case, sub_id), [])
        lost = [seg for c, s, seg in plan.lost if (c, s) == (case, sub_id)]
        store.replace_source_links(case, sub_id, plan.source_id, kept,
                                   keep_segments=() if drop_lost else lost)
        row = store.summary(case, sub_id)
        if row is None:
            continue

        def renumber(src: str, n: int, case: str = case, sub_id: int = sub_id
                     ) -> list[int] | None:
            if src.casefold() not in names:
                return None
            return new_numbers.get((case, sub_id, n))

        text = renumber_text(row.text, renumber)
        if text != row.text:
            store.set_summary_text(case, sub_id, text)
            changed += 1
    _record_again(store, plan)
    return changed


def _record_again(store: StudyStore, plan: FollowPlan) -> None:
    """Summaries that held before the re-ingest and rest on the same words now:
    record their evidence again under its new refs (a summary from before
    words-only fingerprints is brought up to them here).  Where the words
    themselves changed the cell is rightly stale, and is left so."""
    if not plan.holding:
        return
    by_cell = _evidence_by_cell(store, plan.case_id, {code for _, code in plan.holding})
    ids = store.subtopic_ids()
    for key, before in sorted(plan.holding.items()):
        now = by_cell.get(key, [])
        if key[1] in ids and sorted(span_hash(e.text) for e in now) == before:
            store.set_summary_evidence(key[0], ids[key[1]], evidence_hash(now), snapshot(now))
