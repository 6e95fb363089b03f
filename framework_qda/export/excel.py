"""The framework workbook: one matrix sheet per theme, plus Evidence, Codebook, Cases.

Formats computed matrices; computes nothing itself.  The file is written to
a temporary name and moved into place, so a failed export leaves any older
workbook untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framework_qda.export.cells import looks_like_formula, safe_text, sheet_title
from framework_qda.matrix import Matrix, cell_text
from framework_qda.model import Case, Codebook, Evidence

HEADER_FILL = "DDE4EE"
STATE_STYLE = {
    "not-applicable": {"fill": "E7E6E6", "italic": False, "color": "7F7F7F"},
    "draft": {"fill": None, "italic": True, "color": "404040"},
    "stale": {"fill": "FFE699", "italic": False, "color": None},
}
GROUP_BAND = ("FFFFFF", "F3F6FA")


def write_workbook(
    path: Path,
    matrices: Sequence[Matrix],
    evidence: Sequence[Evidence],
    codebook: Codebook,
    cases: Sequence[Case],
    title: str = "",
    attributes: Sequence[str] = (),
) -> Path:
    """Write the framework workbook to ``path``; returns the path."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    wb.properties.title = title or codebook.title or "Framework matrices"
    wb.properties.creator = "framework-qda"
    taken: set[str] = set()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")

    evidence_titles = {"Evidence", "Codebook", "Cases"}
    taken |= {t.casefold() for t in evidence_titles}
    first_row: dict[tuple[str, str], int] = {}
    for i, e in enumerate(evidence, start=2):
        first_row.setdefault((e.case_id, e.subtopic), i)

    for matrix in matrices:
        ws = wb.create_sheet(sheet_title(matrix.theme.heading, taken))
        headers = ["Case", "Group", *attributes, *(s.heading for s in matrix.subtopics)]
        fixed = 2 + len(attributes)
        for col, text in enumerate(headers, start=1):
            c = ws.cell(row=1, column=col)
            _put(c, text)
            c.font, c.fill, c.alignment = bold, header_fill, wrap
            if col > fixed:
                sub = matrix.subtopics[col - fixed - 1]
                if sub.definition:
                    c.comment = Comment(safe_text(sub.definition), "framework-qda")
        band, last_group = 0, None
        for r, case in enumerate(matrix.cases, start=2):
            if case.group != last_group:
                band, last_group = 1 - band, case.group
            fill = PatternFill("solid", fgColor=GROUP_BAND[band])
            values = [case.id, case.group, *(case.attribute(a) for a in attributes)]
            for col, value in enumerate(values, start=1):
                c = ws.cell(row=r, column=col)
                _put(c, value)
                c.alignment, c.fill = wrap, fill
            for k, sub in enumerate(matrix.subtopics):
                cell = matrix.cell(case.id, sub.code)
                c = ws.cell(row=r, column=fixed + k + 1)
                _put(c, cell_text(cell))
                c.alignment, c.fill = wrap, fill
                style = STATE_STYLE.get(cell.state)
                if style:
                    if style["fill"]:
                        c.fill = PatternFill("solid", fgColor=str(style["fill"]))
                    c.font = Font(italic=bool(style["italic"]),
                                  color=str(style["color"]) if style["color"] else None)
                target = first_row.get((case.id, sub.code))
                if target:
                    c.hyperlink = f"#'Evidence'!A{target}"
        ws.freeze_panes = ws.cell(row=2, column=fixed + 1)
        for col in range(1, len(headers) + 1):
            width = 10 if col == 1 else 26 if col <= fixed else 48
            ws.column_dimensions[get_column_letter(col)].width = width

    ev = wb.create_sheet("Evidence")
    ev_headers = ["Case", "Group", "Source", "Segment", "Lines", "Speaker", "Role",
                  "Sub-topic", "Text", "Coder", "Memo"]
    groups = {c.id: c.group for c in cases}
    _rows(ev, ev_headers, [
        [e.case_id, groups.get(e.case_id, ""), e.source, e.ref,
         f"{e.line_first}-{e.line_last}", e.speaker, e.role, e.subtopic, e.text, e.coder, e.memo]
        for e in evidence
    ], widths=[8, 24, 14, 10, 9, 14, 12, 10, 90, 10, 30])

    cb = wb.create_sheet("Codebook")
    _rows(cb, ["Theme", "Theme label", "Code", "Label", "Definition", "Include", "Exclude",
               "Example", "Keywords"], [
        [t.code, t.label, s.code, s.label, s.definition, s.include, s.exclude, s.example,
         ", ".join(s.keywords)]
        for t in codebook.themes for s in t.subtopics
    ], widths=[7, 28, 7, 34, 60, 40, 40, 40, 40])

    attr_names: list[str] = []
    for case in cases:
        for name, _ in case.attributes:
            if name not in attr_names:
                attr_names.append(name)
    cs = wb.create_sheet("Cases")
    _rows(cs, ["Case", "Group", *attr_names],
          [[c.id, c.group, *(c.attribute(a) for a in attr_names)] for c in cases],
          widths=[10, 26, *([18] * len(attr_names))])

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def _put(cell: Any, value: object) -> None:
    """Store a value; text is always text, never a formula."""
    if isinstance(value, str):
        text = safe_text(value)
        cell.value = text
        if looks_like_formula(text):
            cell.data_type = "s"
    else:
        cell.value = value


def _rows(ws: Any, headers: Sequence[str], rows: Sequence[Sequence[object]],
          widths: Sequence[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for col, text in enumerate(headers, start=1):
        c = ws.cell(row=1, column=col)
        _put(c, text)
        c.font, c.fill = bold, fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            c = ws.cell(row=r, column=col)
            _put(c, value)
            c.alignment = wrap
    ws.freeze_panes = "A2"
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
