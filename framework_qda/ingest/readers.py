"""Readers: one per family of file formats, registered by suffix.

A reader is pure: a path in, a :class:`Transcript` out.  Text formats keep
the decoded text (BOM removed, line endings folded, nothing else changed);
formats whose text has to be assembled (``.docx``, ``.odt``, subtitles,
PDF) document in their own module exactly how they assemble it.  A reader
that knows the speaker turns of its format (subtitles, Otter exports)
returns them; otherwise turns are found in the text by
:mod:`framework_qda.ingest.turns`.  Roles are not a reader's business: the
ingest step gives each speaker its role from the study's settings.

Every module that registers readers is imported at the end of this one, so
``READERS`` is complete once :mod:`framework_qda.ingest.readers` is loaded.
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
    """Normalised text; every offset counts code points in it."""
    format: str
    """Short name of the format (``txt``, ``docx``, ``vtt``, ``otter`` …)."""
    metadata: dict[str, str] = field(default_factory=dict)
    segments: list[SegmentRow] | None = None
    """Turns the format itself marks (roles still ``other``); ``None`` to find them."""
    line_paragraphs: bool = False
    """Each line of ``text`` is a paragraph of its own (word processors)."""


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
            raise InputError(path, f"is {size // 1_000_000} MB; transcripts over "
                             f"{MAX_BYTES // 1_048_576} MB are refused; split the file")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None


def read_text(path: Path) -> tuple[str, str]:
    """A text file's normalised text and the encoding it was decoded with."""
    return decode(read_bytes(path), path)


@reader(".txt", ".md", ".text")
def read_plain_text(path: Path) -> Transcript:
    """Plain text or Markdown with ``Name: words`` turns, or an Otter.ai export."""
    from framework_qda.ingest.otter import is_otter, otter_turns

    text, encoding = read_text(path)
    if is_otter(text):
        return Transcript(text=text, format="otter", metadata={"encoding": encoding},
                          segments=otter_turns(text))
    return Transcript(text=text, format=path.suffix.lower().lstrip("."),
                      metadata={"encoding": encoding})


def read(path: Path) -> Transcript:
    """Read any supported transcript file; an unknown suffix is an :class:`InputError`."""
    fn = READERS.get(path.suffix.lower())
    if fn is None:
        known = " ".join(sorted(READERS))
        hint = " (save it as .docx)" if path.suffix.lower() in {".doc", ".rtf"} else ""
        raise InputError(
            path, f"has an unsupported type {path.suffix or '(no suffix)'!r}{hint}; "
            f"fqda reads {known}"
        )
    return fn(path)


def _register_all() -> None:
    # The format modules register themselves on import; they import this
    # module, so they are loaded here, after everything they need exists.
    from framework_qda.ingest import office, pdf, subtitles, whisper  # noqa: F401


_register_all()
