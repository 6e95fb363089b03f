"""Speaker turns: normalised text -> segments with offsets and line numbers.

A turn starts at a line ``Label: words`` (optionally after a ``[00:01:23]``
timestamp).  A label counts as a speaker when it recurs in the file or looks
like a known role (``Interviewer``, ``I``, ``R``, ``P1``, ``MODERATOR``), so
a sentence such as ``The problem was: money`` does not start a turn.
Lines that start no turn continue the current one.  A text with no speakers
is cut into paragraphs at blank lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from framework_qda.store import SegmentRow

_LABEL_LINE = re.compile(
    r"^[ \t]*(?:\[(?P<ts>\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?)\][ \t]*)?"
    r"(?P<label>[^\W\d_][\w.'’ -]{0,39}?)[ \t]*:(?:[ \t]+|$)"
)
_KNOWN = re.compile(
    r"(?i)(interviewer|interviewee|moderator|facilitator|respondent|participant|researcher|"
    r"speaker|i|r|q|a|p|int|resp)\s*\d*(\s+\d+)?"
)


def _candidate(line: str) -> re.Match[str] | None:
    m = _LABEL_LINE.match(line)
    if m is None:
        return None
    label = m.group("label").strip()
    if len(label.split()) > 4 or label.lower().startswith(("http", "www")):
        return None
    return m


def find_turns(text: str, role_of: Callable[[str], str]) -> list[SegmentRow]:
    """Segments of a transcript: one per speaker turn, or per paragraph.

    Each segment's span covers the spoken words only (not the label), with
    surrounding white space trimmed; ``text[start:end]`` is the turn.
    """
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    matches = [_candidate(line) for line in lines]
    counts = Counter(m.group("label").strip().casefold() for m in matches if m)
    speakers = {
        label for label, n in counts.items() if n >= 2 or _KNOWN.fullmatch(label)
    }
    if not speakers:
        return _paragraphs(text, lines, starts)
    segments: list[SegmentRow] = []
    current: dict[str, object] | None = None

    def close(last_line: int) -> None:
        if current is None:
            return
        begin = int(str(current["start"]))
        end = _trim_end(text, begin, starts[last_line] + len(lines[last_line]))
        begin = _trim_start(text, begin, end)
        if end > begin:
            speaker = str(current["speaker"])
            segments.append(
                SegmentRow(
                    number=len(segments) + 1,
                    start=begin,
                    end=end,
                    speaker=speaker,
                    role=role_of(speaker),  # type: ignore[arg-type]
                    line_first=text.count("\n", 0, begin) + 1,
                    line_last=text.count("\n", 0, end) + 1,
                    timestamp=str(current["ts"]),
                )
            )

    last_content = 0
    for i, m in enumerate(matches):
        if m and m.group("label").strip().casefold() in speakers:
            close(last_content)
            current = {
                "speaker": m.group("label").strip(),
                "start": starts[i] + m.end(),
                "ts": m.group("ts") or "",
            }
        if lines[i].strip():
            last_content = i
    close(last_content)
    # Words before the first label (a title, a date) are not a turn: they
    # stay in the text but are not a segment.
    return segments


def _trim_start(text: str, begin: int, end: int) -> int:
    while begin < end and text[begin].isspace():
        begin += 1
    return begin


def _trim_end(text: str, begin: int, end: int) -> int:
    while end > begin and text[end - 1].isspace():
        end -= 1
    return end


def _paragraphs(text: str, lines: list[str], starts: list[int]) -> list[SegmentRow]:
    segments: list[SegmentRow] = []
    first: int | None = None
    for i, line in enumerate([*lines, ""]):
        if line.strip():
            if first is None:
                first = i
            continue
        if first is not None:
            begin = _trim_start(text, starts[first], starts[i - 1] + len(lines[i - 1]))
            end = _trim_end(text, begin, starts[i - 1] + len(lines[i - 1]))
            segments.append(
                SegmentRow(len(segments) + 1, begin, end, "", "other", first + 1, i)
            )
            first = None
    return segments
