"""`fqda status`: where charting stands, and matrices that show each cell's state."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from tests._cli import fqda
from tests.conftest import REPO


@pytest.fixture
def charted(study: fq.Study) -> fq.Study:
    """P1 fully charted, a draft, a not-applicable mark and a stale summary."""
    study.set_summary("P1", "1.1", "On the sheet [P1:2]")
    study.set_summary("P1", "1.2", "not asked", not_applicable=True)
    study.set_summary("P1", "2.1", "Two short [P1:4]")
    study.set_summary("P1", "2.2", "", not_applicable=True)
    study.set_summary("P3", "2.1", "Short-staffed [P3:4]")
    study.code(["P3:2"], ["2.1"])  # new evidence under P3's summary: stale
    study.draft_summaries(theme="1", case_id="P10")
    return study


def test_status_counts_cells_by_state_per_theme_and_case(charted: fq.Study) -> None:
    report = charted.charting_status()
    themes = {t.code: counts for t, counts in report.themes}
    assert themes["1"] == {"empty": 3, "coded": 2, "draft": 1, "summarised": 1, "stale": 0,
                           "not-applicable": 1}
    assert themes["2"] == {"empty": 3, "coded": 2, "draft": 0, "summarised": 1, "stale": 1,
                           "not-applicable": 1}
    # Cases in row order (Managers, then Nurses); done = summarised or n/a.
    assert [(p.case.id, p.done, p.to_chart) for p in report.cases] == [
        ("P1", 4, 4), ("P2", 0, 2), ("P3", 0, 2), ("P10", 0, 2)]


def test_status_lists_gaps_and_stale_cells_with_what_changed(charted: fq.Study) -> None:
    report = charted.charting_status()
    assert [(c.case_id, c.subtopic, c.state) for c in report.gaps] == [
        ("P2", "1.2", "coded"), ("P2", "2.2", "coded"), ("P3", "1.2", "coded"),
        ("P10", "1.1", "draft"), ("P10", "2.1", "coded")]
    assert [(s.cell.case_id, s.cell.subtopic, s.change.describe()) for s in report.stale] == [
        ("P3", "2.1", "new evidence P3:2 “A proper conversation at the bedside.”")]


def test_status_on_the_command_line(charted: fq.Study) -> None:
    code, out, err = fqda("status", "--study", str(charted.root))
    assert code == 0, err
    for title in ("cells by state, per theme", "charting progress, per case",
                  "gaps: coded but not summarised", "stale: the evidence changed"):
        assert title in out
    assert "new evidence P3:2" in out
    code, out, _ = fqda("status", "--section", "gaps", "--format", "json", "--study",
                        str(charted.root))
    assert code == 0
    assert json.loads(out) == [
        {"case": "P2", "coded, no summary": "1.2 2.2", "draft only": ""},
        {"case": "P3", "coded, no summary": "1.2", "draft only": ""},
        {"case": "P10", "coded, no summary": "2.1", "draft only": "1.1"}]
    code, _, err = fqda("status", "--format", "csv", "--study", str(charted.root))
    assert code == 1 and "--section" in err


def test_the_terminal_matrix_shows_summary_or_evidence_and_the_state(charted: fq.Study
                                                                    ) -> None:
    code, out, err = fqda("matrix", "2", "--format", "json", "--study", str(charted.root))
    assert code == 0, err
    rows = {r["case"]: r for r in json.loads(out)}
    assert rows["P1"]["2.1"].startswith("Two short [P1:4]")
    assert rows["P1"]["2.2"].startswith("n/a")
    assert rows["P2"]["2.2"] == "“Time, mostly. The shift overruns and people just want to " \
        "go home.” [P2:4]"
    code, out, _ = fqda("matrix", "2", "--study", str(charted.root))
    assert "(stale) Short-staffed [P3:4]" in out
    code, out, _ = fqda("matrix", "1", "--study", str(charted.root))
    assert "(draft)" in out and "n/a" in out


def test_the_example_study_has_theme_1_summarised(tmp_path: Path) -> None:
    root = tmp_path / "example"
    root.mkdir()
    for name in ("cases.csv", "codings.csv", "summaries.csv", "fqda.yaml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("transcripts", "codebooks"):
        shutil.copytree(REPO / folder, root / folder)
    with fq.open_study(root) as s:
        s.run()
        report = s.charting_status()
        theme1 = dict(report.themes[0][1])
        cases = len(s.cases())
    assert theme1["summarised"] == 4 * cases
    assert sum(v for k, v in theme1.items() if k != "summarised") == 0


def test_status_counts_equal_those_of_the_full_cells(study: fq.Study, study_dir: Path) -> None:
    """status reads evidence only under summaries; its counts must not differ."""
    from framework_qda import charting

    study.set_summary("P1", "2.1", "Two nurses short most nights [P1:4]")
    study.set_summary("P2", "1.2", "Would rather talk than write [P2:2]")
    study.set_summary("P3", "1.1", "", not_applicable=True)
    study.uncode(["P2:2"], ["1.2"], coder="hb")  # P2 1.2 turns stale
    fast = study.charting_status()
    full = charting.charting_status(study.codebook, study.cases(), study.cells(),
                                    study.store.summaries())
    assert [(t.code, counts) for t, counts in fast.themes] == [
        (t.code, counts) for t, counts in full.themes]
    assert [(p.case.id, dict(p.counts)) for p in fast.cases] == [
        (p.case.id, dict(p.counts)) for p in full.cases]
    assert [(c.case_id, c.subtopic, c.state) for c in fast.gaps] == [
        (c.case_id, c.subtopic, c.state) for c in full.gaps]
    assert [(s.cell.case_id, s.cell.subtopic, s.change.describe()) for s in fast.stale] == [
        (s.cell.case_id, s.cell.subtopic, s.change.describe()) for s in full.stale]
    assert [(s.cell.case_id, s.cell.subtopic) for s in fast.stale] == [("P2", "1.2")]


def test_overview_sums_up_long_and_empty_sections(study: fq.Study,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from framework_qda import render

    monkeypatch.setattr(render, "STATUS_ROWS", 3)
    result = CliRunner().invoke(app, ["status", "--study", str(study.root)],
                                env={"NO_COLOR": "1", "COLUMNS": "120"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "charting progress, per case: 4 rows — `fqda status --section cases` lists them" \
        in lines
    assert "stale: the evidence changed under the summary: none" in lines
    whole = CliRunner().invoke(app, ["status", "--section", "cases", "--format", "csv",
                                     "--study", str(study.root)])
    assert [r.split(",")[0] for r in whole.stdout.splitlines()[1:]] == ["P1", "P2", "P3", "P10"]


def test_the_overview_counts_what_the_full_status_lists(charted: fq.Study) -> None:
    """``fqda status`` counts first (a 10,000-case study has tens of thousands of
    gaps); the counts are the full status's, drafts, n/a and stale cells included."""
    from collections import Counter

    report, overview = charted.charting_status(), charted.charting_overview()
    assert overview.themes == report.themes
    assert overview.cases == len(report.cases)
    assert overview.gaps == dict(Counter(g.state for g in report.gaps))
    assert list(overview.gap_cases) == list(dict.fromkeys(g.case_id for g in report.gaps))
    assert [(s.cell.case_id, s.cell.subtopic, s.change.describe()) for s in overview.stale
            ] == [(s.cell.case_id, s.cell.subtopic, s.change.describe()) for s in report.stale]
