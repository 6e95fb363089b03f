"""The editor flow of charting: each cell of a case's row in one theme as a
template (the summary on top, its evidence as ``#`` lines, like a ``git commit``
message), handed to an ``edit`` callback the command line supplies (an editor or
a terminal prompt), and the edited summary saved; what was typed in an editor
that failed is kept.  Nothing here prints or prompts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.errors import EditorFailed, FqdaError, UnknownReference
from framework_qda.matrix import CellKey, EvidenceChange
from framework_qda.model import Case, Cell, CellState, Subtopic, Theme
from framework_qda.store import StudyStore, SummaryRow

EditFn = Callable[[str], "str | None"]


@dataclass(frozen=True)
class CellOutcome:
    """What charting one cell did."""

    case_id: str
    subtopic: str
    before: CellState
    after: str
    """The state written (``summarised``, ``not-applicable``), or ``before`` if not saved."""
    saved: bool


EDITOR_HELP = (
    "# Lines starting with '#' are ignored. Save an empty text (or quit without",
    "# saving) to leave the cell as it is; write n/a to mark the topic not applicable.",
)
"""The template's lines about the editor; a prompt in the terminal gets
:data:`INLINE_HELP` instead."""
INLINE_HELP = ("# Type the summary on one line; Enter alone leaves the cell as it is, "
               "n/a marks the topic not applicable.",)


def cell_template(case: Case, subtopic: Subtopic, cell: Cell, change: EvidenceChange | None,
                  error: str = "", text: str | None = None, inline: bool = False) -> str:
    """The editor text for one cell, like a ``git commit`` message: the summary on top,
    then the evidence as ``#`` comment lines (numbered quotes with their refs)."""
    body = text if text is not None else (
        "n/a" + (f": {cell.summary}" if cell.summary else "")
        if cell.state == "not-applicable" else cell.summary)
    lines = [body, ""]
    if error:
        lines += [f"# ERROR: {error}", "#"]
    lines += [
        f"# {case.id} ({case.group or 'no group'}) × {subtopic.heading} — now {cell.state}",
        "# Summarise what this person said, in their words, citing segments as "
        f"[{cell.refs[0] if cell.refs else case.id + ':12'}].",
        *(INLINE_HELP if inline else EDITOR_HELP),
    ]
    if subtopic.definition:
        lines.append(f"# Sub-topic: {' '.join(subtopic.definition.split())}")
    if change is not None:
        lines.append(f"# STALE: {change.describe()}.")
    lines.append("#")
    if not cell.evidence:
        lines.append("# No evidence is coded to this cell.")
    for n, e in enumerate(cell.evidence, 1):
        who = f"{e.speaker}: " if e.speaker else ""
        quote = [ln.strip() for ln in e.text.splitlines() if ln.strip()] or [""]
        lines.append(f"# ({n}) [{e.ref}] {who}{quote[0]}")
        lines.extend(f"#     {ln}" for ln in quote[1:])
    return "\n".join(lines) + "\n"


def read_template(text: str) -> str:
    """The summary in an edited template: every line starting with ``#`` dropped."""
    kept = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")
            if not ln.lstrip().startswith("#")]
    return "\n".join(kept).strip()


@dataclass
class RowCharting:
    """The cells of one case in one theme that the editor flow goes through."""

    case: Case
    theme: Theme
    outcomes: list[CellOutcome] = field(default_factory=list)


def chart_row(store: StudyStore, case: Case, theme: Theme, cells: Mapping[CellKey, Cell],
              rows: Mapping[CellKey, SummaryRow], edit: EditFn, author: str,
              everything: bool = False, inline: bool = False) -> RowCharting:
    """Go through a case's cells of one theme, asking ``edit`` for each summary.

    ``edit`` gets the template and returns the edited text, or ``None`` to leave
    the cell alone.  An unknown reference asks again, with the error shown.
    Each saved cell is its own transaction, so stopping half-way keeps the rest.
    Empty cells are skipped unless ``everything``; ``inline``: ``edit`` is a prompt
    in the terminal, and the template says how to answer it, not how to save a file.
    """
    from framework_qda.charting import apply_text, evidence_change

    result = RowCharting(case, theme)
    for sub in theme.subtopics:
        key = (case.id, sub.code)
        cell = cells[key]
        if cell.state == "empty" and not everything:
            continue
        row = rows.get(key)
        change = evidence_change(row, cell.evidence) if cell.state == "stale" and row else None
        error, text = "", None
        while True:
            template = cell_template(case, sub, cell, change, error, text, inline)
            try:
                edited = edit(template)
            except EditorFailed as exc:
                raise _kept(store, case.id, sub.code, exc, template) from None
            body = read_template(edited) if edited is not None else ""
            if not body:
                result.outcomes.append(CellOutcome(case.id, sub.code, cell.state, cell.state,
                                                   False))
                break
            try:
                with store.atomic():
                    # The editor showed the summary there was: saving is replacing it.
                    after = apply_text(store, case.id, sub.code, body, author, replace=True)
            except UnknownReference as exc:
                error, text = str(exc), body
                continue
            result.outcomes.append(CellOutcome(case.id, sub.code, cell.state, after, True))
            break
    return result


def _kept(store: StudyStore, case_id: str, code: str, exc: EditorFailed, template: str
          ) -> FqdaError:
    """Keep what was typed in an editor that failed (as git keeps a failed commit
    message) in ``.fqda/chart-<case>-<sub-topic>.txt``, the owner's only, and say where."""
    from framework_qda.files import write_file

    where = f"{case_id} × {code}"
    typed = exc.text if exc.text is not None and exc.text != template else None
    if typed is None or not read_template(typed):
        return FqdaError(f"{exc} while charting {where}; nothing was typed there, and the "
                         "cells before it are saved")
    safe = re.sub(r"[^\w.-]+", "_", f"chart-{case_id}-{code}")
    path = Path(store.path).parent / f"{safe}.txt"
    try:
        write_file(path, typed, "what was typed", private=True)
    except FqdaError as failed:
        return FqdaError(f"{exc} while charting {where}, and what was typed could not be "
                         f"kept: {failed}")
    return FqdaError(f"{exc} while charting {where}; what you typed is kept in {path} (the "
                     "summary was not saved: copy it back with `fqda chart` and save)")
