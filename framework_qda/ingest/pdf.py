"""PDF transcripts: the text layer, read with pypdf and repaired.

PDF text comes out of the page layout, not as the author typed it, so the
normalised text is assembled so:

* pages in order, their lines joined by ``\\n``;
* tabs (some exporters put one between every word) and runs of spaces
  become one space; each line is stripped;
* page furniture is dropped: lines that are only ``3/12``, ``Page 3``,
  ``Page 3 of 12`` or a bare page number;
* lines at the top of a page that repeat the lines the page before ends
  with (a hidden copy of a paragraph that runs over the break) are dropped,
  so every sentence appears once;
* a speaker label alone on its line (``Interviewer:``) is joined to the
  line after it, so ``Interviewer:`` + ``So what…`` reads ``Interviewer: So what…``.

Scanned PDFs without a text layer and encrypted PDFs are refused with a
message saying what to do.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from framework_qda.errors import InputError
from framework_qda.ingest.readers import Transcript, read_bytes, reader

_PAGE_FURNITURE = re.compile(r"(?i)^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$")
_BARE_LABEL = re.compile(r"^[^\W\d_][\w.'’ -]{0,39}:$")
_SPACES = re.compile(r"[ \t\u00a0]+")
_REPEAT_LINES = 12
_REPEAT_WORDS = 5


def repair_lines(pages: list[str]) -> str:
    """The repaired text of a PDF's pages (see the module docstring); pure."""
    cleaned: list[str] = []
    for page in pages:
        lines: list[str] = []
        for raw in page.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n"):
            line = _SPACES.sub(" ", raw).strip()
            if not _PAGE_FURNITURE.match(line):
                lines.append(line)
        cleaned.extend(lines[_repeated(cleaned, lines):])
    joined: list[str] = []
    for line in cleaned:
        if joined and _BARE_LABEL.match(joined[-1]) and line:
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return "\n".join(joined).strip("\n")


def _repeated(before: list[str], page: list[str]) -> int:
    """How many first lines of ``page`` repeat the last lines before it.

    Some exporters repeat, in a hidden layer at the top of a page, the
    paragraph that the page before ends with; the longest such run (of at
    least :data:`_REPEAT_WORDS` words, so a short ``Yes.`` said twice is kept)
    is dropped.
    """
    tail = [line for line in before[-_REPEAT_LINES:] if line]
    head = [line for line in page[:_REPEAT_LINES] if line]
    for k in range(min(len(tail), len(head)), 0, -1):
        if tail[-k:] == head[:k] and sum(len(x.split()) for x in head[:k]) >= _REPEAT_WORDS:
            seen = 0
            for i, line in enumerate(page):
                seen += bool(line)
                if seen == k:
                    return i + 1
    return 0


@reader(".pdf")
def read_pdf(path: Path) -> Transcript:
    """A PDF's text layer with page furniture and per-word tabs repaired."""
    import pypdf
    from pypdf.errors import DependencyError, PyPdfError

    data = read_bytes(path)
    # pypdf reports damaged-but-readable files through logging; the library
    # must not write to the user's terminal, so keep it to real errors while
    # this file is read, and leave the logger as the caller had it.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        pdf = pypdf.PdfReader(io.BytesIO(data))
        if pdf.is_encrypted:
            raise InputError(path, "is an encrypted PDF; save an unprotected copy first")
        pages = _page_texts(path, pdf)
    except DependencyError:
        # pypdf tries the empty password on opening; AES needs a library we do not use.
        raise InputError(path, "is an encrypted PDF (AES); save an unprotected copy "
                         "first") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(path, f"cannot be read as a PDF ({type(exc).__name__}); export it "
                         "from its program as PDF again, or as .docx") from None
    finally:
        logger.setLevel(level)
    text = repair_lines(pages)
    if not text.strip() and pages:
        raise InputError(path, f"has {len(pages)} page(s) but no text layer (a scan?); run "
                         "OCR on it or export the transcript as text")
    return Transcript(text=text, format="pdf", metadata={"pages": str(len(pages))})


MAX_PAGES = 5_000
"""More pages than any transcript has: a PDF listing more is refused."""


def _page_texts(path: Path, pdf: Any) -> list[str]:
    """Each page's text; a page object listed many times is read once."""
    count = len(pdf.pages)
    if count > MAX_PAGES:
        raise InputError(path, f"has {count} pages; PDFs over {MAX_PAGES} pages are refused "
                         "(split the file)")
    read: dict[tuple[int, int], str] = {}
    texts: list[str] = []
    for page in pdf.pages:
        ref = page.indirect_reference
        key = (ref.idnum, ref.generation) if ref is not None else None
        if key is not None and key in read:
            texts.append(read[key])
            continue
        text = page.extract_text() or ""
        if key is not None:
            read[key] = text
        texts.append(text)
    return texts
