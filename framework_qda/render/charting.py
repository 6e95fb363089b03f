"""Charting: outcomes of an edit or import, and fqda status."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    from framework_qda.cell_editor import CellOutcome
    from framework_qda.charting import ChartingStatus
    from framework_qda.charting_overview import ChartingOverview
    from framework_qda.export.charting import CellChange
    from framework_qda.model import CellState
from framework_qda.render.tables import Rows, brief


def chart_outcome_rows(outcomes: Sequence[CellOutcome]) -> Rows:
    """What the editor flow did to each cell of a row."""
    return [{"subtopic": o.subtopic, "before": o.before, "after": o.after,
             "saved": "yes" if o.saved else "left as it was"} for o in outcomes]


def chart_import_rows(changes: Sequence[CellChange]) -> Rows:
    """The cells a charting workbook changes: where, which cell, before and after."""
    rows: Rows = []
    for c in changes:
        outcome = "applied" if c.applied else ("kept the study's" if c.conflict else "would apply")
        rows.append({"cell": c.where, "case": c.case_id, "subtopic": c.subtopic,
                     "study": brief(c.before) or "(none)",
                     "workbook": brief(c.after) or "(cleared)",
                     "conflict": "yes" if c.conflict else "", "result": outcome})
    return rows


STATUS_TITLES = {
    "themes": "cells by state, per theme",
    "cases": "charting progress, per case",
    "gaps": "gaps: coded but not summarised",
    "stale": "stale: the evidence changed under the summary",
}
"""The sections of ``fqda status``, in the order shown, with their titles."""


def status_sizes(status: ChartingStatus) -> dict[str, int]:
    """How many rows each section of ``fqda status`` has, without making them: the
    overview names a long section in one line, so its rows are never built."""
    return {"themes": len(status.themes), "cases": len(status.cases),
            "gaps": len({c.case_id for c in status.gaps}), "stale": len(status.stale)}


def status_sections(status: ChartingStatus, names: Collection[str] | None = None
                    ) -> dict[str, tuple[str, Rows]]:
    """``fqda status``: cells by state per theme and per case, the gaps, the stale cells
    (only the sections ``names`` lists, when given)."""
    build = {"themes": _theme_rows, "cases": _case_rows, "gaps": _gap_rows,
             "stale": _stale_rows}
    return {name: (title, build[name](status)) for name, title in STATUS_TITLES.items()
            if names is None or name in names}


def _theme_rows(status: ChartingStatus) -> Rows:
    from framework_qda.cell_state import rendering

    return [{"theme": t.heading, **{rendering(k).label: v for k, v in counts.items()},
             "cells": sum(counts.values())} for t, counts in status.themes]


def _case_rows(status: ChartingStatus) -> Rows:
    from framework_qda.cell_state import STATES, rendering

    cases: Rows = []
    for p in status.cases:
        share = f"{100 * p.done // p.to_chart}%" if p.to_chart else "-"
        cases.append({"case": p.case.id, "group": p.case.group,
                      "charted": f"{p.done}/{p.to_chart}", "progress": share,
                      **{rendering(k).label: p.counts.get(k, 0) for k in STATES
                         if rendering(k).to_chart}})
    return cases


def _gap_rows(status: ChartingStatus) -> Rows:
    from framework_qda.cell_state import gap_states, rendering

    by_case: dict[str, dict[CellState, list[str]]] = {}
    states = gap_states()
    for c in status.gaps:
        lists = by_case.get(c.case_id)
        if lists is None:  # (setdefault would build the empty lists for every gap)
            lists = by_case[c.case_id] = {s: [] for s in states}
        lists[c.state].append(c.subtopic)
    return [{"case": case, **{rendering(s).gap: " ".join(codes) for s, codes in g.items()}}
            for case, g in by_case.items()]


def _stale_rows(status: ChartingStatus) -> Rows:
    return [{"case": s.cell.case_id, "subtopic": s.cell.subtopic,
             "what changed": s.change.describe()} for s in status.stale]


STATUS_ROWS = 40
"""In the ``fqda status`` overview, a longer section is summed up in one line."""


def status_elided(name: str, title: str, rows: int) -> str:
    """The one line that stands for an empty or long section of the status overview."""
    if not rows:
        return f"{title}: none"
    return f"{title}: {rows} rows — `fqda status --section {name}` lists them"


FIRST_GAP_CASES = 5
"""Cases named in the overview's line for a long list of gaps."""


def overview_sizes(overview: ChartingOverview) -> dict[str, int]:
    """How many rows each section of ``fqda status`` would have, from the overview."""
    return {"themes": len(overview.themes), "cases": overview.cases,
            "gaps": len(overview.gap_cases), "stale": len(overview.stale)}


def gaps_elided(title: str, overview: ChartingOverview) -> str:
    """The overview's line for a long list of gaps: how many cases and cells of each
    kind, and the first few cases in row order."""
    from framework_qda.cell_state import rendering

    kinds = "; ".join(f"{n:,} {rendering(state).gap}" for state, n in overview.gaps.items()
                      if n)
    first = ", ".join(overview.gap_cases[:FIRST_GAP_CASES])
    more = " …" if len(overview.gap_cases) > FIRST_GAP_CASES else ""
    return (f"{title}: {len(overview.gap_cases):,} cases, {sum(overview.gaps.values()):,} "
            f"cells: {kinds}; the first {first}{more} — `fqda status --section gaps` lists "
            "them")
