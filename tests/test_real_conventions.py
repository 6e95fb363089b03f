"""Transcripts as real services and colleagues produce them (issue: real transcripts).

Each fixture is written by us and reproduces one class of problem seen in
real exports; the real files themselves are tried in ``test_realdata.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from framework_qda.config import StudyConfig
from framework_qda.ingest import _segments
from framework_qda.ingest.readers import Transcript, read
from framework_qda.store import SegmentRow


def segs(text: str, notes: list[str] | None = None,
         config: StudyConfig | None = None, fmt: str = "txt") -> list[SegmentRow]:
    found = _segments(Transcript(text=text, format=fmt), config or StudyConfig(), notes)
    for s in found:
        assert text[s.start:s.end] == text[s.start:s.end].strip()
    return found


def uncovered(text: str, found: list[SegmentRow]) -> list[str]:
    """Words of ``text`` outside every segment (labels aside)."""
    covered = [False] * len(text)
    for s in found:
        covered[s.start:s.end] = [True] * (s.end - s.start)
    return [m.group() for m in re.finditer(r"\S+", text)
            if not any(covered[m.start():m.end()]) and not m.group().endswith(":")]


REPORT = (
    "Evaluation of the winter rota pilot\n\n"
    "Contents\nSummary 2\nFindings 4\nAppendix: Research methods\n\n"
    "Summary\nThe pilot ran for twelve weeks in three wards. Staff said the new "
    "pattern was easier to plan around, although night cover remained thin.\n\n"
    "Findings\nMost staff preferred the new rota. Two wards kept the old handover.\n\n"
    "Appendix: Research methods\nWe interviewed twenty staff. Notes: kept on file.\n"
    "Each interview lasted about forty minutes and was recorded with consent.\n\n"
    "Contact the evaluation team\nT: 0115 496 0000\nE: rota@example.org\n"
    "Project office\nT: 0115 496 0001\nE: office@example.org\n"
)


def test_contact_lines_and_headings_are_not_speakers_and_no_text_is_lost() -> None:
    notes: list[str] = []
    found = segs(REPORT, notes)
    assert {(s.speaker, s.role) for s in found} == {("", "other")}
    assert uncovered(REPORT, found) == []
    # The appendix is not one turn running to the end of the file.
    assert max(s.end - s.start for s in found) < 200
    assert any("not speaker turns" in n for n in notes)


def test_a_title_before_the_first_turn_is_a_segment_of_its_own() -> None:
    text = ("Interview 4, Leeds, 3 May\n\nInterviewer: Ready?\nAnn: Yes.\nInterviewer: Go.\n"
            "Ann: Well.\n")
    found = segs(text)
    assert [(s.speaker, s.role, text[s.start:s.end]) for s in found][0] == (
        "", "other", "Interview 4, Leeds, 3 May")
    assert uncovered(text, found) == []


def test_a_typo_in_a_known_label_starts_that_speakers_turn_and_is_reported() -> None:
    text = ("Interviewer: How was the first week?\nParticipant: Busy.\n"
            "Interviewer: And the second?\nParticpant: Right. Calmer.\n"
            "Interviewer: Thanks.\nParticipant: Welcome.\n")
    notes: list[str] = []
    found = segs(text, notes)
    assert [(s.speaker, s.role, text[s.start:s.end]) for s in found][3] == (
        "Participant", "participant", "Right. Calmer.")
    assert notes == ["line 4: a label one slip from 'Participant' is read as 'Participant'"]


def test_distinct_speakers_with_close_names_are_not_merged() -> None:
    text = "Anna: Hello there.\nAnne: Hi.\nAnna: How are you?\nAnne: Fine.\n"
    assert [s.speaker for s in segs(text)] == ["Anna", "Anne", "Anna", "Anne"]


WHISPER_LINE = " ".join(
    f"Sentence number {i} is about the rota and how the staff on the ward felt about it."
    for i in range(200))


def test_long_unlabelled_speech_recognition_text_is_cut_at_sentences() -> None:
    found = segs(WHISPER_LINE)
    assert len(found) > 10
    for s in found:
        words = WHISPER_LINE[s.start:s.end].split()
        assert len(words) <= 200
        assert WHISPER_LINE[s.start:s.end].endswith(".")
    assert uncovered(WHISPER_LINE, found) == []
    assert sum(len(WHISPER_LINE[s.start:s.end].split()) for s in found) == \
        len(WHISPER_LINE.split())


def test_unpunctuated_text_is_cut_at_a_bounded_length() -> None:
    text = " ".join(["word"] * 1000)
    found = segs(text)
    assert [len(text[s.start:s.end].split()) for s in found] == [200] * 5


OTTER_WITH_TITLE = """Ward 4 follow-up interview

SUMMARY KEYWORDS
rota, night shift, handover

SPEAKERS
Sara Jones, P01

Sara Jones  00:13
How did the new rota work out?

P01  00:21
Better than I feared. The nights were still hard.

Sara Jones  24:01
Thank you.

P01  24:05
No problem.

Transcribed by https://otter.ai
"""


def _otter_rows(found: list[SegmentRow], text: str) -> list[tuple[str, str, str, str]]:
    return [(s.speaker, s.role, s.timestamp, text[s.start:s.end]) for s in found]


def test_otter_export_with_its_title_and_header_keeps_every_speaker(tmp_path: Path) -> None:
    path = tmp_path / "P01.txt"
    path.write_text(OTTER_WITH_TITLE, encoding="utf-8")
    t = read(path)
    assert t.format == "otter"
    found = _segments(t, StudyConfig())
    assert _otter_rows(found, t.text) == [
        ("Sara Jones", "interviewer", "00:00:13", "How did the new rota work out?"),
        ("P01", "participant", "00:00:21", "Better than I feared. The nights were still hard."),
        ("Sara Jones", "interviewer", "00:24:01", "Thank you."),
        ("P01", "participant", "00:24:05", "No problem."),
    ]


def test_otter_word_export_is_read_like_its_text_export(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in OTTER_WITH_TITLE.strip("\n").split("\n"):
        document.add_paragraph(line)
    document.save(str(tmp_path / "P01.docx"))
    t = read(tmp_path / "P01.docx")
    assert t.format == "docx" and t.metadata["export"] == "otter"
    rows = _otter_rows(_segments(t, StudyConfig()), t.text)
    assert [r[:2] for r in rows] == [("Sara Jones", "interviewer"), ("P01", "participant")] * 2
    assert not any("00:" in r[3] for r in rows)


def test_a_paragraph_repeated_at_the_top_of_the_next_pdf_page_appears_once() -> None:
    from framework_qda.ingest.pdf import repair_lines

    pages = [
        "1/2\nDan:\t\n\tWhat did you use?\nParticipant:\t\n\tWe used the plots, and then\n"
        "that\tand\tI\tthought\tit\twas\tuseful\tin\tthe\tend.\n1\n2\n3",
        "2/2\nthat\tand\tI\tthought\tit\twas\tuseful\tin\tthe\tend.\nDan:\t\n\tRight.\n",
    ]
    text = repair_lines(pages)
    assert text.count("that and I thought it was useful in the end.") == 1
    assert text.split("\n") == [
        "Dan: What did you use?", "Participant: We used the plots, and then",
        "that and I thought it was useful in the end.", "Dan: Right."]
    # A short reply said at the end of one page and the top of the next is kept.
    assert repair_lines(["Dan: Right.\nAnn: Yes.", "Ann: Yes.\nDan: Good."]).count("Yes.") == 2


def _whisper(tmp_path: Path) -> Path:
    import json

    segments = []
    t = 0.0
    for i in range(40):
        said = f" Part {i} of the answer about the rota."
        segments.append({"id": i, "start": t, "end": t + 3.0, "text": said})
        t += 3.0 + (5.0 if i == 9 else 0.2)  # a long pause after part 9
    path = tmp_path / "P09.json"
    path.write_text(json.dumps({"text": "".join(s["text"] for s in segments),
                                "segments": segments, "language": "en"}), encoding="utf-8")
    return path


def test_whisper_json_is_read_with_its_timestamps(tmp_path: Path) -> None:
    t = read(_whisper(tmp_path))
    found = _segments(t, StudyConfig())
    assert t.format == "whisper"
    assert [(s.timestamp, t.text[s.start:s.end].split()[:2]) for s in found][:2] == [
        ("00:00:00", ["Part", "0"]), ("00:00:36", ["Part", "10"])]  # cut at the pause
    assert all(len(t.text[s.start:s.end].split()) <= 200 for s in found)
    assert " ".join(t.text[s.start:s.end] for s in found).split() == " ".join(
        f"Part {i} of the answer about the rota." for i in range(40)).split()


def test_whisper_cpp_json_and_other_json(tmp_path: Path) -> None:
    import json

    from framework_qda.errors import InputError

    cpp = tmp_path / "P10.json"
    cpp.write_text(json.dumps({"transcription": [
        {"offsets": {"from": 0, "to": 2000}, "text": " Hello there."},
        {"offsets": {"from": 65000, "to": 67000}, "text": " Later on."}]}), encoding="utf-8")
    t = read(cpp)
    assert [(s.timestamp, t.text[s.start:s.end]) for s in t.segments or []] == [
        ("00:00:00", "Hello there."), ("00:01:05", "Later on.")]
    other = tmp_path / "settings.json"
    other.write_text('{"theme": "dark"}', encoding="utf-8")
    try:
        read(other)
    except InputError as exc:
        assert str(exc).endswith("is JSON but not a Whisper transcript (a list of segments "
                                 "with start, end and text); fqda reads no other .json")
    else:
        raise AssertionError("other JSON was read")
