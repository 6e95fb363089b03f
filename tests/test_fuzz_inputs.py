"""Generated transcripts, codebooks and tables through the readers and importers.

Whatever the bytes, the outcome is a clean result or a clean refusal: an
``FqdaError`` (one line per problem, never a traceback) and, on refusal, a
store exactly as it was.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import framework_qda as fq
from framework_qda.errors import FqdaError
from framework_qda.ingest.readers import read
from tests.conftest import snapshot

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

PIECES = ["Interviewer: ", "P1: ", "[00:01:02] ", "**Ann:** ", "<v Bob>", "</v>", "-->",
          "00:00:01.000 --> 00:00:02.000", "WEBVTT", "\n", "\n\n", "\r\n", '"', ",", ";",
          "\t", ":", "[", "]", "{", "}", "&amp;", "<", ">", "&a;", "café", "naïve", "\x00",
          "*a", "&a [", "- ", "themes:", "  - code: 1", "subtopics:", "label: x", "9" * 40]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=40) \
    .map("".join)
raw = st.one_of(texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
                texts.map(lambda t: t.encode("cp1252", "replace")), st.binary(max_size=300))


def _word_file(body: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(member, body)
    return out.getvalue()


@pytest.fixture
def fuzz_study(tmp_path: Path) -> Iterator[fq.Study]:
    root = fq.init_study(tmp_path / "s")
    (root / "cases.csv").write_text("case,group\nP0,A\nP1,A\nP2,B\n", encoding="utf-8")
    (root / "codebooks" / "framework.yaml").write_text(
        'themes:\n  - code: "1"\n    label: Talk\n    subtopics:\n'
        '      - code: "1.1"\n        label: Hello\n', encoding="utf-8")
    (root / "transcripts" / "P1.txt").write_text("Interviewer: Hello?\n\nAnn: Hello there.\n",
                                                 encoding="utf-8")
    s = fq.open_study(root)
    s.run()
    yield s
    s.close()


@FUZZ
@given(data=raw, suffix=st.sampled_from([".txt", ".md", ".vtt", ".srt", ".sbv", ".pdf",
                                         ".docx", ".odt"]))
def test_any_bytes_through_any_reader_give_a_transcript_or_a_clean_error(
        tmp_path: Path, data: bytes, suffix: str) -> None:
    if suffix in (".docx", ".odt"):
        data = _word_file(data, "word/document.xml" if suffix == ".docx" else "content.xml")
    path = tmp_path / f"P9{suffix}"
    path.write_bytes(data)
    try:
        transcript = read(path)
    except FqdaError as exc:
        assert str(exc).startswith(str(path)) and "Traceback" not in str(exc)
    else:
        for segment in transcript.segments or []:
            assert 0 <= segment.start <= segment.end <= len(transcript.text)


@FUZZ
@given(data=raw, suffix=st.sampled_from([".txt", ".vtt", ".docx"]))
def test_ingesting_any_file_never_stops_the_batch(fuzz_study: fq.Study, data: bytes,
                                                  suffix: str) -> None:
    folder = fuzz_study.root / "transcripts"
    if suffix == ".docx":
        data = _word_file(data, "word/document.xml")
    (folder / f"P0{suffix}").write_bytes(data)
    (folder / "P2.txt").write_text("Interviewer: Again?\n\nBo: Yes.\n", encoding="utf-8")
    report = fuzz_study.ingest()
    outcomes = {Path(f.path).name: f for f in report.files}
    assert outcomes["P2.txt"].status in ("added", "unchanged")
    assert outcomes[f"P0{suffix}"].status in ("added", "updated", "unchanged", "skipped",
                                              "failed")
    (folder / f"P0{suffix}").unlink()


@FUZZ
@given(text=texts, which=st.sampled_from(["cases", "codebook", "codings", "codebook-csv"]))
def test_a_refused_table_or_codebook_leaves_the_store_as_it_was(
        fuzz_study: fq.Study, text: str, which: str) -> None:
    root = fuzz_study.root
    header = {"cases": "case,group\n", "codings": "ref,code,memo\n",
              "codebook-csv": "theme,code,label\n", "codebook": ""}[which]
    name = {"cases": "c.csv", "codings": "k.csv", "codebook-csv": "b.csv",
            "codebook": "b.yaml"}[which]
    path = root / name
    path.write_bytes((header + text).encode("utf-8", "surrogatepass"))
    before = snapshot(fuzz_study)
    action = {"cases": fuzz_study.import_cases, "codings": fuzz_study.import_codings,
              "codebook": fuzz_study.import_codebook,
              "codebook-csv": fuzz_study.import_codebook}[which]
    try:
        action(path)
    except FqdaError:
        assert snapshot(fuzz_study) == before
