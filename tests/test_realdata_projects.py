"""Real NVivo and ATLAS.ti projects: each imports with its counts, and every coded text is
what the vendor's selection covers (read independently: UTF-16 units of the raw file).

Runs only where the shared real-data folder sits beside the repository; the
files are read in place, never copied.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import framework_qda as fq

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "refi-qda"
pytestmark = pytest.mark.needs("realdata")


def vendor_texts(path: Path) -> list[str]:
    """Each coded selection's words, cut from the raw .txt by UTF-16 units as NVivo counts."""
    from defusedxml.ElementTree import fromstring

    archive = zipfile.ZipFile(path)
    root = fromstring(archive.read("project.qde"))
    ns = "{urn:QDA-XML:project:1.0}"
    out = []
    for source in root.iter(f"{ns}TextSource"):
        member = source.get("plainTextPath", "").removeprefix("internal://").lower()
        name = next(n for n in archive.namelist() if n.lower().endswith(member))
        raw = archive.read(name).decode("utf-8-sig").encode("utf-16-le")
        for sel in source.iter(f"{ns}PlainTextSelection"):
            a, b = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            out.append(raw[2 * a:2 * b].decode("utf-16-le").replace("\r\n", "\n"))
    return out


@pytest.mark.parametrize(("file", "convention", "selections"), [
    ("nvivo-win-12.6_oltas0517.qdpx", "UTF-16 code units, CRLF counted as two", 303),
    ("nvivo-mac-12.7_OltasSzkepticizmus.qdpx", "UTF-16 code units", 297),
])
def test_nvivo_projects_import_with_the_vendors_texts(tmp_path: Path, file: str,
                                                      convention: str, selections: int) -> None:
    path = REALDATA / file
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(path)
        assert report.convention == convention
        assert report.selections == selections
        assert len(report.sources_added) == 2 and report.codes == 152
        assert report.codings_added + report.codings_present == selections
        assert not [m for m in report.missing if "selection" in m]
        texts = {x.id: x.text for x in s.store.sources()}
        coded = sorted(texts[c.source_id][c.start:c.end] for c in s.store.codings())
        expected = sorted(vendor_texts(path))
        assert set(coded) == set(expected)
        assert {c.coder for c in s.store.codings()} <= {"Gergo", "floriansipos", "GP", "SF"}
        actions = len(s.store.actions())
        s.import_project(path)
        assert len(s.store.actions()) == actions


@pytest.mark.parametrize("file", ["atlasti-8.4_TestProject.qdpx",
                                  "atlasti-8.4_standard_Project.qde"])
def test_atlas_ti_without_its_sources_imports_the_codebook_and_says_what_is_missing(
        tmp_path: Path, file: str) -> None:
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        report = s.import_project(REALDATA / file)
        assert report.sources_added == [] and report.codes == 14
        labels = {sub.label for sub in s.codebook.subtopics}
        assert {"full-fat Coke", "diet Coke"} <= labels  # Coke::full-fat Coke
        assert any("Mabel.txt" in m and "not in the project" in m for m in report.missing)
        # ATLAS.ti's code and document groups are kept, with their members
        assert {"Feelings", "gender: male", "Breakfast food"} <= set(report.sets)
        kept = {name: members for _, name, _, members in s.store.sets()}
        assert len(kept) == 16 and len(kept["Text files"]) == 6
        assert kept["Feelings"] and {kind for kind, _ in kept["Feelings"]} == {"code"}


def test_a_real_import_exports_valid_and_keeps_nvivo_guids(tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    path = REALDATA / "nvivo-mac-12.7_OltasSzkepticizmus.qdpx"
    with fq.open_study(fq.init_study(tmp_path / "s")) as s:
        s.import_project(path)
        s.export_project("out.qdpx")
    xml = zipfile.ZipFile(tmp_path / "s" / "out.qdpx").read("project.qde").decode()
    xmlschema.XMLSchema(str(REALDATA / "Project.xsd")).validate(xml)
    original = zipfile.ZipFile(path).read("project.qde").decode()
    sources = set(re.findall(r'<TextSource [^>]*guid="([^"]+)"', original))
    assert sources <= set(re.findall(r'guid="([^"]+)"', xml))
    codings = set(re.findall(r'<Coding [^>]*guid="([^"]+)"', original))
    assert len(codings & set(re.findall(r'guid="([^"]+)"', xml))) >= len(codings) - 20


@pytest.mark.parametrize("file", ["nvivo-win-12.6_oltas0517.qdpx",
                                  "nvivo-mac-12.7_OltasSzkepticizmus.qdpx"])
def test_a_real_project_round_trips_exactly(tmp_path: Path, file: str) -> None:
    from collections import Counter

    def coded(s: fq.Study) -> Counter[tuple[str, str, str, str]]:
        names = {x.id: x.name for x in s.store.sources()}
        texts = {x.id: x.text for x in s.store.sources()}
        return Counter((names[c.source_id], c.subtopic, c.coder,
                        texts[c.source_id][c.start:c.end]) for c in s.store.codings())

    with fq.open_study(fq.init_study(tmp_path / "a")) as a:
        a.import_project(REALDATA / file)
        a.export_project("out.qdpx")
        with fq.open_study(fq.init_study(tmp_path / "b")) as b:
            report = b.import_project(tmp_path / "a" / "out.qdpx")
            assert report.missing == [] and report.convention == "code points"
            assert [(x.name, x.case_id, x.text) for x in b.store.sources()] == \
                [(x.name, x.case_id, x.text) for x in a.store.sources()]
            assert coded(b) == coded(a)
            assert [(x.code, x.label, x.definition, x.guid) for x in b.codebook.subtopics] == \
                [(x.code, x.label, x.definition, x.guid) for x in a.codebook.subtopics]
            assert {k: c.state for k, c in b.cells().items()} == \
                {k: c.state for k, c in a.cells().items()}
