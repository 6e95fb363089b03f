"""How much room text takes in a spreadsheet: the lines it wraps to in a column,
the row height they need, and text cut into parts that each fit one row.
(Re-exported by :mod:`framework_qda.export.cells`.)"""

from __future__ import annotations

MAX_ROW_HEIGHT = 409.0
"""Points; Excel refuses taller rows."""
LINE_HEIGHT = 15.0
"""Points per line of 11-point text."""
MAX_LINES = int(MAX_ROW_HEIGHT // LINE_HEIGHT)
"""Lines of wrapped text one row can show."""
ROW_LINES = MAX_LINES - 1
"""Lines of text :func:`split_for_rows` puts in one row by default."""
CHARS_PER_WIDTH = 1.2
"""Prose characters per unit of column width (a unit is one digit of the default
font; letters average a little narrower).  Kept low so that a row is never too
short for its text in LibreOffice, which does not fit rows on opening."""


def wrapped_lines(text: str, width: float) -> list[str]:
    """``text`` broken into the lines a column ``width`` units wide shows, word by word
    (a word longer than a line is broken inside), as a spreadsheet wraps it."""
    per_line = max(4, int(width * CHARS_PER_WIDTH))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            while len(word) > per_line:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:per_line])
                word = word[per_line:]
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= per_line:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def line_count(text: str, width: float) -> int:
    """How many lines wrapped text takes in a column ``width`` units wide: as many
    as :func:`wrapped_lines` makes, counted from where the lines break instead
    of building them word by word (every row height and note size asks)."""
    if len(text) < width * CHARS_PER_WIDTH * 0.8 and "\n" not in text:
        return 1
    per_line = max(4, int(width * CHARS_PER_WIDTH))
    # A paragraph no longer than a line is one line (a note's short quotes).
    return sum(1 if len(p) <= per_line else _paragraph_lines(p, per_line)
               for p in text.split("\n"))


def _paragraph_lines(text: str, per_line: int) -> int:
    """The lines of one paragraph, as :func:`wrapped_lines` breaks it: a line runs
    from the start of a word to the last space that leaves it at most
    ``per_line`` long (the spaces after a break are dropped), and a word longer
    than a line is cut into lines of ``per_line``."""
    end = len(text)
    i = end - len(text.lstrip(" ")) if text.startswith(" ") else 0
    lines = 0
    while i < end:
        if end - i <= per_line:
            return lines + 1
        cut = text.rfind(" ", i, i + per_line + 1)
        if cut > i:
            lines += 1
            i = cut + 1
            while i < end and text[i] == " ":
                i += 1
        else:  # the word at i is longer than a line
            word_end = text.find(" ", i)
            whole = (end if word_end < 0 else word_end) - i
            pieces = (whole - 1) // per_line
            lines += pieces
            i += pieces * per_line
    return lines + 1


def row_height(lines: int) -> float | None:
    """The height in points of a row of ``lines`` wrapped lines, at most Excel's
    limit; None keeps the default (one line)."""
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 2) if lines > 1 else None


def split_for_rows(text: str, width: float, lines: int = ROW_LINES) -> list[str]:
    """``text`` in parts that each fit one row of a column ``width`` wide (at most
    ``lines`` lines), broken between words; the parts joined are ``text``."""
    if line_count(text, width) <= lines:
        return [text]
    per_line = max(4, int(width * CHARS_PER_WIDTH))
    parts: list[str] = []
    rest = text
    while line_count(rest, width) > lines:
        # The longest head of whole words that still fits the lines.
        budget = per_line * lines
        head = rest[:budget]
        while head and line_count(head, width) > lines:
            head = head[: int(len(head) * 0.9)]
        cut = max(head.rfind(" "), head.rfind("\n"))
        if cut > len(head) // 2:
            head = head[: cut + 1]
        if not head:
            head = rest[:per_line]
        parts.append(head)
        rest = rest[len(head):]
    parts.append(rest)
    return parts
