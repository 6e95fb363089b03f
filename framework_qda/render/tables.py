"""Rows and the formats every query shares: csv, json, markdown, Rich tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, cast, get_args

from framework_qda.cell_state import rendering
from framework_qda.formulas import csv_safe
from framework_qda.matrix import Matrix, cell_text, speech_tag
from framework_qda.model import Cell, Role, Segment, Subtopic

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.table import Table
    from rich.text import Text



ROLES = get_args(Role)
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


def matrix_rows(matrix: Matrix, full: bool = False, states: bool = False,
                marks: Mapping[tuple[str, str], str] | None = None) -> Rows:
    """One row per case; each sub-topic cell as its summary or its evidence.

    ``full`` gives the whole cell text; otherwise the amount of evidence and
    the first words, as a terminal has room for.  Either way a summary reads
    with its state's marker (``(draft) …``).  ``states`` adds a ``<code> state``
    column after each sub-topic's (csv, json).  ``marks`` (by case and
    sub-topic: where coders disagree) adds a ``<code> coders`` column.
    """
    rows: Rows = []
    for case in matrix.cases:
        row: dict[str, object] = {"case": case.id, "group": case.group}
        for sub in matrix.subtopics:
            cell = matrix.cell(case.id, sub.code)
            row[sub.code] = _glimpse(cell, full)
            if states:
                row[f"{sub.code} state"] = cell.state
            if marks is not None:
                row[f"{sub.code} coders"] = marks.get((case.id, sub.code), "")
        rows.append(row)
    return rows


def _glimpse(cell: Cell, full: bool) -> str:
    if full:
        return cell_text(cell)
    look = rendering(cell.state)
    if cell.summary or look.marker:
        text = look.mark(brief(cell.summary))
    elif cell.evidence:
        first = cell.evidence[0]
        text = f"{len(cell.evidence)}× {speech_tag(first.role)}{brief(first.text, 8)}"
    else:
        text = ""
    if cell.suggestions:
        more = f"+{len(cell.suggestions)} suggested"
        text = f"{text} ({more})" if text else f"({more})"
    return text


CELL_WIDTH = 20
"""The narrowest a matrix cell is drawn before its sub-topics go to a further table:
about three words a line, below which a summary is a column of broken words."""


def matrix_table(matrix: Matrix, full: bool = False,
                 marks: Mapping[tuple[str, str], str] | None = None) -> MatrixView:
    """The matrix in a terminal: each cell's text in its state's style (drafts
    italic, stale cells amber, n/a dim), with the marker in the text as well;
    a cell in ``marks`` (where coders disagree) ends with its marker.

    As many sub-topics as the terminal has room for go in one table; the rest
    follow in further tables with the case and group repeated, so a theme of
    twenty sub-topics reads at 80 columns as it does in a spreadsheet's panes.
    """
    return MatrixView(matrix, full, dict(marks or {}))


class MatrixView:
    """A matrix laid out for the width it is printed at (a Rich renderable)."""

    def __init__(self, matrix: Matrix, full: bool,
                 marks: dict[tuple[str, str], str]) -> None:
        self.matrix, self.full, self.marks = matrix, full, marks

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for i, table in enumerate(self.tables(options.max_width)):
            if i:
                yield ""
            yield table

    def tables(self, width: int) -> list[Table]:
        """The tables the matrix takes at ``width`` columns, sub-topics in order."""
        m = self.matrix
        case_w = max([4, *(len(c.id) for c in m.cases)])
        group_w = min(24, longest_word(["group", *(c.group for c in m.cases)]))
        # each column costs its padding and a border: 3 characters
        room = width - 1 - (case_w + 3) - (group_w + 3)
        per = max(1, room // (CELL_WIDTH + 3))
        subs = m.subtopics
        found = []
        for first in range(0, max(len(subs), 1), per):
            part = subs[first:first + per]
            title = m.theme.heading
            if len(part) < len(subs):
                title += f" (sub-topics {part[0].code}–{part[-1].code} of {len(subs)})"
            found.append(self._table(title, part, case_w, group_w))
        return found

    def _table(self, title: str, part: Sequence[Subtopic], case_w: int,
               group_w: int) -> Table:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, show_lines=True, title_justify="left")
        table.add_column("case", no_wrap=True, min_width=case_w)
        table.add_column("group", overflow="fold", min_width=group_w)
        for s in part:
            table.add_column(s.code, overflow="fold", min_width=min(CELL_WIDTH,
                                                                     len(s.code)))
        for case in self.matrix.cases:
            cells = [self.matrix.cell(case.id, s.code) for s in part]
            table.add_row(Text(case.id), Text(case.group),
                          *(Text(_marked(_glimpse(c, self.full),
                                         self.marks.get((c.case_id, c.subtopic), "")),
                                 style=rendering(c.state).terminal) for c in cells))
        return table


def longest_word(texts: Iterable[str], cap: int = 25) -> int:
    """The longest word among ``texts`` (at most ``cap``, an ISO time): a column this wide
    wraps between words and never inside one ("Voluntary-secto / r leader")."""
    return min(cap, max([1, *(len(w) for t in texts for w in t.split())]))


def _marked(text: str, mark: str) -> str:
    return f"{text} {mark}" if text and mark else text or mark


def _passage(v: dict[str, str]) -> str:
    """A passage of a row's evidence list as one line (tagged when not a participant's)."""
    role = v.get("role", "participant")
    tag = speech_tag(cast(Role, role)) if role in ROLES else ""
    return f"{tag}“{v['text']}” [{v['ref']}]"


def _flat(value: object) -> str:
    if isinstance(value, list):
        return " ".join(_passage(v) if isinstance(v, dict) else str(v) for v in value)
    return "" if value is None else str(value)


def _csv_field(text: str) -> str:
    text = csv_safe(text)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _csv_line(fields: Sequence[str]) -> str:
    """One csv record, as the csv module writes it with ``lineterminator="\\n"``.

    The csv module copies text into its output a character at a time: for a
    whole theme of passages (3.6 MB on 1,000 transcripts) that was 37 ms of a
    cold start budgeted at about 0.2 s; string methods do the same in 7 ms.
    A field is quoted when it holds a comma, a quote (doubled) or a line
    break; unlike the csv module, a lone carriage return is quoted too.
    """
    if len(fields) == 1 and not fields[0]:
        return '""\n'  # a record of one empty field, which a bare line would lose
    return ",".join([_csv_field(f) for f in fields]) + "\n"


def to_text(rows: Rows, fmt: str) -> str:
    """Rows as csv, json or markdown text."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        lines = [_csv_line(columns)]
        lines += [_csv_line([_flat(r.get(c)) for c in columns]) for r in rows]
        return "".join(lines)
    if fmt == "markdown":
        def esc(v: object) -> str:
            return _flat(v).replace("|", "\\|").replace("\n", "<br>")
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(esc(r.get(c)) for c in columns) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {fmt}")


def rich_table(rows: Rows, title: str = "", widths: dict[str, int] | None = None
               ) -> RowsView:
    """Rows as a Rich table (lists of evidence shown one passage per line).

    A rule goes between rows only when a row runs over several lines (a list of
    passages, a long text); a list of one-line rows reads best without one, at
    half the height.  When the rows need more room than the terminal has, a column
    keeps at least its longest word (up to 16 characters), so names wrap between
    words, and names and paths get their whole width before running text.
    """
    return RowsView(rows, title, dict(widths or {}))


class RowsView:
    """Rows laid out for the width they are printed at (a Rich renderable)."""

    def __init__(self, rows: Rows, title: str, widths: dict[str, int]) -> None:
        self.rows, self.title, self.widths = rows, title, widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def table(self, width: int) -> Table:
        from rich import box
        from rich.table import Table

        columns = list(self.rows[0]) if self.rows else []
        cells = [[_cell(r.get(c)) for c in columns] for r in self.rows]
        tall = any(len(t.plain) > 60 or "\n" in t.plain for row in cells for t in row)
        table = Table(title=self.title, show_lines=tall, title_justify="left",
                      box=box.HEAVY_HEAD if tall else box.SIMPLE_HEAD)
        n = len(columns)
        natural = [max([len(c), *(len(line) for row in cells
                                  for line in row[i].plain.split("\n"))])
                   for i, c in enumerate(columns)]
        for i, c in enumerate(columns):
            if self.widths.get(c):
                natural[i] = min(natural[i], self.widths[c])
        room = width - 1 - 3 * n  # each column costs its padding and a border
        sizes: list[int | None] = [None] * n
        if sum(natural) > room:
            # Widths are shared out here, not by Rich, whose last resort squeezes
            # every column evenly and then lets a floor push the table off screen.
            # A column's floor is its longest word (ids, groups, paths stay whole);
            # the rest of the room goes to the columns in proportion to what they
            # would still take, so running text is what wraps.
            floor = [min(natural[i], 16, longest_word([c, *(row[i].plain for row in cells)]))
                     for i, c in enumerate(columns)]
            while sum(floor) > room and max(floor, default=0) > 4:
                floor[floor.index(max(floor))] -= 1
            # short columns (ids, groups, counts, paths) whole first, the neediest last;
            # what is left goes to the running text
            base = list(floor)
            spare = max(0, room - sum(base))
            whole = [natural[i] <= 40 or not any(len(row[i].plain.split()) > 1 for row in cells)
                     for i in range(n)]  # names, and single words such as paths
            for i in sorted((i for i in range(n) if whole[i]),
                            key=lambda i: natural[i] - floor[i]):
                give = min(natural[i] - base[i], spare)
                base[i] += give
                spare -= give
            want = [natural[i] - base[i] for i in range(n)]
            total = sum(want) or 1
            sizes = [base[i] + spare * want[i] // total for i in range(n)]
        for c, size in zip(columns, sizes, strict=True):
            table.add_column(c, overflow="fold", width=size,
                             max_width=None if size else self.widths.get(c))
        for row in cells:
            table.add_row(*row)
        return table


def _cell(value: object) -> Text:
    """A table cell as Text, so a user's words are never read as markup or emoji."""
    from rich.text import Text

    if isinstance(value, list):
        return Text("\n".join(_passage(v) if isinstance(v, dict) else str(v) for v in value))
    return Text("" if value is None else str(value))
