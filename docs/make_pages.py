"""Make the pictures of printed outputs shown in the docs (``docs/pages/*.png``).

The bundled example study is copied to a temporary folder and run; each output
in :data:`PAGES` is exported from it, printed to PDF by LibreOffice
(``soffice --headless --convert-to pdf``) and one of its pages drawn as a PNG
by ``pdftoppm``.  Run from the repository root::

    python docs/make_pages.py            # every page
    python docs/make_pages.py workbook   # only those named

To show another output, add one :class:`Page` to :data:`PAGES`.  The tests
use the same functions (``tests/test_printing.py``), so what is pictured is
what is tested.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import framework_qda as fq  # noqa: E402 - after the repository is on the path

OUT = REPO / "docs" / "pages"


@dataclass(frozen=True)
class Page:
    """One output pictured in the docs."""

    name: str
    """The PNG's name in ``docs/pages`` (without ``.png``)."""
    export: Callable[[fq.Study, Path], Path]
    """Writes the output into the folder given; returns its path."""
    shows: str
    """Words on the page to picture (the first page holding them)."""


PAGES: list[Page] = [
    Page("workbook", lambda s, folder: s.export_excel(folder / "framework.xlsx"),
         "framework matrix"),
    Page("charting", lambda s, folder: s.export_charting(folder / "charting.xlsx"),
         "1 Relationships and trust"),
]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def example_study(root: Path) -> fq.Study:
    """A copy of the bundled example study at ``root``, run: transcripts, codings
    and summaries in."""
    root.mkdir(parents=True)
    for name in ("fqda.yaml", "cases.csv", "codings.csv", "summaries.csv"):
        shutil.copy(REPO / name, root / name)
    for folder in ("codebooks", "transcripts"):
        shutil.copytree(REPO / folder, root / folder)
    study = fq.open_study(root)
    study.run()
    return study


def to_pdf(source: Path, out: Path) -> Path:
    """``source`` printed to PDF by LibreOffice, into ``out``; returns the PDF."""
    office = soffice()
    if office is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    profile = out / "profile"
    subprocess.run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    return out / (source.stem + ".pdf")


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of a PDF."""
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(pdf).pages]


def draw(pdf: Path, number: int, target: Path, dpi: int = 80) -> Path:
    """Page ``number`` (from 1) of ``pdf`` as the PNG ``target``."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(number), "-l", str(number),
                    "-singlefile", str(pdf), str(stem)], check=True, capture_output=True,
                   timeout=120)
    return target


def make(names: list[str]) -> list[Path]:
    made: list[Path] = []
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        study = example_study(folder / "example")
        try:
            for page in PAGES:
                if names and page.name not in names:
                    continue
                pdf = to_pdf(page.export(study, folder), folder)
                texts = page_texts(pdf)
                number = next((i for i, t in enumerate(texts, 1) if page.shows in t), 1)
                made.append(draw(pdf, number, OUT / f"{page.name}.png"))
        finally:
            study.close()
    return made


if __name__ == "__main__":
    for path in make(sys.argv[1:]):
        print(path.relative_to(REPO))
