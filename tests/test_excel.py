"""The framework workbook read back as an analyst would see it."""

from __future__ import annotations

from openpyxl import load_workbook

import framework_qda as fq


def test_workbook_has_a_sheet_per_theme_with_ordered_rows(study: fq.Study) -> None:
    path = study.export_excel()
    assert path == study.root / "matrices" / "framework.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["1 Communication", "2 Pressures"]
    ws = wb["2 Pressures"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Case", "Group", "2.1 Staffing", "2.2 Time"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == ["P1", "P2", "P3", "P10"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 6)] == [
        "Managers", "Managers", "Nurses", "Nurses"]
    assert ws["C5"].value == "“Too few of us. Staffing is the whole story.” [P10:4]"
    assert ws["D3"].value == "“Time, mostly. The shift overruns and people just want to go " \
                             "home.” [P2:4]"
    assert ws["C3"].value in (None, "")
    assert ws.freeze_panes == "C2"
    assert ws["C2"].alignment.wrap_text


def test_summary_comes_before_its_evidence(study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Two nurses short most nights [P1:4]")
    ws = load_workbook(study.export_excel())["2 Pressures"]
    assert ws["C2"].value == ("Two nurses short most nights [P1:4]\n\n"
                              "“Hardly. We are two nurses short most nights.” [P1:4]")


def test_formula_like_text_stays_text(study: fq.Study) -> None:
    study.set_summary("P2", "2.2", "=HYPERLINK(\"http://x\") said no one [P2:4]")
    ws = load_workbook(study.export_excel())["2 Pressures"]
    cell = ws["D3"]
    assert cell.data_type == "s"
    assert str(cell.value).startswith("=HYPERLINK")
