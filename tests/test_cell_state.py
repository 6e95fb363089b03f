"""Cell states in one place: every state has a rendering in every output."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import get_args

import pytest
from openpyxl import load_workbook
from rich.style import Style

from framework_qda.cell_state import STATES, rendering, shown_summary
from framework_qda.export.excel import write_workbook
from framework_qda.export.tabular import cell_rows, wide_rows
from framework_qda.matrix import Matrix, build_matrix, cell_text
from framework_qda.model import Case, Cell, CellState, Codebook, Evidence, Subtopic, Theme
from framework_qda.query import within_case
from framework_qda.render import case_markdown, case_rows, matrix_rows, status_sections
from framework_qda.render.tables import matrix_table, to_text

SUB = Subtopic("1.1", "Handover notes", "1")
THEME = Theme("1", "Communication", subtopics=(SUB,))
BOOK = Codebook("States", (THEME,))


def _cell(case_id: str, state: CellState) -> Cell:
    ev = (Evidence(f"{case_id}:2", f"Words of {case_id}.", "Ann", "participant", case_id,
                   "1.1"),) if state != "empty" else ()
    summary = {"empty": "", "coded": ""}.get(state, f"Summary of {case_id} [{case_id}:2]")
    return Cell(case_id, "1.1", state, summary, ev)


@pytest.fixture
def matrix() -> Matrix:
    """One case per state, named after it (``C-draft`` …)."""
    cases = [Case(f"C-{s}", "G") for s in STATES]
    cells = {(c.id, "1.1"): _cell(c.id, s) for c, s in zip(cases, STATES, strict=True)}
    return build_matrix(THEME, cases, cells)


def test_states_are_the_literal_and_each_has_a_whole_rendering() -> None:
    assert set(STATES) == set(get_args(CellState)) and len(STATES) == 6
    for state in STATES:
        r = rendering(state)
        assert r.state == state and r.label and r.meaning
        assert len(r.chart_fill) == 6 and int(r.chart_fill, 16) >= 0
        Style.parse(r.terminal)  # a style Rich understands
    # what a reader must be able to tell apart
    assert [s for s in STATES if rendering(s).marker] == ["draft", "stale", "not-applicable"]
    assert [s for s in STATES if rendering(s).is_gap] == ["coded", "draft"]
    assert [s for s in STATES if rendering(s).charted] == ["summarised", "not-applicable"]


def test_every_plain_text_output_marks_the_states_that_have_a_marker(matrix: Matrix) -> None:
    profile_rows = []
    for case in matrix.cases:
        profile = within_case(case, BOOK, matrix.cells)
        profile_rows += case_rows(profile)
        md = case_markdown(profile)
        summary = shown_summary(matrix.cell(case.id, "1.1"))
        if summary:
            assert summary in md
    wide = wide_rows(matrix, [])
    long = cell_rows([matrix], [])
    brief = {r["case"]: r for r in matrix_rows(matrix, states=True)}
    full = {r["case"]: r for r in matrix_rows(matrix, full=True, states=True)}
    for i, case in enumerate(matrix.cases):
        cell = matrix.cell(case.id, "1.1")
        state = cell.state
        marker = rendering(state).marker
        expected = f"{marker}{rendering(state).joiner}Summary of" if marker else (
            "Summary of" if cell.summary else "")
        for text in (cell_text(cell), str(full[case.id]["1.1"]), str(brief[case.id]["1.1"]),
                     str(wide[i + 1][2]), str(long[i + 1][7]),
                     str(profile_rows[i]["summary"])):
            assert text.startswith(expected), (state, text)
        assert full[case.id]["1.1 state"] == state == brief[case.id]["1.1 state"]
        assert wide[i + 1][3] == state == long[i + 1][6] == profile_rows[i]["state"]
    table = to_text(matrix_rows(matrix, full=True, states=True), "csv")
    back = {r["case"]: r for r in csv.DictReader(io.StringIO(table))}
    assert back["C-draft"]["1.1"].startswith("(draft) Summary of C-draft")
    assert back["C-stale"]["1.1 state"] == "stale"


def test_the_terminal_matrix_styles_each_state(matrix: Matrix) -> None:
    (table,) = matrix_table(matrix).tables(200)
    column = table.columns[2]
    styles = {c.id: str(t.style) for c, t in zip(matrix.cases, column._cells, strict=True)}
    assert styles == {f"C-{s}": rendering(s).terminal for s in STATES}


def test_the_workbook_shows_and_keys_every_state(matrix: Matrix, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "w.xlsx", [matrix], [], BOOK, list(matrix.cases))
    wb = load_workbook(path)
    ws = wb[wb.sheetnames[1]]  # after the Contents
    for row in ws.iter_rows(min_row=2):
        state = row[0].value.removeprefix("C-")
        r = rendering(state)
        cell = row[2]
        assert bool(cell.font.i) == r.italic
        if r.fill:
            assert cell.fill.fgColor.rgb.endswith(r.fill)
        if r.font:
            assert cell.font.color.rgb.endswith(r.font)
        if r.marker:  # a mark that a black-and-white print keeps
            assert str(cell.value).startswith(r.marker)
        if r.note:
            assert r.note in cell.comment.text
    key = {row[0].value: row[1].value for row in wb["Key"].iter_rows(min_row=3)
           if row[0].value}
    for state in STATES:
        assert key[state] == rendering(state).meaning
    assert "(draft)" in key["draft"] and "(stale)" in key["stale"]


def test_status_has_a_column_for_every_state(matrix: Matrix) -> None:
    from framework_qda.matrix import charting_status

    status = charting_status(BOOK, list(matrix.cases), matrix.cells, {})
    sections = status_sections(status)
    themes = sections["themes"][1][0]
    assert {rendering(s).label for s in STATES} <= set(themes)
    gaps = sections["gaps"][1]
    assert gaps == [{"case": "C-coded", "coded, no summary": "1.1", "draft only": ""},
                    {"case": "C-draft", "coded, no summary": "", "draft only": "1.1"}]
