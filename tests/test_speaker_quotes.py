"""Quotes are the speaker's: an interviewer's question is never a participant's quote."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

import framework_qda as fq
from tests._cli import fqda as run_fqda

QUESTION = "And is there time to talk?"  # P1:3, the interviewer's turn
ANSWER = "Hardly. We are two nurses short most nights."  # P1:4, Dana's


def fqda(study: fq.Study, *args: str) -> tuple[str, str]:
    code, out, err = run_fqda(*args, "--study", study.root, columns=250)
    assert code == 0, out + err
    return out, err


@pytest.fixture
def asked(study: fq.Study) -> fq.Study:
    """P1's interviewer question coded to 2.2 beside the participant's answer."""
    study.code(["P1:3", "P1:4"], ["2.2"])
    return study


def test_coding_an_interviewer_turn_warns_once_naming_it(study: fq.Study) -> None:
    out, err = fqda(study, "code", "P1:3-4", "2.2")
    assert "2 coding(s) added" in out
    assert err.count("warning:") == 1
    assert "P1:3 (interviewer) is not participant speech" in err and "P1:4" not in err
    assert study.cells(["2.2"])[("P1", "2.2")].refs == ("P1:3", "P1:4")
    out, err = fqda(study, "code", "P3:2", "2.2")
    assert err == ""


def test_quotes_default_to_participants_and_widen_with_any(asked: fq.Study) -> None:
    assert [q.text for q in asked.quotes("2.2") if q.case_id == "P1"] == [ANSWER]
    rows = json.loads(fqda(asked, "quotes", "2.2", "--format", "json")[0])
    assert QUESTION not in [r["text"] for r in rows]
    rows = json.loads(fqda(asked, "quotes", "2.2", "--speaker", "any", "-f", "json")[0])
    mine = {r["text"]: r for r in rows if r["case"] == "P1"}
    assert (mine[QUESTION]["attribution"], mine[QUESTION]["role"]) == (
        "— Interviewer, P1", "interviewer")
    assert mine[ANSWER]["attribution"] == "— Managers, P1"
    only = json.loads(fqda(asked, "quotes", "2.2", "--speaker", "interviewer", "-f", "json")[0])
    assert [r["text"] for r in only] == [QUESTION]
    table = fqda(asked, "quotes", "2.2", "--speaker", "any")[0]
    assert "— Interviewer, P1" in table
    md = fqda(asked, "quotes", "2.2", "--speaker", "any", "-f", "markdown")[0]
    assert f"> {QUESTION}\n>\n> — Interviewer, P1 [P1:3]" in md


def test_a_template_without_group_still_names_the_role(asked: fq.Study) -> None:
    (asked.root / "fqda.yaml").write_text("groups: [Managers, Nurses]\n"
                                          "attribution: '{case}, {speaker}'\n",
                                          encoding="utf-8")
    with fq.open_study(asked.root) as s:
        [q] = s.quotes("2.2", speaker="interviewer")
    assert q.attribution == "P1, Interviewer"  # the label names the role already
    (asked.root / "fqda.yaml").write_text("attribution: '— {case}'\n", encoding="utf-8")
    with fq.open_study(asked.root) as s:
        [q] = s.quotes("2.2", speaker="interviewer")
    assert q.attribution == "— P1 [interviewer]"


def test_the_quote_bank_leaves_interviewers_out_unless_asked(asked: fq.Study,
                                                             tmp_path: Path) -> None:
    fqda(asked, "export", "quotes", "-o", str(tmp_path / "q.md"))
    md = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert ANSWER in md and QUESTION not in md
    fqda(asked, "export", "quotes", "-o", str(tmp_path / "q.docx"), "--speaker", "any")
    paragraphs = [p.text for p in Document(str(tmp_path / "q.docx")).paragraphs]
    at = paragraphs.index(QUESTION)
    assert paragraphs[at + 1] == "— Interviewer, P1 [P1:3]"


def test_the_workbook_quotes_participants_and_names_other_passages(asked: fq.Study,
                                                                   tmp_path: Path) -> None:
    fqda(asked, "export", "excel", "-o", str(tmp_path / "f.xlsx"))
    wb = load_workbook(tmp_path / "f.xlsx")
    p1 = next(r for r in wb["2 Pressures"].iter_rows(min_row=2) if r[0].value == "P1")
    cell = p1[4].comment.text  # case, group, 2.1 and its n, then 2.2: its note
    assert p1[4].value is None  # the cell holds the summary only
    assert f"“{ANSWER}” [P1:4]" in cell
    assert QUESTION not in cell
    assert "(also coded, not quoted here: P1:3 (interviewer))" in cell
    evidence = [(r[3].value, r[6].value, r[8].value) for r in wb["Evidence"].iter_rows(min_row=2)
                if r[7].value == "2.2" and r[0].value == "P1"]
    assert ("P1:3", "interviewer", QUESTION) in evidence
    assert "Cells' notes quote participants' words" in str(
        next(r for r in wb["Key"].iter_rows() if r[0].value == "Speakers")[1].value)


def test_plain_text_cells_tag_words_that_are_not_a_participants(asked: fq.Study,
                                                                tmp_path: Path) -> None:
    rows = {r["case"]: r for r in json.loads(fqda(asked, "matrix", "2", "-f", "json")[0])}
    assert f"[interviewer] “{QUESTION}” [P1:3]" in rows["P1"]["2.2"]
    fqda(asked, "export", "csv", "-o", str(tmp_path))
    with open(tmp_path / "cells.csv", encoding="utf-8", newline="") as f:
        cell = next(r for r in csv.DictReader(f) if (r["case"], r["subtopic"]) == ("P1", "2.2"))
    assert f"[interviewer] {QUESTION} [P1:3]" in cell["evidence"]
    md = fqda(asked, "case", "P1", "-f", "markdown")[0]
    assert f"> [interviewer] {QUESTION}" in md


def test_the_readme_tour_codes_only_participant_speech(tmp_path: Path) -> None:
    import shlex
    import shutil

    from tests.conftest import REPO

    root = tmp_path / "example"
    root.mkdir()
    for name in ("cases.csv", "codings.csv", "fqda.yaml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("transcripts", "codebooks"):
        shutil.copytree(REPO / folder, root / folder)
    with fq.open_study(root) as s:
        s.import_cases("cases.csv")
        s.import_codebook("codebooks/framework.yaml")
        s.ingest()
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        tour = [shlex.split(line.split("  #")[0])[1:] for line in readme.splitlines()
                if line.startswith("fqda code ") and "--interactive" not in line]
        assert len(tour) == 4
        for args in tour:
            _, err = fqda(s, *args)
            assert err == "", (args, err)


def test_a_sub_topic_coded_only_on_interviewer_turns_says_why_no_quote_shows(
        study: fq.Study) -> None:
    study.code(["P1:3"], ["1.2"])  # the interviewer's question; 1.2 has P2 and P3 too
    out, err = fqda(study, "quotes", "1.2", "--group", "Managers", "--where", "area=Rural")
    assert out == ""
    assert ("no quotes from --speaker participant for 1.2; 1 coded passage(s) are other "
            "speakers' words: --speaker any shows them") in " ".join(err.split())
    out, err = fqda(study, "quotes", "1.2", "--group", "Nurses")
    assert "no quotes from" not in err
