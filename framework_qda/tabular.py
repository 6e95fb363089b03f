"""Reading the small tables users write by hand (CSV or XLSX).

Encodings and delimiters are sniffed; rows come back as dicts keyed by the
lower-cased header, each with the 1-based line (row) number it came from.
Every CSV fqda writes protects its fields from being run as formulas
(``formulas.csv_safe``), and reading takes that protection off.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from framework_qda.errors import InputError
from framework_qda.formulas import csv_unsafe
from framework_qda.ingest.encoding import decode
from framework_qda.ingest.readers import read_bytes


@dataclass(frozen=True)
class Table:
    path: str
    header: list[str]
    """Column names as written (stripped)."""
    rows: list[tuple[int, dict[str, str]]]
    """(line number, row keyed by lower-cased column name)."""


def read_table(path: Path, data: bytes | None = None) -> Table:
    """Read a CSV/TSV or XLSX table with a header row.

    Each row comes with the line (CSV) or row (XLSX) it starts on; a quoted
    CSV cell may span lines.  ``data``, when given, is the table's bytes
    (standard input: a workbook is known by its zip signature); ``path`` then
    only names it in messages.
    """
    if data is None and not path.exists():
        raise InputError(path, "does not exist")
    if data is not None and data.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, data)
    if data is None and path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    text, _ = decode(read_bytes(path) if data is None else data, path)
    if not text.strip():
        raise InputError(path, "is empty; it needs a header row and one row per entry")
    # Only the delimiter is guessed (the most frequent in the header line):
    # quoting follows the standard CSV rules, which a one-line sample cannot
    # reveal (doubled quotes, JSON in a cell).
    head = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=head.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    spanning: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for record in reader:
            records.append((line, record))  # the line a record starts on
            if reader.line_num > line:
                spanning.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(path, f"is not valid CSV ({exc})", reader.line_num) from None
    if spanning and spanning[-1][0] == records[-1][0]:
        _check_closed(path, text, records[-1][0], delimiter)
    for line, record in spanning:
        _check_swallowed(path, line, record, delimiter, len(records[0][1]))
    return _table(path, records)


def _check_closed(path: Path, text: str, line: int, delimiter: str) -> None:
    """Refuse a last record whose quoted cell is never closed (see
    :func:`_check_swallowed`)."""
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    strict = csv.reader(io.StringIO(text[start:]), delimiter=delimiter, strict=True)
    try:
        next(strict)
    except csv.Error as exc:
        if "end of data" not in str(exc):
            return  # another strictness (text after a closing quote): read leniently
        raise InputError(path, "opens a quoted cell that is never closed, so every row "
                         "after it would be read into that cell; add the closing quote \" "
                         "(nothing was imported)", line) from None


def _check_swallowed(path: Path, line: int, record: list[str], delimiter: str,
                     columns: int) -> None:
    """Refuse a record whose quoted cell swallowed the rows after it.

    A cell may span lines, but one whose quote is never closed runs to the end
    of the file (:func:`_check_closed`), and one closed only by a later row's
    quote holds lines that look like rows (as many delimiters as the header);
    either way rows would vanish into one cell, so the table is refused,
    naming the line where the quote opened.
    """
    if columns < 3:
        return
    below = 0
    for cell in record:
        for inner in cell.split("\n")[1:]:
            below += 1
            if inner.count(delimiter) >= columns - 1:
                raise InputError(
                    path, f"opens a quoted cell that runs on over line {line + below}, "
                    "which looks like a row of its own; close the quote where the cell "
                    "ends (nothing was imported)", line)


def _read_xlsx(path: Path, data: bytes | None = None) -> Table:
    import zipfile

    from openpyxl import load_workbook

    from framework_qda.ingest.office import check_archive

    # A workbook is a zip like a .docx: the same bomb check before openpyxl unpacks it.
    if data is None:
        data = read_bytes(path)
    if data.startswith(b"PK"):
        check_archive(path, data, path.suffix.lower())
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True,
                           data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise InputError(path, "is not a readable .xlsx workbook") from None
    ws = wb.worksheets[0]
    records = [
        (n, ["" if v is None else str(v) for v in row])
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1)
    ]
    wb.close()
    return _table(path, records)


def _cell(value: str, key: str) -> str:
    return value if key == "quote" and value.strip() else value.strip()


def _table(path: Path, records: list[tuple[int, list[str]]]) -> Table:
    """Header and rows from ``(line, cells)`` records; blank rows are passed over."""
    if not records:
        raise InputError(path, "is empty; it needs a header row")
    header = [h.strip() for h in records[0][1]]
    if header:
        # A byte-order mark left in the first name, as is (a BOM inside the
        # text) or decoded as Windows-1252 by the program that saved the file.
        header[0] = header[0].lstrip("\ufeff").removeprefix("ï»¿").strip()
    keys = [h.casefold() for h in header]
    # A quote is exact words: its white space is kept (a blank one is empty).
    rows = [(line, {k: (csv_unsafe(_cell(record[i], k)) if i < len(record) else "")
                    for i, k in enumerate(keys) if k})
            for line, record in records[1:] if any(cell.strip() for cell in record)]
    return Table(str(path), header, rows)
