"""Listings longer than a reader can use: the summary shown instead, and the
lines that say what was left out and how to get it.

Over :data:`LONG_LISTING` rows, a terminal gets counts (by sample group, by
sub-topic) and one line saying how to list the rows; csv, json and markdown keep
their shape with the first :data:`LONG_LISTING` rows, and a note on standard
error says how many there are and how to write them all.  Nothing is cut short
without a line that says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from framework_qda.query import ThemeView
    from framework_qda.quote_selection import QuoteCount

LONG_LISTING = 500
"""More rows than this are summed up in a terminal and cut short in csv, json and
markdown unless ``--limit`` says how many (``--limit 0``: all)."""


def _aligned(rows: list[list[str]]) -> list[str]:
    """Rows of cells as lines: the first column left-aligned, numbers right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(r, widths, strict=True))).rstrip()
            for r in rows]


def quote_summary(count: QuoteCount, heading: str) -> list[str]:
    """What a terminal shows for more quotes than a listing holds: how many, from how
    many cases, then a line per sample group (and, for several sub-topics, a column
    each), then how to list them."""
    codes = [code for code, _ in count.by_subtopic]
    several = len(codes) > 1
    rows = [["group", "cases", "quotes", *(codes if several else [])]]
    for group, cases, quotes in count.by_group:
        rows.append([group, f"{cases:,}", f"{quotes:,}",
                     *([f"{count.by_group_subtopic.get((group, c), 0):,}" for c in codes]
                       if several else [])])
    return [f"{count.total:,} quotes for {heading}, from {count.cases:,} cases: more than "
            f"{LONG_LISTING}, so they are counted here, not listed", "", *_aligned(rows), "",
            f"to list them: --limit 0 (all {count.total:,}), --limit N (the first N), "
            "or fewer with --group, --where or --speaker"]


def cut_short(shown: int, total: int, what: str) -> str:
    """The note on standard error when csv, json or markdown holds the first rows only."""
    return f"note: the first {shown:,} of {total:,} {what} were written; --limit 0 writes " \
        "all of them"


def theme_summary(view: ThemeView) -> list[str]:
    """What a terminal shows for a theme with more cells than a listing holds: each
    sub-topic's line per group ("40 of 120 Managers cases"), then how to list them."""
    from framework_qda.render.queries import group_line

    lines = [f"{view.theme.heading} — by {view.by}: {view.rows:,} cells with something to "
             f"read, more than {LONG_LISTING}, so they are counted here, not listed"]
    for sub, groups in view.subtopics:
        lines += ["", sub.heading, *(f"  {group_line(g, view.by)}" for g in groups)]
    return [*lines, "", f"to list them: --limit 0 (all {view.rows:,}), --limit N (the first "
            "N), or one group's with --group G, one sub-topic's with --subtopic"]
