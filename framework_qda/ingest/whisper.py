"""Speech-recognition output with timings: Whisper's ``.json``.

Read are OpenAI Whisper (and faster-whisper, WhisperX) output, an object
whose ``segments`` each hold ``start`` and ``end`` seconds and ``text``
(WhisperX adds ``speaker``), and whisper.cpp's, whose ``transcription``
entries hold ``offsets`` (milliseconds) and ``text``.  Any other JSON is
refused with a line saying what is read.

The recogniser's segments are a few seconds each, too short to code, so
consecutive ones are grouped into readable segments: a group ends at a
pause of :data:`PAUSE_SECONDS` or more, where the speaker changes, at the
first sentence end after :data:`~framework_qda.ingest.chunks.TARGET_WORDS`
words, or at :data:`~framework_qda.ingest.chunks.MAX_WORDS` words.  The
normalised text is assembled so: each recognised segment's text stripped,
joined by one space within a group; groups separated by a blank line; a
group with a speaker written as ``Name: `` and its words.  Each segment
covers the words only and carries the start time of its first part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framework_qda.errors import InputError
from framework_qda.ingest.chunks import MAX_WORDS, TARGET_WORDS
from framework_qda.ingest.readers import Transcript, read_text, reader
from framework_qda.store import SegmentRow

PAUSE_SECONDS = 2.0
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class _Part:
    start: float
    end: float
    text: str
    speaker: str


def _parts(data: Any) -> list[_Part] | None:
    if isinstance(data, dict) and isinstance(data.get("segments"), list):
        return [_Part(float(s["start"]), float(s["end"]), " ".join(str(s["text"]).split()),
                      str(s.get("speaker") or "")) for s in data["segments"]]
    if isinstance(data, dict) and isinstance(data.get("transcription"), list):
        return [_Part(s["offsets"]["from"] / 1000, s["offsets"]["to"] / 1000,
                      " ".join(str(s["text"]).split()), "") for s in data["transcription"]]
    return None


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _groups(parts: list[_Part]) -> list[list[_Part]]:
    groups: list[list[_Part]] = []
    words = 0
    for part in parts:
        if not part.text:
            continue
        if groups:
            last = groups[-1][-1]
            full = (words >= TARGET_WORDS and _SENTENCE_END.search(last.text) is not None) \
                or words + len(part.text.split()) > MAX_WORDS
            if not (part.start - last.end >= PAUSE_SECONDS or part.speaker != last.speaker
                    or full):
                groups[-1].append(part)
                words += len(part.text.split())
                continue
        groups.append([part])
        words = len(part.text.split())
    return groups


@reader(".json")
def read_whisper(path: Path) -> Transcript:
    """A Whisper transcript's words grouped into timed segments (see the module docstring)."""
    text, encoding = read_text(path)
    try:
        parts = _parts(json.loads(text))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"is not valid JSON (line {exc.lineno}); fqda reads Whisper "
                         "transcripts as .json") from None
    except (KeyError, TypeError, ValueError):
        parts = None
    if parts is None:
        raise InputError(path, "is JSON but not a Whisper transcript (a list of segments "
                         "with start, end and text); fqda reads no other .json")
    out: list[str] = []
    segments: list[SegmentRow] = []
    pos = 0
    line = 1
    for group in _groups(parts):
        label = f"{group[0].speaker}: " if group[0].speaker else ""
        body = " ".join(p.text for p in group)
        if out:
            out.append("\n\n")
            pos += 2
            line += 2
        out.append(label + body)
        begin = pos + len(label)
        pos = begin + len(body)
        segments.append(SegmentRow(len(segments) + 1, begin, pos, group[0].speaker, "other",
                                   line, line, _clock(group[0].start)))
    return Transcript(text="".join(out), format="whisper", metadata={"encoding": encoding},
                      segments=segments)
