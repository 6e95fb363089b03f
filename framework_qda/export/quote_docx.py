"""The quote bank as a Word document that reads like a report appendix.

Word's own styles -- Title, Heading 1-3, Quote, ``toc 1``/``toc 2`` -- and an
"Attribution" style based on Quote, so that pasted quotes take on a report's
look.  The contents are a TOC field whose shown result is the written list
of headings (readable before any field is updated; Word is asked to update
fields on opening, which adds page numbers).  Every quote paragraph keeps
with the next and is kept whole, so an attribution never starts a page on
its own.  The footer numbers pages with a PAGE field; the paper is A4 or US
Letter, as the study's settings say.

Paragraphs are written as WordprocessingML in one piece: python-docx looks a
style up by walking every style of the document for each paragraph, which
made a 600-paragraph bank take seconds.  python-docx still makes the package,
the styles, the section and the footer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from framework_qda.export.cells import clean
from framework_qda.export.quotes import (
    NO_QUOTES,
    attribution,
    coded_also,
    headings,
    labels_of,
    paragraphs,
    passages_label,
    shown_elsewhere,
)
from framework_qda.quote_bank import ThemePassages

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# (width, height) in twentieths of a point; margins 2.5 cm on A4, 1 inch on Letter
PAPER = {"a4": (11906, 16838, 1418), "letter": (12240, 15840, 1440)}


def _run(text: str, props: str = "") -> str:
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r>'


def _p(style: str, body: str, keep_next: bool = False, keep_lines: bool = False) -> str:
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if keep_next:
        ppr += "<w:keepNext/>"
    if keep_lines:
        ppr += "<w:keepLines/>"
    return f"<w:p><w:pPr>{ppr}</w:pPr>{body}</w:p>"


def _field(instruction: str, shown: str = "") -> str:
    """A complex field (runs), ``shown`` as its result until it is updated."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"{_run(shown)}"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _contents(bank: Sequence[ThemePassages], ids: dict[str, str]) -> list[str]:
    """The contents: a TOC field over Heading 1-2 whose result is the written list."""
    rows = headings(bank)
    out = [_p(ids["Heading 1"], _run("Contents"))]
    if not rows:
        return out
    begin = ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
             '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText>'
             '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    for i, (level, heading, n) in enumerate(rows):
        body = _run(f"{heading} ({passages_label(n)})")
        body = (begin if i == 0 else "") + body + (end if i == len(rows) - 1 else "")
        out.append(_p(ids[f"toc {level}"], body))
    return out


def _body(bank: Sequence[ThemePassages], title: str, intro: str, ids: dict[str, str]
          ) -> str:
    labels = labels_of(bank)
    out = [_p(ids["Title"], _run(f"Quote bank: {title}")), _p("", _run(intro))]
    out += _contents(bank, ids)
    italic = "<w:i/>"
    for t in bank:
        out.append(_p(ids["Heading 1"], _run(t.theme.heading)))
        if t.theme.definition:
            out.append(_p("", _run(t.theme.definition), keep_next=True))
        for entry in t.subtopics:
            sub = entry.subtopic
            out.append(_p(ids["Heading 2"], _run(sub.heading)))
            if sub.definition:
                out.append(_p("", _run(sub.definition, italic), keep_next=bool(entry.groups)))
            if not entry.groups and not entry.elsewhere:
                out.append(_p("", _run(NO_QUOTES, italic)))
            for g in entry.groups:
                out.append(_p(ids["Heading 3"], _run(g.group or "No sample group")))
                for passage in g.passages:
                    for text in paragraphs(passage.quote.text):
                        out.append(_p(ids["Quote"], _run(text), keep_next=True,
                                      keep_lines=True))
                    line = _run(attribution(passage.quote))
                    also = coded_also(passage, labels)
                    if also:
                        line += "<w:r><w:br/></w:r>" + _run(also, italic)
                    out.append(_p(ids["Attribution"], line))
            elsewhere = shown_elsewhere(entry, labels)
            if elsewhere:
                out.append(_p("", _run(elsewhere, italic)))
    return f'<w:body xmlns:w="{W_NS}">{"".join(out)}</w:body>'


def _styles(doc: Any) -> dict[str, str]:
    """The style ids of the styles used, the Attribution and contents styles added."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    styles = doc.styles
    attributed = styles.add_style("Attribution", WD_STYLE_TYPE.PARAGRAPH)
    attributed.base_style = styles["Quote"]
    attributed.font.italic = False
    attributed.font.size = Pt(9)
    attributed.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    attributed.paragraph_format.space_after = Pt(12)
    styles["Quote"].paragraph_format.space_after = Pt(2)
    for level in (1, 2):
        toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        toc.base_style = styles["Normal"]
        toc.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        toc.paragraph_format.space_after = Pt(2 if level == 2 else 4)
    names = ("Title", "Heading 1", "Heading 2", "Heading 3", "Quote", "Attribution",
             "toc 1", "toc 2")
    return {name: styles[name].style_id for name in names}


def _page(doc: Any, paper: str) -> None:
    """Paper size and margins, and a footer numbering the pages (a PAGE field)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Twips

    width, height, margin = PAPER[paper]
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(width), Twips(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(margin))
    footer = section.footer
    footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph = footer.part.element.find(f"{{{W_NS}}}p")
    runs = parse_xml(f'<w:p xmlns:w="{W_NS}">{_run("Page ")}{_field("PAGE", "1")}'
                     f'{_run(" of ")}{_field("NUMPAGES", "1")}</w:p>')
    for run in list(runs):
        paragraph.append(run)


# What follows w:updateFields in a settings part (ECMA-376 CT_Settings), where the
# schema's order puts it; Word refuses elements out of order.
_AFTER_UPDATE_FIELDS = {
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
    "decimalSymbol", "listSeparator"}


def _update_fields_on_opening(settings: Any) -> None:
    """Ask Word to update the fields when the file opens, so the contents get their
    page numbers (LibreOffice shows the written list as it is)."""
    from docx.oxml import parse_xml

    element = parse_xml(f'<w:updateFields xmlns:w="{W_NS}" w:val="true"/>')
    for child in settings:
        if str(child.tag).rpartition("}")[2] in _AFTER_UPDATE_FIELDS:
            child.addprevious(element)
            return
    settings.append(element)


def docx_bank(bank: Sequence[ThemePassages], title: str, intro: str, paper: str = "a4"
              ) -> bytes:
    """The quote bank as the bytes of a .docx."""
    from docx import Document
    from docx.oxml import parse_xml

    doc = Document()
    doc.core_properties.title = clean(f"Quote bank: {title}")
    doc.core_properties.subject = "Verbatim quotes by theme, sub-topic and sample group"
    doc.core_properties.author = "framework-qda"
    ids = _styles(doc)
    _page(doc, paper)
    body = doc.element.body
    sect = body[-1]
    for element in list(parse_xml(_body(bank, title, intro, ids))):
        sect.addprevious(element)
    _update_fields_on_opening(doc.settings.element)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
