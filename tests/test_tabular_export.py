"""Tidy CSV tables as an R or pandas user reads them."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app

runner = CliRunner()


def read(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def test_long_table_has_one_row_per_cell_in_row_then_codebook_order(study: fq.Study,
                                                                    tmp_path: Path) -> None:
    study.set_summary("P1", "2.1", "Two short [P1:4]", author="hb")
    paths = study.export_csv(tmp_path / "out")
    assert [p.name for p in paths] == ["cells.csv", "evidence.csv", "theme-1.csv",
                                       "theme-2.csv"]
    rows = read(tmp_path / "out" / "cells.csv")
    assert list(rows[0]) == ["case", "group", "theme", "theme_label", "subtopic",
                             "subtopic_label", "state", "summary", "summary_by",
                             "evidence_refs", "evidence_count", "evidence"]
    assert len(rows) == 4 * 4  # four cases × four sub-topics, empty cells included
    assert [(r["case"], r["subtopic"]) for r in rows[:5]] == [
        ("P1", "1.1"), ("P1", "1.2"), ("P1", "2.1"), ("P1", "2.2"), ("P2", "1.1")]
    p1 = rows[2]
    assert (p1["state"], p1["summary"], p1["evidence_refs"], p1["evidence_count"]) == (
        "summarised", "Two short [P1:4]", "P1:4", "1")
    assert p1["evidence"] == "Hardly. We are two nurses short most nights. [P1:4]"
    assert p1["summary_by"].startswith("written by hb, 20")
    assert rows[3]["state"] == "empty" and rows[3]["evidence_count"] == "0"


def test_evidence_and_wide_tables(study: fq.Study, tmp_path: Path) -> None:
    study.export_csv(tmp_path, attributes=["area"])
    ev = read(tmp_path / "evidence.csv")
    assert ev[1]["segment"] == "P1:4" and ev[1]["subtopic"] == "2.1"
    assert ev[1]["text"] == "Hardly. We are two nurses short most nights."
    assert ev[3]["memo"] == "prefers talk"
    wide = read(tmp_path / "theme-2.csv")
    assert list(wide[0]) == ["case", "group", "area", "2.1 Staffing", "2.1 state", "2.2 Time",
                             "2.2 state"]
    assert [r["case"] for r in wide] == ["P1", "P2", "P3", "P10"]
    assert wide[3]["2.1 Staffing"] == "“Too few of us. Staffing is the whole story.” [P10:4]"
    assert wide[3]["2.1 state"] == "coded"


def test_text_that_looks_like_a_formula_is_kept_from_running(study: fq.Study,
                                                             tmp_path: Path) -> None:
    from framework_qda.tabular import read_table

    study.set_summary("P2", "2.2", '=1+1, "quoted",\nand a second line')
    study.export_csv(tmp_path)
    row = next(r for r in read(tmp_path / "cells.csv")
               if (r["case"], r["subtopic"]) == ("P2", "2.2"))
    assert row["summary"] == '\'=1+1, "quoted",\nand a second line'
    back = next(r for _, r in read_table(tmp_path / "cells.csv").rows
                if (r["case"], r["subtopic"]) == ("P2", "2.2"))
    assert back["summary"] == '=1+1, "quoted",\nand a second line'


def test_cli_bom_and_filters(study: fq.Study, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "csv", "-o", str(tmp_path), "--bom", "--theme", "2",
                                 "--group", "Nurses", "--study", str(study.root)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cells.csv").read_bytes().startswith(b"\xef\xbb\xbfcase,group,")
    rows = read(tmp_path / "cells.csv", encoding="utf-8-sig")
    assert {r["case"] for r in rows} == {"P3", "P10"}
    assert {r["subtopic"] for r in rows} == {"2.1", "2.2"}
    assert not (tmp_path / "theme-1.csv").exists()
    assert "theme-2.csv" in result.output


def test_a_folder_that_cannot_be_written_is_one_clear_error(study: fq.Study,
                                                            tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["export", "csv", "-o", str(blocker), "--study",
                                 str(study.root)])
    assert result.exit_code == 1
    assert "cannot write the table" in result.output
    assert blocker.read_text(encoding="utf-8") == "not a folder"
