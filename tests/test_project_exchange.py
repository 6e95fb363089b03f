"""REFI-QDA project exchange: our own export, hand-written vendor quirks, hostile archives."""

from __future__ import annotations

import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import InputError
from tests._backends import on_backend, on_sqlite

REPO = Path(__file__).resolve().parent.parent
XSD = REPO.parent / "shared" / "realdata" / "refi-qda" / "Project.xsd"
EXAMPLE = ("transcripts", "codebooks", "cases.csv", "codings.csv", "summaries.csv", "fqda.yaml")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example study after `fqda run`, exported as a project."""
    root = tmp_path_factory.mktemp("example") / "study"
    root.mkdir()
    for name in EXAMPLE:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy(src, root / name)
    with on_sqlite(), fq.open_study(root) as s:
        s.run()
        s.export_project("study.qdpx")
    return root


def cells(s: fq.Study) -> dict[tuple[str, str], tuple[str, str, tuple[str, ...]]]:
    return {k: (c.state, c.summary, tuple(e.text for e in c.evidence))
            for k, c in s.cells().items()}


def per_coder(s: fq.Study) -> Counter[tuple[str, str, str, str]]:
    names = {x.id: x.name for x in s.store.sources()}
    texts = {x.id: x.text for x in s.store.sources()}
    return Counter((names[c.source_id], c.subtopic, c.coder, texts[c.source_id][c.start:c.end])
                   for c in s.store.codings())


def test_round_trip_of_the_example_study_is_exact(example: Path, tmp_path: Path) -> None:
    target = fq.init_study(tmp_path / "copy")
    with fq.open_study(on_backend(example)) as a, fq.open_study(target) as b:
        report = b.import_project(example / "study.qdpx")
        assert report.missing == []
        assert report.convention == "code points"
        assert [x.name for x in b.store.sources()] == [x.name for x in a.store.sources()]
        for x, y in zip(a.store.sources(), b.store.sources(), strict=True):
            assert x.text.encode() == y.text.encode()
            assert [(g.start, g.end, g.speaker) for g in a.store.segments(x.id)] == \
                [(g.start, g.end, g.speaker) for g in b.store.segments(y.id)]
        assert [(c.id, c.group, c.attributes) for c in b.store.cases()] == \
            [(c.id, c.group, c.attributes) for c in a.store.cases()]
        assert per_coder(b) == per_coder(a)
        assert cells(b) == cells(a)
        sa, sb = a.store.summaries(), b.store.summaries()
        assert {k: (v.text, v.state, v.author, v.origin, v.accepted_by) for k, v in sb.items()} \
            == {k: (v.text, v.state, v.author, v.origin, v.accepted_by) for k, v in sa.items()}
        assert [(s.code, s.label, s.definition, s.guid) for s in b.codebook.subtopics] == \
            [(s.code, s.label, s.definition, s.guid) for s in a.codebook.subtopics]


def test_a_second_import_changes_nothing(example: Path, tmp_path: Path) -> None:
    target = fq.init_study(tmp_path / "again")
    with fq.open_study(target) as b:
        first = b.import_project(example / "study.qdpx")
        assert first.codings_added > 0
        actions = len(b.store.actions())
        second = b.import_project(example / "study.qdpx")
        assert len(b.store.actions()) == actions
        assert second.codings_added == 0 and second.sources_added == []
        assert second.summaries_added == 0


def test_export_of_an_import_keeps_the_guids(example: Path, tmp_path: Path) -> None:
    target = fq.init_study(tmp_path / "guids")
    with fq.open_study(target) as b:
        b.import_project(example / "study.qdpx")
        b.export_project("again.qdpx")
    first = zipfile.ZipFile(example / "study.qdpx").read("project.qde")
    again = zipfile.ZipFile(target / "again.qdpx").read("project.qde")
    import re

    def guids(xml: bytes) -> set[str]:
        return set(re.findall(rb'guid="([0-9a-f-]{36})"', xml))

    assert guids(first) == guids(again)


@pytest.mark.needs("schemas")
def test_the_export_is_valid_against_project_xsd(example: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    archive = zipfile.ZipFile(example / "study.qdpx")
    names = set(archive.namelist())
    assert "project.qde" in names
    assert all(n == "project.qde" or (n.startswith("sources/") and n.endswith(".txt"))
               for n in names)
    xmlschema.XMLSchema(str(XSD)).validate(archive.read("project.qde").decode())


# -- vendor quirks, written by hand ---------------------------------------------
NS = "urn:QDA-XML:project:1.0"
G = "00000000-0000-4000-8000-{:012d}"


def project_xml(selections: str, users: str = "", extra: str = "",
                path: str = "internal://a.txt") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Quirks" origin="hand-written">
  <Users><User guid="{G.format(90)}" name="ann"/>{users}</Users>
  <CodeBook><Codes>
    <Code guid="{G.format(1)}" name="Money" isCodable="true"><Description>Funding</Description>
      <Code guid="{G.format(2)}" name="Grants" isCodable="true"/>
    </Code>
    <Code guid="{G.format(3)}" name="Money::Budgets" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{G.format(10)}" name="P1.txt" plainTextPath="{path}">
      {selections}
    </TextSource>
  </Sources>{extra}
</Project>"""


def sel(n: int, start: int, end: int, code: int, name: str = "") -> str:
    return (f'<PlainTextSelection guid="{G.format(100 + n)}" name="{name}" '
            f'startPosition="{start}" endPosition="{end}" creatingUser="{G.format(90)}">'
            f'<Coding guid="{G.format(200 + n)}" creatingUser="{G.format(90)}">'
            f'<CodeRef targetGUID="{G.format(code)}"/></Coding></PlainTextSelection>')


def qdpx(path: Path, xml: str, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# "Ünits 😀 grant" — an astral character before the words, CRLF line endings.
TEXT = "Interviewer: Tell me.\r\nP1: The 😀 pooled grant was late.\r\nP1: Budgets shrank.\r\n"


def utf16_crlf(words: str) -> tuple[int, int]:
    i = TEXT.index(words)
    start = len(TEXT[:i].encode("utf-16-le")) // 2
    return start, start + len(words.encode("utf-16-le")) // 2


def test_utf16_offsets_with_crlf_as_two_are_detected_and_converted(tmp_path: Path) -> None:
    a, b = utf16_crlf("pooled grant")
    c, d = utf16_crlf("Budgets shrank")
    e, f = utf16_crlf("was late")
    xml = project_xml(sel(1, a, b, 2) + sel(2, c, d, 3) + sel(3, e, f, 2))
    path = qdpx(tmp_path / "win.qdpx",
                xml, {"Sources/a.txt": b"\xef\xbb\xbf" + TEXT.encode("utf-8")})
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(path)
        assert report.convention == "UTF-16 code units, CRLF counted as two"
        assert report.missing == []
        texts = sorted(e.text for c in s.cells().values() for e in c.evidence)
        assert texts == ["Budgets shrank", "pooled grant", "was late"]
        assert {c.coder for c in s.store.codings()} == {"ann"}
        assert [sub.label for sub in s.codebook.subtopics] == ["Grants", "Budgets"]


def test_a_selection_that_fits_no_convention_is_reported_not_stored(tmp_path: Path) -> None:
    a, b = utf16_crlf("pooled grant")
    xml = project_xml(sel(1, a, b, 2) + sel(2, 5000, 5010, 2))
    path = qdpx(tmp_path / "bad.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(path)
        assert len(s.store.codings()) == 1
        assert any("selection 5000-5010" in m and "not imported" in m for m in report.missing)


def test_the_command_line_says_what_was_not_imported_as_a_labelled_line(
        tmp_path: Path) -> None:
    from tests._cli import fqda

    a, b = utf16_crlf("pooled grant")
    xml = project_xml(sel(1, a, b, 2) + sel(2, 5000, 5010, 2))
    path = qdpx(tmp_path / "bad.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
    code, _, err = fqda("import", "project", path, "--new", "--study", tmp_path / "s")
    assert code == 0
    (line,) = [ln for ln in err.splitlines() if "5000-5010" in ln]
    # The label is a label, not Rich's markup printed as it was typed.
    assert line.startswith("not imported: source P1.txt") and "[" not in line.split(":")[0]
    assert "[yellow]" not in err and "[/yellow]" not in err


def test_quoted_selection_names_decide_the_convention(tmp_path: Path) -> None:
    """ATLAS.ti names a quotation by its words: code points that match them win."""
    text = "Anna: The 😀 pooled grant was late and the budget shrank.\n"
    i = text.index("pooled grant was")
    xml = project_xml(sel(1, i, i + len("pooled grant was"), 2, "pooled grant was"))
    path = qdpx(tmp_path / "atlas.qdpx", xml, {"sources/a.txt": text.encode("utf-8")})
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(path)
        assert report.convention == "code points"
        (coding,) = s.store.codings()
        assert s.store.sources()[0].text[coding.start:coding.end] == "pooled grant was"


def test_an_empty_sources_folder_imports_the_codebook_and_says_what_is_missing(
        tmp_path: Path) -> None:
    xml = project_xml(sel(1, 0, 5, 2))
    path = qdpx(tmp_path / "empty.qdpx", xml, {"Sources/": b""})
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(path)
        assert [sub.label for sub in s.codebook.subtopics] == ["Grants", "Budgets"]
        assert s.store.sources() == []
        assert report.missing == ["source P1.txt: its text file internal://a.txt is not in the "
                                  "project (1 selection(s), 1 coding(s) not imported)"]


# -- hostile and malformed archives -----------------------------------------------
def hostile(tmp_path: Path, kind: str) -> Path:
    good = {"sources/a.txt": TEXT.encode()}
    p = tmp_path / f"{kind}.qdpx"
    if kind == "no-project":
        return qdpx(p, "", good) if False else _zip(p, good)
    if kind == "namespace":
        return qdpx(p, project_xml("").replace(NS, "urn:example:other"), good)
    if kind == "entity":
        xml = ('<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY x SYSTEM '
               '"file:///etc/passwd">]>\n' + project_xml("&x;").split("\n", 1)[1])
        return qdpx(p, xml, good)
    if kind == "escape":
        return qdpx(p, project_xml(""), {"../outside.txt": b"x"})
    if kind == "escape-path":
        return qdpx(p, project_xml("", path="internal://../../etc/passwd"), good)
    if kind == "huge":
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("project.qde", project_xml(""))
            zf.writestr("sources/a.txt", b"\0" * (300 * 1024 * 1024))
        return p
    if kind == "not-zip":
        p.write_bytes(b"this is not a zip")
        return p
    raise AssertionError(kind)


def _zip(p: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(p, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return p


@pytest.mark.parametrize(("kind", "words"), [
    ("no-project", "holds no project.qde"),
    ("namespace", "is not a REFI-QDA project"),
    ("entity", "declares XML entities or a DTD"),
    ("escape", "leads out of the project folder"),
    ("escape-path", "leads out of the sources folder"),
    ("huge", "zip bomb"),
    ("not-zip", "is not a readable .qdpx"),
])
def test_hostile_archives_are_one_line_and_leave_the_study_as_it_was(
        tmp_path: Path, kind: str, words: str) -> None:
    from tests.conftest import snapshot

    path = hostile(tmp_path, kind)
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        s.import_project(qdpx(tmp_path / "ok.qdpx", project_xml(""), {}))
        before = snapshot(s)
        actions = len(s.store.actions())
        with pytest.raises(InputError) as info:
            s.import_project(path)
        assert words in str(info.value) and "\n" not in str(info.value)
        assert snapshot(s) == before and len(s.store.actions()) == actions


def test_cli_import_and_export_project(example: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import framework_qda.cli as cli

    runner = CliRunner()
    target = tmp_path / "cli"
    result = runner.invoke(cli.app, ["import", "project", str(example / "study.qdpx"),
                                     "--new", "--study", str(target)])
    assert result.exit_code == 0, result.output
    assert "codings:" in result.stdout and "offsets read as code points" in result.stdout
    result = runner.invoke(cli.app, ["export", "project", "-o", str(tmp_path / "x.qdpx"),
                                     "--study", str(target)])
    assert result.exit_code == 0 and (tmp_path / "x.qdpx").is_file()
    bad = runner.invoke(cli.app, ["import", "project", str(tmp_path / "nope.qdpx"),
                                  "--study", str(target)])
    assert bad.exit_code == 1 and "does not exist" in bad.output


def copy_example(root: Path) -> Path:
    root.mkdir(parents=True)
    for name in EXAMPLE:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy(src, root / name)
    return root


def test_a_stale_cell_stays_stale_through_a_round_trip(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "stale")
    with fq.open_study(root) as a:
        a.run()
        assert a.cells()[("P1", "1.1")].state == "summarised"
        a.code(["P1:6"], ["1.1"], coder="hb")  # new evidence under a written summary
        assert a.cells()[("P1", "1.1")].state == "stale"
        a.export_project("stale.qdpx")
        with fq.open_study(fq.init_study(tmp_path / "copy")) as b:
            b.import_project(root / "stale.qdpx")
            cell = b.cells()[("P1", "1.1")]
            assert cell.state == "stale"
            assert cell.summary == a.cells()[("P1", "1.1")].summary
            assert cells(b) == cells(a)
            # what changed under it is still told: the passage added since
            from framework_qda.charting import evidence_change

            row_a = a.store.summary("P1", a.store.subtopic_ids()["1.1"])
            row_b = b.store.summary("P1", b.store.subtopic_ids()["1.1"])
            assert row_a is not None and row_b is not None
            assert row_b.evidence_hash == row_a.evidence_hash
            assert evidence_change(row_b, cell.evidence) == evidence_change(
                row_a, a.cells()[("P1", "1.1")].evidence)


NOTES = f"""
  <Notes>
    <Note guid="{G.format(300)}" name="Field note" creatingUser="{G.format(90)}">
      <PlainTextContent>P1 was tired after the night shift.</PlainTextContent></Note>
    <Note guid="{G.format(301)}" name="Project memo">
      <PlainTextContent>Ask about grants again.</PlainTextContent></Note>
  </Notes>"""


def test_notes_a_project_brings_are_history_and_can_be_undone(tmp_path: Path) -> None:
    a, b = utf16_crlf("pooled grant")
    source = {"sources/a.txt": TEXT.encode("utf-8")}
    first = qdpx(tmp_path / "first.qdpx", project_xml(sel(1, a, b, 2)), source)
    noted = qdpx(tmp_path / "noted.qdpx", project_xml(
        sel(1, a, b, 2) + f'<NoteRef targetGUID="{G.format(300)}"/>', extra=NOTES), source)
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        s.import_project(first)
        report = s.import_project(noted)
        assert report.notes_added == 2
        latest = s.history()[0]
        assert {(c.kind, c.noun, c.subject) for c in latest.changes} == {
            ("added", "note", "Field note on P1"), ("added", "note", "Project memo")}
        assert [c.subject for a in s.history(case_id="P1") for c in a.changes
                if c.noun == "note"] == ["Field note on P1"]
        s.undo(latest.who)
        assert s.store.notes() == []
        assert len(s.store.codings()) == 1  # the first import stays
        again = s.import_project(noted)
        assert again.notes_added == 2


def test_imported_sources_are_files_in_the_study_that_ingest_finds_unchanged(
        example: Path, tmp_path: Path) -> None:
    target = fq.init_study(tmp_path / "files")
    with fq.open_study(target) as b:
        b.import_project(example / "study.qdpx")
        sources = b.store.sources()
        assert sources
        for x in sources:
            assert x.path.startswith("transcripts/")
            file = target / x.path
            assert file.is_file() and file.read_text(encoding="utf-8") == x.text
        assert (target / "transcripts" / "P3_followup.docx.txt").is_file()
        before = [(x.id, x.name, x.case_id, x.sha256) for x in b.store.sources()]
        actions = len(b.store.actions())
        report = b.ingest()
        assert {o.status for o in report.files} == {"unchanged"}, report.files
        assert [(x.id, x.name, x.case_id, x.sha256) for x in b.store.sources()] == before
        assert len(b.store.actions()) == actions


def test_a_source_file_never_lands_outside_transcripts_nor_over_another_file(
        tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    (root / "transcripts" / "P1.txt").write_text("Someone else's words.\n", encoding="utf-8")
    xml = project_xml("").replace('name="P1.txt"', 'name="../../P1.txt"')
    xml = xml.replace("</Sources>", f'<TextSource guid="{G.format(11)}" name="P1.txt" '
                      'plainTextPath="internal://a.txt"/></Sources>')
    path = qdpx(tmp_path / "p.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
    with fq.open_study(root) as s:
        s.import_project(path)
        paths = sorted(x.path for x in s.store.sources())
    assert paths == ["transcripts/P1 (2).txt", "transcripts/_.._P1.txt"]
    assert (root / "transcripts" / "P1.txt").read_text(encoding="utf-8") == \
        "Someone else's words.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.qdpx", "s"]


def test_a_failed_import_leaves_no_source_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from framework_qda import project

    def broken(*args: object) -> None:
        raise InputError("p.qdpx", "broke half way")

    monkeypatch.setattr(project, "_store_notes", broken)
    a, b = utf16_crlf("pooled grant")
    path = qdpx(tmp_path / "p.qdpx", project_xml(sel(1, a, b, 2)),
                {"sources/a.txt": TEXT.encode("utf-8")})
    root = fq.init_study(tmp_path / "s")
    with fq.open_study(root) as s, pytest.raises(InputError):
        s.import_project(path)
    assert list((root / "transcripts").iterdir()) == []


SETS = f"""
  <Sets>
    <Set guid="{G.format(400)}" name="Money codes"><Description>All about money</Description>
      <MemberCode targetGUID="{G.format(2)}"/><MemberCode targetGUID="{G.format(3)}"/></Set>
    <Set guid="{G.format(401)}" name="Night shift">
      <MemberSource targetGUID="{G.format(10)}"/></Set>
  </Sets>"""


def test_codings_on_a_parent_code_and_sets_are_kept_and_written_back(tmp_path: Path) -> None:
    """NVivo and ATLAS.ti let a code with codes below it be coded itself: those
    passages go to the theme's "general" sub-topic, and back onto the parent on export."""
    a, b = utf16_crlf("pooled grant")
    c, d = utf16_crlf("Budgets shrank")
    e, f = utf16_crlf("Tell me")
    xml = project_xml(sel(1, a, b, 2) + sel(2, c, d, 3) + sel(3, e, f, 1), extra=SETS)
    path = qdpx(tmp_path / "p.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(path)
        assert report.missing == []
        assert report.general == ["1.3 Money: general"]
        assert report.sets == ["Money codes", "Night shift"]
        assert [(x.code, x.label) for x in s.codebook.subtopics] == [
            ("1.1", "Grants"), ("1.2", "Budgets"), ("1.3", "Money: general")]
        assert [e.text for e in s.cells()[("P1", "1.3")].evidence] == ["Tell me"]
        s.export_project("out.qdpx")
        xml_out = zipfile.ZipFile(tmp_path / "s" / "out.qdpx").read("project.qde").decode()
        assert 'name="Money codes"' in xml_out and 'name="Night shift"' in xml_out
        assert "general" not in xml_out  # the passages are the parent code's again
        assert f'<CodeRef targetGUID="{G.format(1)}"' in xml_out
        if XSD.exists():
            xmlschema = pytest.importorskip("xmlschema")
            xmlschema.XMLSchema(str(XSD)).validate(xml_out)
        with fq.open_study(fq.init_study(tmp_path / "again")) as b2:
            again = b2.import_project(tmp_path / "s" / "out.qdpx")
            assert again.general == ["1.3 Money: general"]
            assert cells(b2) == cells(s)
            assert [(g, n, m) for g, n, _, m in b2.store.sets()] == \
                [(g, n, m) for g, n, _, m in s.store.sets()]
        actions = len(s.store.actions())
        s.import_project(path)
        assert len(s.store.actions()) == actions


# -- cases and variables, as NVivo writes them; variables as ATLAS.ti's groups ------------
CASES = f"""
  <Variables>
    <Variable guid="{G.format(500)}" name="Role" typeOfVariable="Text"/>
    <Variable guid="{G.format(501)}" name="Site" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="{G.format(510)}" name="P1">
      <VariableValue><VariableRef targetGUID="{G.format(500)}"/><TextValue>Nurse</TextValue>
      </VariableValue>
      <VariableValue><VariableRef targetGUID="{G.format(501)}"/><TextValue>North</TextValue>
      </VariableValue>
      <SourceRef targetGUID="{G.format(10)}"/>
    </Case>
  </Cases>"""


def test_group_variable_takes_the_sample_group_from_a_case_variable(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import framework_qda.cli as cli

    a, b = utf16_crlf("pooled grant")
    xml = project_xml(sel(1, a, b, 2)).replace("<Sources>", CASES + "\n  <Sources>")
    path = qdpx(tmp_path / "p.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
    runner = CliRunner()
    bad = runner.invoke(cli.app, ["import", "project", str(path), "--group-variable", "Ward",
                                  "--new", "--study", str(tmp_path / "bad")])
    assert bad.exit_code == 1
    assert "has no variable 'Ward'" in bad.stderr and "Role, Site" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    result = runner.invoke(cli.app, ["import", "project", str(path), "--group-variable", "role",
                                     "--new", "--study", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    with fq.open_study(tmp_path / "s") as s:
        (case,) = s.store.cases()
        assert (case.id, case.group, case.attributes) == ("P1", "Nurse", (("Site", "North"),))
        s.export_project("out.qdpx")
    with fq.open_study(fq.init_study(tmp_path / "back")) as b2:
        b2.import_project(tmp_path / "s" / "out.qdpx")
        (case,) = b2.store.cases()
        assert (case.id, case.group, case.attributes) == ("P1", "Nurse", (("Site", "North"),))


def test_atlas_ti_document_groups_named_variable_value_are_case_attributes(
        tmp_path: Path) -> None:
    a, b = utf16_crlf("pooled grant")
    groups = f"""
  <Sets>
    <Set guid="{G.format(410)}" name="gender: female"><MemberSource targetGUID="{G.format(10)}"/>
    </Set>
    <Set guid="{G.format(411)}" name="age: 67"><MemberSource targetGUID="{G.format(10)}"/></Set>
    <Set guid="{G.format(412)}" name="Text files"><MemberSource targetGUID="{G.format(10)}"/>
    </Set>
  </Sets>"""
    path = qdpx(tmp_path / "p.qdpx", project_xml(sel(1, a, b, 2), extra=groups),
                {"sources/a.txt": TEXT.encode("utf-8")})
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        s.import_project(path, group_variable="gender")
        (case,) = s.store.cases()
        assert (case.id, case.group, case.attributes) == ("P1", "female", (("age", "67"),))
        assert len(s.store.sets()) == 3


@pytest.mark.skipif(not XSD.exists(), reason="no shared real-data folder")
def test_group_variable_on_the_real_atlas_ti_project_names_its_document_groups(
        tmp_path: Path) -> None:
    real = XSD.parent / "atlasti-8.4_standard_Project.qde"
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(real, group_variable="gender")  # "gender: male", "… female"
        assert report.cases_added == 0 and s.store.cases() == []  # its texts are missing
        with pytest.raises(InputError, match=r"its variables: age, gender"):
            s.import_project(real, group_variable="Site")


def test_import_into_a_study_with_its_own_codebook_matches_by_guid_then_name(
        tmp_path: Path) -> None:
    root = copy_example(tmp_path / "own")
    with fq.open_study(root) as s:
        s.run()
        before = [(x.code, x.label, x.guid) for x in s.codebook.subtopics]
        trust = s.codebook.subtopic("1.2")
        history = s.codebook.subtopic("1.4")
        # The project calls 1.2 something else (same GUID), has 1.4's name under
        # another GUID, and one code the study lacks.
        book = f"""<CodeBook><Codes>
    <Code guid="{G.format(1)}" name="Working together" isCodable="false">
      <Code guid="{trust.guid}" name="Trust, renamed in NVivo" isCodable="true"/>
      <Code guid="{G.format(2)}" name="{history.label}" isCodable="true"/>
      <Code guid="{G.format(3)}" name="Money worries" isCodable="true"/>
    </Code></Codes></CodeBook>"""
        xml = project_xml(sel(1, *utf16_crlf("pooled grant"), 111) + sel(
            2, *utf16_crlf("Budgets shrank"), 2) + sel(3, *utf16_crlf("was late"), 3))
        xml = xml.replace('<Coding guid="00000000-0000-4000-8000-000000000201" creatingUser='
                          f'"{G.format(90)}"><CodeRef targetGUID="{G.format(111)}"/>',
                          '<Coding guid="00000000-0000-4000-8000-000000000201" creatingUser='
                          f'"{G.format(90)}"><CodeRef targetGUID="{trust.guid}"/>')
        xml = xml.split("<CodeBook>")[0] + book + xml.split("</CodeBook>")[1]
        xml = xml.replace('name="P1.txt"', 'name="P99.txt"')
        path = qdpx(tmp_path / "p.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
        report = s.import_project(path)
        assert report.missing == []
        after = [(x.code, x.label, x.guid) for x in s.codebook.subtopics]
        assert after[:len(before)] == before  # the study's framework is kept as it was
        added = after[len(before):]
        assert [label for _, label, _ in added] == ["Money worries"]
        coded = {(c.subtopic, s.store.sources()[-1].text[c.start:c.end])
                 for c in s.store.codings() if c.source_id == s.store.sources()[-1].id}
        assert coded == {("1.2", "pooled grant"), ("1.4", "Budgets shrank"),
                         (added[0][0], "was late")}
        actions = len(s.store.actions())
        s.import_project(path)
        assert len(s.store.actions()) == actions


def test_a_qde_beside_its_sources_folder_imports_the_sources(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "Sources").mkdir(parents=True)
    (folder / "Sources" / "a.txt").write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    a, b = utf16_crlf("pooled grant")
    (folder / "project.qde").write_text(project_xml(sel(1, a, b, 2)), encoding="utf-8")
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(folder / "project.qde")
        assert report.missing == [] and report.sources_added == ["P1.txt"]
        (coding,) = s.store.codings()
        assert s.store.sources()[0].text[coding.start:coding.end] == "pooled grant"
    escape = tmp_path / "evil"
    (escape / "sources").mkdir(parents=True)
    (escape / "sources" / "a.txt").symlink_to(folder / "Sources" / "a.txt")
    (escape / "project.qde").write_text(project_xml(sel(1, a, b, 2)), encoding="utf-8")
    with fq.open_study(fq.init_study(tmp_path / "t")) as s, \
            pytest.raises(InputError, match="link out of the sources folder"):
        s.import_project(escape / "project.qde")


def test_an_edited_source_file_is_reingested_under_the_projects_name_and_case(
        tmp_path: Path) -> None:
    a, b = utf16_crlf("pooled grant")
    xml = project_xml(sel(1, a, b, 2)).replace('name="P1.txt"', 'name="Anna interview.docx"')
    xml = xml.replace("<Sources>", CASES.replace('name="P1"', 'name="Anna"') + "\n  <Sources>")
    path = qdpx(tmp_path / "p.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
    root = fq.init_study(tmp_path / "s")
    with fq.open_study(root) as s:
        s.import_project(path)
        (src,) = s.store.sources()
        assert (src.name, src.case_id, src.path) == (
            "Anna interview.docx", "Anna", "transcripts/Anna interview.docx.txt")
        file = root / src.path
        file.write_text(file.read_text(encoding="utf-8") + "P1: And one more thing.\n",
                        encoding="utf-8")
        report = s.ingest(case=None)
        assert [f.status for f in report.files] == ["updated"], report.files
        (src,) = s.store.sources()
        assert (src.name, src.case_id) == ("Anna interview.docx", "Anna")
        (coding,) = s.store.codings()
        assert src.text[coding.start:coding.end] == "pooled grant"


def test_two_sources_never_share_a_file(tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    plain = TEXT.replace("\r\n", "\n")
    (root / "transcripts" / "P1.txt").write_text(plain, encoding="utf-8")
    xml = project_xml("").replace('name="P1.txt"', 'name="P1"')
    path = qdpx(tmp_path / "p.qdpx", xml, {"sources/a.txt": plain.encode("utf-8")})
    with fq.open_study(root) as s:
        s.ingest(case="P1")
        s.import_project(path)
        assert sorted((x.name, x.path) for x in s.store.sources()) == [
            ("P1", "transcripts/P1 (2).txt"), ("P1.txt", "transcripts/P1.txt")]


def test_a_transcripts_folder_linked_out_of_the_study_is_never_written_through(
        tmp_path: Path) -> None:
    from framework_qda.errors import FqdaError
    from tests.conftest import snapshot

    root = fq.init_study(tmp_path / "s")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.rmtree(root / "transcripts")
    (root / "transcripts").symlink_to(outside, target_is_directory=True)
    a, b = utf16_crlf("pooled grant")
    path = qdpx(tmp_path / "p.qdpx", project_xml(sel(1, a, b, 2)),
                {"sources/a.txt": TEXT.encode("utf-8")})
    with fq.open_study(root) as s:
        before = snapshot(s)
        with pytest.raises(FqdaError, match="leads out of the study folder") as info:
            s.import_project(path)
        assert "\n" not in str(info.value)
        assert snapshot(s) == before
    assert list(outside.iterdir()) == []


def test_a_case_the_project_renamed_is_found_by_its_guid(tmp_path: Path) -> None:
    a, b = utf16_crlf("pooled grant")
    xml = project_xml(sel(1, a, b, 2)).replace("<Sources>", CASES + "\n  <Sources>")
    first = qdpx(tmp_path / "first.qdpx", xml, {"sources/a.txt": TEXT.encode("utf-8")})
    case = f'<Case guid="{G.format(510)}" name='
    renamed = qdpx(tmp_path / "renamed.qdpx",
                   xml.replace(case + '"P1">', case + '"Participant one">'),
                   {"sources/a.txt": TEXT.encode("utf-8")})
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        s.import_project(first)
        actions = len(s.store.actions())
        report = s.import_project(renamed)
        assert report.cases_added == 0
        assert [c.id for c in s.store.cases()] == ["P1"]
        assert len(s.store.actions()) == actions
