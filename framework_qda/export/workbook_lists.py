"""The framework workbook's list sheets: Evidence (every coded passage,
verbatim), References (each reference typed in a summary, linked to its
passage), Codebook, Cases, Coverage and the Key to the matrix cells' marks.
Written in order, row by row, through :class:`framework_qda.export.cells.Sheet`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from framework_qda.cell_state import STATES, rendering
from framework_qda.citations import ref_items
from framework_qda.export.cells import (
    MAX_LINES,
    ROW_LINES,
    Look,
    Sheet,
    line_count,
    pieces,
    print_setup,
    sheet_ref,
    split_for_rows,
)
from framework_qda.matrix import Matrix
from framework_qda.model import Case, Codebook, Evidence, Subtopic

HEADER_FILL = "DDE4EE"
EVIDENCE_HEADERS = ("Case", "Group", "Source", "Segment", "Lines", "Speaker", "Role",
                    "Sub-topic", "Text", "Coder", "Memo", "Part", "Cited")
EVIDENCE_WIDTHS = (8, 16, 12, 9, 8, 12, 11, 8, 80, 9, 24, 6, 7)
EVIDENCE_COLUMNS = "M"  # the last column of EVIDENCE_HEADERS
EVIDENCE_TEXT_WIDTH = EVIDENCE_WIDTHS[8]
MAX_REF_SPAN = 50
"""Segments of one typed range (``[P7:12-14]``) listed on the References sheet."""

PLAIN = Look()
HEAD = Look(fill=HEADER_FILL, bold=True)
BOLD = Look(bold=True, wrap=False)


@dataclass(frozen=True)
class EvidenceRow:
    """One row of the Evidence sheet: a coded passage, or one part of a long one."""

    evidence: Evidence
    text: str
    part: str
    """``2/3`` for the second of three rows of a passage too long for one row."""
    lines: int
    """The lines ``text`` wraps to in the Text column."""


def evidence_rows(evidence: Iterable[Evidence]) -> list[EvidenceRow]:
    """The Evidence sheet's rows: a passage longer than one row shows (Excel's
    height limit, and its 32,767-character cell) continues on further rows."""
    rows: list[EvidenceRow] = []
    width = EVIDENCE_TEXT_WIDTH
    for e in evidence:
        parts = pieces(e.text)
        if len(parts) == 1:
            # Most passages fit one row: their lines are counted once, for the
            # split and the row's height both.
            lines = line_count(parts[0], width)
            if lines <= ROW_LINES:
                rows.append(EvidenceRow(e, parts[0], "", lines))
                continue
        parts = [p for piece in parts for p in split_for_rows(piece, width)]
        for i, text in enumerate(parts, start=1):
            rows.append(EvidenceRow(e, text, f"{i}/{len(parts)}" if len(parts) > 1 else "",
                                    line_count(text, width)))
    return rows


@dataclass
class Place:
    """Where things are in the workbook being written (A1 rows, from 1)."""

    titles: dict[str, str]
    """Theme code -> its sheet's title."""
    cell_rows: dict[tuple[str, str], tuple[int, int]]
    """(case, sub-topic) -> its first and last Evidence row."""
    ref_rows: dict[str, list[tuple[str, str, int]]]
    """A passage's ref -> (case, sub-topic, Evidence row) of every row quoting it."""
    matrix_cells: dict[tuple[str, str], str]
    """(case, sub-topic) -> its summary cell (``'2 Pressures'!D5``)."""
    columns: dict[str, str]
    """Sub-topic code -> the letters of its summary column."""
    passages: dict[str, str]
    """A passage's ref -> its words."""


def evidence_ref(first: int, last: int) -> str:
    """Where a link to rows ``first``..``last`` of the Evidence sheet points."""
    return f"{_EVIDENCE_HEAD}A{first}:{EVIDENCE_COLUMNS}{last}"


_EVIDENCE_HEAD = sheet_ref("Evidence", "")
"""The Evidence sheet's name as a reference starts, quoted once (every link asks)."""


def evidence_sheet(s: Sheet, rows: Sequence[EvidenceRow], cases: Sequence[Case],
                    matrices: Sequence[Matrix], title: str, paper: str) -> None:
    ws = s.ws
    for col, width in enumerate(EVIDENCE_WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    print_setup(ws, paper, title, "Evidence", repeat_rows=1)
    for col, head in enumerate(EVIDENCE_HEADERS):
        s.text(0, col, head, HEAD)
    ws.autofilter(0, 0, max(1, len(rows)), len(EVIDENCE_HEADERS) - 1)
    groups = {c.id: c.group for c in cases}
    cited = _cited(matrices)
    for r, row in enumerate(rows, start=1):
        e = row.evidence
        lines = f"{e.line_first}-{e.line_last}" if e.line_last != e.line_first else \
            str(e.line_first)
        s.height(r, max(row.lines, line_count(e.memo, EVIDENCE_WIDTHS[10])) if e.memo else
                 row.lines)
        s.texts(r, 0, (e.case_id, groups.get(e.case_id, ""), e.source, e.ref, lines,
                       e.speaker, e.role, e.subtopic))
        s.fitted(r, 8, row.text, PLAIN)  # cleaned and cut to a cell by evidence_rows
        s.text(r, 9, e.coder)
        if e.memo:
            s.text(r, 10, e.memo, PLAIN)
        s.text(r, 11, row.part)
        if (e.case_id, e.subtopic, e.ref) in cited:
            s.text(r, 12, "cited")


def _cited(matrices: Sequence[Matrix]) -> set[tuple[str, str, str]]:
    """(case, sub-topic, ref) of every passage a cell's summary cites."""
    out: set[tuple[str, str, str]] = set()
    for m in matrices:
        for (case_id, code), cell in m.cells.items():
            for ref in _refs(cell.summary):
                out.add((case_id, code, ref))
    return out


def _refs(summary: str) -> list[str]:
    """The passages a summary's references name, ``P7:12`` each, in order."""
    refs: list[str] = []
    for _, src, first, last in ref_items(summary) if "[" in summary else ():
        if src is None or first < 0:
            continue
        for n in range(first, min(last, first + MAX_REF_SPAN - 1) + 1):
            ref = f"{src}:{n}"
            if ref not in refs:
                refs.append(ref)
    return refs


def references_sheet(s: Sheet, matrices: Sequence[Matrix], place: Place, title: str,
                      paper: str) -> None:
    """Each reference typed in a summary: the cell it is in (a link back) and the
    passage it cites (a link to its Evidence row)."""
    ws = s.ws
    widths = (9, 10, 10, 80)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    print_setup(ws, paper, title, "References", repeat_rows=1)
    for col, head in enumerate(("Case", "Sub-topic", "Reference", "Passage")):
        s.text(0, col, head, HEAD)
    row = 1
    for m in matrices:
        for case in m.cases:
            for sub in m.subtopics:
                cell = m.cell(case.id, sub.code)
                for ref in _refs(cell.summary):
                    found = place.ref_rows.get(ref, [])
                    here = [r for c, code, r in found if (c, code) == (case.id, sub.code)]
                    target = here[0] if here else (found[0][2] if found else None)
                    back = place.matrix_cells.get((case.id, sub.code))
                    if back:
                        s.link(row, 0, back, case.id, f"Back to the summary of {case.id} × "
                               f"{sub.code}")
                    else:
                        s.text(row, 0, case.id)
                    s.text(row, 1, sub.code)
                    if target is None:
                        s.text(row, 2, ref)
                        s.text(row, 3, "(not coded, so not on the Evidence sheet: "
                               f"fqda show {ref.split(':')[0]})", Look(italic=True))
                    else:
                        s.link(row, 2, evidence_ref(target, target), ref,
                               f"Go to {ref} on the Evidence sheet")
                        passage = place.passages.get(ref, "")
                        short = " ".join(passage.split())
                        short = short if len(short) <= 140 else short[:139] + "…"
                        s.height(row, line_count(short, widths[3]))
                        s.text(row, 3, short, PLAIN)
                    row += 1


def _table(s: Sheet, title: str, paper: str, name: str, headers: Sequence[str],
           rows: Iterable[Sequence[object]], widths: Sequence[float]) -> int:
    """A plain list sheet with a frozen, filterable header; returns the rows written."""
    ws = s.ws
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    print_setup(ws, paper, title, name, repeat_rows=1)
    for col, head in enumerate(headers):
        s.text(0, col, head, HEAD)
    n = 0
    for n, row in enumerate(rows, start=1):  # noqa: B007 - n counts the rows
        s.height(n, min(MAX_LINES, max([1] + [line_count(v, w) for v, w in
                                              zip(row, widths, strict=False)
                                              if isinstance(v, str)])))
        for col, value in enumerate(row):
            s.value(n, col, value if value != "" else None, PLAIN if value != "" else None)
    ws.autofilter(0, 0, max(1, n), len(headers) - 1)
    return n


def codebook_sheet(s: Sheet, codebook: Codebook, title: str, paper: str) -> None:
    _table(s, title, paper, "Codebook", ["Theme", "Theme label", "Code", "Label", "Definition",
                                         "Include", "Exclude", "Example", "Keywords"], (
        [t.code, t.label, sub.code, sub.label, sub.definition, sub.include, sub.exclude,
         sub.example, ", ".join(sub.keywords)]
        for t in codebook.themes for sub in t.subtopics
    ), [7, 22, 7, 26, 50, 34, 34, 34, 24])


def cases_sheet(s: Sheet, cases: Sequence[Case], title: str, paper: str) -> None:
    names: list[str] = []
    for case in cases:
        names.extend(n for n, _ in case.attributes if n not in names)
    rows = [[c.id, c.group, *(c.attribute(a) for a in names)] for c in cases]
    heads = ["Case", "Group", *names]
    # Attributes are short: size each column to its longest value, within reason.
    widths = [min(40, max(8, len(h) + 2, *(len(r[i]) + 2 for r in rows)))
              for i, h in enumerate(heads)]
    _table(s, title, paper, "Cases", heads, rows, widths)


def coverage_sheet(s: Sheet, cases: Sequence[Case], subtopics: Sequence[Subtopic],
                    rows: Sequence[EvidenceRow], title: str, paper: str) -> None:
    """Cases × sub-topics: how many coded passages each cell rests on."""
    ws = s.ws
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.part or row.part.startswith("1/"):  # a passage, not its continuation
            key = (row.evidence.case_id, row.evidence.subtopic)
            counts[key] = counts.get(key, 0) + 1
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 1 + len(subtopics), 5)
    ws.set_column(2 + len(subtopics), 2 + len(subtopics), 9)
    ws.freeze_panes(1, 2)
    print_setup(ws, paper, title, "Coverage", repeat_rows=1, repeat_cols=2)
    ws.set_row(0, 150)
    s.text(0, 0, "Case", HEAD)
    s.text(0, 1, "Group", HEAD)
    rotated = Look(fill=HEADER_FILL, bold=True, rotate=90)
    for col, sub in enumerate(subtopics, start=2):
        s.text(0, col, sub.heading, rotated)
    s.text(0, 2 + len(subtopics), "Passages", rotated)
    number, total = Look(wrap=False), Look(wrap=False, bold=True)
    r = 0
    for r, case in enumerate(cases, start=1):
        values = [counts.get((case.id, sub.code), 0) for sub in subtopics]
        s.text(r, 0, case.id, PLAIN)
        s.text(r, 1, case.group, PLAIN)
        for col, v in enumerate(values, start=2):
            s.number(r, col, v, number)
        s.number(r, 2 + len(subtopics), sum(values), total)
    with_evidence = [sum(1 for c in cases if counts.get((c.id, sub.code))) for sub in subtopics]
    last = r + 1
    s.text(last, 0, "Cases with evidence", Look(bold=True, rule=True))
    s.value(last, 1, None, Look(rule=True))
    for col, v in enumerate(with_evidence, start=2):
        s.number(last, col, v, Look(bold=True, rule=True, wrap=False))
    s.value(last, 2 + len(subtopics), None, Look(rule=True))
    if cases and subtopics:
        ws.conditional_format(1, 2, len(cases), 1 + len(subtopics), {
            "type": "2_color_scale", "min_type": "num", "min_value": 0,
            "min_color": "#FFFFFF", "max_type": "max", "max_color": "#5B9BD5"})


def key_sheet(s: Sheet, title: str, paper: str) -> None:
    """What the marks, fills and type faces of the matrix cells mean."""
    ws = s.ws
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 90)
    ws.freeze_panes(2, 0)
    print_setup(ws, paper, title, "Key", repeat_rows=2)
    s.text(0, 0, title, Look(bold=True, wrap=False))
    s.text(1, 0, "State", HEAD)
    s.text(1, 1, "How a matrix cell shows it", HEAD)
    row = 2
    for state in STATES:
        r = rendering(state)
        s.text(row, 0, state, Look(fill=r.fill, color=r.font, italic=r.italic,
                                   box=bool(r.marker) and state != "not-applicable"))
        s.text(row, 1, r.meaning, PLAIN)
        row += 1
    row += 1
    lines = [
        ("Marks", "Drafts and stale summaries carry their mark in the text and a dashed "
                  "frame; n/a cells start with n/a: all survive printing in black and white."),
        ("n", "Beside each summary: the passages coded to the cell. Click it to select them "
              "on the Evidence sheet; short evidence is also in the cell's note."),
        ("Speakers", "Cells' notes quote participants' words. A passage coded from another "
                     "speaker (an interviewer's question) is named by its ref and quoted on "
                     "the Evidence sheet, whose Role column says who spoke."),
        ("Links", "Click a case id to select its evidence on that theme, a passage count to "
                  "select that cell's evidence rows, or a reference on the References sheet "
                  "to go to the passage it cites."),
        ("Continued", "A summary longer than a row can show continues on the rows below, "
                      "marked (continued); a long passage continues on further Evidence "
                      "rows (Part 1/3, 2/3, …)."),
    ]
    for name, text in lines:
        s.text(row, 0, name, BOLD)
        s.height(row, line_count(text, 90))
        s.text(row, 1, text, PLAIN)
        row += 1
