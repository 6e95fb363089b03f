"""``fqda ingest --jobs 2`` stores exactly what ``--jobs 1`` stores.

Files are read and segmented in worker processes and stored by one writer;
everything a user can see must be the same: the rows, their ids and order,
the report (bad file one line, notes), a changed file re-ingested.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from framework_qda.cli import app
from framework_qda.study import init_study

ENV = {"NO_COLOR": "1", "COLUMNS": "250"}


def _write_study(root: Path) -> None:
    init_study(root)
    t = root / "transcripts"
    for i in range(1, 8):
        turns = []
        for k in range(6):
            turns.append(f"Interviewer: Question {k} for case {i}? Go on\n\n")
            turns.append(f"Participant: Answer {k}. The rota changed in week {i + k}. "
                         f"We kept the handover sheet \"on the ward\"... mostly\n\n")
        (t / f"P{i}.txt").write_text("".join(turns), encoding="utf-8")
    # A named interviewer decided across the study (Dan opposite Participant),
    # a file with no turns (paragraphs), a placeholder, an empty file and a
    # binary file: each has its own line, in the same place.
    (t / "P8.txt").write_text("Dan: How was it?\n\nParticipant: Hard. Then better.\n\n"
                              "Dan: Why?\n\nParticipant: Staff 😀 came back.\n", encoding="utf-8")
    (t / "P9.md").write_text("First paragraph here. Two sentences.\n\nSecond one\n",
                             encoding="utf-8")
    (t / "P10.txt").write_text("This transcript was withdrawn at the participant's request.\n",
                               encoding="utf-8")
    (t / "P11.txt").write_text("", encoding="utf-8")
    (t / "P12.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 200)
    (root / "cases.csv").write_text("case,group\n" + "".join(
        f"P{i},G{i % 2}\n" for i in range(1, 13)), encoding="utf-8")


def _dump(root: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(root / ".fqda" / "study.db")
    try:
        return {name: con.execute(sql).fetchall() for name, sql in {
            "cases": "SELECT id, grp, position, attributes FROM cases ORDER BY id",
            "sources": "SELECT id, case_id, name, path, format, sha256, text, metadata "
                       "FROM sources ORDER BY id",
            "segments": "SELECT * FROM segments ORDER BY source_id, number",
            "sentences": "SELECT * FROM sentences ORDER BY source_id, segment, number",
            "index": "SELECT rowid, body FROM segment_text ORDER BY rowid",
        }.items()}
    finally:
        con.close()


def _ingest(root: Path, jobs: int) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ingest", "--jobs", str(jobs), "--study", str(root)],
                                env=ENV)
    return result.exit_code, result.stdout.replace(str(root), "STUDY")


def test_two_jobs_store_the_rows_one_job_stores(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # Record that the workers really prepared the files (and which they could not).
    from framework_qda.ingest import prepared

    seen: list[tuple[int, bool]] = []
    real = prepared.prepared_files

    def spy(jobs: Any, workers: int) -> Iterator[prepared.Prepared | None]:
        for done in real(jobs, workers):
            seen.append((workers, done is not None))
            yield done

    monkeypatch.setattr(prepared, "prepared_files", spy)
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        _write_study(root)
        CliRunner().invoke(app, ["cases", "import", "cases.csv", "--study", str(root)])
    first = _ingest(one, 1), _ingest(two, 2)
    assert first[0] == first[1]
    code, printed = first[0]
    assert code == 1  # the binary file failed, and only it
    assert "9 added, 0 updated, 0 unchanged, 2 skipped, 1 failed" in printed
    assert printed.count("failed") == 2  # its line and the summary
    # Two workers prepared every transcript but the binary one (the writer
    # read that again and reported it); one job used none.
    assert seen == [(2, True)] * 11 + [(2, False)]
    dump = _dump(one)
    assert dump == _dump(two)
    assert len(dump["sources"]) == 9 and len(dump["sentences"]) > 8 * 12
    # Change one file, leave the rest: unchanged files are not stored again,
    # the changed one is replaced in place, the same way with either.
    for root in (one, two):
        path = root / "transcripts" / "P3.txt"
        path.write_text(path.read_text(encoding="utf-8").replace("Answer 2.", "Reply 2!"),
                        encoding="utf-8")
    again = _ingest(one, 1), _ingest(two, 2)
    assert again[0] == again[1]
    assert "0 added, 1 updated, 8 unchanged, 2 skipped, 1 failed" in again[0][1]
    assert _dump(one) == _dump(two)


def test_a_worker_that_dies_leaves_its_files_to_the_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker killed half-way (out of memory, a crash in a library): the
    # files it had not sent are prepared by the writer; nothing is lost.
    import os

    from framework_qda.ingest import prepared

    parent = os.getpid()
    real = prepared.prepare

    def dies_on_p4(path: Path, *args: Any) -> prepared.Prepared | None:
        if os.getpid() != parent and path.stem == "P4":
            os._exit(3)
        return real(path, *args)

    monkeypatch.setattr(prepared, "prepare", dies_on_p4)
    lost: list[bool] = []
    files = prepared.prepared_files

    def spy(jobs: Any, workers: int) -> Iterator[prepared.Prepared | None]:
        for done in files(jobs, workers):
            lost.append(done is None)
            yield done

    monkeypatch.setattr(prepared, "prepared_files", spy)
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        _write_study(root)
        CliRunner().invoke(app, ["cases", "import", "cases.csv", "--study", str(root)])
    assert _ingest(one, 1) == _ingest(two, 2)
    assert _dump(one) == _dump(two)
    # P4 and the files after it in the same worker's share (and the binary
    # file, which no worker can prepare) came back unprepared.
    assert len(lost) == 12 and sum(lost) >= 4
