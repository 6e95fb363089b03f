"""The review queue at study size: filtered lists, bulk decisions, undo, rule exclusions."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.codebook_formats import read_table_codebook
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.review_queue import QueueFilter, review_actions
from tests.test_suggest import CODEBOOK, EXPECTED, fqda


@pytest.fixture
def study(study_dir: Path) -> Iterator[fq.Study]:
    """The fixture study with rules in its codebook, suggested, nothing coded."""
    (study_dir / "codings.csv").unlink()
    (study_dir / "codebooks" / "framework.yaml").write_text(CODEBOOK, encoding="utf-8")
    s = fq.open_study(study_dir)
    s.import_cases("cases.csv")
    s.import_codebook("codebooks/framework.yaml")
    s.ingest()
    s.suggest()
    yield s
    s.close()


def listed(s: fq.Study, **where: tuple[str, ...]) -> list[tuple[str, str, str]]:
    return [(i.ref, i.subtopic, i.matched) for i in s.review_queue(QueueFilter(**where))]


def test_the_whole_queue_is_the_review_walk_with_groups_and_offsets(study: fq.Study) -> None:
    items = study.review_queue()
    assert [(i.ref, i.subtopic, i.matched) for i in items] == EXPECTED
    first = items[0]
    assert (first.case_id, first.group, first.source) == ("P1", "Managers", "P1.txt")
    text = study.store.sources("P1")[0].text
    assert text[first.start:first.end].startswith("We write everything on the sheet.")


def test_filters_narrow_by_subtopic_theme_keyword_case_and_group(study: fq.Study) -> None:
    assert listed(study, subtopics=("1.1",)) == [e for e in EXPECTED if e[1] == "1.1"]
    assert listed(study, subtopics=("2",)) == [e for e in EXPECTED if e[1].startswith("2.")]
    # A keyword picks its inflections too: note -> "notes".
    assert listed(study, keywords=("note",)) == [("P2:2", "1.1", "note"),
                                                 ("P10:2", "1.1", "notes")]
    assert listed(study, keywords=("face to face",)) == [("P2:2", "1.2", "talk; face to face")]
    assert listed(study, cases=("P10", "P3")) == [e for e in EXPECTED
                                                  if e[0].startswith(("P3:", "P10:"))]
    assert listed(study, groups=("Nurses",), subtopics=("2.1",)) == [
        ("P3:4", "2.1", "staff; short"), ("P10:4", "2.1", "few of us; Staffing")]


def test_unknown_filters_are_named(study: fq.Study) -> None:
    with pytest.raises(UnknownReference, match="no sub-topic or theme 9.9"):
        study.review_queue(QueueFilter(subtopics=("9.9",)))
    with pytest.raises(UnknownReference, match="no case P99"):
        study.review_queue(QueueFilter(cases=("P99",)))
    with pytest.raises(UnknownReference, match="no sample group 'Porters'; the groups are "
                                               "Managers, Nurses"):
        study.review_queue(QueueFilter(groups=("Porters",)))


def test_bulk_accept_makes_evidence_in_one_action(study: fq.Study) -> None:
    report = study.decide_suggestions(study.review_queue(QueueFilter(subtopics=("1.1",))),
                                      "accepted", "rev")
    assert (report.decided, report.refused) == (3, ())
    assert sorted(q.ref for q in study.quotes("1.1")) == ["P10:2", "P1:2", "P2:2"]
    assert listed(study, subtopics=("1.1",)) == []
    last = study.history(limit=1)[0]
    assert last.summary() == "3 codings added"


def test_bulk_accept_refuses_a_partial_overlap_and_leaves_it_pending(study: fq.Study) -> None:
    # A 1.1 coding from the end of P1:2 into P1:4: accepting the suggestion on the
    # whole of P1:2 would quote those words twice.
    turn = study.review_queue(QueueFilter(cases=("P1",), subtopics=("1.1",)))[0]
    study.code(["P1:4"], ["1.1"], coder="rev")
    held = study.store.codings()[0]
    study.store.move_coding(held.id, turn.end - 7, held.end)
    report = study.decide_suggestions(study.review_queue(QueueFilter(subtopics=("1.1",))),
                                      "accepted", "rev")
    assert report.decided == 2
    assert [ref for ref, _ in report.refused] == ["P1:2"]
    assert "partly overlaps" in report.refused[0][1]
    assert listed(study, subtopics=("1.1",)) == [("P1:2", "1.1", "sheet")]


def test_undo_of_a_bulk_reject_restores_exactly_what_was_there(study: fq.Study) -> None:
    before = {c.id: c for c in study.store.codings(status=None)}
    study.decide_suggestions(study.review_queue(QueueFilter(groups=("Managers",))),
                             "rejected", "rev")
    assert listed(study, groups=("Managers",)) == []
    action = study.undo_review("rev")
    assert action.summary() == "5 suggestions changed"
    assert {c.id: c for c in study.store.codings(status=None)} == before
    assert study.review_queue() and listed(study) == EXPECTED
    newest = study.history(limit=1)[0]
    assert newest.undoes == action.id
    with pytest.raises(FqdaError, match="no review decision to undo"):
        study.undo_review("rev")


def test_undo_names_an_earlier_review_action(study: fq.Study) -> None:
    one = study.decide_suggestions(study.review_queue(QueueFilter(subtopics=("1.1",))),
                                   "accepted", "rev")
    two = study.decide_suggestions(study.review_queue(QueueFilter(subtopics=("2.1",))),
                                   "rejected", "rev")
    assert [one.action, two.action] == sorted(review_actions(study.store, "rev"))
    first, second = sorted(review_actions(study.store, "rev"))
    assert study.history(limit=1)[0].id == second
    study.undo_review("rev", first)
    assert listed(study, subtopics=("1.1",)) == [e for e in EXPECTED if e[1] == "1.1"]
    assert listed(study, subtopics=("2.1",)) == []
    with pytest.raises(FqdaError, match="undone already"):
        study.undo_review("rev", first)
    code = study.code(["P3:2"], ["2.2"], coder="rev")
    assert code.added
    not_review = study.history(limit=1)[0].id
    with pytest.raises(FqdaError, match="is not a review decision"):
        study.undo_review("rev", not_review)
    assert second in review_actions(study.store, "rev")


EXCLUDING = CODEBOOK.replace(
    "        keywords: [note, sheet]\n",
    "        keywords: [note, sheet]\n        exclude_keywords: [on the sheet, the note]\n")


def test_exclusion_phrases_cancel_matches_inside_them(study_dir: Path) -> None:
    (study_dir / "codings.csv").unlink()
    (study_dir / "codebooks" / "framework.yaml").write_text(EXCLUDING, encoding="utf-8")
    with fq.open_study(study_dir) as s:
        s.import_cases("cases.csv")
        s.import_codebook("codebooks/framework.yaml")
        s.ingest()
        assert s.codebook.subtopic("1.1").exclude_keywords == ("on the sheet", "the note")
        s.suggest()
        # P1: "on the sheet" is excluded, "The sheet is" still matches; P10's
        # "The notes" is the inflected exclusion; P2's "a note" stays.
        assert listed(s, subtopics=("1.1",)) == [("P1:2", "1.1", "sheet"),
                                                 ("P2:2", "1.1", "note")]
        p1 = s.review_queue(QueueFilter(subtopics=("1.1",)))[0]
        assert p1.matched == "sheet"


def test_exclusion_phrases_round_trip_through_the_store_and_export(study_dir: Path,
                                                                   tmp_path: Path) -> None:
    (study_dir / "codebooks" / "framework.yaml").write_text(EXCLUDING, encoding="utf-8")
    with fq.open_study(study_dir) as s:
        s.import_cases("cases.csv")
        s.import_codebook("codebooks/framework.yaml")
        sub = s.codebook.subtopic("1.1")
        assert (sub.keywords, sub.exclude_keywords) == (("note", "sheet"),
                                                        ("on the sheet", "the note"))
        out = tmp_path / "cb.yaml"
        s.export_codebook(out)
    assert "exclude_keywords: [on the sheet, the note]" in out.read_text(encoding="utf-8")


def test_exclusion_phrases_round_trip_through_a_csv_codebook(study_dir: Path,
                                                             tmp_path: Path) -> None:
    (study_dir / "codebooks" / "framework.yaml").write_text(EXCLUDING, encoding="utf-8")
    with fq.open_study(study_dir) as s:
        s.import_codebook("codebooks/framework.yaml")
        out = s.export_codebook(tmp_path / "cb.csv")
    header, row = out.read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header.endswith(",patterns,exclude_keywords")
    assert row.endswith(",on the sheet; the note")
    cb, _ = read_table_codebook(out)
    assert cb.subtopic("1.1").exclude_keywords == ("on the sheet", "the note")


def test_the_interactive_walk_takes_the_queue_filter(study: fq.Study) -> None:
    walk = study.review(coder="rev", where=QueueFilter(keywords=("short",)))
    assert [(i.case_id, i.subtopic) for i in walk.items] == [("P1", "2.1"), ("P3", "2.1")]


def test_cli_lists_the_queue_in_every_format(study: fq.Study) -> None:
    root = str(study.root)
    code, out, _ = fqda("review", "--list", "--keyword", "short", "--study", root)
    assert code == 0 and "2 suggestions (2.1: 2) pending" in out and "P3:4" in out
    code, out, _ = fqda("review", "--list", "--group", "Nurses", "-f", "csv", "--study", root)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["ref"], r["subtopic"]) for r in rows] == [
        ("P3:2", "1.2"), ("P3:4", "2.1"), ("P10:2", "1.1"), ("P10:4", "2.1")]
    assert rows[0]["text"] == "A proper conversation at the bedside."
    assert (rows[0]["source"], rows[0]["start"] < rows[0]["end"]) == ("P3.txt", True)
    code, out, _ = fqda("review", "--list", "--subtopic", "2.2", "-f", "json", "--study", root)
    assert [(r["ref"], r["matched"]) for r in json.loads(out)] == [("P2:4", "Time; overruns")]


def test_cli_bulk_decisions_ask_first_and_undo_puts_them_back(study: fq.Study) -> None:
    root = str(study.root)
    code, out, err = fqda("review", "--reject", "--case", "P1", "--study", root, input="n\n")
    assert "reject 2 suggestions (1.1: 1, 2.1: 1)?" in err and "nothing changed" in out
    assert len(study.review_queue(QueueFilter(cases=("P1",)))) == 2
    code, out, _ = fqda("review", "--reject", "--case", "P1", "--study", root, input="y\n")
    assert code == 0 and "2 suggestion(s) rejected as #" in out
    code, out, _ = fqda("review", "--accept", "--subtopic", "1", "--yes", "--study", root)
    assert "4 suggestion(s) accepted" in out
    assert sorted(q.ref for q in study.quotes("1")) == ["P10:2", "P2:2", "P2:2", "P3:2"]
    code, out, _ = fqda("review", "--undo", "--study", root)
    assert code == 0 and "undid #" in out and "4 codings added" in out
    assert study.quotes("1") == []
    code, out, err = fqda("review", "--accept", "--undo", "--study", root)
    assert code == 1 and "give one of --list, --accept, --reject and --undo" in err


def test_cli_interactive_walk_takes_the_filters(study: fq.Study) -> None:
    code, out, _ = fqda("review", "--keyword", "note", "--study", str(study.root),
                        input="a\nr\n")
    assert "1 accepted, 1 rejected, 0 changed, 0 skipped; 0 left for review" in out


def test_a_theme_is_named_by_code_or_label(study: fq.Study) -> None:
    assert listed(study, subtopics=("Pressures",)) == listed(study, subtopics=("2",))


def test_undo_takes_back_one_answer_of_the_interactive_walk(study: fq.Study) -> None:
    root = str(study.root)
    fqda("review", "--case", "P2", "--study", root, input="a\nr\nq\n")
    assert listed(study, cases=("P2",)) == [("P2:4", "2.2", "Time; overruns")]
    code, out, _ = fqda("review", "--undo", "--study", root)
    assert code == 0 and "1 suggestion changed" in out
    assert listed(study, cases=("P2",)) == [("P2:2", "1.2", "talk; face to face"),
                                            ("P2:4", "2.2", "Time; overruns")]
    code, out, _ = fqda("review", "--undo", "--study", root)
    assert "1 coding added" in out
    assert [e for e in EXPECTED if e[0].startswith("P2:")] == listed(study, cases=("P2",))
