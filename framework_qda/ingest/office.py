"""Word-processor transcripts: ``.docx`` (python-docx) and ``.odt`` (OpenDocument).

The normalised text is assembled so:

* body paragraphs (and headings) in document order, joined by ``\\n``: each
  line of the text is one paragraph, empty paragraphs give empty lines;
* inside a paragraph, tabs stay ``\\t``, line breaks become ``\\n`` and runs
  of spaces (``text:s`` in ODF) are expanded; nothing else is changed;
* a table row becomes one line: with two cells whose first is a short label
  (a speaker column) as ``Label: text``, otherwise its cells joined by tabs;
* footnotes, comments, frames and headers/footers are left out.

Both formats are zip archives, so before parsing anything the archive is
checked: too many members, a member or a total that would unpack too large,
or a compression ratio no real document has is refused as a likely zip bomb.
XML is parsed with defusedxml (no DTDs, no external entities).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framework_qda.errors import InputError
from framework_qda.ingest.encoding import normalise_newlines
from framework_qda.ingest.readers import Transcript, read_bytes, reader

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_MEMBERS = 5_000
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_RATIO = 200
"""Uncompressed/compressed size above which a large member is taken for a bomb."""
_RATIO_FLOOR = 1024 * 1024
"""Members smaller than this are never judged by their ratio (tiny XML compresses well)."""

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_LABEL_MAX = 40


def check_archive(path: Path, data: bytes, kind: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip after checking it cannot be a zip bomb."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(path, f"is not a {kind} file (not a zip archive); open it in its "
                         f"program and save it as {kind} again") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise InputError(path, f"holds {len(members)} archive members; refused as a likely "
                         "zip bomb")
    total = sum(info.file_size for info in members)
    if total > MAX_TOTAL_BYTES:
        raise InputError(path, f"would unpack to {total // 1_000_000} MB; refused as a likely "
                         "zip bomb (a transcript is far smaller)")
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > _RATIO_FLOOR
                                                 and ratio > MAX_RATIO):
            raise InputError(path, f"would unpack to {info.file_size // 1_000_000} MB or more "
                             f"(compressed {ratio:.0f} to 1); refused as a likely zip bomb")
    return archive


def _table_row(cells: list[str]) -> str:
    cells = [c.replace("\n", " ").strip() for c in cells]
    if len(cells) == 2 and cells[0] and len(cells[0]) <= _LABEL_MAX \
            and not cells[0].endswith(":"):
        return f"{cells[0]}: {cells[1]}"
    if len(cells) == 2 and cells[0].endswith(":"):
        return f"{cells[0]} {cells[1]}"
    return "\t".join(cells)


# -- .docx ---------------------------------------------------------------------
@reader(".docx")
def read_docx(path: Path) -> Transcript:
    """A Word document's body paragraphs and table rows, one per line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    data = read_bytes(path)
    archive = check_archive(path, data, ".docx")
    if "word/document.xml" not in archive.namelist():
        raise InputError(path, "is a zip archive but not a Word document (no "
                         "word/document.xml); save it from Word as .docx")
    _refuse_doctypes(path, archive)
    import io

    try:
        document = docx.Document(io.BytesIO(data))
    except XMLSyntaxError as exc:
        raise InputError(path, f"holds XML that is not well-formed (line {exc.lineno}); "
                         "save it from Word as .docx again") from None
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(path, f"cannot be opened as .docx ({type(exc).__name__}); save "
                         "it from Word as .docx again") from None
    body = getattr(document.element, "body", None)
    if body is None:
        raise InputError(path, "has no Word document body (word/document.xml is not "
                         "WordprocessingML); save it from Word as .docx again")
    lines = _docx_body(document, body)
    text = normalise_newlines("\n".join(lines))
    from framework_qda.ingest.otter import is_otter, otter_turns

    otter = is_otter(text)  # Otter.ai's Word export has the layout of its text one
    return Transcript(text=text, format="docx", metadata={
        "paragraphs": str(len(lines)), **({"export": "otter"} if otter else {})},
        segments=otter_turns(text) if otter else None, line_paragraphs=True)


def _refuse_doctypes(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse any XML part that declares a DTD: entities (a billion laughs) or
    external references have no place in a Word document.  A DTD can only be
    markup, since ``<`` in text is always written ``&lt;``."""
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as member:
                head = member.read(64 * 1024)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise InputError(path, f"{info.filename} declares a DTD or entities, which "
                                 "are refused for safety; save it from Word as .docx again")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_GRID_SPAN = 64
"""A cell spans at most this many grid columns (Word allows 63)."""


def _docx_body(document: Any, body: Any) -> list[str]:
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            lines.extend(_table_row(cells) for cells in _docx_rows(child, document))
    return lines


def _docx_rows(table: Any, document: Any) -> list[list[str]]:
    """Each row's cells, read from the XML itself: a cell once however many grid
    columns it spans, a vertically merged cell carrying the text of the cell it
    continues (as Word shows it).  Spans are bounded and a merge with nothing
    above it is a cell of its own, so a crafted table cannot fail or grow."""
    from docx.text.paragraph import Paragraph

    rows: list[list[str]] = []
    above: dict[int, str] = {}
    for tr in table.iterchildren(f"{_W}tr"):
        cells: list[str] = []
        column = 0
        here: dict[int, str] = {}
        for tc in tr.iterchildren(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span, merge = 1, None
            if props is not None:
                grid = props.find(f"{_W}gridSpan")
                if grid is not None:
                    value = grid.get(f"{_W}val", "1")
                    span = min(int(value), MAX_GRID_SPAN) if value.isascii() \
                        and value.isdigit() and len(value) < 6 and int(value) > 0 else 1
                vmerge = props.find(f"{_W}vMerge")
                if vmerge is not None:
                    merge = vmerge.get(f"{_W}val", "continue")
            if merge == "continue" and column in above:
                text = above[column]
            else:
                text = "\n".join(Paragraph(para, document).text
                                 for para in tc.iterchildren(f"{_W}p"))
            here[column] = text
            cells.append(text)
            column += span
        above = here
        rows.append(cells)
    return rows


# -- .odt ----------------------------------------------------------------------
@reader(".odt")
def read_odt(path: Path) -> Transcript:
    """An OpenDocument text's paragraphs, headings and table rows, one per line."""
    from defusedxml import ElementTree as SafeTree
    from defusedxml.common import DefusedXmlException

    archive = check_archive(path, read_bytes(path), ".odt")
    try:
        content = archive.read("content.xml")
    except KeyError:
        raise InputError(path, "is a zip archive but not an OpenDocument text (no "
                         "content.xml); save it as .odt again") from None
    try:
        root = SafeTree.fromstring(content)
    except DefusedXmlException:
        raise InputError(path, "content.xml declares a DTD or entities, which are refused "
                         "for safety; save the file as .odt again") from None
    except SafeTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(path, f"content.xml is not well-formed XML (line {line}); save the "
                         "file as .odt again") from None
    body = root.find(f"{{{_OFFICE_NS}}}body/{{{_OFFICE_NS}}}text")
    if body is None:
        raise InputError(path, "has no text body (a spreadsheet or drawing?); give fqda "
                         "a text document")
    lines: list[str] = []
    try:
        _odt_blocks(body, lines)
    except _TooDeep:
        raise InputError(path, f"nests its content more than {MAX_DEPTH} levels deep (a "
                         "damaged or crafted file); save it as .odt again") from None
    text = normalise_newlines("\n".join(lines))
    return Transcript(text=text, format="odt", metadata={"paragraphs": str(len(lines))},
                      line_paragraphs=True)


MAX_DEPTH = 100
"""Elements nested deeper than this are no document a person wrote."""


class _TooDeep(Exception):
    pass


def _odt_blocks(element: Element, lines: list[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise _TooDeep
    for child in element:
        tag = child.tag
        if tag in (f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"):
            lines.append(_odt_inline(child, depth + 1))
        elif tag == f"{{{_TABLE_NS}}}table-row":
            cells = []
            for cell in child:
                if cell.tag == f"{{{_TABLE_NS}}}table-cell":
                    inner: list[str] = []
                    _odt_blocks(cell, inner, depth + 1)
                    cells.append("\n".join(inner))
            lines.append(_table_row(cells))
        elif tag.startswith(("{" + _TEXT_NS, "{" + _TABLE_NS)) and \
                not tag.endswith(("}sequence-decls", "}tracked-changes")):
            # Lists, sections, tables: paragraphs nest inside them.
            _odt_blocks(child, lines, depth + 1)


def _odt_inline(element: Element, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise _TooDeep
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == f"{{{_TEXT_NS}}}tab":
            parts.append("\t")
        elif tag == f"{{{_TEXT_NS}}}s":
            count = child.get(f"{{{_TEXT_NS}}}c", "1")
            # ASCII digits only (``²`` is a digit to str.isdigit, not to int);
            # an absurd count is a crafted file, not a transcript: cap it.
            number = int(count) if count.isascii() and count.isdigit() and len(count) < 6 \
                else 1000 if count.isascii() and count.isdigit() else 1
            parts.append(" " * min(number, 1000))
        elif tag == f"{{{_TEXT_NS}}}line-break":
            parts.append("\n")
        elif tag in (f"{{{_TEXT_NS}}}note", f"{{{_OFFICE_NS}}}annotation") or \
                not tag.startswith("{" + _TEXT_NS):
            pass  # footnotes, comments, frames: not the spoken words
        else:
            parts.append(_odt_inline(child, depth + 1))  # span, a, bookmark-ref, …
        parts.append(child.tail or "")
    return "".join(parts)
