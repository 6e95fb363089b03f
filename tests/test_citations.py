"""Summary references stay on the words they cite when a transcript is ingested again."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import framework_qda as fq
from framework_qda.citations import ref_items, renumber_text
from tests.conftest import DATA

P1 = (DATA / "study" / "transcripts" / "P1.txt").read_text(encoding="utf-8")


def cited_words(study: fq.Study, case: str, code: str) -> list[str]:
    """The words each reference in a cell's summary names now, in typed order."""
    text = study.store.summaries()[(case, code)].text
    words: list[str] = []
    for _, _src, first, last in ref_items(text):
        for n in range(first, last + 1):
            words.append(study.segments(case, n, n)[0].text)
    return words


def test_two_lines_added_at_the_top_move_the_summary_refs_with_the_codings(
        study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "Writes it on the sheet [P1:2]")
    words = cited_words(study, "P1", "1.1")
    (study.root / "transcripts" / "P1.txt").write_text(
        "Interviewer: Hello, and thanks.\n\nDana: Hi.\n\n" + P1, encoding="utf-8")
    report = study.ingest()
    assert [f.status for f in report.files if f.path.endswith("P1.txt")] == ["updated"]
    row = study.store.summaries()[("P1", "1.1")]
    assert row.text == "Writes it on the sheet [P1:4]"
    assert cited_words(study, "P1", "1.1") == words
    assert study.summary_links()[("P1", "1.1")] == ["P1:4"]
    # the words under the summary did not change: the cell is not stale, and status says so
    assert study.cells(["1.1"])[("P1", "1.1")].state == "summarised"
    assert study.charting_status().stale == []


def test_words_changed_under_a_summary_make_it_stale_and_status_names_them(
        study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "Writes it on the sheet [P1:2]")
    changed = P1.replace("We write everything on the sheet.", "We write most things down.")
    (study.root / "transcripts" / "P1.txt").write_text(changed, encoding="utf-8")
    report = study.ingest(force=True)
    assert report.failed == []
    stale = study.charting_status().stale
    assert [(s.cell.case_id, s.cell.subtopic) for s in stale] == [("P1", "1.1")]
    assert "We write everything on the sheet." in stale[0].change.describe()


def test_renumbering_keeps_typed_spacing_and_writes_split_ranges_as_lists() -> None:
    moves = {2: [4], 3: [5], 4: [7]}
    text = "A [P1:2-4] and [P1:2, 3] but [sic] and [P2:9]"
    assert renumber_text(text, lambda src, n: moves.get(n) if src == "P1" else None) == (
        "A [P1:4-5, 7] and [P1:4, 5] but [sic] and [P2:9]")


# -- the property: whatever is inserted or deleted around coded spans -------------------
_TURN = st.sampled_from(["Interviewer: Something else?\n\n", "Dana: Yes.\n\n",
                         "Interviewer: Go on.\n\n", "Dana: I suppose so, most weeks.\n\n",
                         "\n"])
_TEMPLATE: list[Path] = []


def _coded_study() -> Path:
    """One study, run and with a summary citing P1's second and fourth turns, made once;
    each example works on a copy of it."""
    if not _TEMPLATE:
        root = Path(tempfile.mkdtemp()) / "study"
        shutil.copytree(DATA / "study", root)
        with fq.open_study(root) as study:
            study.run()
            study.code(["P1:4"], ["1.1"], coder="hb")
            study.set_summary("P1", "1.1", "Sheet [P1:2] and staffing [P1:4]; also [P1:2, 4]")
        _TEMPLATE.append(root)
    return _TEMPLATE[0]


@settings(max_examples=15, deadline=None)
@given(before=st.lists(_TURN, max_size=3), between=st.lists(_TURN, max_size=2),
       after=st.lists(_TURN, max_size=3), drop_first=st.booleans())
def test_every_reference_renders_to_the_same_words_after_any_edit_around_them(
        before: list[str], between: list[str], after: list[str], drop_first: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        shutil.copytree(_coded_study(), root)
        with fq.open_study(root) as study:
            words = cited_words(study, "P1", "1.1")
            turns = P1.strip().split("\n\n")  # question, answer, question, answer
            kept = turns[1:] if drop_first else turns  # an uncited question may go
            text = ("".join(before) + kept[0] + "\n\n" + "".join(between)
                    + "\n\n".join(kept[1:]) + "\n\n" + "".join(after))
            (root / "transcripts" / "P1.txt").write_text(text, encoding="utf-8")
            report = study.ingest()
            assert report.failed == [], report.failed[0].message
            assert cited_words(study, "P1", "1.1") == words
            assert study.cells(["1.1"])[("P1", "1.1")].state == "summarised"
