"""The hand-written files of a study folder, applied only when *they* change.

``fqda run`` reads ``cases.csv``, the codebook in ``codebooks/``,
``codings.csv`` and ``summaries.csv`` every time, but a researcher goes on
working in the study between runs: uncoding, rewriting a summary, renaming
a sub-topic.  So each file is applied only when its bytes differ from when
it was last applied (``inputs`` in the store), and then only the rows that
changed in the file since.  A changed row that would undo what the
researcher has since done in the study (re-add a coding they removed,
overwrite a summary they edited) is a *conflict*: it is reported, and
nothing of that file is applied until they choose (``prefer="file"`` or
``prefer="study"``, ``fqda run --prefer``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from framework_qda.errors import FqdaError
from framework_qda.store import AppliedInput, StudyStore

InputStatus = Literal["applied", "unchanged", "conflict"]
Prefer = Literal["file", "study"] | None


@dataclass(frozen=True)
class InputOutcome:
    """What a run did with one hand-written file."""

    step: str
    """``cases``, ``codebook``, ``codings`` or ``summaries``."""
    path: str
    """Relative to the study folder."""
    status: InputStatus
    message: str
    conflicts: tuple[str, ...] = ()
    """``file:line: what the study has instead``, one per conflicting row."""


@dataclass
class _Rows:
    """A file's rows keyed for comparison, with the line each starts on."""

    content: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def sha_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise FqdaError(f"{path}: cannot read it ({exc.strerror})") from None


def relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def unchanged(store: StudyStore, root: Path, path: Path) -> tuple[str, AppliedInput | None, bool]:
    """(the file's sha256, what was applied of it before, whether it is the same now)."""
    sha = sha_of(path)
    before = store.applied_input(relative(root, path))
    return sha, before, before is not None and before.sha256 == sha


def record(store: StudyStore, root: Path, path: Path, sha: str,
           rows: Mapping[str, str] | None = None) -> None:
    with store.atomic():
        store.put_applied_input(relative(root, path), sha, dict(rows or {}))


# -- the codebook -------------------------------------------------------------------------
def _is_template(path: Path, template: str) -> bool:
    try:
        return path.stat().st_size == len(template.encode()) and \
            path.read_bytes() == template.encode()
    except OSError:
        return False


def codebook_file(root: Path, last_imported: str) -> tuple[Path | None, str]:
    """The codebook file a run applies from ``codebooks/``, or None and why not.

    ``framework.*`` (any format read), else the file last imported if it is
    there, else the only codebook file in the folder.
    """
    from framework_qda.codebook import REFI_SUFFIXES, TABLE_SUFFIXES, YAML_SUFFIXES

    folder = root / "codebooks"
    if not folder.is_dir():
        return None, ""
    suffixes = (*YAML_SUFFIXES, *TABLE_SUFFIXES, *REFI_SUFFIXES)
    from framework_qda.scaffold import CODEBOOK_TEMPLATE

    # The template `fqda init` wrote is not a framework until someone edits it.
    found = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith(".")
                   and not _is_template(p, CODEBOOK_TEMPLATE))
    named = [p for p in found if p.stem.casefold() == "framework"]
    if len(named) == 1:
        return named[0], ""
    last = [p for p in found if relative(root, p) == last_imported]
    if last:
        return last[0], ""
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, ""
    return None, (f"codebooks/ holds {len(found)} codebooks "
                  f"({', '.join(p.name for p in found)}); name the one to use "
                  "framework.<suffix>, or import it once with `fqda codebook import FILE`")


# -- codings.csv ------------------------------------------------------------------------
def _coding_rows(path: Path) -> _Rows:
    from framework_qda.tabular import read_table

    rows = _Rows()
    for line, row in read_table(path).rows:
        key = json.dumps(sorted((k.casefold(), v.strip()) for k, v in row.items() if v.strip()),
                         ensure_ascii=False)
        rows.content[key] = ""
        rows.lines.setdefault(key, line)
    return rows


def apply_codings(store: StudyStore, root: Path, path: Path, coder: str,
                  prefer: Prefer = None) -> InputOutcome:
    """Apply the rows of a codings file that are new since it was last applied.

    A new row naming a coding that the researcher removed in the study (its
    latest change in the history, not undone) is a conflict (``prefer="file"`` codes it again,
    ``prefer="study"`` leaves it out).  Rows taken out of the file are
    reported; their codings stay (remove them with ``fqda uncode``).
    """
    from framework_qda.codings_table import import_codings

    rel = relative(root, path)
    sha, before, same = unchanged(store, root, path)
    if same:
        return InputOutcome("codings", rel, "unchanged", f"{rel} unchanged since last applied")
    rows = _coding_rows(path)
    old = before.rows if before else {}
    new_lines = sorted(rows.lines[k] for k in rows.content if k not in old)
    gone = sum(1 for k in old if k not in rows.content)
    skip: set[int] = set()
    conflicts: list[str] = []
    if new_lines:
        plan = import_codings(store, path, coder, dry_run=True, lines=set(new_lines))
        for line, (source_id, start, end, sub_id, ref, code) in plan.planned:
            removed = store.coding_removed(source_id, start, end, sub_id)
            if removed is None:
                continue
            if prefer == "study":
                skip.add(line)
            elif prefer != "file":
                conflicts.append(f"{rel}:{line}: {ref} → {code} was removed in the study "
                                 f"(#{removed[0]} by {removed[1]})")
    if conflicts:
        return InputOutcome("codings", rel, "conflict",
                            f"nothing from {rel} was applied: {len(conflicts)} row(s) would "
                            "undo what was done in the study since; take them out of the file, "
                            "or run again with --prefer study (leave them out) or --prefer "
                            "file (apply them)", tuple(conflicts))
    wanted = {n for n in new_lines if n not in skip}
    with store.atomic():
        report = import_codings(store, path, coder, lines=wanted) if wanted else None
        store.put_applied_input(rel, sha, rows.content)
    added = report.added if report else 0
    present = report.existing if report else 0
    parts = [f"{added} added, {present} already present from {rel}"]
    if skip:
        parts.append(f"{len(skip)} left out (removed in the study)")
    if gone:
        parts.append(f"{gone} row(s) taken out of the file keep their codings "
                     "(fqda uncode removes them)")
    return InputOutcome("codings", rel, "applied", "; ".join(parts))


# -- summaries.csv ------------------------------------------------------------------------
def _summary_rows(path: Path) -> tuple[_Rows, dict[str, dict[str, str]]]:
    from framework_qda.tabular import read_table

    rows = _Rows()
    full: dict[str, dict[str, str]] = {}
    for line, row in read_table(path).rows:
        key = f"{row.get('case', '')}\x1f{row.get('subtopic', '')}"
        rows.content[key] = row.get("summary", "")
        rows.lines[key] = line
        full[key] = dict(row)
    return rows, full


def apply_summaries(store: StudyStore, root: Path, path: Path, author: str,
                    prefer: Prefer = None) -> InputOutcome:
    """Apply the rows of a summaries file that are new or changed since it was last
    applied.

    A row fills an empty or drafted cell, or replaces the summary the file
    itself put there when the study still holds it unchanged.  A row whose
    cell the researcher wrote, edited or cleared in the study since is a
    conflict (``prefer="file"`` writes the file's text over it, keeping the
    earlier text in the history; ``prefer="study"`` leaves the cell alone).
    """
    from framework_qda import charting

    rel = relative(root, path)
    sha, before, same = unchanged(store, root, path)
    if same:
        return InputOutcome("summaries", rel, "unchanged",
                            f"{rel} unchanged since last applied")
    rows, full = _summary_rows(path)
    old = before.rows if before else {}
    since = before.action_id if before else 0
    ids = store.subtopic_ids()
    aliases = store.code_aliases()
    have = store.summaries()
    apply: list[tuple[int, dict[str, str], bool]] = []
    conflicts: list[str] = []
    left_out = 0
    for key, text in rows.content.items():
        if not charting.normalise(text) or old.get(key) == text:
            continue
        case_id, code = key.split("\x1f", 1)
        code = code if code in ids else aliases.get(code, code)
        line, row = rows.lines[key], {**full[key], "subtopic": code}
        study = have.get((case_id, code))
        if study is not None and charting.normalise(study.text) == charting.normalise(text):
            continue  # the study has these words already
        earlier = old.get(key)
        if study is None or study.state == "draft":
            touched = (store.summary_changed_since(since, case_id, ids[code])
                       if before and code in ids and study is None else None)
            if touched is None:
                apply.append((line, row, False))
                continue
            what = f"cleared in the study (#{touched[0]} by {touched[1]})"
        elif earlier is not None and charting.normalise(study.text) == charting.normalise(
                earlier) and study.state != "not-applicable":
            apply.append((line, row, True))  # the file's own earlier words: follow the file
            continue
        else:
            by = f" by {study.author}" if study.author else ""
            what = f"written in the study{by} ({study.updated_at[:10]})"
        if prefer == "file":
            apply.append((line, row, True))
        elif prefer == "study":
            left_out += 1
        else:
            conflicts.append(f"{rel}:{line}: {case_id} × {code} has a summary {what} that "
                             f"differs from the file's")
    if conflicts:
        return InputOutcome("summaries", rel, "conflict",
                            f"nothing from {rel} was applied: {len(conflicts)} row(s) would "
                            "write over summaries in the study; take them out of the file, "
                            "or run again with --prefer study (keep the study's) or --prefer "
                            "file (write the file's; the earlier text stays in fqda history)",
                            tuple(conflicts))
    with store.atomic():
        written = charting.apply_rows(store, rel, apply, author)
        store.put_applied_input(rel, sha, rows.content)
    tail = f"; {left_out} left as the study has them" if left_out else ""
    return InputOutcome("summaries", rel, "applied", f"{written} written from {rel}{tail}")
