"""Quote banks a report writer pastes from: Markdown and Word."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

import framework_qda as fq
from cli import app
from framework_qda.export.quotes import markdown_bank, paragraphs, quote_format
from framework_qda.model import Quote, Subtopic, Theme

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
    assert styled[i + 2] == ("Quote", "Hardly. We are two nurses short most nights.")
    assert styled[i + 3] == ("Attribution", "— Managers, P1 [P1:4]")
    assert doc.styles["Attribution"].base_style.name == "Quote"
    assert not any(name == "Heading 1" and text == "1 Communication" for name, text in styled)


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
    text = markdown_bank([(theme, [quote])], "T")
    assert "### 9.1 Odd \\*things\\*" in text
    assert "> \\- well, \\*honestly\\*\n>\n> 1\\. we had \\<none\\>\n>\n> — G, P9 [P9:3]" in text
    assert paragraphs("a  b\n c\n\n\nd") == ["a b c", "d"]
