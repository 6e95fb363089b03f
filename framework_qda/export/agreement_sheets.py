"""The framework workbook's Agreement and Disagreements sheets, written when a
study has two coders or more: per sub-topic how far they agree (the figures of
``fqda agreement``), and every passage where they differ (``fqda
disagreements``).  Formats what :mod:`framework_qda.coders` computed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from framework_qda.agreement import Agreement, Figure, Tally
from framework_qda.cell_text import single_spaced
from framework_qda.coders import Disagreements
from framework_qda.export.cells import (
    MAX_LINES,
    Look,
    Sheet,
    line_count,
    print_setup,
)

AGREEMENT = "Agreement"
DISAGREEMENTS = "Disagreements"
HEAD = Look(fill="DDE4EE", bold=True)
WRAPPED = Look()
PASSAGE_START = 160
"""Characters of a passage the Disagreements sheet shows."""


@dataclass(frozen=True)
class CoderComparison:
    """What the two sheets show: agreement figures and the disagreements."""

    agreement: Agreement
    disagreements: Disagreements


def _figure(s: Sheet, row: int, col: int, figure: Figure, look: Look | None = None) -> None:
    if figure.value is None:
        s.text(row, col, f"n/a ({figure.reason})", look)
    else:
        s.number(row, col, round(figure.value, 3), look)


def agreement_sheet(s: Sheet, found: Agreement, subtopics: Sequence[str], title: str,
                    paper: str) -> None:
    """Per sub-topic (of those exported) and overall: items compared, how many each
    coder coded, percent agreement, Cohen's kappa and Krippendorff's alpha, for
    the coding units and for the matrix cells."""
    ws = s.ws
    coders = found.coders
    widths = [10, 9, *([9] * len(coders)), 10, 10, 10]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    print_setup(ws, paper, title, AGREEMENT, repeat_rows=3)
    s.text(0, 0, f"Agreement between {', '.join(coders)} (unit: {found.unit}; "
           f"{found.universe})", Look(bold=True, wrap=False))
    heads = ["Sub-topic", "Items", *(f"coded by {c}" for c in coders), "Percent", "Kappa",
             "Alpha"]
    s.height(2, 2)
    for col, head in enumerate(heads):
        s.text(2, col, head, HEAD)
    row = 3

    def tally(t: Tally, look: Look | None = None) -> None:
        nonlocal row
        s.text(row, 0, t.subtopic, look)
        s.number(row, 1, t.items, look)
        for i, n in enumerate(t.coded, start=2):
            s.number(row, i, n, look)
        for i, figure in enumerate((t.percent, t.kappa, t.alpha), start=2 + len(coders)):
            _figure(s, row, i, figure, look)
        row += 1

    wanted = set(subtopics)
    for t in found.subtopics:
        if t.subtopic in wanted:
            tally(t)
    tally(found.overall, Look(bold=True, rule=True, wrap=False))
    row += 1
    s.text(row, 0, "Matrix cells: does each coder have evidence in the cell?",
           Look(bold=True, wrap=False))
    row += 1
    for t in found.cells:
        if t.subtopic in wanted:
            tally(t)
    tally(found.cells_overall, Look(bold=True, rule=True, wrap=False))


def _passage_start(passage: str) -> str:
    """The start of a passage as the sheet shows it: white space made single spaces,
    cut between words after :data:`PASSAGE_START` characters (``…`` marks the cut)."""
    # Only the start is made single-spaced: white space made single from a
    # prefix is a prefix of the whole made single, so when it is longer than
    # what is shown the rest cannot change what is shown.
    text = single_spaced(passage[:4 * PASSAGE_START])
    if len(text) <= PASSAGE_START and len(passage) > 4 * PASSAGE_START:
        text = single_spaced(passage)
    if len(text) > PASSAGE_START:
        text = text[:PASSAGE_START].rsplit(" ", 1)[0] + " …"
    return text


def disagreements_sheet(s: Sheet, found: Disagreements, subtopics: Sequence[str],
                        title: str, paper: str) -> None:
    """Every passage where the coders differ about a sub-topic, with who coded it,
    who did not, and the passage's words."""
    ws = s.ws
    widths = (10, 8, 9, 14, 14, 70, 11)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    print_setup(ws, paper, title, DISAGREEMENTS, repeat_rows=1)
    heads = ("Passage", "Case", "Sub-topic", "Coded by", "Not coded by", "Text", "Consensus")
    for col, head in enumerate(heads):
        s.text(0, col, head, HEAD)
    wanted = set(subtopics)
    row = 1
    for d in found.rows:
        if d.subtopic not in wanted:
            continue
        # The start of the passage, to recognise it; all of it is on the Evidence
        # sheet, and `fqda show` gives its context.
        text = _passage_start(d.text)
        s.height(row, min(MAX_LINES, line_count(text, widths[5])))
        s.texts(row, 0, (d.ref, d.case_id, d.subtopic, ", ".join(d.coded_by),
                         ", ".join(d.not_coded_by)))
        s.text(row, 5, text, WRAPPED)
        s.text(row, 6, d.consensus)
        row += 1
    ws.autofilter(0, 0, max(1, row - 1), len(heads) - 1)
