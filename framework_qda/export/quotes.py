"""The quote bank: verbatim quotes under theme and sub-topic headings, for a report.

Markdown for text tools; Word (.docx) built on Word's own styles -- Title,
Heading 1, Heading 2, Quote, and an "Attribution" style based on Quote -- so
that quotes pasted into a report take on the report's look.  The quotes
themselves are the sources' words: only white space inside a paragraph is
folded, and control characters that a file format cannot hold are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from framework_qda.errors import FqdaError
from framework_qda.export.cells import clean
from framework_qda.files import replacing
from framework_qda.model import Quote, Theme

FORMATS = ("markdown", "docx")
DEFAULT_PATHS = {"markdown": "matrices/quotes.md", "docx": "matrices/quotes.docx"}
_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".docx": "docx"}
NO_QUOTES = "No quotes coded yet."
INTRO = ("Verbatim quotes grouped by theme and sub-topic. Each is attributed to the "
         "speaker's sample group (or, for a speaker who is not a participant, to their "
         "role) and ends with its reference (case:segment).")
Section = tuple[Theme, Sequence[Quote]]


def quote_format(fmt: str | None, path: Path | str | None) -> str:
    """``markdown`` or ``docx``: as asked, else from the file's suffix, else markdown."""
    if fmt:
        name = {"md": "markdown", "word": "docx"}.get(fmt.casefold(), fmt.casefold())
        if name not in FORMATS:
            raise FqdaError(f"unknown quote bank format {fmt!r}; use markdown or docx")
        return name
    if path is None:
        return "markdown"
    suffix = Path(path).suffix.casefold()
    if suffix not in _SUFFIXES:
        raise FqdaError(f"{path}: cannot tell the format from the suffix {suffix or '(none)'}; "
                        "name the file .md or .docx, or pass --format markdown|docx")
    return _SUFFIXES[suffix]


def paragraphs(text: str) -> list[str]:
    """A quote's paragraphs (split at blank lines), white space folded in each."""
    parts = (" ".join(p.split()) for p in re.split(r"\n\s*\n", clean(text)))
    return [p for p in parts if p]


def attribution(quote: Quote) -> str:
    """The attribution line, ending with the quote's reference."""
    line = clean(quote.attribution).strip()
    return line if quote.ref in line else f"{line} [{quote.ref}]".strip()


def _subtopics(theme: Theme, quotes: Sequence[Quote]) -> Iterator[tuple[str, str,
                                                                     list[Quote]]]:
    """Each sub-topic's heading, definition and quotes, in codebook order."""
    for sub in theme.subtopics:
        yield sub.heading, sub.definition, [q for q in quotes if q.subtopic == sub.code]


def _scope(groups: Sequence[str]) -> str:
    return f" Sample groups: {', '.join(groups)}." if groups else ""


_MD_SPECIAL = re.compile(r"([\\`*_<>|]|\]\()")
_MD_BULLET = re.compile(r"^(\s*)([#+\-=])")
_MD_NUMBER = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def _md(text: str, line: bool = True) -> str:
    """Text that Markdown shows as written: no accidental emphasis or links, and
    (for a paragraph, ``line``) no accidental heading or list."""
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(1), text)
    if line:
        text = _MD_NUMBER.sub(r"\1\\\2", _MD_BULLET.sub(r"\1\\\2", text))
    return text


def markdown_bank(sections: Sequence[Section], title: str, groups: Sequence[str] = ()) -> str:
    """The quote bank as Markdown: ``#`` title, ``##`` theme, ``###`` sub-topic, ``>`` quotes."""
    out = [f"# Quote bank: {_md(clean(title), line=False)}", "", INTRO + _scope(groups), ""]
    for theme, quotes in sections:
        out += [f"## {_md(clean(theme.heading), line=False)}", ""]
        if theme.definition:
            out += [_md(clean(theme.definition)), ""]
        for heading, definition, found in _subtopics(theme, quotes):
            out += [f"### {_md(clean(heading), line=False)}", ""]
            if definition:
                out += [f"*{_md(clean(definition))}*", ""]
            if not found:
                out += [f"*{NO_QUOTES}*", ""]
            for q in found:
                body = [f"> {_md(p)}" for p in paragraphs(q.text)]
                out += [*_join(body), ">", f"> {_md(attribution(q), line=False)}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _join(lines: list[str]) -> list[str]:
    """Block-quote paragraphs separated by an empty quoted line."""
    joined: list[str] = []
    for i, line in enumerate(lines):
        if i:
            joined.append(">")
        joined.append(line)
    return joined


def write_quote_bank(path: Path, fmt: str, sections: Sequence[Section], title: str,
                     groups: Sequence[str] = ()) -> Path:
    """Write the quote bank as ``markdown`` or ``docx``; returns the path.

    The file is written to a temporary name and moved into place; raises
    :class:`FqdaError` when it cannot be written.
    """
    with replacing(path, "the quote bank", "if it is open in a word processor close it, "
                   "or choose another file with -o") as out:
        out.write(quote_bank_bytes(fmt, sections, title, groups))
    return path


def quote_bank_bytes(fmt: str, sections: Sequence[Section], title: str,
                     groups: Sequence[str] = ()) -> bytes:
    """The quote bank :func:`write_quote_bank` writes, as bytes."""
    if fmt == "docx":
        import io

        buffer = io.BytesIO()
        _docx_bank(sections, title, groups).save(buffer)
        return buffer.getvalue()
    return markdown_bank(sections, title, groups).encode("utf-8")


def _docx_bank(sections: Sequence[Section], title: str, groups: Sequence[str]) -> Any:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = clean(f"Quote bank: {title}")
    doc.core_properties.subject = "Verbatim quotes by theme and sub-topic"
    doc.core_properties.author = "framework-qda"
    attributed = doc.styles.add_style("Attribution", WD_STYLE_TYPE.PARAGRAPH)
    attributed.base_style = doc.styles["Quote"]
    attributed.font.italic = False
    attributed.font.size = Pt(9)
    attributed.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    attributed.paragraph_format.space_after = Pt(12)
    quote_style = doc.styles["Quote"]
    quote_style.paragraph_format.space_after = Pt(2)

    doc.add_heading(clean(f"Quote bank: {title}"), level=0)
    doc.add_paragraph(INTRO + _scope(groups))
    for theme, quotes in sections:
        doc.add_heading(clean(theme.heading), level=1)
        if theme.definition:
            doc.add_paragraph(clean(theme.definition))
        for heading, definition, found in _subtopics(theme, quotes):
            doc.add_heading(clean(heading), level=2)
            if definition:
                doc.add_paragraph().add_run(clean(definition)).italic = True
            if not found:
                doc.add_paragraph().add_run(NO_QUOTES).italic = True
            for q in found:
                for p in paragraphs(q.text):
                    doc.add_paragraph(p, style="Quote")
                doc.add_paragraph(attribution(q), style="Attribution")
    return doc
