"""Interpretation: case, theme, compare, quotes, search and co-occurrence.

Each query has rows (csv/json: exact text), markdown (a report's appendix)
and a Rich renderable (the terminal); all take the query's result as is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from framework_qda.cell_state import rendering, shown_summary
from framework_qda.matrix import evidence_line, speech_tag
from framework_qda.model import Cell, Codebook, Quote, Subtopic

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.table import Table
    from rich.text import Text

    from framework_qda.query import CaseProfile, Comparison, Cooccurrence, GroupCells, ThemeView
    from framework_qda.search import Passage

from framework_qda.render.tables import Rows, fold


def _evidence(cell: Cell, exact: bool) -> list[dict[str, str]]:
    return [{"ref": e.ref, "text": e.text if exact else fold(e.text), "role": e.role}
            for e in cell.evidence]


def _reading(cell: Cell, evidence: bool = False) -> str:
    """What a reader sees of a cell: the summary with its state's marker (and the
    evidence, if asked), or the evidence."""
    summary = shown_summary(cell)
    parts = [summary] if summary else []
    if evidence or not summary:
        parts += [evidence_line(e) for e in cell.evidence]
    return "\n".join(parts)


def _styled(cell: Cell, text: str) -> Text:
    from rich.text import Text

    return Text(text, style=rendering(cell.state).terminal)


def group_line(group: GroupCells, by: str) -> str:
    """"4 of 6 Council chief executive cases" (the topic came up for 4 of them)."""
    what = f"{group.name} cases" if by == "group" else f"cases with {by} {group.name}"
    na = f" ({group.not_applicable} n/a)" if group.not_applicable else ""
    return f"{group.covered} of {group.cases} {what}{na}"


def case_rows(profile: CaseProfile, exact: bool = True, evidence: bool = True) -> Rows:
    """One row per cell; ``evidence`` False leaves the passages out under a summary
    (a cell without one still shows what it rests on), as the terminal does."""
    c = profile.case
    return [{"case": c.id, "group": c.group, "theme": theme.heading, "code": sub.code,
             "subtopic": sub.heading, "state": cell.state, "summary": shown_summary(cell),
             "evidence": _evidence(cell, exact) if evidence or not shown_summary(cell)
             else ""}
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
            summary = shown_summary(cell)
            if summary:
                out.append(summary)
            if not cell.evidence and not summary:
                out.append("_Nothing coded._")
            if evidence or not summary:
                for e in cell.evidence:
                    out += ([""] if out[-1] else []) + [
                        _blockquote(speech_tag(e.role) + e.text, f"[{e.ref}]")]
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
            table.add_row(Text(sub.heading), _styled(cell, cell.state),
                          _styled(cell, _reading(cell, evidence)))
        parts += [Text(""), table]
    return Group(*parts)


def theme_rows(view: ThemeView, exact: bool = True) -> Rows:
    rows: Rows = []
    for sub, groups in view.subtopics:
        for g in groups:
            covered = g.covered  # counted once per group, not once per row
            rows += [{"code": sub.code, "subtopic": sub.heading, view.by: g.name,
                      "cases_in_group": g.cases, "cases_covered": covered,
                      "case": cell.case_id, "state": cell.state,
                      "summary": shown_summary(cell),
                      "evidence": _evidence(cell, exact)} for cell in g.cells]
    return rows


def theme_markdown(view: ThemeView, evidence: bool = False) -> str:
    out = [f"# {view.theme.heading} — by {view.by}"]
    for sub, groups in view.subtopics:
        out += ["", f"## {sub.heading}"]
        for g in groups:
            out += ["", f"### {group_line(g, view.by)}"] + ([""] if g.cells else [])
            # a state with a marker says it in the text (``(draft) …``), once
            out += [f"- **{cell.case_id}**"
                    + ("" if rendering(cell.state).marker else f" ({cell.state})") + ": "
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
                grid.add_row(cell.case_id, _styled(cell, _reading(cell, evidence)))
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
    """Quotes as rows; ``exact`` keeps the source's white space (csv, json) and adds
    where the words are: the source and its offsets (end exclusive), which find
    the quote in the text again (``text == source_text[start:end]``)."""
    rows: Rows = []
    for q in quotes:
        row: dict[str, object] = {
            "subtopic": q.subtopic, "text": q.text if exact else fold(q.text),
            "attribution": q.attribution, "ref": q.ref, "case": q.case_id, "group": q.group,
            "speaker": q.speaker, "role": q.role}
        if exact:
            row.update(source=q.source, start=q.start, end=q.end)
        rows.append(row)
    return rows


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
        # only matches overlapping the word cut it (others would add s or e)
        touching = [(ms, me) for ms, me in passage.matches if ms < e and me > s]
        if not touching:
            pieces.append((passage.text[s:e], False))
        else:
            cuts = sorted({s, e, *(min(max(p, s), e) for m in touching for p in m)})
            for a, b in zip(cuts, cuts[1:], strict=False):
                hit = any(ms <= a and b <= me for ms, me in touching)
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


COUNTS = ("segments", "cases")


def cooccur_table(co: Cooccurrence, count: str = "segments") -> RenderableType:
    """The square matrix of one count: ``segments`` coded to both sub-topics, or
    ``cases`` with codings of both anywhere; the diagonal (dim) is each sub-topic's
    own, and ``·`` stands for none."""
    if count not in COUNTS:
        raise ValueError(f"unknown count {count}")
    return CooccurView(co, count)


class CooccurView:
    """The co-occurrence matrix laid out for the width it is printed at: row labels
    as wide as the room left (cut with …, never wrapped), and the sub-topics that do
    not fit in further tables, each with the labels again."""

    def __init__(self, co: Cooccurrence, count: str) -> None:
        self.co, self.count = co, count
        self.table = co.segments if count == "segments" else co.cases

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        subs = self.co.subtopics
        own = "segment" if self.count == "segments" else "case"
        other = "cases" if own == "segment" else "segments"
        yield Text(f"{own.capitalize()}s coded to both (diagonal: each sub-topic's own; "
                   f"·: none; --count {other} for {other})")
        cell_w = max([3, *(len(s.code) for s in subs),
                      *(len(str(v)) for v in self.table.values())])
        widest = max([9, *(len(f"{s.code} {s.label}") for s in subs)])
        label_w = min(widest, 28)
        room = options.max_width - label_w - 1
        per = max(1, room // (cell_w + 1))
        if per < len(subs):  # labels give way before any column goes to another table
            label_w = max(12, min(widest, options.max_width - 1 - len(subs) * (cell_w + 1)))
            per = max(1, (options.max_width - label_w - 1) // (cell_w + 1))
        for first in range(0, len(subs), per):
            yield self._table(subs[first:first + per], label_w, cell_w)

    def _table(self, part: Sequence[Subtopic], label_w: int, cell_w: int) -> Table:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(box=box.SIMPLE_HEAD, padding=0, pad_edge=False)
        table.add_column("sub-topic", no_wrap=True, overflow="ellipsis",
                         width=label_w, max_width=label_w)
        for s in part:
            table.add_column(s.code, justify="right", no_wrap=True, min_width=cell_w)
        for a in self.co.subtopics:
            cells = []
            for b in part:
                n = self.table.get((a.code, b.code), 0)
                style = "dim" if a.code == b.code else "bold" if n else "dim"
                cells.append(Text(str(n) if n else "·", style=style))
            table.add_row(Text(f"{a.code} {a.label}"), *cells)
        return table
