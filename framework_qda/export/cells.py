"""Making text safe for spreadsheet cells (shared by every workbook writer),
and the styled cells of openpyxl's write-only (streaming) workbooks.

Everything here works on a *copy* of the text for one cell; the store is
never changed.  Excel counts a cell's length in UTF-16 code units (an emoji
counts twice), so the limit is checked that way, not in Python characters.
"""

from __future__ import annotations

import re
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
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", name).split()).strip("'").strip() or "Sheet"
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


class CellStyles:
    """Cell styles made once and shared by every cell that wears them.

    Assigning fonts and fills cell by cell costs more than writing the text,
    so each distinct look is built once on a prototype cell and its style
    record is reused.
    """

    def __init__(self, wb: Any) -> None:
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet

        self._ws = WriteOnlyWorksheet(wb, "styles")  # never added to the workbook
        self._cache: dict[tuple[object, ...], Any] = {}

    def get(self, *, fill: str | None = None, color: str | None = None, italic: bool = False,
            bold: bool = False, rule: bool = False, wrap: bool = True, rotate: int = 0,
            text: bool = False) -> Any:
        key = (fill, color, italic, bold, rule, wrap, rotate, text)
        found = self._cache.get(key)
        if found is None:
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

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

    def cell(self, ws: Any, value: object, **look: Any) -> Any:
        """A cell holding ``value``: text made safe and never read as a formula."""
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(ws)
        if isinstance(value, str):
            value, _ = fit(value)
            formula = looks_like_formula(value)
            c.value = value
            if formula:
                c.data_type = "s"
                look["text"] = True
        else:
            c.value = value
        c._style = self.get(**look)
        return c
