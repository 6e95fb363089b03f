"""Real transcripts from public studies: each ingests sensibly or fails with one clear line.

Runs only where the shared real-data folder sits beside the repository; the
files are read in place, never copied.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.config import StudyConfig
from framework_qda.errors import InputError
from framework_qda.ingest import IngestOptions, IngestReport, _segments
from framework_qda.ingest.readers import READERS, read

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
pytestmark = pytest.mark.needs("realdata")


def ingest_folder(tmp_path: Path, folder: str, pattern: str) -> tuple[fq.Study, IngestReport]:
    root = fq.init_study(tmp_path / folder.replace("/", "_"))
    study = fq.open_study(root)
    files = sorted((REALDATA / folder).glob(pattern))
    assert files
    return study, study.ingest_files(files, IngestOptions(new_cases=True))


def assert_clean(report: IngestReport) -> None:
    for f in report.files:
        if f.status == "failed":
            assert "\n" not in f.message and f.path in f.message
        else:
            assert f.status == "added" and f.segments > 0, (f.path, f.status, f.message)


def roles(study: fq.Study, name: str) -> Counter[tuple[str, str]]:
    return Counter((s.speaker, s.role) for s in study.segments(name))


def test_think_aloud_sessions_have_moderator_and_participant_turns(tmp_path: Path) -> None:
    study, report = ingest_folder(tmp_path, "serdif/raw", "*.odt")
    assert_clean(report)
    assert report.count("added") == 17
    for source in study.store.sources():
        counts = roles(study, source.name)
        assert counts[("MODERATOR", "interviewer")] >= 1
        assert counts[("", "participant")] > 40
        assert counts[("", "other")] >= 30  # the numbered task headings
        for seg in study.store.segments(source.id):
            assert source.text[seg.start:seg.end] == seg.text
    study.close()


def test_pdf_interviews_have_an_interviewer_and_a_participant(tmp_path: Path) -> None:
    study, report = ingest_folder(tmp_path, "pdpilot", "P*.pdf")
    assert_clean(report)
    assert report.count("added") == 7
    for source in study.store.sources():
        counts = roles(study, source.name)
        # The title line ("Interview") is no one's turn.
        assert set(counts) == {("Dan", "interviewer"), ("Participant", "participant"),
                               ("", "other")}
        assert counts[("", "other")] == 1
        assert "\t" not in source.text and "1/5" not in source.text.split("\n")
    study.close()


def test_qualcoder_examples(tmp_path: Path) -> None:
    study, report = ingest_folder(tmp_path, "qualcoder-examples", "*")
    # Only the readable transcript types are taken from a folder listing;
    # the survey tables are ingested on request (see below).
    named = {Path(f.path).name: f for f in report.files}
    assert {"ID1.docx", "ID2.odt", "special.chars.docx", "test_file.docx",
            "transcript.txt"} <= set(named)
    assert_clean(report)
    assert roles(study, "transcript") == Counter(
        {("id1", "participant"): 3, ("id2", "participant"): 2, ("id3", "participant"): 2})
    survey = study.ingest_files([REALDATA / "qualcoder-examples" / "survey456.csv"],
                                IngestOptions(id_column="Case", columns=("freetext",),
                                              new_cases=True))
    assert survey.files and all(f.status == "added" for f in survey.files)
    assert study.segments("ID4")[0].speaker == "freetext"
    study.close()


def test_subtitle_fixtures_read_or_fail_with_one_line() -> None:
    config = StudyConfig()
    outcomes: dict[str, str] = {}
    for path in sorted((REALDATA / "subtitles").iterdir()):
        if path.suffix.lower() not in READERS:
            continue
        try:
            t = read(path)
        except InputError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            outcomes[path.name] = "failed"
            continue
        segs = _segments(t, config) if t.text.strip() else []
        assert all(t.text[s.start:s.end].strip() for s in segs)
        outcomes[path.name] = f"{len(segs)} segments" if segs else "empty"
    assert outcomes["sample.vtt"] == "16 segments"
    assert outcomes["captions_with_bom.vtt"] == "4 segments"
    assert outcomes["using_identifiers.vtt"] == "6 segments"
    assert outcomes["invalid_timeframe.vtt"] == "failed"
    assert outcomes["empty.vtt"] == "empty"


# -- every real transcript: its speakers, every word once ------------------------
# Each check compares what fqda makes of a file with an extraction of the same
# file made here, without fqda's readers: pypdf's raw page text (page numbers
# and a page's repeat of the lines the page before ends with left out),
# python-docx's paragraphs and table cells, the paragraphs of an .odt's
# content.xml, a text file's decoded lines.

TRANSCRIPTS = [
    *(f"pdpilot/P{n}.pdf" for n in range(1, 8)),
    *(f"serdif/raw/{p.name}" for p in sorted((REALDATA / "serdif" / "raw").glob("*.odt"))
      if REALDATA.is_dir()),
    "qualcoder-examples/ID1.docx", "qualcoder-examples/ID2.odt",
    "qualcoder-examples/special.chars.docx", "qualcoder-examples/test_file.docx",
    "qualcoder-examples/transcript.txt",
]
_LABEL = re.compile(
    r"^\s*(?:\[(?P<bracket>[^\W\d_]\w{0,29})\]|(?P<plain>[^\W\d_][\w.' -]{0,29}?)\s?:)(?=\s|$)")
_ROLE_WORD = re.compile(r"(?i)interviewer|moderator|participant|respondent|interviewee")
_PAGE_NUMBER = re.compile(r"\s*\d+(\s*/\s*\d+)?\s*")
_WORDS = re.compile(r"\S+")


def _pdf_lines(path: Path) -> list[str]:
    import pypdf

    lines: list[str] = []
    for page in pypdf.PdfReader(str(path)).pages:
        own = [line for line in (page.extract_text() or "").split("\n")
               if not _PAGE_NUMBER.fullmatch(line)]
        before = " ".join(lines[-12:]).split()
        skip = next((n for n in range(min(12, len(own)), 0, -1)
                     if len(head := " ".join(own[:n]).split()) >= 5
                     and before[-len(head):] == head), 0)
        lines.extend(own[skip:])
    return lines


def _docx_lines(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            seen: list[object] = []
            for cell in row.cells:
                if not any(cell._tc is s for s in seen):
                    seen.append(cell._tc)
                    lines.append(cell.text)
    return lines


def _odt_lines(path: Path) -> list[str]:
    import zipfile
    from xml.etree import ElementTree

    ns = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    root = ElementTree.fromstring(zipfile.ZipFile(path).read("content.xml"))

    def own_text(element: ElementTree.Element) -> str:
        parts = [element.text or ""]
        for child in element:
            if child.tag in (f"{ns}s", f"{ns}tab", f"{ns}line-break"):
                parts.append(" ")
            elif child.tag not in (f"{ns}note", f"{ns}p", f"{ns}h") and \
                    not child.tag.endswith("}annotation"):
                parts.append(own_text(child))
            parts.append(child.tail or "")
        return "".join(parts)

    return [own_text(e) for e in root.iter() if e.tag in (f"{ns}p", f"{ns}h")]


def independent_lines(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_lines(path)
    if suffix == ".docx":
        return _docx_lines(path)
    if suffix == ".odt":
        return _odt_lines(path)
    return path.read_bytes().decode("utf-8-sig").splitlines()


def _sentences(text: str) -> Counter[str]:
    return Counter(" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+", text)
                   if len(s.split()) >= 8)


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_a_real_transcript_has_its_speakers_and_every_word_once(name: str) -> None:
    path = REALDATA / name
    lines = independent_lines(path)
    labels = [(m, (m.group("bracket") or m.group("plain")).casefold())
              for line in lines if (m := _LABEL.match(line))]
    counts = Counter(label for _, label in labels)
    speakers = {label for label, n in counts.items() if n >= 2 or _ROLE_WORD.fullmatch(label)}
    labelled = [m for m, label in labels if label in speakers]

    t = read(path)
    notes: list[str] = []
    segs = _segments(t, StudyConfig(), notes)
    turns = sum(1 for s in segs if s.speaker)
    # Speakers are found where the file has labels: a turn per labelled line
    # (a near-miss such as ``Particpant:`` is one turn more than counted here).
    assert abs(turns - len(labelled)) <= max(1, len(labelled) * 3 // 100), (turns, notes)

    # No text outside every segment: between segments stand only labels.
    pos = 0
    for s in [*segs, None]:
        gap = t.text[pos:s.start if s else len(t.text)].strip()
        assert not gap or re.fullmatch(r"(?:\[\w+\]|[^\W\d_][\w.' -]{0,39}:)", gap), gap[:80]
        pos = s.end if s else pos
    # Every word once: as many as the independent extraction has, less the
    # labels (and the one-word near-miss labels read as a speaker's, one a turn).
    label_words = sum(len(m.group(0).split()) for m in labelled) + turns - len(labelled)
    ours = [t.text[s.start:s.end] for s in segs]
    assert sum(len(_WORDS.findall(x)) for x in ours) == \
        sum(len(_WORDS.findall(line)) for line in lines) - label_words
    # No sentence more often than the file has it (none twice in a PDF, whose
    # page breaks repeated paragraphs).
    theirs = _sentences("\n".join(
        line[m.end():] if (m := _LABEL.match(line))
        and (m.group("bracket") or m.group("plain")).casefold() in speakers else line
        for line in lines))
    found = _sentences("\n".join(ours))
    assert all(n <= theirs[s] for s, n in found.items())
    if path.suffix == ".pdf":
        assert all(n == 1 for n in found.values())


def test_a_taguette_study_comes_over_with_every_highlight_on_its_words(tmp_path: Path) -> None:
    """The think-aloud study's own Taguette codebook (a flat list) and highlights export."""
    import csv

    study, report = ingest_folder(tmp_path, "serdif/raw", "*.odt")
    assert_clean(report)
    codebook = sorted((REALDATA / "serdif" / "codebooks").glob("*.csv"))[-1]
    study.import_codebook(codebook)
    assert len(study.store.codebook().subtopics) == 22
    highlights = sorted((REALDATA / "serdif" / "tags").glob("all_tags_2022030[0-9].csv"))[-1]
    with pytest.raises(fq.ValidationError, match="--in-order places the repeated ones"):
        study.import_codings(highlights)
    added = study.import_codings(highlights, in_order=True).added
    with open(highlights, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert added == len(rows)
    labels = {s.code: s.label for s in study.store.codebook().subtopics}
    texts = {s.id: s.text for s in study.store.sources()}
    coded = {(labels[c.subtopic], " ".join(texts[c.source_id][c.start:c.end].split()))
             for c in study.store.codings()}
    # A highlight that took in its turn's label (MODERATOR: …) codes the turn's words.
    label = re.compile(r"^MODERATOR:\s*")
    assert {(r["tag"], label.sub("", " ".join(r["content"].split()))) for r in rows} <= coded
    study.close()
