"""Mapping and interpretation: within-case, within-theme, comparison, quotes
and co-occurrence (search is in :mod:`framework_qda.search`; choosing and
attributing quotes in :mod:`framework_qda.quote_selection`).

Pure computation over data the study hands in (cases, cells, evidence, rows
the store read); nothing here touches the store, prints or imports pandas
unless a ``to_frame`` is asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from framework_qda.cell_state import rendering
from framework_qda.errors import UnknownReference
from framework_qda.model import (
    Case,
    Cell,
    Codebook,
    Subtopic,
    Theme,
    natural_key,
)
from framework_qda.quote_selection import ANY_SPEAKER, attribute, check_template, select_quotes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ANY_SPEAKER", "attribute", "check_template", "select_quotes"]

CellKey = tuple[str, str]
NO_VALUE = "(none)"
"""The group name of cases that have no value for the attribute grouped by."""


# -- within-case -------------------------------------------------------------
@dataclass(frozen=True)
class CaseProfile:
    """Within-case: one case's row of every matrix, theme by theme."""

    case: Case
    themes: tuple[tuple[Theme, tuple[Cell, ...]], ...]
    """Each theme (codebook order) with its cells, one per sub-topic in order."""

    def to_frame(self) -> pd.DataFrame:
        """One row per cell, indexed by (theme, subtopic): ``state``, ``summary`` (NA
        when none) and ``passages`` (evidence count)."""
        import pandas as pd

        from framework_qda.frames import text_or_na

        rows = [(t.code, c.subtopic, c.state, c.summary, len(c.evidence))
                for t, cells in self.themes for c in cells]
        return pd.DataFrame(
            {"state": [r[2] for r in rows], "summary": text_or_na(r[3] for r in rows),
             "passages": [r[4] for r in rows]},
            index=pd.MultiIndex.from_tuples([(r[0], r[1]) for r in rows],
                                            names=["theme", "subtopic"]))


def within_case(
    case: Case, codebook: Codebook, cells: Mapping[CellKey, Cell], theme: str | None = None
) -> CaseProfile:
    """A case's cells, theme by theme in codebook order (or only ``theme``)."""
    themes = [codebook.theme(theme)] if theme else list(codebook.themes)
    return CaseProfile(case, tuple(
        (t, tuple(cells[(case.id, s.code)] for s in t.subtopics)) for t in themes
    ))


# -- within-theme and comparison ---------------------------------------------
def has_data(cell: Cell) -> bool:
    """A cell counts for its case when the topic came up: evidence or a summary."""
    return rendering(cell.state).came_up


@dataclass(frozen=True)
class GroupCells:
    """The cells of one sample group (or attribute value) under one sub-topic."""

    name: str
    cases: int
    """How many cases the group has in the study."""
    cells: tuple[Cell, ...]
    """Cells of that group with evidence, a summary or an n/a mark, in row order
    (with ``counted``, only the first of a long listing's)."""
    counted: tuple[int, int, int] | None = None
    """``(covered, not applicable, rows)`` counted in the store, when ``cells`` does not
    hold them all."""

    @property
    def covered(self) -> int:
        """Cases of the group where the topic came up (evidence or a summary)."""
        if self.counted is not None:
            return self.counted[0]
        return sum(1 for c in self.cells if has_data(c))

    @property
    def not_applicable(self) -> int:
        if self.counted is not None:
            return self.counted[1]
        return sum(1 for c in self.cells if c.state == "not-applicable")

    @property
    def rows(self) -> int:
        """Cells with evidence, a summary or an n/a mark, listed or not."""
        return self.counted[2] if self.counted is not None else len(self.cells)

    @property
    def with_evidence(self) -> int:
        return sum(1 for c in self.cells if c.evidence)


@dataclass(frozen=True)
class ThemeView:
    """Within-theme: each sub-topic down the sample, grouped."""

    theme: Theme
    by: str
    """``group`` or the case attribute the cases are grouped by."""
    subtopics: tuple[tuple[Subtopic, tuple[GroupCells, ...]], ...]

    @property
    def rows(self) -> int:
        """Cells there are to show, listed or not."""
        return sum(g.rows for _, groups in self.subtopics for g in groups)

    @property
    def listed(self) -> int:
        """Cells listed (fewer than :attr:`rows` when the listing was cut short)."""
        return sum(len(g.cells) for _, groups in self.subtopics for g in groups)

    def to_frame(self) -> pd.DataFrame:
        """One row per cell shown, indexed by (subtopic, ``by``, case), the ``by`` level an
        ordered categorical in row order: ``state``, ``summary`` (NA when none) and
        ``passages``."""
        import pandas as pd

        from framework_qda.frames import ordered, text_or_na

        rows = [(s.code, g.name, c.case_id, c.state, c.summary, len(c.evidence))
                for s, groups in self.subtopics for g in groups for c in g.cells]
        order = [g.name for _, groups in self.subtopics for g in groups]
        index = pd.MultiIndex.from_arrays(
            [pd.Index([r[0] for r in rows]),
             pd.CategoricalIndex(ordered([r[1] for r in rows], order)),
             pd.Index([r[2] for r in rows])], names=["subtopic", self.by, "case"])
        return pd.DataFrame({"state": [r[3] for r in rows],
                             "summary": text_or_na(r[4] for r in rows),
                             "passages": [r[5] for r in rows]}, index=index)


def group_cases(cases: Sequence[Case], by: str = "group") -> list[tuple[str, list[Case]]]:
    """Cases split by sample group (in row order) or by an attribute's values.

    Attribute values are sorted naturally, cases without one come last under
    ``(none)``.  Raises :class:`UnknownReference` for an attribute no case has.
    """
    if by != "group" and cases and not any(by in dict(c.attributes) for c in cases):
        names = sorted({k for c in cases for k, _ in c.attributes}, key=natural_key)
        raise UnknownReference(f"no case has an attribute {by!r}; group by 'group'"
                               + (f" or one of: {', '.join(names)}" if names else ""))
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.attribute(by) or NO_VALUE, []).append(case)
    if by == "group":
        return list(groups.items())
    return sorted(groups.items(), key=lambda kv: (kv[0] == NO_VALUE, natural_key(kv[0])))


def within_theme(
    theme: Theme,
    cases: Sequence[Case],
    cells: Mapping[CellKey, Cell],
    by: str = "group",
    subtopic: str | None = None,
) -> ThemeView:
    """Each sub-topic's cells grouped by sample group (or another attribute).

    ``cases`` must already be in row order; sample groups keep that order.
    """
    subs = theme_subtopics(theme, subtopic)
    groups = group_cases(cases, by)
    return ThemeView(theme, by, tuple(
        (s, tuple(
            GroupCells(name, len(members), tuple(
                cells[(c.id, s.code)] for c in members
                if rendering(cells[(c.id, s.code)].state).to_chart
            ))
            for name, members in groups
        ))
        for s in subs
    ))


def theme_subtopics(theme: Theme, subtopic: str | None = None) -> list[Subtopic]:
    """The theme's sub-topics, or the one asked for (:class:`UnknownReference` when the
    theme has no such sub-topic)."""
    subs = [s for s in theme.subtopics if subtopic is None or s.code == subtopic]
    if subtopic is not None and not subs:
        codes = ", ".join(s.code for s in theme.subtopics)
        raise UnknownReference(f"theme {theme.code} has no sub-topic {subtopic}; "
                               f"its sub-topics are {codes}")
    return subs


def first_of_theme(
    theme: Theme, cases: Sequence[Case], coded: Set[CellKey],
    summaries: Mapping[CellKey, tuple[str, str]], limit: int, by: str = "group",
    subtopic: str | None = None,
) -> tuple[list[CellKey], Callable[[Mapping[CellKey, Cell]], ThemeView]]:
    """A within-theme view of which only the first ``limit`` cells are read.

    From what is coded and each summary's ``(text, state)`` (the rule of
    :func:`covered_cells`), each group's cells are counted without their
    evidence; returns the cells the first ``limit`` rows show, in listing
    order, and a function that makes the view from those cells.
    """
    subs = theme_subtopics(theme, subtopic)
    groups = group_cases(cases, by)
    covered = covered_cells(coded, summaries)
    na = {k for k, (_, state) in summaries.items() if state == "not-applicable"}
    shown = covered | na
    first: list[CellKey] = []
    for s in subs:
        for _, members in groups:
            for c in members:
                if len(first) < limit and (c.id, s.code) in shown:
                    first.append((c.id, s.code))

    def view(cells: Mapping[CellKey, Cell]) -> ThemeView:
        return ThemeView(theme, by, tuple(
            (s, tuple(
                GroupCells(name, len(members), tuple(
                    cells[(c.id, s.code)] for c in members if (c.id, s.code) in cells),
                    counted=(sum(1 for c in members if (c.id, s.code) in covered),
                             sum(1 for c in members if (c.id, s.code) in na),
                             sum(1 for c in members if (c.id, s.code) in shown)))
                for name, members in groups))
            for s in subs))

    return first, view


@dataclass(frozen=True)
class Comparison:
    """Groups × sub-topics: how many cases of each group the topic came up for."""

    by: str
    groups: tuple[tuple[str, int], ...]
    """Each group's name and number of cases, in row (or natural) order."""
    subtopics: tuple[Subtopic, ...]
    counts: Mapping[CellKey, int]
    """``(group, sub-topic code)`` -> cases with evidence or a summary."""

    def count(self, group: str, code: str) -> int:
        return self.counts.get((group, code), 0)

    def share(self, group: str, code: str) -> float:
        """The count as a share of the group's cases (0.0 for an empty group)."""
        size = dict(self.groups).get(group, 0)
        return self.count(group, code) / size if size else 0.0

    def to_frame(self) -> pd.DataFrame:
        """Counts as a DataFrame: one row per group (plus a ``cases`` column)."""
        import pandas as pd

        data: dict[str, list[int]] = {"cases": [n for _, n in self.groups]}
        for s in self.subtopics:
            data[s.code] = [self.count(g, s.code) for g, _ in self.groups]
        from framework_qda.frames import ordered

        groups = [g for g, _ in self.groups]
        frame = pd.DataFrame(data, index=pd.CategoricalIndex(ordered(groups), name=self.by))
        frame.columns = pd.Index(list(data), name="subtopic")
        return frame


def covered_cells(
    coded: Iterable[CellKey], summaries: Mapping[CellKey, tuple[str, str]]
) -> set[CellKey]:
    """The cells where the topic came up, from what is coded and each summary's
    ``(text, state)``; the same rule as :func:`has_data` without reading evidence."""
    na = {k for k, (_, state) in summaries.items() if state == "not-applicable"}
    written = {k for k, (text, state) in summaries.items() if text and k not in na}
    return (set(coded) - na) | written


def compare(
    subtopics: Sequence[Subtopic], cases: Sequence[Case], covered: Set[CellKey],
    by: str = "group",
) -> Comparison:
    """Count, per group and sub-topic, the cases whose cell is in ``covered``
    (see :func:`covered_cells`)."""
    groups = group_cases(cases, by)
    counts = {(name, s.code): sum(1 for c in members if (c.id, s.code) in covered)
              for name, members in groups for s in subtopics}
    return Comparison(by, tuple((n, len(m)) for n, m in groups), tuple(subtopics), counts)


# -- co-occurrence -------------------------------------------------------------
@dataclass(frozen=True)
class Cooccurrence:
    """Sub-topic × sub-topic: segments and cases coded to both.

    The diagonal holds each sub-topic's own segment and case counts.
    """

    subtopics: tuple[Subtopic, ...]
    segments: Mapping[CellKey, int]
    """``(code, code)`` -> segments coded to both (symmetric)."""
    cases: Mapping[CellKey, int]
    """``(code, code)`` -> cases with codings of both, anywhere in the case."""

    def pairs(self) -> list[tuple[Subtopic, Subtopic, int, int]]:
        """Each pair once (codebook order) that shares a case: (a, b, segments, cases)."""
        subs = self.subtopics
        return [(a, b, self.segments.get((a.code, b.code), 0), self.cases[(a.code, b.code)])
                for i, a in enumerate(subs) for b in subs[i + 1:]
                if self.cases.get((a.code, b.code), 0)]

    def to_frame(self, count: str = "segments") -> pd.DataFrame:
        """A square DataFrame of ``segments`` or ``cases`` counts, by sub-topic code."""
        import pandas as pd

        table = self.segments if count == "segments" else self.cases
        codes = [s.code for s in self.subtopics]
        return pd.DataFrame([[table.get((a, b), 0) for b in codes] for a in codes],
                            index=pd.Index(codes, name="subtopic"),
                            columns=pd.Index(codes, name="subtopic"))


def cooccurrence(
    subtopics: Sequence[Subtopic], segment_codes: Iterable[tuple[str, int, int, str]]
) -> Cooccurrence:
    """Count co-coding from ``(case_id, source_id, segment, code)`` rows."""
    wanted = {s.code for s in subtopics}
    by_segment: dict[tuple[int, int], set[str]] = defaultdict(set)
    by_case: dict[str, set[str]] = defaultdict(set)
    for case_id, source_id, number, code in segment_codes:
        if code in wanted:
            by_segment[(source_id, number)].add(code)
            by_case[case_id].add(code)
    segments: dict[CellKey, int] = defaultdict(int)
    cases: dict[CellKey, int] = defaultdict(int)
    for target, groups in ((segments, by_segment.values()), (cases, by_case.values())):
        for codes in groups:
            for a in codes:
                for b in codes:
                    target[(a, b)] += 1
    return Cooccurrence(tuple(subtopics), dict(segments), dict(cases))
