"""The framework workbook as an analyst opens it: layout, links, states and safety."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from framework_qda.export.cells import (
    EXCEL_MAX,
    MAX_ROW_HEIGHT,
    TRUNCATION_MARK,
    excel_length,
    fit,
    pieces,
    sheet_title,
)
from framework_qda.export.excel import CONTINUED, CONTINUES

runner = CliRunner()


def dump(path: Path) -> list[tuple[object, ...]]:
    """Everything a reader sees, cell by cell, without the file's bytes."""
    wb = load_workbook(path)
    out: list[tuple[object, ...]] = [("sheets", *wb.sheetnames)]
    for ws in wb.worksheets:
        out.append((ws.title, ws.freeze_panes, ws.dimensions))
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.hyperlink:
                    out.append((ws.title, c.coordinate, c.value,
                                c.hyperlink.location if c.hyperlink else None,
                                c.fill.fgColor.rgb, c.font.i))
    return out


def test_sheets_are_named_after_themes_then_the_reference_sheets(study: fq.Study) -> None:
    wb = load_workbook(study.export_excel())
    # the fixture study has two coders (hb, jk): their comparison comes before the Key
    assert wb.sheetnames == ["Contents", "1 Communication", "2 Pressures", "Evidence",
                             "References", "Codebook", "Cases", "Coverage", "Agreement",
                             "Disagreements", "Key"]
    assert wb.active.title == "Contents"
    assert wb.properties.title == "Ward handovers"
    key = {r[0].value: r[0] for r in wb["Key"].iter_rows(min_row=3) if r and r[0].value}
    assert key["stale"].fill.fgColor.rgb.endswith("FFE699") and key["draft"].font.i


def test_matrix_header_has_definitions_as_comments_and_frozen_case_columns(
    study: fq.Study,
) -> None:
    ws = load_workbook(study.export_excel(attributes=["area"]))["2 Pressures"]
    assert [c.value for c in ws[1]] == ["Case", "Group", "area", "2.1 Staffing", "n",
                                        "2.2 Time", "n"]
    assert ws["D1"].comment.text == "Too few staff on shift."
    assert ws["F1"].comment is None  # 2.2 has no definition
    assert ws.freeze_panes == "D2"
    assert [ws.cell(row=r, column=3).value for r in range(2, 6)] == [
        "Rural", "Urban", "Urban", "Rural"]
    assert 40 <= ws.column_dimensions["D"].width <= 50
    assert ws["D2"].alignment.wrap_text


def test_rows_are_banded_and_ruled_by_sample_group(study: fq.Study) -> None:
    ws = load_workbook(study.export_excel())["2 Pressures"]
    managers, nurses = ws["A2"].fill.fgColor.rgb, ws["A4"].fill.fgColor.rgb
    assert ws["A3"].fill.fgColor.rgb == managers
    assert ws["A5"].fill.fgColor.rgb == nurses != managers
    assert ws["A4"].border.top.style == "medium"  # first nurse starts a new group
    assert ws["A3"].border.top.style is None


def test_matrix_cells_link_to_their_evidence_rows(study: fq.Study) -> None:
    wb = load_workbook(study.export_excel())
    ws, ev = wb["2 Pressures"], wb["Evidence"]
    assert [c.value for c in ev[1]] == ["Case", "Group", "Source", "Segment", "Lines",
                                        "Speaker", "Role", "Sub-topic", "Text", "Coder",
                                        "Memo", "Part", "Cited"]
    # P1 × 2.1: one passage, on Evidence row 3 (row 2 is P1 × 1.1)
    assert ws["D2"].value == 1
    assert ws["D2"].hyperlink.location == "'Evidence'!A3:M3"
    row = [c.value for c in ev[3]]
    assert row[:4] == ["P1", "Managers", "P1.txt", "P1:4"]
    assert row[7:10] == ["2.1", "Hardly. We are two nurses short most nights.", "hb"]
    assert ws["A2"].hyperlink.location == "'Evidence'!A3:M3"  # the case's evidence here
    assert ws["F2"].hyperlink is None and ws["F2"].value is None  # P1 × 2.2: nothing coded
    assert ev.freeze_panes == "A2"
    assert ev.auto_filter.ref == "A1:M9"


def test_references_in_summaries_link_to_the_passages_they_cite(study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Two short [P1:4], as in handover [P1:2]")
    wb = load_workbook(study.export_excel())
    refs = wb["References"]
    rows = [[c.value for c in r] for r in refs.iter_rows(min_row=2)]
    assert [r[:3] for r in rows] == [["P1", "2.1", "P1:4"], ["P1", "2.1", "P1:2"]]
    ev = wb["Evidence"]
    for r in refs.iter_rows(min_row=2):
        target = r[2].hyperlink.location  # 'Evidence'!A5:M5
        row = int(target.split("!A")[1].split(":")[0])
        assert ev.cell(row=row, column=4).value == r[2].value
        assert r[0].hyperlink.location == "'2 Pressures'!C2"  # back to the summary
    cited = [(r[3].value, r[7].value, r[12].value) for r in ev.iter_rows(min_row=2)
             if r[0].value == "P1"]
    assert ("P1:4", "2.1", "cited") in cited
    assert ("P1:2", "1.1", None) in cited  # coded to 1.1, cited from 2.1's summary


def test_contents_lists_themes_and_subtopics_with_counts_and_links(study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Two short [P1:4]")
    ws = load_workbook(study.export_excel())["Contents"]
    assert ws["A1"].value == "Ward handovers"
    assert [c.value for c in ws[4]] == ["Code", "Theme / sub-topic", "Definition",
                                        "Cases coded", "Passages", "Charted", "To chart"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5) if r[0].value}
    assert rows["2"][1].value == "Pressures"
    assert rows["2"][1].hyperlink.location == "'2 Pressures'!A1"
    assert rows["2.1"][1].hyperlink.location == "'2 Pressures'!C1"
    assert rows["2.1"][2].value == "Too few staff on shift."
    assert [c.value for c in rows["2.1"][3:7]] == [3, 3, 1, 2]  # P1, P3, P10; P1 charted
    others = [r[1].value for r in ws.iter_rows(min_row=5) if r[1].hyperlink
              and r[1].hyperlink.location.endswith("'!A1") and r[0].value is None]
    assert others == ["Evidence", "References", "Codebook", "Cases", "Coverage", "Agreement",
                      "Disagreements", "Key"]


def test_every_sheet_is_set_up_to_print(study: fq.Study) -> None:
    wb = load_workbook(study.export_excel())
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4, the default
        setup = ws.page_setup  # one page wide (1, the default, is left out), any tall
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1)
        assert setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.center.text
        assert ws.print_title_rows
    assert wb["2 Pressures"].print_title_cols.replace("$", "") == "A:B"
    (study.root / "fqda.yaml").write_text("paper: letter\n", encoding="utf-8")
    again = fq.open_study(study.root)
    ws = load_workbook(again.export_excel())["2 Pressures"]
    assert ws.page_setup.paperSize == 1
    again.close()


def test_states_are_visible(study: fq.Study) -> None:
    study.set_summary("P2", "2.1", "Not asked", not_applicable=True)
    study.set_summary("P3", "2.1", "Short-staffed [P3:4]")
    study.code(["P3:2"], ["2.1"])  # new evidence under the summary: stale
    ids = study.store.subtopic_ids()
    with study.store.atomic():
        study.store.put_summary("P10", ids["2.1"], "Machine draft [P10:4]", "draft", "fqda", "")
    ws = load_workbook(study.export_excel())["2 Pressures"]
    na, stale, draft, coded = ws["C3"], ws["C4"], ws["C5"], ws["C2"]
    assert str(na.value).startswith("n/a")
    assert na.fill.fgColor.rgb.endswith("E7E6E6") and na.font.color.rgb.endswith("7F7F7F")
    assert stale.fill.fgColor.rgb.endswith("FFE699")
    assert "Stale" in stale.comment.text
    # marks that survive a black-and-white print: the text, and a dashed frame
    assert stale.border.top.style == draft.border.top.style == "dashed"
    assert coded.border.top.style is None
    assert str(stale.value).startswith("(stale) Short-staffed [P3:4]")
    assert draft.font.i and str(draft.value).startswith("(draft) Machine draft [P10:4]")
    assert not coded.font.i and coded.fill.fgColor.rgb.endswith("FFFFFF")
    assert coded.value is None and ws["D2"].value == 1


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+44 20 7946 0000",
                                  "-1 is what she said", "@SUM(A1:A9)"])
def test_formula_like_text_is_stored_as_text(study: fq.Study, text: str) -> None:
    study.set_summary("P2", "2.2", text)
    study.code(["P1:2"], ["1.2"], memo=text)
    wb = load_workbook(study.export_excel())
    cell = wb["2 Pressures"]["E3"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert str(cell.value).startswith(text)
    memo = next(r for r in wb["Evidence"].iter_rows(min_row=2) if r[3].value == "P1:2"
                and r[7].value == "1.2")[10]
    assert memo.data_type == "s" and memo.value == text and memo.quotePrefix


def test_illegal_control_characters_leave_the_copy_not_the_store(study: fq.Study) -> None:
    study.set_summary("P2", "2.2", "ring\x07ing\x0b bell")
    ws = load_workbook(study.export_excel())["2 Pressures"]
    assert str(ws["E3"].value).startswith("ringing bell")
    assert study.store.summaries()[("P2", "2.2")].text == "ring\x07ing\x0b bell"


def test_a_summary_longer_than_a_row_continues_on_rows_below(study: fq.Study) -> None:
    text = " ".join(f"Point {i} about the rota." for i in range(1_600))  # ~37k characters
    study.set_summary("P2", "2.2", text)
    ws = load_workbook(study.export_excel())["2 Pressures"]
    rows = [r for r in ws.iter_rows(min_row=2) if str(r[0].value).startswith("P2")]
    assert rows[0][0].value == "P2" and rows[1][0].value == "P2 (continued)"
    parts = [str(r[4].value) for r in rows]
    assert all(excel_length(p) <= EXCEL_MAX for p in parts)
    assert parts[0].endswith(CONTINUED) and parts[-1].startswith(CONTINUES)
    joined = "".join(p.removeprefix(CONTINUES).removesuffix(CONTINUED) for p in parts)
    assert joined == text
    for r in rows:
        assert ws.row_dimensions[r[0].row].height <= MAX_ROW_HEIGHT
    after = [r[0].value for r in ws.iter_rows(min_row=2)
             if not str(r[0].value).startswith("P2")]
    assert after == ["P1", "P3", "P10"]  # the next case follows its continuation rows


def test_an_overlong_passage_continues_on_further_evidence_rows(study: fq.Study) -> None:
    long_turn = " ".join(f"Sentence {i} about the rota." for i in range(2_000))  # ~56k chars
    (study.root / "transcripts" / "P4.txt").write_text(
        f"Interviewer: Tell me.\n\nSam: {long_turn}\n", encoding="utf-8")
    with open(study.root / "cases.csv", "a", encoding="utf-8") as f:
        f.write("P4,Nurses,Urban\n")
    study.run()
    study.code(["P4:2"], ["2.2"])
    wb = load_workbook(study.export_excel())
    ev = wb["Evidence"]
    parts = [r for r in ev.iter_rows(min_row=2) if r[3].value == "P4:2"]
    n = len(parts)
    assert n > 2 and [r[11].value for r in parts] == [f"{i}/{n}" for i in range(1, n + 1)]
    stored = study.store.evidence(["2.2"], "P4")[0].text
    assert long_turn in stored
    assert "".join(str(r[8].value) for r in parts) == stored
    for r in parts:  # every part within a cell's limit and a row's height
        assert excel_length(str(r[8].value)) <= EXCEL_MAX
        assert ev.row_dimensions[r[0].row].height <= MAX_ROW_HEIGHT
    ws = wb["2 Pressures"]
    p4 = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "P4")
    first, last = parts[0][0].row, parts[-1][0].row
    assert p4[5].value == 1
    assert p4[5].hyperlink.location == f"'Evidence'!A{first}:M{last}"
    assert "Evidence rows" in p4[4].comment.text  # too long for the note: where it is


def test_codebook_cases_and_coverage_sheets(study: fq.Study) -> None:
    wb = load_workbook(study.export_excel())
    cb = wb["Codebook"]
    assert [c.value for c in cb[2]][:5] == ["1", "Communication", "1.1", "Handover notes",
                                            "Written notes passed between shifts."]
    cases = wb["Cases"]
    assert [[c.value for c in r] for r in cases.iter_rows()] == [
        ["Case", "Group", "area"], ["P1", "Managers", "Rural"], ["P2", "Managers", "Urban"],
        ["P3", "Nurses", "Urban"], ["P10", "Nurses", "Rural"]]
    cov = wb["Coverage"]
    assert [c.value for c in cov[1]][:3] == ["Case", "Group", "1.1 Handover notes"]
    assert [c.value for c in cov[2]] == ["P1", "Managers", 1, 0, 1, 0, 2]
    assert [c.value for c in cov[6]][:6] == ["Cases with evidence", None, 2, 2, 3, 1]
    rules = {str(rng.sqref): [r.type for r in cov.conditional_formatting[rng]]
             for rng in cov.conditional_formatting}
    assert rules == {"C2:F5": ["colorScale"]}


def test_the_same_study_exports_the_same_workbook(study: fq.Study, tmp_path: Path) -> None:
    study.set_summary("P1", "2.1", "Two short [P1:4]")
    first = dump(study.export_excel(tmp_path / "a.xlsx"))
    second = dump(study.export_excel(tmp_path / "b.xlsx"))
    assert first == second


def test_cli_exports_one_theme_for_one_group(study: fq.Study, tmp_path: Path) -> None:
    target = tmp_path / "nurses.xlsx"
    result = runner.invoke(app, ["export", "excel", "-o", str(target), "--theme", "2",
                                 "--group", "Nurses", "--attribute", "area",
                                 "--study", str(study.root)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(target)
    assert wb.sheetnames[1] == "2 Pressures" and "1 Communication" not in wb.sheetnames
    ws = wb["2 Pressures"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == ["P3", "P10"]
    assert ws.max_row == 3
    assert {r[7].value for r in wb["Evidence"].iter_rows(min_row=2)} == {"2.1"}
    assert [c.value for c in wb["Codebook"]["C"]][1:] == ["2.1", "2.2"]


def test_unknown_attribute_is_one_clear_error(study: fq.Study) -> None:
    result = runner.invoke(app, ["export", "excel", "--attribute", "shoe size",
                                 "--study", str(study.root)])
    assert result.exit_code == 1
    assert "no case attribute shoe size" in result.output
    assert "area" in result.output


def test_a_workbook_that_cannot_be_written_leaves_the_old_one(study: fq.Study,
                                                              tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    study.export_excel(target)
    before = target.read_bytes()
    with pytest.raises(fq.FqdaError, match="cannot write the workbook"):
        study.export_excel(tmp_path / "out.xlsx" / "inside-a-file.xlsx")
    assert target.read_bytes() == before


def test_sheet_titles_are_legal_and_unique() -> None:
    taken = {"evidence"}
    assert sheet_title("Evidence", taken) == "Evidence (2)"
    assert sheet_title("3 What: [costs]/benefits?*", taken) == "3 What costs benefits"
    long = sheet_title("4 Frontline practice and outcomes for residents", taken)
    assert long == "4 Frontline practice and…"
    again = sheet_title("4 Frontline practice and outcomes for residents", taken)
    assert again != long and len(again) <= 31
    assert sheet_title("'quoted'", taken) == "quoted"


def test_fit_counts_like_excel_and_pieces_lose_nothing() -> None:
    emoji = "🙂" * 20_000  # 40,000 UTF-16 units
    cut, was_cut = fit(emoji)
    assert was_cut and excel_length(cut) <= EXCEL_MAX and cut.endswith(TRUNCATION_MARK)
    text = "ab\x00c " * 20_000
    parts = pieces(text)
    assert len(parts) == 3 and all(excel_length(p) <= EXCEL_MAX for p in parts)
    assert "".join(parts) == text.replace("\x00", "")
    assert parts[0].endswith(" ")  # broken between words


def test_exported_workbook_is_the_same_every_time(study: fq.Study, tmp_path: Path) -> None:
    import io
    import zipfile

    def parts(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    study.set_summary("P3", "2.1", "Short-staffed [P3:4] & <more> “curly” 🙂")
    study.code(["P3:2"], ["2.1"], memo="=not a formula")  # stale, with a formula-like memo
    assert parts(study.export_excel(tmp_path / "a.xlsx")) == \
        parts(study.export_excel(tmp_path / "b.xlsx"))


def test_notes_links_and_page_headers_are_safe_too(study: fq.Study, tmp_path: Path) -> None:
    """What is not a cell's value is participants' or researchers' text as well: the
    notes, the links' tooltips and the page headers get the same care."""
    import zipfile

    book = study.root / "codebooks" / "framework.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace(
        "title: Ward handovers", "title: \"=Ward & handovers\\a\""), encoding="utf-8")
    study.run()
    study.code(["P1:4"], ["2.1"], memo="@memo")
    study.set_summary("P1", "2.1", "+bell\x07 [P1:4]")
    path = study.export_excel(tmp_path / "f.xlsx")
    wb = load_workbook(path)
    ws = wb["2 Pressures"]
    assert ws["C2"].value == "+bell [P1:4]" and ws["C2"].quotePrefix
    assert "\x07" not in ws["C2"].comment.text
    header = ws.oddHeader.left.text
    assert header == "=Ward && handovers"  # & doubled: a header's control character
    assert wb["Contents"]["A1"].value == "=Ward & handovers" and wb["Contents"]["A1"].quotePrefix
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_two_coders_add_agreement_and_disagreement_sheets(study: fq.Study) -> None:
    # The fixture study has two coders: hb (P1, P2) and jk (P3, P10).
    study.code(["P1:4"], ["2.1"], coder="jk")  # jk agrees with hb here ...
    study.code(["P2:4"], ["2.1"], coder="jk")  # ... and codes what hb did not
    wb = load_workbook(study.export_excel())
    assert wb.sheetnames[-3:] == ["Agreement", "Disagreements", "Key"]
    found = study.agreement()
    ag = wb["Agreement"]
    assert ag["A1"].value.startswith("Agreement between hb, jk")
    assert [c.value for c in ag[3]][:4] == ["Sub-topic", "Items", "coded by hb", "coded by jk"]
    rows: dict[str, list[object]] = {}
    for r in ag.iter_rows(min_row=4):  # the units' figures come first, then the cells'
        if r[0].value and r[0].value not in rows:
            rows[r[0].value] = [c.value for c in r]
    tally = next(t for t in found.subtopics if t.subtopic == "2.1")
    assert rows["2.1"][1:4] == [tally.items, *tally.coded]
    assert rows["2.1"][4] == round(tally.percent.value or 0, 3)
    dis = [[c.value for c in r] for r in wb["Disagreements"].iter_rows(min_row=2)]
    assert ["P2:4", "P2", "2.1", "jk", "hb"] in [r[:5] for r in dis]
    assert not [r for r in dis if r[:3] == ["P1:4", "P1", "2.1"]]  # they agree there
    assert len(dis) == len([d for d in study.disagreements().rows])
    contents = [r[1].value for r in wb["Contents"].iter_rows() if r[1].hyperlink]
    assert "Agreement" in contents and "Disagreements" in contents


def test_one_coder_gets_no_agreement_sheets(study_dir: Path) -> None:
    codings = study_dir / "codings.csv"
    codings.write_text("".join(line for line in codings.read_text(encoding="utf-8")
                               .splitlines(keepends=True) if ",jk," not in line),
                       encoding="utf-8")
    with fq.open_study(study_dir) as s:
        s.run()
        names = load_workbook(s.export_excel()).sheetnames
    assert "Agreement" not in names and "Disagreements" not in names
