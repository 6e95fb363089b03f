"""The framework workbook, laid out as a researcher would lay it out by hand.

Sheets: Contents (themes and sub-topics with their definitions and counts,
each a link to its sheet), one matrix per theme, then Evidence (every coded
passage, verbatim), References (every ``[P7:12]`` typed in a summary, linked
to the passage it cites), Codebook, Cases, Coverage and a Key to the cells'
marks.  A matrix cell holds the researcher's summary only; beside it stands
the number of passages it rests on, a link to those rows of the Evidence
sheet, and short evidence rides along in the cell's note.

Formats computed matrices; computes nothing itself.  Written with XlsxWriter
in constant-memory mode (every sheet's rows are written in order and
streamed to disk), through :class:`framework_qda.export.cells.Sheet`, which
keeps every text a text.  The file is written to a temporary name and moved
into place, so a failed export leaves any older workbook untouched.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from framework_qda.cell_state import rendering, shown_summary
from framework_qda.export.agreement_sheets import (
    AGREEMENT,
    DISAGREEMENTS,
    CoderComparison,
    agreement_sheet,
    disagreements_sheet,
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
    sheet_ref,
    sheet_title,
    split_for_rows,
)
from framework_qda.export.contents_sheet import contents_sheet, subtopic_definition
from framework_qda.export.workbook_lists import (
    HEAD,
    HEADER_FILL,
    Place,
    cases_sheet,
    codebook_sheet,
    coverage_sheet,
    evidence_ref,
    evidence_rows,
    evidence_sheet,
    references_sheet,
)
from framework_qda.export.workbook_lists import key_sheet as _key_sheet
from framework_qda.files import replacing
from framework_qda.matrix import Matrix, evidence_line
from framework_qda.model import (
    Case,
    Cell,
    CellState,
    Codebook,
    Evidence,
    Role,
    voice,
)

GROUP_BAND = ("FFFFFF", "F2F5F9")
QUOTED: tuple[Role, ...] = ("participant",)
"""Whose words a cell's note quotes; other passages are named by ref (all are on
the Evidence sheet)."""
CONTENTS = "Contents"
RESERVED = (CONTENTS, "Evidence", "References", "Codebook", "Cases", "Coverage", "Key")
SUMMARY_WIDTH = 44
COUNT_WIDTH = 6
NOTE_LIMIT = 1_200
"""Evidence of at most this many characters is also quoted in the cell's note."""
CONTINUED = " (continued below)"
CONTINUES = "(continued) "


def write_workbook(
    path: Path,
    matrices: Sequence[Matrix],
    evidence: Sequence[Evidence],
    codebook: Codebook,
    cases: Sequence[Case],
    title: str = "",
    attributes: Sequence[str] = (),
    paper: str = "a4",
    coders: CoderComparison | None = None,
) -> Path:
    """Write the framework workbook to ``path``; returns the path.

    ``evidence`` must be in row order, then sheet and column order (each
    cell's passages together), so a cell's passages are adjacent rows of the
    Evidence sheet and one link selects all of them.  ``paper`` is ``a4`` or
    ``letter``.  ``coders``, given when the study has two coders or more, adds
    the Agreement and Disagreements sheets.  Raises :class:`FqdaError` when the
    file cannot be written.
    """
    # The temporary file is made first: a folder that cannot be written fails
    # before any work.
    with replacing(path, "the workbook", "if it is open in a spreadsheet application, close "
                   "it and export again, or choose another file with -o") as out, \
            scratch_folder() as tmpdir:
        wb = new_workbook(out, tmpdir, constant_memory=True)
        _build(wb, matrices, evidence, codebook, cases, title, attributes, paper, coders)
        close_workbook(wb)
    return path


@contextlib.contextmanager
def scratch_folder() -> Iterator[str]:
    """A private folder for the writer's temporary files (each sheet's rows, which
    hold participants' words, wait there until the file is put together),
    removed whatever happens, Ctrl-C included."""
    folder = tempfile.mkdtemp(prefix="fqda-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _build(wb: Any, matrices: Sequence[Matrix], evidence: Sequence[Evidence],
           codebook: Codebook, cases: Sequence[Case], title: str, attributes: Sequence[str],
           paper: str, coders: CoderComparison | None = None) -> None:
    title = title or codebook.title or "Framework matrices"
    wb.set_properties({"title": fit(title)[0], "subject": "Framework matrices",
                       "author": "framework-qda",
                       "keywords": "framework method; qualitative analysis"})
    formats: dict[Look, Any] = {}

    def sheet(name: str) -> Sheet:
        return Sheet(wb, wb.add_worksheet(name), formats)

    taken = {t.casefold() for t in RESERVED}
    if coders is not None:
        taken |= {AGREEMENT.casefold(), DISAGREEMENTS.casefold()}
    titles = {m.theme.code: sheet_title(m.theme.heading, taken) for m in matrices}
    rows = evidence_rows(evidence)
    place = Place(titles, {}, {}, {}, {}, {})
    for i, row in enumerate(rows, start=2):
        e = row.evidence
        at = (e.case_id, e.subtopic)
        place.cell_rows[at] = (place.cell_rows.get(at, (i, i))[0], i)
        if not row.part or row.part.startswith("1/"):
            place.ref_rows.setdefault(e.ref, []).append((e.case_id, e.subtopic, i))
            place.passages.setdefault(e.ref, e.text)
    contents = sheet(CONTENTS)
    sheets = [(sheet(titles[m.theme.code]), m) for m in matrices]
    ev, refs, book, people, coverage = (sheet(n) for n in RESERVED[1:-1])
    compared = (sheet(AGREEMENT), sheet(DISAGREEMENTS)) if coders is not None else None
    key = sheet(RESERVED[-1])
    for ws, m in sheets:
        _matrix_sheet(ws, m, attributes, place, title, paper)
    contents_sheet(contents, matrices, place, title, paper, compared is not None)
    evidence_sheet(ev, rows, cases, matrices, title, paper)
    references_sheet(refs, matrices, place, title, paper)
    codebook_sheet(book, codebook, title, paper)
    cases_sheet(people, cases, title, paper)
    subtopics = [s for m in matrices for s in m.subtopics]
    coverage_sheet(coverage, matrices[0].cases if matrices else cases, subtopics, rows,
                    title, paper)
    if coders is not None and compared is not None:
        codes = [sub.code for sub in subtopics]
        agreement_sheet(compared[0], coders.agreement, codes, title, paper)
        disagreements_sheet(compared[1], coders.disagreements, codes, title, paper)
    _key_sheet(key, title, paper)
    contents.ws.activate()


def _col(col: int) -> str:
    """The letters of a column counted from 0."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _summary(cell: Cell) -> str:
    """What a matrix cell shows: the summary with its state's marker (``(draft) …``),
    and suggestions awaiting review when the matrix carries them."""
    summary = shown_summary(cell)
    if not cell.suggestions:  # most cells: the summary alone
        return summary
    parts = [summary] if summary else []
    parts.extend(f"(suggested, not reviewed) {evidence_line(e)}" for e in cell.suggestions)
    return "\n\n".join(parts)


def _note(cell: Cell, where: tuple[int, int] | None) -> str:
    """A cell's note: its state's warning, then its evidence when that is short
    (participants quoted, other speakers named by ref), else where it is."""
    warning = rendering(cell.state).note
    parts = [warning] if warning else []
    if cell.provenance and cell.summary:
        parts.append(f"Summary {cell.provenance}.")
    if cell.evidence:
        # The quotes are made only while they fit: a cell with many passages
        # (their length only grows as quotes are added) is named by its rows.
        quoted: list[str] = []
        length = -2
        for e in cell.evidence:
            if e.role in QUOTED:
                if len(e.text) > 2 * NOTE_LIMIT and _too_long(e.text):
                    length = NOTE_LIMIT + 1
                    break
                line = evidence_line(e)
                quoted.append(line)
                length += len(line) + 2
                if length > NOTE_LIMIT:
                    break
        text = ""
        if length <= NOTE_LIMIT:
            left = [e for e in cell.evidence if e.role not in QUOTED]
            if left:
                quoted.append("(also coded, not quoted here: " + ", ".join(
                    f"{e.ref} ({voice(e.role).lower() or e.role})" for e in left) + ")")
            text = "\n\n".join(quoted)
        if length <= NOTE_LIMIT and len(text) <= NOTE_LIMIT:
            parts.append(text)
        elif where:
            parts.append(f"{len(cell.evidence)} passages: Evidence rows {where[0]}-{where[1]}.")
    return "\n\n".join(parts)


def _too_long(text: str) -> bool:
    """Whether ``text`` made single-spaced (as a note quotes it) is longer than a
    note holds, judged from its start: a prefix made single-spaced is never
    longer than the whole, and a long passage need not be made so entire."""
    return len(" ".join(text[:2 * NOTE_LIMIT].split())) > NOTE_LIMIT


def _matrix_sheet(s: Sheet, m: Matrix, attributes: Sequence[str], place: Place,
                  title: str, paper: str) -> None:
    """Case columns, then per sub-topic its summary and the passages it rests on.

    The links sit on the case id and on the passage counts rather than on
    the summaries: LibreOffice shows a linked cell as one unwrapped line.
    A summary longer than a row can show continues on the rows below.
    """
    ws = s.ws
    fixed = 2 + len(attributes)
    subs = m.subtopics
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, 16)
    if attributes:
        ws.set_column(2, fixed - 1, 11)
    for i in range(len(subs)):
        ws.set_column(fixed + 2 * i, fixed + 2 * i, SUMMARY_WIDTH)
        ws.set_column(fixed + 2 * i + 1, fixed + 2 * i + 1, COUNT_WIDTH)
    ws.freeze_panes(1, fixed)
    print_setup(ws, paper, title, f"{m.theme.heading}: framework matrix",
                repeat_rows=1, repeat_cols=fixed)
    heads = ["Case", "Group", *attributes]
    s.height(0, max([line_count(sub.heading, SUMMARY_WIDTH) for sub in subs] + [2]))
    for col, head in enumerate(heads):
        s.text(0, col, head, HEAD)
    for i, sub in enumerate(subs):
        col = fixed + 2 * i
        place.columns[sub.code] = _col(col)
        s.text(0, col, sub.heading, HEAD)
        s.text(0, col + 1, "n", Look(fill=HEADER_FILL, bold=True, wrap=False))
        if subtopic_definition(sub):
            s.note(0, col, subtopic_definition(sub), 300)
        if i == 0:
            s.note(0, col + 1, "n: the passages coded to the cell; click it to see them "
                   "on the Evidence sheet.", 240)
    looks = _MatrixLooks()
    # Each cell's reference is the sheet's quoted name and the cell's address:
    # the name is quoted once, and each column's letters found once.
    ref_head = sheet_ref(ws.name, "")
    columns = [(fixed + 2 * i, sub.code, place.columns[sub.code]) for i, sub in enumerate(subs)]
    row, band, last_group = 1, 1, None
    for case in m.cases:
        rule = last_group is not None and case.group != last_group
        if case.group != last_group:
            band, last_group = 1 - band, case.group
        fill = GROUP_BAND[band]
        cells = [m.cells[case.id, code] for _, code, _ in columns]
        # Most cells have no summary: nothing to split.
        parts = [split_for_rows(t, SUMMARY_WIDTH) if t else [t] for t in map(_summary, cells)]
        wheres = [place.cell_rows.get((case.id, code)) for _, code, _ in columns]
        shown = [p[0] + CONTINUED if len(p) > 1 else p[0] for p in parts]
        # An empty cell is one line, as are most: only text is measured.
        s.height(row, min(MAX_LINES, max([line_count(t, SUMMARY_WIDTH) for t in shown if t]
                                         + [1])))
        banded, count = looks.band(fill, rule), looks.count(fill, rule)
        spans = [w for w in wheres if w]
        if spans:
            s.link(row, 0, evidence_ref(min(a for a, _ in spans), max(b for _, b in spans)),
                   case.id, f"Go to {case.id}'s evidence on this theme", banded)
        else:
            s.text(row, 0, case.id, banded)
        _case_cells(s, row, case, attributes, banded)
        address = str(row + 1)
        for (col, code, letters), cell, text, where in zip(columns, cells, shown, wheres,
                                                           strict=True):
            s.text(row, col, text, looks.state(cell.state, fill, rule))
            place.matrix_cells[(case.id, code)] = ref_head + letters + address
            if where:
                s.link(row, col + 1, evidence_ref(*where), len(cell.evidence),
                       f"Go to the {len(cell.evidence)} passage(s) of {case.id} × {code}",
                       count)
            else:
                s.value(row, col + 1, None, count)
            note = _note(cell, where)
            if note:
                s.note(row, col, note)
        row += 1
        # A summary longer than a row continues on the rows below (few do).
        for n in range(1, max(len(p) for p in parts)):
            shown = [CONTINUES + p[n] + (CONTINUED if n < len(p) - 1 else "")
                     if n < len(p) else "" for p in parts]
            s.height(row, min(MAX_LINES, max([line_count(t, SUMMARY_WIDTH) for t in shown]
                                              + [1])))
            banded, count = looks.band(fill, False), looks.count(fill, False)
            s.text(row, 0, f"{case.id} (continued)", banded)
            _case_cells(s, row, case, attributes, banded)
            for (col, _, _), cell, text in zip(columns, cells, shown, strict=True):
                s.text(row, col, text, looks.state(cell.state, fill, False))
                s.value(row, col + 1, None, count)
            row += 1


def _case_cells(s: Sheet, row: int, case: Case, attributes: Sequence[str], look: Look) -> None:
    """A case's group and the attributes asked for, on one row of its matrix."""
    s.text(row, 1, case.group, look)
    for a, name in enumerate(attributes, start=2):
        s.text(row, a, case.attribute(name), look)


class _MatrixLooks:
    """The few looks of a matrix's cells, each made once (a sheet has thousands of
    cells and a handful of looks)."""

    def __init__(self) -> None:
        self._made: dict[tuple[object, ...], Look] = {}

    # Each look is looked up before anything is made for it: every cell asks.
    def band(self, fill: str, ruled: bool) -> Look:
        found = self._made.get(("band", fill, ruled))
        if found is None:
            found = self._made["band", fill, ruled] = Look(fill=fill, rule=ruled)
        return found

    def count(self, fill: str, ruled: bool) -> Look:
        found = self._made.get(("count", fill, ruled))
        if found is None:
            found = self._made["count", fill, ruled] = Look(fill=fill, rule=ruled, wrap=False)
        return found

    def state(self, state: CellState, fill: str, ruled: bool) -> Look:
        found = self._made.get((state, fill, ruled))
        if found is None:
            r = rendering(state)
            found = self._made[state, fill, ruled] = Look(
                fill=r.fill or fill, color=r.font, italic=r.italic, rule=ruled,
                box=bool(r.marker) and state != "not-applicable")
        return found
