"""The example study's Word quote bank, printed to PDF by LibreOffice as a reader
would print it: paper from the settings, numbered pages, no attribution alone at
the top of a page, and a page count well below the old layout's.

Skipped, saying so, where ``soffice`` is not installed; under ``CI=true`` (where
``.ci/run`` installs it) its absence is a failure, not a skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

import framework_qda as fq
from tests.conftest import copy_example

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.needs("libreoffice")

# The example study's bank printed 55 pages of US Letter before passages were
# merged and the paper came from the settings; it prints 52 A4 pages now.
MOST_PAGES = 54
A4 = (595, 842)
LETTER = (612, 792)


def to_pdf(source: Path, out: Path) -> PdfReader:
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=240,
    )
    return PdfReader(out / f"{source.stem}.pdf")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("printed") / "example"
    copy_example(root)
    with fq.open_study(root) as s:
        s.run()
    return root


def size(page: object) -> tuple[int, int]:
    box = page.mediabox  # type: ignore[attr-defined]
    return round(float(box.width)), round(float(box.height))


def test_the_example_quote_bank_prints_on_a4_with_numbered_pages(example: Path,
                                                                 tmp_path: Path) -> None:
    with fq.open_study(example) as s:
        path = s.export_quotes(tmp_path / "quotes.docx")
    pdf = to_pdf(path, tmp_path)
    pages = [p.extract_text() for p in pdf.pages]
    assert len(pages) <= MOST_PAGES, f"{len(pages)} pages"
    assert {size(p) for p in pdf.pages} == {A4}
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Page 1 of" in pages[0] and "Contents" in pages[0]
    assert "2.3 Pooled budgets and funding" in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        first = next(line for line in text.splitlines() if line.strip())
        assert not first.strip().startswith("—"), f"page {number} starts with an " \
                                                  f"attribution: {first!r}"


def test_letter_paper_when_the_settings_say_so(example: Path, tmp_path: Path) -> None:
    study = tmp_path / "letter"
    shutil.copytree(example, study)
    (study / "fqda.yaml").write_text("order_by: [area]\npaper: letter\n", encoding="utf-8")
    with fq.open_study(study) as s:
        path = s.export_quotes(tmp_path / "letter.docx", themes=["2"])
    pdf = to_pdf(path, tmp_path)
    assert {size(p) for p in pdf.pages} == {LETTER}
