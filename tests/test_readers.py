"""Readers for each transcript format, and the bad files each must refuse clearly.

Every fixture here is written by the test (texts are ours); binary formats
(.docx, .odt, .xlsx, .pdf) are generated on the fly.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import framework_qda as fq
from framework_qda.config import StudyConfig
from framework_qda.errors import InputError
from framework_qda.ingest import IngestOptions, _segments
from framework_qda.ingest.pdf import repair_lines
from framework_qda.ingest.readers import Transcript, read
from framework_qda.store import SegmentRow

CONFIG = StudyConfig()


def turns(t: Transcript) -> list[tuple[str, str, str, str]]:
    """(speaker, role, timestamp, words) of each segment; checks every span slices."""
    segs: list[SegmentRow] = _segments(t, CONFIG)
    for s in segs:
        body = t.text[s.start:s.end]
        assert body and body == body.strip()
        assert s.line_first == t.text.count("\n", 0, s.start) + 1
        assert s.line_last == t.text.count("\n", 0, s.end) + 1
    return [(s.speaker, s.role, s.timestamp, t.text[s.start:s.end]) for s in segs]


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# -- .docx -------------------------------------------------------------------
def make_docx(path: Path, paragraphs: list[str], table: list[tuple[str, str]] = ()) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=0, cols=2)
        for who, said in table:
            cells = grid.add_row().cells
            cells[0].text, cells[1].text = who, said
    document.save(str(path))
    return path


def test_docx_keeps_paragraphs_and_finds_turns(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "P4.docx", [
        "Follow-up interview, March", "",
        "Interviewer: How have the rotas been since we spoke?",
        "Ria: Better. We swapped the late shifts.",
        "It took a month to settle.",
        "Interviewer: And the handover sheet?",
    ], table=[("Ria", "Still in the folder, café and all.")])
    t = read(path)
    assert t.format == "docx" and t.line_paragraphs
    assert t.text.split("\n")[:2] == ["Follow-up interview, March", ""]
    assert turns(t) == [
        ("", "other", "", "Follow-up interview, March"),
        ("Interviewer", "interviewer", "", "How have the rotas been since we spoke?"),
        ("Ria", "participant", "",
         "Better. We swapped the late shifts.\nIt took a month to settle."),
        ("Interviewer", "interviewer", "", "And the handover sheet?"),
        ("Ria", "participant", "", "Still in the folder, café and all."),
    ]


def test_docx_without_speakers_gives_one_segment_per_paragraph(tmp_path: Path) -> None:
    t = read(make_docx(tmp_path / "P5.docx", ["First answer here.", "Second one.", "",
                                               "Third."]))
    assert [w for *_, w in turns(t)] == ["First answer here.", "Second one.", "Third."]


# -- .odt --------------------------------------------------------------------
ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def make_odt(path: Path, body: str, *, prolog: str = "") -> Path:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", ODT_MANIFEST)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_odt_tabs_spaces_breaks_and_notes(tmp_path: Path) -> None:
    body = (
        '<text:h>Session 4</text:h>'
        '<text:p><text:tab/>MODERATOR: Could you open the <text:span>map</text:span> tab?</text:p>'
        '<text:p><text:s text:c="4"/><text:tab/>Okay,<text:s/> it is loading'
        '<text:note><text:note-body><text:p>a footnote</text:p></text:note-body></text:note>'
        '<text:line-break/>slowly.</text:p>'
        '<text:list><text:list-item><text:p>2 Export the results.</text:p></text:list-item>'
        '</text:list>'
        '<text:p><text:tab/>That was easy.</text:p>'
    )
    t = read(make_odt(tmp_path / "P6.odt", body))
    assert t.text == ("Session 4\n\tMODERATOR: Could you open the map tab?\n"
                      "    \tOkay,  it is loading\nslowly.\n2 Export the results.\n"
                      "\tThat was easy.")
    # Think-aloud: only the moderator is labelled; task headings are "other".
    assert turns(t) == [
        ("", "participant", "", "Session 4"),
        ("MODERATOR", "interviewer", "", "Could you open the map tab?"),
        # A line break inside a paragraph cannot be told from a paragraph end
        # once the text is assembled, so think-aloud speech splits there.
        ("", "participant", "", "Okay,  it is loading"),
        ("", "participant", "", "slowly."),
        ("", "other", "", "2 Export the results."),
        ("", "participant", "", "That was easy."),
    ]


def test_odt_with_a_doctype_is_refused(tmp_path: Path) -> None:
    path = make_odt(tmp_path / "P7.odt", "<text:p>&x;</text:p>",
                    prolog='<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    with pytest.raises(InputError, match=r"P7\.odt: content\.xml declares a DTD"):
        read(path)


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "P8.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(InputError, match=r"P8\.docx: would unpack to 31 MB.*zip bomb"):
        read(path)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("P1.docx", b"this is not a zip", r"P1\.docx: is not a \.docx file \(not a zip archive\)"),
    ("P1.odt", b"", r"P1\.odt: is not a \.odt file"),
    ("P1.txt", b"PK\x03\x04\x14\x00\x00\x00", r"P1\.txt: looks like a zip archive"),
    ("P1.md", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj", r"P1\.md: looks like a PDF"),
    ("P1.txt", bytes(range(1, 32)) * 20, r"P1\.txt: looks like a binary file"),
    ("P1.txt", b"\xff\xfeA\x00:\x00 \x00\x00\xd8", r"P1\.txt: starts with a utf-16-le"),
    ("P1.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHi\n", r"P1\.vtt:3: has a malformed"),
    ("P1.srt", b"1\nHello there\n", r"P1\.srt:1: has text with no cue timing"),
    ("P1.pdf", b"%PDF-1.4 garbage", r"P1\.pdf: cannot be read as a PDF"),
])
def test_bad_files_get_one_line_naming_the_file(tmp_path: Path, name: str, data: bytes,
                                                  message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read(write(tmp_path, name, data))
    assert "\n" not in str(info.value)


def test_docx_zip_without_a_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "P2.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"P2\.docx: is a zip archive but not a Word document"):
        read(path)


# -- WebVTT / SRT / SBV ------------------------------------------------------
ZOOM_VTT = """\ufeffWEBVTT  \r
\r
NOTE recorded on the ward\r
\r
1\r
00:00:01.000 --> 00:00:04.500\r
Amal Reid: Thanks for making the time &amp; the room.\r
\r
2\r
00:00:04.500 --> 00:00:06.000\r
Amal Reid: Shall we start?\r
\r
3\r
00:00:06.200 --> 00:01:10.000\r
Jo Park: Of course. I&#39;ve got until\r
half past.\r
"""


def test_zoom_vtt_merges_cues_of_one_speaker(tmp_path: Path) -> None:
    t = read(write(tmp_path, "P2.vtt", ZOOM_VTT))
    assert t.text == ("Amal Reid: Thanks for making the time & the room.\nShall we start?\n\n"
                      "Jo Park: Of course. I've got until half past.")
    assert turns(t) == [
        ("Amal Reid", "participant", "00:00:01",
         "Thanks for making the time & the room.\nShall we start?"),
        ("Jo Park", "participant", "00:00:06", "Of course. I've got until half past."),
    ]


def test_teams_vtt_voice_spans_closed_or_not(tmp_path: Path) -> None:
    data = ("WEBVTT\n\nSTYLE\n::cue { color: lime }\n\n"
            "a1b2-3c/14-0\n00:00:02.000 --> 00:00:05.000\n<v Interviewer>How was it?</v>\n\n"
            "a1b2-3c/15-0\n00:00:05.000 --> 00:00:09.000\n<v Sam Lee>It was <i>hard</i>\n\n"
            "00:00:09.000 --> 00:00:12.000\n<v.loud Sam Lee>really hard.</v>\n\n"
            "00:00:12.000 --> 00:00:15.000\n<v Interviewer>Why?</v> <v Sam Lee>Staff.</v>\n")
    t = read(write(tmp_path, "P3.vtt", data))
    assert turns(t) == [
        ("Interviewer", "interviewer", "00:00:02", "How was it?"),
        ("Sam Lee", "participant", "00:00:05", "It was hard\nreally hard."),
        ("Interviewer", "interviewer", "00:00:12", "Why?"),
        ("Sam Lee", "participant", "00:00:12", "Staff."),
    ]


def test_vtt_without_speakers_keeps_each_cue_and_strips_inline_times(tmp_path: Path) -> None:
    data = ("WEBVTT\nKind: captions\nLanguage: en\n\n"
            "00:16.500 --> 00:18.500 align:start\nWhen the <00:17.500>rota <c.x>changed</c>\n\n"
            "00:18.500 --> 00:20.500\nwe all noticed: it was\n\n"
            "00:20.500 --> 00:21.500\nabout time\n")
    t = read(write(tmp_path, "P9.vtt", data))
    assert turns(t) == [
        ("", "other", "00:00:16", "When the rota changed"),
        ("", "other", "00:00:18", "we all noticed: it was"),
        ("", "other", "00:00:20", "about time"),
    ]


def test_srt_and_sbv(tmp_path: Path) -> None:
    srt = ("1\n00:00:00,500 --> 00:00:02,000\n{\\an8}Interviewer: Ready?\n\n"
           "2\n00:00:02,000 --> 00:00:05,000\nKim: Yes.\n\n"
           "3\n00:00:05,000 --> 00:00:07.000\nInterviewer: Good.\n\n"
           "4\n01:00:07,000 --> 01:00:09,000\nKim: Fine.\n")
    assert [(s, ts, w) for s, _, ts, w in turns(read(write(tmp_path, "P1.srt", srt)))] == [
        ("Interviewer", "00:00:00", "Ready?"), ("Kim", "00:00:02", "Yes."),
        ("Interviewer", "00:00:05", "Good."), ("Kim", "01:00:07", "Fine.")]
    sbv = "0:00:00.378,0:00:11.378\nFirst caption\nsecond line\n\n0:00:12.000,0:00:13.000\nNext\n"
    assert [w for *_, w in turns(read(write(tmp_path, "P1.sbv", sbv)))] == [
        "First caption second line", "Next"]


# -- Otter.ai ----------------------------------------------------------------
OTTER = """SUMMARY KEYWORDS
rota, handover, winter

SPEAKERS
Nadia Hussain, Interviewer

Interviewer  0:02
So, thanks for joining again.

Nadia Hussain  0:06
No problem.\u00a0It has been [redacted] busy.
We are short again.

Interviewer  1:02:10
Right.



Transcribed by https://otter.ai
"""


def test_otter_export_turns_and_times(tmp_path: Path) -> None:
    t = read(write(tmp_path, "P5.txt", OTTER))
    assert t.format == "otter" and t.text == OTTER
    assert turns(t) == [
        ("Interviewer", "interviewer", "00:00:02", "So, thanks for joining again."),
        ("Nadia Hussain", "participant", "00:00:06",
         "No problem.\u00a0It has been [redacted] busy.\nWe are short again."),
        ("Interviewer", "interviewer", "01:02:10", "Right."),
    ]


# -- PDF -----------------------------------------------------------------------
def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A minimal PDF with one text line per entry (Helvetica, WinAnsi)."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        ops = ["BT /F1 11 Tf 14 TL 50 780 Td"]
        for line in lines:
            esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({esc}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
                       .encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_pdf_page_headers_dropped_and_labels_joined(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "P6.pdf", [
        ["1/2", "Interviewer:", "What changed after the merger?", "Lou:",
         "The budget moved to the centre and we lost"],
        ["2/2", "sight of it.", "Interviewer:", "Thank you.", "Lou:", "Pleasure."],
    ])
    t = read(path)
    assert t.text == ("Interviewer: What changed after the merger?\n"
                      "Lou: The budget moved to the centre and we lost\nsight of it.\n"
                      "Interviewer: Thank you.\nLou: Pleasure.")
    assert [(s, w) for s, _, _, w in turns(t)][:3] == [
        ("Interviewer", "What changed after the merger?"),
        ("Lou", "The budget moved to the centre and we lost\nsight of it."),
        ("Interviewer", "Thank you.")]


def test_pdf_repair_of_tabbed_words_and_furniture() -> None:
    pages = ["3/5\nDan:\t\n\tOkay.\tSo\tnow\tyou\tcan\tstop.\nParticipant:\t\t\nI\tthink\tso.\n",
             "Page 4 of 5\nDan:\t\n\tRight.\n12\n"]
    assert repair_lines(pages) == ("Dan: Okay. So now you can stop.\nParticipant: I think so.\n"
                                   "Dan: Right.")


def test_pdf_without_text_layer_says_run_ocr(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"P6\.pdf: has 1 page\(s\) but no text layer"):
        read(make_pdf(tmp_path / "P6.pdf", [[]]))


# -- ingest through the study: batch behaviour and surveys -------------------
@pytest.fixture
def empty_study(tmp_path: Path) -> fq.Study:
    root = fq.init_study(tmp_path / "s")
    (root / "cases.csv").write_text("case,group\nP1,Nurses\nP2,Managers\n", encoding="utf-8")
    s = fq.open_study(root)
    s.import_cases(root / "cases.csv")
    return s


def test_a_bad_file_does_not_stop_the_batch(empty_study: fq.Study) -> None:
    folder = empty_study.root / "transcripts"
    make_docx(folder / "P1.docx", ["Interviewer: Hello?", "Ann: Hello.", "Ann: Again."])
    (folder / "P1_notes.odt").write_bytes(b"not a zip")
    (folder / "P2.vtt").write_text(ZOOM_VTT, encoding="utf-8")
    report = empty_study.ingest()
    assert [(Path(f.path).name, f.status, f.segments) for f in report.files] == [
        ("P1.docx", "added", 3), ("P1_notes.odt", "failed", 0), ("P2.vtt", "added", 2)]
    assert "P1_notes.odt: is not a .odt file" in report.failed[0].message
    assert [s.ref for s in empty_study.segments("P2")] == ["P2:1", "P2:2"]
    assert empty_study.segments("P2")[1].timestamp == "00:00:06"
    assert empty_study.ingest().count("unchanged") == 2


def test_survey_rows_become_sources_with_one_segment_per_answer(empty_study: fq.Study) -> None:
    path = empty_study.root / "survey.csv"
    path.write_text("id,age,q1,q2,q3\nP1,34,More staff.,x,\"Night shifts;\nweekends\"\n"
                    "P2,51,,y,Less paperwork.\nP9,29,Nothing,z,\n", encoding="utf-8")
    report = empty_study.ingest_files([path], IngestOptions(id_column="id",
                                                             columns=("q1", "Q3")))
    assert [(f.path.rsplit("/", 1)[-1], f.status, f.case_id, f.segments) for f in report.files] \
        == [("survey.csv:2", "added", "P1", 2), ("survey.csv:4", "added", "P2", 1),
            ("survey.csv:5", "failed", "P9", 0)]  # P1's quoted answer spans lines 2-3
    assert "--new-cases" in report.failed[0].message
    segs = empty_study.segments("P1")
    assert [(s.speaker, s.role, s.text) for s in segs] == [
        ("q1", "participant", "More staff."), ("q3", "participant", "Night shifts;\nweekends")]
    again = empty_study.ingest_files([path], IngestOptions(id_column="id", columns=("q1", "q3"),
                                                           new_cases=True))
    assert [f.status for f in again.files] == ["unchanged", "unchanged", "added"]
    assert empty_study.case("P9").group == ""


def test_survey_xlsx_and_clear_errors(empty_study: fq.Study) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Case", "Why did you join?"])
    ws.append(["P1", "For the team."])
    ws.append(["P1", "Twice?"])
    path = empty_study.root / "s.xlsx"
    wb.save(path)
    report = empty_study.ingest_files([path], IngestOptions(columns=("why did you join?",)))
    msg = report.failed[0].message
    assert "s.xlsx:3: case P1 also has line 2; keep one row per case" in msg
    report = empty_study.ingest_files([path], IngestOptions(columns=("q7",)))
    assert report.failed[0].message.endswith(
        "s.xlsx: has no column 'q7'; its columns are Case, Why did you join?")
    report = empty_study.ingest_files([path])
    assert "name its open-ended answer columns with --columns" in report.failed[0].message


_cue_words = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).filter(
    lambda w: "-->" not in w)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "<v Ann>", "Bo: ", "<v.x Cy Li>"]), _cue_words),
                max_size=10))
def test_any_vtt_cues_give_segments_that_slice_the_text(cues: list[tuple[str, str]]) -> None:
    from framework_qda.ingest.subtitles import _assemble, _cues, _utterances

    body = "WEBVTT\n\n" + "".join(
        f"{i}\n00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\n{who}{words}\n\n"
        for i, (who, words) in enumerate(cues))
    text, segs = _assemble(_utterances(_cues(body, Path("t.vtt"), "vtt")))
    for s in segs:
        part = text[s.start:s.end]
        assert part and part == part.strip() and "\n\n" not in part
        assert s.line_first == text.count("\n", 0, s.start) + 1
        assert s.line_last == text.count("\n", 0, s.end) + 1


def test_changed_survey_answers_keep_or_refuse_their_codings(empty_study: fq.Study) -> None:
    from tests.conftest import DATA, snapshot

    empty_study.import_codebook(DATA / "study" / "codebooks" / "framework.yaml")
    path = empty_study.root / "survey.csv"
    options = IngestOptions(columns=("q1",))
    path.write_text("case,q1\nP1,Too few nurses at night.\nP2,Fine.\n", encoding="utf-8")
    empty_study.ingest_files([path], options)
    empty_study.code(["P1:1"], ["2.1"], coder="hb")
    # A new column before the answer moves its offsets: the coding follows it.
    moved = IngestOptions(columns=("q0", "q1"))
    path.write_text("case,q0,q1\nP1,Yes.,Too few nurses at night.\nP2,,Fine.\n",
                    encoding="utf-8")
    report = empty_study.ingest_files([path], moved)
    assert [f.status for f in report.files] == ["updated", "unchanged"]
    assert [q.text for q in empty_study.quotes("2.1")] == ["Too few nurses at night."]
    # The coded answer rewritten: the whole file is refused, nothing changes.
    before = snapshot(empty_study)
    path.write_text("case,q0,q1\nP1,Yes.,Enough now.\nP2,,Changed too.\n", encoding="utf-8")
    report = empty_study.ingest_files([path], moved)
    assert [f.status for f in report.files] == ["failed"]
    assert "1 coding(s) on line 2 rest on answers the new version no longer has" in \
        report.files[0].message
    assert snapshot(empty_study) == before


def test_reading_a_pdf_leaves_the_pdf_librarys_logger_as_it_was(tmp_path: Path) -> None:
    import logging

    logger = logging.getLogger("pypdf")
    before = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        read(make_pdf(tmp_path / "P1.pdf", [["Ann: Fine."]]))
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(before)
