"""The framework workbook read back as an analyst would see it."""

from __future__ import annotations

from openpyxl import load_workbook

import framework_qda as fq


def test_workbook_opens_on_contents_then_a_sheet_per_theme_with_ordered_rows(
        study: fq.Study) -> None:
    path = study.export_excel()
    assert path == study.root / "matrices" / "framework.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Contents", "1 Communication", "2 Pressures"]
    ws = wb["2 Pressures"]
    header = [c.value for c in ws[1]]
    assert header == ["Case", "Group", "2.1 Staffing", "n", "2.2 Time", "n"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == ["P1", "P2", "P3", "P10"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 6)] == [
        "Managers", "Managers", "Nurses", "Nurses"]
    # A coded cell without a summary holds no text: its count and note carry the evidence.
    assert ws["C5"].value is None and ws["D5"].value == 1
    assert ws["C5"].comment.text == "“Too few of us. Staffing is the whole story.” [P10:4]"
    assert ws["C3"].value is None and ws["D3"].value is None
    assert ws.freeze_panes == "C2"
    assert ws["C2"].alignment.wrap_text


def test_a_cell_holds_its_summary_only_and_its_evidence_is_in_the_note(
        study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Two nurses short most nights [P1:4]")
    ws = load_workbook(study.export_excel())["2 Pressures"]
    assert ws["C2"].value == "Two nurses short most nights [P1:4]"
    assert "“Hardly. We are two nurses short most nights.” [P1:4]" in ws["C2"].comment.text
    assert ws["D2"].value == 1


def test_formula_like_text_stays_text(study: fq.Study) -> None:
    study.set_summary("P2", "2.2", "=HYPERLINK(\"http://x\") said no one [P2:4]")
    ws = load_workbook(study.export_excel())["2 Pressures"]
    cell = ws["E3"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert str(cell.value).startswith("=HYPERLINK")
