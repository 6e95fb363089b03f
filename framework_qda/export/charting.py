"""The charting workbook: summaries edited in a spreadsheet and brought back.

One sheet per theme, one row per case; for each sub-topic an editable summary
column, its state, and the evidence beside it.  Hidden ids make the way back
independent of what an analyst does to the visible layout: row 1 (hidden)
names the sub-topic of each column and cell A1 the theme, column A (hidden)
holds each row's case id, so renamed headers, renamed sheets and re-sorted
rows still map to their cells.  A hidden ``_fqda_base`` sheet records, per
cell, a fingerprint of the text written and of the study's summary at export
time: an import can then tell an analyst's edit from a cell that also changed
in the study since, and refuse to overwrite either silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework_qda.cell_state import rendering
from framework_qda.charting import apply_text, fingerprint, normalise
from framework_qda.errors import (
    ConflictError,
    FqdaError,
    InputError,
    UnknownReference,
    ValidationError,
)
from framework_qda.export.cells import (
    MAX_LINES,
    Look,
    Sheet,
    close_workbook,
    fit,
    line_count,
    new_workbook,
    print_setup,
    sheet_title,
    split_for_rows,
)
from framework_qda.files import replacing
from framework_qda.matrix import CellKey, Matrix
from framework_qda.model import Cell
from framework_qda.store import StudyStore, SummaryRow

BASE_SHEET = "_fqda_base"
THEME_MARK = "fqda:theme="
STATE_SUFFIX = ":state"
EVIDENCE_SUFFIX = ":evidence"
CUT_MARK = " […cut: `fqda case` shows all the evidence]"
SUMMARY_CUT = (" […cut at the spreadsheet's cell limit: the whole summary is in the study; "
               "an edited cell that still ends with this note is not imported]")
"""Ends a summary longer than a cell holds.  The way back never stores such a cell:
unedited it is no change; edited, it is refused (the rest would be lost); with
this note deleted, the cell's text is the whole new summary."""
_CUT_HEAD = SUMMARY_CUT[:40]
SUMMARY_WIDTH = 45
STATE_WIDTH = 12
EVIDENCE_WIDTH = 60
SUBTOPICS_PER_PAGE = 2  # printed across one page (with the case columns repeated)
HOW_TO = (
    "Charting workbook written by fqda.",
    "Edit the summary columns (one sheet per theme, one row per case); the evidence "
    "columns beside them show what was coded.",
    "Cite segments as [P07:12] or [P07:12, P07:14]; write n/a (or n/a: reason) when a "
    "topic was not asked or does not apply; clear a cell to remove its summary.",
    "Rename headers, sort rows or rename sheets freely: hidden ids keep each cell mapped.",
    "Then run: fqda chart import THIS_FILE",
)


def shown_text(row: SummaryRow | None) -> str:
    """A stored summary as the workbook (and the editor) show it."""
    if row is None:
        return ""
    if row.state == "not-applicable":
        return "n/a" + (f": {row.text}" if row.text else "")
    return row.text


def study_fingerprint(row: SummaryRow | None) -> str:
    return fingerprint(row.state, row.text) if row is not None else ""


def _text_hash(text: str) -> str:
    return hashlib.sha1(normalise(text).encode()).hexdigest()[:16]


def _evidence(cell: Cell) -> str:
    """The evidence column's text: as much as one row shows, then ``CUT_MARK``."""
    quotes = [f"[{e.ref}] {' '.join(e.text.split())}" for e in cell.evidence]
    text = fit("\n\n".join(quotes), mark=CUT_MARK)[0]
    parts = split_for_rows(text, EVIDENCE_WIDTH, MAX_LINES - 2)
    return text if len(parts) == 1 else parts[0].rstrip() + CUT_MARK


def write_charting_workbook(path: Path, matrices: Sequence[Matrix],
                            rows: Mapping[CellKey, SummaryRow], paper: str = "a4") -> Path:
    """Write the charting workbook for ``matrices`` (``rows``: the stored summaries).

    Every cell, hidden ids too, is written as text (``cells.Sheet``); each row
    is given the height its text needs, so no spreadsheet draws one row over
    the next, and each sheet prints landscape on ``paper`` (``a4``, ``letter``).
    Written to a temporary name and moved into place, so a failed export
    leaves an older workbook untouched.
    """
    from framework_qda.export.excel import scratch_folder

    with replacing(path, "the workbook", "if it is open in a spreadsheet application "
                   "close it, or choose another file with -o") as out, \
            scratch_folder() as tmpdir:
        wb = new_workbook(out, tmpdir, constant_memory=True)
        _write(wb, matrices, rows, paper)
        close_workbook(wb)
    return path


def _write(wb: Any, matrices: Sequence[Matrix], rows: Mapping[CellKey, SummaryRow],
           paper: str) -> None:
    formats: dict[Look, Any] = {}
    wb.set_properties({"title": "Charting workbook", "author": "framework-qda"})
    about = Sheet(wb, wb.add_worksheet("About"), formats)
    about.ws.set_column(0, 0, 110)
    print_setup(about.ws, paper, "Charting workbook", "About", repeat_rows=0)
    for i, line in enumerate(HOW_TO):
        about.height(i, line_count(line, 110))
        about.text(i, 0, line, Look())
    base = Sheet(wb, wb.add_worksheet(BASE_SHEET), formats)
    for col, head in enumerate(("case", "subtopic", "written", "study")):
        base.text(0, col, head)
    base.ws.hide()
    taken = {"about", BASE_SHEET.casefold()}
    bold = Look(bold=True)
    base_row = 0
    for m in matrices:
        name = sheet_title(m.theme.heading, taken)
        s = Sheet(wb, wb.add_worksheet(name), formats)
        ws = s.ws
        ws.set_row(0, None, None, {"hidden": True})
        ws.set_column(0, 0, 8, None, {"hidden": True})
        ws.set_column(1, 1, 9)
        ws.set_column(2, 2, 16)
        for i in range(len(m.subtopics)):
            col = 3 + 3 * i
            ws.set_column(col, col, SUMMARY_WIDTH)
            ws.set_column(col + 1, col + 1, STATE_WIDTH)
            ws.set_column(col + 2, col + 2, EVIDENCE_WIDTH)
        ws.freeze_panes(2, 3)
        # A sheet to edit is printed legibly: two sub-topics to a page across, not
        # every sub-topic shrunk onto one.
        print_setup(ws, paper, "Charting workbook", name, repeat_rows=2, repeat_cols=3,
                    pages_wide=-(-len(m.subtopics) // SUBTOPICS_PER_PAGE))
        s.text(0, 0, THEME_MARK + m.theme.code)
        for i, sub in enumerate(m.subtopics):
            col = 3 + 3 * i
            for offset, ident in enumerate((sub.code, sub.code + STATE_SUFFIX,
                                            sub.code + EVIDENCE_SUFFIX)):
                s.text(0, col + offset, ident)
        s.height(1, max([line_count(sub.heading, SUMMARY_WIDTH) for sub in m.subtopics] + [1]))
        for col, head in ((0, "id"), (1, "Case"), (2, "Group")):
            s.text(1, col, head, bold)
        for i, sub in enumerate(m.subtopics):
            col = 3 + 3 * i
            for offset, head in enumerate((sub.heading, "state", f"{sub.code} evidence")):
                s.text(1, col + offset, head, bold)
        for r, case in enumerate(m.cases, 2):
            shown: list[tuple[Cell, SummaryRow | None, str, str]] = []
            lines = 1
            for sub in m.subtopics:
                cell = m.cell(case.id, sub.code)
                row = rows.get((case.id, sub.code))
                text = fit(shown_text(row), mark=SUMMARY_CUT)[0]
                evidence = _evidence(cell)
                shown.append((cell, row, text, evidence))
                lines = max(lines, line_count(text, SUMMARY_WIDTH),
                            line_count(evidence, EVIDENCE_WIDTH))
            s.height(r, lines)
            s.text(r, 0, case.id)
            s.text(r, 1, case.id, Look())
            s.text(r, 2, case.group, Look())
            for i, (sub, (cell, row, text, evidence)) in enumerate(
                    zip(m.subtopics, shown, strict=True)):
                col = 3 + 3 * i
                fill = rendering(cell.state).chart_fill
                s.text(r, col, text, Look(fill=fill))
                s.text(r, col + 1, cell.state, Look(fill=fill, wrap=False))
                s.text(r, col + 2, evidence, Look())
                base_row += 1
                for c, value in enumerate((case.id, sub.code, _text_hash(text),
                                           study_fingerprint(row))):
                    base.text(base_row, c, value)


@dataclass(frozen=True)
class FileCell:
    """A summary cell as the workbook holds it, with the ids it was exported with."""

    where: str
    """``Sheet!D5``, for messages."""
    case_id: str
    subtopic: str
    text: str
    written: str
    study: str


def read_charting_workbook(path: Path) -> list[FileCell]:
    """Every summary cell of a charting workbook, mapped back by its hidden ids.

    Raises :class:`InputError` when the file is not a charting workbook, and
    one error listing every row that lost its hidden case id.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from framework_qda.ingest.office import check_archive
    from framework_qda.ingest.readers import read_bytes

    if not path.is_file():
        raise InputError(path, "does not exist")
    data = read_bytes(path)
    if data.startswith(b"PK"):
        check_archive(path, data, ".xlsx")  # no zip bomb reaches openpyxl
    try:
        wb = load_workbook(path, read_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(path, "cannot be read as an .xlsx workbook") from None
    try:
        if BASE_SHEET not in wb.sheetnames:
            raise InputError(path, f"has no hidden {BASE_SHEET} sheet, so it was not written "
                             "by `fqda chart export`; export one and edit that")
        base = {(str(r[0]), str(r[1])): (str(r[2] or ""), str(r[3] or ""))
                for r in wb[BASE_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
        cells: list[FileCell] = []
        problems: list[str] = []
        themes = 0
        for ws in wb.worksheets:
            if ws.title == BASE_SHEET:
                continue
            grid = list(ws.iter_rows(values_only=True))
            if not grid or not str(grid[0][0] or "").startswith(THEME_MARK):
                continue
            themes += 1
            ids = grid[0]
            columns = [(i, str(v)) for i, v in enumerate(ids)
                       if i > 0 and v and ":" not in str(v)]
            for n, values in enumerate(grid[2:], 3):
                case_id = str(values[0] or "").strip() if values else ""
                texts = [(i, code, values[i] if i < len(values) else None)
                         for i, code in columns]
                if not case_id:
                    if any(v not in (None, "") for _, _, v in texts):
                        problems.append(f"{path}: sheet {ws.title} row {n} has no hidden case "
                                        "id (column A); was it added by hand? Move its text "
                                        "to the case's own row")
                    continue
                for i, code, value in texts:
                    if (case_id, code) not in base:
                        problems.append(f"{path}: sheet {ws.title} row {n}: {case_id} × "
                                        f"{code} is not in the export's ids")
                        continue
                    written, study = base[(case_id, code)]
                    cells.append(FileCell(f"{ws.title}!{get_column_letter(i + 1)}{n}",
                                          case_id, code, _value(value), written, study))
    finally:
        wb.close()
    if not themes:
        raise InputError(path, "has no theme sheets with charting ids; export a fresh "
                         "workbook with `fqda chart export`")
    if problems:
        raise ValidationError(f"{path}: nothing was imported", problems)
    return cells


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- bringing edits back ------------------------------------------------------
@dataclass(frozen=True)
class CellChange:
    """One cell whose summary differs between the workbook and the study."""

    where: str
    case_id: str
    subtopic: str
    before: str
    """The study's text (as shown in the workbook: ``n/a: …`` for not applicable)."""
    after: str
    """The workbook's text."""
    conflict: bool
    """The study's summary also changed since the export."""
    applied: bool


@dataclass
class ChartImport:
    """What ``fqda chart import`` found and did."""

    changes: list[CellChange] = field(default_factory=list)
    dry_run: bool = False

    @property
    def applied(self) -> int:
        return sum(c.applied for c in self.changes)


class _DryRun(Exception):
    pass


def import_charting(store: StudyStore, path: Path, author: str, prefer: str | None = None,
                    dry_run: bool = False) -> ChartImport:
    """Bring a charting workbook's edits into the study, all in one transaction.

    A cell counts as edited when its text differs from what was exported.  If
    the study's summary also changed since the export, the cell is a conflict:
    the import is refused (nothing changes) unless ``prefer`` is ``file``
    (the workbook wins) or ``study`` (the study's summary is kept).  Unknown
    references are reported all at once, with their cells, and nothing changes.
    ``dry_run`` checks everything and reports, then rolls back.
    """
    if prefer not in (None, "file", "study"):
        raise FqdaError(f"--prefer {prefer}: use file or study")
    edited = read_charting_workbook(path)
    report = ChartImport(dry_run=dry_run)
    try:
        # The study is read inside the transaction, so no other writer slips in
        # between the conflict check and the writes.
        with store.atomic():
            _plan(report, edited, store.summaries(), path, prefer)
            problems: list[str] = []
            for ch in report.changes:
                if ch.conflict and prefer != "file":
                    continue
                try:
                    with store.atomic():
                        apply_text(store, ch.case_id, ch.subtopic, ch.after, author,
                                   replace=True)
                except UnknownReference as exc:
                    problems.append(f"{ch.where}: {exc}")
            if problems:
                raise ValidationError(f"{path}: nothing was imported", problems)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _plan(report: ChartImport, edited: Sequence[FileCell], rows: Mapping[CellKey, SummaryRow],
          path: Path, prefer: str | None) -> None:
    """Fill ``report`` with the cells that differ; raise on conflicts nobody settled."""
    conflicts: list[str] = []
    cut: list[str] = []
    for fc in edited:
        if _text_hash(fc.text) == fc.written:
            continue  # the analyst did not touch it
        if _CUT_HEAD in fc.text:  # its end may be lost: a cell holds no more
            cut.append(f"{fc.where} ({fc.case_id} × {fc.subtopic}): this summary was cut to "
                       "fit the cell, so importing it would lose the rest; edit it with "
                       f"`fqda chart {fc.case_id} {fc.subtopic}`, or delete the cut note to "
                       "make the cell's text the whole summary")
            continue
        row = rows.get((fc.case_id, fc.subtopic))
        before = shown_text(row)
        if normalise(before) == normalise(fc.text):
            continue  # both sides already agree
        conflict = study_fingerprint(row) != fc.study
        if conflict and prefer is None:
            conflicts.append(f"{fc.where} ({fc.case_id} × {fc.subtopic})")
        applied = (not conflict or prefer == "file") and not report.dry_run
        report.changes.append(CellChange(fc.where, fc.case_id, fc.subtopic, before, fc.text,
                                         conflict, applied))
    if cut:
        raise ValidationError(f"{path}: nothing was imported", cut)
    if conflicts:
        raise ConflictError(
            f"{path}: {len(conflicts)} cell(s) changed both in the workbook and in the study "
            "since the export: " + ", ".join(conflicts)
            + ". Nothing was imported; choose with --prefer file or --prefer study")
