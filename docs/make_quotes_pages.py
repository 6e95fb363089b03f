"""Draw the pictures docs/ shows of the quote bank and the HTML matrices.

Runs the project's own commands on a copy of the bundled example study in a
temporary folder -- ``fqda run``, ``fqda export quotes X.docx``, ``fqda export
html X.html`` -- then prints one page of the quote bank with LibreOffice and
draws it with pdftoppm (poppler-utils), and photographs the HTML page in
headless Chromium with one cell opened.  Writes docs/pages/quotes.png and
docs/pages/html.png.

    python docs/make_quotes_pages.py            # page 2 of the quote bank
    python docs/make_quotes_pages.py --page 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "pages"
STUDY_FILES = ("fqda.yaml", "cases.csv", "codings.csv", "summaries.csv")
STUDY_FOLDERS = ("codebooks", "transcripts")
OPENED_CELL = "cell=2:P7:2.3"


def need(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    sys.exit(f"error: {names[0]} is not installed (see .ci/run for the packages)")


def fqda(study: Path, *args: str) -> None:
    # the example's own coder, not whoever runs this, is named in the pictures
    env = {**os.environ, "FQDA_CODER": "hb"}
    subprocess.run([sys.executable, str(REPO / "cli.py"), *args, "--study", str(study)],
                   check=True, cwd=study, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", type=int, default=2, help="quote bank page to draw")
    args = parser.parse_args()
    soffice = need("soffice", "libreoffice")
    pdftoppm = need("pdftoppm")
    browser = need("chromium", "chromium-browser", "google-chrome")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        study = work / "example"
        study.mkdir()
        for name in STUDY_FILES:
            shutil.copy(REPO / name, study / name)
        for folder in STUDY_FOLDERS:
            shutil.copytree(REPO / folder, study / folder)
        fqda(study, "run")
        # the cell the picture opens, charted, so it shows a summary beside its evidence
        fqda(study, "chart", "P7", "2.3", "--text",
             "Funding is a patchwork of little grants [P7:12]; small groups are outside "
             "the pooled fund [P7:14]")
        fqda(study, "export", "quotes", str(work / "quotes.docx"))
        fqda(study, "export", "html", str(work / "matrices.html"))
        subprocess.run([soffice, f"-env:UserInstallation={(work / 'office').as_uri()}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(work),
                        str(work / "quotes.docx")], check=True, capture_output=True,
                       timeout=240)
        subprocess.run([pdftoppm, "-png", "-r", "70", "-f", str(args.page), "-l",
                        str(args.page), "-singlefile", str(work / "quotes.pdf"),
                        str(OUT / "quotes")], check=True, timeout=120)
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-extensions",
                        f"--user-data-dir={work / 'browser'}", "--hide-scrollbars",
                        "--window-size=1280,800", "--virtual-time-budget=5000",
                        f"--screenshot={OUT / 'html.png'}",
                        f"{(work / 'matrices.html').as_uri()}#{OPENED_CELL}"],
                       check=True, capture_output=True, timeout=120)
    for name in ("quotes.png", "html.png"):
        print(f"written {(OUT / name).relative_to(REPO)}")


if __name__ == "__main__":
    main()
