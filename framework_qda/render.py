"""Turning query results into rows, and rows into csv / json / markdown / Rich tables.

Formatting only: every function takes computed results and returns text or
a Rich renderable; nothing prints.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from framework_qda.matrix import Matrix, cell_text
from framework_qda.model import Cell, Codebook, Quote, Segment
from framework_qda.query import CaseProfile, Comparison, Cooccurrence, GroupCells, ThemeView
from framework_qda.search import Passage

if TYPE_CHECKING:
    from rich.console import RenderableType
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


# -- interpretation: case, theme, compare, quotes, search, co-occurrence ------
# Each query has rows (csv/json: exact text), markdown (a report's appendix)
# and a Rich renderable (the terminal); all take the query's result as is.

def _evidence(cell: Cell, exact: bool) -> list[dict[str, str]]:
    return [{"ref": e.ref, "text": e.text if exact else fold(e.text)} for e in cell.evidence]


def _reading(cell: Cell, evidence: bool = False) -> str:
    """What a reader sees of a cell: the summary (with evidence if asked) or the evidence."""
    if cell.state == "not-applicable":
        return "n/a" + (f": {cell.summary}" if cell.summary else "")
    mark = {"draft": "(draft) ", "stale": "(stale) "}.get(cell.state, "")
    parts = [mark + cell.summary] if cell.summary else []
    if evidence or not cell.summary:
        parts += [f"“{fold(e.text)}” [{e.ref}]" for e in cell.evidence]
    return "\n".join(parts)


def group_line(group: GroupCells, by: str) -> str:
    """"4 of 6 Council chief executive cases" (the topic came up for 4 of them)."""
    what = f"{group.name} cases" if by == "group" else f"cases with {by} {group.name}"
    na = f" ({group.not_applicable} n/a)" if group.not_applicable else ""
    return f"{group.covered} of {group.cases} {what}{na}"


def case_rows(profile: CaseProfile, exact: bool = True) -> Rows:
    c = profile.case
    return [{"case": c.id, "group": c.group, "theme": theme.heading, "code": sub.code,
             "subtopic": sub.heading, "state": cell.state, "summary": cell.summary,
             "evidence": _evidence(cell, exact)}
            for theme, cells in profile.themes
            for sub, cell in zip(theme.subtopics, cells, strict=True)]


def _blockquote(text: str, *tail: str) -> str:
    lines = [f"> {fold(text)}"] + ([">", *(f"> {t}" for t in tail)] if tail else [])
    return "\n".join(lines)


def case_markdown(profile: CaseProfile, evidence: bool = True) -> str:
    """A case profile for a report's appendix: attributes, then each theme's cells."""
    c = profile.case
    out = [f"# {c.id}" + (f" — {c.group}" if c.group else ""), ""]
    out += [f"- **Group:** {c.group or '—'}"] + [f"- **{k}:** {v}" for k, v in c.attributes]
    for theme, cells in profile.themes:
        out += ["", f"## {theme.heading}"]
        for sub, cell in zip(theme.subtopics, cells, strict=True):
            out += ["", f"### {sub.heading}", ""]
            if cell.state == "not-applicable":
                out.append("_Not applicable._" + (f" {cell.summary}" if cell.summary else ""))
                continue
            if cell.summary:
                mark = {"draft": " _(draft)_", "stale": " _(stale: evidence changed)_"}
                out.append(cell.summary + mark.get(cell.state, ""))
            if not cell.evidence and not cell.summary:
                out.append("_Nothing coded._")
            if evidence or not cell.summary:
                for e in cell.evidence:
                    out += ([""] if out[-1] else []) + [_blockquote(e.text, f"[{e.ref}]")]
    return "\n".join(out) + "\n"


def case_view(profile: CaseProfile, evidence: bool = False) -> RenderableType:
    """The case in a terminal: a header with attributes, then a table per theme."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    c = profile.case
    parts: list[RenderableType] = [Text(f"{c.id} · {c.group or 'no group'}", style="bold")]
    parts += [Text(f"  {k}: {v}") for k, v in c.attributes]
    for theme, cells in profile.themes:
        table = Table(title=theme.heading, title_justify="left", show_lines=True, expand=True)
        table.add_column("sub-topic", ratio=1)
        table.add_column("state", no_wrap=True)
        table.add_column("summary or evidence", ratio=4)
        for sub, cell in zip(theme.subtopics, cells, strict=True):
            table.add_row(Text(sub.heading), cell.state, Text(_reading(cell, evidence)))
        parts += [Text(""), table]
    return Group(*parts)


def theme_rows(view: ThemeView, exact: bool = True) -> Rows:
    return [{"code": sub.code, "subtopic": sub.heading, view.by: g.name,
             "cases_in_group": g.cases, "cases_covered": g.covered, "case": cell.case_id,
             "state": cell.state, "summary": cell.summary, "evidence": _evidence(cell, exact)}
            for sub, groups in view.subtopics for g in groups for cell in g.cells]


def theme_markdown(view: ThemeView, evidence: bool = False) -> str:
    out = [f"# {view.theme.heading} — by {view.by}"]
    for sub, groups in view.subtopics:
        out += ["", f"## {sub.heading}"]
        for g in groups:
            out += ["", f"### {group_line(g, view.by)}"] + ([""] if g.cells else [])
            out += [f"- **{cell.case_id}** ({cell.state}): "
                    + _reading(cell, evidence).replace("\n", " ") for cell in g.cells]
    return "\n".join(out) + "\n"


def theme_view(view: ThemeView, evidence: bool = False) -> RenderableType:
    """Each sub-topic, then each group's line ("2 of 3 … cases") and its cases."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    parts: list[RenderableType] = [Text(f"{view.theme.heading} — by {view.by}", style="bold")]
    for sub, groups in view.subtopics:
        parts += [Text(""), Text(sub.heading, style="bold underline")]
        for g in groups:
            parts.append(Text(f"  {group_line(g, view.by)}", style="bold"))
            if not g.cells:
                continue
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True)
            grid.add_column()
            for cell in g.cells:
                grid.add_row(cell.case_id, Text(_reading(cell, evidence)))
            parts.append(Padding(grid, (0, 0, 0, 4), expand=False))
    return Group(*parts)


def compare_rows(comparison: Comparison) -> Rows:
    return [{comparison.by: g, "cases": n,
             **{s.code: comparison.count(g, s.code) for s in comparison.subtopics}}
            for g, n in comparison.groups]


# Five steps from "nobody" to "everyone", readable on dark and light terminals.
_SCALE = ("grey50", "black on #fde0c5", "black on #facba6", "black on #f59e72",
          "black on #f0746e", "white on #c0395a")


def share_style(share: float) -> str:
    """The colour-scale style for a share of a group's cases (0.0 to 1.0)."""
    if share <= 0:
        return _SCALE[0]
    return _SCALE[min(5, 1 + int(share * 5 - 1e-9))]


def compare_table(comparison: Comparison) -> RenderableType:
    """Sub-topics × groups; each cell "k/n" cases of the group, shaded by k/n."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    # sub-topics down, groups across: a framework has many more sub-topics than
    # groups, so this way round a whole framework fits a terminal
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, expand=True)
    table.add_column("sub-topic", ratio=2)
    for g, n in comparison.groups:
        table.add_column(f"{g} ({n})", justify="center", ratio=1)
    for s in comparison.subtopics:
        table.add_row(Text(s.heading), *(Text(f" {comparison.count(g, s.code)}/{n} ",
                                              style=share_style(comparison.share(g, s.code)))
                                         for g, n in comparison.groups))
    return Group(Text(f"Cases where each sub-topic came up, by {comparison.by}; shade: share "
                      "of the group's cases"), table)


def quote_rows(quotes: Sequence[Quote], exact: bool = True) -> Rows:
    """Quotes as rows; ``exact`` keeps the source's white space (csv, json)."""
    return [{"subtopic": q.subtopic, "text": q.text if exact else fold(q.text),
             "attribution": q.attribution, "ref": q.ref, "case": q.case_id, "group": q.group,
             "speaker": q.speaker} for q in quotes]


def quote_table(quotes: Sequence[Quote], title: str = "") -> Table:
    """Quotes for reading in a terminal: the words, then who said them and where."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", show_lines=True, expand=True)
    several = len({q.subtopic for q in quotes}) > 1
    if several:
        table.add_column("code", no_wrap=True)
    table.add_column("quote", ratio=3)
    table.add_column("attribution", ratio=1)
    table.add_column("ref", no_wrap=True)
    for q in quotes:
        table.add_row(*([q.subtopic] if several else []), Text(fold(q.text)),
                      Text(q.attribution), q.ref)
    return table


def quotes_markdown(quotes: Sequence[Quote], codebook: Codebook | None = None) -> str:
    """A quote bank: a heading per sub-topic, each quote a block quote with its
    attribution and reference."""
    labels = {s.code: s.heading for s in codebook.subtopics} if codebook else {}
    out: list[str] = []
    current = None
    for q in quotes:
        if q.subtopic != current:
            current = q.subtopic
            out += [f"## {labels.get(q.subtopic, q.subtopic)}", ""]
        ref = "" if q.ref in q.attribution else f" [{q.ref}]"
        out += [_blockquote(q.text, f"{q.attribution}{ref}".strip()), ""]
    return "\n".join(out)


def snippet(passage: Passage, words: int = 30) -> list[tuple[str, bool]]:
    """About ``words`` words around the first match, white space folded, as
    ``(text, matched)`` pieces (the whole text folded when nothing matched)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", passage.text)]
    first = 0
    if passage.matches:
        hit = passage.matches[0][0]
        first = next((i for i, (_, e) in enumerate(spans) if e > hit), 0)
        # a third of the window before the match, but never a short window
        first = max(0, min(first - words // 3, len(spans) - words))
    window = spans[first:first + words] if passage.matches else spans
    pieces: list[tuple[str, bool]] = [("… ", False)] if first > 0 else []
    for i, (s, e) in enumerate(window):
        cuts = sorted({s, e, *(min(max(p, s), e) for m in passage.matches for p in m)})
        for a, b in zip(cuts, cuts[1:], strict=False):
            hit = any(ms <= a and b <= me for ms, me in passage.matches)
            pieces.append((passage.text[a:b], hit))
        if i < len(window) - 1:
            pieces.append((" ", False))
    if passage.matches and first + words < len(spans):
        pieces.append((" …", False))
    return pieces


def passage_rows(passages: Sequence[Passage], exact: bool = True) -> Rows:
    """Passages as rows: ``snippet`` marks matches as **word**; ``text`` is the
    whole segment (exact for csv/json)."""
    return [{"ref": p.ref, "case": p.case_id, "group": p.group, "speaker": p.speaker,
             "coded": " ".join(p.coded),
             "snippet": "".join(f"**{t}**" if hit else t for t, hit in snippet(p)),
             "text": p.text if exact else fold(p.text)} for p in passages]


def passage_table(passages: Sequence[Passage], title: str = "", full: bool = False) -> Table:
    """Passages with matches highlighted; ``full`` shows the whole segment."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", show_lines=True)
    for name in ("ref", "group", "speaker", "coded"):
        table.add_column(name, overflow="fold", max_width=24)
    table.add_column("text" if full else "snippet", ratio=1)
    for p in passages:
        pieces = snippet(p, 10**9 if full else 30)
        table.add_row(p.ref, p.group, p.speaker, " ".join(p.coded) or "—",
                      Text.assemble(*((t, "bold reverse") if hit else t for t, hit in pieces)))
    return table


def passages_markdown(passages: Sequence[Passage]) -> str:
    return "\n".join(_blockquote(p.text, f"— {p.group or 'no group'}, {p.case_id} [{p.ref}]"
                                 + (f" (coded {', '.join(p.coded)})" if p.coded else "")) + "\n"
                     for p in passages)


def cooccur_rows(co: Cooccurrence) -> Rows:
    return [{"a": a.code, "a_label": a.label, "b": b.code, "b_label": b.label,
             "segments": segs, "cases": cases} for a, b, segs, cases in co.pairs()]


def cooccur_table(co: Cooccurrence) -> RenderableType:
    """The square matrix: "segments/cases" coded to both (the diagonal: each alone)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    table.add_column("sub-topic", overflow="fold", min_width=12)
    for s in co.subtopics:
        table.add_column(s.code, justify="center", no_wrap=True)
    for a in co.subtopics:
        cells = []
        for b in co.subtopics:
            segs, cases = co.segments.get((a.code, b.code), 0), co.cases.get((a.code, b.code), 0)
            style = "dim" if a.code == b.code or not cases else "bold"
            cells.append(Text(f"{segs}/{cases}" if cases else "·", style=style))
        table.add_row(Text(a.heading), *cells)
    return Group(Text("Segments/cases coded to both sub-topics (diagonal: to the sub-topic "
                      "itself; ·: no case has both)"), table)


# -- the working framework (codebook) -------------------------------------------
if TYPE_CHECKING:  # kept beside the renderers that use them (this section is appended)
    from collections.abc import Mapping

    from rich.tree import Tree

    from framework_qda.codebook_changes import Difference
    from framework_qda.store.codebook import ChangeRecord, SubtopicUse


def codebook_rows(cb: Codebook, use: Mapping[str, SubtopicUse]) -> Rows:
    """One row per sub-topic, in codebook order, with the work resting on it."""
    return [{"theme": t.heading, "code": s.code, "label": s.label,
             "codings": use[s.code].codings if s.code in use else 0,
             "cases": use[s.code].cases if s.code in use else 0,
             "summaries": use[s.code].summaries if s.code in use else 0,
             "definition": s.definition} for t in cb.themes for s in t.subtopics]


def codebook_tree(cb: Codebook, use: Mapping[str, SubtopicUse]) -> Tree:
    """Themes and their sub-topics as a tree: ``2.3 Label  12 codings · 5 cases``."""
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text(cb.title or "Codebook", style="bold"))
    for t in cb.themes:
        branch = tree.add(Text(t.heading, style="bold"))
        for s in t.subtopics:
            u = use.get(s.code)
            line = Text(s.heading)
            counts = f"  {_count(u.codings, 'coding')} · {_count(u.cases, 'case')}" \
                if u and u.codings else "  no codings"
            if u and u.summaries:
                counts += f" · {_count(u.summaries, 'summary', 'summaries')}"
            line.append(counts, style="dim")
            branch.add(line)
    return tree


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def change_rows(changes: Sequence[ChangeRecord]) -> Rows:
    return [{"when": c.at, "who": c.who, "what": c.action, "code": c.subject,
             "detail": c.detail} for c in changes]


def difference_rows(differences: Sequence[Difference]) -> Rows:
    return [{"change": d.kind, "code": d.code, "detail": d.detail} for d in differences]


# -- charting ------------------------------------------------------------------
if TYPE_CHECKING:  # kept beside the renderers that use them (this section is appended)
    from framework_qda.charting import CellOutcome, ChartingStatus
    from framework_qda.export.charting import CellChange


def chart_outcome_rows(outcomes: Sequence[CellOutcome]) -> Rows:
    """What the editor flow did to each cell of a row."""
    return [{"subtopic": o.subtopic, "before": o.before, "after": o.after,
             "saved": "yes" if o.saved else "left as it was"} for o in outcomes]


def chart_import_rows(changes: Sequence[CellChange]) -> Rows:
    """The cells a charting workbook changes: where, which cell, before and after."""
    rows: Rows = []
    for c in changes:
        outcome = "applied" if c.applied else ("kept the study's" if c.conflict else "would apply")
        rows.append({"cell": c.where, "case": c.case_id, "subtopic": c.subtopic,
                     "study": brief(c.before) or "(none)",
                     "workbook": brief(c.after) or "(cleared)",
                     "conflict": "yes" if c.conflict else "", "result": outcome})
    return rows


def status_sections(status: ChartingStatus) -> dict[str, tuple[str, Rows]]:
    """``fqda status``: cells by state per theme and per case, the gaps, the stale cells."""
    from framework_qda.charting import STATES

    short = {"not-applicable": "n/a"}
    themes: Rows = [{"theme": t.heading, **{short.get(k, k): v for k, v in counts.items()},
                     "cells": sum(counts.values())} for t, counts in status.themes]
    cases: Rows = []
    for p in status.cases:
        share = f"{100 * p.done // p.to_chart}%" if p.to_chart else "-"
        cases.append({"case": p.case.id, "group": p.case.group,
                      "charted": f"{p.done}/{p.to_chart}", "progress": share,
                      **{short.get(k, k): p.counts.get(k, 0) for k in STATES if k != "empty"}})
    by_case: dict[str, dict[str, list[str]]] = {}
    for c in status.gaps:
        by_case.setdefault(c.case_id, {"coded": [], "draft": []})[c.state].append(c.subtopic)
    gaps: Rows = [{"case": case, "coded, no summary": " ".join(g["coded"]),
                   "draft only": " ".join(g["draft"])} for case, g in by_case.items()]
    stale: Rows = [{"case": s.cell.case_id, "subtopic": s.cell.subtopic,
                    "what changed": s.change.describe()} for s in status.stale]
    return {
        "themes": ("cells by state, per theme", themes),
        "cases": ("charting progress, per case", cases),
        "gaps": ("gaps: coded but not summarised", gaps),
        "stale": ("stale: the evidence changed under the summary", stale),
    }


# -- indexing: interactive coding, suggestions and their review -------------
if TYPE_CHECKING:
    from framework_qda.session import SessionView
    from framework_qda.suggestion import SuggestReport


def framework_lines(codebook: Codebook) -> str:
    """The framework at hand, one theme per line: ``2 Structures: 2.1 Partnership boards …``."""
    lines = []
    for theme in codebook.themes:
        subs = "  ".join(f"{s.code} {brief(s.label, 4)}" for s in theme.subtopics)
        lines.append(f"{theme.code} {theme.label}: {subs}")
    return "\n".join(lines)


def _turn(seg: Segment, words: int = 0) -> str:
    body = fold(seg.text) if not words else brief(seg.text, words)
    return f"{seg.ref}  {seg.speaker + ': ' if seg.speaker else ''}{body}"


def session_panel(view: SessionView, codebook: Codebook) -> RenderableType:
    """The segment at hand in a panel, neighbours dimmed above and below, codes so far."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    assert view.segment is not None
    seg = view.segment
    parts: list[RenderableType] = [Text(_turn(s, 40), style="dim") for s in view.before]
    body = Text("▶ " + _turn(seg), style="bold")
    if view.matched:
        body.highlight_words(view.matched.split("; "), style="bold yellow")
    parts.append(body)
    parts.extend(Text(_turn(s, 40), style="dim") for s in view.after)
    labels = {s.code: s.label for s in codebook.subtopics}
    if view.subtopic:
        parts.append(Text(f"suggested: {view.subtopic} {labels.get(view.subtopic, '')} "
                          f"(matched: {view.matched})", style="cyan"))
    if view.codes:
        parts.append(Text("coded: " + ", ".join(f"{c} {labels.get(c, '')}" for c in view.codes),
                          style="green"))
    if view.memo:
        parts.append(Text(f"memo: {view.memo}", style="magenta"))
    title = f"{seg.ref} · {view.position}/{view.total}"
    subtitle = (f"{view.remaining} suggestion(s) to go" if view.subtopic
                else f"{view.remaining} uncoded")
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left")


def review_panel(view: SessionView, codebook: Codebook) -> RenderableType:
    """A suggestion under review: its segment with the matched words picked out."""
    return session_panel(view, codebook)


def session_end(view: SessionView, case: str) -> str:
    """What to say when a coding session has seen every segment."""
    if view.total == 0:
        return f"{case} has no segments to code"
    if view.remaining:
        return (f"every segment of {case} has been seen; {view.remaining} skipped one(s) are "
                "still uncoded and come back in the next session")
    return f"all {view.total} segments of {case} are coded"


def suggest_rows(report: SuggestReport) -> Rows:
    """New suggestions per sub-topic, in codebook order."""
    return [{"subtopic": code, "new suggestions": n} for code, n in report.by_subtopic.items()]
