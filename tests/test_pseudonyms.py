"""Pseudonymisation: scan, review, export pseudonymised, and a leak check that proves it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import FqdaError
from tests._cli import fqda as run_fqda
from tests.conftest import DATA, snapshot

# Names planted in speech, a speaker label, an attribute, a summary and a memo.
P5 = """Interviewer: Who helps you at handover?

Sarah: Mostly Margaret Okafor, our ward sister. Margaret's notes are the best on the ward.
Write to sarah.lane@example.org if you need them, or ring 0115 496 0723.

Interviewer: And outside the hospital?

Sarah: The team in Grimsby sends Margaret a summary. Grimsby is where it all started.
"""


def fqda(*args: str) -> tuple[int, str, str]:
    return run_fqda(*args, coder="ann")


@pytest.fixture
def planted(tmp_path: Path) -> fq.Study:
    root = tmp_path / "study"
    shutil.copytree(DATA / "study", root)
    (root / "transcripts" / "P5.txt").write_text(P5, encoding="utf-8")
    with open(root / "cases.csv", "a", encoding="utf-8") as f:
        f.write("P5,Nurses,Grimsby\n")
    s = fq.open_study(root)
    s.run()
    s.code(["P5:2"], ["1.1"], coder="ann", memo="Margaret keeps the sheet")
    s.code(["P5:4"], ["2.1"], coder="ann")
    s.set_summary("P5", "1.1", "Relies on Margaret Okafor's notes [P5:2]", author="ann")
    yield s
    s.close()


def review_everything(s: fq.Study) -> None:
    """What a researcher does after the scan: names hidden, the rest let through."""
    s.decide_name("Margaret Okafor", True, "[ward sister]")
    s.decide_name("Margaret", True, "[ward sister]")
    s.decide_name("Sarah", True, "[P5]")
    s.decide_name("Grimsby", True, "[coastal town]")
    for entry in s.names("candidate"):
        accept = entry.kind in ("email", "phone", "postcode", "url")
        s.decide_name(entry.real, accept)


def test_the_scan_proposes_the_planted_names_with_where_they_stand(planted: fq.Study) -> None:
    found = {e.real: e for e in planted.scan_names()}
    assert found["Sarah"].kind == "speaker" and found["Sarah"].refs[0] == "P5:2"
    assert found["Margaret"].kind == "name" and found["Margaret"].count >= 2
    assert found["Grimsby"].kind in ("name", "attribute")
    assert found["sarah.lane@example.org"].kind == "email"
    assert found["0115 496 0723"].kind == "phone"
    assert "Interviewer" not in found  # a role, not a name
    assert all(e.status == "candidate" for e in planted.names())


def test_every_pseudonymised_output_has_no_leak(planted: fq.Study, tmp_path: Path) -> None:
    planted.scan_names()
    review_everything(planted)
    before = snapshot(planted)
    out = tmp_path / "out"
    written = [planted.export_excel(out / "framework.xlsx", pseudonymise=True),
               *planted.export_csv(out / "csv", pseudonymise=True),
               planted.export_quotes(out / "quotes.md", pseudonymise=True),
               planted.export_quotes(out / "quotes.docx", pseudonymise=True)]
    assert planted.check_outputs(written) == []
    text = (out / "quotes.md").read_text(encoding="utf-8")
    assert "[ward sister]'s notes" in text  # the possessive kept
    assert "[email]" in text and "[coastal town]" in text
    cells = (out / "csv" / "cells.csv").read_text(encoding="utf-8")
    assert "Relies on [ward sister]'s notes [P5:2]" in cells  # references untouched
    # the study itself is untouched: sources, codings, summaries as they were
    assert snapshot(planted) == before
    report = planted.root / ".fqda" / "pseudonymised" / "quotes.md.csv"
    assert "Margaret" in report.read_text(encoding="utf-8")


def test_the_leak_check_finds_a_name_in_an_output_made_without_the_flag(
        planted: fq.Study, tmp_path: Path) -> None:
    planted.scan_names()
    review_everything(planted)
    book = planted.export_excel(tmp_path / "plain.xlsx")
    quotes = planted.export_quotes(tmp_path / "plain.md")
    leaks = planted.check_outputs([book, quotes])
    assert {leak.name for leak in leaks} >= {"Margaret", "Sarah", "Grimsby"}
    code, _, err = fqda("pseudonymise", "check", str(book), "--study", str(planted.root))
    assert code == 1 and "leak:" in err and "Margaret" in err


def test_outputs_wait_for_the_review_of_every_candidate(planted: fq.Study,
                                                       tmp_path: Path) -> None:
    planted.scan_names()
    with pytest.raises(FqdaError, match="await review"):
        planted.export_quotes(tmp_path / "q.md", pseudonymise=True)
    assert not (tmp_path / "q.md").exists()


def test_a_case_entry_applies_to_that_case_only(planted: fq.Study) -> None:
    planted.decide_name("Margaret", True, "[ward sister]", case_id="P5")
    planted.set_summary("P1", "1.1", "Not Margaret here [P1:2]", author="ann")
    rows = planted.case_profile("P1", pseudonymise=True)
    text = repr(rows)
    assert "Not Margaret here" in text
    mine = [q.text for q in planted.quotes("1.1", pseudonymise=True) if q.case_id == "P5"]
    assert mine and all("Margaret" not in t for t in mine)


def test_the_register_round_trips_through_csv_and_is_never_in_an_output(
        planted: fq.Study, tmp_path: Path) -> None:
    register = tmp_path / "names.csv"
    register.write_text("real,pseudonym,case\nMargaret,[ward sister],\nSarah,[P5],P5\n",
                        encoding="utf-8")
    assert planted.import_names(register) == 2
    again = planted.export_names(tmp_path / "again.csv")
    assert "Margaret,[ward sister]" in again.read_text(encoding="utf-8")
    book = planted.export_excel(tmp_path / "f.xlsx", pseudonymise=True)
    assert planted.check_outputs([book]) == []


def test_the_cli_walks_scan_review_export_check(planted: fq.Study, tmp_path: Path) -> None:
    root = str(planted.root)
    code, out, _ = fqda("pseudonymise", "scan", "--study", root)
    assert code == 0 and "await review" in out
    review_everything(planted)
    target = tmp_path / "q.md"
    code, out, err = fqda("export", "quotes", "-o", str(target), "--pseudonymise",
                          "--study", root)
    assert code == 0, err
    code, out, _ = fqda("pseudonymise", "check", str(target), "--study", root)
    assert code == 0 and "no name of the register" in out
    code, out, _ = fqda("quotes", "1.1", "--pseudonymise", "--format", "csv", "--study", root)
    assert code == 0 and "Margaret" not in out


def test_a_pseudonymised_project_has_no_leak_and_each_coding_covers_the_replaced_words(
        planted: fq.Study, tmp_path: Path) -> None:
    from collections import Counter

    from framework_qda.pseudonyms import Replacer

    planted.scan_names()
    review_everything(planted)
    planted.code(["P5:4"], ["1.1"], coder="ann", memo="Grimsby again")
    from dataclasses import replace

    from framework_qda.codebook_matching import save_codebook

    cb = planted.codebook
    quoted = replace(cb.subtopics[0], example="\"Margaret's notes are the best\"")
    with planted.store.atomic():  # a participant's words as the codebook's example
        save_codebook(planted.store, replace(cb, themes=(
            replace(cb.themes[0], subtopics=(quoted, *cb.themes[0].subtopics[1:])),
            *cb.themes[1:])))
    before = snapshot(planted)
    path = planted.export_project(tmp_path / "shared.qdpx", pseudonymise=True)
    assert planted.check_outputs([path]) == []
    assert snapshot(planted) == before  # the study itself is untouched
    names = Replacer(planted.store.names("accepted"))
    case_of = {x.id: x.case_id for x in planted.store.sources()}
    texts = {x.id: x.text for x in planted.store.sources()}
    expected = Counter((case_of[c.source_id], c.subtopic, c.coder,
                        names.text(texts[c.source_id][c.start:c.end], case_of[c.source_id]),
                        names.text(c.memo, case_of[c.source_id]))
                       for c in planted.store.codings())
    with fq.open_study(fq.init_study(tmp_path / "shared")) as b:
        report = b.import_project(path)
        assert report.missing == [] and report.off_word_boundaries == 0
        b_case = {x.id: x.case_id for x in b.store.sources()}
        b_texts = {x.id: x.text for x in b.store.sources()}
        got = Counter((b_case[c.source_id], c.subtopic, c.coder,
                       b_texts[c.source_id][c.start:c.end], c.memo)
                      for c in b.store.codings())
        assert got == expected
        assert ("P5", "1.1", "ann", "Mostly [ward sister], our ward sister. [ward "
                "sister]'s notes are the best on the ward.\nWrite to [email] if you need "
                "them, or ring [phone number].", "[ward sister] keeps the sheet") in got
        p5 = b.store.source_named("P5.txt")
        assert p5 is not None
        assert {g.speaker for g in b.store.segments(p5.id)} == {"Interviewer", "[P5]"}
        cell = b.cells()[("P5", "1.1")]
        assert cell.summary == "Relies on [ward sister]'s notes [P5:2]"
        assert cell.state == planted.cells()[("P5", "1.1")].state == "stale"
        assert [c.state for c in b.cells().values()] == \
            [c.state for c in planted.cells().values()]
        case = b.store.case("P5")
        assert case is not None and "[coastal town]" in dict(case.attributes).values()


def test_a_pseudonymised_project_that_would_leak_is_refused_and_removed(
        planted: fq.Study, tmp_path: Path) -> None:
    planted.scan_names()
    review_everything(planted)
    planted.code(["P5:4"], ["1.2"], coder="Margaret")  # a coder's name is not replaced
    out = tmp_path / "shared.qdpx"
    code, _, err = fqda("export", "project", "--pseudonymise", "-o", str(out),
                        "--study", str(planted.root))
    assert code == 1 and "Margaret" in err and "removed" in err
    assert "Traceback" not in err and not out.exists()


def test_a_case_named_in_the_register_is_renamed_in_the_project_and_its_refs_follow(
        planted: fq.Study, tmp_path: Path) -> None:
    planted.scan_names()
    review_everything(planted)
    planted.decide_name("P5", True, "C05")  # a case id that tells who it is
    planted.decide_name("Sarah", True, "[C05]")  # "[P5]" would show the id again
    path = planted.export_project(tmp_path / "shared.qdpx", pseudonymise=True)
    assert planted.check_outputs([path]) == []
    with fq.open_study(fq.init_study(tmp_path / "shared")) as b:
        assert b.import_project(path).missing == []
        assert "P5" not in {c.id for c in b.store.cases()}
        assert b.store.source_named("C05.txt") is not None
        cell = b.cells()[("C05", "1.1")]
        assert cell.summary == "Relies on [ward sister]'s notes [C05:2]"
        assert [e.ref for e in cell.evidence] == ["C05:2"]
        assert cell.state == planted.cells()[("P5", "1.1")].state == "summarised"


def test_offsets_follow_the_replaced_text_and_never_keep_a_piece_of_a_name() -> None:
    from framework_qda.pseudonyms import Replacer
    from framework_qda.store import NameEntry

    names = Replacer([NameEntry("Sarah", "[P5]", status="accepted"),
                      NameEntry("Margaret Okafor", "[ward sister]", status="accepted")])
    text = "Sarah: Mostly Margaret Okafor, our sister. Sarah's notes."
    rw = names.rewritten(text)
    assert rw.text == "[P5]: Mostly [ward sister], our sister. [P5]'s notes."
    assert rw.text == names.text(text)

    def moved(words: str) -> str:
        i = text.index(words)
        return rw.text[rw.start(i):rw.end(i + len(words))]

    assert moved("Mostly") == "Mostly"
    assert moved("Sarah's notes.") == "[P5]'s notes."
    assert moved("Margaret Okafor, our") == "[ward sister], our"
    assert moved("garet Ok") == "[ward sister]"  # cut inside a name: the whole pseudonym
    assert moved("Okafor, our") == "[ward sister], our"
