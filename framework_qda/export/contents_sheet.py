"""The workbook's first sheet: its contents, each theme with its sub-topics, their
definitions and counts, and a link to each sheet."""

from __future__ import annotations

from collections.abc import Sequence

from framework_qda.cell_state import rendering
from framework_qda.export.agreement_sheets import AGREEMENT, DISAGREEMENTS
from framework_qda.export.cells import (
    MAX_LINES,
    Look,
    Sheet,
    line_count,
    print_setup,
    sheet_ref,
)
from framework_qda.export.workbook_lists import HEAD, PLAIN, Place
from framework_qda.matrix import Matrix
from framework_qda.model import Subtopic


def subtopic_definition(sub: Subtopic) -> str:
    """A sub-topic's definition with what it includes and excludes, for a note or a cell."""
    notes = [sub.definition, f"Include: {sub.include}" if sub.include else "",
             f"Exclude: {sub.exclude}" if sub.exclude else ""]
    return "\n".join(n for n in notes if n)



def contents_sheet(s: Sheet, matrices: Sequence[Matrix], place: Place, title: str,
                    paper: str, compared: bool = False) -> None:
    """The front page: each theme and sub-topic with its definition and counts, linked."""
    ws = s.ws
    widths = (7, 34, 62, 9, 9, 9, 9)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    print_setup(ws, paper, title, "Contents", repeat_rows=4, landscape=True)
    ws.set_row(0, 22)
    s.text(0, 0, title, Look(bold=True, wrap=False))
    s.text(1, 0, "Framework matrices: a sheet per theme, a row per case (ordered by sample "
           "group), a column per sub-topic. Click a theme or sub-topic to go to it.",
           Look(wrap=False))
    heads = ("Code", "Theme / sub-topic", "Definition", "Cases coded", "Passages",
             "Charted", "To chart")
    s.height(3, 2)
    for col, head in enumerate(heads):
        s.text(3, col, head, HEAD)
    row = 4
    for m in matrices:
        sheet = place.titles[m.theme.code]
        theme = Look(bold=True, fill="F2F5F9", rule=True)
        s.height(row, min(MAX_LINES, line_count(m.theme.definition, widths[2])))
        s.text(row, 0, m.theme.code, theme)
        s.link(row, 1, sheet_ref(sheet, "A1"), m.theme.label, f"Go to the sheet {sheet}",
               Look(bold=True, fill="F2F5F9", rule=True))
        s.text(row, 2, m.theme.definition, theme)
        totals = [0, 0, 0, 0]
        sub_rows: list[tuple[Subtopic, list[int]]] = []
        for sub in m.subtopics:
            cells = m.column(sub.code)
            figures = [sum(1 for c in cells if c.evidence), sum(len(c.evidence) for c in cells),
                       sum(1 for c in cells if rendering(c.state).charted),
                       sum(1 for c in cells if rendering(c.state).to_chart
                           and not rendering(c.state).charted)]
            totals = [a + b for a, b in zip(totals, figures, strict=True)]
            sub_rows.append((sub, figures))
        for col, value in enumerate(totals, start=3):
            s.number(row, col, value, Look(bold=True, fill="F2F5F9", rule=True, wrap=False))
        row += 1
        for sub, figures in sub_rows:
            definition = subtopic_definition(sub)
            s.height(row, min(MAX_LINES, line_count(definition, widths[2])))
            s.text(row, 0, sub.code)
            column = place.columns.get(sub.code, "A")
            s.link(row, 1, sheet_ref(sheet, f"{column}1"), sub.label,
                   f"Go to {sub.heading} on {sheet}")
            s.text(row, 2, definition, PLAIN)
            for col, value in enumerate(figures, start=3):
                s.number(row, col, value)
            row += 1
    row += 1
    s.text(row, 0, "Other sheets", Look(bold=True, wrap=False))
    row += 1
    about = {
        "Evidence": "Every coded passage, verbatim, in matrix order; a long one continues "
                    "on the rows below it (Part).",
        "References": "Each reference typed in a summary ([P7:12]), linked to the passage "
                      "it cites.",
        "Codebook": "The framework: codes, labels, definitions, inclusion and exclusion.",
        "Cases": "Each case with its sample group and attributes.",
        "Coverage": "How many passages each case has per sub-topic.",
    }
    if compared:
        about[AGREEMENT] = "How far the coders agree, per sub-topic (percent, kappa, alpha)."
        about[DISAGREEMENTS] = "Every passage where the coders differ."
    about["Key"] = "What the marks in the matrix cells mean."
    for name, text in about.items():
        s.link(row, 1, sheet_ref(name, "A1"), name, f"Go to the sheet {name}")
        s.text(row, 2, text, PLAIN)
        s.height(row, line_count(text, widths[2]))
        row += 1
