"""Files read and segmented ahead of storing, in worker processes.

``fqda ingest --jobs N`` reads each transcript, finds its turns and splits
its sentences in one of ``N`` worker processes, while the one writer (the
calling process) stores the files in order, each in its own transaction,
with everything that needs the store (is the file unchanged, whose is the
source name, which speaker is the interviewer across the study) decided
there exactly as with one job.  A worker never raises: a file it could not
prepare is prepared again by the writer, which then meets the same error
and reports it as that file's one line, with the same words as one job.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from framework_qda.config import StudyConfig
from framework_qda.ingest.readers import Transcript, read, read_bytes
from framework_qda.ingest.sentences import load_pipeline, segment_sentences
from framework_qda.ingest.turns import find_turns
from framework_qda.store import SegmentRow


@dataclass(frozen=True)
class Prepared:
    """What a worker made of one file."""

    sha256: str
    transcript: Transcript | None = None
    """None when the file is unchanged (its hash is the stored one)."""
    turns: list[SegmentRow] | None = None
    """The turns before roles are settled across the study; None when the
    text is empty, a placeholder or too long in one turn (the writer says so)."""
    notes: tuple[str, ...] = ()
    sentences: list[tuple[int, int, int, int]] | None = None


def find_segments(transcript: Transcript, config: StudyConfig,
                  notes: list[str] | None = None) -> list[SegmentRow]:
    """A transcript's turns as its reader or the turn finder gives them."""
    if transcript.segments is not None:
        return transcript.segments
    return find_turns(transcript.text, config.role_of,
                      line_paragraphs=transcript.line_paragraphs,
                      named=lambda label: config.configured_role(label) is not None,
                      notes=notes)


def prepare(path: Path, config: StudyConfig, model: str, stored_sha: str | None
            ) -> Prepared | None:
    """Read, find turns and split sentences of one file; None when anything failed."""
    from framework_qda.ingest import MAX_SEGMENT, _check_sizes, is_placeholder

    try:
        sha = hashlib.sha256(read_bytes(path)).hexdigest()
        if sha == stored_sha:
            return Prepared(sha)
        transcript = read(path)
        _check_sizes(path, transcript.text)
        stripped = transcript.text.strip()
        if not stripped or is_placeholder(stripped):
            return Prepared(sha, transcript)
        notes: list[str] = []
        turns = find_segments(transcript, config, notes)
        if not turns or max(t.end - t.start for t in turns) > MAX_SEGMENT:
            return Prepared(sha, transcript)
        sentences = segment_sentences(load_pipeline(model), transcript.text,
                                      [(t.number, t.start, t.end) for t in turns])
        return Prepared(sha, transcript, turns, tuple(notes), sentences)
    except Exception:  # noqa: BLE001 - the writer prepares it again and reports it
        return None


def _job(args: tuple[Path, StudyConfig, str, str | None]) -> Prepared | None:
    return prepare(*args)


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def prepared_files(jobs: Sequence[tuple[Path, StudyConfig, str, str | None]], workers: int
                   ) -> Iterator[Prepared | None]:
    """Each job prepared, in order, by ``workers`` processes (here when 1).

    Worker ``k`` prepares jobs ``k``, ``k + workers``, … and sends each
    result down its own pipe; the writer reads the pipes in turn, so results
    come in order with no thread in between.  (A process pool's feeder and
    result threads need the interpreter lock to hand each file over, and the
    writer, busy storing, held it: two jobs took longer than one.)  A pipe
    holds a few files, so a worker runs at most that far ahead of the
    writer and memory stays that of a few files however many there are.  A
    worker that dies leaves its files to the writer (``None``).
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield _job(job)
        return
    # fork: the workers start at once with spaCy already imported; they
    # touch nothing of the parent's store and leave with os._exit.
    context = multiprocessing.get_context("fork")
    workers = min(workers, len(jobs))
    pipes: list[Connection] = []
    procs: list[BaseProcess] = []
    try:
        for k in range(workers):
            reader, writer = context.Pipe(duplex=False)
            _widen(writer)
            proc: BaseProcess = context.Process(target=_work, args=(jobs[k::workers], writer),
                                                daemon=True)
            proc.start()
            writer.close()
            pipes.append(reader)
            procs.append(proc)
        gone: set[int] = set()
        for i in range(len(jobs)):
            k = i % workers
            done: Prepared | None = None
            if k not in gone:
                try:
                    done = pickle.loads(pipes[k].recv_bytes())
                except (EOFError, OSError, pickle.UnpicklingError):
                    gone.add(k)  # the worker died: the writer prepares its files
            yield done
    finally:
        for reader in pipes:
            reader.close()
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()


def _work(jobs: Sequence[tuple[Path, StudyConfig, str, str | None]], out: Connection) -> None:
    """A worker: prepare each job and send it (pickled) to the writer."""
    for job in jobs:
        try:
            payload = pickle.dumps(_job(job), pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - could not be sent: the writer prepares it
            payload = pickle.dumps(None)
        try:
            out.send_bytes(payload)
        except OSError:  # the writer stopped reading (it failed or was interrupted)
            return
    out.close()


_PIPE_BYTES = 1 << 20
"""Bytes a worker's pipe may hold (Linux; elsewhere the system's size): a few
8,000-word transcripts with their turns and sentences."""


def _widen(conn: Connection) -> None:
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or a smaller limit: the default pipe works, a little slower
