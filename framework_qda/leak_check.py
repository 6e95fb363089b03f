"""The leak check: every readable part of output files (sheets, document parts,
XML text and attributes, HTML as read and as its scripts hold it) searched for
any accepted or candidate real name of the names register.  The register and
replacement are :mod:`framework_qda.pseudonyms`'s."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from framework_qda.errors import InputError
from framework_qda.store import NameEntry


@dataclass(frozen=True)
class Leak:
    """A real name found in an output file."""

    path: str
    where: str
    """The part of the file: a sheet, a document part, a line."""
    name: str
    status: str
    """``accepted`` (a name the register replaces) or ``candidate`` (not reviewed)."""

    def describe(self) -> str:
        why = ("a name in the register" if self.status == "accepted"
               else "an unreviewed candidate")
        return f"{self.path}: {self.where}: {self.name!r} ({why})"


_TEXT_SUFFIXES = (".csv", ".tsv", ".md", ".txt", ".html", ".htm", ".json", ".xml", ".yaml")
_ZIP_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".odt", ".ods", ".qdpx", ".zip")
MAX_PART_BYTES = 200 * 1024 * 1024


def check_files(paths: Sequence[Path], entries: Sequence[NameEntry]) -> list[Leak]:
    """Every place in ``paths`` where an accepted or candidate name of the register
    stands (a whole word, any case), for any case."""
    wanted = [e for e in entries if e.status in ("accepted", "candidate") and e.real.strip()]
    if not wanted:
        return []
    words = sorted({e.real.casefold(): e for e in wanted}.items(), key=lambda kv: -len(kv[0]))
    pattern = re.compile(
        "(?<![\\w])(?:" + "|".join(re.escape(w) for w, _ in words) + ")(?![\\w])",
        re.IGNORECASE)
    status = dict(words)
    leaks: list[Leak] = []
    for path in paths:
        for where, text in _texts(path):
            for m in pattern.finditer(text):
                entry = status[m.group(0).casefold()]
                leak = Leak(str(path), where, entry.real, entry.status)
                if leak not in leaks:
                    leaks.append(leak)
    return leaks


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    """(part, text) of every readable part of a file: every member of a zip container
    (sheets, hidden sheets, notes, shared strings, document parts, sources), XML
    reduced to its text and attribute values."""
    if not path.is_file():
        raise InputError(path, "does not exist or is not a file")
    suffix = path.suffix.lower()
    try:
        if suffix in _ZIP_SUFFIXES or zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    if info.file_size > MAX_PART_BYTES:
                        raise InputError(path, f"its part {info.filename} is too large to "
                                         "check")
                    data = archive.read(info)
                    yield from _part_texts(info.filename, data)
            return
        data = path.read_bytes()
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(path, f"cannot be read ({exc})") from None
    if suffix in _TEXT_SUFFIXES or not data[:1024].count(b"\x00"):
        yield from _part_texts(path.name, data)


def _part_texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    text = data.decode("utf-8", errors="replace")
    if name.lower().endswith((".xml", ".rels", ".qde", ".vml")) \
            or text.lstrip().startswith("<?xml"):
        import html

        # Text and attribute values alike; runs split across tags are joined too.
        pieces = re.split(r"<[^>]*>", text)
        attributes = re.findall(r"=\s*\"([^\"]*)\"", text)
        yield name, html.unescape(" ".join(pieces))
        yield name, html.unescape("".join(pieces))
        yield f"{name} (attributes)", html.unescape(" ".join(attributes))
        return
    if name.lower().endswith((".html", ".htm")):
        yield from _html_texts(name, text)
        return
    yield name, text


_JS_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([\\/\"bfnrt]))")
_JS_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _html_texts(name: str, text: str) -> Iterator[tuple[str, str]]:
    """An HTML page as a reader and a script see it: character references decoded,
    tags dropped (so words split by markup join), and the JSON and JavaScript
    strings of its scripts decoded (``\\u0026``, ``\\u003c``), where the words
    that appear only when the page is used (a cell's evidence) are kept."""
    import html

    def js(m: re.Match[str]) -> str:
        if m.group(1):
            return chr(int(m.group(1), 16))
        return _JS_CHARS.get(m.group(2), m.group(2))

    yield name, html.unescape(text)
    pieces = re.split(r"<[^>]*>", text)
    yield f"{name} (text)", html.unescape("".join(pieces))
    yield f"{name} (text)", html.unescape(" ".join(pieces))
    for script in re.findall(r"<script\b[^>]*>(.*?)</script\s*>", text, re.S | re.I):
        yield f"{name} (script)", _JS_ESCAPE.sub(js, script)
