"""Interpretation queries: within-case, within-theme, comparison, quotes and
co-occurrence — through the library and the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from _interpretation import build
from rich.console import Console
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda import render
from framework_qda.cli import app
from tests._backends import on_backend, on_sqlite

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with on_sqlite():
        return build(tmp_path_factory.mktemp("interp") / "study")


@pytest.fixture
def study_dir(built: Path, store_backend: str) -> Path:
    return on_backend(built)


@pytest.fixture
def study(study_dir: Path) -> Iterator[fq.Study]:
    with fq.open_study(study_dir) as s:
        yield s


def fqda(study_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--study", str(study_dir)])
    return result.exit_code, result.output


# -- within-case ----------------------------------------------------------------
def test_case_profile_has_attributes_then_every_theme(study: fq.Study) -> None:
    profile = study.case_profile("C1")
    assert profile.case.group == "Council officer"
    assert profile.case.attributes == (("area", "Urban"), ("years", "6"))
    assert [t.code for t, _ in profile.themes] == ["1", "2"]
    cells = {c.subtopic: c for _, cs in profile.themes for c in cs}
    assert cells["1.1"].state == "summarised"
    assert cells["1.1"].summary.startswith("Pooled falls budget")
    assert cells["2.1"].state == "coded" and cells["2.1"].refs == ("C1:4",)
    assert cells["2.2"].state == "empty"


def test_case_theme_option_keeps_one_theme(study_dir: Path) -> None:
    code, out = fqda(study_dir, "case", "C1", "--theme", "2", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["code"] for r in rows] == ["2.1", "2.2", "2.3"]
    assert rows[0]["evidence"] == [{"ref": "C1:4", "role": "participant",
                                    "text": "The cuts. Every year the grant "
                                    "shrinks and the partnership has to\njustify itself again."}]


def test_case_markdown_is_a_profile_for_an_appendix(study_dir: Path) -> None:
    code, out = fqda(study_dir, "case", "C1", "--format", "markdown")
    assert code == 0
    assert out.startswith("# C1 — Council officer\n\n- **Group:** Council officer\n"
                          "- **area:** Urban\n- **years:** 6\n")
    assert "## 1 Working together\n\n### 1.1 Shared budgets\n\nPooled falls budget" in out
    # quotes as block quotes, white space folded, with their reference
    assert ("> We pooled the budget for falls prevention three years ago. Honestly it is the "
            "only way we get anything done together.\n>\n> [C1:2]") in out
    assert "### 2.2 Data sharing\n\n_Nothing coded._" in out


def test_unknown_case_is_one_clear_error(study_dir: Path) -> None:
    code, out = fqda(study_dir, "case", "C99")
    assert code == 1
    assert "no case C99" in out


# -- within-theme ---------------------------------------------------------------
def test_theme_groups_cases_in_declared_order_with_a_line_per_group(study: fq.Study) -> None:
    view = study.theme_view("2", subtopic="2.1")
    [(sub, groups)] = view.subtopics
    assert sub.code == "2.1"
    assert [render.group_line(g, view.by) for g in groups] == [
        "1 of 2 Council officer cases",
        "1 of 2 Health manager cases",
        "1 of 2 Volunteer lead cases (1 n/a)",
    ]
    assert [[c.case_id for c in g.cells] for g in groups] == [["C1"], ["C3"], ["C10", "C5"]]


def test_theme_by_attribute_groups_by_its_values(study: fq.Study) -> None:
    view = study.theme_view("1", by="area", subtopic="1.2")
    [(_, groups)] = view.subtopics
    assert [(g.name, g.cases, g.covered) for g in groups] == [("Rural", 3, 2), ("Urban", 3, 3)]
    assert render.group_line(groups[0], "area") == "2 of 3 cases with area Rural"


def test_theme_by_unknown_attribute_names_the_ones_there_are(study_dir: Path) -> None:
    code, out = fqda(study_dir, "theme", "1", "--by", "region")
    assert code == 1
    assert "no case has an attribute 'region'" in out and "area, years" in out


def test_theme_unknown_subtopic_lists_the_theme_s_subtopics(study_dir: Path) -> None:
    code, out = fqda(study_dir, "theme", "2", "--subtopic", "1.1")
    assert code == 1
    assert "theme 2 has no sub-topic 1.1; its sub-topics are 2.1, 2.2, 2.3" in out


def test_compare_counts_cases_per_group_and_subtopic(study_dir: Path) -> None:
    code, out = fqda(study_dir, "compare", "--theme", "1", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"group": "Council officer", "cases": 2, "1.1": 1, "1.2": 2},
        {"group": "Health manager", "cases": 2, "1.1": 1, "1.2": 2},
        {"group": "Volunteer lead", "cases": 2, "1.1": 0, "1.2": 1},
    ]


def test_compare_shades_cells_by_share_in_a_terminal(study: fq.Study) -> None:
    shades = [render.share_style(x) for x in (0.0, 0.2, 0.5, 1.0)]
    assert len(set(shades)) == 4
    buf = io.StringIO()
    Console(file=buf, width=100, force_terminal=True, color_system="truecolor").print(
        render.compare_table(study.compare("group", "1")))
    text = buf.getvalue()
    # "0/2" and "2/2" carry different colours
    assert "\x1b[" in text
    zero = text[text.index("0/2") - 30:text.index("0/2")]
    full = text[text.index("2/2") - 30:text.index("2/2")]
    assert zero.rsplit("\x1b[", 1)[-1] != full.rsplit("\x1b[", 1)[-1]


def test_compare_as_a_dataframe(study: fq.Study) -> None:
    frame = study.compare("area").to_frame()
    assert list(frame.index) == ["Rural", "Urban"]
    assert frame.loc["Urban", "1.1"] == 2 and frame.loc["Rural", "cases"] == 3


# -- quotes ---------------------------------------------------------------------
def test_quotes_are_the_source_s_exact_words(study: fq.Study) -> None:
    texts = {s.case_id: s.text for s in study.store.sources()}
    found = study.quotes("1")
    assert found, "theme 1 has quotes"
    for q in found:
        assert q.text in texts[q.case_id]
        assert q.text == q.text.strip()
    first = next(q for q in found if q.ref == "C1:2")
    assert "three years ago.\nHonestly it is the only way   we get" in first.text


def test_quotes_fold_white_space_only_for_display(study_dir: Path) -> None:
    _, table = fqda(study_dir, "quotes", "1.1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows[0]["text"].count("\n") == 1  # csv keeps the text exact
    _, md = fqda(study_dir, "quotes", "1.1", "--format", "markdown")
    assert "ago. Honestly it is the only way we get anything" in md


def test_quote_filters_group_where_speaker_and_length(study: fq.Study) -> None:
    def refs(**kw: object) -> list[str]:
        return [q.ref for q in study.quotes("1.2", **kw)]  # type: ignore[arg-type]

    # row order: sample groups as declared, then area (Rural first), then case id
    assert refs() == ["C2:2", "C1:6", "C4:2", "C3:4", "C5:2"]
    assert refs(groups=["health MANAGER"]) == ["C4:2", "C3:4"]
    assert refs(where={"area": "rural"}) == ["C2:2", "C4:2"]
    assert refs(where={"area": "Urban", "years": "11"}) == ["C3:4"]
    assert refs(speaker="Dev") == ["C4:2"]
    assert refs(speaker="interviewer") == []
    assert refs(min_words=14) == ["C3:4", "C5:2"]
    assert refs(max_words=11) == ["C2:2", "C1:6"]
    assert refs(limit=2) == ["C2:2", "C1:6"]


def test_quotes_rows_come_in_row_order_within_subtopic_order(study: fq.Study) -> None:
    found = study.quotes("2")
    assert [(q.subtopic, q.case_id) for q in found] == [
        ("2.1", "C1"), ("2.1", "C3"), ("2.1", "C5"), ("2.2", "C2"),
        ("2.3", "C1"), ("2.3", "C4"), ("2.3", "C10"),
    ]


def test_default_attribution_is_group_and_case(study_dir: Path) -> None:
    code, out = fqda(study_dir, "quotes", "2.2", "--format", "json")
    assert code == 0
    [quote] = json.loads(out)
    assert quote == {
        "subtopic": "2.2", "ref": "C2:4", "case": "C2", "group": "Council officer",
        "speaker": "Ben", "role": "participant", "attribution": "— Council officer, C2",
        "text": "We cannot share records. The data sharing agreement has been in draft "
                "for two years.",
        "source": "C2.txt", "start": 168, "end": 252,
    }


def test_attribution_template_comes_from_the_study_config(tmp_path: Path) -> None:
    folder = build(tmp_path / "study")
    (folder / "fqda.yaml").write_text(
        "order_by: [area]\nattribution: '{speaker}, {group} ({area}, {years} years)'\n",
        encoding="utf-8")
    code, out = fqda(folder, "quotes", "2.2", "--format", "markdown")
    assert code == 0
    assert out == ("## 2.2 Data sharing\n\n"
                   "> We cannot share records. The data sharing agreement has been in draft "
                   "for two years.\n>\n> Ben, Council officer (Rural, 3 years) [C2:4]\n")


def test_attribution_template_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    folder = build(tmp_path / "study")
    (folder / "fqda.yaml").write_text("attribution: '— {group}, {aera}'\n", encoding="utf-8")
    code, out = fqda(folder, "quotes", "2.2")
    assert code == 1
    assert "fqda.yaml" in out and "{aera}" in out and "{area}" in out


def test_where_without_equals_is_a_usage_error(study_dir: Path) -> None:
    code, out = fqda(study_dir, "quotes", "2.2", "--where", "area")
    assert code == 1
    assert "write ATTRIBUTE=VALUE" in out


# -- co-occurrence ----------------------------------------------------------------
def test_cooccurrence_counts_segments_and_cases(study: fq.Study) -> None:
    co = study.cooccurrence()
    assert (co.segments[("1.2", "2.1")], co.cases[("1.2", "2.1")]) == (1, 3)
    assert (co.segments[("2.3", "1.2")], co.cases[("2.3", "1.2")]) == (1, 2)
    assert (co.segments[("1.2", "1.2")], co.cases[("1.2", "1.2")]) == (5, 5)
    assert ("1.1", "2.2") not in co.cases
    frame = co.to_frame("cases")
    assert frame.loc["2.1", "1.2"] == 3 and frame.loc["1.1", "2.2"] == 0


def test_cooccurrence_within_a_theme_as_csv(study_dir: Path) -> None:
    code, out = fqda(study_dir, "cooccur", "--theme", "1", "--format", "csv")
    assert code == 0
    assert list(csv.DictReader(io.StringIO(out))) == [
        {"a": "1.1", "a_label": "Shared budgets", "b": "1.2",
         "b_label": "Trust between partners", "segments": "0", "cases": "2"},
    ]


def test_cooccur_two_codes_lists_the_segments_coded_to_both(study_dir: Path) -> None:
    code, out = fqda(study_dir, "cooccur", "1.2", "2.1", "--format", "json")
    assert code == 0
    [passage] = json.loads(out)
    assert passage["ref"] == "C3:4" and passage["coded"] == "1.2 2.1"
    assert passage["text"].startswith("Because when funding is cut")


@pytest.mark.parametrize(("args", "message"), [
    (["1.2"], "give two sub-topic codes"),
    (["1.2", "9.9"], "unknown sub-topic 9.9"),
])
def test_cooccur_bad_codes(study_dir: Path, args: list[str], message: str) -> None:
    code, out = fqda(study_dir, "cooccur", *args)
    assert code == 1 and message in out


# -- start-up -------------------------------------------------------------------
def test_read_only_commands_import_no_heavy_libraries(study_dir: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from framework_qda.cli import app
        for args in (["quotes", "1.2"], ["case", "C1"], ["theme", "2", "--by", "area"],
                     ["search", "pooled"], ["compare"], ["cooccur"]):
            result = CliRunner().invoke(app, [*args, "--study", {str(study_dir)!r}])
            assert result.exit_code == 0, (args, result.output)
        heavy = [m for m in ("spacy", "pandas", "openpyxl", "xlsxwriter", "docx", "pypdf",
                             "lxml")
                 if m in sys.modules]
        assert not heavy, heavy
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize(("args", "message"), [
    (["9.9"], "no sub-topic or theme 9.9"),
    (["1.2", "--group", "Nurses"], "no case is in group 'Nurses'; the groups are Council "
                                   "officer, Health manager, Volunteer lead"),
    (["1.2", "--where", "region=North"], "no case has an attribute 'region'"),
])
def test_mistyped_quote_filters_are_errors_not_empty_banks(
        study_dir: Path, args: list[str], message: str) -> None:
    code, out = fqda(study_dir, "quotes", *args)
    assert code == 1
    assert message in " ".join(out.split())


def test_compare_agrees_with_the_theme_view_lines(study: fq.Study) -> None:
    # compare counts without reading evidence; it must say what `fqda theme` says
    comparison = study.compare()
    for theme in study.codebook.themes:
        for sub, groups in study.theme_view(theme.code).subtopics:
            for g in groups:
                assert comparison.count(g.name, sub.code) == g.covered, (sub.code, g.name)


def test_case_markdown_and_json_leave_evidence_under_summaries_out_when_told(
        study: fq.Study) -> None:
    import json

    summarised = next(c for _, cells in study.case_profile("C1").themes for c in cells
                      if c.state == "summarised" and c.evidence)
    words = summarised.evidence[0].text[:30]
    short = fqda(study.root, "case", "C1", "--format", "markdown", "--no-evidence")[1]
    full = fqda(study.root, "case", "C1", "--format", "markdown")[1]
    assert words not in short and words in full
    rows = json.loads(fqda(study.root, "case", "C1", "--format", "json", "--no-evidence")[1])
    mine = next(r for r in rows if r["code"] == summarised.subtopic)
    assert mine["summary"] and not mine["evidence"]
    rows = json.loads(fqda(study.root, "case", "C1", "--format", "json")[1])
    assert next(r for r in rows if r["code"] == summarised.subtopic)["evidence"]
