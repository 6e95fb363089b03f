"""REFI-QDA codebook exchange: what NVivo, ATLAS.ti and MAXQDA write, and what we write."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.codebook import load_codebook, parse_codebook, read_codebook, write_codebook
from framework_qda.refi import codebook as refi

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "refi-qda"
XSD = REALDATA / "Codebook.xsd"

NESTED = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="{ns}" origin="NVivo 12">
  <Codes>
    <Code guid="{{0EDE5BD6-E64E-4536-AEE6-8663227DACB5}}" name="1. Access" isCodable="true">
      <Description>Getting to care</Description>
      <Code guid="2B5E8F6B-D3A0-412E-9CA8-418531B012F7" name="Transport" isCodable="true">
        <Code guid="1ac2e223-431f-4945-8543-9e5ed2e4a1b7" name="Buses" isCodable="true">
          <Code guid="99b6903b-948f-4468-8964-611384112e46" name="Night buses" isCodable="true"/>
        </Code>
      </Code>
      <Code guid="1851945c-2f2e-49fe-80cd-fc93c74b3c85" name="Opening hours" isCodable="true"/>
    </Code>
    <Code guid="5d72168b-5965-47c2-92bf-c26a12155efb" name="Cost" isCodable="true">
      <Description>Money matters</Description>
    </Code>
  </Codes>
  <Sets>
    <Set guid="aee8e423-1848-4192-84cf-ea6cb669ff61" name="A set">
      <MemberCode guid="5d72168b-5965-47c2-92bf-c26a12155efb"/>
    </Set>
  </Sets>
</CodeBook>
"""

ATLAS = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Breakfast study">
  <CodeBook>
    <Codes>
      <Code guid="85D17F60-7BB0-481E-B742-B4861DD669DF" name="happiness" isCodable="true"/>
      <Code guid="0983E32E-6866-431A-BD94-DAC9BB963825" name="Coke::full-fat Coke"
            isCodable="true"><Description>aka regular</Description></Code>
      <Code guid="D299EFAE-5779-46DC-9827-A3D1A5D544BC" name="Coke::diet Coke" isCodable="true"/>
      <Code guid="7496BA52-9C8D-4396-8FAB-CC438614E453" name="Coke" isCodable="true">
        <Description>the breakfast of champions</Description>
      </Code>
      <Code guid="C3C7D437-6932-4B14-A55D-30B7F811BBF3" name="Tea::green" isCodable="true"/>
    </Codes>
  </CodeBook>
</Project>
"""


@pytest.mark.parametrize("ns", ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:1:0"])
def test_nested_codes_become_themes_and_subtopics(tmp_path: Path, ns: str) -> None:
    path = tmp_path / "book.qdc"
    path.write_text(NESTED.format(ns=ns), encoding="utf-8")
    cb, warnings = load_codebook(path)
    assert [t.heading for t in cb.themes] == ["1 Access", "2 Cost"]
    assert [s.heading for s in cb.theme("1").subtopics] == ["1.1 Transport", "1.2 Opening hours"]
    transport = cb.subtopic("1.1")
    # GUIDs in any case and with braces are read as one spelling.
    assert cb.theme("1").guid == "0ede5bd6-e64e-4536-aee6-8663227dacb5"
    assert transport.guid == "2b5e8f6b-d3a0-412e-9ca8-418531b012f7"
    # Deeper levels are folded into their sub-topic with a visible path, and said so.
    assert "Transport › Buses; Transport › Buses › Night buses" in transport.definition
    assert len(warnings) == 1
    assert "2 code(s) nested below 1.1 Transport were folded into it" in warnings[0]
    # A top-level code without children: a theme with one sub-topic of that name,
    # the sub-topic keeping the code's GUID (codings point at it).
    cost = cb.theme("2")
    assert [(s.code, s.label, s.guid) for s in cost.subtopics] == [
        ("2.1", "Cost", "5d72168b-5965-47c2-92bf-c26a12155efb")]
    assert cost.subtopics[0].definition == "Money matters"
    assert cost.guid and cost.guid != cost.subtopics[0].guid


def test_the_same_file_imports_with_the_same_guids_every_time(tmp_path: Path) -> None:
    path = tmp_path / "book.qdc"
    path.write_text(NESTED.format(ns=refi.NAMESPACE), encoding="utf-8")
    assert read_codebook(path) == read_codebook(path)


def test_atlas_ti_parent_child_names_nest(tmp_path: Path) -> None:
    path = tmp_path / "project.qde"
    path.write_text(ATLAS, encoding="utf-8")
    cb = read_codebook(path)
    assert cb.title == "Breakfast study"
    assert [t.label for t in cb.themes] == ["happiness", "Coke", "Tea"]
    coke = cb.theme("Coke")
    assert coke.definition == "the breakfast of champions"
    assert [(s.code, s.label) for s in coke.subtopics] == [("2.1", "full-fat Coke"),
                                                           ("2.2", "diet Coke")]
    assert coke.subtopics[0].definition == "aka regular"
    # A parent named only through "Tea::green" still becomes a theme.
    assert [s.label for s in cb.theme("Tea").subtopics] == ["green"]


def _qdpx(path: Path, member: str, xml: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Sources/abc.txt", "a source")
        zf.writestr(member, xml)
    return path


@pytest.mark.parametrize("member", ["project.qde", "Project.qde"])
def test_codebook_is_pulled_from_a_qdpx_project(tmp_path: Path, member: str) -> None:
    path = _qdpx(tmp_path / "study.qdpx", member, ATLAS)
    assert [t.label for t in read_codebook(path).themes] == ["happiness", "Coke", "Tea"]


def test_a_qdpx_that_would_unpack_too_far_is_refused(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = _qdpx(tmp_path / "bomb.qdpx", "project.qde", ATLAS + " " * 50_000)
    monkeypatch.setattr(refi, "MAX_XML_BYTES", 10_000)
    with pytest.raises(fq.InputError, match="refused as a possible zip bomb"):
        read_codebook(path)


def test_a_qdpx_without_a_project_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Sources/a.txt", "x")
    with pytest.raises(fq.InputError, match="holds no project.qde"):
        read_codebook(path)
    (tmp_path / "junk.qdpx").write_bytes(b"not a zip")
    with pytest.raises(fq.InputError, match="not a readable .qdpx"):
        read_codebook(tmp_path / "junk.qdpx")


def test_external_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.qdc"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        f'<CodeBook xmlns="{refi.NAMESPACE}"><Codes><Code guid="{"1" * 8}-1111-1111-1111-'
        f'{"1" * 12}" name="&x;" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    with pytest.raises(fq.InputError, match="entities or a DTD, which are refused"):
        read_codebook(path)


def test_not_a_codebook(tmp_path: Path) -> None:
    path = tmp_path / "x.qdc"
    path.write_text("<Project><Sources/></Project>", encoding="utf-8")
    with pytest.raises(fq.InputError, match="has no <CodeBook>"):
        read_codebook(path)
    path.write_text("<CodeBook><Codes>", encoding="utf-8")
    with pytest.raises(fq.InputError, match=r"x\.qdc:1: is not well-formed XML"):
        read_codebook(path)


# -- export ------------------------------------------------------------------------
def test_export_never_writes_empty_sets_and_keeps_guids(study: fq.Study, tmp_path: Path) -> None:
    first = study.export_codebook(tmp_path / "a.qdc").read_text(encoding="utf-8")
    second = study.export_codebook(tmp_path / "b.qdc").read_text(encoding="utf-8")
    assert "<Sets" not in first
    assert first == second
    for s in study.codebook.subtopics:
        assert f'guid="{s.guid}" name="{s.heading}" isCodable="true"' in first


@pytest.mark.needs("schemas")
def test_export_validates_against_the_official_schema(study: fq.Study, tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(XSD))
    path = study.export_codebook(tmp_path / "framework.qdc")
    schema.validate(str(path))
    # Markup-like text and non-ASCII in labels stay valid XML.
    cb = parse_codebook('themes:\n  - code: "1"\n    label: "Cost <&> café"\n    subtopics:\n'
                        '      - code: "1.1"\n        label: "A \\"quoted\\" one"\n'
                        '        definition: "x < y & z"\n')
    schema.validate(str(write_codebook(cb, tmp_path / "odd.qdc")))
    assert read_codebook(tmp_path / "odd.qdc").subtopic("1.1").definition == "x < y & z"


REAL = sorted(REALDATA.glob("*.qdpx")) if REALDATA.exists() else []


@pytest.mark.needs("realdata")
@pytest.mark.parametrize("project", REAL, ids=lambda p: p.name)
def test_real_projects_import_as_recognisable_frameworks(project: Path, tmp_path: Path) -> None:
    cb, warnings = load_codebook(project)
    assert len(cb.themes) >= 5
    assert all(t.label and t.subtopics for t in cb.themes)
    codes = [s.code for s in cb.subtopics]
    assert len(codes) == len(set(codes))
    assert all(s.code.startswith(s.theme_code + ".") for s in cb.subtopics)
    if "atlasti" in project.name:
        assert [s.label for s in cb.theme("Coke").subtopics] == ["full-fat Coke", "diet Coke"]
    else:
        # NVivo's numbered top-level nodes keep their numbers as theme codes.
        assert cb.theme("1").label == "Oltás típusa"
        assert [s.label for s in cb.theme("1").subtopics] == ["COVID", "Nem COVID"]
        assert any("folded into it" in w for w in warnings)
        # Every code of the project is somewhere: a theme, a sub-topic or a folded path.
        with zipfile.ZipFile(project) as zf:
            xml = zf.read(next(n for n in zf.namelist() if n.lower() == "project.qde"))
        book = xml[xml.index(b"<CodeBook"):xml.index(b"</CodeBook>")]
        folded = sum(int(w.split(": ", 1)[1].split(" ")[0]) for w in warnings)
        assert book.count(b"<Code ") == len(cb.themes) + len(cb.subtopics) + folded
    # Export, schema-check and re-import: the same framework.
    path = write_codebook(cb, tmp_path / "again.qdc")
    if XSD.exists():
        xmlschema = pytest.importorskip("xmlschema")
        xmlschema.XMLSchema(str(XSD)).validate(str(path))
    assert read_codebook(path).themes == cb.themes
