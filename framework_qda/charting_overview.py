"""Where charting stands, counted: the overview ``fqda status`` prints first.

:func:`framework_qda.charting.status_from_index` lists every case's progress
and every gap, a row each; a 10,000-case study has tens of thousands of gaps,
and the overview shows only how many there are.  Here the cells are counted
from the set of coded cells and the summaries, so no cell is built for a
case without a summary and no gap is listed.  Pure, like the rest of charting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from framework_qda.cell_state import STATES, gap_states, rendering
from framework_qda.matrix import (
    CellKey,
    StaleCell,
    SummaryState,
    build_cells,
    describe_change,
)
from framework_qda.model import Case, CellState, Codebook, Evidence, Theme
from framework_qda.store import SummaryRow


@dataclass(frozen=True)
class ChartingOverview:
    """Cells by state per theme, how many cases and gaps there are, the stale cells."""

    themes: list[tuple[Theme, dict[CellState, int]]]
    cases: int
    """Cases in the study (withdrawn ones left out)."""
    gaps: dict[CellState, int]
    """Cells with evidence but no human summary, per gap state (``coded``, ``draft``)."""
    gap_cases: tuple[str, ...]
    """The cases with a gap, in row order."""
    stale: list[StaleCell]


def charting_overview(codebook: Codebook, cases: Sequence[Case], coded: Set[CellKey],
                      rows: Mapping[CellKey, SummaryRow], evidence: Iterable[Evidence]
                      ) -> ChartingOverview:
    """The counts of :func:`framework_qda.charting.status_from_index`, without a row
    per case or gap.

    ``cases`` in row order; ``coded`` holds the cells with accepted codings;
    ``evidence`` need only hold the passages under summarised cells.
    """
    active = {c.id for c in cases}
    theme_of = {s.code: t.code for t in codebook.themes for s in t.subtopics}
    summaries = {k: SummaryState(r.text, r.state, r.evidence_hash, r.provenance)
                 for k, r in rows.items() if k[0] in active and k[1] in theme_of}
    charted = {case_id for case_id, _ in summaries}
    full = build_cells([c for c in cases if c.id in charted], codebook.subtopics, evidence,
                       summaries)
    counts = {t.code: dict.fromkeys(STATES, 0) for t in codebook.themes}
    gaps: dict[CellState, int] = dict.fromkeys(gap_states(), 0)
    gap_cases: set[str] = set()
    stale: list[StaleCell] = []
    for key in summaries:
        cell = full[key]
        counts[theme_of[key[1]]][cell.state] += 1
        if rendering(cell.state).outdated:
            row = rows[key]
            stale.append(StaleCell(cell, describe_change(row.evidence, row.evidence_hash,
                                                         cell.evidence)))
        if cell.state in gaps:
            gaps[cell.state] += 1
            gap_cases.add(key[0])
    coded_only = [k for k in coded if k[0] in active and k[1] in theme_of and k not in summaries]
    for case_id, code in coded_only:
        counts[theme_of[code]]["coded"] += 1
        gap_cases.add(case_id)
    if "coded" in gaps:
        gaps["coded"] += len(coded_only)
    for t in codebook.themes:
        mine = counts[t.code]
        mine["empty"] = len(cases) * len(t.subtopics) - sum(
            n for s, n in mine.items() if s != "empty")
    order = {c.id: i for i, c in enumerate(cases)}
    position = {s.code: i for i, s in enumerate(codebook.subtopics)}
    stale.sort(key=lambda s: (order[s.cell.case_id], position[s.cell.subtopic]))
    return ChartingOverview([(t, counts[t.code]) for t in codebook.themes], len(cases), gaps,
                            tuple(c.id for c in cases if c.id in gap_cases), stale)
