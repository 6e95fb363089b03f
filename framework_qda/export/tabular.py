"""Tidy tables: the matrices as CSV for R, pandas or a spreadsheet.

Three kinds of file, all with a header row:

- ``cells.csv``: the long table, one row per (case, sub-topic) cell, empty
  cells included, in matrix row order then codebook order;
- ``evidence.csv``: one row per coded passage, verbatim;
- ``theme-<code>.csv``: one wide table per theme, shaped like its matrix,
  each sub-topic's column followed by its cells' states (``2.3 state``).

Text is written exactly as stored (CSV is data, not a spreadsheet: open the
workbook for reading), except that a field starting like a formula (``=``,
``+``, ``-``, ``@``, a tab or a carriage return) gets an apostrophe in front
(``formulas.csv_safe``), so no spreadsheet runs it, and a summary carries its state's marker
(``(draft) …``, ``(stale) …``, ``n/a: …``) beside the ``state`` column, so a
machine draft never reads as a researcher's summary, and a passage that is
not a participant's is tagged with its speaker's role (``[interviewer] …``).
Each file is written to a temporary name and moved into place, so a failed
export leaves older files untouched.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from framework_qda.cell_state import shown_summary
from framework_qda.files import Staged, staging, text_writer
from framework_qda.formulas import csv_row
from framework_qda.matrix import Matrix, cell_text, speech_tag
from framework_qda.model import Case, Evidence

DEFAULT_FOLDER = "matrices/csv"
CELL_COLUMNS = ("theme", "theme_label", "subtopic", "subtopic_label", "state", "summary",
                "summary_by", "evidence_refs", "evidence_count", "evidence")
EVIDENCE_COLUMNS = ("case", "group", "source", "segment", "line_first", "line_last",
                    "speaker", "role", "subtopic", "text", "coder", "memo")

Row = Sequence[object]


def cell_rows(matrices: Sequence[Matrix], attributes: Sequence[str]) -> list[Row]:
    """The long table: a header, then one row per cell of every matrix."""
    rows: list[Row] = [("case", "group", *attributes, *CELL_COLUMNS)]
    if not matrices:
        return rows
    for case in matrices[0].cases:
        ident = (case.id, case.group, *(case.attribute(a) for a in attributes))
        for m in matrices:
            for sub in m.subtopics:
                cell = m.cell(case.id, sub.code)
                quotes = "\n\n".join(f"{speech_tag(e.role)}{e.text} [{e.ref}]"
                                       for e in cell.evidence)
                rows.append((*ident, m.theme.code, m.theme.label, sub.code, sub.label,
                             cell.state, shown_summary(cell), cell.provenance,
                             "; ".join(cell.refs),
                             len(cell.evidence), quotes))
    return rows


def evidence_rows(evidence: Iterable[Evidence], cases: Sequence[Case]) -> list[Row]:
    """One row per coded passage, with its case's sample group."""
    groups = {c.id: c.group for c in cases}
    rows: list[Row] = [EVIDENCE_COLUMNS]
    rows.extend((e.case_id, groups.get(e.case_id, ""), e.source, e.ref, e.line_first,
                 e.line_last, e.speaker, e.role, e.subtopic, e.text, e.coder, e.memo)
                for e in evidence)
    return rows


def wide_rows(matrix: Matrix, attributes: Sequence[str]) -> list[Row]:
    """One theme's matrix: case columns, then each sub-topic's cell text and state."""
    rows: list[Row] = [("case", "group", *attributes,
                        *(h for s in matrix.subtopics for h in (s.heading, f"{s.code} state")))]
    for case in matrix.cases:
        rows.append((case.id, case.group, *(case.attribute(a) for a in attributes),
                     *(v for c in matrix.row(case.id) for v in (cell_text(c), c.state))))
    return rows


def theme_file(code: str) -> str:
    """File name of a theme's wide table (``theme-2.csv``)."""
    return f"theme-{re.sub(r'[^A-Za-z0-9.-]+', '_', code).strip('._') or 'x'}.csv"


def write_tables(folder: Path, matrices: Sequence[Matrix], evidence: Sequence[Evidence],
                 attributes: Sequence[str] = (), bom: bool = False) -> list[Path]:
    """Write ``cells.csv``, ``evidence.csv`` and one ``theme-<code>.csv`` per theme.

    ``bom`` starts each file with a UTF-8 byte-order mark, which Excel needs
    to read UTF-8.  Returns the files written; raises :class:`FqdaError` when
    the folder cannot be written.
    """
    cases = matrices[0].cases if matrices else ()
    tables: list[tuple[str, list[Row]]] = [
        ("cells.csv", cell_rows(matrices, attributes)),
        ("evidence.csv", evidence_rows(evidence, cases)),
    ]
    names = {"cells.csv", "evidence.csv"}
    for m in matrices:
        name = theme_file(m.theme.code)
        while name in names:  # two codes that clean to the same name
            name = name[:-4] + "_.csv"
        names.add(name)
        tables.append((name, wide_rows(m, attributes)))
    # Every table is written before any is moved into place, so a full disk
    # leaves the older set of tables as it was.
    with contextlib.ExitStack() as stack:
        written: list[Staged] = []
        for name, rows in tables:
            staged = stack.enter_context(
                staging(folder / name, "the table", "choose another folder with -o"))
            with text_writer(staged.file, "utf-8-sig" if bom else "utf-8", newline="") as f:
                csv.writer(f).writerows(csv_row(r) for r in rows)
            written.append(staged)
        return [staged.install() for staged in written]
