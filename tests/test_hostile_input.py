"""Hostile and damaged input files: each is one clean line, for that file only.

A bad file never stops the batch, never shows a traceback and never puts a
participant's words in the message; a tiny file cannot exhaust memory; a
reader's time grows linearly with its input.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import FqdaError
from framework_qda.ingest.readers import read

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def base_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: Hello?")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with(path: Path, body: str = "", *, prolog: str = "", root: str = "") -> Path:
    """A .docx whose word/document.xml holds ``body`` (or is ``root`` whole)."""
    xml = root or (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
                   f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    with zipfile.ZipFile(io.BytesIO(base_docx())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = xml.encode("utf-8") if info.filename == "word/document.xml" \
                else src.read(info)
            out.writestr(info, data)
    return path


def p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(text)}</w:tc>"


SECRET = "Anna said the secret word"
LAUGHS = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {c} "{("&" + prev + ";") * 10}">'
                    for prev, c in zip("abcdefgh", "bcdefghi", strict=True))
          + "]>")

BAD_DOCX = {
    "malformed": dict(root=f'<w:document xmlns:w="{W}"><w:body>{p(SECRET)}<w:p>'),
    "grid-span-abc": dict(body="<w:tbl><w:tr>" + tc(SECRET, '<w:gridSpan w:val="abc"/>')
                          + tc("x") + "</w:tr></w:tbl>"),
    "grid-span-huge": dict(body="<w:tbl><w:tr>"
                           + tc(SECRET, '<w:gridSpan w:val="999999999"/>') + "</w:tr></w:tbl>"),
    "merge-above-first-row": dict(body="<w:tbl><w:tr>" + tc(SECRET, "<w:vMerge/>") + tc("x")
                                  + "</w:tr></w:tbl>"),
    "wrong-namespace": dict(root=f'<w:document xmlns:w="urn:not-word"><w:body>{p(SECRET)}'
                            "</w:body></w:document>"),
    "billion-laughs": dict(body=p("&i;"), prolog=LAUGHS),
}


@pytest.mark.parametrize("kind", sorted(BAD_DOCX))
def test_a_damaged_docx_is_one_clean_error_without_its_text(tmp_path: Path, kind: str) -> None:
    path = docx_with(tmp_path / f"{kind}.docx", **BAD_DOCX[kind])
    try:
        transcript = read(path)
    except FqdaError as exc:
        assert str(exc).startswith(f"{path}: ")
        assert "\n" not in str(exc) and "secret" not in str(exc)
    else:
        # Readable after all: the words are there once, and nothing blew up.
        assert kind in ("grid-span-abc", "grid-span-huge", "merge-above-first-row")
        assert transcript.text.count(SECRET) == 1


def test_a_merged_cell_carries_its_text_down_as_before(tmp_path: Path) -> None:
    body = ("<w:tbl>"
            + "<w:tr>" + tc("Interviewer", '<w:vMerge w:val="restart"/>') + tc("One") + "</w:tr>"
            + "<w:tr>" + tc("", "<w:vMerge/>") + tc("Two") + "</w:tr>"
            + "<w:tr>" + tc("Ann", '<w:gridSpan w:val="2"/>') + "</w:tr>"
            "</w:tbl>")
    text = read(docx_with(tmp_path / "t.docx", body)).text
    assert text == "Interviewer: One\nInterviewer: Two\nAnn"


ODT = ('<?xml version="1.0" encoding="UTF-8"?>'
       '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
       ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
       "<office:body><office:text>{}</office:text></office:body></office:document-content>")


def odt_with(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", ODT.format(body))
    return path


def test_odt_space_counts_are_plain_digits_and_bounded(tmp_path: Path) -> None:
    body = ('<text:p>a<text:s text:c="²"/>b<text:s text:c="3"/>c'
            f'<text:s text:c="{"9" * 5000}"/>d</text:p>')
    assert read(odt_with(tmp_path / "s.odt", body)).text == "a b   c" + " " * 1000 + "d"


def test_an_odt_nested_past_the_recursion_limit_is_read_or_refused(tmp_path: Path) -> None:
    for depth, inline in ((5_000, False), (5_000, True), (60, True)):
        wrap, close = ("<text:span>", "</text:span>") if inline else \
            ("<text:section>", "</text:section>")
        inner = wrap * depth + SECRET + close * depth
        body = f"<text:p>{inner}</text:p>" if inline else \
            wrap * depth + f"<text:p>{SECRET}</text:p>" + close * depth
        path = odt_with(tmp_path / "deep.odt", body)
        if depth < 100:
            assert read(path).text == SECRET
            continue
        with pytest.raises(FqdaError) as caught:
            read(path)
        assert str(caught.value) == (f"{path}: nests its content more than 100 levels deep (a "
                                     "damaged or crafted file); save it as .odt again")


def study_with(tmp_path: Path, files: dict[str, bytes]) -> fq.Study:
    root = fq.init_study(tmp_path / "s")
    for name, data in files.items():
        (root / "transcripts" / name).write_bytes(data)
    return fq.open_study(root)


def test_a_reader_bug_fails_that_file_only_with_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from framework_qda.ingest import readers

    def broken(path: Path) -> readers.Transcript:
        if path.stem == "P2":
            raise ValueError(f"invalid literal: {SECRET}")
        if path.stem == "P3":
            raise RecursionError("maximum recursion depth exceeded")
        if path.stem == "P4":
            raise MemoryError
        return readers.read_plain_text(path)

    monkeypatch.setitem(readers.READERS, ".txt", broken)
    words = b"Interviewer: Hello?\n\nAnn: Hello.\n"
    s = study_with(tmp_path, {f"P{i}.txt": words for i in range(1, 6)})
    report = s.ingest()
    assert [(Path(f.path).name, f.status) for f in report.files] == [
        ("P1.txt", "added"), ("P2.txt", "failed"), ("P3.txt", "failed"),
        ("P4.txt", "failed"), ("P5.txt", "added")]
    messages = [f.message for f in report.failed]
    assert all("\n" not in m and "secret" not in m for m in messages)
    assert "P2.txt: could not be read: it is damaged or malformed (ValueError)" in messages[0]
    assert "nested too deeply" in messages[1] and "memory" in messages[2]


def test_cli_ingest_and_run_go_past_a_damaged_docx(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import framework_qda.cli as cli

    s = study_with(tmp_path, {"P1.txt": b"Interviewer: Hello?\n\nAnn: Hello.\n",
                              "P0.docx": b""})
    docx_with(s.root / "transcripts" / "P0.docx", **BAD_DOCX["malformed"])
    (s.root / "codebooks" / "framework.yaml").write_text(
        'themes:\n  - code: "1"\n    label: Talk\n    subtopics:\n'
        '      - code: "1.1"\n        label: Hello\n', encoding="utf-8")
    for command in (["ingest"], ["run"]):
        result = CliRunner().invoke(cli.app, [*command, "--study", str(s.root)],
                                    env={"COLUMNS": "400"})
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert re.search(r"P0\.docx: holds XML that is not well-formed", result.output), \
            result.output
    assert [x.name for x in s.store.sources()] == ["P1.txt"]


def test_subtitle_tags_in_a_line_full_of_angle_brackets_are_read(tmp_path: Path) -> None:
    # How long it takes (linear in the brackets) is bench/hostile.py's to measure.
    path = tmp_path / "lt.vtt"
    path.write_text(angle_brackets(4_000), encoding="utf-8")
    text = read(path).text
    assert text.rstrip().endswith("y") and "x" in text


def angle_brackets(n: int) -> str:
    """A subtitle file with two cues of ``n`` unclosed tags each."""
    return ("WEBVTT\n\n00:00.000 --> 00:01.000\n" + "<v " * n + "x\n"
            + "\n00:01.000 --> 00:02.000\n" + "<" * n + "{\\" * n + "y\n")


def pdf_bytes(kids: int, encrypt: bytes = b"") -> bytes:
    content = b"BT /F1 12 Tf 72 720 Td (Interviewer: hello there) Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b" ".join([b"3 0 R"] * kids)
            + b"] /Count %d >>" % kids,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    if encrypt:
        objs.append(encrypt)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, obj in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    extra = b" /Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff> " \
        b"<00112233445566778899aabbccddeeff>]" if encrypt else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, extra, xref)
    return bytes(out)


def test_a_pdf_listing_one_page_many_times_reads_it_once(tmp_path: Path) -> None:
    path = tmp_path / "rep.pdf"
    path.write_bytes(pdf_bytes(4_000))
    assert read(path).text.count("Interviewer: hello there") == 4_000


def test_an_aes_encrypted_pdf_is_one_line(tmp_path: Path) -> None:
    def hexes(n: int) -> bytes:
        return b"<" + b"ab" * n + b">"

    path = tmp_path / "aes.pdf"
    path.write_bytes(pdf_bytes(1, b"<< /Filter /Standard /V 5 /R 6 /Length 256 /O " + hexes(48)
                               + b" /U " + hexes(48) + b" /OE " + hexes(32) + b" /UE "
                               + hexes(32) + b" /Perms " + hexes(16) + b" /P -4 /CF << /StdCF"
                               b" << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >>"
                               b" /StmF /StdCF /StrF /StdCF >>"))
    with pytest.raises(FqdaError, match=r"aes\.pdf: is an encrypted PDF"):
        read(path)


# -- hand-written tables -----------------------------------------------------
def test_an_unclosed_quote_is_refused_with_the_line_it_opened(tmp_path: Path) -> None:
    from framework_qda.tabular import read_table

    path = tmp_path / "codings.csv"
    path.write_text('ref,code,memo\nP1:1,1.1,fine\nP1:2,1.1,"budget row\nP1:3,1.2,x\n'
                    "P1:4,1.2,y\n", encoding="utf-8")
    with pytest.raises(FqdaError, match=r"codings\.csv:3: opens a quoted cell that is never "
                                        "closed"):
        read_table(path)
    path.write_text('ref,code,memo\nP1:2,1.1,"budget row\nP1:3,1.2,x\nP1:4,1.2,"y"\n'
                    'P1:5,1.1,"a memo\nof two lines, fine"\n', encoding="utf-8")
    with pytest.raises(FqdaError, match=r"codings\.csv:2: opens a quoted cell that runs on "
                                        "over line 3, which looks like a row"):
        read_table(path)
    # A quoted cell of several lines is still one cell.
    path.write_text('ref,code,memo\nP1:5,1.1,"a memo\nof two lines, fine"\nP1:6,1.1,z\n',
                    encoding="utf-8")
    assert [row["memo"] for _, row in read_table(path).rows] == [
        "a memo\nof two lines, fine", "z"]


def test_cases_import_with_an_unclosed_quote_imports_nothing(tmp_path: Path) -> None:
    s = study_with(tmp_path, {})
    (s.root / "cases.csv").write_text('case,group\nP1,"Nurses\nP2,Managers\nP3,Nurses\n',
                                      encoding="utf-8")
    with pytest.raises(FqdaError, match=r"cases\.csv:2: opens a quoted cell"):
        s.import_cases(s.root / "cases.csv")
    assert s.cases() == []


def test_a_workbook_zip_bomb_is_refused_before_openpyxl_opens_it(tmp_path: Path) -> None:
    from framework_qda.tabular import read_table

    path = tmp_path / "survey.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (60 * 1024 * 1024) + b"/>")
    with pytest.raises(FqdaError, match=r"survey\.xlsx: would unpack to .* zip bomb"):
        read_table(path)


# -- YAML and settings -------------------------------------------------------
ALIAS_BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
              + "".join(f"{c}: &{c} [{', '.join(['*' + prev] * 9)}]\n"
                        for prev, c in zip("abcdefgh", "bcdefghi", strict=True)))


def test_a_yaml_alias_bomb_codebook_is_one_line(tmp_path: Path) -> None:
    from framework_qda.codebook import parse_codebook

    with pytest.raises(FqdaError, match=r"book\.yaml:2: is not valid YAML \(aliases"):
        parse_codebook(ALIAS_BOMB + "themes: []\n", "book.yaml")


@pytest.mark.parametrize("text, message", [
    (ALIAS_BOMB, r"fqda\.yaml:2: is not valid YAML \(aliases"),
    ("groups: not a list\n", r"groups must be a list of names"),
    ("order_by: 5\n", r"order_by must be a list of names"),
    ("roles:\n  interviewer: Dan\n", r"roles\.interviewer must be a list of names"),
    ('attribution: "{group:>999999999}"\n', r"attribution template's \{group:>999999999\}"),
    ('attribution: "{case.__class__}"\n', r"not a plain field name"),
    ("groups: " + "[" * 5000 + "]" * 5000 + "\n", r"fqda\.yaml"),
])
def test_bad_settings_are_one_line_for_every_command(tmp_path: Path, text: str,
                                                     message: str) -> None:
    from typer.testing import CliRunner

    import framework_qda.cli as cli

    root = fq.init_study(tmp_path / "s")
    (root / "fqda.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FqdaError, match=message):
        fq.open_study(root)
    for command in (["status"], ["ingest"]):
        result = CliRunner().invoke(cli.app, [*command, "--study", str(root)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output and "fqda.yaml" in result.output


def test_an_attribution_within_bounds_still_pads(tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    (root / "fqda.yaml").write_text('attribution: "{case:<6}|{group!s:^10.3}"\ngroups: [A, 2]\n',
                                    encoding="utf-8")
    config = fq.open_study(root).config
    assert config.groups == ("A", "2")
    assert config.attribution.format(case="P1", group="Nurses") == "P1    |   Nur    "


# -- encodings ---------------------------------------------------------------
def test_a_file_mixing_utf8_and_latin1_is_read_right_and_warned(tmp_path: Path) -> None:
    data = "Interviewer: naïve?\n\nAnn: ".encode() + "café, très".encode("cp1252") + b"\n"
    s = study_with(tmp_path, {"P1.txt": data, "P2.txt": "Ann: café\n".encode("cp1252")})
    report = s.ingest()
    one, two = report.files
    assert one.status == "added" and "mixes UTF-8 with Latin-1 (cp1252) bytes" in one.message
    assert two.status == "added" and "mixes" not in two.message
    texts = {name: text for _, name, text in s.store.source_texts()}
    assert texts["P1.txt"] == "Interviewer: naïve?\n\nAnn: café, très\n"
    assert texts["P2.txt"] == "Ann: café\n"
    assert "Ã" not in "".join(texts.values())


# -- case ids ----------------------------------------------------------------
@pytest.mark.parametrize("case_id, problem", [
    ("../x", "contains a slash (/)"), ("a/b", "contains a slash (/)"),
    ("a\\b", "contains a backslash"), ("P1:2", "contains a colon (:)"),
    ("P[1]", "contains a bracket"), ("P1,P2", "contains a comma"), ("P1;", "a semicolon"),
    ("P\t1", "control character (U+0009)"), ("P\n1", "control character (U+000A)"),
    (" P1", "starts or ends with white space"), ("", "is empty"), ("P" * 101, "over 100"),
    ("caf\udce9", "control character (U+DCE9)"),
])
def test_a_case_id_that_cannot_be_typed_is_refused(case_id: str, problem: str) -> None:
    from framework_qda.model import check_case_id

    assert problem in (check_case_id(case_id) or "")


@pytest.mark.parametrize("case_id", ["P07", "Interview 10", "Ärztin-3", "p.2_b", "10"])
def test_ordinary_case_ids_are_accepted(case_id: str) -> None:
    from framework_qda.model import check_case_id

    assert check_case_id(case_id) is None


def test_cases_csv_with_untypeable_ids_imports_nothing(tmp_path: Path) -> None:
    s = study_with(tmp_path, {})
    (s.root / "cases.csv").write_text('case,group\nP1,A\n../x,A\n"a\tb",B\nc/d,B\n',
                                      encoding="utf-8")
    with pytest.raises(FqdaError) as caught:
        s.import_cases(s.root / "cases.csv")
    message = str(caught.value)
    assert "cases.csv:3: the case id '../x' contains a slash (/)" in message
    assert "a\\tb" not in message  # white space inside an id is made codable: a_b
    assert "cases.csv:5: the case id 'c/d' contains a slash" in message
    assert s.cases() == []


def test_ingest_refuses_untypeable_ids_from_case_file_names_and_survey(tmp_path: Path) -> None:
    words = b"Interviewer: Hello?\n\nAnn: Hello.\n"
    s = study_with(tmp_path, {"P1.txt": words})
    (s.root / "fqda.yaml").write_text("case_pattern: '^(?P<case>.*)$'\n", encoding="utf-8")
    (s.root / "transcripts" / "a,b.txt").write_bytes(words)
    (s.root / "transcripts" / "caf\udce9.txt".encode("utf-8", "surrogateescape").decode(
        "utf-8", "surrogateescape")).write_bytes(words)
    s = fq.open_study(s.root)
    report = s.ingest()
    outcomes = {Path(f.path).name: (f.status, f.message) for f in report.files}
    assert outcomes["P1.txt"][0] == "added"
    # a comma cannot be typed in a ref: the id is made codable where it is created
    assert outcomes["a,b.txt"][0] == "added"
    assert outcomes["caf\\xe9.txt"] == ("failed", f"{s.root}/transcripts/caf\\xe9.txt: has a name "
                                        "that is not UTF-8 (a byte of another encoding); "
                                        "rename the file")
    with pytest.raises(FqdaError, match=r"--case 'P1/2': the case id contains a slash"):
        s.ingest([s.root / "transcripts" / "P1.txt"], case="P1/2")
    survey = s.root / "survey.csv"
    survey.write_text("id,q1\nP7,fine words\nP8/1,more words\n", encoding="utf-8")
    from framework_qda.ingest import IngestOptions

    report = s.ingest_files([survey], IngestOptions(columns=("q1",)))
    assert report.files[0].status == "failed"
    assert "survey.csv:3: the case id 'P8/1' contains a slash" in report.files[0].message
    assert sorted(c.id for c in s.cases()) == ["P1", "a_b"]


# -- numbers -----------------------------------------------------------------
def test_huge_numbers_in_refs_and_from_are_one_line(study: fq.Study) -> None:
    from typer.testing import CliRunner

    import framework_qda.cli as cli

    huge = "9" * 5000
    for ref in (f"P1:{huge}", f"P1:1-{huge}", f"P1:1.{huge}", f"P1:L{huge}",
                "P1:99999999999999999999999"):
        with pytest.raises(FqdaError, match=r"P1 has (segments|lines) 1 to|sentences 1 to"):
            study.code([ref], ["1.1"])
    for options in (["--from", "9" * 30], ["--from", "-" + "9" * 30], ["--to", "9" * 30]):
        result = CliRunner().invoke(cli.app, ["show", "P1", *options, "--study",
                                              str(study.root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.exception
        assert "Traceback" not in result.output


# -- sizes -------------------------------------------------------------------
def test_an_endless_line_or_turn_is_refused_with_its_line(tmp_path: Path) -> None:
    words = "we talked about the budget " * 10_000  # 270,000 characters
    s = study_with(tmp_path, {
        "P1.txt": f"Interviewer: Hello?\n\nAnn: {words}\n".encode(),
        "P2.txt": ("Interviewer: Hello?\n\nAnn: " + "more words here\n" * 40_000).encode(),
        "P3.txt": b"Interviewer: Hello?\n\nAnn: Hello.\n"})
    report = s.ingest()
    one, two, three = report.files
    assert one.status == "failed" and one.message.endswith(
        "P1.txt:3: has a line of 270,005 characters; lines over 200,000 are refused (is it "
        "one paragraph per line? break it into paragraphs)")
    assert two.status == "failed" and re.search(
        r"P2\.txt:\d+: has a turn or paragraph of 640,\d{3} characters \(segment \d\); "
        "over 500,000 are refused", two.message)
    assert three.status == "added"
