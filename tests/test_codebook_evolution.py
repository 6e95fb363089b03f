"""Evolving the framework during analysis: nothing coded or charted is ever lost."""

from __future__ import annotations

from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.codebook import read_codebook
from tests._cli import fqda
from tests.conftest import snapshot


def passages(s: fq.Study) -> list[tuple[str, str]]:
    """Every coded passage as (ref, text): what must survive any change of the codebook."""
    return sorted({(e.ref, e.text) for e in s.store.evidence()})


def test_rename_keeps_codings_and_summaries(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "Relies on the handover sheet [P1:2]")
    before = (study.store.coding_count(), passages(study), study.store.summaries())
    change = study.rename_subtopic("1.1", "Written handover", who="hb")
    assert change.detail == "label 'Handover notes' -> 'Written handover'"
    assert study.codebook.subtopic("1.1").label == "Written handover"
    summaries = study.store.summaries()
    assert (study.store.coding_count(), passages(study)) == before[:2]
    assert summaries[("P1", "1.1")].text == "Relies on the handover sheet [P1:2]"
    assert study.cells()[("P1", "1.1")].state == "summarised"
    assert study.codebook_log()[-1].who == "hb"
    assert study.codebook_log()[-1].action == "rename"


def test_rename_a_theme(study: fq.Study) -> None:
    study.rename_subtopic("2", "Workload")
    assert study.codebook.theme("2").label == "Workload"


def test_merge_moves_codings_collapses_duplicates_and_joins_summaries(study: fq.Study) -> None:
    # P1:2 is coded 1.1 already; coding it 1.2 too makes a duplicate to collapse.
    study.code(["P1:2"], ["1.2"], coder="hb")
    study.set_summary("P1", "1.1", "Writes everything down [P1:2]")
    study.set_summary("P1", "1.2", "Also talks it through")
    study.set_summary("P2", "1.2", "Prefers to talk [P2:2]")
    before_passages = passages(study)
    before_cases = {(e.case_id, e.ref) for e in study.store.evidence()}
    change = study.merge_subtopics("1.2", "1.1", who="hb")
    assert "1 duplicate(s) collapsed" in change.detail
    assert (change.collapsed, change.summaries) == (1, 2)
    assert "1.2" not in {s.code for s in study.codebook.subtopics}
    # Every passage is still coded, now under 1.1.
    assert passages(study) == before_passages
    assert {(e.case_id, e.ref) for e in study.store.evidence(["1.1"])} == before_cases & {
        ("P1", "P1:2"), ("P2", "P2:2"), ("P3", "P3:2"), ("P10", "P10:2")}
    cells = study.cells()
    # Both cells had a summary: joined, nothing dropped, and marked stale for a re-read.
    assert cells[("P1", "1.1")].summary == (
        "Writes everything down [P1:2]\n\n[merged from 1.2 Talking in person] "
        "Also talks it through")
    assert cells[("P1", "1.1")].state == "stale"
    # Only the merged sub-topic had one: it moves as it was.
    assert cells[("P2", "1.1")].summary == "Prefers to talk [P2:2]"
    assert cells[("P2", "1.1")].state == "summarised"
    assert study.codebook_log()[-1].action == "merge"


def test_move_gives_the_next_free_code_and_keeps_everything(study: fq.Study) -> None:
    study.set_summary("P2", "1.2", "Prefers to talk [P2:2]")
    before = passages(study)
    change = study.move_subtopic("1.2", "2")
    assert change.new_code == "2.3"
    assert [s.code for s in study.codebook.theme("2").subtopics] == ["2.1", "2.2", "2.3"]
    assert study.codebook.subtopic("2.3").label == "Talking in person"
    assert passages(study) == before
    assert {e.ref for e in study.store.evidence(["2.3"])} == {"P2:2", "P3:2"}
    assert study.cells()[("P2", "2.3")].summary == "Prefers to talk [P2:2]"
    # The old code still leads to the sub-topic's work.
    assert study.store.code_aliases() == {"1.2": "2.3"}


def test_remove_is_refused_while_work_rests_on_it(study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Short-staffed at night")
    before = snapshot(study)
    with pytest.raises(fq.FqdaError, match=r"sub-topic 2.1 has 3 coding\(s\) in 3 case\(s\) "
                       r"and 1 summary\(ies\); merge it"):
        study.remove_subtopic("2.1")
    assert snapshot(study) == before
    change = study.remove_subtopic("2.1", force=True)
    assert (change.codings, change.summaries) == (3, 1)
    assert study.store.coding_count() == 5
    assert "2.1" not in study.store.subtopic_ids()


def test_remove_an_unused_subtopic_needs_no_force(study: fq.Study) -> None:
    study.store.delete_codings([c.id for c in study.store.codings() if c.subtopic == "2.2"])
    assert study.remove_subtopic("2.2").codings == 0


def test_unknown_codes_change_nothing(study: fq.Study) -> None:
    before = snapshot(study)
    for bad in (lambda: study.rename_subtopic("9.9", "X"),
                lambda: study.merge_subtopics("1.1", "9.9"),
                lambda: study.merge_subtopics("1.1", "1.1"),
                lambda: study.move_subtopic("1.1", "7"),
                lambda: study.move_subtopic("1.1", "1"),
                lambda: study.rename_subtopic("1.1", "  ")):
        with pytest.raises(fq.FqdaError):
            bad()
    assert snapshot(study) == before


def test_evolution_rewrites_the_codebook_file_so_a_rerun_agrees(study: fq.Study) -> None:
    book = study.root / "codebooks" / "framework.yaml"
    book.write_text("# The ward study's framework\n" + book.read_text(encoding="utf-8"),
                    encoding="utf-8")
    change = study.rename_subtopic("2.2", "Time pressure")
    assert book.read_text(encoding="utf-8").startswith("# The ward study's framework\ntitle:")
    assert change.file == str(book)
    assert read_codebook(book).subtopic("2.2").label == "Time pressure"
    study.move_subtopic("2.2", "1")
    assert read_codebook(book).subtopic("1.3").label == "Time pressure"
    assert study.import_codebook(book) == fq.CodebookImport()


# -- re-import ------------------------------------------------------------------------
def test_reimport_matches_by_guid_so_a_new_code_is_a_rename(study: fq.Study,
                                                             tmp_path: Path) -> None:
    study.set_summary("P2", "1.2", "Prefers to talk [P2:2]")
    before = passages(study)
    path = study.export_codebook(tmp_path / "edited.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("code: '1.2'", "code: '1.5'"), encoding="utf-8")
    changes = study.import_codebook(path)
    assert changes.recoded == ("1.2 -> 1.5",)
    assert changes.added == changes.removed == ()
    assert passages(study) == before
    assert study.cells()[("P2", "1.5")].summary == "Prefers to talk [P2:2]"
    assert study.codebook_log()[-1].detail == "code 1.2 -> 1.5 from edited.yaml"


def test_reimport_swapping_two_codes_by_guid(study: fq.Study, tmp_path: Path) -> None:
    ones = {e.ref for e in study.store.evidence(["1.1"])}
    path = study.export_codebook(tmp_path / "swap.csv")
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace(",1.1,", ",X,").replace(",1.2,", ",1.1,").replace(",X,", ",1.2,"),
                    encoding="utf-8")
    changes = study.import_codebook(path)
    assert sorted(changes.recoded) == ["1.1 -> 1.2", "1.2 -> 1.1"]
    assert {e.ref for e in study.store.evidence(["1.2"])} == ones


def test_reimport_dropping_a_coded_subtopic_is_refused(study: fq.Study, tmp_path: Path) -> None:
    before = snapshot(study)
    path = tmp_path / "smaller.yaml"
    path.write_text('themes:\n  - code: "1"\n    label: Communication\n    subtopics:\n'
                    '      - code: "1.1"\n        label: Handover notes\n', encoding="utf-8")
    with pytest.raises(fq.FqdaError, match="drops sub-topics that codings or summaries rest "
                       "on: 1.2, 2.1, 2.2"):
        study.import_codebook(path)
    assert snapshot(study) == before


# -- the commands ---------------------------------------------------------------------
def test_cli_show_counts_codings_and_cases(study: fq.Study) -> None:
    code, out, _ = fqda("codebook", "show", "--study", str(study.root))
    assert code == 0
    assert "2.1 Staffing  3 codings · 3 cases" in out
    assert "2.2 Time  1 coding · 1 case" in out
    code, out, _ = fqda("codebook", "show", "--format", "csv", "--study", str(study.root))
    assert "2 Pressures,2.1,Staffing,3,3,0,Too few staff on shift." in out


def test_cli_evolution_commands_and_log(study: fq.Study) -> None:
    root = str(study.root)
    n = study.store.coding_count()
    code, out, _ = fqda("codebook", "rename", "2.1", "Staffing levels", "--study", root)
    assert code == 0 and "rename 2.1: label 'Staffing' -> 'Staffing levels'" in out
    code, out, _ = fqda("codebook", "merge", "2.2", "--into", "2.1", "--study", root)
    assert code == 0 and "merge 2.2: into 2.1" in out
    code, out, _ = fqda("codebook", "move", "2.1", "--to-theme", "1", "--study", root)
    assert code == 0 and "as 1.3" in out
    code, _, err = fqda("codebook", "remove", "1.3", "--study", root)
    assert code == 1 and "sub-topic 1.3 has 4 coding(s)" in err
    code, out, _ = fqda("codebook", "log", "--format", "csv", "--study", root)
    lines = [line for line in out.splitlines() if ",tester," in line]
    assert [line.split(",")[2:4] for line in lines] == [
        ["rename", "2.1"], ["merge", "2.2"], ["move", "2.1"]]
    with fq.open_study(study.root) as again:
        assert again.store.coding_count() == n


def test_cli_export_and_diff(study: fq.Study, tmp_path: Path) -> None:
    root = str(study.root)
    code, out, _ = fqda("codebook", "export", "--format", "xlsx", "-o",
                        str(tmp_path / "a.xlsx"), "--study", root)
    assert code == 0 and "codebook written to" in out
    fqda("codebook", "rename", "1.1", "Notes", "--study", root)
    code, out, _ = fqda("codebook", "export", "-o", str(tmp_path / "b.qdc"), "--study", root)
    code, out, _ = fqda("codebook", "diff", str(tmp_path / "a.xlsx"), str(tmp_path / "b.qdc"),
                        "--format", "csv")
    assert code == 0
    assert out.splitlines()[1:] == ["renamed,1.1,sub-topic label 'Handover notes' -> 'Notes'"]
    code, _, err = fqda("codebook", "export", "--format", "pdf", "-o", str(tmp_path / "x.pdf"),
                        "--study", root)
    assert code == 1 and "use one of yaml, csv, xlsx, qdc" in err


def test_cli_import_reports_folded_levels_as_warnings(study: fq.Study, tmp_path: Path) -> None:
    path = tmp_path / "deep.qdc"
    path.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="0ede5bd6-e64e-4536-aee6-8663227dacb5" name="1 Communication" '
        'isCodable="false"><Code guid="2b5e8f6b-d3a0-412e-9ca8-418531b012f7" '
        'name="1.1 Handover notes" isCodable="true"><Code guid="1ac2e223-431f-4945-8543-'
        '9e5ed2e4a1b7" name="Sheets" isCodable="true"/></Code><Code guid="1851945c-2f2e-49fe-'
        '80cd-fc93c74b3c85" name="1.2 Talking in person" isCodable="true"/></Code>'
        '<Code guid="5d72168b-5965-47c2-92bf-c26a12155efb" name="2 Pressures" isCodable="false">'
        '<Code guid="6470fca7-ced8-40fb-ae65-8c7330db5c15" name="2.1 Staffing" isCodable="true"/>'
        '<Code guid="f5a72e23-6e63-4ec6-b8e8-60ed45c563e1" name="2.2 Time" isCodable="true"/>'
        '</Code></Codes></CodeBook>', encoding="utf-8")
    code, out, err = fqda("codebook", "import", str(path), "--study", str(study.root))
    assert code == 0, err
    assert "warning:" in err and "Handover notes › Sheets" in err
    assert "4 sub-topics: 0 added, 3 changed, 0 recoded, 0 removed" in out


def test_example_study_keeps_every_coding_through_merge_and_rename(tmp_path: Path) -> None:

    from tests.conftest import copy_example

    root = tmp_path / "example"
    copy_example(root)
    with fq.open_study(root) as s:
        s.run()
        before = passages(s)
        summaries = {k[0]: v.text for k, v in s.store.summaries().items() if k[1] == "1.4"}
        assert before and summaries
        s.rename_subtopic("2.3", "Pooled and aligned budgets")
        s.merge_subtopics("2.4", "2.3")
        s.merge_subtopics("1.4", "1.3")
        assert passages(s) == before
        after = s.store.summaries()
        # Every case's 1.4 summary is still there, inside 1.3's cell.
        for case_id, text in summaries.items():
            assert text in after[(case_id, "1.3")].text
        assert s.codebook.subtopic("2.3").label == "Pooled and aligned budgets"


def test_run_after_a_merge_reads_old_codes_in_codings_and_summaries(study_dir: Path) -> None:
    """codings.csv and summaries.csv written before a merge still import after it."""
    (study_dir / "summaries.csv").write_text(
        "case,subtopic,summary\nP2,2.2,Overruns eat handover time [P2:4]\n")
    with fq.open_study(study_dir) as s:
        s.run()
        s.merge_subtopics("2.2", "2.1")
        s.run()  # re-imports codings.csv and summaries.csv that still say 2.2
        cell = s.matrix("2").cell("P2", "2.1")
        assert [e.ref for e in cell.evidence] == ["P2:4"]
        assert cell.summary == "Overruns eat handover time [P2:4]"
