"""Quote banks a report writer pastes from: Markdown and Word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from framework_qda.export.quotes import markdown_bank, paragraphs, quote_format
from framework_qda.model import Quote, Subtopic, Theme
from framework_qda.quote_bank import arrange, passages

runner = CliRunner()


def test_markdown_bank_has_headings_block_quotes_and_attributions(study: fq.Study) -> None:
    path = study.export_quotes(themes=["1"])
    assert path == study.root / "matrices" / "quotes.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Quote bank: Ward handovers\n")
    assert "\n## 1 Communication\n" in text and "## 2 Pressures" not in text
    section = text.split("### 1.1 Handover notes\n", 1)[1].split("### 1.2", 1)[0]
    assert "*Written notes passed between shifts.*" in section
    assert ("> We write everything on the sheet. The sheet is the handover, really, and it "
            "goes in the folder.\n>\n> — Managers, P1 [P1:2]\n") in section
    # rows in matrix order: Managers before Nurses
    assert section.index("[P1:2]") < section.index("[P10:2]")


def test_group_filter_and_empty_subtopics(study: fq.Study, tmp_path: Path) -> None:
    path = study.export_quotes(tmp_path / "nurses.md", groups=["Nurses"])
    text = path.read_text(encoding="utf-8")
    assert "Sample groups: Nurses." in text
    assert "— Nurses, P3 [P3:2]" in text and "Managers" not in text
    time = text.split("### 2.2 Time\n", 1)[1]
    assert time.strip() == "*No quotes coded yet.*"  # only a manager spoke of time


def test_docx_bank_uses_word_styles(study: fq.Study, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "quotes", "--format", "docx", "-o",
                                 str(tmp_path / "bank.docx"), "--theme", "2",
                                 "--study", str(study.root)])
    assert result.exit_code == 0, result.output
    doc = Document(str(tmp_path / "bank.docx"))
    assert doc.core_properties.title == "Quote bank: Ward handovers"
    styled = [(p.style.name, p.text) for p in doc.paragraphs]
    assert styled[0] == ("Title", "Quote bank: Ward handovers")
    assert ("Heading 1", "2 Pressures") in styled
    i = styled.index(("Heading 2", "2.1 Staffing"))
    assert styled[i + 1] == ("Normal", "Too few staff on shift.")
    assert styled[i + 2] == ("Heading 3", "Managers")
    assert styled[i + 3] == ("Quote", "Hardly. We are two nurses short most nights.")
    assert styled[i + 4] == ("Attribution", "— Managers, P1 [P1:4]")
    assert styled[i + 5] == ("Heading 3", "Nurses")
    assert doc.styles["Attribution"].base_style.name == "Quote"
    assert not any(name == "Heading 1" and text == "1 Communication" for name, text in styled)
    # an attribution never starts a page alone: every quote paragraph keeps with
    # the next and is kept whole
    quotes = [p for p in doc.paragraphs if p.style.name == "Quote"]
    assert quotes and all(p.paragraph_format.keep_with_next for p in quotes)
    assert all(p.paragraph_format.keep_together for p in quotes)


def test_docx_bank_has_contents_page_numbers_and_the_studys_paper(study: fq.Study,
                                                                  tmp_path: Path) -> None:
    doc = Document(str(study.export_quotes(tmp_path / "a4.docx")))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer = section.footer.paragraphs[0]
    assert footer.text == "Page 1 of 1"  # the fields' results until they are updated
    fields = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", footer._p.xml)
    assert [f.strip() for f in fields] == ["PAGE", "NUMPAGES"]
    body = doc.element.body.xml
    assert 'TOC \\o "1-2"' in body
    styled = [(p.style.name, p.text) for p in doc.paragraphs]
    # the contents are written out, readable before Word updates the field
    assert ("toc 1", "1 Communication (4 passages)") in styled
    assert ("toc 2", "2.2 Time (1 passage)") in styled
    (study.root / "fqda.yaml").write_text("paper: letter\n", encoding="utf-8")
    letter = fq.open_study(study.root)
    try:
        section = Document(str(letter.export_quotes(tmp_path / "l.docx"))).sections[0]
    finally:
        letter.close()
    assert (section.page_width.inches, section.page_height.inches) == (8.5, 11)


def test_overlapping_codings_are_one_passage_naming_every_subtopic(study: fq.Study,
                                                                  tmp_path: Path) -> None:
    # P1:2 is coded to 1.1; the same turn to 1.2, and a sentence inside it to 2.2
    study.code(["P1:2"], ["1.2"])
    study.code(["P1"], ["2.2"], quote="The sheet is the handover")
    text = study.export_quotes(tmp_path / "bank.md").read_text(encoding="utf-8")
    assert text.count("The sheet is the handover") == 1
    notes = text.split("### 1.1 Handover notes\n", 1)[1].split("### 1.2", 1)[0]
    assert ("> We write everything on the sheet. The sheet is the handover, really, and it "
            "goes in the folder.\n>\n> — Managers, P1 [P1:2]\n>\n"
            "> *Also coded to 1.2 Talking in person; 2.2 Time.*\n") in notes
    talking = text.split("### 1.2 Talking in person\n", 1)[1].split("## 2", 1)[0]
    assert ("*Also coded here, quoted under an earlier sub-topic: [P1:2] under 1.1 "
            "Handover notes.*") in talking
    time = text.split("### 2.2 Time\n", 1)[1]
    assert "[P1:2] under 1.1 Handover notes" in time
    assert "No quotes coded yet" not in time
    doc = Document(str(study.export_quotes(tmp_path / "bank.docx")))
    words = "\n".join(p.text for p in doc.paragraphs)
    assert words.count("The sheet is the handover") == 1
    assert "Also coded to 1.2 Talking in person; 2.2 Time." in words


def test_spans_that_overlap_are_joined_and_touching_ones_are_not() -> None:
    sub = (Subtopic("1.1", "A", "1"), Subtopic("1.2", "B", "1"))
    text = "one two three four five"

    def q(start: int, end: int, code: str, ref: str) -> Quote:
        return Quote(text[start:end], ref, "P1", "G", code, "Kim", f"— G, P1 [{ref}]",
                     source="P1.txt", start=start, end=end)

    found = passages([q(8, 18, "1.2", "P1:3"), q(0, 13, "1.1", "P1:2"),
                      q(18, 23, "1.1", "P1:4")], sub)
    assert [(p.quote.text, p.quote.ref, p.codes) for p in found] == [
        ("one two three four", "P1:2-3", ("1.1", "1.2")), (" five", "P1:4", ("1.1",))]
    assert found[0].quote.attribution == "— G, P1 [P1:2-3]"
    bank = arrange([Theme("1", "T", subtopics=sub)], [q(8, 18, "1.2", "P1:3")], ["P1"])
    assert [len(s.groups) for s in bank[0].subtopics] == [0, 1]


def test_format_comes_from_the_suffix_or_is_refused(study: fq.Study, tmp_path: Path) -> None:
    path = study.export_quotes(tmp_path / "bank.docx")
    assert Document(str(path)).paragraphs[0].text == "Quote bank: Ward handovers"
    assert quote_format(None, None) == "markdown"
    assert quote_format("MD", "x.docx") == "markdown"
    with pytest.raises(fq.FqdaError, match="name the file .md or .docx"):
        study.export_quotes(tmp_path / "bank.pdf")
    result = runner.invoke(app, ["export", "quotes", "--format", "pdf", "--study",
                                 str(study.root)])
    assert result.exit_code == 1 and "use markdown or docx" in result.output


def test_quote_text_is_kept_and_markdown_cannot_be_mistaken() -> None:
    sub = Subtopic("9.1", "Odd *things*", "9")
    theme = Theme("9", "Edge cases", subtopics=(sub,))
    quote = Quote("- well, *honestly*\x07\n\n1. we had <none>", "P9:3", "P9", "G", "9.1",
                  "Kim", "— G, P9")
    text = markdown_bank(arrange([theme], [quote], ["P9"]), "T")
    assert "### 9.1 Odd \\*things\\*" in text
    assert "> \\- well, \\*honestly\\*\n>\n> 1\\. we had \\<none\\>\n>\n> — G, P9 [P9:3]" in text
    assert "\n#### G\n" in text and "- 9.1 Odd \\*things\\* (1 passage)" in text
    assert paragraphs("a  b\n c\n\n\nd") == ["a b c", "d"]


def test_a_bank_of_a_thousand_passages_looks_each_style_up_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """python-docx finds a style by walking every style: once per paragraph, that was
    about 4 s for 2,000 quote paragraphs (the bench times it; here the lookups are
    counted, which does not depend on the machine)."""
    from docx.styles.styles import Styles

    from framework_qda.export.quotes import quote_bank_bytes

    lookups: list[str] = []
    real = Styles.__getitem__

    def counted(self: Styles, key: str) -> object:
        lookups.append(key)
        return real(self, key)

    monkeypatch.setattr(Styles, "__getitem__", counted)
    subs = tuple(Subtopic(f"1.{i}", f"Topic {i}", "1") for i in range(1, 9))
    theme = Theme("1", "Theme", subtopics=subs)
    words = "We talk at handover, and then we write it all down on the sheet. " * 6
    quotes = [Quote(f"{words}\n\n{words}", f"P{n % 40}:{n}", f"P{n % 40}", f"G{n % 4}",
                    subs[n % 8].code, "Kim", f"— G{n % 4}, P{n % 40}")
              for n in range(1000)]
    bank = arrange([theme], quotes, [f"P{i}" for i in range(40)])
    data = quote_bank_bytes("docx", bank, "Speed")
    assert len(lookups) < 50, f"{len(lookups)} style lookups for 1,000 passages"
    doc = Document(__import__("io").BytesIO(data))
    assert sum(p.style.name == "Attribution" for p in doc.paragraphs) == 1000
