"""Ingestion: transcript files -> sources, segments and sentences in the store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import cast

from framework_qda.citations import follow_apply, follow_plan, occurrences
from framework_qda.config import StudyConfig
from framework_qda.errors import FqdaError, InputError
from framework_qda.ingest.encoding import MIXED
from framework_qda.ingest.outcomes import FileOutcome, IngestOptions, IngestReport
from framework_qda.ingest.placeholders import PLACEHOLDER_WORDS, is_placeholder
from framework_qda.ingest.prepared import Prepared, find_segments
from framework_qda.ingest.readers import READERS, Transcript, read, read_bytes
from framework_qda.ingest.roles import Elsewhere, named_interviewer
from framework_qda.ingest.sentences import load_pipeline, segment_sentences
from framework_qda.ingest.source_files import (
    claimed_by,
    legacy_source,
    same_file,
    source_name,
    stored_path,
)
from framework_qda.model import (
    Case,
    Role,
    Source,
    check_case_id,
    natural_key,
    shown,
    span_hash,
)
from framework_qda.refs import case_id as codable_case_id
from framework_qda.store import SegmentRow, StudyStore

__all__ = ["PLACEHOLDER_WORDS", "FileOutcome", "IngestOptions", "IngestReport", "claimed_by",
           "ingest_files", "is_placeholder", "legacy_source", "same_file", "source_name",
           "stored_path", "transcript_files", "unreadable"]


def transcript_files(paths: Iterable[Path], root: Path | None = None,
                     refused: list[Path] | None = None) -> list[Path]:
    """Files to ingest: the files named, and supported files under folders named.

    Folders are walked recursively in natural name order; hidden files and
    files of unsupported types inside folders are passed over, and so is a
    link that leads outside both the study ``root`` and the folder walked
    (added to ``refused``): only a file named explicitly is read wherever it is.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = [
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.parts[-1:])
                and p.suffix.lower() in READERS
            ]
            homes = [h.resolve() for h in (path, root) if h is not None]
            for p in sorted(inside, key=lambda p: natural_key(str(p))):
                if p.is_symlink() and not any(p.resolve().is_relative_to(h) for h in homes):
                    if refused is not None:
                        refused.append(p)
                    continue
                found.append(p)
        else:
            found.append(path)
    return found


def ingest_files(
    store: StudyStore,
    config: StudyConfig,
    paths: Sequence[Path],
    options: IngestOptions,
    progress: Callable[[Path], None] | None = None,
    root: Path | None = None,
) -> IngestReport:
    """Ingest transcript files and survey tables; each file is its own transaction.

    Each file is one source, named by :func:`source_name` from the study
    folder ``root``; a source stored by the previous version under the
    file's stem is found by its stored path and renamed (see
    :func:`legacy_source`).

    One bad file is reported as ``failed`` and does not stop the rest.  A
    file whose bytes are unchanged since its last ingest is left alone.  A
    changed file replaces its older version; codings are moved to where
    their text now stands, and when some text is gone the file is refused
    (nothing changes) unless ``options.force`` is set, which drops those
    codings and says so.

    A survey table (``.csv``/``.tsv``/``.xlsx`` named explicitly; folders
    are never searched for them) gives one source per row, see
    :mod:`framework_qda.ingest.survey`; its outcomes are reported per case.
    Cases the study lacks are created (empty sample group) when the study
    has no cases yet or ``options.new_cases`` is set; otherwise such a file
    or row fails with a message saying how to add the case.
    """
    if options.case is not None:
        problem = check_case_id(options.case)
        if problem is not None:
            raise FqdaError(f"--case {shown(options.case)!r}: the case id {problem}; a case "
                            "id is typed in refs like P07:12, so choose another")
    report = IngestReport()
    known_cases = {c.id for c in store.cases()}
    auto_cases = options.new_cases or not known_cases
    model = options.model or config.model
    refused: list[Path] = []
    files = transcript_files(paths, root, refused)
    ahead = _prepared_ahead(store, config, files, model, options.jobs, root)
    for path in files:
        if progress:
            progress(path)
        if path.suffix.lower() in _SURVEY_SUFFIXES:
            report.files.extend(_ingest_survey(store, config, path, options, model,
                                               known_cases, auto_cases, root))
            continue
        prepared = next(ahead) if ahead is not None else None
        try:
            outcome = _ingest_one(store, config, path, options.case, model, options.force,
                                  known_cases, auto_cases, root, prepared)
        except FqdaError as exc:
            outcome = FileOutcome(shown(str(path)), "failed", message=shown(str(exc)))
        except store.database_errors:
            raise  # the store, not this file: the batch cannot go on
        except Exception as exc:  # noqa: BLE001 - any reader bug is this file's failure
            outcome = FileOutcome(shown(str(path)), "failed", message=unreadable(path, exc))
        report.files.append(outcome)
    report.files.extend(FileOutcome(str(p), "skipped", message=LINK_OUT) for p in refused)
    return report


def _prepared_ahead(store: StudyStore, config: StudyConfig, files: Sequence[Path], model: str,
                    jobs: int, root: Path | None) -> Iterator[Prepared | None] | None:
    """The transcripts (not survey tables) prepared by worker processes, in order;
    None with one job (each file is then prepared as it is stored)."""
    from framework_qda.ingest.prepared import default_jobs, prepared_files

    transcripts = [p for p in files if p.suffix.lower() not in _SURVEY_SUFFIXES]
    workers = jobs or default_jobs()
    if workers <= 1 or len(transcripts) <= 1:
        return None
    load_pipeline(model if model else "")  # loaded once, before the workers fork
    shas = store.source_shas()
    return prepared_files([(p, config, model, shas.get(source_name(p, root)))
                           for p in transcripts], workers)


LINK_OUT = ("a link to a file outside the study, not followed when walking a folder; "
            "name the file itself to ingest it")


def unreadable(path: Path, exc: BaseException) -> str:
    """The one line for a file whose reader failed in a way it did not foresee.

    It names the file and the kind of problem, never the exception's text
    (which can quote the file's content).
    """
    if isinstance(exc, RecursionError):
        what = "is nested too deeply to read (a damaged or crafted file)"
    elif isinstance(exc, MemoryError):
        what = "needs more memory to read than this machine has (a damaged or crafted file?)"
    else:
        what = f"could not be read: it is damaged or malformed ({type(exc).__name__})"
    return f"{shown(str(path))}: {what}; open it in its program and save it again"


_SURVEY_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")


def _ingest_survey(
    store: StudyStore, config: StudyConfig, path: Path, options: IngestOptions, model: str,
    known_cases: set[str], auto_cases: bool, root: Path | None,
) -> list[FileOutcome]:
    from framework_qda.ingest.survey import ingest_survey

    try:
        return ingest_survey(store, path, options.id_column or config.survey_id_column,
                             options.columns or config.survey_columns, model=model,
                             force=options.force, known_cases=known_cases,
                             auto_cases=auto_cases, root=root)
    except FqdaError as exc:
        return [FileOutcome(str(path), "failed", message=str(exc))]
    except store.database_errors:
        raise
    except Exception as exc:  # noqa: BLE001 - see ingest_files
        return [FileOutcome(str(path), "failed", message=unreadable(path, exc))]


def _ingest_one(
    store: StudyStore, config: StudyConfig, path: Path, case: str | None, model: str,
    force: bool, known_cases: set[str], auto_cases: bool, root: Path | None,
    prepared: Prepared | None = None,
) -> FileOutcome:
    if not path.exists():
        raise InputError(path, "does not exist")
    if shown(str(path)) != str(path):
        raise InputError(shown(str(path)), "has a name that is not UTF-8 (a byte of another "
                         "encoding); rename the file")
    name = source_name(path, root)
    file = stored_path(path, root)
    case_id = codable_case_id(case) if case else config.case_for(path.stem)
    brought = store.project_source_at(file) if root is not None else None
    if brought is not None and brought.name != name and store.source_named(name) is None:
        # A project's source keeps the name and case the project gave it
        # (its file is transcripts/<name>.txt, or a free name beside it).
        name = brought.name
        case_id = codable_case_id(case) if case else brought.case_id
    problem = check_case_id(case_id)
    if problem is not None:
        raise InputError(path, f"gives the case id {case_id!r}, which {problem}; rename the "
                         "file (or set case_pattern in fqda.yaml) or name its case with --case")
    data_sha = hashlib.sha256(read_bytes(path)).hexdigest()
    old = store.source_named(name)
    if old is not None and claimed_by(old.path, path, root):
        raise InputError(path, f"would be source {name}, which is already the file "
                         f"{old.path}; rename one of them (or move it under transcripts/)")
    if old is None:
        old = legacy_source(store, name, path, root)
    note = f"source {old.name} is now named {name}" if old and old.name != name else ""
    if case_id != (case or path.stem).strip() and " " in (case or path.stem).strip():
        note = "; ".join(n for n in (note, f"case id {case_id} (white space, : , ; and "
                                     "brackets become _ so the id can be typed in refs)") if n)
    if old is not None and old.sha256 == data_sha:
        if (old.name, old.path) != (name, file):
            with store.atomic():
                store.rename_sources([(old.id, name, file)])
        return FileOutcome(str(path), "unchanged", case_id, message=note)
    if prepared is not None and (prepared.sha256 != data_sha or prepared.transcript is None):
        prepared = None  # changed since the worker read it: read it again here
    transcript = prepared.transcript if prepared is not None and prepared.transcript else read(
        path)
    _check_sizes(path, transcript.text)
    stripped = transcript.text.strip()
    if not stripped:
        return FileOutcome(str(path), "skipped", case_id, message="empty file")
    if is_placeholder(stripped):
        left_out = _mark_withdrawn(store, case_id)
        return FileOutcome(str(path), "skipped", case_id,
                           message="placeholder for a withdrawn participant" + (
                               f"; case {case_id} is marked withdrawn and left out of the "
                               "matrices" if left_out else ""))
    outcome = _store(store, config, path, name, case_id, transcript, data_sha, model, force,
                     known_cases, auto_cases, file, old, prepared)
    mixed = ("mixes UTF-8 with Latin-1 (cp1252) bytes; each part was read as what it is: "
             "check its accented letters, and save it as UTF-8"
             if transcript.metadata.get("encoding") == MIXED else "")
    return replace(outcome, message="; ".join(m for m in (note, mixed, outcome.message) if m))


MAX_LINE = 200_000
"""Characters in one line of a transcript (a long paragraph is a few thousand)."""
MAX_SEGMENT = 500_000
"""Characters in one segment: a turn or paragraph longer than this is not one."""


def _check_sizes(path: Path, text: str) -> None:
    """Refuse text no transcript has: a line over :data:`MAX_LINE` characters
    (a single-line dump of a whole file, which spaCy would hold at about 40
    times its size), before any sentence is looked for."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE:
            line = text.count("\n", 0, start) + 1
            raise InputError(path, f"has a line of {end - start:,} characters; lines over "
                             f"{MAX_LINE:,} are refused (is it one paragraph per line? break "
                             "it into paragraphs)", line)
        start = end + 1


def _mark_withdrawn(store: StudyStore, case_id: str) -> bool:
    """Mark a case withdrawn when its only file is a placeholder; whether it is now."""
    case = store.case(case_id)
    if case is None or case.withdrawn or store.sources(case_id):
        return False
    with store.atomic():
        store.upsert_cases([replace(case, attributes=(*case.attributes, ("withdrawn", "yes")))])
    return True


def _store(
    store: StudyStore, config: StudyConfig, path: Path, name: str, case_id: str,
    transcript: Transcript, sha: str, model: str, force: bool, known_cases: set[str],
    auto_cases: bool, file: str, old: Source | None = None,
    prepared: Prepared | None = None,
) -> FileOutcome:
    """Segment ``transcript`` and store it as source ``name`` (over ``old``, renamed
    to ``name`` when its name differs), in one transaction."""
    if case_id not in known_cases and not auto_cases:
        raise InputError(
            path, f"case {case_id} is not in the study's cases; add a row for it to cases.csv "
            "and run `fqda cases import cases.csv`, name the case with --case, or pass "
            "--new-cases"
        )
    notes: list[str] = []
    ready = prepared if prepared is not None and prepared.turns is not None else None
    if ready is not None:
        notes.extend(ready.notes)
    elsewhere = Elsewhere(lambda: store.speaker_sources(other_than=name))
    segments = _segments(transcript, config, notes, elsewhere,
                         ready.turns if ready is not None else None)
    if not segments:
        raise InputError(path, "has no text to segment")
    longest = max(segments, key=lambda g: g.end - g.start)
    if longest.end - longest.start > MAX_SEGMENT:
        raise InputError(path, f"has a turn or paragraph of {longest.end - longest.start:,} "
                         f"characters (segment {longest.number}); over {MAX_SEGMENT:,} are "
                         "refused: add speaker labels or blank lines between paragraphs",
                         longest.line_first)
    if ready is not None and ready.sentences is not None:
        sentences = ready.sentences
    else:
        sentences = segment_sentences(load_pipeline(model), transcript.text,
                                      [(s.number, s.start, s.end) for s in segments])
    with store.atomic():
        if case_id not in known_cases:
            store.upsert_cases([Case(case_id)])
            known_cases.add(case_id)
        if old is not None and old.name != name:
            store.rename_sources([(old.id, name, file)])
        lost = _reanchor(store, old.id, old.text, transcript.text) if old else []
        plan = follow_plan(store, old.id, old.text, transcript.text) if old else None
        cited = len(plan.lost) if plan else 0
        if (lost or cited) and not force:
            what = " and ".join(x for x in (
                f"{len(lost)} coding(s)" if lost else "",
                f"{cited} summary reference(s)" if cited else "") if x)
            raise InputError(
                path, f"{what} rest on text that the new version no longer has; "
                "re-run with --force to drop them (they will be listed), or restore the text"
            )
        if lost:
            store.delete_codings(lost)
        store.put_source(
            case_id=case_id, name=name, path=file, format=transcript.format,
            sha256=sha, text=transcript.text, metadata=transcript.metadata,
            segments=segments, sentences=sentences,
        )
        if plan is not None:
            follow_apply(store, plan, drop_lost=force)
    message = "; ".join([*notes, *(
        [f"dropped {len(lost)} coding(s) whose text is gone"] if old and lost else [])])
    return FileOutcome(str(path), "updated" if old else "added", case_id, len(segments), message)


def _segments(transcript: Transcript, config: StudyConfig,
              notes: list[str] | None = None,
              elsewhere: Mapping[str, int] | None = None,
              turns: list[SegmentRow] | None = None) -> list[SegmentRow]:
    """The segments of a transcript with their roles settled over the file.

    ``elsewhere`` counts the other sources of the study each speaker speaks
    in (see :mod:`framework_qda.ingest.roles`); ``notes`` collects what the
    ingest report should say.
    """
    if transcript.format == "survey" and transcript.segments is not None:
        return transcript.segments  # participants' answers, whatever a question is called
    found = turns if turns is not None else find_segments(transcript, config, notes)
    # Roles are settled over the whole file: ``Dan:`` opposite ``Participant:``
    # is the interviewer though his name alone says nothing.
    roles = config.settle_roles({s.speaker for s in found if s.speaker})
    configured = {s.speaker for s in found if s.speaker and config.configured_role(s.speaker)}
    decided = named_interviewer(roles, found, transcript.text,
                                 elsewhere if elsewhere is not None else {}, configured)
    if decided is not None:
        roles = {**roles, decided[0]: "interviewer"}
        if notes is not None:
            notes.append(f"{decided[0]} is taken for the interviewer: {decided[1]} (set "
                         "roles in fqda.yaml to decide otherwise)")
    return [replace(s, role=cast(Role, roles[s.speaker]))
            if s.speaker and s.role != roles[s.speaker]
            else s for s in found]


def _reanchor(store: StudyStore, source_id: int, old_text: str, new_text: str) -> list[int]:
    """Move the source's codings to their text in ``new_text``; returns ids not found."""
    lost: list[int] = []
    for coding in store.source_codings(source_id):
        words = old_text[coding.start:coding.end]
        if new_text[coding.start:coding.end] == words:
            continue
        hits = occurrences(new_text, words)
        if not hits:
            lost.append(coding.id)
            continue
        start = min(hits, key=lambda h: abs(h - coding.start))
        store.move_coding(coding.id, start, start + len(words))
    return lost


__all__ = [
    "FileOutcome", "IngestOptions", "IngestReport", "ingest_files", "source_name",
    "span_hash", "stored_path", "transcript_files",
]
