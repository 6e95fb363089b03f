"""A study brought over from another tool: a flat list of codes and a highlights table.

Taguette (and several other tools) keep codes as a flat list (``tag,
description``) and export highlights as ``id, document, tag, content`` with no
positions.  The transcripts here are ours, written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app

runner = CliRunner()

VISIT = (
    "Interviewer: How was the first visit?\n"
    "Mia: Okay. The nurse came on time. Okay. She explained the tablets.\n"
    "Interviewer: And the leaflet?\n"
    "Mia: Okay. The leaflet was too long. I gave up on page two.\n"
)
TAGS = ("tag,description,number of highlights\n"
        "Punctual care,Staff arrive when they said they would,2\n"
        "Information overload,Too much to read or take in,1\n"
        "Acknowledging,A bare okay or yes,3\n")


def study_with(tmp_path: Path, tags: str = TAGS) -> fq.Study:
    root = fq.init_study(tmp_path / "study")
    (root / "transcripts" / "M1_visit.txt").write_text(VISIT, encoding="utf-8")
    (root / "codebooks" / "tags.csv").write_text(tags, encoding="utf-8")
    s = fq.open_study(root)
    s.ingest(["transcripts"])
    s.import_codebook("codebooks/tags.csv")
    return s


def coded(s: fq.Study) -> list[tuple[str, int, str]]:
    """(sub-topic label, start, words) of every accepted coding."""
    labels = {sub.code: sub.label for sub in s.store.codebook().subtopics}
    return sorted((labels[c.subtopic], c.start, VISIT[c.start:c.end])
                  for c in s.store.codings() if c.status == "accepted")


def test_a_flat_list_of_codes_is_one_theme_with_its_descriptions(tmp_path: Path) -> None:
    from framework_qda.codebook import load_codebook

    path = tmp_path / "tags.csv"
    path.write_text(TAGS, encoding="utf-8")
    cb, warnings = load_codebook(path)
    assert [(t.code, t.label) for t in cb.themes] == [("1", "Ungrouped codes")]
    assert [(s.code, s.label, s.definition) for s in cb.subtopics] == [
        ("1.1", "Punctual care", "Staff arrive when they said they would"),
        ("1.2", "Information overload", "Too much to read or take in"),
        ("1.3", "Acknowledging", "A bare okay or yes")]
    assert warnings == ["tags.csv: a flat list of 3 codes (no theme column): they are "
                        "sub-topics of one theme, 1 'Ungrouped codes', matched by name when "
                        "the list is read again; group them into themes with `fqda codebook "
                        "move`, or add theme code and theme label columns"]


def test_parent_names_group_a_flat_list_and_a_repeated_name_is_refused(tmp_path: Path) -> None:
    from framework_qda.codebook import load_codebook

    path = tmp_path / "tags.csv"
    path.write_text("tag\nCare::Punctual\nCare::Kind\nLeaflets::Too long\n", encoding="utf-8")
    cb, _ = load_codebook(path)
    assert [(t.code, t.label, [s.label for s in t.subtopics]) for t in cb.themes] == [
        ("1", "Care", ["Punctual", "Kind"]), ("2", "Leaflets", ["Too long"])]
    path.write_text("tag\nPunctual\nKind\npunctual\n", encoding="utf-8")
    with pytest.raises(fq.ValidationError) as err:
        load_codebook(path)
    assert err.value.problems == [f"{path}:4: 'punctual' is listed again (first on line 2); "
                                  "list each code once"]


def test_a_later_version_of_the_list_keeps_codings_with_their_names(tmp_path: Path) -> None:
    s = study_with(tmp_path)
    s.code(["M1:2"], ["1.1"])  # Punctual care
    # The next version of the list: a tag added at the top, one removed, one moved.
    (s.root / "codebooks" / "tags.csv").write_text(
        "tag,description\nWaiting,Time spent waiting\nAcknowledging,A bare okay\n"
        "Punctual care,Staff arrive when they said they would\n", encoding="utf-8")
    s.import_codebook("codebooks/tags.csv")
    assert [(label, words[:9]) for label, _, words in coded(s)] == [
        ("Punctual care", "Okay. The")]
    assert s.store.codebook().subtopic("1.3").label == "Punctual care"
    s.close()


HIGHLIGHTS = (
    "id,document,tag,content\n"
    "1,M1_visit.txt,Acknowledging,Okay.\n"
    "2,M1_visit.txt,Punctual care,The nurse came on time.\n"
    "3,M1_visit.txt,Acknowledging,Okay.\n"
    "4,M1_visit.txt,Acknowledging,Okay.\n"
    "4,M1_visit.txt,Information overload,Okay.\n"
    "5,M1_visit.txt,Information overload,The leaflet was too long.\n"
)


def test_highlights_with_repeated_quotes_need_their_order_and_then_land_exactly(
        tmp_path: Path) -> None:
    s = study_with(tmp_path)
    table = s.root / "highlights.csv"
    table.write_text(HIGHLIGHTS, encoding="utf-8")
    with pytest.raises(fq.ValidationError) as err:
        s.import_codings(table)
    assert "--in-order places the repeated ones" in str(err.value)
    assert [p.split(": ", 1)[0] for p in err.value.problems] == [
        f"{table}:2", f"{table}:4", f"{table}:5", f"{table}:6"]
    assert coded(s) == []

    report = s.import_codings(table, in_order=True)
    assert report.added == 6
    okays = [i for i in range(len(VISIT)) if VISIT.startswith("Okay.", i)]
    nurse = VISIT.index("The nurse")
    leaflet = VISIT.index("The leaflet")
    assert coded(s) == sorted([
        ("Acknowledging", okays[0], "Okay."),
        ("Punctual care", nurse, "The nurse came on time."),
        ("Acknowledging", okays[1], "Okay."),
        # rows 4 and 4 are one highlight with two tags: one place, both codes
        ("Acknowledging", okays[2], "Okay."),
        ("Information overload", okays[2], "Okay."),
        ("Information overload", leaflet, "The leaflet was too long."),
    ])
    s.close()


def test_in_order_refuses_a_file_whose_quotes_are_not_in_text_order(tmp_path: Path) -> None:
    s = study_with(tmp_path)
    table = s.root / "highlights.csv"
    table.write_text("document,tag,content\n"
                     "M1_visit.txt,Information overload,The leaflet was too long.\n"
                     "M1_visit.txt,Acknowledging,Okay.\n"
                     "M1_visit.txt,Punctual care,The nurse came on time.\n", encoding="utf-8")
    with pytest.raises(fq.ValidationError) as err:
        s.import_codings(table, in_order=True)
    assert err.value.problems[0] == (
        f"{table}:2: the quotes of M1_visit.txt are not in the order of their words (line 2 "
        "stands after line 4 in the text), so --in-order cannot place its repeated quotes; "
        "import without it")
    assert coded(s) == []
    s.close()


def test_the_command_line_imports_a_taguette_export(tmp_path: Path) -> None:
    s = study_with(tmp_path)
    root = s.root
    s.close()
    (root / "highlights.csv").write_text(HIGHLIGHTS, encoding="utf-8")
    result = runner.invoke(app, ["codings", "import", str(root / "highlights.csv"), "--in-order",
                                 "--study", str(root)], env={"NO_COLOR": "1", "COLUMNS": "200",
                                                             "FQDA_CODER": "tester"})
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "6 coding(s) imported, 0 already there"


def test_a_highlight_that_takes_in_the_speakers_label_codes_the_turns_words(
        tmp_path: Path) -> None:
    """Taguette highlights raw text: 'Mia: Okay. The leaflet…' starts on the label."""
    s = study_with(tmp_path)
    table = s.root / "labelled.csv"
    table.write_text("document,tag,content\n"
                     "M1_visit.txt,Information overload,\"Mia: Okay. The leaflet was too long. "
                     "I gave up on page two.\n\"\n", encoding="utf-8")
    s.import_codings(table)
    last = VISIT.rindex("Okay. The leaflet")
    assert coded(s) == [("Information overload", last, VISIT[last:].rstrip("\n"))]
    assert [e.ref for e in s.store.evidence()] == ["M1:4"]  # the whole turn, by its number
    s.close()
