"""Mapping and interpretation: within-case, within-theme and quotes.

Pure reads over data the study hands in; nothing here touches the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from framework_qda.errors import FqdaError
from framework_qda.model import Case, Cell, Codebook, Evidence, Quote, Subtopic, Theme

CellKey = tuple[str, str]


@dataclass(frozen=True)
class CaseProfile:
    """Within-case: one row of every matrix."""

    case: Case
    themes: tuple[tuple[Theme, tuple[Cell, ...]], ...]


@dataclass(frozen=True)
class GroupCells:
    """The cells of one sample group (or attribute value) under one sub-topic."""

    name: str
    cases: int
    """How many cases the group has in the study."""
    cells: tuple[Cell, ...]
    """Cells of that group with evidence, a summary or an n/a mark, in row order."""

    @property
    def with_evidence(self) -> int:
        return sum(1 for c in self.cells if c.evidence)


@dataclass(frozen=True)
class ThemeView:
    """Within-theme: each sub-topic down the sample, grouped."""

    theme: Theme
    by: str
    subtopics: tuple[tuple[Subtopic, tuple[GroupCells, ...]], ...]


def within_case(
    case: Case, codebook: Codebook, cells: Mapping[CellKey, Cell], theme: str | None = None
) -> CaseProfile:
    """A case's cells, theme by theme in codebook order."""
    themes = [codebook.theme(theme)] if theme else list(codebook.themes)
    return CaseProfile(case, tuple(
        (t, tuple(cells[(case.id, s.code)] for s in t.subtopics)) for t in themes
    ))


def within_theme(
    theme: Theme,
    cases: Sequence[Case],
    cells: Mapping[CellKey, Cell],
    by: str = "group",
    subtopic: str | None = None,
) -> ThemeView:
    """Each sub-topic's cells grouped by sample group (or another attribute).

    ``cases`` must already be in row order; groups appear in that order.
    """
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.attribute(by) or "(none)", []).append(case)
    subs = [s for s in theme.subtopics if subtopic is None or s.code == subtopic]
    if subtopic is not None and not subs:
        raise FqdaError(f"theme {theme.code} has no sub-topic {subtopic}")
    return ThemeView(theme, by, tuple(
        (s, tuple(
            GroupCells(name, len(members), tuple(
                cells[(c.id, s.code)] for c in members
                if cells[(c.id, s.code)].state != "empty"
            ))
            for name, members in groups.items()
        ))
        for s in subs
    ))


def attribute(template: str, evidence: Evidence, case: Case) -> str:
    """Fill an attribution template such as ``— {group}, {case}``."""
    fields: dict[str, str] = {k.casefold().replace(" ", "_"): v for k, v in case.attributes}
    fields.update(group=case.group or "no group", case=case.id, speaker=evidence.speaker,
                  ref=evidence.ref)
    try:
        return template.format_map(_Missing(fields))
    except (ValueError, IndexError):
        raise FqdaError(f"the attribution template {template!r} is not valid; "
                        "write it like '— {group}, {case}'") from None


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def select_quotes(
    evidence: Iterable[Evidence],
    cases: Mapping[str, Case],
    template: str,
    *,
    groups: Sequence[str] = (),
    where: Mapping[str, str] | None = None,
    speaker: str | None = None,
    min_words: int = 0,
    max_words: int = 0,
    limit: int = 0,
) -> list[Quote]:
    """Verbatim quotes, attributed, filtered as a report writer asks.

    ``groups`` keeps those sample groups (case-insensitive); ``where`` keeps
    cases whose attributes equal the values given; ``speaker`` keeps a role
    (``participant``) or a speaker label; word limits count words of the quote.
    The text is exactly the source's; only display folds white space.
    """
    wanted = {g.casefold() for g in groups}
    quotes: list[Quote] = []
    seen: set[tuple[str, str]] = set()
    for e in evidence:
        case = cases[e.case_id]
        if wanted and case.group.casefold() not in wanted:
            continue
        if where and any(case.attribute(k).casefold() != v.casefold() for k, v in where.items()):
            continue
        if speaker and speaker.casefold() not in (e.role, e.speaker.casefold()):
            continue
        words = len(e.text.split())
        if words < min_words or (max_words and words > max_words):
            continue
        if (e.ref, e.text) in seen:
            continue
        seen.add((e.ref, e.text))
        quotes.append(Quote(e.text, e.ref, case.id, case.group, e.subtopic, e.speaker,
                            attribute(template, e, case), case.attributes))
        if limit and len(quotes) >= limit:
            break
    return quotes
