"""Codebooks in YAML, CSV and XLSX: round trips, validation, diff."""

from __future__ import annotations

import dataclasses
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import framework_qda as fq
from framework_qda.codebook import load_codebook, parse_codebook, read_codebook, write_codebook
from framework_qda.codebook_changes import diff, diff_files
from framework_qda.model import Codebook, Subtopic, Theme
from tests.conftest import REPO

RICH_YAML = """\
title: Collaboration
groups: [Leaders, Staff]
themes:
  - code: "1"
    label: Relationships
    definition: Working together.
    guid: "{0F8A1907-7E42-4739-8610-A676B4D1B69F}"
    subtopics:
      - code: "1.1"
        label: Trust
        definition: |-
          What builds trust.
          And what breaks it.
        include: Promises kept
        exclude: Money (2.1)
        example: "=we keep our word"
        keywords: [trust, promise, let down]
        patterns:
          - [{LOWER: pooled}, {LEMMA: budget}]
          - [{LOWER: trust}]
        guid: 85d17f60-7bb0-481e-b742-b4861dd669df
      - code: "1.3"
        label: Café culture
  - code: "2"
    label: Money
    subtopics:
      - code: "2.1"
        label: Budgets
        keywords: [budget]
"""


def framework(cb: Codebook) -> tuple[object, ...]:
    """What a round trip must keep: every theme and sub-topic field, line numbers aside."""
    return tuple(
        dataclasses.replace(t, line=None, subtopics=tuple(
            dataclasses.replace(s, line=None) for s in t.subtopics))
        for t in cb.themes)


def with_guids(cb: Codebook) -> Codebook:
    """Every theme and sub-topic with a GUID, as a study's stored framework has."""
    def guid(g: str) -> str:
        return g or str(uuid.uuid4())

    return dataclasses.replace(cb, themes=tuple(
        dataclasses.replace(t, guid=guid(t.guid), subtopics=tuple(
            dataclasses.replace(s, guid=guid(s.guid)) for s in t.subtopics))
        for t in cb.themes))


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xlsx", ".qdc"])
def test_every_format_round_trips_the_framework(tmp_path: Path, suffix: str) -> None:
    original = with_guids(parse_codebook(RICH_YAML, "rich.yaml"))
    path = write_codebook(original, tmp_path / f"book{suffix}")
    again = read_codebook(path)
    assert framework(again) == framework(original)
    assert again.subtopic("1.1").patterns == (
        [{"LOWER": "pooled"}, {"LEMMA": "budget"}], [{"LOWER": "trust"}])
    # A second export of what was read is the same file: nothing drifts.
    second = write_codebook(again, tmp_path / f"second{suffix}")
    if suffix != ".xlsx":
        assert second.read_bytes() == path.read_bytes()


def test_yaml_keeps_title_and_group_order(tmp_path: Path) -> None:
    again = read_codebook(write_codebook(parse_codebook(RICH_YAML), tmp_path / "b.yml"))
    assert again.title == "Collaboration"
    assert again.groups == ("Leaders", "Staff")


def test_round_trip_through_a_study_keeps_guids(study: fq.Study, tmp_path: Path) -> None:
    before = study.codebook
    for fmt in ("yaml", "csv", "xlsx", "qdc"):
        path = study.export_codebook(tmp_path / f"out.{fmt}")
        changes = study.import_codebook(path)
        assert changes.added == changes.removed == changes.recoded == ()
        assert [s.guid for s in study.codebook.subtopics] == [s.guid for s in before.subtopics]


def test_csv_written_by_hand_with_the_nine_columns_reads(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(
        "Theme code;Theme label;Sub-topic code;Label;Definition;Inclusion;Exclusion;"
        "Example;Keywords\n"
        "1;Access;1.1;Getting there;Travel to clinic;Buses;;\"We took two buses\";\"bus; taxi\"\n"
        "1;Access;1.2;Waiting;;;;;\n"
        "2;Cost;2.1;Fees;;;;;fee\n", encoding="utf-8")
    cb = read_codebook(path)
    assert [t.heading for t in cb.themes] == ["1 Access", "2 Cost"]
    sub = cb.subtopic("1.1")
    assert (sub.label, sub.include, sub.example) == ("Getting there", "Buses",
                                                       "We took two buses")
    assert sub.keywords == ("bus", "taxi")


def test_xlsx_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_codebook(parse_codebook(RICH_YAML), tmp_path / "book.xlsx")
    ws = load_workbook(path).active
    assert ws is not None
    examples = [row[7] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "=we keep our word" in examples
    assert ws["A1"].value == "theme_code"


# -- validation: every problem at once, as file:line ------------------------------
BAD_YAML = """\
themes:
  - code: "1"
    label: One
    subtopics:
      - code: "1.1"
        label: ""
      - code: "1.1"
        label: Again
        keywords: [fine, {not: a word}]
        patterns:
          - [{LOWER: ok}]
          - "pooled budget"
  - code: "1"
    label: Dup theme
    guid: not-a-guid
subtopics:
  - code: "9.1"
    label: Orphan
    theme: "9"
"""


def test_yaml_reports_every_problem_with_its_line() -> None:
    with pytest.raises(fq.ValidationError) as exc:
        parse_codebook(BAD_YAML, "bad.yaml")
    problems = exc.value.problems
    assert all(re.match(r"bad\.yaml:\d+: ", p) for p in problems)
    text = "\n".join(problems)
    assert "bad.yaml:5: sub-topic 1.1 has an empty label" in text
    assert "bad.yaml:7: duplicate sub-topic code 1.1 (first on line 5)" in text
    assert "bad.yaml:7: keywords of 1.1 must be words or phrases" in text
    assert "bad.yaml:12: pattern 2 of 1.1 cannot be parsed" in text
    assert "bad.yaml:13: duplicate theme code 1" in text
    assert "bad.yaml:13: the guid of theme 1 is not a GUID" in text
    assert "bad.yaml:17: sub-topic 9.1 is outside any theme" in text
    assert len(problems) == 7


def test_a_guid_names_one_subtopic() -> None:
    guid = "85d17f60-7bb0-481e-b742-b4861dd669df"
    text = (f'themes:\n  - code: "1"\n    label: A\n    subtopics:\n'
            f'      - code: "1.1"\n        label: B\n        guid: {guid}\n'
            f'      - code: "1.2"\n        label: C\n        guid: "{{{guid.upper()}}}"\n')
    with pytest.raises(fq.ValidationError, match=r"x\.yaml:8: 1\.2 has the same guid as 1\.1 "
                       r"\(line 5\)"):
        parse_codebook(text, "x.yaml")


def test_patterns_must_be_a_list(tmp_path: Path) -> None:
    text = 'themes:\n  - code: "1"\n    label: A\n    subtopics:\n' \
           '      - code: "1.1"\n        label: B\n        patterns: budget\n'
    with pytest.raises(fq.ValidationError, match=r"x\.yaml:7: patterns of 1.1 must be a list"):
        parse_codebook(text, "x.yaml")


def test_csv_reports_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(
        "theme code,theme label,subtopic code,label,patterns\n"
        "1,Access,1.1,Travel,\n"
        ",,1.2,Orphan,\n"
        "1,Access,1.1,Twice,\n"
        "2,,2.1,,\n"
        "2,Cost,2.2,Fees,[[{\"LOWER\": \"fee\"}\n"
        "2,Money,2.3,Bills,\"[\"\"fee\"\"]\"\n", encoding="utf-8")
    with pytest.raises(fq.ValidationError) as exc:
        read_codebook(path)
    text = "\n".join(exc.value.problems)
    assert f"{path}:3: sub-topic 1.2 is outside any theme" in text
    assert f"{path}:4: duplicate sub-topic code 1.1 (first on line 2)" in text
    assert f"{path}:5: theme 2 has an empty label" in text
    assert f"{path}:5: sub-topic 2.1 has an empty label" in text
    assert f"{path}:6: patterns of 2.2 cannot be parsed" in text
    assert f"{path}:7: theme 2 is labelled 'Money' here but" not in text  # first label empty
    assert f"{path}:7: pattern 1 of 2.3 cannot be parsed" in text


def test_xlsx_reports_rows_by_number(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Theme code", "Theme label", "Subtopic code", "Label"])
    ws.append(["1", "Access", "1.1", "Travel"])
    ws.append(["1", "Entry", "1.2", "Doors"])
    ws.append(["1", "Access", "1.1", ""])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    with pytest.raises(fq.ValidationError) as exc:
        read_codebook(path)
    text = "\n".join(exc.value.problems)
    assert f"{path}:3: theme 1 is labelled 'Entry' here but 'Access' on line 2" in text
    assert f"{path}:4: sub-topic 1.1 has an empty label" in text
    assert f"{path}:4: duplicate sub-topic code 1.1" in text


def test_a_table_without_the_needed_columns_says_which(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text("description,notes\nA,B\n", encoding="utf-8")
    with pytest.raises(fq.InputError, match=r"book\.csv:1: has no 'theme code', 'subtopic code'"):
        read_codebook(path)


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.docx"
    path.write_bytes(b"PK")
    with pytest.raises(fq.InputError, match=r"codebooks are read from \.yaml, \.yml, \.csv, \.tsv, "
                                         r"\.xlsx, \.xlsm, \.qdc, \.qdpx or \.qde files"):
        load_codebook(path)


def test_readme_yaml_example_is_a_valid_codebook() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Codebook"):]
    block = section[section.index("```yaml") + 7: section.index("```", section.index("```yaml")
                                                                   + 7)]
    cb = parse_codebook(block, "README.md")
    assert cb.subtopic("2.3").keywords == ("budget", "pooled", "grant")


def test_example_study_codebook_reads() -> None:
    cb = read_codebook(REPO / "codebooks" / "framework.yaml")
    assert len(cb.themes) >= 3 and all(t.subtopics for t in cb.themes)


# -- diff ---------------------------------------------------------------------------
def test_diff_names_added_removed_renamed_and_changed(tmp_path: Path) -> None:
    old = parse_codebook(RICH_YAML)
    edited = RICH_YAML.replace("label: Café culture", "label: Coffee culture") \
        .replace("keywords: [budget]", "keywords: [budget, grant]") \
        .replace('      - code: "2.1"', '      - code: "2.2"\n        label: New one\n'
                 '      - code: "2.1"')
    new = parse_codebook(edited)
    got = {(d.kind, d.code, d.detail) for d in diff(old, new)}
    assert ("renamed", "1.3", "sub-topic label 'Café culture' -> 'Coffee culture'") in got
    assert ("changed", "2.1", "sub-topic keywords") in got
    assert ("added", "2.2", "sub-topic 'New one'") in got
    assert len(got) == 3
    # Across formats: a recoded sub-topic with its GUID kept is a rename of the code.
    moved = RICH_YAML.replace('code: "1.1"', 'code: "1.4"')
    (tmp_path / "a.yaml").write_text(RICH_YAML, encoding="utf-8")
    write_codebook(parse_codebook(moved), tmp_path / "b.xlsx")
    kinds = [(d.kind, d.detail) for d in diff_files(tmp_path / "a.yaml", tmp_path / "b.xlsx")]
    assert kinds == [("renamed", "sub-topic code 1.1 -> 1.4")]


def test_diff_of_the_same_framework_is_empty(tmp_path: Path) -> None:
    write_codebook(parse_codebook(RICH_YAML), tmp_path / "a.qdc")
    (tmp_path / "b.yaml").write_text(RICH_YAML, encoding="utf-8")
    assert diff_files(tmp_path / "b.yaml", tmp_path / "a.qdc") == []


# -- any framework a researcher could write survives every format --------------------
_words = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
                 min_size=1, max_size=30).map(lambda t: " ".join(t.split())).filter(bool)
_notes = st.one_of(st.just(""), _words, st.lists(_words, min_size=2, max_size=3)
                   .map("\n".join))


@st.composite
def frameworks(draw: st.DrawFn) -> Codebook:
    themes = []
    for ti in range(1, draw(st.integers(1, 3)) + 1):
        subs = tuple(
            Subtopic(code=f"{ti}.{si}", label=draw(_words), theme_code=str(ti),
                     definition=draw(_notes), include=draw(st.one_of(st.just(""), _words)),
                     exclude=draw(st.one_of(st.just(""), _words)),
                     example=draw(st.one_of(st.just(""), _words)),
                     keywords=tuple(draw(st.lists(_words.filter(lambda w: ";" not in w),
                                                  max_size=3))),
                     guid=str(uuid.UUID(int=ti * 100 + si)))
            for si in range(1, draw(st.integers(1, 3)) + 1))
        themes.append(Theme(str(ti), draw(_words), draw(_notes), subs,
                            guid=str(uuid.UUID(int=ti))))
    return Codebook(title="t", themes=tuple(themes))


GUID_1 = "00000000-0000-0000-0000-000000000001"
GUID_1_1 = "00000000-0000-0000-0000-000000000065"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cb=frameworks(), suffix=st.sampled_from([".yaml", ".csv", ".xlsx", ".qdc"]))
@example(cb=Codebook(title="t", themes=(Theme(
    "1", "0", "0\nKeywords:", (Subtopic("1.1", "0", "1", guid=GUID_1_1),), GUID_1),)),
    suffix=".qdc")  # a theme's own words that look like a sub-topic's labelled line
@example(cb=Codebook(title="t", themes=(Theme("1", "0", "", (Subtopic(
    "1.1", "0", "1", definition="0\nKeywords: a\n\\b", guid=GUID_1_1),), GUID_1),)),
    suffix=".qdc")  # and a sub-topic's, and a backslash of its own
def test_any_framework_round_trips(tmp_path: Path, cb: Codebook, suffix: str) -> None:
    assert framework(read_codebook(write_codebook(cb, tmp_path / f"any{suffix}"))) == \
        framework(cb)
