"""Survey responses (CSV/TSV/XLSX): each row one case, chosen columns its answers.

A survey file becomes one source per case (named ``<file stem>_<case>``).
Its normalised text is assembled so: for each chosen column, in the order
given, a non-empty answer is written as ``<column>: <answer>`` (the answer's
line endings folded to ``\\n``, surrounding white space stripped); answers are
separated by one blank line.  Each answer is one segment, its speaker the
column name (the question) and its role ``participant``.

A survey file is stored in one transaction, its rows' sentences found in
one streamed spaCy pass.  A row whose assembled text is unchanged since the
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

from framework_qda.errors import InputError, ValidationError
from framework_qda.ingest.encoding import normalise_newlines
from framework_qda.ingest.readers import Transcript
from framework_qda.model import Case
from framework_qda.store import SegmentRow, Store
from framework_qda.tabular import read_table

if TYPE_CHECKING:
    from framework_qda.ingest import FileOutcome

_ID_GUESSES = ("case", "id", "case id", "case_id", "respondent", "participant")


@dataclass(frozen=True)
class SurveyAnswers:
    """One case's answers, read from one row of a survey file."""

    case_id: str
    name: str
    """Source name: the file's stem and the case id."""
    line: int
    transcript: Transcript


def read_survey(path: Path, id_column: str = "", columns: Sequence[str] = ()
                ) -> list[SurveyAnswers]:
    """Every row of a survey file with at least one answer in ``columns``.

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
    problems: list[str] = []
    seen: dict[str, int] = {}
    found: list[SurveyAnswers] = []
    for line, row in table.rows:
        case_id = row.get(id_key, "").strip()
        if not case_id:
            problems.append(f"{path}:{line}: no case id in column {by_key[id_key]!r}")
            continue
        if case_id in seen:
            problems.append(f"{path}:{line}: case {case_id} also has line {seen[case_id]}; "
                            "keep one row per case")
            continue
        seen[case_id] = line
        transcript = _answers(row, keys, by_key)
        if transcript is not None:
            found.append(SurveyAnswers(case_id, f"{path.stem}_{case_id}", line, transcript))
    if problems:
        raise ValidationError(f"{path}: {len(problems)} problem(s); nothing was ingested",
                              problems)
    return found


def _answers(row: dict[str, str], keys: list[str], by_key: dict[str, str]) -> Transcript | None:
    parts: list[str] = []
    segments: list[SegmentRow] = []
    pos = 0
    line = 1
    for key in keys:
        answer = normalise_newlines(row.get(key, "")).strip()
        if not answer:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
            line += 2
        question = by_key[key]
        label = f"{question}: "
        parts.append(label + answer)
        begin = pos + len(label)
        pos = begin + len(answer)
        last = line + label.count("\n") + answer.count("\n")
        segments.append(SegmentRow(len(segments) + 1, begin, pos, question, "participant",
                                   line + label.count("\n"), last))
        line = last
    if not segments:
        return None
    return Transcript(text="".join(parts), format="survey", segments=segments,
                      metadata={"columns": ", ".join(by_key[k] for k in keys)})


def ingest_survey(
    store: Store, path: Path, id_column: str, columns: Sequence[str], *, model: str,
    force: bool, known_cases: set[str], auto_cases: bool,
) -> list[FileOutcome]:
    """Store a survey file's rows as sources, in one transaction; outcomes in row order.

    Raises :class:`InputError` (nothing stored) when the table is unusable
    or a changed row would drop codings and ``force`` is not set.
    """
    from framework_qda.ingest import FileOutcome, _reanchor
    from framework_qda.ingest.sentences import load_pipeline, sources_sentences

    rows = read_survey(path, id_column, columns)
    if not rows:
        return [FileOutcome(str(path), "skipped", message="no row has an answer in the "
                            "chosen columns")]
    outcomes: list[tuple[int, FileOutcome]] = []
    todo: list[tuple[SurveyAnswers, str, bool]] = []
    for row in rows:
        where = f"{path}:{row.line}"
        sha = hashlib.sha256(row.transcript.text.encode("utf-8")).hexdigest()
        stored = store.source_sha(row.name)
        if stored == sha:
            outcomes.append((row.line, FileOutcome(where, "unchanged", row.case_id)))
        elif row.case_id not in known_cases and not auto_cases:
            outcomes.append((row.line, FileOutcome(
                where, "failed", row.case_id, message=f"{where}: case {row.case_id} is not in "
                "the study's cases; add it to cases.csv, or pass --new-cases")))
        else:
            todo.append((row, sha, stored is not None))
    if todo:
        nlp = load_pipeline(model)
        sentences = sources_sentences(nlp, (
            (row.transcript.text, [(s.number, s.start, s.end) for s in _segments(row)])
            for row, _, _ in todo))
        with store.atomic():
            new = sorted({row.case_id for row, _, _ in todo} - known_cases)
            if new:
                store.upsert_cases([Case(c) for c in new])
                known_cases.update(new)
            for (row, sha, existed), found in zip(todo, sentences, strict=True):
                old = store.source_by_name(row.name) if existed else None
                lost = _reanchor(store, old.id, old.text, row.transcript.text) if old else []
                if lost and not force:
                    raise InputError(path, f"{len(lost)} coding(s) on line {row.line} rest on "
                                     "answers the new version no longer has; nothing was "
                                     "ingested; re-run with --force to drop them")
                if lost:
                    store.delete_codings(lost)
                store.put_source(case_id=row.case_id, name=row.name, path=str(path),
                                 format="survey", sha256=sha, text=row.transcript.text,
                                 metadata=row.transcript.metadata,
                                 segments=_segments(row), sentences=found)
                note = f"dropped {len(lost)} coding(s) whose text is gone" if lost else ""
                outcomes.append((row.line, FileOutcome(
                    f"{path}:{row.line}", "updated" if old else "added", row.case_id,
                    len(_segments(row)), note)))
    return [o for _, o in sorted(outcomes, key=lambda x: x[0])]


def _segments(row: SurveyAnswers) -> list[SegmentRow]:
    return row.transcript.segments or []
