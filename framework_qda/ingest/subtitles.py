"""Subtitle transcripts: WebVTT (``.vtt``), SubRip (``.srt``) and YouTube ``.sbv``.

Video-call services (Zoom, Teams) and caption editors write these.  A cue's
speaker is read from a ``<v Name>`` voice span (closed or not; several in one
cue are several utterances) or, Zoom-style, from a ``Name: words`` prefix
that recurs on at least two cues, or that stands on a cue of a file where
most cues have a prefix and some recur (so a one-off ``Note: …`` in plain
captions is not a speaker).

The normalised text is assembled so:

* the cue text is cleaned: tags (``<b>``, ``<c.colour>``, ``<00:01.000>``,
  ``</v>``, SRT ``{\\an8}``) are removed, then HTML entities decoded; each cue
  line is stripped and a cue's lines are joined by one space;
* consecutive cues of the same speaker merge into one turn; in a file with
  speakers a cue without one continues the turn before it; in a file without
  any speaker every cue is its own segment;
* each turn is written as ``Name: `` (when it has a speaker) followed by its
  cues, one per line; turns are separated by one blank line.

Each segment covers the words only (not the ``Name: `` label) and carries the
start time of its first cue as ``HH:MM:SS``.  ``WEBVTT`` headers (trailing
spaces, titles, ``Kind:``/``Language:``/``Style:`` metadata), ``NOTE``,
``STYLE`` and ``REGION`` blocks and cue identifiers are not text.  A
malformed timing line, or text with no timing line before it, is an error
naming the line.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from framework_qda.errors import InputError
from framework_qda.ingest.readers import Transcript, read_text, reader
from framework_qda.store import SegmentRow

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_ARROW = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")
_SBV = re.compile(rf"^\s*{_TIME},{_TIME}\s*$")
# A tag never contains another ``<`` (or a ``{\`` override another ``{``):
# without that, each ``<`` of a line full of them was scanned to the line's
# end, quadratic in its length.
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?[ \t]+([^<>]*)>")
_TAG = re.compile(r"<[^<>]*>|\{\\[^{}]*\}")
_ZOOM_LABEL = re.compile(r"^([^\W\d_][\w.'’ -]{0,39}?)\s*:\s+(?=\S)")
_BLOCK_WORDS = ("NOTE", "STYLE", "REGION")


@dataclass
class _Cue:
    line: int
    start: str
    lines: list[str]


@dataclass
class _Utterance:
    speaker: str
    start: str
    text: str


def _clock(groups: tuple[str | None, ...], line: int, path: Path) -> str:
    hours, minutes, seconds = int(groups[0] or 0), int(groups[1] or 0), int(groups[2] or 0)
    if minutes > 59 or seconds > 59:
        raise InputError(path, "has a cue timing with minutes or seconds over 59; fix the "
                         "timing line", line)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def _timing(line: str, number: int, path: Path, sbv: bool) -> str | None:
    """The start time of a timing line, ``None`` for a line that is not one."""
    m = (_SBV if sbv else _ARROW).match(line)
    if m:
        return _clock(m.groups()[:4], number, path)
    if "-->" in line or (sbv and re.match(r"^\s*\d+:\d", line) and "," in line):
        raise InputError(path, "has a malformed cue timing; write it as "
                         + ("H:MM:SS.mmm,H:MM:SS.mmm" if sbv else
                            "HH:MM:SS.mmm --> HH:MM:SS.mmm"), number)
    return None


def _cues(text: str, path: Path, kind: str) -> list[_Cue]:
    lines = text.split("\n")
    sbv = kind == "sbv"
    cues: list[_Cue] = []
    i = 0
    if kind == "vtt" and lines and lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        while i < len(lines) and lines[i].strip():
            i += 1  # the header block: WEBVTT line and metadata headers
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        head = lines[i].strip()
        if kind == "vtt" and head.split(" ", 1)[0].split("\t", 1)[0] in _BLOCK_WORDS:
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        start = _timing(lines[i], i + 1, path, sbv)
        if start is None and not sbv and i + 1 < len(lines):
            start = _timing(lines[i + 1], i + 2, path, sbv)
            if start is not None:
                i += 1  # a cue identifier
        if start is None:
            raise InputError(path, "has text with no cue timing line before it; add the "
                             "timing or remove the text", i + 1)
        cue = _Cue(i + 1, start, [])
        cues.append(cue)
        i += 1
        while i < len(lines) and lines[i].strip():
            again = _timing(lines[i], i + 1, path, sbv)
            if again is not None:  # a cue with no blank line before it
                cue = _Cue(i + 1, again, [])
                cues.append(cue)
            else:
                cue.lines.append(lines[i])
            i += 1
    return cues


def _clean(raw: str) -> str:
    return html.unescape(_TAG.sub("", raw)).strip()


def _utterances(cues: list[_Cue]) -> list[_Utterance]:
    found: list[_Utterance] = []
    for cue in cues:
        body = "\n".join(cue.lines)
        voices = list(_VOICE.finditer(body))
        if voices:
            before = _clean(" ".join(body[:voices[0].start()].split("\n")))
            if before:
                found.append(_Utterance("", cue.start, before))
            for n, v in enumerate(voices):
                end = voices[n + 1].start() if n + 1 < len(voices) else len(body)
                words = " ".join(_clean(x) for x in body[v.end():end].split("\n"))
                found.append(_Utterance(_clean(v.group(1)), cue.start, words.strip()))
        else:
            words = " ".join(x for x in (_clean(line) for line in cue.lines) if x)
            found.append(_Utterance("", cue.start, words))
    # Zoom writes ``Name: words`` on every cue: a prefix is a speaker when it
    # recurs, or when most cues have one and some recur (a one-off speaker).
    prefixes = [_ZOOM_LABEL.match(u.text) if not u.speaker else None for u in found]
    counts = Counter(m.group(1).strip() for m in prefixes if m)
    zoom = sum(counts.values()) * 2 >= len(found) and any(n >= 2 for n in counts.values())
    for u, m in zip(found, prefixes, strict=True):
        if m and (counts[m.group(1).strip()] >= 2 or zoom):
            u.speaker, u.text = m.group(1).strip(), u.text[m.end():].strip()
    return [u for u in found if u.text]


def _assemble(utterances: list[_Utterance]) -> tuple[str, list[SegmentRow]]:
    has_speakers = any(u.speaker for u in utterances)
    turns: list[tuple[str, str, list[str]]] = []
    for u in utterances:
        if turns and has_speakers and (u.speaker == turns[-1][0] or not u.speaker):
            turns[-1][2].append(u.text)
        else:
            turns.append((u.speaker, u.start, [u.text]))
    parts: list[str] = []
    segments: list[SegmentRow] = []
    pos = 0
    line = 1
    for speaker, start, texts in turns:
        if parts:
            parts.append("\n\n")
            pos += 2
            line += 2
        label = f"{speaker}: " if speaker else ""
        body = "\n".join(texts)
        parts.append(label + body)
        begin = pos + len(label)
        pos = begin + len(body)
        last = line + body.count("\n")
        segments.append(SegmentRow(len(segments) + 1, begin, pos, speaker, "other", line, last,
                                   start))
        line = last
    return "".join(parts), segments


def _read(path: Path, kind: str) -> Transcript:
    text, encoding = read_text(path)
    if not text.strip():
        return Transcript(text="", format=kind, metadata={"encoding": encoding})
    cues = _cues(text, path, kind)
    if not cues:
        raise InputError(path, f"has no cues; is it really a .{kind} subtitle file?")
    body, segments = _assemble(_utterances(cues))
    if not segments:
        raise InputError(path, f"has {len(cues)} cue(s) but none with text")
    return Transcript(text=body, format=kind, segments=segments,
                      metadata={"encoding": encoding, "cues": str(len(cues))})


def _reader_for(kind: str) -> Callable[[Path], Transcript]:
    def read_subtitles(path: Path) -> Transcript:
        return _read(path, kind)

    read_subtitles.__doc__ = f"A .{kind} subtitle file: cues merged into speaker turns."
    return read_subtitles


read_vtt = reader(".vtt")(_reader_for("vtt"))
read_srt = reader(".srt")(_reader_for("srt"))
read_sbv = reader(".sbv")(_reader_for("sbv"))
