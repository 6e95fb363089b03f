"""Text that a spreadsheet would run as a formula, and CSV fields that it cannot.

A workbook marks its text cells as text (``export/cells.py``); a CSV file
cannot, so every CSV fqda writes passes its fields through :func:`csv_safe`
and every table fqda reads passes them back through :func:`csv_unsafe`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CSV_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet opening a CSV file may take for the start of a formula."""
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_QUOTED = re.compile(r"'*[=+\-@\t\r]")


def _formula_like(text: str) -> bool:
    return text.startswith(CSV_STARTS) and not _NUMBER.fullmatch(text)


def csv_safe(value: str) -> str:
    """A CSV field no spreadsheet runs as a formula.

    Text starting with ``= + - @``, a tab or a carriage return (a plain number
    excepted) gets an apostrophe in front, as spreadsheets write it; so does
    text that is already apostrophes then one of those, so that
    :func:`csv_unsafe` gives back exactly what was written.
    """
    if _formula_like(value) or (value.startswith("'") and _QUOTED.match(value)
                                and _formula_like(value.lstrip("'"))):
        return "'" + value
    return value


def csv_unsafe(value: str) -> str:
    """The text :func:`csv_safe` protected: one apostrophe fewer before a
    formula-like start (reading our own CSV files, or a spreadsheet's)."""
    if value.startswith("'") and _QUOTED.match(value) and _formula_like(value.lstrip("'")):
        return value[1:]
    return value


def csv_row(values: Sequence[object]) -> list[object]:
    """A row for ``csv.writer`` with every text field passed through :func:`csv_safe`."""
    return [csv_safe(v) if isinstance(v, str) else v for v in values]

