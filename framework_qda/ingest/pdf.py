"""PDF transcripts: the text layer, read with pypdf and repaired.

PDF text comes out of the page layout, not as the author typed it, so the
normalised text is assembled so:

* pages in order, their lines joined by ``\\n``;
* tabs (some exporters put one between every word) and runs of spaces
  become one space; each line is stripped;
* page furniture is dropped: lines that are only ``3/12``, ``Page 3``,
  ``Page 3 of 12`` or a bare page number;
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


def repair_lines(pages: list[str]) -> str:
    """The repaired text of a PDF's pages (see the module docstring); pure."""
    lines: list[str] = []
    for page in pages:
        for raw in page.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n"):
            line = _SPACES.sub(" ", raw).strip()
            if _PAGE_FURNITURE.match(line):
                continue
            if lines and _BARE_LABEL.match(lines[-1]) and line:
                lines[-1] = f"{lines[-1]} {line}"
                continue
            lines.append(line)
    return "\n".join(lines).strip("\n")


@reader(".pdf")
def read_pdf(path: Path) -> Transcript:
    """A PDF's text layer with page furniture and per-word tabs repaired."""
    import pypdf
    from pypdf.errors import DependencyError, PyPdfError

    data = read_bytes(path)
    # pypdf reports damaged-but-readable files through logging; the library
    # must not write to the user's terminal, so keep it to real errors.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
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
