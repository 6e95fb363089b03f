"""The exports opened by a real office suite (LibreOffice, headless).

Skipped, saying so, where ``soffice`` is not installed; under ``CI=true`` (where
``.ci/run`` installs it) its absence is a failure, not a skip.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

import framework_qda as fq

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.needs("libreoffice")

# LibreOffice's CSV filter: comma, double quote, UTF-8, ..., and -1 = every sheet,
# each to its own file named <stem>-<sheet>.csv.
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def convert(source: Path, target: str, out: Path) -> None:
    profile = out / "profile"
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", target, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )


def sheet(out: Path, stem: str, name: str) -> list[list[str]]:
    with open(out / f"{stem}-{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_workbook_opens_in_libreoffice_with_text_kept_as_text(study: fq.Study,
                                                              tmp_path: Path) -> None:
    study.set_summary("P2", "2.2", "=1+1")
    study.set_summary("P1", "2.1", "@SUM(A1:A3) -2 said [P1:4]")
    path = study.export_excel(tmp_path / "framework.xlsx")
    convert(path, ALL_SHEETS_CSV, tmp_path)
    matrix = sheet(tmp_path, "framework", "2 Pressures")
    assert matrix[0][:6] == ["Case", "Group", "2.1 Staffing", "n", "2.2 Time", "n"]
    assert [r[0] for r in matrix[1:]] == ["P1", "P2", "P3", "P10"]
    assert matrix[2][4] == "=1+1"  # not computed to 2
    assert matrix[1][2] == "@SUM(A1:A3) -2 said [P1:4]"
    assert matrix[4][2:4] == ["", "1"]  # coded, not summarised: the count, no text
    evidence = sheet(tmp_path, "framework", "Evidence")
    assert evidence[2][:4] == ["P1", "Managers", "P1.txt", "P1:4"]
    assert evidence[2][8] == "Hardly. We are two nurses short most nights."
    coverage = sheet(tmp_path, "framework", "Coverage")
    assert coverage[1][:4] == ["P1", "Managers", "1", "0"]
    convert(path, "pdf", tmp_path)
    assert (tmp_path / "framework.pdf").read_bytes().startswith(b"%PDF")


def test_quote_bank_opens_in_a_word_processor(study: fq.Study, tmp_path: Path) -> None:
    path = study.export_quotes(tmp_path / "quotes.docx")
    convert(path, "txt:Text (encoded):UTF8", tmp_path)
    text = (tmp_path / "quotes.txt").read_text(encoding="utf-8-sig")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[0] == "Quote bank: Ward handovers"
    assert lines.index("1 Communication") < lines.index("1.1 Handover notes") < \
        lines.index("2 Pressures")
    i = lines.index("2.1 Staffing")
    assert lines[i + 2:i + 5] == ["Managers", "Hardly. We are two nurses short most nights.",
                                  "— Managers, P1 [P1:4]"]
    convert(path, "pdf", tmp_path)
    assert (tmp_path / "quotes.pdf").read_bytes().startswith(b"%PDF")
