"""The workbooks as a reader receives them on paper: the example study's framework
workbook and charting workbook printed to PDF by LibreOffice.

Skipped, saying so, where ``soffice`` or ``pdftoppm`` is not installed; under
``CI=true`` (where ``.ci/run`` installs them) their absence is a failure.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook

from framework_qda.export.cells import MAX_ROW_HEIGHT
from tests.conftest import REPO

pytestmark = [pytest.mark.needs("libreoffice"), pytest.mark.needs("pdftoppm")]

A4_LANDSCAPE = (842, 595)  # points, rounded


def pages_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_pages", REPO / "docs" / "make_pages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_pages"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """Each workbook of the example study with the text of each of its printed pages."""
    pages = pages_module()
    folder = tmp_path_factory.mktemp("printed")
    study = pages.example_study(folder / "example")
    out: dict[str, tuple[Path, list[str]]] = {}
    try:
        for page in pages.PAGES:
            book = page.export(study, folder)
            out[page.name] = (book, pages.page_texts(pages.to_pdf(book, folder)))
        themes = [t.heading for t in study.codebook.themes]
        out["themes"] = (folder, themes)
    finally:
        study.close()
    return out


def per_sheet(texts: list[str]) -> Counter[str]:
    """Printed pages per sheet: each page's header names its sheet (first line)."""
    return Counter(t.splitlines()[0] if t else "" for t in texts)


def test_the_framework_workbook_prints_each_theme_on_a_page_or_two(
        printed: dict[str, tuple[Path, list[str]]]) -> None:
    _, texts = printed["workbook"]
    _, themes = printed["themes"]
    sheets = per_sheet(texts)
    theme_pages = sum(n for line, n in sheets.items() if "framework matrix" in line)
    # Measured on the example study (4 themes, 14 cases): 4 pages, where the
    # workbook that quoted every passage in its cells needed 12.
    assert len(themes) <= theme_pages <= 2 * len(themes), sheets
    assert sum(n for line, n in sheets.items() if "Contents" in line) <= 2
    # 53 measured: the Evidence appendix 23, the two coders' Disagreements 14,
    # References 5, Contents 2, each other sheet 1.
    assert len(texts) <= 60, sheets
    assert sum(n for line, n in sheets.items() if "Agreement" in line) == 1
    assert f"Page 1 of {len(texts)}" in texts[0]
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    first_theme = next(t for t in texts if "framework matrix" in t)
    for case in ("P1", "P5", "P14"):  # every case's row is on the page, by its id
        assert f"\n{case}\n" in first_theme or f"\n{case} " in first_theme, case


def test_the_charting_workbook_prints_two_subtopics_to_a_page(
        printed: dict[str, tuple[Path, list[str]]]) -> None:
    _, texts = printed["charting"]
    _, themes = printed["themes"]
    sheets = per_sheet(texts)
    assert sum(n for line, n in sheets.items() if "About" in line) == 1
    # 21 measured: each theme two pages across (two sub-topics each), three or so down.
    assert len(themes) * 2 <= len(texts) <= 40, sheets
    assert all("Page " in t for t in texts)


def test_no_row_of_either_workbook_is_taller_than_excel_allows(
        printed: dict[str, tuple[Path, list[str]]]) -> None:
    for name in ("workbook", "charting"):
        book, _ = printed[name]
        wb = load_workbook(book)
        for ws in wb.worksheets:
            heights = [d.height for d in ws.row_dimensions.values() if d.height]
            assert all(h <= MAX_ROW_HEIGHT for h in heights), (name, ws.title)
            if ws.title not in ("_fqda_base",):
                assert ws.page_setup.orientation == "landscape", (name, ws.title)


def test_pages_are_a4_landscape_by_default(
        printed: dict[str, tuple[Path, list[str]]], tmp_path: Path) -> None:
    from pypdf import PdfReader

    pages = pages_module()
    book, _ = printed["workbook"]
    pdf = pages.to_pdf(book, tmp_path)
    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_LANDSCAPE


def test_the_docs_pictures_are_made_by_the_project_script(tmp_path: Path) -> None:
    pages = pages_module()
    names = [p.name for p in pages.PAGES]
    assert {"workbook", "charting"} <= set(names)
    for name in ("workbook", "charting"):
        assert (REPO / "docs" / "pages" / f"{name}.png").is_file(), name
    pdf_source = tmp_path / "one"
    study = pages.example_study(pdf_source)
    try:
        pdf = pages.to_pdf(study.export_excel(tmp_path / "f.xlsx"), tmp_path)
    finally:
        study.close()
    png = pages.draw(pdf, 3, tmp_path / "page.png")
    assert png.read_bytes().startswith(b"\x89PNG")
