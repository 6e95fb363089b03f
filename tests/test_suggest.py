"""Rule suggestions: keywords and patterns propose codings; only accepted ones are evidence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import UnknownReference, ValidationError
from framework_qda.matrix import cell_text
from framework_qda.suggestion import inflections
from tests._cli import fqda as run_fqda

CODEBOOK = """\
title: Ward handovers
themes:
  - code: "1"
    label: Communication
    subtopics:
      - code: "1.1"
        label: Handover notes
        keywords: [note, sheet]
      - code: "1.2"
        label: Talking in person
        keywords: [face to face, talk, conversation]
  - code: "2"
    label: Pressures
    subtopics:
      - code: "2.1"
        label: Staffing
        keywords: [staff, short]
        patterns:
          - [{LOWER: few}, {LOWER: of}, {LOWER: us}]
      - code: "2.2"
        label: Time
        patterns:
          - [{LEMMA: overrun}]
          - [{LOWER: time}]
"""

# What the rules find in the participants' turns of the fixture study, in review order.
EXPECTED = [
    ("P1:2", "1.1", "sheet"),
    ("P1:4", "2.1", "short"),
    ("P2:2", "1.1", "note"),
    ("P2:2", "1.2", "talk; face to face"),
    ("P2:4", "2.2", "Time; overruns"),
    ("P3:2", "1.2", "conversation"),
    ("P3:4", "2.1", "staff; short"),
    ("P10:2", "1.1", "notes"),
    ("P10:4", "2.1", "few of us; Staffing"),
]


def fqda(*args: str, input: str | None = None) -> tuple[int, str, str]:
    return run_fqda(*args, input=input, columns=160, coder="rev")


@pytest.fixture
def root(study_dir: Path) -> Path:
    """The fixture study with rules in its codebook and nothing coded yet."""
    (study_dir / "codings.csv").unlink()
    (study_dir / "codebooks" / "framework.yaml").write_text(CODEBOOK, encoding="utf-8")
    with fq.open_study(study_dir) as s:
        s.import_cases("cases.csv")
        s.import_codebook("codebooks/framework.yaml")
        s.ingest()
    return study_dir


@pytest.fixture
def study(root: Path) -> Iterator[fq.Study]:
    s = fq.open_study(root)
    yield s
    s.close()


def pending(study: fq.Study) -> list[tuple[str, str, str]]:
    walk = study.review()
    out = []
    for item in walk.items:
        seg = study.store.segments(item.source_id, item.segment, item.segment)[0]
        out.append((seg.ref, item.subtopic, item.matched))
    return out


def test_inflections_cover_regular_english_forms() -> None:
    assert inflections("budget") == {"budget", "budgets", "budgeted", "budgeting"}
    assert {"funded", "funding", "funds"} <= inflections("fund")
    assert {"stopped", "stopping"} <= inflections("stop")
    assert {"policies", "managed", "managing", "boxes"} <= (
        inflections("policy") | inflections("manage") | inflections("box"))
    assert inflections("of") == {"of"}


def test_suggest_stores_participant_matches_with_the_words(study: fq.Study) -> None:
    report = study.suggest()
    assert (report.added, report.rules, report.segments) == (9, 4, 8)
    assert report.by_subtopic == {"1.1": 3, "2.1": 3, "1.2": 2, "2.2": 1}
    assert pending(study) == EXPECTED
    rows = [c for c in study.store.codings(status="suggested")]
    assert {(c.origin, c.coder) for c in rows} == {("rule", "rule")}


def test_running_again_adds_nothing(study: fq.Study) -> None:
    study.suggest()
    again = study.suggest()
    assert (again.added, again.known) == (0, 9)
    assert len(pending(study)) == 9


def test_suggestions_are_not_evidence(study: fq.Study, tmp_path: Path) -> None:
    study.suggest()
    assert study.evidence() == []
    assert study.quotes("1.1") == []
    assert study.matrix("1").cell("P2", "1.1").state == "empty"
    assert study.export_codings(tmp_path / "c.csv") == 0


def test_limits_by_theme_case_and_speaker(study: fq.Study) -> None:
    assert study.suggest(theme="2").by_subtopic == {"2.1": 3, "2.2": 1}
    assert study.suggest(case="P2").added == 2  # P2's theme-1 matches; theme 2 is done
    everyone = study.suggest(any_speaker=True)
    # Interviewers' questions: "time to talk?" (P1:3), "How are notes used?" (P10:1).
    assert everyone.added == 3 + 3
    asked = [p for p in pending(study) if p[0] in ("P1:3", "P10:1")]
    assert asked == [("P1:3", "1.2", "talk"), ("P1:3", "2.2", "time"), ("P10:1", "1.1", "notes")]


def test_unknown_theme_or_case(study: fq.Study) -> None:
    with pytest.raises(UnknownReference, match="no theme 7; the themes are 1, 2"):
        study.suggest(theme="7")
    with pytest.raises(UnknownReference, match="no case P99"):
        study.suggest(case="P99")


def test_an_invalid_pattern_is_named(study: fq.Study, root: Path) -> None:
    book = root / "codebooks" / "framework.yaml"
    book.write_text(CODEBOOK.replace("{LOWER: time}", "{LOWR: time}"), encoding="utf-8")
    study.import_codebook(book)
    with pytest.raises(ValidationError) as info:
        study.suggest()
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("sub-topic 2.2: a pattern is not valid for "
                                             "spaCy's Matcher")
    assert study.store.suggestions() == []


def test_review_accept_reject_change_skip_through_the_cli(study: fq.Study, root: Path) -> None:
    code, out, _ = fqda("suggest", "--study", str(root))
    assert code == 0
    assert "9 new suggestion(s) from 4 sub-topics' rules over 8 segment(s)" in out

    code, out, err = fqda("review", "--study", str(root), input="a\nr\nc 2.2\ns\nq\n")
    assert code == 0, err
    assert "suggested: 1.1 Handover notes (matched: sheet)" in out
    assert "P1:2 coded to 1.1" in err and "1.1 rejected" not in err
    assert "2.1 rejected" in err and "P2:2 coded to 2.2 instead of 1.1" in err
    assert out.strip().endswith("1 accepted, 1 rejected, 1 changed, 1 skipped; "
                                "6 left for review")
    # Accepted and changed ones are evidence now, attributed to the reviewer.
    assert [(q.ref, q.text[:22]) for q in study.quotes("1.1")] == [
        ("P1:2", "We write everything on")]
    assert [q.ref for q in study.quotes("2.2")] == ["P2:2"]
    assert study.quotes("2.1") == []
    assert {c.coder for c in study.store.codings()} == {"rev"}
    # Decided suggestions are not proposed again; the skipped one is next in review.
    assert study.suggest().added == 0
    assert pending(study)[0] == ("P2:2", "1.2", "talk; face to face")

    code, out, err = fqda("review", "--study", str(root), "--case", "P2",
                          input="c\n9.9\nc\n1.1\n")
    assert "unknown sub-topic 9.9" in err
    assert "P2:2 coded to 1.1 instead of 1.2" in err


def test_accepting_a_suggestion_that_crosses_a_coding_is_refused(study: fq.Study) -> None:
    study.suggest(case="P1")
    # A researcher codes a stretch that runs from P1:1 into P1:2 to 1.1 meanwhile.
    study.code(["P1"], ["1.1"], coder="mk", quote="ward?\n\nDana: We write")
    walk = study.review()
    step = walk.answer("a")
    assert step.kind == "error" and "partly overlaps" in step.message
    assert study.store.suggestions()[0].subtopic == "1.1"


def test_run_leaves_suggestions_for_review(root: Path) -> None:
    code, _, err = fqda("run", "--study", str(root))
    assert code == 0
    assert "   suggest  9 suggestions left for review (9 new)" in err
    code, _, err = fqda("run", "--study", str(root))
    assert "   suggest  9 suggestions left for review (0 new)" in err


def test_suggestions_show_in_matrices_only_when_asked_and_marked(tmp_path: Path) -> None:
    """Suggestions are never evidence; asked for, they ride along visibly marked."""
    import shutil

    from openpyxl import load_workbook

    from tests.conftest import DATA

    root = tmp_path / "study"
    shutil.copytree(DATA / "study", root)
    book = root / "codebooks" / "framework.yaml"
    book.write_text(book.read_text().replace(
        "label: Time\n", "label: Time\n        keywords: [staff]\n"))
    with fq.open_study(root) as s:
        s.run()  # includes a suggestion pass
        plain = s.matrix("2")
        assert plain.cell("P2", "2.2").suggestions == ()
        assert [e.ref for e in plain.cell("P2", "2.2").evidence] == ["P2:4"]
        shown = s.matrix("2", suggested=True)
        cell = shown.cell("P2", "2.2")
        assert cell.state == plain.cell("P2", "2.2").state  # suggestions change no state
        sug = [c for c in shown.cells.values() if c.suggestions]
        assert sug, "the keyword 'staff' should have produced a suggestion"
        text = cell_text(sug[0])
        assert "(suggested, not reviewed) “" in text
        ws_plain = load_workbook(s.export_excel(tmp_path / "a.xlsx"))["2 Pressures"]
        ws_shown = load_workbook(s.export_excel(tmp_path / "b.xlsx", suggested=True))[
            "2 Pressures"]
        values = [str(c.value) for row in ws_shown.iter_rows() for c in row if c.value]
        assert any("(suggested, not reviewed)" in v for v in values)
        assert not any("(suggested" in str(c.value) for row in ws_plain.iter_rows()
                       for c in row if c.value)


def test_a_changed_rule_withdraws_its_pending_suggestions_and_keeps_decisions(
        root: Path) -> None:
    from framework_qda.review_queue import QueueFilter

    with fq.open_study(root) as s:
        s.suggest()
        # the researcher rejects P1:2 → 1.1 ("sheet"), then narrows 1.1's rule to
        # "handover sheet" and tells 2.1 that "nurses short" is not its staffing
        [sheet] = s.review_queue(QueueFilter(keywords=("sheet",)))
        s.decide_suggestions([sheet], "rejected", "rev")
    (root / "codebooks" / "framework.yaml").write_text(
        CODEBOOK.replace("keywords: [note, sheet]", "keywords: [handover sheet]")
        .replace("keywords: [staff, short]",
                 "keywords: [staff, short]\n        exclude_keywords: [nurses short]"),
        encoding="utf-8")
    with fq.open_study(root) as s:
        s.import_codebook("codebooks/framework.yaml")
        report = s.suggest()
        assert report.withdrawn == 3  # P2:2 and P10:2 (notes), P1:4 ("nurses short")
        assert report.added == 0
        left = pending(s)
        assert ("P2:2", "1.1", "note") not in left and ("P1:4", "2.1", "short") not in left
        assert ("P3:4", "2.1", "staff; short") in left and len(left) == 9 - 1 - 3
        # the rejection stays: it was a decision, not a suggestion
        rejected = s.store.codings(status="rejected")
        assert [(c.subtopic, c.coder) for c in rejected] == [("1.1", "rev")]
        assert "3 suggestions removed" in s.history()[0].summary()
