"""Readers: one per family of file formats, registered by suffix.

A reader is pure: a path in, a :class:`Transcript` out.  A reader that knows
the speaker turns of its format (subtitles, say) returns them; otherwise the
turns are found in the text by :mod:`framework_qda.ingest.turns`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.errors import InputError
from framework_qda.ingest.encoding import decode
from framework_qda.store import SegmentRow

MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Transcript:
    """What a reader makes of a file."""

    text: str
    """Normalised text."""
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    segments: list[SegmentRow] | None = None
    """Turns the format itself marks; ``None`` to find them in the text."""


Reader = Callable[[Path], Transcript]
READERS: dict[str, Reader] = {}


def reader(*suffixes: str) -> Callable[[Reader], Reader]:
    """Register a reader for file suffixes (lower case, with the dot)."""

    def register(fn: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = fn
        return fn

    return register


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refusing the oversized; errors name the file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(path, f"is {size // 1_000_000} MB; transcripts over 50 MB are refused")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None


@reader(".txt", ".md", ".text")
def read_plain_text(path: Path) -> Transcript:
    """Plain text or Markdown with ``Name: words`` turns."""
    text, encoding = decode(read_bytes(path), path)
    return Transcript(text=text, format=path.suffix.lower().lstrip("."),
                      metadata={"encoding": encoding})


def read(path: Path) -> Transcript:
    """Read any supported transcript file; an unknown suffix is an :class:`InputError`."""
    fn = READERS.get(path.suffix.lower())
    if fn is None:
        known = " ".join(sorted(READERS))
        raise InputError(
            path, f"has an unsupported type {path.suffix or '(no suffix)'!r}; "
            f"fqda reads {known}"
        )
    return fn(path)
