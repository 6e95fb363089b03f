"""Turning query results into rows, and rows into csv / json / markdown / Rich tables.

Formatting only: every function takes computed results and returns text or
a Rich renderable; nothing prints.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from framework_qda.matrix import Matrix, cell_text
from framework_qda.model import Quote, Segment
from framework_qda.query import CaseProfile, ThemeView

if TYPE_CHECKING:
    from rich.table import Table

Rows = list[dict[str, object]]
FORMATS = ("table", "csv", "json", "markdown")


def fold(text: str) -> str:
    """White space folded for display (the stored text is never changed)."""
    return " ".join(text.split())


def brief(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def segment_rows(segments: Sequence[Segment]) -> Rows:
    return [{"id": s.ref, "speaker": s.speaker, "role": s.role,
             "lines": f"{s.line_first}-{s.line_last}", "time": s.timestamp,
             "text": fold(s.text)} for s in segments]


def matrix_rows(matrix: Matrix, full: bool = False) -> Rows:
    """One row per case; each sub-topic cell as its summary or its evidence.

    ``full`` gives the whole cell text; otherwise the amount of evidence and
    the first words, as a terminal has room for.
    """
    rows: Rows = []
    for case in matrix.cases:
        row: dict[str, object] = {"case": case.id, "group": case.group}
        for sub in matrix.subtopics:
            cell = matrix.cell(case.id, sub.code)
            if full:
                row[sub.code] = cell_text(cell)
            elif cell.state == "not-applicable":
                row[sub.code] = "n/a"
            elif cell.summary:
                mark = {"draft": "(draft) ", "stale": "(stale) "}.get(cell.state, "")
                row[sub.code] = mark + brief(cell.summary)
            elif cell.evidence:
                row[sub.code] = f"{len(cell.evidence)}× {brief(cell.evidence[0].text, 8)}"
            else:
                row[sub.code] = ""
        rows.append(row)
    return rows


def case_rows(profile: CaseProfile) -> Rows:
    rows: Rows = []
    for theme, cells in profile.themes:
        for sub, cell in zip(theme.subtopics, cells, strict=True):
            rows.append({
                "theme": theme.heading, "subtopic": sub.heading, "state": cell.state,
                "summary": cell.summary,
                "evidence": [{"ref": e.ref, "text": fold(e.text)} for e in cell.evidence],
            })
    return rows


def theme_rows(view: ThemeView) -> Rows:
    rows: Rows = []
    for sub, groups in view.subtopics:
        for g in groups:
            for cell in g.cells:
                rows.append({
                    "subtopic": sub.heading, view.by: g.name,
                    "cases_in_group": g.cases, "cases_with_evidence": g.with_evidence,
                    "case": cell.case_id, "state": cell.state, "summary": cell.summary,
                    "evidence": [{"ref": e.ref, "text": fold(e.text)} for e in cell.evidence],
                })
    return rows


def quote_rows(quotes: Sequence[Quote]) -> Rows:
    return [{"subtopic": q.subtopic, "text": fold(q.text), "attribution": q.attribution,
             "ref": q.ref, "case": q.case_id, "group": q.group, "speaker": q.speaker}
            for q in quotes]


def _flat(value: object) -> str:
    if isinstance(value, list):
        return " ".join(f"“{v['text']}” [{v['ref']}]" if isinstance(v, dict) else str(v)
                        for v in value)
    return "" if value is None else str(value)


def to_text(rows: Rows, fmt: str) -> str:
    """Rows as csv, json or markdown text."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_flat(r.get(c)) for c in columns] for r in rows])
        return out.getvalue()
    if fmt == "markdown":
        def esc(v: object) -> str:
            return _flat(v).replace("|", "\\|").replace("\n", "<br>")
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(esc(r.get(c)) for c in columns) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {fmt}")


def rich_table(rows: Rows, title: str = "", widths: dict[str, int] | None = None) -> Table:
    """Rows as a Rich table (lists of evidence shown one passage per line)."""
    from rich.table import Table

    table = Table(title=title, show_lines=True, title_justify="left")
    columns = list(rows[0]) if rows else []
    for c in columns:
        table.add_column(c, overflow="fold", max_width=(widths or {}).get(c))
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    return table


def _cell(value: object) -> str:
    from rich.markup import escape

    if isinstance(value, list):
        return "\n".join(escape(f"“{v['text']}” [{v['ref']}]") if isinstance(v, dict)
                         else escape(str(v)) for v in value)
    return escape("" if value is None else str(value))


def theme_summary_lines(view: ThemeView) -> list[str]:
    """One line per sub-topic and group: "4 of 6 council chief executives"."""
    lines: list[str] = []
    for sub, groups in view.subtopics:
        lines.append(sub.heading)
        for g in groups:
            lines.append(f"  {g.with_evidence} of {g.cases} {g.name}")
    return lines
