"""Charting: summaries in the cells, their links, their states, drafts and the editor flow."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.citations import ref_items
from framework_qda.errors import UnknownReference, ValidationError
from tests._cli import fqda
from tests.conftest import snapshot


def state(s: fq.Study, case: str, code: str) -> str:
    return s.cells([code])[(case, code)].state


# -- states and their transitions -------------------------------------------------
def test_a_cell_goes_empty_coded_summarised_stale_and_back(study: fq.Study) -> None:
    assert state(study, "P1", "1.2") == "empty"
    study.code(["P1:4"], ["1.2"], coder="hb")
    assert state(study, "P1", "1.2") == "coded"
    cell = study.set_summary("P1", "1.2", "Too few nurses to talk [P1:4]", author="hb")
    assert cell.state == "summarised"
    assert cell.summary == "Too few nurses to talk [P1:4]"
    # Uncoding the passage under the summary makes the summary stale ...
    study.uncode(["P1:4"], ["1.2"], coder="hb")
    assert state(study, "P1", "1.2") == "stale"
    stale = study.charting_status().stale
    assert [(s.cell.case_id, s.cell.subtopic, s.change.describe()) for s in stale] == [
        ("P1", "1.2", "evidence gone P1:4 “Hardly. We are two nurses short most nights.”")]
    # ... and saving it again (re-read against the evidence now) clears that.
    assert study.set_summary("P1", "1.2", "Nothing coded now [P1:4]",
                             replace=True).state == "summarised"


def test_reingesting_a_changed_transcript_makes_its_summaries_stale(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "The sheet is the handover [P1:2]")
    study.set_summary("P2", "1.2", "Notes unread at night [P2:2]")
    path = study.root / "transcripts" / "P1.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("and it goes in the folder.", "and it goes in the bin."),
                    encoding="utf-8")
    study.ingest(force=True)
    assert state(study, "P1", "1.1") == "stale"
    assert state(study, "P2", "1.2") == "summarised"  # another case's transcript: untouched
    [stale] = study.charting_status().stale
    assert stale.change.describe() == (
        "evidence gone P1:2 “We write everything on the sheet. The sheet …”")


def test_a_codebook_merge_that_adds_evidence_makes_the_cell_stale(study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Two nurses short [P1:4]")
    study.code(["P1:2"], ["2.2"])
    study.merge_subtopics("2.2", "2.1")
    assert state(study, "P1", "2.1") == "stale"
    [stale] = study.charting_status().stale
    assert stale.change.added == ("P1:2 “We write everything on the sheet. The sheet …”",)


def test_not_applicable_is_its_own_state_and_keeps_a_note(study: fq.Study) -> None:
    cell = study.set_summary("P1", "1.2", "not asked", not_applicable=True)
    assert cell.state == "not-applicable"
    assert study.matrix("1").cell("P1", "1.2").summary == "not asked"


def test_a_draft_becomes_a_summary_when_accepted(study: fq.Study) -> None:
    drafted = study.draft_summaries(theme="1")
    assert sorted(drafted) == [("P1", "1.1"), ("P10", "1.1"), ("P2", "1.2"), ("P3", "1.2")]
    assert state(study, "P1", "1.1") == "draft"
    text = study.cells(["1.1"])[("P1", "1.1")].summary
    assert study.accept_drafts("P1", author="hb") == [("P1", "1.1")]
    cell = study.cells(["1.1"])[("P1", "1.1")]
    assert (cell.state, cell.summary) == ("summarised", text)
    row = study.store.summaries()[("P1", "1.1")]
    # still the machine's words, now vouched for by the person who accepted them
    assert (row.author, row.origin, row.accepted_by) == ("fqda draft", "machine", "hb")
    assert row.accepted_at.startswith("20")
    assert state(study, "P10", "1.1") == "draft"  # only the case asked for


def test_a_draft_becomes_a_summary_when_a_human_edits_it(study: fq.Study) -> None:
    study.draft_summaries(theme="1")
    cell = study.set_summary("P2", "1.2", "Would rather talk than write [P2:2]",
                             author="hb")
    assert cell.state == "summarised"
    assert study.store.summaries()[("P2", "1.2")].author == "hb"
    # Accepting the rest leaves the human's text alone.
    assert sorted(study.accept_drafts(every=True)) == [("P1", "1.1"), ("P10", "1.1"),
                                                       ("P3", "1.2")]
    assert study.cells(["1.2"])[("P2", "1.2")].summary == "Would rather talk than write [P2:2]"


def test_a_draft_never_overwrites_a_human_summary(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "My own words [P1:2]")
    study.set_summary("P2", "1.2", "", not_applicable=True)
    drafted = study.draft_summaries()
    assert ("P1", "1.1") not in drafted and ("P2", "1.2") not in drafted
    rows = study.store.summaries()
    assert (rows[("P1", "1.1")].text, rows[("P1", "1.1")].state) == (
        "My own words [P1:2]", "summarised")
    assert rows[("P2", "1.2")].state == "not-applicable"
    # Even a stale human summary stays the human's.
    study.uncode(["P1:2"], ["1.1"], coder="hb")
    study.draft_summaries()
    assert study.store.summaries()[("P1", "1.1")].text == "My own words [P1:2]"


def test_a_stale_draft_is_drafted_again_not_accepted(study: fq.Study) -> None:
    study.draft_summaries(theme="2")
    study.code(["P1:2"], ["2.1"])
    assert state(study, "P1", "2.1") == "stale"
    assert ("P1", "2.1") not in study.accept_drafts("P1")
    assert study.draft_summaries(theme="2", case_id="P1") == [("P1", "2.1")]
    assert state(study, "P1", "2.1") == "draft"
    assert "[P1:2]" in study.cells(["2.1"])[("P1", "2.1")].summary


def test_accept_stale_confirms_a_summary_against_the_new_evidence(study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Short-staffed [P1:4]")
    study.code(["P1:2"], ["2.1"])
    assert study.accept_drafts("P1", stale=True) == [("P1", "2.1")]
    assert state(study, "P1", "2.1") == "summarised"


def test_drafts_quote_key_sentences_with_refs_and_are_deterministic(study: fq.Study) -> None:
    study.code(["P1:2"], ["2.1"])
    study.draft_summaries(theme="2", case_id="P1")
    text = study.cells(["2.1"])[("P1", "2.1")].summary
    assert text == ("“We write everything on the sheet. The sheet is the handover, really, and "
                    "it goes in the folder.” [P1:2] “We are two nurses short most nights.” "
                    "[P1:4]")
    assert study.summary_links()[("P1", "2.1")] == ["P1:2", "P1:4"]
    # Cleared by hand, the cell is coded again; drafted again, it reads the same.
    assert study.set_summary("P1", "2.1", "").state == "coded"
    study.draft_summaries(theme="2", case_id="P1")
    assert study.cells(["2.1"])[("P1", "2.1")].summary == text


# -- references become links -------------------------------------------------------
def test_references_in_a_summary_become_links(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "Writes it down [P1:2] and is short [P1:3-4]; [sic] stays")
    assert study.summary_links()[("P1", "1.1")] == ["P1:2", "P1:3", "P1:4"]
    study.set_summary("P1", "1.1", "Both [P1:2, 4]", replace=True)
    assert study.summary_links()[("P1", "1.1")] == ["P1:2", "P1:4"]


def test_an_unknown_reference_is_named_and_nothing_is_written(study: fq.Study) -> None:
    before = snapshot(study)
    with pytest.raises(UnknownReference) as exc:
        study.set_summary("P1", "1.1", "Too far [P1:9] and another case [P2:2]")
    message = str(exc.value)
    assert "[P1:9]: P1 has segments 1 to 4" in message
    assert "[P2:2]: case P1 has no transcript called P2" in message
    assert "P1 × 1.1" in message
    assert snapshot(study) == before


def test_ref_items_skip_bracketed_words() -> None:
    assert ref_items("a [laughs] b [inaudible 00:12] [P07:12, P07:14-15]") == [
        ("P07:12", "P07", 12, 12), ("P07:14-15", "P07", 14, 15)]


def test_summaries_csv_links_refs_and_keeps_human_text(study: fq.Study, tmp_path: Path
                                                       ) -> None:
    study.set_summary("P2", "1.2", "Mine [P2:2]")
    csv = tmp_path / "summaries.csv"
    csv.write_text('case,subtopic,summary\nP1,1.1,"Writes ""everything"" down [P1:2]"\n'
                   "P2,1.2,Not mine [P2:2]\n", encoding="utf-8")
    assert study.import_summaries(csv) == 1
    assert study.summary_links()[("P1", "1.1")] == ["P1:2"]
    assert study.store.summaries()[("P2", "1.2")].text == "Mine [P2:2]"
    bad = tmp_path / "bad.csv"
    bad.write_text("case,subtopic,summary\nP3,1.2,Fine [P3:2]\nP10,1.1,Wrong [P10:7]\n",
                   encoding="utf-8")
    before = snapshot(study)
    with pytest.raises(ValidationError) as exc:
        study.import_summaries(bad)
    assert f"{bad}:3:" in str(exc.value) and "[P10:7]" in str(exc.value)
    assert snapshot(study) == before


# -- the command line ----------------------------------------------------------------
def test_chart_sets_one_cell_or_marks_it_not_applicable(study: fq.Study) -> None:
    root = str(study.root)
    code, out, err = fqda("chart", "P1", "1.1", "--text", "On the sheet [P1:2]", "--study", root)
    assert code == 0, err
    assert "P1 × 1.1: summarised" in out
    code, out, _ = fqda("chart", "P1", "1.2", "--na", "--study", root)
    assert "P1 × 1.2: not-applicable" in out
    code, _, err = fqda("chart", "P1", "1.1", "--text", "Wrong [P1:40]", "--study", root)
    assert code == 1 and "[P1:40]: P1 has segments 1 to 4" in err
    assert study.store.summaries()[("P1", "1.1")].text == "On the sheet [P1:2]"


def test_chart_draft_and_accept_from_the_command_line(study: fq.Study) -> None:
    root = str(study.root)
    code, out, _ = fqda("chart", "--draft", "--theme", "2", "--study", root)
    assert code == 0 and "4 cell(s) drafted" in out
    code, out, _ = fqda("chart", "accept", "P3", "--study", root)
    assert code == 0 and "1 cell(s) accepted" in out
    assert state(study, "P3", "2.1") == "summarised"
    assert state(study, "P1", "2.1") == "draft"


FAKE_EDITOR = '''
import json, sys
from pathlib import Path
here = Path(__file__).parent
answers = json.loads((here / "answers.json").read_text(encoding="utf-8"))
seen = json.loads((here / "seen.json").read_text(encoding="utf-8"))
target = Path(sys.argv[-1])
seen.append(target.read_text(encoding="utf-8"))
(here / "seen.json").write_text(json.dumps(seen), encoding="utf-8")
answer = answers.pop(0)
(here / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
if answer is not None:  # None: quit without saving
    target.write_text(answer, encoding="utf-8")
'''


def fake_editor(tmp_path: Path, answers: list[str | None]) -> tuple[str, Path]:
    folder = tmp_path / "editor"
    folder.mkdir()
    (folder / "edit.py").write_text(FAKE_EDITOR, encoding="utf-8")
    (folder / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    (folder / "seen.json").write_text("[]", encoding="utf-8")
    return f'"{sys.executable}" "{folder / "edit.py"}"', folder / "seen.json"


def test_the_editor_flow_goes_through_a_row_and_reopens_on_a_bad_ref(
        study: fq.Study, tmp_path: Path) -> None:
    study.code(["P1:4"], ["1.2"])
    editor, seen_file = fake_editor(tmp_path, [
        "Keeps it all on the sheet [P1:9]\n# a comment line is dropped\n",
        "Keeps it all on 'the sheet' [P1:2]\n",
        None,
    ])
    code, out, err = fqda("chart", "P1", "--theme", "1", "--study", str(study.root),
                          env={"VISUAL": editor})
    assert code == 0, err
    seen = json.loads(seen_file.read_text(encoding="utf-8"))
    assert len(seen) == 3
    first = seen[0].splitlines()
    assert first[0] == ""  # no summary yet: the top is free for one
    assert "# (1) [P1:2] Dana: We write everything on the sheet. The sheet is the handover," \
        in first
    assert "#     really, and it goes in the folder." in first
    # The bad reference reopens the editor with the error and the text kept.
    assert seen[1].startswith("Keeps it all on the sheet [P1:9]\n")
    assert "# ERROR: unknown reference in the summary of P1 × 1.1: [P1:9]: P1 has segments " \
        "1 to 4" in seen[1]
    assert "# (1) [P1:4] Dana: Hardly. We are two nurses short most nights." in seen[2]
    cells = study.cells(["1.1", "1.2"])
    assert cells[("P1", "1.1")].summary == "Keeps it all on 'the sheet' [P1:2]"
    assert cells[("P1", "1.1")].state == "summarised"
    assert cells[("P1", "1.2")].state == "coded"  # closed without saving: left alone
    assert study.summary_links()[("P1", "1.1")] == ["P1:2"]


def test_the_editor_shows_the_current_summary_and_what_made_it_stale(
        study: fq.Study, tmp_path: Path) -> None:
    study.set_summary("P1", "1.1", "Old words [P1:2]")
    study.code(["P1:4"], ["1.1"])
    editor, seen_file = fake_editor(tmp_path, ["Old words, still true [P1:2, P1:4]"])
    code, _, err = fqda("chart", "P1", "--theme", "1", "--study", str(study.root),
                        env={"EDITOR": editor})
    assert code == 0, err
    [template] = json.loads(seen_file.read_text(encoding="utf-8"))
    assert template.startswith("Old words [P1:2]\n")
    assert "# STALE: new evidence P1:4 “Hardly. We are two nurses short most nights.”." \
        in template
    assert state(study, "P1", "1.1") == "summarised"


def test_without_an_editor_it_prompts_in_the_terminal(study: fq.Study) -> None:
    code, out, err = fqda("chart", "P2", "--theme", "1", "--study", str(study.root),
                          input="Prefers face to face [P2:2]\n")
    assert code == 0, err
    assert "# (1) [P2:2] Eli: I prefer to talk face to face. You catch things a note never " \
        "says." in out
    assert study.cells(["1.2"])[("P2", "1.2")].summary == "Prefers face to face [P2:2]"


def test_inline_prompt_asks_again_after_an_unknown_reference(study: fq.Study) -> None:
    code, out, err = fqda("chart", "P2", "--theme", "1", "--inline", "--study",
                          str(study.root), env={"VISUAL": "false"},
                          input="Wrong [P2:99]\nRight [P2:2]\n")
    assert code == 0, err
    assert "# ERROR: unknown reference" in out
    assert study.cells(["1.2"])[("P2", "1.2")].summary == "Right [P2:2]"
    # the prompt tells how to answer a prompt, not how to save a file in an editor
    assert "Type the summary on one line; Enter alone leaves the cell as it is" in out
    assert "quit without" not in out and "Save an empty text" not in out


def test_a_summary_from_before_evidence_snapshots_still_reads_stale(study: fq.Study) -> None:
    # Summaries stored before the charting migration carry only the evidence hash.
    sub = study.store.subtopic_ids()["1.1"]
    study.store.put_summary("P1", sub, "Older words", "summarised", "hb", "0123456789abcdef")
    assert state(study, "P1", "1.1") == "stale"
    [stale] = study.charting_status().stale
    assert stale.change.describe() == "the evidence changed after the summary was written"


def test_a_source_without_sentence_boundaries_still_gets_a_draft(study: fq.Study) -> None:
    source = study.store.source_by_name("P10")
    assert source is not None
    study.store.conn.execute("DELETE FROM sentences WHERE source_id = ?", (source.id,))
    assert study.draft_summaries(theme="2", case_id="P10") == [("P10", "2.1")]
    assert study.cells(["2.1"])[("P10", "2.1")].summary == (
        "“Too few of us. Staffing is the whole story.” [P10:4]")


# -- provenance: who wrote a summary, who accepted a draft ---------------------------
def test_a_persons_summary_is_written_over_only_when_told(study: fq.Study) -> None:
    from framework_qda.errors import ConflictError

    study.set_summary("P1", "1.1", "Her words [P1:2]", author="hb")
    with pytest.raises(ConflictError, match=r"P1 × 1\.1 already has a summary by hb .*--replace"):
        study.set_summary("P1", "1.1", "My words [P1:2]", author="jk")
    assert study.store.summaries()[("P1", "1.1")].text == "Her words [P1:2]"
    study.set_summary("P1", "1.1", "My words [P1:2]", author="jk", replace=True)
    earlier = [c.before["text"] for a in study.history(case_id="P1", subtopic="1.1")
               for c in a.changes if c.noun == "summary" and c.before]
    assert earlier[0] == "Her words [P1:2]"


def test_chart_accept_needs_a_scope_and_lists_what_it_accepted(study: fq.Study) -> None:
    root = str(study.root)
    study.draft_summaries(theme="1")
    code, _, err = fqda("chart", "accept", "--study", root)
    assert code == 1 and "--all" in err
    assert state(study, "P1", "1.1") == "draft"
    code, out, _ = fqda("chart", "accept", "--all", "--author", "hb", "--study", root)
    assert code == 0 and "accepted P1 × 1.1" in out and "4 cell(s) accepted" in out
    assert study.store.summaries()[("P10", "1.1")].accepted_by == "hb"


def test_chart_text_over_a_persons_summary_says_to_replace(study: fq.Study) -> None:
    root = str(study.root)
    assert fqda("chart", "P1", "1.1", "--text", "First [P1:2]", "--study", root)[0] == 0
    code, _, err = fqda("chart", "P1", "1.1", "--text", "Second [P1:2]", "--study", root)
    assert code == 1 and "--replace" in err
    code, out, _ = fqda("chart", "P1", "1.1", "--text", "Second [P1:2]", "--replace",
                        "--study", root)
    assert code == 0 and study.store.summaries()[("P1", "1.1")].text == "Second [P1:2]"


def test_a_cells_provenance_says_who_wrote_or_accepted_it(study: fq.Study) -> None:
    study.draft_summaries(theme="1")
    assert study.cells(["1.1"])[("P1", "1.1")].provenance.startswith(
        "machine draft (20") and "not accepted" in study.cells(["1.1"])[("P1", "1.1")].provenance
    study.accept_drafts("P1", author="hb")
    assert study.cells(["1.1"])[("P1", "1.1")].provenance.startswith(
        "machine draft accepted by hb, 20")
    study.set_summary("P2", "1.2", "Mine [P2:2]", author="jk", replace=True)
    assert study.cells(["1.2"])[("P2", "1.2")].provenance.startswith("written by jk, 20")
