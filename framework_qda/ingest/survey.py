"""Survey responses (CSV/TSV/XLSX): each row one case, chosen columns its answers.

A survey file becomes one source per case, named after the file's own source
name (see :func:`framework_qda.ingest.source_name`) with ``_<case>`` before
its suffix: row P7 of ``../survey.csv`` is ``../survey_P7.csv``, so rows of two
files never share a name (a name another file already holds fails the file).
The previous version named it ``<file stem>_<case>``; such a source is found
by its stored path and renamed.
Its normalised text is assembled so: for each chosen column, in the order
given, a non-empty answer is written as ``<column>: <answer>`` (the answer's
line endings folded to ``\\n``, surrounding white space stripped); answers are
separated by one blank line.  Each answer is one segment, its speaker the
column name (the question) and its role ``participant``.

A survey file is stored in one transaction, its rows' sentences found in
one streamed spaCy pass over the answers, each its own document (see
:func:`framework_qda.ingest.sentences.sources_sentences`), its new rows
inserted in batches.  A row whose assembled text is unchanged since the
last ingest is left alone (its source's hash is the hash of that text); a
row whose case the study lacks is reported and skipped (unless new cases
are allowed); a changed row whose codings would lose their text fails the
whole file unless forced, so nothing is half-written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.collector import collector_paused
from framework_qda.errors import InputError, ValidationError
from framework_qda.ingest.encoding import normalise_newlines
from framework_qda.ingest.readers import Transcript
from framework_qda.model import check_case_id, shown
from framework_qda.refs import case_id as codable_case_id
from framework_qda.store import SegmentRow, StudyStore
from framework_qda.store.rows import NewSource
from framework_qda.tabular import read_table

if TYPE_CHECKING:
    from framework_qda.ingest import FileOutcome

_ID_GUESSES = ("case", "id", "case id", "case_id", "respondent", "participant")


@dataclass(frozen=True)
class SurveyAnswers:
    """One case's answers, read from one row of a survey file."""

    case_id: str
    name: str
    """Source name: the file's source name with ``_<case id>`` before its suffix."""
    line: int
    transcript: Transcript
    attributes: tuple[tuple[str, str], ...] = ()
    """The row's other columns (``age``, ``gender`` …) that have a value."""


def read_survey(path: Path, id_column: str = "", columns: Sequence[str] = (),
                file_name: str = "") -> list[SurveyAnswers]:
    """Every row of a survey file with at least one answer in ``columns``.

    Rows are named after ``file_name``, the file's source name (default: its
    name).

    ``id_column`` defaults to a column named ``case`` or ``id`` (else the
    first).  Unknown columns, and missing or repeated ids, are reported all
    at once; nothing is read then.
    """
    table = read_table(path)
    by_key = {h.casefold(): h for h in table.header if h}
    listing = ", ".join(h for h in table.header if h)
    if id_column:
        id_key = id_column.casefold()
        if id_key not in by_key:
            raise InputError(path, f"has no column {id_column!r}; its columns are {listing}")
    else:
        id_key = next((k for k in _ID_GUESSES if k in by_key), table.header[0].casefold())
    if not columns:
        raise InputError(path, "is a survey table: name its open-ended answer columns with "
                         f"--columns (or survey.columns in fqda.yaml); its columns are {listing}")
    missing = [c for c in columns if c.casefold() not in by_key]
    if missing:
        raise InputError(path, f"has no column {', '.join(map(repr, missing))}; its columns "
                         f"are {listing}")
    keys = [c.casefold() for c in columns]
    # What every row shares is worked out once: at 100,000 rows the per-row
    # version of it was a third of reading the file.
    labels = [(key, by_key[key], f"{by_key[key]}: ", by_key[key].count("\n")) for key in keys]
    listed = ", ".join(by_key[k] for k in keys)
    others = [(k, h) for k, h in by_key.items() if k != id_key and k not in keys]
    file_name = file_name or path.name
    dot = file_name.rfind(".")
    head, tail = (file_name[:dot], file_name[dot:]) if dot > file_name.rfind("/") + 1 \
        else (file_name, "")
    problems: list[str] = []
    seen: dict[str, int] = {}
    found: list[SurveyAnswers] = []
    for line, row in table.rows:
        case_id = codable_case_id(row.get(id_key, ""))
        if not case_id:
            problems.append(f"{path}:{line}: no case id in column {by_key[id_key]!r}")
            continue
        problem = check_case_id(case_id)
        if problem is not None:
            problems.append(f"{path}:{line}: the case id {shown(case_id)!r} {problem}; "
                            "a case id is typed in refs like P07:12, so change it")
            continue
        if case_id in seen:
            problems.append(f"{path}:{line}: case {case_id} also has line {seen[case_id]}; "
                            "keep one row per case")
            continue
        seen[case_id] = line
        transcript = _answers(row, labels, listed)
        if transcript is not None:
            found.append(SurveyAnswers(case_id, f"{head}_{case_id}{tail}", line, transcript,
                                       tuple((h, row[k]) for k, h in others if row.get(k))))
    if problems:
        raise ValidationError(f"{path}: {len(problems)} problem(s); nothing was ingested",
                              problems)
    return found


def _answers(row: dict[str, str], labels: list[tuple[str, str, str, int]], listed: str
             ) -> Transcript | None:
    """One row's text and segments; ``labels`` holds each chosen column's
    (key, question, ``question: `` label, line breaks in the label)."""
    parts: list[str] = []
    segments: list[SegmentRow] = []
    pos = 0
    line = 1
    for key, question, label, label_lines in labels:
        answer = row.get(key, "")
        if "\r" in answer:
            answer = normalise_newlines(answer)
        answer = answer.strip()
        if not answer:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
            line += 2
        parts.append(label + answer)
        begin = pos + len(label)
        pos = begin + len(answer)
        first = line + label_lines
        last = first + answer.count("\n")
        segments.append(SegmentRow(len(segments) + 1, begin, pos, question, "participant",
                                   first, last))
        line = last
    if not segments:
        return None
    return Transcript(text="".join(parts), format="survey", segments=segments,
                      metadata={"columns": listed})


def ingest_survey(
    store: StudyStore, path: Path, id_column: str, columns: Sequence[str], *, model: str,
    force: bool, known_cases: set[str], auto_cases: bool, root: Path | None = None,
) -> list[FileOutcome]:
    """Store a survey file's rows as sources, in one transaction; outcomes in row order.

    Raises :class:`InputError` (nothing stored) when the table is unusable
    or a changed row would drop codings and ``force`` is not set.
    """
    with collector_paused():
        return _ingest_survey(store, path, id_column, columns, model=model, force=force,
                              known_cases=known_cases, auto_cases=auto_cases, root=root)


def _ingest_survey(
    store: StudyStore, path: Path, id_column: str, columns: Sequence[str], *, model: str,
    force: bool, known_cases: set[str], auto_cases: bool, root: Path | None = None,
) -> list[FileOutcome]:
    from framework_qda.ingest import FileOutcome, source_name, stored_path

    rows = read_survey(path, id_column, columns, source_name(path, root))
    if not rows:
        return [FileOutcome(str(path), "skipped", message="no row has an answer in the "
                            "chosen columns")]
    outcomes: list[tuple[int, FileOutcome]] = []
    todo: list[tuple[SurveyAnswers, str, bool]] = []
    file = str(path)  # once: formatting a Path per row is not free at 100,000 rows
    keep = stored_path(path, root)
    # One query for every stored hash: asking per row cost a round trip per answer.
    stored_shas, renames = _stored(store, path, root, rows, keep)
    for row in rows:
        where = f"{file}:{row.line}"
        sha = hashlib.sha256(row.transcript.text.encode("utf-8")).hexdigest()
        stored = stored_shas.get(row.name)
        if stored == sha:
            outcomes.append((row.line, FileOutcome(where, "unchanged", row.case_id, table=file)))
        elif row.case_id not in known_cases and not auto_cases:
            outcomes.append((row.line, FileOutcome(
                where, "failed", row.case_id, message=f"{where}: case {row.case_id} is not in "
                "the study's cases; add it to cases.csv, or pass --new-cases", table=file)))
        else:
            todo.append((row, sha, stored is not None))
    del stored_shas
    if renames and not todo:
        with store.atomic():
            store.rename_sources(renames)
    if todo:
        _store_rows(store, path, todo, outcomes, model, force, known_cases, keep, renames)
    _case_attributes(store, rows)
    return [o for _, o in sorted(outcomes, key=lambda x: x[0])]


def _case_attributes(store: StudyStore, rows: list[SurveyAnswers]) -> None:
    """The survey's other columns become attributes of its cases (a ``group``
    column their sample group): a value a case lacks is added, one it has
    (from the cases file) is kept.  Names match whatever their case."""
    from dataclasses import replace

    from framework_qda.cases import GROUP_COLUMNS

    stored = {c.id: c for c in store.cases()}
    changed = []
    for row in rows:
        case = stored.get(row.case_id)
        if case is None or not row.attributes:
            continue
        group = case.group
        have = {k.casefold(): v for k, v in case.attributes}
        added: list[tuple[str, str]] = []
        filled: dict[str, str] = {}
        for name, value in row.attributes:
            key = name.casefold()
            if key in GROUP_COLUMNS:
                group = group or value
            elif key not in have:
                added.append((name, value))
                have[key] = value
            elif not have[key]:
                filled[key] = value
        if added or filled or group != case.group:
            attributes = tuple((k, v or filled.get(k.casefold(), "")) for k, v in case.attributes)
            changed.append(replace(case, group=group, attributes=(*attributes, *added)))
    if changed:
        with store.atomic():
            store.upsert_cases(changed)


def _stored(store: StudyStore, path: Path, root: Path | None, rows: list[SurveyAnswers],
            keep: str) -> tuple[dict[str, str], list[tuple[int, str, str]]]:
    """The stored hash of each row's source, and the renames of sources the previous
    version named ``<stem>_<case>``.

    Raises :class:`InputError` when a row's name is a source of another file.
    """
    from framework_qda.ingest import claimed_by, same_file

    files = store.source_files()
    shas: dict[str, str] = {}
    verdict: dict[str, bool] = {}  # stored path -> another file's; decided once per path
    for row in rows:
        found = files.get(row.name)
        if found is None:
            continue
        sha, where = found
        if where != keep:
            if where not in verdict:
                verdict[where] = claimed_by(where, path, root)
            if verdict[where]:
                raise InputError(path, f"line {row.line} would be source {row.name}, which "
                                 f"is already a row of {where}; rename one of the files")
        shas[row.name] = sha
    stem = path.stem
    legacy = {f"{stem}_{row.case_id}": row.name for row in rows
              if row.name not in shas and f"{stem}_{row.case_id}" in files}
    renames: list[tuple[int, str, str]] = []
    mine: dict[str, bool] = {}
    for old, (sid, where, fmt) in store.source_paths(legacy).items():
        if where not in mine:
            mine[where] = same_file(where, path, root)
        if fmt == "survey" and mine[where]:
            renames.append((sid, legacy[old], keep))
            shas[legacy[old]] = files[old][0]
    return shas, renames


def _store_rows(store: StudyStore, path: Path, todo: list[tuple[SurveyAnswers, str, bool]],
                outcomes: list[tuple[int, FileOutcome]], model: str, force: bool,
                known_cases: set[str], file: str,
                renames: list[tuple[int, str, str]]) -> None:
    """Store the new and changed rows, in one transaction; adds their outcomes.

    ``file`` is the path the sources keep (see :func:`framework_qda.ingest.stored_path`).
    """
    from framework_qda.ingest import FileOutcome
    from framework_qda.ingest.sentences import load_pipeline, sources_sentences

    shown = str(path)
    nlp = load_pipeline(model)
    sentences = sources_sentences(nlp, (
        (row.transcript.text, [(s.number, s.start, s.end) for s in _segments(row)])
        for row, _, _ in todo))
    with store.atomic():
        store.rename_sources(renames)
        new = sorted({row.case_id for row, _, _ in todo} - known_cases)
        if new:
            store.add_cases(new)
            known_cases.update(new)
        batch: list[NewSource] = []
        with store.source_batches() as add_sources:
            for (row, sha, existed), found in zip(todo, sentences, strict=True):
                segments = _segments(row)
                if existed:
                    note = _replace(store, path, row, sha, segments, found, force, file)
                else:
                    # New rows go in batches, a statement per table for many rows;
                    # ids come out as one by one (a changed row keeps its id).
                    batch.append(NewSource(row.case_id, row.name, file, "survey",
                                           sha, row.transcript.text,
                                           row.transcript.metadata, segments, found))
                    if len(batch) >= _BATCH:
                        add_sources(batch)
                        batch = []
                    note = ""
                outcomes.append((row.line, FileOutcome(
                    f"{shown}:{row.line}", "updated" if existed else "added", row.case_id,
                    len(segments), note, table=shown)))
            add_sources(batch)


_BATCH = 2000
"""New sources stored per statement: big enough that a round trip is rare,
small enough that the rows waiting for it stay a few megabytes."""


def _replace(store: StudyStore, path: Path, row: SurveyAnswers, sha: str,
             segments: list[SegmentRow], found: list[tuple[int, int, int, int]],
             force: bool, file: str) -> str:
    """Store a changed row over its older version, moving its codings; the report note."""
    from framework_qda.ingest import _reanchor

    old = store.source_named(row.name)
    lost = _reanchor(store, old.id, old.text, row.transcript.text) if old else []
    if lost and not force:
        raise InputError(path, f"{len(lost)} coding(s) on line {row.line} rest on "
                         "answers the new version no longer has; nothing was "
                         "ingested; re-run with --force to drop them")
    if lost:
        store.delete_codings(lost)
    store.put_source(case_id=row.case_id, name=row.name, path=file,
                     format="survey", sha256=sha, text=row.transcript.text,
                     metadata=row.transcript.metadata, segments=segments, sentences=found)
    return f"dropped {len(lost)} coding(s) whose text is gone" if lost else ""


def _segments(row: SurveyAnswers) -> list[SegmentRow]:
    return row.transcript.segments or []
