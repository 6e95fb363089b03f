"""Text made safe for one spreadsheet cell (and any XML we write): XML-illegal
control characters removed, lengths within Excel's limits, formula-like text
recognised.

Everything here works on a *copy* of the text; the store is never changed.
Excel counts a cell's length in UTF-16 code units (an emoji counts twice), so
the limit is checked that way, not in Python characters.
"""

from __future__ import annotations

import re

EXCEL_MAX = 32_767
TRUNCATION_MARK = " […cut: the full text is in the Evidence sheet]"
# XML 1.0 forbids these; a lone surrogate cannot even be encoded.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@")


def clean(text: str) -> str:
    """A copy of ``text`` without the control characters that XML forbids."""
    # Every forbidden character is a control, a surrogate or a non-character,
    # none of them printable, and asking whether text is printable is many
    # times faster than searching it; line breaks are the one control most
    # text holds (a note's paragraphs, a summary's), so they are looked past.
    if text.isprintable() or text.replace("\n", " ").isprintable():
        return text
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


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _printable(text: str) -> bool:
    """``text.isprintable()``, asked of long ASCII text (most passages) as whether
    its bytes are all printable ones: twice as fast, as no character is looked up."""
    if len(text) > 64 and text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return text.isprintable()


def single_spaced(text: str) -> str:
    """``" ".join(text.split())``: every run of white space one space, none at the
    ends.  Most passages only break lines, so this is first tried as one
    replacement, which is checked (printable text has no white space but the
    space); splitting a passage into words and joining them is slower."""
    flat = text.replace("\n", " ") if "\n" in text else text
    if (flat[:1] != " " and flat[-1:] != " " and "  " not in flat
            and _printable(flat)):
        return flat
    return " ".join(text.split())


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula."""
    return text.startswith(FORMULA_STARTS)
