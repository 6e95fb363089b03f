"""The charting workbook: export, edit in a spreadsheet, import back, conflicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import framework_qda as fq
from framework_qda.errors import ConflictError, InputError, ValidationError
from framework_qda.export.charting import SUMMARY_CUT as CUT
from tests._cli import fqda
from tests.conftest import snapshot


def find(ws: Any, case: str, code: str) -> Any:
    """The summary cell of a case and sub-topic, found by the hidden ids."""
    ids = [c.value for c in ws[1]]
    col = ids.index(code) + 1
    for row in ws.iter_rows(min_row=3):
        if row[0].value == case:
            return ws.cell(row=row[0].row, column=col)
    raise KeyError(case)


@pytest.fixture
def exported(study: fq.Study) -> Path:
    study.set_summary("P1", "1.1", "Writes it on the sheet [P1:2]")
    study.set_summary("P2", "1.2", "", not_applicable=True)
    study.draft_summaries(theme="2")
    return study.export_charting()


def test_export_writes_a_sheet_per_theme_with_summaries_and_evidence(
        study: fq.Study, exported: Path) -> None:
    assert exported == study.root / "matrices" / "charting.xlsx"
    wb = load_workbook(exported)
    assert wb.sheetnames == ["About", "_fqda_base", "1 Communication", "2 Pressures"]
    assert wb["_fqda_base"].sheet_state == "hidden"
    ws = wb["1 Communication"]
    assert ws.row_dimensions[1].hidden and ws.column_dimensions["A"].hidden
    headers = [c.value for c in ws[2]]
    assert headers == ["id", "Case", "Group", "1.1 Handover notes", "state", "1.1 evidence",
                       "1.2 Talking in person", "state", "1.2 evidence"]
    # Rows in matrix order: sample groups as fqda.yaml declares them, then case id.
    assert [r[1].value for r in ws.iter_rows(min_row=3)] == ["P1", "P2", "P3", "P10"]
    assert find(ws, "P1", "1.1").value == "Writes it on the sheet [P1:2]"
    assert ws.cell(row=3, column=5).value == "summarised"
    assert ws.cell(row=3, column=6).value == (
        "[P1:2] We write everything on the sheet. The sheet is the handover, really, "
        "and it goes in the folder.")
    assert find(ws, "P2", "1.2").value == "n/a"
    assert find(wb["2 Pressures"], "P1", "2.1").value.startswith("“We are two nurses short")


def test_edits_come_back_and_the_import_says_what_changed(
        study: fq.Study, exported: Path) -> None:
    wb = load_workbook(exported)
    ws = wb["1 Communication"]
    find(ws, "P3", "1.2").value = "Talks at the bedside [P3:2]"
    find(ws, "P1", "1.1").value = "Everything goes on the sheet, into the folder [P1:2]"
    wb.save(exported)
    code, out, err = fqda("chart", "import", str(exported), "--study", str(study.root))
    assert code == 0, err
    assert "2 cell(s) changed" in out
    assert "1 Communication!D3" in out and "1 Communication!G5" in out
    cells = study.cells()
    assert cells[("P3", "1.2")].state == "summarised"
    assert cells[("P3", "1.2")].summary == "Talks at the bedside [P3:2]"
    assert cells[("P1", "1.1")].summary == "Everything goes on the sheet, into the folder [P1:2]"
    assert study.summary_links()[("P3", "1.2")] == ["P3:2"]
    # Importing the same file again changes nothing more.
    assert study.import_charting(exported).changes == []


def test_renamed_headers_sheets_and_sorted_rows_still_map_back(
        study: fq.Study, exported: Path) -> None:
    wb = load_workbook(exported)
    ws = wb["1 Communication"]
    ws.title = "Comms (edited)"
    ws.cell(row=2, column=4).value = "Notes!"  # a renamed header
    # Re-sort the rows: reverse the order of the case rows (all columns, hidden id too).
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    for i, values in enumerate(reversed(rows)):
        for j, v in enumerate(values):
            ws.cell(row=3 + i, column=1 + j).value = v
    find(ws, "P10", "1.1").value = "n/a: not asked"
    find(ws, "P1", "1.1").value = None  # cleared: the summary goes
    wb.save(exported)
    report = study.import_charting(exported)
    assert sorted((c.case_id, c.subtopic) for c in report.changes) == [
        ("P1", "1.1"), ("P10", "1.1")]
    cells = study.cells(["1.1"])
    assert (cells[("P10", "1.1")].state, cells[("P10", "1.1")].summary) == (
        "not-applicable", "not asked")
    assert cells[("P1", "1.1")].state == "coded"


def test_a_cell_changed_in_both_places_is_refused_unless_told_which_wins(
        study: fq.Study, exported: Path) -> None:
    study.set_summary("P1", "1.1", "Changed in the study meanwhile [P1:2]", replace=True)
    wb = load_workbook(exported)
    ws = wb["1 Communication"]
    find(ws, "P1", "1.1").value = "Changed in the workbook [P1:2]"
    find(ws, "P3", "1.2").value = "No conflict here [P3:2]"
    wb.save(exported)
    before = snapshot(study)
    with pytest.raises(ConflictError) as exc:
        study.import_charting(exported)
    assert "1 Communication!D3 (P1 × 1.1)" in str(exc.value)
    assert "--prefer file or --prefer study" in str(exc.value)
    assert snapshot(study) == before
    code, _, err = fqda("chart", "import", str(exported), "--study", str(study.root))
    assert code == 1 and "changed both in the workbook and in the study" in err

    report = study.import_charting(exported, prefer="study")
    assert [(c.case_id, c.applied) for c in report.changes] == [("P1", False), ("P3", True)]
    assert study.cells(["1.1"])[("P1", "1.1")].summary == "Changed in the study meanwhile [P1:2]"
    study.import_charting(exported, prefer="file")
    assert study.cells(["1.1"])[("P1", "1.1")].summary == "Changed in the workbook [P1:2]"


def test_a_bad_reference_in_the_workbook_imports_nothing(
        study: fq.Study, exported: Path) -> None:
    wb = load_workbook(exported)
    ws = wb["1 Communication"]
    find(ws, "P3", "1.2").value = "Good [P3:2]"
    find(ws, "P10", "1.1").value = "Bad [P10:44]"
    wb.save(exported)
    before = snapshot(study)
    with pytest.raises(ValidationError) as exc:
        study.import_charting(exported)
    assert "1 Communication!D6: unknown reference" in str(exc.value)
    assert "[P10:44]" in str(exc.value)
    assert snapshot(study) == before


def test_dry_run_shows_changes_and_changes_nothing(study: fq.Study, exported: Path) -> None:
    wb = load_workbook(exported)
    find(wb["1 Communication"], "P3", "1.2").value = "Bedside [P3:2]"
    wb.save(exported)
    before = snapshot(study)
    report = study.import_charting(exported, dry_run=True)
    assert [(c.case_id, c.after, c.applied) for c in report.changes] == [
        ("P3", "Bedside [P3:2]", False)]
    assert snapshot(study) == before


def test_an_untouched_draft_stays_a_draft_and_an_edited_one_becomes_human(
        study: fq.Study, exported: Path) -> None:
    wb = load_workbook(exported)
    ws = wb["2 Pressures"]
    find(ws, "P3", "2.1").value = "Short-staffed, handover is cut first [P3:4]"
    wb.save(exported)
    study.import_charting(exported)
    cells = study.cells(["2.1"])
    assert cells[("P3", "2.1")].state == "summarised"
    assert cells[("P1", "2.1")].state == "draft"


def test_text_that_looks_like_a_formula_stays_text(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "=HYPERLINK(\"x\") is what she wrote [P1:2]")
    path = study.export_charting()
    ws = load_workbook(path)["1 Communication"]
    cell = find(ws, "P1", "1.1")
    assert cell.data_type == "s"
    assert study.import_charting(path).changes == []


def test_a_workbook_not_written_by_chart_export_is_refused(study: fq.Study,
                                                           tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    with pytest.raises(InputError) as exc:
        study.import_charting(path)
    assert "was not written by `fqda chart export`" in str(exc.value)
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot be read as an .xlsx workbook"):
        study.import_charting(tmp_path / "junk.xlsx")


def test_a_row_added_by_hand_is_reported(study: fq.Study, exported: Path) -> None:
    wb = load_workbook(exported)
    ws = wb["1 Communication"]
    ws.cell(row=7, column=2).value = "P99"
    ws.cell(row=7, column=4).value = "Someone new"
    wb.save(exported)
    with pytest.raises(ValidationError, match="row 7 has no hidden case id"):
        study.import_charting(exported)


def test_chart_export_from_the_command_line(study: fq.Study, tmp_path: Path) -> None:
    target = tmp_path / "out" / "mine.xlsx"
    code, out, err = fqda("chart", "export", "-o", str(target), "--theme", "2", "--study",
                          str(study.root))
    assert code == 0, err
    assert "charting workbook written to" in out
    assert load_workbook(target).sheetnames == ["About", "_fqda_base", "2 Pressures"]


def test_import_dry_run_from_the_command_line(study: fq.Study, exported: Path) -> None:
    wb = load_workbook(exported)
    find(wb["1 Communication"], "P3", "1.2").value = "Bedside talk [P3:2]"
    wb.save(exported)
    code, out, err = fqda("chart", "import", str(exported), "--dry-run", "--study",
                          str(study.root))
    assert code == 0, err
    assert "would apply" in out and "1 cell(s) would change" in out
    assert study.cells(["1.2"])[("P3", "1.2")].state == "coded"


LONG = " ".join(f"Point {i}: the ward talks it through [P1:2]." for i in range(1200))


def _long_exported(study: fq.Study) -> tuple[Path, str]:
    assert len(LONG) > 40_000
    study.set_summary("P1", "1.1", LONG)
    return study.export_charting(), study.cells()[("P1", "1.1")].summary


def test_a_summary_too_long_for_a_cell_is_shown_cut_and_says_so(study: fq.Study) -> None:
    path, full = _long_exported(study)
    cell = find(load_workbook(path)["1 Communication"], "P1", "1.1").value
    assert len(cell) <= 32_767 and cell.endswith(CUT)
    assert full.startswith(cell[: -len(CUT)])
    # unedited, it comes back as no change at all: the full summary stays
    assert study.import_charting(path).changes == []
    assert study.cells()[("P1", "1.1")].summary == full == LONG


def test_an_edited_cut_summary_is_refused_not_cut_short(study: fq.Study) -> None:
    path, full = _long_exported(study)
    wb = load_workbook(path)
    ws = wb["1 Communication"]
    cell = find(ws, "P1", "1.1")
    cell.value = "Edited: " + cell.value
    find(ws, "P3", "1.2").value = "Talks at the bedside [P3:2]"
    wb.save(path)
    before = snapshot(study)
    with pytest.raises(ValidationError) as caught:
        study.import_charting(path)
    assert "nothing was imported" in str(caught.value)
    assert any("1 Communication!D3" in p and "cut" in p and "fqda chart P1 1.1" in p
               for p in caught.value.problems)
    assert snapshot(study) == before
    code, out, err = fqda("chart", "import", str(path), "--study", str(study.root))
    assert code == 1 and "Traceback" not in err
    # Taking the marker out says: this cell's text is the whole summary now.
    cell.value = cell.value[: -len(CUT)]
    wb.save(path)
    study.import_charting(path)
    assert study.cells()[("P1", "1.1")].summary == cell.value
