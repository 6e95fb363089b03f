"""Cell states: what each state of a cell means, and how every output shows it.

A cell (case, sub-topic) is in one :data:`~framework_qda.model.CellState`;
which one is computed in :mod:`framework_qda.matrix`.  This module is the
one place that says, per state, what that means for a reader: the word for
it, the marker that plain text puts before its summary (so a machine draft
never passes for a researcher's summary), whether it counts as charted or as
a gap, and its look in the workbooks and the terminal.  Renderers and
exports read :func:`rendering` and never branch on state names themselves.

A new state is one more name in ``CellState`` and one more ``case`` below:
mypy rejects :func:`rendering` until the new state has its rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never, get_args

from framework_qda.model import Cell, CellState

STATES: tuple[CellState, ...] = get_args(CellState)
"""Every cell state, in the order a researcher moves a cell along."""


@dataclass(frozen=True)
class StateRendering:
    """How one cell state reads and looks in every output."""

    state: CellState
    label: str
    """Its column heading where cells are counted (``fqda status``)."""
    meaning: str
    """One sentence for a reader (the workbook's Key sheet)."""
    marker: str
    """Put before the summary wherever a cell is plain text (``(draft)``); may be empty."""
    joiner: str
    """Between the marker and the summary (``n/a: not asked``)."""
    charted: bool
    """A researcher has dealt with the cell (progress counts it as done)."""
    gap: str
    """The heading of its list in the gaps of ``fqda status``; empty when not a gap
    (a gap has evidence but no researcher's summary)."""
    to_chart: bool
    """The cell has evidence or a summary: charting has to deal with it."""
    came_up: bool
    """The topic came up for the case (within-theme and comparison counts)."""
    outdated: bool
    """The summary was written against other evidence than the cell holds now
    (``fqda status`` says what changed)."""
    fill: str | None
    """Framework workbook: the cell's fill (None: the row's group band)."""
    font: str | None
    """Framework workbook: the font colour (None: the default)."""
    italic: bool
    """Framework workbook: italic type."""
    note: str
    """Framework workbook: a comment on the cell; may be empty."""
    chart_fill: str
    """Charting workbook: the fill of the summary and state cells."""
    terminal: str
    """Rich style of the cell's text in the terminal (empty: the default)."""

    @property
    def is_gap(self) -> bool:
        return bool(self.gap)

    def mark(self, summary: str) -> str:
        """``summary`` as plain text shows it: with this state's marker in front."""
        if not self.marker:
            return summary
        return f"{self.marker}{self.joiner}{summary}" if summary else self.marker


def _rendering(state: CellState) -> StateRendering:
    match state:
        case "empty":
            return StateRendering(
                state, label="empty", meaning="Blank: nothing coded.",
                marker="", joiner="", charted=False, gap="", to_chart=False, came_up=False,
                outdated=False, fill=None, font=None, italic=False, note="",
                chart_fill="FFFFFF", terminal="")
        case "coded":
            return StateRendering(
                state, label="coded",
                meaning="Evidence only: coded passages, not yet summarised.",
                marker="", joiner="", charted=False, gap="coded, no summary", to_chart=True,
                came_up=True, outdated=False, fill=None, font=None, italic=False, note="",
                chart_fill="FFFFFF", terminal="")
        case "draft":
            return StateRendering(
                state, label="draft",
                meaning="(draft) before the summary, in grey italic: a machine draft that "
                        "no researcher has checked yet; accept or rewrite it.",
                marker="(draft)", joiner=" ", charted=False, gap="draft only", to_chart=True,
                came_up=True, outdated=False, fill=None, font="404040", italic=True, note="",
                chart_fill="FFF2CC", terminal="italic")
        case "summarised":
            return StateRendering(
                state, label="summarised",
                meaning="A researcher's summary, then the evidence it rests on.",
                marker="", joiner="", charted=True, gap="", to_chart=True, came_up=True,
                outdated=False, fill=None, font=None, italic=False, note="",
                chart_fill="E2EFDA", terminal="")
        case "stale":
            return StateRendering(
                state, label="stale",
                meaning="(stale) before the summary, on amber: the evidence changed after "
                        "the summary was written; re-read it.",
                marker="(stale)", joiner=" ", charted=False, gap="", to_chart=True,
                came_up=True, outdated=True, fill="FFE699", font=None, italic=False,
                note="Stale: the evidence under this summary changed after it was written; "
                     "re-read it and chart the cell again.",
                chart_fill="FFE699", terminal="yellow")
        case "not-applicable":
            return StateRendering(
                state, label="n/a",
                meaning="n/a, in grey: the topic was not asked or does not apply.",
                marker="n/a", joiner=": ", charted=True, gap="", to_chart=True, came_up=False,
                outdated=False, fill="E7E6E6", font="7F7F7F", italic=False, note="",
                chart_fill="E7E6E6", terminal="dim")
        case _:
            assert_never(state)


RENDERINGS: dict[CellState, StateRendering] = {s: _rendering(s) for s in STATES}


def rendering(state: CellState) -> StateRendering:
    """How cells in ``state`` read and look."""
    return RENDERINGS[state]


def shown_summary(cell: Cell) -> str:
    """A cell's summary as plain text shows it: ``(draft) …``, ``n/a: …``, or as written."""
    return RENDERINGS[cell.state].mark(cell.summary)


_GAPS: tuple[CellState, ...] = tuple(s for s in STATES if RENDERINGS[s].is_gap)


def gap_states() -> tuple[CellState, ...]:
    """The states that are gaps, in :data:`STATES` order."""
    return _GAPS
