"""Bytes -> normalised text.

Normalised text is the decoded text with the BOM removed and line endings
(CRLF, CR) folded to ``\\n``; nothing else is changed.  All offsets in the
store count code points in this text.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from framework_qda.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode a text file's bytes; returns (normalised text, encoding used).

    Tries a BOM, then UTF-8, then cp1252 and MacRoman.  A file with NUL bytes
    and no UTF-16/32 BOM is taken for binary and refused.
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
    if b"\x00" in data:
        raise InputError(
            path, "looks like a binary file, not text; export the transcript as .txt or .docx"
        )
    try:
        return normalise_newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return normalise_newlines(data.decode("mac_roman")), "mac_roman"
    # cp1252 decodes almost anything; a CR-only file is far more likely MacRoman.
    if b"\r" in data and b"\n" not in data:
        return normalise_newlines(data.decode("mac_roman")), "mac_roman"
    return normalise_newlines(text), "cp1252"
