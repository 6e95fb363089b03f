"""Making text safe for spreadsheet cells (shared by every workbook writer)."""

from __future__ import annotations

import re

EXCEL_MAX = 32_767
TRUNCATION_MARK = " […cut: the full text is in the Evidence sheet]"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@")


def safe_text(text: str) -> str:
    """A copy of ``text`` fit for a cell: XML-illegal control characters removed,
    cut to Excel's 32,767-character limit with a visible marker."""
    text = _ILLEGAL.sub("", text)
    if len(text) > EXCEL_MAX:
        text = text[: EXCEL_MAX - len(TRUNCATION_MARK)] + TRUNCATION_MARK
    return text


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula."""
    return text.startswith(FORMULA_STARTS)


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique worksheet name of at most 31 characters with no forbidden characters."""
    base = _SHEET_FORBIDDEN.sub(" ", name).strip().strip("'") or "Sheet"
    base = " ".join(base.split())[:31]
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title
