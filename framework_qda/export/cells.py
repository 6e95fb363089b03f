"""The cells, row heights, sheet titles and print setup every XlsxWriter workbook
shares.  The text in a cell is made safe by :mod:`framework_qda.cell_text`
(re-exported here); everything works on a *copy* of the text, never the store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The workbook writers reach these through this module.
from framework_qda.cell_text import (
    EXCEL_MAX as EXCEL_MAX,
)
from framework_qda.cell_text import (
    FORMULA_STARTS as FORMULA_STARTS,
)
from framework_qda.cell_text import (
    TRUNCATION_MARK as TRUNCATION_MARK,
)
from framework_qda.cell_text import (
    _head as _head,
)
from framework_qda.cell_text import (
    clean as clean,
)
from framework_qda.cell_text import (
    excel_length as excel_length,
)
from framework_qda.cell_text import (
    fit as fit,
)
from framework_qda.cell_text import (
    looks_like_formula as looks_like_formula,
)
from framework_qda.cell_text import (
    pieces as pieces,
)
from framework_qda.cell_text import (
    safe_text as safe_text,
)
from framework_qda.export.wrapping import (
    CHARS_PER_WIDTH as CHARS_PER_WIDTH,
)
from framework_qda.export.wrapping import (
    LINE_HEIGHT as LINE_HEIGHT,
)
from framework_qda.export.wrapping import (
    MAX_LINES as MAX_LINES,
)
from framework_qda.export.wrapping import (
    MAX_ROW_HEIGHT as MAX_ROW_HEIGHT,
)
from framework_qda.export.wrapping import (
    ROW_LINES as ROW_LINES,
)
from framework_qda.export.wrapping import (
    line_count as line_count,
)
from framework_qda.export.wrapping import (
    row_height as row_height,
)
from framework_qda.export.wrapping import (
    split_for_rows as split_for_rows,
)
from framework_qda.export.wrapping import (
    wrapped_lines as wrapped_lines,
)

RULE_COLOR = "808080"  # the line between sample groups


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique worksheet name of at most 31 characters with no forbidden characters.

    ``taken`` holds the case-folded names already used (Excel compares sheet
    names without case); the new name is added to it.
    """
    # A name that starts like a formula loses that start (a sheet name is no
    # formula, but it is copied into links and by hand into formulas).
    base = (" ".join(_SHEET_FORBIDDEN.sub(" ", name).split()).lstrip("'=+-@ ")
            .rstrip("'").strip() or "Sheet")
    if len(base) > 31:
        # Cut between words where there is a word break, and show that it was cut.
        head = base[:30]
        space = head.rfind(" ")
        base = (head[:space] if space > 10 else head).rstrip() + "…"
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(title.casefold())
    return title


def sheet_ref(title: str, ref: str) -> str:
    """A reference to ``ref`` on sheet ``title``, quoted as formulas and links need."""
    return "'" + title.replace("'", "''") + "'!" + ref



# -- XlsxWriter cells ---------------------------------------------------------
MAX_TIP = 255  # characters in a link's tooltip (Excel's limit)
MAX_LOCATION = 255  # characters in a link's location
RULE_GREY = "#808080"


@dataclass(frozen=True)
class Look:
    """How a cell looks: fill, font and frame.  Text wraps and sits at the top
    unless told; ``quote`` keeps text that starts like a formula as text when
    someone edits the cell (Excel's quote prefix)."""

    fill: str | None = None
    color: str | None = None
    italic: bool = False
    bold: bool = False
    rule: bool = False
    """A line above the cell: the first row of a new sample group."""
    wrap: bool = True
    rotate: int = 0
    quote: bool = False
    underline: bool = False
    box: bool = False
    """A dashed frame, which a black-and-white print still shows."""


BARE = Look(wrap=False)
"""The look of a cell given none: one line, at the top like its wrapped neighbours.
It is the workbook's default format (see :func:`new_workbook`), so such a cell
is written with no format of its own: most cells of the list sheets are."""
DEFAULT_FORMAT = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
"""XlsxWriter's default font, top aligned and not wrapped: :data:`BARE`."""


def header_text(text: str, limit: int = 80) -> str:
    """Text for a page header or footer: ``&`` is a control character there, so it
    is doubled; illegal characters removed; cut to ``limit`` characters."""
    text = " ".join(clean(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&&")


class Sheet:
    """One XlsxWriter worksheet written through this module only: every text is
    written with ``write_string`` (XlsxWriter's ``write`` would make ``=…`` a
    formula), cleaned of characters XML forbids and fit to a cell, and text
    that starts like a formula gets the quote prefix.  Rows and columns are
    counted from 0, as XlsxWriter counts them.

    The workbook may be in constant-memory mode: each row must then be
    finished (its height set first) before the next one is begun.
    """

    def __init__(self, wb: Any, ws: Any, formats: dict[Look, Any]) -> None:
        self.wb = wb
        self.ws = ws
        self._formats = formats
        # By identity first: a look object met again needs no hashing.  The
        # look is kept with its format, so its id cannot pass to another.
        self._seen: dict[int, tuple[Look, Any]] = {}
        # Looks derived from another (a link's, a formula-like text's), by the
        # identity of the look they come from, kept with it for the same reason.
        self._derived: dict[tuple[int, str, bool], tuple[Look | None, Look]] = {}

    def fmt(self, look: Look | None) -> Any:
        if look is None:
            look = BARE
        seen = self._seen.get(id(look))
        if seen is not None and seen[0] is look:
            return seen[1]
        found = self._find(look)
        self._seen[id(look)] = (look, found)
        return found

    def _find(self, look: Look) -> Any:
        if look == BARE:
            return None  # the workbook's default format: nothing to write per cell
        found = self._formats.get(look)
        if found is None:
            props: dict[str, Any] = {"valign": "top", "text_wrap": look.wrap}
            if look.fill:
                props |= {"pattern": 1, "bg_color": "#" + look.fill}
            if look.color:
                props["font_color"] = "#" + look.color
            if look.italic:
                props["italic"] = True
            if look.bold:
                props["bold"] = True
            if look.underline:
                props["underline"] = 1
            if look.rule:
                props |= {"top": 2, "top_color": RULE_GREY}
            if look.box:
                props |= {"border": 3, "border_color": "#404040"}
            if look.rotate:
                props["rotation"] = look.rotate
            if look.quote:
                props["quote_prefix"] = True
            found = self._formats[look] = self.wb.add_format(props)
        return found

    def derived(self, look: Look | None, kind: str, quote: bool) -> Look:
        """``look`` as a link shows it (``kind`` ``link``) or as it is (``text``), with
        the quote prefix when ``quote``; each made once per look."""
        key = (id(look), kind, quote)
        seen = self._derived.get(key)
        if seen is not None and seen[0] is look:
            return seen[1]
        if kind == "link":
            made = _with(look or Look(wrap=False), underline=True, color="0563C1",
                         quote=quote)
        else:
            made = _with(look or BARE, quote=True) if quote else look or BARE
        self._derived[key] = (look, made)
        return made

    def text(self, row: int, col: int, value: str, look: Look | None = None,
             mark: str = TRUNCATION_MARK) -> None:
        """Text, made safe (see the class); empty text with a look is a blank cell."""
        # Most cells are empty (a matrix's) or short printable ASCII (ids, codes,
        # names): nothing to clean.
        if value and not (value.isascii() and value.isprintable() and len(value) <= EXCEL_MAX):
            value = fit(value, mark=mark)[0]
        if not value:
            if look is not None:
                self.ws.write_blank(row, col, None, self.fmt(look))
            return
        if value.startswith(FORMULA_STARTS):  # looks like a formula: keep it text
            look = self.derived(look, "text", True)
        self.ws.write_string(row, col, value, self.fmt(look))

    def fitted(self, row: int, col: int, value: str, look: Look | None = None) -> None:
        """Text already fit for a cell (:func:`pieces` made it: cleaned, within the
        cell's length), written as :meth:`text` writes it without cleaning it again."""
        if not value:
            self.text(row, col, value, look)
            return
        if value.startswith(FORMULA_STARTS):
            look = self.derived(look, "text", True)
        self.ws.write_string(row, col, value, self.fmt(look))

    def texts(self, row: int, col: int, values: Sequence[str], look: Look | None = None) -> None:
        """Texts in a row from ``col`` on, each as :meth:`text` writes it; the
        many that are short printable text need nothing done, and are written
        straight (a list sheet has hundreds of thousands of cells)."""
        fmt = self.fmt(look)
        write = self.ws.write_string
        for c, value in enumerate(values, start=col):
            if (value and value.isascii() and value.isprintable() and len(value) <= EXCEL_MAX
                    and not value.startswith(FORMULA_STARTS)):
                write(row, c, value, fmt)
            else:
                self.text(row, c, value, look)

    def number(self, row: int, col: int, value: int | float, look: Look | None = None) -> None:
        self.ws.write_number(row, col, value, self.fmt(look))

    def value(self, row: int, col: int, value: object, look: Look | None = None) -> None:
        """Text or a number; None or empty text leaves the cell out (blank with a look)."""
        if isinstance(value, bool) or value is None:
            if look is not None:
                self.ws.write_blank(row, col, None, self.fmt(look))
            return
        if isinstance(value, int | float):
            self.number(row, col, value, look)
        else:
            self.text(row, col, str(value), look)

    def link(self, row: int, col: int, location: str, shown: object, tip: str,
             look: Look | None = None) -> None:
        """A link to ``location`` in this workbook (``'Sheet'!A1:B2``), showing
        ``shown`` (a number stays a number)."""
        # Printable text has nothing to clean (see clean()), and a tip of half the
        # limit fits however Excel counts it: most links, asked without a call.
        if not location.isprintable():
            location = clean(location)
        if len(location) > MAX_LOCATION:
            self.value(row, col, shown, look)
            return
        if not (2 * len(tip) <= MAX_TIP and tip.isprintable()):
            tip = fit(tip, MAX_TIP, "…")[0]
        number = isinstance(shown, int | float) and not isinstance(shown, bool)
        # A number's digits need no cleaning or cutting (most links show a count).
        text = str(shown) if number else fit(str(shown))[0]
        fmt = self.fmt(self.derived(look, "link", text.startswith(FORMULA_STARTS)))
        self.ws.write_url(row, col, "internal:" + location, fmt, string=text, tip=tip)
        if number:
            # Written again as a number: the link stays, the value counts.
            self.ws.write_number(row, col, shown, fmt)

    def note(self, row: int, col: int, text: str, width: float = 360) -> None:
        """A note (comment) on a cell, sized to its text."""
        text = fit(text)[0]
        if not text:
            return
        lines = line_count(text, width / 7)
        self.ws.write_comment(row, col, text, {
            "author": "framework-qda", "width": width,
            "height": min(600.0, max(40.0, 15.0 * lines + 10))})

    def height(self, row: int, lines: int) -> None:
        """Give a row of ``lines`` wrapped lines its height (see :func:`row_height`)."""
        height = row_height(lines)
        if height is not None:
            self.ws.set_row(row, height)


def _with(look: Look, **changes: Any) -> Look:
    from dataclasses import replace

    return replace(look, **changes)


PAPER = {"a4": 9, "letter": 1}
"""XlsxWriter's paper numbers."""


def print_setup(ws: Any, paper: str, title: str, sheet: str, repeat_rows: int = 1,
                repeat_cols: int = 0, landscape: bool = True, pages_wide: int = 1) -> None:
    """Landscape on the study's paper, fitted to ``pages_wide`` pages across (as
    many down as it takes), title rows (and columns) repeated on every page, the
    study and sheet named in the header and the page numbers in the footer."""
    if landscape:
        ws.set_landscape()
    ws.set_paper(PAPER.get(paper, PAPER["a4"]))
    ws.fit_to_pages(max(1, pages_wide), 0)
    if pages_wide > 1:
        ws.print_across()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if repeat_rows:
        ws.repeat_rows(0, repeat_rows - 1)
    if repeat_cols:
        ws.repeat_columns(0, repeat_cols - 1)
    ws.set_header(f"&L{header_text(title)}&R{header_text(sheet)}", {"margin": 0.25})
    ws.set_footer("&CPage &P of &N", {"margin": 0.25})


def new_workbook(out: Any, tmpdir: str, *, constant_memory: bool) -> Any:
    """An XlsxWriter workbook writing to ``out``: nothing in it is ever turned into a
    formula, a number or a link by the writer's own guesses, and its temporary
    files (which hold participants' words) go to ``tmpdir``."""
    import xlsxwriter

    return xlsxwriter.Workbook(out, {
        "constant_memory": constant_memory, "tmpdir": tmpdir,
        "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False, "in_memory": False,
        "default_format_properties": dict(DEFAULT_FORMAT)})


def close_workbook(wb: Any) -> None:
    """Put the workbook together and write it out.  XlsxWriter wraps a failed write
    (a full disk) in its own exception; it is raised again as the ``OSError``
    it was, which the file writer turns into one line naming the path."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise cause from None
        raise OSError(str(exc)) from None
