"""Ingesting plain-text transcripts: turns, offsets, line numbers, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import framework_qda as fq
from framework_qda.config import StudyConfig
from framework_qda.ingest.encoding import decode
from framework_qda.ingest.turns import find_turns
from tests.conftest import snapshot


def test_turns_have_speakers_roles_and_line_numbers(study: fq.Study) -> None:
    segs = study.segments("P1")
    assert [s.ref for s in segs] == ["P1:1", "P1:2", "P1:3", "P1:4"]
    assert [(s.speaker, s.role) for s in segs[:2]] == [
        ("Interviewer", "interviewer"), ("Dana", "participant")]
    # A continuation line belongs to its turn.
    assert segs[1].text == ("We write everything on the sheet. The sheet is the handover,\n"
                            "really, and it goes in the folder.")
    assert (segs[1].line_first, segs[1].line_last) == (3, 4)


def test_every_segment_is_its_span_of_the_source(study: fq.Study) -> None:
    for source in study.store.sources():
        for seg in study.store.segments(source.id):
            assert source.text[seg.start:seg.end] == seg.text


def test_sentences_are_stored_inside_their_turn(study: fq.Study) -> None:
    source = study.store.source_by_name("P1")
    assert source is not None
    sentences = study.store.sentences(source.id, 2)
    assert [source.text[a:b] for a, b in sentences] == [
        "We write everything on the sheet.",
        "The sheet is the handover,\nreally, and it goes in the folder.",
    ]


def test_unchanged_file_is_left_alone(study: fq.Study) -> None:
    report = study.ingest()
    assert report.count("unchanged") == 4
    assert report.count("added") == 0


def test_changed_file_keeps_codings_on_text_that_moved(study: fq.Study, study_dir: Path) -> None:
    path = study_dir / "transcripts" / "P1.txt"
    path.write_text("Interviewer: A new first question?\n\nDana: Yes.\n\n"
                    + path.read_text(encoding="utf-8"), encoding="utf-8")
    report = study.ingest()
    assert report.count("updated") == 1
    quotes = [q.text for q in study.quotes("2.1", groups=["Managers"])]
    assert quotes == ["Hardly. We are two nurses short most nights."]
    assert study.quotes("2.1", groups=["Managers"])[0].ref == "P1:6"


def test_changed_file_that_loses_coded_text_is_refused(study: fq.Study, study_dir: Path) -> None:
    before = snapshot(study)
    path = study_dir / "transcripts" / "P1.txt"
    path.write_text("Interviewer: Start again?\n\nDana: Something else entirely.\n",
                    encoding="utf-8")
    report = study.ingest()
    assert report.count("failed") == 1
    assert "rest on text that the new version no longer has" in report.failed[0].message
    assert snapshot(study) == before
    forced = study.ingest(force=True)
    assert forced.count("updated") == 1
    assert "dropped 2 coding(s)" in forced.files[0].message


def test_paragraphs_when_there_are_no_speakers() -> None:
    text = "First thought here.\nStill the first.\n\n\nA second paragraph.\n"
    segs = find_turns(text, StudyConfig().role_of)
    assert [text[s.start:s.end] for s in segs] == [
        "First thought here.\nStill the first.", "A second paragraph."]
    assert [(s.line_first, s.line_last) for s in segs] == [(1, 2), (5, 5)]


def test_a_colon_in_a_sentence_does_not_start_a_turn() -> None:
    text = ("Interviewer: What was hard?\n\nR: The problem was: money. And time.\n\n"
            "Interviewer: Go on.\n")
    segs = find_turns(text, StudyConfig().role_of)
    assert [s.speaker for s in segs] == ["Interviewer", "R", "Interviewer"]
    assert text[segs[1].start:segs[1].end] == "The problem was: money. And time."


def test_label_variants_and_timestamps() -> None:
    text = ("[00:01:23] Interviewer 1 : Hello.\nMODERATOR: Yes.\nP1: Fine.\nP1: Again.\n")
    segs = find_turns(text, StudyConfig().role_of)
    assert [(s.speaker, s.role, s.timestamp) for s in segs] == [
        ("Interviewer 1", "interviewer", "00:01:23"), ("MODERATOR", "interviewer", ""),
        ("P1", "participant", ""), ("P1", "participant", "")]


@pytest.mark.parametrize(("data", "text", "encoding"), [
    (b"\xef\xbb\xbfA: caf\xc3\xa9\r\nB: ok\r\n", "A: café\nB: ok\n", "utf-8"),
    ("A: café\n".encode("utf-16"), "A: café\n", "utf-16-le"),
    (b"A: caf\xe9 \x93quoted\x94\r\n", "A: café “quoted”\n", "cp1252"),
    (b"A: line one\rB: line two\r", "A: line one\nB: line two\n", "utf-8"),
    (b"A: caf\x8e\rB: ok\r", "A: café\nB: ok\n", "mac_roman"),
])
def test_encodings_and_line_endings(data: bytes, text: str, encoding: str) -> None:
    assert decode(data, "t.txt") == (text, encoding)


_speech = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
                  max_size=60)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Interviewer", "Ann", "P1", "Bo Li"]), _speech,
                          st.sampled_from(["\n", "\n\n", "\n  \n"])), max_size=12),
       st.text(max_size=20))
def test_offsets_always_slice_to_the_segment(turns: list[tuple[str, str, str]],
                                              preamble: str) -> None:
    text = preamble.replace("\r", "") + "\n" + "".join(f"{who}: {said}{gap}"
                                                       for who, said, gap in turns)
    for seg in find_turns(text, StudyConfig().role_of):
        body = text[seg.start:seg.end]
        assert body == body.strip() and body
        assert seg.line_first == text.count("\n", 0, seg.start) + 1
        assert seg.line_last == text.count("\n", 0, seg.end) + 1


def _ingest_one(study: fq.Study, name: str, data: bytes) -> str:
    path = study.root / "transcripts" / name
    path.write_bytes(data)
    report = study.ingest([path])
    return report.files[0].status + ": " + report.files[0].message


def test_bad_files_get_one_clear_line_and_change_nothing(study: fq.Study) -> None:
    before = snapshot(study)
    assert _ingest_one(study, "P2_empty.txt", b"  \n\n") == "skipped: empty file"
    assert "binary file" in _ingest_one(study, "P3_bin.txt", b"\x89PNG\x00\x00\x01")
    assert "unsupported type '.rtf'" in _ingest_one(study, "P3.rtf", b"{\\rtf1}")
    msg = _ingest_one(study, "P99.txt", b"Interviewer: Hi\n\nZed: Hello\n")
    assert "case P99 is not in the study's cases" in msg and "cases.csv" in msg
    assert snapshot(study) == before


def test_withdrawn_placeholder_is_skipped(study: fq.Study) -> None:
    msg = _ingest_one(study, "P3_b.txt", b"Participant withdrew consent. No transcript.\n")
    assert msg == "skipped: placeholder for a withdrawn participant"


def test_transcript_text_never_appears_in_errors(study: fq.Study) -> None:
    msg = _ingest_one(study, "P77.txt", b"Interviewer: secret words\n\nAnn: more secret\n")
    assert "secret" not in msg


def test_unknown_model_names_the_install_command(study: fq.Study, study_dir: Path) -> None:
    (study_dir / "transcripts" / "P3.txt").write_text("Interviewer: x\n\nFay: y\n")
    report = study.ingest(model="xx_no_such_pipeline")
    assert "python -m spacy download xx_no_such_pipeline" in report.failed[0].message
