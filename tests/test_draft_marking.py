"""Machine drafts (and stale summaries) never pass for researchers' summaries:
every output format marks them, in the text and, where there are cells, in a
state column or field."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

import framework_qda as fq
from tests._cli import fqda as run_fqda

DRAFT = "(draft) “The notes are fine, but nobody reads them at three in the morning.” [P10:2]"
STALE = "(stale) Short-staffed [P3:4]"


def fqda(study: fq.Study, *args: str) -> str:
    code, out, err = run_fqda(*args, "--study", study.root, columns=250)
    assert code == 0, out + err
    return out


@pytest.fixture
def drafted(study: fq.Study) -> fq.Study:
    """P10 × 1.1 holds a machine draft; P3 × 2.1 a summary gone stale."""
    study.set_summary("P3", "2.1", "Short-staffed [P3:4]")
    study.code(["P3:2"], ["2.1"])  # new evidence under the summary
    assert study.draft_summaries(theme="1", case_id="P10") == [("P10", "1.1")]
    return study


def test_the_draft_reads_as_the_fixture_expects(drafted: fq.Study) -> None:
    cell = drafted.cells(["1.1"])[("P10", "1.1")]
    assert cell.state == "draft" and "(draft) " + cell.summary == DRAFT


@pytest.mark.parametrize("full", [[], ["--full"]])
def test_terminal_matrix_brief_and_full(drafted: fq.Study, full: list[str]) -> None:
    out = fqda(drafted, "matrix", "1", *full)
    assert "(draft)" in out
    out = fqda(drafted, "matrix", "2", *full)
    assert "(stale) Short-staffed" in out


def test_matrix_csv_json_and_markdown(drafted: fq.Study) -> None:
    rows = {r["case"]: r for r in csv.DictReader(fqda(drafted, "matrix", "1", "-f", "csv")
                                                 .splitlines(keepends=True))}
    assert rows["P10"]["1.1"].startswith(DRAFT) and rows["P10"]["1.1 state"] == "draft"
    assert rows["P1"]["1.1 state"] == "coded"
    data = {r["case"]: r for r in json.loads(fqda(drafted, "matrix", "2", "-f", "json"))}
    assert data["P3"]["2.1"].startswith(STALE) and data["P3"]["2.1 state"] == "stale"
    md = fqda(drafted, "matrix", "1", "-f", "markdown")
    line = next(x for x in md.splitlines() if x.startswith("| P10 "))
    assert f"| {DRAFT}" in line and "| draft |" in line


def test_export_csv_cells_and_theme_tables(drafted: fq.Study, tmp_path: Path) -> None:
    fqda(drafted, "export", "csv", "-o", str(tmp_path))
    with open(tmp_path / "cells.csv", encoding="utf-8", newline="") as f:
        cells = {(r["case"], r["subtopic"]): r for r in csv.DictReader(f)}
    assert (cells[("P10", "1.1")]["state"], cells[("P10", "1.1")]["summary"]) == \
        ("draft", DRAFT)
    assert (cells[("P3", "2.1")]["state"], cells[("P3", "2.1")]["summary"]) == ("stale", STALE)
    assert cells[("P1", "1.1")]["summary"] == ""
    with open(tmp_path / "theme-1.csv", encoding="utf-8", newline="") as f:
        wide = {r["case"]: r for r in csv.DictReader(f)}
    assert wide["P10"]["1.1 Handover notes"].startswith(DRAFT)
    assert wide["P10"]["1.1 state"] == "draft"
    with open(tmp_path / "theme-2.csv", encoding="utf-8", newline="") as f:
        wide = {r["case"]: r for r in csv.DictReader(f)}
    assert wide["P3"]["2.1 Staffing"].startswith(STALE) and wide["P3"]["2.1 state"] == "stale"


def test_framework_workbook_marks_and_styles_drafts(drafted: fq.Study, tmp_path: Path) -> None:
    fqda(drafted, "export", "excel", "-o", str(tmp_path / "f.xlsx"))
    wb = load_workbook(tmp_path / "f.xlsx")
    ws = wb["1 Communication"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "P10")
    draft = row[2]  # case, group, then 1.1
    assert str(draft.value).startswith(DRAFT)
    assert draft.font.i and draft.font.color.rgb.endswith("404040")
    stale = next(r for r in wb["2 Pressures"].iter_rows(min_row=2) if r[0].value == "P3")[2]
    assert str(stale.value).startswith(STALE) and stale.fill.fgColor.rgb.endswith("FFE699")
    key = {r[0].value: r[1].value for r in wb["Key"].iter_rows(min_row=3) if r[0].value}
    assert key["draft"].startswith("(draft) before the summary")
    assert key["stale"].startswith("(stale) before the summary")


def test_case_in_every_format(drafted: fq.Study) -> None:
    assert "(draft) “The notes are fine" in fqda(drafted, "case", "P10")
    md = fqda(drafted, "case", "P10", "-f", "markdown")
    assert f"### 1.1 Handover notes\n\n{DRAFT}" in md
    rows = {r["code"]: r for r in json.loads(fqda(drafted, "case", "P10", "-f", "json"))}
    assert (rows["1.1"]["state"], rows["1.1"]["summary"]) == ("draft", DRAFT)
    rows = {r["code"]: r for r in csv.DictReader(fqda(drafted, "case", "P3", "-f", "csv")
                                                 .splitlines(keepends=True))}
    assert (rows["2.1"]["state"], rows["2.1"]["summary"]) == ("stale", STALE)


def test_theme_in_every_format(drafted: fq.Study) -> None:
    assert "(draft) “The notes are fine" in fqda(drafted, "theme", "1")
    md = fqda(drafted, "theme", "1", "-f", "markdown")
    assert f"- **P10**: {DRAFT}" in md
    assert "- **P1** (coded): " in md
    rows = json.loads(fqda(drafted, "theme", "1", "--subtopic", "1.1", "-f", "json"))
    p10 = next(r for r in rows if r["case"] == "P10")
    assert (p10["state"], p10["summary"]) == ("draft", DRAFT)
    rows = list(csv.DictReader(fqda(drafted, "theme", "2", "-f", "csv")
                               .splitlines(keepends=True)))
    p3 = next(r for r in rows if r["case"] == "P3" and r["code"] == "2.1")
    assert (p3["state"], p3["summary"]) == ("stale", STALE)
