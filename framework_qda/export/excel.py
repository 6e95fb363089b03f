"""The framework workbook: a matrix sheet per theme, then Evidence, Codebook,
Cases, Coverage and a Key to the cell colours.

Formats computed matrices; computes nothing itself.  Sheets are streamed
with openpyxl's write-only mode (a study of a thousand cases stays fast and
small in memory), so every layout decision -- frozen panes, widths, row
heights -- is made before a sheet's first row is written.  Headers go
through openpyxl; the rows below them, tens of thousands on a large study,
are written as sheet XML directly (``cells.RowStream``), in the form
openpyxl writes them.  The file is written to a temporary name and moved
into place, so a failed export leaves any older workbook untouched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framework_qda.cell_state import STATES, rendering
from framework_qda.export.cells import (
    CellStyles,
    Item,
    RowStream,
    fit,
    look,
    pieces,
    sheet_ref,
    sheet_title,
)
from framework_qda.files import replacing
from framework_qda.matrix import Matrix, cell_text
from framework_qda.model import Case, Codebook, Evidence, Role, Subtopic

HEADER_FILL = "DDE4EE"
GROUP_BAND = ("FFFFFF", "F2F5F9")
QUOTED: tuple[Role, ...] = ("participant",)
"""Whose words the matrix cells quote; other passages are named by ref (all are on
the Evidence sheet)."""
EVIDENCE_HEADERS = ("Case", "Group", "Source", "Segment", "Lines", "Speaker", "Role",
                    "Sub-topic", "Text", "Coder", "Memo", "Part")
EVIDENCE_WIDTHS = (9, 22, 14, 10, 8, 14, 11, 9, 90, 11, 30, 6)
EVIDENCE_COLUMNS = "L"  # the last column of EVIDENCE_HEADERS
RESERVED = ("Evidence", "Codebook", "Cases", "Coverage", "Key")
SUBTOPIC_WIDTH = 50
COUNT_WIDTH = 9
MAX_ROW_HEIGHT = 409  # points; Excel refuses taller rows
LINE_HEIGHT = 15.0  # points per line of 11-point text


@dataclass(frozen=True)
class EvidenceRow:
    """One row of the Evidence sheet: a coded passage, or one part of a long one."""

    evidence: Evidence
    text: str
    part: str
    """``2/3`` for the second of three rows of a passage too long for one cell."""


def evidence_rows(evidence: Iterable[Evidence]) -> list[EvidenceRow]:
    """The Evidence sheet's rows: passages over a cell's limit continue on further rows."""
    rows: list[EvidenceRow] = []
    for e in evidence:
        parts = pieces(e.text)
        for i, text in enumerate(parts, start=1):
            rows.append(EvidenceRow(e, text, f"{i}/{len(parts)}" if len(parts) > 1 else ""))
    return rows


def write_workbook(
    path: Path,
    matrices: Sequence[Matrix],
    evidence: Sequence[Evidence],
    codebook: Codebook,
    cases: Sequence[Case],
    title: str = "",
    attributes: Sequence[str] = (),
) -> Path:
    """Write the framework workbook to ``path``; returns the path.

    ``evidence`` must be in row order, then sheet and column order (each
    cell's passages together), so a cell's passages are adjacent rows of the
    Evidence sheet and one link selects all of them.  Raises :class:`FqdaError` when
    the file cannot be written.
    """
    # The temporary file is made first: a folder that cannot be written fails
    # before any work.
    with replacing(path, "the workbook", "if it is open in a spreadsheet application, close "
                   "it and export again, or choose another file with -o") as out, \
            _sheets_cleared() as wb:
        _build(wb, matrices, evidence, codebook, cases, title, attributes)
        wb.save(out)
    return path


@contextlib.contextmanager
def _sheets_cleared() -> Iterator[Any]:
    """A write-only workbook whose streamed sheets are wound up if the export fails:
    their writers closed (so nothing prints when they are collected) and the
    temporary files openpyxl keeps them in, which hold participants' words,
    removed.  A finished save removes those files itself."""
    from openpyxl import Workbook
    from openpyxl.worksheet import _writer

    before = set(_writer.ALL_TEMP_FILES)
    wb = Workbook(write_only=True)
    try:
        yield wb
    except BaseException:
        for ws in wb.worksheets:
            writer = getattr(ws, "_writer", None)
            for stream in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
                if stream is not None:
                    with contextlib.suppress(Exception):
                        stream.close()
        for name in [n for n in _writer.ALL_TEMP_FILES if n not in before]:
            with contextlib.suppress(OSError, ValueError):
                os.remove(name)
                _writer.ALL_TEMP_FILES.remove(name)
        raise


def _build(wb: Any, matrices: Sequence[Matrix], evidence: Sequence[Evidence],
           codebook: Codebook, cases: Sequence[Case], title: str, attributes: Sequence[str]
           ) -> None:
    wb.properties.title = title or codebook.title or "Framework matrices"
    wb.properties.subject = "Framework matrices"
    wb.properties.creator = "framework-qda"
    wb.properties.keywords = "framework method; qualitative analysis"
    style = CellStyles(wb)

    taken = {t.casefold() for t in RESERVED}
    titles = [sheet_title(m.theme.heading, taken) for m in matrices]
    rows = evidence_rows(evidence)
    span: dict[tuple[str, str], tuple[int, int]] = {}
    for i, row in enumerate(rows, start=2):
        key = (row.evidence.case_id, row.evidence.subtopic)
        span[key] = (span.get(key, (i, i))[0], i)
    for sheet, m in zip(titles, matrices, strict=True):
        _matrix_sheet(wb.create_sheet(sheet), m, attributes, span, style)
    _evidence_sheet(wb.create_sheet("Evidence"), rows, cases, style)
    _codebook_sheet(wb.create_sheet("Codebook"), codebook, style)
    _cases_sheet(wb.create_sheet("Cases"), cases, style)
    subtopics = [s for m in matrices for s in m.subtopics]
    _coverage_sheet(wb.create_sheet("Coverage"), matrices[0].cases if matrices else cases,
                    subtopics, span, rows, style)
    _key_sheet(wb.create_sheet("Key"), wb.properties.title, style)


def _coord(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _lines(text: str, width: float) -> int:
    """How many lines wrapped text takes in a column ``width`` characters wide."""
    per_line = max(1, int(width * 1.3))  # average prose letters per width unit
    if "\n" not in text:
        return max(1, -(-len(text) // per_line))
    return sum(max(1, -(-len(p) // per_line)) for p in text.split("\n"))


def _height(lines: int) -> float | None:
    """The height of a row of wrapped text, in points; None keeps the default.

    Not every application fits rows to wrapped text when it opens a file
    (LibreOffice does not), so the height is estimated here; one-line rows
    keep the default.
    """
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT) if lines > 1 else None


def _fit_row(ws: Any, row: int, lines: int) -> None:
    """Give a row appended through openpyxl its height (see :func:`_height`)."""
    height = _height(lines)
    if height is not None:
        ws.row_dimensions[row].height = height


def _header(ws: Any, style: CellStyles, headers: Sequence[str]) -> list[Any]:
    return [style.cell(ws, h, fill=HEADER_FILL, bold=True) for h in headers]


def _definition(sub: Subtopic) -> str:
    notes = [sub.definition, f"Include: {sub.include}" if sub.include else "",
             f"Exclude: {sub.exclude}" if sub.exclude else ""]
    return "\n".join(n for n in notes if n)


def _evidence_rows(first: int, last: int) -> str:
    """Where a link to rows ``first``..``last`` of the Evidence sheet points."""
    return sheet_ref("Evidence", f"A{first}:{EVIDENCE_COLUMNS}{last}")


def _matrix_sheet(ws: Any, m: Matrix, attributes: Sequence[str],
                  span: dict[tuple[str, str], tuple[int, int]], style: CellStyles) -> None:
    """Case columns, one text column per sub-topic, then a block of linked counts.

    The links sit on the case id and on the passage counts rather than on
    the text cells: LibreOffice shows a hyperlinked cell as one unwrapped
    line, which would make the matrix unreadable there.
    """
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    fixed = 2 + len(attributes)
    subs = m.subtopics
    widths = [10, 22, *([14] * len(attributes)), *([SUBTOPIC_WIDTH] * len(subs)),
              *([COUNT_WIDTH] * len(subs))]
    _layout(ws, widths, freeze=_coord(2, fixed + 1))
    ws.print_title_rows = "1:1"
    ws.print_title_cols = f"A:{get_column_letter(fixed)}"
    counts = [f"{s.code} passages" for s in subs]
    header = _header(ws, style, ["Case", "Group", *attributes, *(s.heading for s in subs),
                                 *counts])
    for c, sub in zip(header[fixed:], subs, strict=False):
        if _definition(sub):
            c.comment = Comment(fit(_definition(sub))[0], "framework-qda", 160, 320)
    _fit_row(ws, 1, max([_lines(s.heading, SUBTOPIC_WIDTH) for s in subs]
                        + [_lines(c, COUNT_WIDTH) for c in counts] + [1]))
    ws.append(header)
    out = RowStream(ws, style, first_row=2)
    band, last_group = 1, None
    for case in m.cases:
        rule = last_group is not None and case.group != last_group
        if case.group != last_group:
            band, last_group = 1 - band, case.group
        fill = GROUP_BAND[band]
        banded = look(fill=fill, rule=rule)
        row: list[Item | None] = [(v, banded) for v in (
            case.id, case.group, *(case.attribute(a) for a in attributes))]
        spans = [span[(case.id, s.code)] for s in subs if (case.id, s.code) in span]
        if spans:
            out.link(1, _evidence_rows(min(a for a, _ in spans), max(b for _, b in spans)),
                     f"Go to {case.id}'s evidence on this theme")
        tally: list[Item | None] = []
        lines = 1
        for col, sub in enumerate(subs, start=fixed + 1):
            cell = m.cell(case.id, sub.code)
            text = cell_text(cell, speakers=QUOTED)
            state = rendering(cell.state)
            row.append((text or None, look(fill=state.fill or fill, color=state.font,
                                           italic=state.italic, rule=rule)))
            if state.note:
                out.comment(col, state.note, "framework-qda")
            lines = max(lines, _lines(text, SUBTOPIC_WIDTH))
            tally.append((len(cell.evidence) or None, look(fill=fill, rule=rule, wrap=False)))
            where = span.get((case.id, sub.code))
            if where:
                out.link(col + len(subs), _evidence_rows(*where),
                         f"Go to the evidence of {sub.code}")
        out.append(row + tally, _height(lines))
    out.close()


def _layout(ws: Any, widths: Sequence[float], freeze: str) -> None:
    """Column widths, frozen panes and print setup; must precede the first row."""
    from openpyxl.utils import get_column_letter

    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _evidence_sheet(ws: Any, rows: Sequence[EvidenceRow], cases: Sequence[Case],
                    style: CellStyles) -> None:
    _layout(ws, EVIDENCE_WIDTHS, freeze="A2")
    ws.print_title_rows = "1:1"
    ws.append(_header(ws, style, EVIDENCE_HEADERS))
    ws.auto_filter.ref = f"A1:{EVIDENCE_COLUMNS}{max(2, len(rows) + 1)}"
    groups = {c.id: c.group for c in cases}
    wrapped = look()
    out = RowStream(ws, style, first_row=2)
    for row in rows:
        e = row.evidence
        lines = f"{e.line_first}-{e.line_last}" if e.line_last != e.line_first else \
            str(e.line_first)
        # None as the look: a bare value, the default look (see RowStream).
        out.append([(e.case_id, None), (groups.get(e.case_id, ""), None), (e.source, None),
                    (e.ref, None), (lines, None), (e.speaker, None), (e.role, None),
                    (e.subtopic, None), (row.text, wrapped), (e.coder, None),
                    (e.memo, wrapped) if e.memo else None, (row.part, None)],
                   _height(max(_lines(row.text, EVIDENCE_WIDTHS[8]),
                               _lines(e.memo, EVIDENCE_WIDTHS[10]))))
    out.close()


def _table(ws: Any, style: CellStyles, headers: Sequence[str], rows: Iterable[Sequence[object]],
           widths: Sequence[float]) -> int:
    """A plain list sheet with a frozen, filterable header; returns the rows written."""
    _layout(ws, widths, freeze="A2")
    ws.append(_header(ws, style, headers))
    wrapped = look()
    out = RowStream(ws, style, first_row=2)
    for row in rows:
        out.append([(v if v != "" else None, wrapped) for v in row],
                   _height(max([1] + [_lines(v, w) for v, w in zip(row, widths, strict=False)
                                      if isinstance(v, str)])))
    n = out.row - 2
    ws.auto_filter.ref = f"A1:{_coord(max(2, n + 1), len(headers))}"
    out.close()
    return n


def _codebook_sheet(ws: Any, codebook: Codebook, style: CellStyles) -> None:
    _table(ws, style, ["Theme", "Theme label", "Code", "Label", "Definition", "Include",
                       "Exclude", "Example", "Keywords"], (
        [t.code, t.label, s.code, s.label, s.definition, s.include, s.exclude, s.example,
         ", ".join(s.keywords)]
        for t in codebook.themes for s in t.subtopics
    ), [7, 26, 7, 32, 60, 40, 40, 40, 30])


def _cases_sheet(ws: Any, cases: Sequence[Case], style: CellStyles) -> None:
    names: list[str] = []
    for case in cases:
        names.extend(n for n, _ in case.attributes if n not in names)
    rows = [[c.id, c.group, *(c.attribute(a) for a in names)] for c in cases]
    heads = ["Case", "Group", *names]
    # Attributes are short: size each column to its longest value, within reason.
    widths = [min(40, max(8, len(h) + 2, *(len(r[i]) + 2 for r in rows)))
              for i, h in enumerate(heads)]
    _table(ws, style, heads, rows, widths)


def _coverage_sheet(ws: Any, cases: Sequence[Case], subtopics: Sequence[Subtopic],
                    span: dict[tuple[str, str], tuple[int, int]],
                    rows: Sequence[EvidenceRow], style: CellStyles) -> None:
    """Cases × sub-topics: how many coded passages each cell rests on."""
    from openpyxl.formatting.rule import ColorScaleRule

    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.part or row.part.startswith("1/"):  # a passage, not its continuation
            key = (row.evidence.case_id, row.evidence.subtopic)
            counts[key] = counts.get(key, 0) + 1
    _layout(ws, [10, 22, *([6] * len(subtopics)), 10], freeze="C2")
    ws.row_dimensions[1].height = 150
    head = [style.cell(ws, h, fill=HEADER_FILL, bold=True) for h in ("Case", "Group")]
    head += [style.cell(ws, s.heading, fill=HEADER_FILL, bold=True, rotate=90)
             for s in subtopics]
    head.append(style.cell(ws, "Passages", fill=HEADER_FILL, bold=True, rotate=90))
    ws.append(head)
    wrapped, number, total = look(), look(wrap=False), look(wrap=False, bold=True)
    out = RowStream(ws, style, first_row=2)
    for case in cases:
        values = [counts.get((case.id, s.code), 0) for s in subtopics]
        out.append([(case.id, wrapped), (case.group, wrapped), *((v, number) for v in values),
                    (sum(values), total)])
    with_evidence = [sum(1 for c in cases if (c.id, s.code) in span) for s in subtopics]
    ruled = look(rule=True)
    out.append([("Cases with evidence", look(bold=True, rule=True)), (None, ruled),
                *((v, look(bold=True, rule=True, wrap=False)) for v in with_evidence),
                (None, ruled)])
    if cases and subtopics:
        area = f"C2:{_coord(len(cases) + 1, len(subtopics) + 2)}"
        ws.conditional_formatting.add(area, ColorScaleRule(
            start_type="num", start_value=0, start_color="FFFFFF",
            end_type="max", end_color="5B9BD5"))
    out.close()


def _key_sheet(ws: Any, title: str, style: CellStyles) -> None:
    """What the colours and type faces of the matrix cells mean."""
    _layout(ws, [18, 80], freeze="A2")
    ws.append([style.cell(ws, title, bold=True, wrap=False)])
    ws.append([style.cell(ws, "State", fill=HEADER_FILL, bold=True),
               style.cell(ws, "How a matrix cell shows it", fill=HEADER_FILL, bold=True)])
    for state in STATES:
        r = rendering(state)
        ws.append([style.cell(ws, state, fill=r.fill, color=r.font, italic=r.italic),
                   style.cell(ws, r.meaning)])
    ws.append([])
    ws.append([style.cell(ws, "Speakers", bold=True),
               style.cell(ws, "Cells quote participants' words. A passage coded from another "
                              "speaker (an interviewer's question) is named by its ref in the "
                              "cell and quoted on the Evidence sheet, whose Role column says "
                              "who spoke.")])
    ws.append([style.cell(ws, "Links", bold=True),
               style.cell(ws, "Click a case id to select its evidence on that theme, or a "
                              "passage count to select that cell's evidence rows.")])
