"""Making text safe for spreadsheet cells (shared by every workbook writer),
the styled cells of openpyxl's write-only (streaming) workbooks, and their
long runs of rows written as sheet XML directly (:class:`RowStream`).

Everything here works on a *copy* of the text for one cell; the store is
never changed.  Excel counts a cell's length in UTF-16 code units (an emoji
counts twice), so the limit is checked that way, not in Python characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

EXCEL_MAX = 32_767
TRUNCATION_MARK = " […cut: the full text is in the Evidence sheet]"
# XML 1.0 forbids these; a lone surrogate cannot even be encoded.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@")
RULE_COLOR = "808080"  # the line between sample groups


def clean(text: str) -> str:
    """A copy of ``text`` without the control characters that XML forbids."""
    return _ILLEGAL.sub("", text)


def excel_length(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _head(text: str, units: int) -> str:
    """The longest prefix of ``text`` of at most ``units`` UTF-16 code units."""
    if text.isascii():
        return text[:units]
    # A surrogate pair cut in half is dropped by errors="ignore".
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", errors="ignore")


def fit(text: str, limit: int = EXCEL_MAX, mark: str = TRUNCATION_MARK) -> tuple[str, bool]:
    """A copy fit for one cell, and whether it had to be cut.

    Illegal control characters are removed; text longer than ``limit`` is cut
    and ends with ``mark``, so a reader sees that something is missing.
    """
    text = clean(text)
    if len(text) * 2 <= limit or excel_length(text) <= limit:
        return text, False
    return _head(text, limit - excel_length(mark)) + mark, True


def safe_text(text: str) -> str:
    """A copy of ``text`` fit for a cell: XML-illegal control characters removed,
    cut to Excel's 32,767-character limit with a visible marker."""
    return fit(text)[0]


def pieces(text: str, limit: int = EXCEL_MAX) -> list[str]:
    """``text`` (cleaned) split into parts that each fit one cell.

    Parts break after white space where there is some near the limit, so
    words stay whole; joined together the parts are exactly the cleaned text.
    """
    text = clean(text)
    parts: list[str] = []
    while excel_length(text) > limit:
        head = _head(text, limit)
        cut = max(head.rfind(" "), head.rfind("\n"))
        if cut > len(head) - 2_000:
            head = head[: cut + 1]
        parts.append(head)
        text = text[len(head):]
    parts.append(text)
    return parts


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula."""
    return text.startswith(FORMULA_STARTS)



_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique worksheet name of at most 31 characters with no forbidden characters.

    ``taken`` holds the case-folded names already used (Excel compares sheet
    names without case); the new name is added to it.
    """
    # A name that starts like a formula loses that start (a sheet name is no
    # formula, but it is copied into links and by hand into formulas).
    base = (" ".join(_SHEET_FORBIDDEN.sub(" ", name).split()).lstrip("'=+-@ ")
            .rstrip("'").strip() or "Sheet")
    if len(base) > 31:
        # Cut between words where there is a word break, and show that it was cut.
        head = base[:30]
        space = head.rfind(" ")
        base = (head[:space] if space > 10 else head).rstrip() + "…"
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(title.casefold())
    return title


def sheet_ref(title: str, ref: str) -> str:
    """A reference to ``ref`` on sheet ``title``, quoted as formulas and links need."""
    return "'" + title.replace("'", "''") + "'!" + ref


Look = tuple[str | None, str | None, bool, bool, bool, bool, int, bool]
"""A cell's look: fill, font colour, italic, bold, rule above, wrap, rotation, quoted."""


def look(*, fill: str | None = None, color: str | None = None, italic: bool = False,
         bold: bool = False, rule: bool = False, wrap: bool = True, rotate: int = 0,
         text: bool = False) -> Look:
    """The look of a styled cell (text wraps and sits at the top unless told)."""
    return (fill, color, italic, bold, rule, wrap, rotate, text)


def _quoted(style: Look | None) -> Look:
    """The same look for text a spreadsheet would take for a formula (bare text: no wrap)."""
    if style is None:
        return look(wrap=False, text=True)
    return (*style[:7], True)


class CellStyles:
    """Cell styles made once and shared by every cell that wears them.

    Assigning fonts and fills cell by cell costs more than writing the text,
    so each distinct look is built once on a prototype cell and its style
    record is reused.
    """

    def __init__(self, wb: Any) -> None:
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet

        self._wb = wb
        self._ws = WriteOnlyWorksheet(wb, "styles")  # never added to the workbook
        self._cache: dict[Look, Any] = {}
        self._ids: dict[Look, int] = {}

    def get(self, **kw: Any) -> Any:
        """The style record of a look (see :func:`look` for the keywords)."""
        return self._record(look(**kw))

    def _record(self, key: Look) -> Any:
        found = self._cache.get(key)
        if found is None:
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

            fill, color, italic, bold, rule, wrap, rotate, text = key
            proto = WriteOnlyCell(self._ws)
            if fill:
                proto.fill = PatternFill("solid", fgColor=fill)
            if color or italic or bold:
                proto.font = Font(color=color, italic=italic, bold=bold)
            if rule:
                proto.border = Border(top=Side(style="medium", color=RULE_COLOR))
            proto.alignment = Alignment(wrap_text=wrap, vertical="top", text_rotation=rotate)
            if text:
                # quotePrefix keeps the text as text when someone edits the cell.
                proto.quotePrefix = True
            found = self._cache[key] = proto._style
        return found

    def style_id(self, key: Look) -> int:
        """The look's number in the workbook's table of cell formats (the ``s`` of a cell)."""
        found = self._ids.get(key)
        if found is None:
            # The same table openpyxl numbers its own cells' formats in, so rows
            # written by RowStream and by openpyxl share one set of formats.
            found = self._ids[key] = int(self._wb._cell_styles.add(self._record(key)))
        return found

    def plain(self, ws: Any, value: object) -> Any:
        """``value`` for a cell of the default look: sent as a bare value (the
        fast path) unless it is text that a spreadsheet would take for a formula."""
        if isinstance(value, str):
            value, _ = fit(value)
            if not value:
                return None
            if looks_like_formula(value):
                return self.cell(ws, value, wrap=False)
        return value

    def cell(self, ws: Any, value: object, **kw: Any) -> Any:
        """A cell holding ``value``: text made safe and never read as a formula."""
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(ws)
        if isinstance(value, str):
            value, _ = fit(value)
            formula = looks_like_formula(value)
            c.value = value
            if formula:
                c.data_type = "s"
                kw["text"] = True
        else:
            c.value = value
        c._style = self.get(**kw)
        return c


Item = tuple[object, Look | None]
"""A cell for :class:`RowStream`: its value and look (None: the default look)."""

_FLUSH_PARTS = 10_000  # pieces of XML text held before they go to the temporary file
_COMMON_LENGTH = 40  # text up to this long is remembered as XML by RowStream ...
_COMMON_MAX = 20_000  # ... up to so many distinct values


def _escape(text: str) -> str:
    """Text as XML character data (non-ASCII is referenced when the row is encoded)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        # A bare carriage return would be read back as a line feed.
        text = text.replace("\r", "&#13;")
    return text


class RowStream:
    """The body rows of a streamed (write-only) sheet, written as sheet XML directly.

    openpyxl makes a cell object for every value, checks it again and writes
    it element by element through lxml; on a sheet of a few hundred thousand
    cells that costs several times the text itself.  Here each row becomes
    XML text in the form openpyxl writes (inline strings, the workbook's own
    cell-format numbers, row heights), with the same safety as
    :meth:`CellStyles.cell` and :meth:`CellStyles.plain`: text cleaned and
    fit to a cell, and text that looks like a formula kept as text.  When
    the sheet is closed the rows are put into the sheet openpyxl wrote, so
    its layout, header, filter, links and comments stay openpyxl's.

    The header rows must already be appended through openpyxl.  Links and
    comments belong to the row being built: give them before :meth:`append`.
    """

    def __init__(self, ws: Any, styles: CellStyles, first_row: int) -> None:
        import tempfile

        self._ws = ws
        self._styles = styles
        self.row = first_row
        """The number of the next row."""
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._parts: list[str] = []
        self._letters: list[str] = [""]
        self._common: dict[Item, str] = {}

    def _letter(self, col: int) -> str:
        if len(self._letters) <= col:
            from openpyxl.utils import get_column_letter

            self._letters.extend(get_column_letter(c)
                                 for c in range(len(self._letters), col + 1))
        return self._letters[col]

    def link(self, col: int, location: str, tooltip: str) -> None:
        """A link to ``location`` (``'Sheet'!A1:B2``) on column ``col`` of the next row."""
        from openpyxl.worksheet.hyperlink import Hyperlink

        self._ws._hyperlinks.append(Hyperlink(ref=f"{self._letter(col)}{self.row}",
                                              location=location, tooltip=tooltip))

    def comment(self, col: int, text: str, author: str) -> None:
        """A note on column ``col`` of the next row."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.comments import Comment
        from openpyxl.comments.comment_sheet import CommentRecord

        cell = WriteOnlyCell(self._ws)
        cell.row, cell.column = self.row, col
        cell.comment = Comment(text, author)
        self._ws._comments.append(CommentRecord.from_cell(cell))

    def append(self, cells: Sequence[Item | None], height: float | None = None) -> None:
        """Write one row; None leaves a cell out, ``height`` is in points."""
        r = str(self.row)
        parts = [f'<row r="{r}">' if height is None else
                 f'<row r="{r}" ht="{height:.16g}" customHeight="1">']
        letters = self._letters
        if len(letters) <= len(cells):
            self._letter(len(cells))
        common = self._common
        for col, item in enumerate(cells, start=1):
            if item is None:
                continue
            value = item[0]
            if value.__class__ is str and len(value) > _COMMON_LENGTH:
                body = self._body(value, item[1])
            else:
                # Ids, groups, codes and counts repeat row after row: their XML is kept.
                found = common.get(item)
                if found is None:
                    found = self._body(value, item[1])
                    if len(common) < _COMMON_MAX:
                        common[item] = found
                body = found
            if body:
                parts.append(f'<c r="{letters[col]}{r}"{body}')
        parts.append("</row>")
        # Only a whole row joins the sheet: a value that fails leaves no half row.
        self._parts.extend(parts)
        self.row += 1
        if len(self._parts) > _FLUSH_PARTS:
            self._flush()

    def _body(self, value: object, style: Look | None) -> str:
        """A cell's XML after its reference; empty for no cell at all."""
        if isinstance(value, str):
            value, _ = fit(value)
            if not value and style is None:
                return ""
            if looks_like_formula(value):
                style = _quoted(style)
        elif value is None and style is None:
            return ""
        s = "" if style is None else f' s="{self._styles.style_id(style)}"'
        if value is None:
            return f'{s} t="n"></c>'
        if isinstance(value, str):
            if not value:
                return f'{s} t="inlineStr"></c>'
            space = ' xml:space="preserve"' if value != value.strip() else ""
            return f'{s} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
        if isinstance(value, int | float) and not isinstance(value, bool):
            # No number at all for NaN or infinity, as openpyxl writes them.
            number = f"{value:.16g}" if math.isfinite(value) else ""
            return f'{s} t="n"><v>{number}</v></c>'
        raise TypeError(f"a sheet cell cannot hold {type(value).__name__}")

    def _flush(self) -> None:
        # Non-ASCII as character references, as openpyxl's writer does.
        self._out.write("".join(self._parts).encode("ascii", "xmlcharrefreplace"))
        self._parts.clear()

    def close(self) -> None:
        """Close the sheet: openpyxl writes it, then the rows go before its data's end."""
        import shutil

        self._flush()
        self._ws.close()
        path = self._ws._writer.out  # the sheet's XML, written to a temporary file
        with open(path, "rb") as f:
            written = f.read()  # the header rows and what follows the data: small
        end = written.index(b"</sheetData>")
        with open(path, "wb") as f:
            f.write(written[:end])
            self._out.seek(0)
            shutil.copyfileobj(self._out, f)
            f.write(written[end:])
        self._out.close()
