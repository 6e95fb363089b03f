"""The HTML matrices in a real browser: headless Chromium loads the page, the
address's fragment clicks a cell (``#cell=THEME:CASE:SUBTOPIC``), filters or
searches, and the DOM it then dumps is what a reader would see.

Skipped, saying so, where Chromium is not installed; under ``CI=true`` (where
``.ci/run`` installs Debian's ``chromium``) its absence is a failure.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import framework_qda as fq
from tests.test_html_export import Page, parse

BROWSER = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser",
                                                       "google-chrome")) if p), None)
pytestmark = pytest.mark.needs("browser")


def browse(page: Path, fragment: str, profile: Path, *extra: str) -> str:
    """Chromium's DOM (or nothing, for a screenshot) after loading ``page#fragment``."""
    result = subprocess.run(
        [str(BROWSER), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}",
         "--virtual-time-budget=5000", *(extra or ("--dump-dom",)),
         f"{page.as_uri()}#{fragment}"],
        capture_output=True, timeout=120, check=True)
    return result.stdout.decode("utf-8")


def panel_of(dom: Page) -> dict[str, str]:
    """The panel's attributes."""
    (attrs,) = [a for t, a in dom.tags if t == "aside" and a.get("id") == "panel"]
    return attrs


def panel_text(dom: str) -> str:
    start = dom.index('<aside id="panel"')
    end = dom.index("</aside>", start)
    return " ".join(parse(dom[start:end + len("</aside>")]).text)


@pytest.fixture
def page(study: fq.Study, tmp_path: Path) -> Path:
    study.set_summary("P1", "2.1", "Short of nurses most nights [P1:4]", author="ann")
    study.set_summary("P3", "2.1", "Evil </script><script>document.title='pwned'</script>"
                      "<img src=x onerror=\"document.title='pwned'\"> [P3:4]", author="ann")
    return study.export_html(tmp_path / "matrices.html")


def test_a_click_on_a_cell_opens_its_summary_and_evidence(page: Path, tmp_path: Path) -> None:
    dom = browse(page, "cell=2:P1:2.1", tmp_path / "profile")
    parsed = parse(dom)
    (body,) = parsed.all("body")
    assert body.get("data-ready") == "yes"  # the script ran to its end
    assert "hidden" not in panel_of(parsed)
    text = panel_text(dom)
    assert "P1 × 2.1 Staffing" in text
    assert "Short of nurses most nights [P1:4]" in text
    assert "Hardly. We are two nurses short most nights." in text
    assert "[P1:4]" in text and "P1.txt line 8" in text
    (opened,) = parsed.all("td", class_="open")
    assert opened["data-code"] == "2.1" and opened["data-theme"] == "2"


def test_participant_markup_stays_text_in_the_browser(page: Path, tmp_path: Path) -> None:
    dom = browse(page, "cell=2:P3:2.1", tmp_path / "profile")
    parsed = parse(dom)
    assert "pwned" not in " ".join(t for t in parsed.text if "Evil" not in t)
    assert not parsed.all("img")  # the <img> was never made an element
    assert "Evil </script><script>document.title='pwned'</script>" in panel_text(dom)
    (body,) = parsed.all("body")
    assert body.get("data-ready") == "yes"


def test_the_group_filter_and_the_search_hide_rows(page: Path, tmp_path: Path) -> None:
    parsed = parse(browse(page, "group=Nurses", tmp_path / "profile"))
    rows = {a["data-case"]: "hidden" in a for a in parsed.all("tr") if "data-case" in a}
    assert rows == {"P1": True, "P2": True, "P3": False, "P10": False}
    parsed = parse(browse(page, "q=folder", tmp_path / "profile"))
    shown = [a["data-case"] for a in parsed.all("tr") if "data-case" in a
             and "hidden" not in a]
    assert shown == ["P1"]  # "it goes in the folder": P1's words, on theme 1 only
    (hit,) = parsed.all("td", class_="hit")
    assert hit["data-code"] == "1.1"
    assert "1 row(s) shown" in " ".join(parsed.text)


def test_a_screenshot_is_a_png_of_the_window(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    browse(page, "cell=2:P1:2.1", tmp_path / "profile", "--hide-scrollbars",
           "--window-size=1200,800", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 800)
