"""Reading the small tables users write by hand (CSV or XLSX).

Encodings and delimiters are sniffed; rows come back as dicts keyed by the
lower-cased header, each with the 1-based line (row) number it came from.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from framework_qda.errors import InputError
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
    reader = csv.reader(io.StringIO(text), delimiter=max(",;\t", key=head.count))
    records: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for record in reader:
            records.append((line, record))  # the line a record starts on
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(path, f"is not valid CSV ({exc})", reader.line_num) from None
    return _table(path, records)


def _read_xlsx(path: Path, data: bytes | None = None) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path if data is None else io.BytesIO(data), read_only=True,
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


def _table(path: Path, records: list[tuple[int, list[str]]]) -> Table:
    """Header and rows from ``(line, cells)`` records; blank rows are passed over."""
    if not records:
        raise InputError(path, "is empty; it needs a header row")
    header = [h.strip() for h in records[0][1]]
    keys = [h.casefold() for h in header]
    rows = [(line, {k: (record[i].strip() if i < len(record) else "")
                    for i, k in enumerate(keys) if k})
            for line, record in records[1:] if any(cell.strip() for cell in record)]
    return Table(str(path), header, rows)
