"""Real transcripts from public studies: each ingests sensibly or fails with one clear line.

Runs only where the shared real-data folder sits beside the repository; the
files are read in place, never copied.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.config import StudyConfig
from framework_qda.errors import InputError
from framework_qda.ingest import IngestOptions, IngestReport, _segments
from framework_qda.ingest.readers import READERS, read

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason="no shared real-data folder")


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
