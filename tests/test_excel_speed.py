"""Rows written as sheet XML directly come out as openpyxl's own cells would."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

import framework_qda as fq
from framework_qda.export.cells import CellStyles, Item, Look, RowStream, look

# Every kind of value the workbook writes, and the awkward ones: markup, a carriage
# return, white space at the ends, non-ASCII and astral characters, control
# characters XML forbids, formula-like text, empty text, numbers.
VALUES: list[object] = [
    "plain", "a & b < c > d \"e\" 'f'", "cr\rhere", " leading", "trailing ", "\ttab",
    "line\nbreak", "é “curly” 🙂 \x85", "bell\x07 and\x0b tab", "=SUM(A1:A2)", "+44 20",
    "-1 is what she said", "@home", "", None, 0, 7, 12_345, 2.5, 10**17, float("nan"),
    float("inf"),
]
LOOKS: list[Look | None] = [None, look(), look(wrap=False),
                            look(fill="F2F5F9", color="7F7F7F", italic=True, rule=True),
                            look(bold=True, rotate=90)]


def _rows() -> list[tuple[list[Item | None], float | None]]:
    rows: list[tuple[list[Item | None], float | None]] = []
    for i, style in enumerate(LOOKS):
        cells: list[Item | None] = [(v, style) for v in VALUES]
        cells.insert(3, None)  # a gap in the row
        rows.append((cells, None if i % 2 else 15.0 * (i + 2)))
    rows.append(([], None))  # an empty row
    rows.append(([("x" * 40_000, look()), ("z" * 40_000, None)], 409))
    return rows


def _by_openpyxl(rows: list[tuple[list[Item | None], float | None]]) -> bytes:
    """The same rows the slow way: one openpyxl cell per value."""
    from openpyxl.comments import Comment
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = Workbook(write_only=True)
    style = CellStyles(wb)
    ws = wb.create_sheet("S")
    ws.append([style.cell(ws, "Header", bold=True)])
    for r, (cells, height) in enumerate(rows, start=2):
        out: list[Any] = []
        for c, item in enumerate(cells, start=1):
            if item is None:
                out.append(None)
                continue
            value, kind = item
            cell = (style.plain(ws, value) if kind is None else
                    style.cell(ws, value, **dict(zip(
                        ("fill", "color", "italic", "bold", "rule", "wrap", "rotate", "text"),
                        kind, strict=True))))
            if c == 1 and hasattr(cell, "comment"):
                cell.comment = Comment(f"note {r}", "framework-qda")
            if c == 2 and hasattr(cell, "hyperlink"):
                cell.hyperlink = Hyperlink(ref="", location=f"'S'!A{r}", tooltip=f"row {r}")
            out.append(cell)
        if height is not None:
            ws.row_dimensions[r].height = height
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _by_stream(rows: list[tuple[list[Item | None], float | None]]) -> bytes:
    wb = Workbook(write_only=True)
    style = CellStyles(wb)
    ws = wb.create_sheet("S")
    ws.append([style.cell(ws, "Header", bold=True)])
    stream = RowStream(ws, style, first_row=2)
    for cells, height in rows:
        r = stream.row
        if len(cells) > 1 and cells[0] is not None and cells[0][1] is not None:
            stream.comment(1, f"note {r}", "framework-qda")
        if len(cells) > 1 and cells[1] is not None and cells[1][1] is not None:
            stream.link(2, f"'S'!A{r}", f"row {r}")
        stream.append(cells, height)
    stream.close()
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _parts(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_streamed_rows_are_the_xml_openpyxl_writes() -> None:
    rows = _rows()
    slow, fast = _parts(_by_openpyxl(rows)), _parts(_by_stream(rows))
    assert fast.keys() == slow.keys()
    for name in slow:  # sheet, styles, comments, links: every part, byte for byte
        assert fast[name] == slow[name], name


def test_streamed_rows_read_back_as_written() -> None:
    wb = load_workbook(io.BytesIO(_by_stream(_rows())))
    ws = wb["S"]
    row = [c.value for c in ws[2]]
    assert row[:4] == ["plain", "a & b < c > d \"e\" 'f'", "cr\rhere", None]
    assert row[8] == "é “curly” 🙂 \x85" and row[9] == "bell and tab"
    assert row[10] == "=SUM(A1:A2)" and ws.cell(2, 11).data_type == "s"
    assert ws.cell(2, 11).quotePrefix
    assert ws["D2"].value is None and ws.row_dimensions[2].height == 30
    assert ws["B3"].hyperlink.location == "'S'!A3" and ws["A3"].comment.text == "note 3"
    assert ws.cell(3, 21).value == 10**17 and ws.cell(3, 20).value == 2.5


def test_a_value_a_cell_cannot_hold_is_refused() -> None:
    wb = Workbook(write_only=True)
    style = CellStyles(wb)
    ws = wb.create_sheet("S")
    ws.append(["Header"])
    stream = RowStream(ws, style, first_row=2)
    with pytest.raises(TypeError):
        stream.append([(object(), None)])
    stream.close()


def test_exported_workbook_is_the_same_every_time(study: fq.Study, tmp_path: Any) -> None:
    study.set_summary("P3", "2.1", "Short-staffed [P3:4] & <more> “curly” 🙂")
    study.code(["P3:2"], ["2.1"], memo="=not a formula")  # stale, with a formula-like memo
    first = _parts(study.export_excel(tmp_path / "a.xlsx").read_bytes())
    second = _parts(study.export_excel(tmp_path / "b.xlsx").read_bytes())
    assert first == second
