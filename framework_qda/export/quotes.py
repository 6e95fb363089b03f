"""The quote bank: a report appendix of verbatim passages, for a report writer.

Each passage once (see :mod:`framework_qda.quote_bank`), under theme,
sub-topic and sample group headings, after a contents list.  Markdown for
text tools; Word (.docx, :mod:`framework_qda.export.quote_docx`) built on
Word's own styles so that quotes pasted into a report take on the report's
look.  The quotes themselves are the sources' words: only white space inside
a paragraph is folded, and control characters that a file format cannot hold
are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from framework_qda.errors import FqdaError
from framework_qda.export.cells import clean
from framework_qda.files import replacing
from framework_qda.model import Quote
from framework_qda.quote_bank import Passage, SubtopicPassages, ThemePassages

FORMATS = ("markdown", "docx")
DEFAULT_PATHS = {"markdown": "matrices/quotes.md", "docx": "matrices/quotes.docx"}
_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".docx": "docx"}
NO_QUOTES = "No quotes coded yet."
INTRO = ("Verbatim passages grouped by theme, sub-topic and sample group. Each passage "
         "appears once, under the first sub-topic it was coded to, with the others it was "
         "coded to named below it; each is attributed to the speaker's sample group (or, "
         "for a speaker who is not a participant, to their role) and ends with its "
         "reference (case:segment).")


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


def _scope(groups: Sequence[str]) -> str:
    return f" Sample groups: {', '.join(groups)}." if groups else ""


def coded_also(passage: Passage, labels: dict[str, str]) -> str:
    """``Also coded to 1.2 Trust; 3.4 Boards.`` for a passage coded to several
    sub-topics; empty for one coded to one."""
    others = [labels.get(c, c) for c in passage.codes[1:]]
    return f"Also coded to {'; '.join(others)}." if others else ""


def shown_elsewhere(entry: SubtopicPassages, labels: dict[str, str]) -> str:
    """The line naming the passages coded to ``entry`` but quoted under another sub-topic."""
    if not entry.elsewhere:
        return ""
    where = "; ".join(f"[{p.quote.ref}] under {labels.get(p.codes[0], p.codes[0])}"
                      for p in entry.elsewhere)
    return f"Also coded here, quoted under an earlier sub-topic: {where}."


def headings(bank: Sequence[ThemePassages]) -> list[tuple[int, str, int]]:
    """The contents: (level, heading, passages shown) per theme (1) and sub-topic (2)."""
    found: list[tuple[int, str, int]] = []
    for t in bank:
        found.append((1, clean(t.theme.heading), sum(s.shown for s in t.subtopics)))
        found += [(2, clean(s.subtopic.heading), s.shown) for s in t.subtopics]
    return found


def passages_label(n: int) -> str:
    return f"{n} passage{'' if n == 1 else 's'}"


def labels_of(bank: Sequence[ThemePassages]) -> dict[str, str]:
    return {s.subtopic.code: clean(s.subtopic.heading) for t in bank for s in t.subtopics}


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


def markdown_bank(bank: Sequence[ThemePassages], title: str, groups: Sequence[str] = ()
                  ) -> str:
    """The quote bank as Markdown: ``#`` title, a contents list, ``##`` theme, ``###``
    sub-topic, ``####`` sample group, ``>`` passages with their attribution."""
    labels = labels_of(bank)
    out = [f"# Quote bank: {_md(clean(title), line=False)}", "", INTRO + _scope(groups), "",
           "## Contents", ""]
    for level, heading, n in headings(bank):
        out.append(f"{'  ' * (level - 1)}- {_md(heading, line=False)} ({passages_label(n)})")
    out.append("")
    for t in bank:
        theme = t.theme
        out += [f"## {_md(clean(theme.heading), line=False)}", ""]
        if theme.definition:
            out += [_md(clean(theme.definition)), ""]
        for entry in t.subtopics:
            sub = entry.subtopic
            out += [f"### {_md(clean(sub.heading), line=False)}", ""]
            if sub.definition:
                out += [f"*{_md(clean(sub.definition))}*", ""]
            if not entry.groups and not entry.elsewhere:
                out += [f"*{NO_QUOTES}*", ""]
            for g in entry.groups:
                out += [f"#### {_md(clean(g.group) or 'No sample group', line=False)}", ""]
                for p in g.passages:
                    body = [f"> {_md(x)}" for x in paragraphs(p.quote.text)]
                    out += [*_join(body), ">", f"> {_md(attribution(p.quote), line=False)}"]
                    also = coded_also(p, labels)
                    if also:
                        out += [">", f"> *{_md(also, line=False)}*"]
                    out.append("")
            elsewhere = shown_elsewhere(entry, labels)
            if elsewhere:
                out += [f"*{_md(elsewhere, line=False)}*", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _join(lines: list[str]) -> list[str]:
    """Block-quote paragraphs separated by an empty quoted line."""
    joined: list[str] = []
    for i, line in enumerate(lines):
        if i:
            joined.append(">")
        joined.append(line)
    return joined


def write_quote_bank(path: Path, fmt: str, bank: Sequence[ThemePassages], title: str,
                     groups: Sequence[str] = (), paper: str = "a4") -> Path:
    """Write the quote bank as ``markdown`` or ``docx``; returns the path.

    The file is written to a temporary name and moved into place; raises
    :class:`FqdaError` when it cannot be written.
    """
    with replacing(path, "the quote bank", "if it is open in a word processor close it, "
                   "or choose another file with -o") as out:
        out.write(quote_bank_bytes(fmt, bank, title, groups, paper))
    return path


def quote_bank_bytes(fmt: str, bank: Sequence[ThemePassages], title: str,
                     groups: Sequence[str] = (), paper: str = "a4") -> bytes:
    """The quote bank :func:`write_quote_bank` writes, as bytes."""
    if fmt == "docx":
        from framework_qda.export.quote_docx import docx_bank

        return docx_bank(bank, title, INTRO + _scope(groups), paper)
    return markdown_bank(bank, title, groups).encode("utf-8")
