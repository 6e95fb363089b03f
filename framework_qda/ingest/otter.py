"""Otter.ai text exports, recognised inside the ``.txt`` reader.

An export looks like::

    SUMMARY KEYWORDS
    budget, staff, winter

    SPEAKERS
    Anna Berg, Tom Reid

    Anna Berg  0:02
    Thanks for making the time.

    Tom Reid  0:05
    No problem at all.

    Transcribed by https://otter.ai

A title line (the recording's name) may come first.  The same layout in a
``.docx`` export (one paragraph per line) is read alike.

The text is kept as it is (it is a ``.txt``).  Each ``Name  12:34`` line
(two or more spaces or a tab, then a timestamp, alone on its line) starts a
turn; the turn is the text up to the next such line, trimmed.  The header
and the closing ``Transcribed by`` line belong to no turn.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from framework_qda.ingest.turns import split_lines
from framework_qda.store import SegmentRow

_HEADER = re.compile(
    r"^(?P<name>[^\s\d][^\t]{0,59}?)(?:[ \u00a0]{2,}|\t)[ \t]*"
    r"(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)[ \t]*$"
)
_TITLES = ("SUMMARY KEYWORDS", "SPEAKERS")
_FOOTER = re.compile(r"(?i)^\s*transcribed by\b.*otter")


def is_otter(text: str) -> bool:
    """Whether ``text`` is an Otter.ai export: its header, or its turn lines.

    The header may follow a title line (the recording's name), so its
    titles are looked for among the first lines; without a header the text
    must start (after at most a title) with a turn line and have two.
    """
    lines = [line.strip() for line in text.split("\n", 400)[:400] if line.strip()]
    if not lines:
        return False
    if any(line in _TITLES for line in lines[:8]):
        return True
    if not any(_HEADER.match(line) for line in lines[:2]):
        return False
    return sum(1 for line in text.split("\n") if _HEADER.match(line)) >= 2


def _clock(ts: str) -> str:
    parts = [int(p) for p in ts.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return "{:02d}:{:02d}:{:02d}".format(*parts)


def otter_turns(text: str) -> list[SegmentRow]:
    """The turns of an Otter.ai export, with speakers and start times (roles ``other``)."""
    lines, starts = split_lines(text)
    heads = [(i, m) for i, line in enumerate(lines) if (m := _HEADER.match(line))]
    segments: list[SegmentRow] = []
    for n, (i, m) in enumerate(heads):
        stop = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        body_lines = range(i + 1, stop)
        last = i
        for j in body_lines:
            if _FOOTER.match(lines[j]):
                break
            if lines[j].strip():
                last = j
        if last == i:
            continue
        begin = starts[i + 1]
        end = starts[last] + len(lines[last])
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        segments.append(SegmentRow(
            number=len(segments) + 1, start=begin, end=end, speaker=m.group("name").strip(),
            role="other", line_first=bisect_right(starts, begin),
            line_last=bisect_right(starts, end), timestamp=_clock(m.group("ts")),
        ))
    return segments
