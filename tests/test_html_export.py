"""The matrices as one self-contained HTML page: what it holds, read as a parser reads
it (the browser test, test_html_browser.py, clicks through it)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cell_state import STATES
from framework_qda.cli import app
from framework_qda.export.html import html_document
from framework_qda.matrix import build_matrix
from framework_qda.model import Case, Cell, CellState, Evidence, Subtopic, Theme
from tests.test_pseudonyms import planted, review_everything  # noqa: F401  (fixture)

runner = CliRunner()
HOSTILE = 'He said </script><script>alert("x")</script> and <b>bold</b> & <!-- then'


class Page(HTMLParser):
    """The rows of each matrix and every element's attributes, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in: str = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in = tag
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def all(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(
            v in a.get(k.rstrip("_"), "").split() if k == "class_" else a.get(k) == v
            for k, v in wanted.items())]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def data_of(page: Page) -> dict[str, object]:
    (block,) = [s for s, (_, a) in zip(page.scripts, [(t, a) for t, a in page.tags
                                                      if t == "script"], strict=True)
                if a.get("id") == "fqda-data"]
    return json.loads(block)  # type: ignore[no-any-return]


def test_every_matrix_in_row_order_banded_by_group(study: fq.Study, tmp_path: Path) -> None:
    study.set_summary("P1", "2.1", "Short of nurses [P1:4]", author="ann")
    result = runner.invoke(app, ["export", "html", str(tmp_path / "m.html"),
                                 "--study", str(study.root)])
    assert result.exit_code == 0, result.output
    assert "matrices written to" in result.output
    text = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)  # no network
    page = parse(text)
    assert [a["id"] for a in page.all("section")] == ["theme-1", "theme-2"]
    rows = [a for a in page.all("tr") if "data-case" in a]
    assert [a["data-case"] for a in rows] == ["P1", "P2", "P3", "P10"] * 2
    bands = {a["data-case"]: a["class"].split() for a in rows}
    assert bands["P1"][0] == bands["P2"][0] != bands["P3"][0] == bands["P10"][0]
    assert "group-start" in bands["P3"] and "group-start" not in bands["P2"]
    cells = data_of(page)["cells"]
    assert isinstance(cells, list)
    staffing = [c for c in cells if c["case"] == "P1" and c["subtopic"] == "2.1 Staffing"]
    assert staffing[0]["summary"] == "Short of nurses [P1:4]"
    assert staffing[0]["evidence"] == [{"ref": "P1:4", "speaker": "Dana", "where":
                                        "P1.txt line 8", "text": "Hardly. We are two nurses "
                                        "short most nights."}]
    assert [o["value"] for o in page.all("option")] == ["", "Managers", "Nurses"]


def _cell(case_id: str, state: CellState) -> Cell:
    ev = (Evidence(f"{case_id}:2", f"{HOSTILE} {case_id}", "Ann", "participant", case_id,
                   "1.1"),) if state != "empty" else ()
    summary = {"empty": "", "coded": ""}.get(state, f"{HOSTILE} [{case_id}:2]")
    return Cell(case_id, "1.1", state, summary, ev)


def test_states_are_marked_in_words_and_participant_text_is_escaped() -> None:
    sub = Subtopic("1.1", "Notes <i>", "1")
    theme = Theme("1", "Talk", subtopics=(sub,))
    cases = [Case(f"C-{s}", "G") for s in STATES]
    cells = {(c.id, "1.1"): _cell(c.id, s) for c, s in zip(cases, STATES, strict=True)}
    text = html_document([build_matrix(theme, cases, cells)], "T & <u>")
    page = parse(text)
    # only our own two scripts: the participant's </script> ended nothing
    assert len(page.scripts) == 2 and text.count("</script>") == 2
    assert "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    records = {c["case"]: c for c in data_of(page)["cells"]}  # type: ignore[union-attr]
    assert records["C-stale"]["summary"] == f"{HOSTILE} [C-stale:2]"
    assert records["C-coded"]["evidence"][0]["text"] == f"{HOSTILE} C-coded"
    shown = {a["data-key"]: a["class"] for a in page.all("td", class_="cell")}
    assert sorted(v.split()[1] for v in shown.values()) == sorted(f"state-{s}" for s in STATES)
    words = " ".join(page.text)
    # visible without colour: the markers are words in the cells
    assert words.count("(draft)") >= 2 and words.count("(stale)") >= 2
    assert "n/a" in words and "no summary" in words
    assert "Framework matrices: T & <u>" in words


def test_pseudonymised_html_has_no_leak_and_the_check_reads_html(
        planted: fq.Study, tmp_path: Path) -> None:  # noqa: F811
    planted.scan_names()
    review_everything(planted)
    planted.set_summary("P5", "2.1", "Works shifts [P5:4]", author="ann")
    shared = planted.export_html(tmp_path / "share.html", pseudonymise=True)
    assert planted.check_outputs([shared]) == []
    text = shared.read_text(encoding="utf-8")
    assert "[ward sister]" in text and "Margaret" not in text
    plain = planted.export_html(tmp_path / "plain.html")
    found = {leak.name for leak in planted.check_outputs([plain])}
    assert {"Margaret", "Sarah", "Grimsby"} <= found
    result = runner.invoke(app, ["pseudonymise", "check", str(plain), "--study",
                                 str(planted.root)])
    assert result.exit_code == 1 and "Margaret" in result.output


def test_the_leak_check_decodes_script_strings(planted: fq.Study,  # noqa: F811
                                               tmp_path: Path) -> None:
    planted.decide_name("Smith & Sons", True, "[employer]")
    page = tmp_path / "p.html"
    page.write_text('<p>nothing here</p><script type="application/json">'
                    '{"t":"works at Smith \\u0026 Sons"}</script>', encoding="utf-8")
    leaks = planted.check_outputs([page])
    assert [(leak.name, leak.where) for leak in leaks] == [("Smith & Sons", "p.html (script)")]
    split = tmp_path / "split.html"
    split.write_text("<p>Marg<mark>aret</mark> said</p>", encoding="utf-8")
    planted.decide_name("Margaret", True, "[ward sister]")
    assert [leak.name for leak in planted.check_outputs([split])] == ["Margaret"]


def test_a_theme_or_group_can_be_chosen_and_a_bad_one_is_one_line(study: fq.Study,
                                                                  tmp_path: Path) -> None:
    path = study.export_html(tmp_path / "t.html", themes=["2"], groups=["Nurses"])
    page = parse(path.read_text(encoding="utf-8"))
    assert [a["id"] for a in page.all("section")] == ["theme-2"]
    assert [a["data-case"] for a in page.all("tr") if "data-case" in a] == ["P3", "P10"]
    result = runner.invoke(app, ["export", "html", str(tmp_path / "x.html"), "--theme", "9",
                                 "--study", str(study.root)])
    assert result.exit_code == 1 and "no theme 9" in result.output
    assert not (tmp_path / "x.html").exists()


def test_the_default_place_is_matrices(study: fq.Study) -> None:
    path = study.export_html()
    assert path == study.root / "matrices" / "framework.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
