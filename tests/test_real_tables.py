"""Tables and quotes as researchers' programs write them (small defects of real use)."""

from __future__ import annotations

from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import UnknownReference


def test_a_mis_decoded_byte_order_mark_in_the_header_is_not_part_of_the_name(
        study: fq.Study) -> None:
    path = study.root / "more_cases.csv"
    path.write_bytes("ï»¿case,group,area\nP11,Nurses,Rural\n".encode())
    study.import_cases(path)
    assert study.case("P11").group == "Nurses"


def _coded(study: fq.Study) -> list[str]:
    src = study.store.sources("P1")[0]
    return [src.text[c.start:c.end] for c in study.store.source_codings(src.id)]


def test_a_quote_that_starts_and_ends_inside_words_is_taken_where_it_stands(
        study: fq.Study) -> None:
    study.code(["P1"], ["1.2"], quote="ite everything on the sh")
    assert "ite everything on the sh" in _coded(study)


def test_whole_words_are_still_preferred_to_a_match_inside_a_word(study: fq.Study) -> None:
    # "handover" stands once as a word in P1, and once inside "handovers".
    study.code(["P1"], ["1.2"], quote="handover")
    src = study.store.sources("P1")[0]
    coding = next(c for c in study.store.source_codings(src.id)
                  if src.text[c.start:c.end] == "handover")
    assert src.text[coding.start:coding.end + 1] == "handover,"
    with pytest.raises(UnknownReference, match="occurs 2 times"):
        study.code(["P1"], ["1.1"], quote="sheet")


def test_a_codings_row_keeps_its_quotes_white_space_and_offsets_must_hold_the_quote(
        study: fq.Study) -> None:
    src = study.store.sources("P1")[0]
    start = src.text.index("We write everything")
    path = study.root / "quoted.csv"
    path.write_text("case,quote,subtopic,coder\n"
                    '"P1"," everything on the sheet",2.2,hb\n', encoding="utf-8")
    study.import_codings(path)
    assert " everything on the sheet" in _coded(study)
    bad = study.root / "disagree.csv"
    bad.write_text(f"case,start,end,quote,subtopic,coder\nP1,{start},{start + 8},"
                   "Hardly,1.2,hb\n", encoding="utf-8")
    with pytest.raises(fq.FqdaError) as info:
        study.import_codings(bad)
    assert "do not hold this row's quote" in str(info.value) + "".join(
        getattr(info.value, "problems", []))
    good = study.root / "agree.csv"
    good.write_text(f"case,start,end,quote,subtopic,coder\nP1,{start},{start + 8},"
                    "We write,1.2,hb\n", encoding="utf-8")
    study.import_codings(good)
    assert "We write" in _coded(study)


def test_the_codebook_error_names_every_accepted_suffix(tmp_path: Path) -> None:
    from framework_qda.codebook import load_codebook

    path = tmp_path / "codes.docx"
    path.write_bytes(b"x")
    with pytest.raises(fq.InputError, match=r"\.qdc, \.qdpx or \.qde files$"):
        load_codebook(path)


def test_a_survey_tables_other_columns_become_case_attributes(study: fq.Study) -> None:
    from framework_qda.ingest import IngestOptions

    path = study.root / "survey.csv"
    path.write_text("case,age,gender,area,comments\n"
                    "P1,34,F,Coastal,The rota is better.\nP50,51,M,,Too few staff.\n",
                    encoding="utf-8")
    report = study.ingest_files([path], IngestOptions(id_column="case", columns=("comments",),
                                                      new_cases=True))
    assert [f.status for f in report.files] == ["added", "added"]
    p1 = study.case("P1")
    assert (p1.group, p1.attribute("area"), p1.attribute("age"), p1.attribute("gender")) == (
        "Managers", "Rural", "34", "F")  # the cases file's area is kept
    p50 = study.case("P50")
    assert (p50.attribute("age"), p50.attribute("gender"), p50.attribute("area")) == (
        "51", "M", "")
    assert [s.speaker for s in study.segments("P50")] == ["comments"]


DEEP = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
  <Codes>
    <Code guid="0ede5bd6-e64e-4536-aee6-8663227dacb5" name="Access" isCodable="true">
      <Description>Getting to the service</Description>
      <Code guid="2b5e8f6b-d3a0-412e-9ca8-418531b012f7" name="Transport" isCodable="true">
        <Description>How people travel</Description>
        <Code guid="1ac2e223-431f-4945-8543-9e5ed2e4a1b7" name="Buses" isCodable="true">
          <Description>Any bus service, timetables included</Description>
          <Code guid="99b6903b-948f-4468-8964-611384112e46" name="Night buses"
                isCodable="true"><Description>After 11 pm</Description></Code>
        </Code>
      </Code>
    </Code>
  </Codes>
</CodeBook>
"""


def test_descriptions_of_codes_folded_from_deeper_levels_are_kept(tmp_path: Path) -> None:
    from framework_qda.codebook import load_codebook

    path = tmp_path / "deep.qdc"
    path.write_text(DEEP, encoding="utf-8")
    cb, warnings = load_codebook(path)
    transport = cb.subtopic("1.1")
    assert transport.definition.startswith("How people travel")
    assert "Transport › Buses: Any bus service, timetables included" in transport.definition
    assert "Transport › Buses › Night buses: After 11 pm" in transport.definition
    assert "with their descriptions" in warnings[0]
