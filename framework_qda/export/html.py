"""Every framework matrix in one self-contained HTML file, to read in any browser.

One page, no network and no server (it opens from a USB stick): each theme's
matrix as a table -- rows the cases in row order, banded by sample group;
columns the sub-topics -- with sticky headers.  A cell shows its summary, its
state's marker (``(draft)``, ``(stale)``, ``n/a``: readable without colour)
and its number of passages; a click (or Enter) opens its summary and the
verbatim evidence with refs.  A sample-group filter and a search box narrow
the rows.  The style sheet and script are inlined (see ``_html_assets``).

Participants' words are escaped wherever they stand: ``html.escape`` in the
markup, and in the JSON block that the script reads every ``<`` is written
``\\u003c`` (so no ``</script>`` or ``<!--`` can end or bend it); the script
sets text with ``textContent`` only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path

from framework_qda.cell_state import rendering
from framework_qda.export._html_assets import CSS, JS
from framework_qda.export.cells import clean
from framework_qda.files import replacing
from framework_qda.matrix import Matrix
from framework_qda.model import Cell, Evidence

DEFAULT_PATH = "matrices/framework.html"
KEY = (("(draft)", "a machine draft no researcher has checked"),
       ("(stale)", "the evidence changed after the summary was written"),
       ("n/a", "not asked or does not apply"),
       ("no summary", "coded passages, not yet summarised"))


def _text(value: str) -> str:
    return escape(clean(value), quote=True)


def script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<`` (so no ``</script>``
    and no ``<!--``), and the line separators JavaScript once refused escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _passages(n: int) -> str:
    return f"{n} passage{'' if n == 1 else 's'}"


def _where(e: Evidence) -> str:
    """``P7.txt line 23`` or ``P7.txt lines 23-25``: where a passage stands."""
    if not e.source or not e.line_first:
        return e.source
    if e.line_last <= e.line_first:
        return f"{e.source} line {e.line_first}"
    return f"{e.source} lines {e.line_first}-{e.line_last}"


def _cell_record(m: Matrix, cell: Cell, group: str, heading: str) -> dict[str, object]:
    look = rendering(cell.state)
    evidence = [{"ref": e.ref, "text": clean(e.text), "speaker": clean(e.speaker),
                 "where": clean(_where(e))} for e in cell.evidence]
    words = " ".join([cell.summary, *(e.text for e in cell.evidence)]).casefold()
    return {"theme": clean(m.theme.heading), "case": clean(cell.case_id),
            "group": clean(group), "subtopic": clean(heading), "state": cell.state,
            "state_label": look.label, "marker": look.marker,
            "summary": clean(cell.summary), "provenance": clean(cell.provenance),
            "evidence": evidence, "words": clean(words)}


def _cell_markup(key: int, m: Matrix, cell: Cell, code: str) -> str:
    look = rendering(cell.state)
    parts: list[str] = []
    if look.marker:
        parts.append(f'<span class="marker">{_text(look.marker)}</span>')
    if cell.summary:
        parts.append(_text(cell.summary))
    elif cell.state == "coded":
        parts.append("no summary")
    inner = f'<span class="summary">{"".join(parts)}</span>' if parts else ""
    if cell.evidence:
        inner += f'<span class="count">{_passages(len(cell.evidence))}</span>'
    return (f'<td class="cell state-{cell.state}" tabindex="0" data-key="{key}" '
            f'data-theme="{_text(m.theme.code)}" data-code="{_text(code)}">{inner}</td>')


def _matrix_markup(m: Matrix, records: list[dict[str, object]]) -> str:
    head = "".join(f'<th scope="col" title="{_text(s.definition)}">{_text(s.heading)}</th>'
                   for s in m.subtopics)
    rows: list[str] = []
    band, last = 1, None
    for case in m.cases:
        start = case.group != last
        if start:
            band, last = 1 - band, case.group
        cells = []
        for sub in m.subtopics:
            cell = m.cell(case.id, sub.code)
            cells.append(_cell_markup(len(records), m, cell, sub.code))
            records.append(_cell_record(m, cell, case.group, sub.heading))
        classes = f"band-{band}" + (" group-start" if start else "")
        rows.append(f'<tr class="{classes}" data-group="{_text(case.group)}" '
                    f'data-case="{_text(case.id)}"><th scope="row">{_text(case.id)}</th>'
                    f'<td class="group">{_text(case.group)}</td>{"".join(cells)}</tr>')
    definition = (f'<p class="definition">{_text(m.theme.definition)}</p>'
                  if m.theme.definition else "")
    return (f'<section class="matrix" id="theme-{_text(m.theme.code)}">'
            f"<h2>{_text(m.theme.heading)}</h2>{definition}"
            f'<div class="scroll"><table><thead><tr><th scope="col" class="case">Case</th>'
            f'<th scope="col" class="group">Group</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def html_document(matrices: Sequence[Matrix], title: str) -> str:
    """The whole page: every matrix, the data the script reads, the style and script."""
    records: list[dict[str, object]] = []
    sections = "".join(_matrix_markup(m, records) for m in matrices)
    groups = list(dict.fromkeys(c.group for m in matrices for c in m.cases))
    options = "".join(f'<option value="{_text(g)}">{_text(g)}</option>' for g in groups)
    nav = "".join(f'<a href="#theme-{_text(m.theme.code)}">{_text(m.theme.heading)}</a>'
                  for m in matrices)
    key = "".join(f"<span><b>{escape(mark)}</b> {escape(meaning)}</span>"
                  for mark, meaning in KEY)
    heading = _text(f"Framework matrices: {title}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{heading}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>{heading}</h1>'
        f'<nav class="themes">{nav}</nav><div class="controls">'
        '<label for="group-filter">Sample group</label>'
        f'<select id="group-filter"><option value="">All groups</option>{options}</select>'
        '<label for="search">Search</label>'
        '<input type="search" id="search" placeholder="words in summaries and evidence">'
        '<span id="shown" aria-live="polite"></span></div>'
        f'<p class="key">{key}. Click a cell (or press Enter on it) for its summary and '
        "evidence.</p></header>"
        f"<main>{sections}</main>"
        '<aside id="panel" role="dialog" aria-label="Cell" hidden></aside>'
        f'<script type="application/json" id="fqda-data">{script_json({"cells": records})}'
        f"</script><script>{JS}</script></body></html>\n")


def write_html(path: Path, matrices: Sequence[Matrix], title: str) -> Path:
    """Write the page to ``path`` (whole or not at all); returns the path."""
    with replacing(path, "the HTML matrices", "choose another file") as out:
        out.write(html_document(matrices, title).encode("utf-8"))
    return path
