"""How a re-imported codebook meets the stored one.

A stored sub-topic (or theme) keeps its id, and so its codings and summaries,
when the new codebook has its GUID or, failing that, its code; each stored one
is continued once.  A kept GUID under a new code is a change of code, not a
removal and an addition.  Removing a sub-topic that codings (suggestions
included) or summaries rest on is refused.  The rule lives here, in the
library; the store only writes what was decided (``StudyStore.save_codebook``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from framework_qda.errors import ConflictError
from framework_qda.model import Codebook, CodebookImport, Subtopic, Theme, normal_guid
from framework_qda.store import StudyStore


@dataclass(frozen=True)
class CodebookPlan:
    """Which stored row each new code continues, and what that changes."""

    subtopics: Mapping[str, int]
    """New sub-topic code -> the stored sub-topic's id it continues."""
    themes: Mapping[str, int]
    """New theme code -> the stored theme's id it continues."""
    changes: CodebookImport


def save_codebook(store: StudyStore, cb: Codebook) -> CodebookImport:
    """Make the stored framework equal to ``cb`` (call inside ``store.atomic()``, so
    what is checked is what is written); returns what changed."""
    plan = plan_import(store.codebook(), store.subtopic_ids(), store.theme_ids(),
                       {code: u.codings + u.suggestions + u.summaries
                        for code, u in store.subtopic_use().items()}, cb)
    store.save_codebook(cb, plan.subtopics, plan.themes)
    return plan.changes


def plan_import(stored: Codebook, sub_ids: Mapping[str, int], theme_ids: Mapping[str, int],
                resting: Mapping[str, int], wanted: Codebook) -> CodebookPlan:
    """Match ``wanted`` to the ``stored`` framework (ids by code; ``resting``: how many
    codings and summaries rest on each stored sub-topic)."""
    subs = _match(stored.subtopics, sub_ids, wanted.subtopics)
    kept = set(subs.values())
    dropped = [s.code for s in stored.subtopics if sub_ids[s.code] not in kept]
    in_use = [code for code in dropped if resting.get(code)]
    if in_use:
        raise ConflictError(
            "the new codebook drops sub-topics that codings or summaries rest on: "
            + ", ".join(in_use)
            + "; keep them (same code or GUID), or `fqda codebook merge` them first")
    before = {sub_ids[s.code]: s for s in stored.subtopics}
    added, changed, recoded = [], [], []
    for sub in wanted.subtopics:
        row = subs.get(sub.code)
        if row is None:
            added.append(sub.code)
            continue
        if _content(before[row]) != _content(sub):
            changed.append(sub.code)
        if before[row].code != sub.code:
            recoded.append(f"{before[row].code} -> {sub.code}")
    return CodebookPlan(subs, _match(stored.themes, theme_ids, wanted.themes), CodebookImport(
        tuple(added), tuple(changed), tuple(recoded), tuple(dropped)))


def _match(stored: Sequence[Theme] | Sequence[Subtopic], ids: Mapping[str, int],
           wanted: Sequence[Theme] | Sequence[Subtopic]) -> dict[str, int]:
    """Stored id for each wanted code: same GUID first, else same code; each row once."""
    by_guid = {normal_guid(s.guid): ids[s.code] for s in stored if s.guid}
    taken: set[int] = set()
    found: dict[str, int] = {}
    for item in wanted:
        row_id = by_guid.get(normal_guid(item.guid)) if item.guid else None
        if row_id is not None and row_id not in taken:
            found[item.code] = row_id
            taken.add(row_id)
    for item in wanted:
        row_id = ids.get(item.code)
        if item.code not in found and row_id is not None and row_id not in taken:
            found[item.code] = row_id
            taken.add(row_id)
    return found


def _content(sub: Subtopic) -> tuple[object, ...]:
    """What a researcher reads of a sub-topic besides its code and place: a change of
    any of it is reported as ``changed``."""
    return (sub.label, sub.definition, sub.include, sub.exclude, sub.example,
            sub.keywords, sub.exclude_keywords,
            json.dumps(list(sub.patterns), ensure_ascii=False))
