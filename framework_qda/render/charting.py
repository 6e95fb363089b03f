"""Charting: outcomes of an edit or import, and fqda status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    from framework_qda.cell_editor import CellOutcome
    from framework_qda.charting import ChartingStatus
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


def status_sections(status: ChartingStatus) -> dict[str, tuple[str, Rows]]:
    """``fqda status``: cells by state per theme and per case, the gaps, the stale cells."""
    from framework_qda.cell_state import STATES, gap_states, rendering

    themes: Rows = [{"theme": t.heading, **{rendering(k).label: v for k, v in counts.items()},
                     "cells": sum(counts.values())} for t, counts in status.themes]
    cases: Rows = []
    for p in status.cases:
        share = f"{100 * p.done // p.to_chart}%" if p.to_chart else "-"
        cases.append({"case": p.case.id, "group": p.case.group,
                      "charted": f"{p.done}/{p.to_chart}", "progress": share,
                      **{rendering(k).label: p.counts.get(k, 0) for k in STATES
                         if rendering(k).to_chart}})
    by_case: dict[str, dict[CellState, list[str]]] = {}
    states = gap_states()
    for c in status.gaps:
        lists = by_case.get(c.case_id)
        if lists is None:  # (setdefault would build the empty lists for every gap)
            lists = by_case[c.case_id] = {s: [] for s in states}
        lists[c.state].append(c.subtopic)
    gaps: Rows = [{"case": case, **{rendering(s).gap: " ".join(codes) for s, codes in g.items()}}
                  for case, g in by_case.items()]
    stale: Rows = [{"case": s.cell.case_id, "subtopic": s.cell.subtopic,
                    "what changed": s.change.describe()} for s in status.stale]
    return {
        "themes": ("cells by state, per theme", themes),
        "cases": ("charting progress, per case", cases),
        "gaps": ("gaps: coded but not summarised", gaps),
        "stale": ("stale: the evidence changed under the summary", stale),
    }


STATUS_ROWS = 40
"""In the ``fqda status`` overview, a longer section is summed up in one line."""


def status_elided(name: str, title: str, rows: int) -> str:
    """The one line that stands for an empty or long section of the status overview."""
    if not rows:
        return f"{title}: none"
    return f"{title}: {rows} rows — `fqda status --section {name}` lists them"
