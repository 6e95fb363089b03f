"""Listings longer than a reader can use: a summary first, the passages on request.

A study of 120 cases (three sample groups of 40), each with five passages coded
to 1.1, has 600 quotes for 1.1 and 120 cases under it in ``fqda theme 1``:
more than a listing shows (``render.LONG_LISTING``, 500 rows).  A terminal gets
counts by group and how to see the passages; csv and json keep their shape
and say on standard error what was left out; ``--limit 0`` gives every row.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda import render
from tests._cli import fqda

GROUPS = ("Managers", "Nurses", "Porters")
CASES = 120
CODEBOOK = """\
title: Ward handovers
themes:
  - code: "1"
    label: Communication
    subtopics:
      - {code: "1.1", label: Handover notes}
      - {code: "1.2", label: Talking in person}
  - code: "2"
    label: Pressures
    subtopics:
      - {code: "2.1", label: Staffing}
      - {code: "2.2", label: Time}
      - {code: "2.3", label: Beds}
      - {code: "2.4", label: Money}
      - {code: "2.5", label: Rotas}
"""


@pytest.fixture(scope="session")
def _large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = fq.init_study(tmp_path_factory.mktemp("large") / "study")
    (root / "codebooks" / "framework.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "fqda.yaml").write_text("groups: [Managers, Nurses, Porters]\n", encoding="utf-8")
    (root / "cases.csv").write_text("case,group,area\n" + "".join(
        f"P{n},{GROUPS[(n - 1) // 40]},{'Rural' if n % 2 else 'Urban'}\n"
        for n in range(1, CASES + 1)), encoding="utf-8")
    for n in range(1, CASES + 1):
        turns = [f"Interviewer: How do handovers work, part {k}?\n\n"
                 f"Dana: We write it on the handover sheet, round {k}.\n\n" for k in range(5)]
        (root / "transcripts" / f"P{n}.txt").write_text("".join(turns), encoding="utf-8")
    s = fq.open_study(root)
    try:
        s.import_cases("cases.csv")
        s.import_codebook("codebooks/framework.yaml")
        s.ingest(["transcripts"])
        # every participant's turn (segments 2, 4 … 10) to 1.1; P1's first also to 1.2
        s.code([f"P{n}:{k}" for n in range(1, CASES + 1) for k in (2, 4, 6, 8, 10)], ["1.1"])
        s.code(["P1:2"], ["1.2"])
        # and every first answer to each sub-topic of theme 2: 600 cells down theme 2
        s.code([f"P{n}:2" for n in range(1, CASES + 1)], ["2.1", "2.2", "2.3", "2.4", "2.5"])
        s.set_summary("P41", "2.1", "not asked", not_applicable=True)
    finally:
        s.close()
    return root


@pytest.fixture
def large(_large: Path, tmp_path: Path, store_backend: str) -> Path:
    """A copy of the 120-case study, so a test may change it (on the test server,
    the study is copied into the folder's schema there, as ``fqda store copy`` does)."""
    root = Path(shutil.copytree(_large, tmp_path / "study"))
    if store_backend == "postgresql":
        from framework_qda.store import open_store
        from framework_qda.store_copy import copy_store

        made = open_store(root / ".fqda" / "study.db")
        try:
            with fq.open_study(root) as s:
                copy_store(made, s.store, "the test server")
        finally:
            made.close()
    return root


def test_the_threshold_is_a_few_hundred_rows() -> None:
    assert render.LONG_LISTING == 500


def test_quotes_in_a_terminal_are_summed_up_by_group_with_how_to_list_them(
        large: Path) -> None:
    code, out, err = fqda("quotes", "1.1", "--study", large)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("600 quotes for 1.1 Handover notes, from 120 cases: more than 500, "
                        "so they are counted here, not listed")
    table = [line.split() for line in lines[1:] if line.strip()]
    assert ["group", "cases", "quotes"] in table
    for group in GROUPS:
        assert [group, "40", "200"] in table
    assert lines[-1] == ("to list them: --limit 0 (all 600), --limit N (the first N), "
                         "or fewer with --group, --where or --speaker")
    assert "We write it" not in out  # no passage is printed


def test_quotes_as_csv_on_stdout_stop_at_the_threshold_and_say_so_on_stderr(
        large: Path) -> None:
    code, out, err = fqda("quotes", "1.1", "--format", "csv", "--study", large)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))  # parseable: nothing else on stdout
    assert len(rows) == 500
    assert [r["case"] for r in rows[:6]] == ["P1"] * 5 + ["P2"]  # row order kept
    assert err.strip() == ("note: the first 500 of 600 quotes for 1.1 were written; "
                           "--limit 0 writes all of them")


def test_every_quote_on_request(large: Path) -> None:
    code, out, err = fqda("quotes", "1.1", "--format", "csv", "--limit", "0", "--study", large)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 600 and err == ""
    assert [r["case"] for r in rows][::5] == [f"P{n}" for n in range(1, CASES + 1)]
    code, out, err = fqda("quotes", "1.1", "--format", "json", "--limit", "0", "--study", large)
    assert code == 0 and len(json.loads(out)) == 600 and err == ""


def test_a_limit_below_the_total_says_how_many_were_left_out(large: Path) -> None:
    code, out, err = fqda("quotes", "1.1", "--format", "json", "--limit", "20",
                          "--study", large)
    assert code == 0, err
    assert len(json.loads(out)) == 20
    assert err.strip() == ("note: the first 20 of 600 quotes for 1.1 were written; "
                           "--limit 0 writes all of them")
    code, out, err = fqda("quotes", "1.1", "--limit", "3", "--study", large)
    assert code == 0, err
    assert "3 of 600 quote(s) for 1.1 (--limit 0 shows all)" in out
    assert out.count("— Managers") == 3


def test_narrowed_under_the_threshold_every_quote_is_listed(large: Path) -> None:
    code, out, err = fqda("quotes", "1.1", "--group", "Nurses", "--format", "csv",
                          "--study", large)
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 200 and {r["group"] for r in rows} == {"Nurses"}
    code, out, err = fqda("quotes", "1.1", "--where", "area=Rural", "--group", "Managers",
                          "--study", large)
    assert code == 0 and "100 quote(s) for 1.1" in out


def test_the_library_counts_without_reading_passages(large: Path) -> None:
    with fq.open_study(large) as s:
        first = s.theme_view("2", limit=500)
        assert (first.rows, first.listed) == (600, 500)
        whole = s.theme_view("2")
        assert [[(g.name, g.cases, g.covered, g.not_applicable) for g in groups]
                for _, groups in first.subtopics] == [
            [(g.name, g.cases, g.covered, g.not_applicable) for g in groups]
            for _, groups in whole.subtopics]
        count = s.quote_count("1")
        assert count.total == 601
        assert count.by_group == (("Managers", 40, 201), ("Nurses", 40, 200),
                                  ("Porters", 40, 200))
        assert count.by_subtopic == (("1.1", 600), ("1.2", 1))
        assert s.quote_count("1.1", groups=["porters"]).total == 200
        assert s.quote_count("1.1", speaker="interviewer").total == 0
        # the first 500 are the first 500 of all of them, in the same order
        assert s.quotes("1", limit=500) == s.quotes("1")[:500]


def test_a_theme_of_many_quotes_is_summed_up_by_group_and_sub_topic(large: Path) -> None:
    code, out, err = fqda("quotes", "--theme", "1", "--study", large)
    assert code == 0, err
    table = [line.split() for line in out.splitlines()]
    assert ["group", "cases", "quotes", "1.1", "1.2"] in table
    assert ["Managers", "40", "201", "200", "1"] in table


def test_a_small_study_lists_everything_as_before(study: fq.Study) -> None:
    code, out, err = fqda("quotes", "1.1", "--format", "csv", "--study", study.root)
    assert code == 0 and err == ""
    assert len(list(csv.DictReader(io.StringIO(out)))) == len(study.quotes("1.1"))


def test_every_quote_of_the_study_is_never_cut_short(large: Path) -> None:
    code, out, err = fqda("quotes", "--all", "--format", "csv", "--study", large)
    assert code == 0 and err == ""
    assert len(list(csv.DictReader(io.StringIO(out)))) == 601 + 600


def test_a_theme_of_many_cells_shows_its_group_lines_and_how_to_list_them(
        large: Path) -> None:
    code, out, err = fqda("theme", "2", "--study", large)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("2 Pressures — by group: 600 cells with something to read, more "
                        "than 500, so they are counted here, not listed")
    assert lines[2:6] == ["2.1 Staffing", "  40 of 40 Managers cases",
                          "  39 of 40 Nurses cases (1 n/a)", "  40 of 40 Porters cases"]
    assert lines[-1] == ("to list them: --limit 0 (all 600), --limit N (the first N), or "
                         "one group's with --group G, one sub-topic's with --subtopic")
    assert "P1" not in out


def test_a_theme_as_csv_keeps_the_group_counts_of_every_case_in_its_first_rows(
        large: Path) -> None:
    code, out, err = fqda("theme", "2", "--format", "csv", "--study", large)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 500
    assert err.strip() == ("note: the first 500 of 600 cells of theme 2 were written; "
                           "--limit 0 writes all of them")
    nurses = [r for r in rows if r["code"] == "2.1" and r["group"] == "Nurses"]
    assert len(nurses) == 40 and nurses[0]["case"] == "P41"
    assert {(r["cases_in_group"], r["cases_covered"]) for r in nurses} == {("40", "39")}
    assert nurses[0]["state"] == "not-applicable"
    code, out, err = fqda("theme", "2", "--format", "csv", "--limit", "0", "--study", large)
    assert code == 0 and err == ""
    every = list(csv.DictReader(io.StringIO(out)))
    assert len(every) == 600 and every[:500] == rows


def test_a_theme_narrowed_to_a_group_or_sub_topic_is_listed_whole(large: Path) -> None:
    code, out, err = fqda("theme", "2", "--group", "Porters", "--format", "csv",
                          "--study", large)
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 200 and {r["group"] for r in rows} == {"Porters"}
    code, out, err = fqda("theme", "2", "--subtopic", "2.3", "--study", large)
    assert code == 0 and err == ""
    assert "40 of 40 Managers cases" in out and "P120" in out
    code, out, err = fqda("theme", "2", "--limit", "2", "--study", large)
    assert code == 0, err
    assert out.splitlines()[-1] == ("(the first 2 of 600 cells of theme 2; --limit 0 shows "
                                    "all)")


def test_status_sums_up_many_gaps_by_kind_with_the_first_cases(large: Path) -> None:
    with fq.open_study(large) as s:
        s.draft_summaries(theme="1", case_id="P2")
    code, out, err = fqda("status", "--study", large)
    assert code == 0, err
    assert ("gaps: coded but not summarised: 120 cases, 720 cells: 719 coded, no summary; "
            "1 draft only; the first P1, P2, P3, P4, P5 … — `fqda status --section gaps` "
            "lists them") in out
    assert "charting progress, per case: 120 rows — `fqda status --section cases` lists " \
        "them" in out
    code, out, err = fqda("status", "--section", "gaps", "--format", "csv", "--study", large)
    assert code == 0 and err == ""
    assert len(list(csv.DictReader(io.StringIO(out)))) == 120  # asked for: every row


def test_search_says_how_many_segments_it_left_out(large: Path) -> None:
    code, out, err = fqda("search", "handover sheet", "--format", "csv", "--study", large)
    assert code == 0, err
    assert len(list(csv.DictReader(io.StringIO(out)))) == 100
    assert err.strip() == ("note: the first 100 of 600 segments found were written; "
                           "--limit 0 writes all of them")
    code, out, err = fqda("search", "handover sheet", "--study", large)
    assert code == 0 and "100 segment(s) (the first 100 of 600; --limit 0 shows all)" in out
    code, out, err = fqda("search", "handover sheet", "--limit", "0", "--format", "json",
                          "--study", large)
    assert code == 0 and err == "" and len(json.loads(out)) == 600
    with fq.open_study(large) as s:
        assert s.search("handover sheet", limit=5).total == 600


def test_listings_order_cases_by_id_and_group_alone_as_the_matrices_do(large: Path) -> None:
    from framework_qda.model import Case

    with fq.open_study(large) as s:
        with s.store.atomic():
            s.store.upsert_cases([Case("P1", "Managers", (("area", "Rural"),
                                                          ("withdrawn", "yes"))),
                                  Case("P5", "Nurses", (("area", "Rural"),
                                                        ("withdrawn", "no")))])
        whole = s.cases()
        assert "P1" not in [c.id for c in whole]
        assert [(c.id, c.group) for c in s.store.case_index(GROUPS)] == [
            (c.id, c.group) for c in whole]
        first = s.quotes("1.1", limit=10)
        assert first == s.quotes("1.1")[:10]
        assert first[0].case_id == "P2" and first[0].attributes == (("area", "Urban"),)
        assert s.quotes("1.1", groups=["porters", "nurses"], limit=3) == s.quotes(
            "1.1", groups=["porters", "nurses"])[:3]


def test_the_cases_found_are_put_in_order_without_ordering_every_case(large: Path) -> None:
    from framework_qda.model import Case

    with fq.open_study(large) as s:
        with s.store.atomic():  # a group first seen after the declared ones; a withdrawn case
            s.store.upsert_cases([Case("P7", "Cleaners"), Case("P3", "Cleaners"),
                                  Case("P2", "Managers", (("withdrawn", "yes"),))])
        every = s.store.case_index(["Nurses"])
        some = {"P120", "P3", "P7", "P2", "P41", "P1", "P99"}
        assert s.store.case_index_of(some, ["Nurses"]) == [c for c in every if c.id in some]
        assert [c.id for c in s.store.case_index_of(some, ["Nurses"])] == [
            "P41", "P1", "P3", "P7", "P99", "P120"]  # Nurses, Managers, Cleaners, Porters
