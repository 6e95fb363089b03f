"""Which unit a REFI-QDA project counts selection offsets in, found from the text.

The standard counts Unicode code points; NVivo counts UTF-16 code units, and
NVivo for Windows counts a CRLF line ending as two.  The stored text is
normalised (BOM removed, CRLF and CR folded to ``\\n``), so an offset of any
convention is mapped to a code point of the normalised text.  Each convention
is scored over every selection of a project: a selection whose quoted text the
project gives (ATLAS.ti names a quotation by its words) scores when the text
matches, one without scores for each end that falls on a word boundary.  The
best wins; on a tie the standard's code points.  Never decided by the
vendor's name.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

CODE_POINTS = "code points"
UTF16 = "UTF-16 code units"
CODE_POINTS_CRLF = "code points, CRLF counted as two"
UTF16_CRLF = "UTF-16 code units, CRLF counted as two"
CONVENTIONS = (CODE_POINTS, UTF16, CODE_POINTS_CRLF, UTF16_CRLF)


@dataclass(frozen=True)
class Selection:
    """A selection as the project gives it: its offsets, and its words when known."""

    start: int
    end: int
    quoted: str = ""


class Text:
    """A source's text as the vendor wrote it, with its offsets in each convention."""

    def __init__(self, raw: str) -> None:
        raw = raw.removeprefix("\ufeff")
        chars: list[str] = []
        crlf: list[int] = []
        i, n = 0, len(raw)
        while i < n:
            c = raw[i]
            if c == "\r":
                two = i + 1 < n and raw[i + 1] == "\n"
                chars.append("\n")
                crlf.append(1 if two else 0)
                i += 2 if two else 1
                continue
            chars.append(c)
            crlf.append(0)
            i += 1
        self.text = "".join(chars)
        astral = [1 if ord(c) > 0xFFFF else 0 for c in chars]
        self._pos: dict[str, list[int]] = {}
        widths = {
            CODE_POINTS: None,
            UTF16: astral,
            CODE_POINTS_CRLF: crlf,
            UTF16_CRLF: [a + b for a, b in zip(astral, crlf, strict=True)],
        }
        for name, extra in widths.items():
            if extra is None or not any(extra):
                continue
            self._pos[name] = [0, *accumulate(1 + e for e in extra)]

    def index(self, offset: int, convention: str) -> int | None:
        """The code point of the normalised text at a vendor offset, or None when the
        offset falls inside a character (or outside the text)."""
        pos = self._pos.get(convention)
        if pos is None:
            return offset if 0 <= offset <= len(self.text) else None
        i = bisect_left(pos, offset)
        return i if i < len(pos) and pos[i] == offset else None

    def span(self, sel: Selection, convention: str) -> tuple[int, int] | None:
        start, end = self.index(sel.start, convention), self.index(sel.end, convention)
        if start is None or end is None or start >= end:
            return None
        return start, end


def _words(text: str) -> str:
    return " ".join(text.split())


def quote_matches(covered: str, quoted: str) -> bool:
    """Whether the text a span covers is the quoted text (ATLAS.ti cuts long ones with …)."""
    q = _words(quoted)
    c = _words(covered)
    if q.endswith("…"):
        return c.startswith(q[:-1].rstrip())
    return c == q


def _boundary(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


def _score(items: list[tuple[Text, Selection]], convention: str) -> int:
    score = 0
    for text, sel in items:
        span = text.span(sel, convention)
        if span is None:
            continue
        if sel.quoted:
            score += 2 if quote_matches(text.text[span[0]:span[1]], sel.quoted) else 0
        else:
            score += _boundary(text.text, span[0]) + _boundary(text.text, span[1])
    return score


def detect(items: list[tuple[Text, Selection]]) -> tuple[str, dict[str, int]]:
    """The convention that fits the most selections, with every convention's score."""
    scores = {c: _score(items, c) for c in CONVENTIONS}
    best = max(CONVENTIONS, key=lambda c: (scores[c], -CONVENTIONS.index(c)))
    return best, scores


def place(text: Text, sel: Selection, convention: str) -> tuple[int, int] | str:
    """The stored span of a selection, or why it does not fit."""
    span = text.span(sel, convention)
    if span is None:
        return "its offsets fall outside the text or inside a character"
    if sel.quoted and not quote_matches(text.text[span[0]:span[1]], sel.quoted):
        return "the text at its offsets is not the text the project quotes"
    return span


def on_word_boundaries(text: Text, span: tuple[int, int]) -> bool:
    return _boundary(text.text, span[0]) and _boundary(text.text, span[1])
