"""Bytes -> normalised text.

Normalised text is the decoded text with the BOM removed and line endings
(CRLF, CR) folded to ``\\n``; nothing else is changed.  All offsets in the
store count code points in this text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from framework_qda.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_ZIP = b"PK\x03\x04"
# Control characters that never appear in a transcript (tab, LF, FF, CR, ESC do).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _mostly_control(data: bytes) -> bool:
    """More than 1 in 20 of the first 8 KB are control bytes: not text in any encoding."""
    head = data[:8192]
    if not head:
        return False
    return len(head) - len(head.translate(None, _CONTROL)) > len(head) // 20


MIXED = "utf-8+cp1252"
"""The encoding of a file mixing UTF-8 with single cp1252 (Latin-1) bytes."""
_ESCAPED = re.compile("[\udc80-\udcff]+")
_MULTIBYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")


def _mixed(data: bytes) -> str | None:
    """The text of a file that is UTF-8 except for some bytes that are not,
    each part decoded as what it is (``naïve`` from UTF-8, ``café`` from a
    cp1252 ``é`` byte), or ``None`` when the file has no UTF-8 sequence at all.

    Reading such a file whole as cp1252 would store every UTF-8 letter as
    mojibake (``naÃ¯ve``); whole as UTF-8 it cannot be read.
    """
    text = data.decode("utf-8", "surrogateescape")
    if _MULTIBYTE.search(text) is None:
        return None  # only ASCII and stray bytes: a single-byte encoding
    return _ESCAPED.sub(lambda m: bytes(ord(c) - 0xDC00 for c in m.group())
                        .decode("cp1252", "replace"), text)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode a text file's bytes; returns (normalised text, encoding used).

    Tries a BOM, then UTF-8, then UTF-8 with single cp1252 bytes among it
    (encoding :data:`MIXED`: the caller should warn), then cp1252 and MacRoman.  Without a UTF-16/32
    BOM, a file with NUL bytes, many control bytes, or a zip or PDF signature
    is taken for binary and refused with a message naming it.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return normalise_newlines(data[len(bom):].decode(encoding)), encoding
            except UnicodeDecodeError:
                raise InputError(
                    path, f"starts with a {encoding} byte-order mark but is not {encoding}; "
                    "re-save it as UTF-8"
                ) from None
    if data.startswith((_ZIP, b"%PDF")) or b"\x00" in data or _mostly_control(data):
        kind = ("a zip archive (a renamed .docx or .odt?)" if data.startswith(_ZIP) else
                "a PDF" if data.startswith(b"%PDF") else "a binary file")
        raise InputError(
            path, f"looks like {kind}, not text; give it its real suffix or export the "
            "transcript as .txt or .docx"
        )
    try:
        return normalise_newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed(data)
    if mixed is not None:
        return normalise_newlines(mixed), MIXED
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return normalise_newlines(data.decode("mac_roman")), "mac_roman"
    # cp1252 decodes almost anything; a CR-only file is far more likely MacRoman.
    if b"\r" in data and b"\n" not in data:
        return normalise_newlines(data.decode("mac_roman")), "mac_roman"
    return normalise_newlines(text), "cp1252"
