"""Interactive coding: a whole transcript, one participant turn at a time, resumable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from framework_qda.session import CodingSession

runner = CliRunner()

P5 = """\
Interviewer: Tell me about your last night shift.

Hana: We started two short, so the handover was rushed.

Interviewer: What did that mean for the notes?

Hana: The notes were thin. I wrote what I could on the sheet.

Interviewer: Did anyone talk you through the patients?

Hana: The day nurse stayed ten minutes late to talk it through.

Interviewer: Was that usual?

Hana: No. Usually nobody has the time.
"""


@pytest.fixture
def root(study_dir: Path) -> Iterator[Path]:
    """The fixture study plus P5, a night-shift nurse with four answers."""
    (study_dir / "transcripts" / "P5.txt").write_text(P5, encoding="utf-8")
    with (study_dir / "cases.csv").open("a", encoding="utf-8") as f:
        f.write("P5,Nurses,Urban\n")
    with fq.open_study(study_dir) as s:
        s.run()
    yield study_dir


def session(root: Path, answers: str, coder: str = "tester") -> tuple[int, str, str]:
    result = runner.invoke(app, ["code", "--interactive", "P5", "--study", str(root)],
                           input=answers,
                           env={"NO_COLOR": "1", "COLUMNS": "120", "FQDA_CODER": coder})
    return result.exit_code, result.stdout, result.stderr


def codings(root: Path, coder: str = "tester") -> list[tuple[str, str, str]]:
    """(segment ref, sub-topic, memo) of the coder's codings of P5."""
    with fq.open_study(root) as s:
        source = s.store.source_by_name("P5")
        assert source is not None
        refs = {(g.start, g.end): g.ref for g in s.store.segments(source.id)}
        return [(refs[(c.start, c.end)], c.subtopic, c.memo) for c in s.store.codings()
                if c.source_id == source.id and c.coder == coder]


def test_code_skip_quit_then_resume_where_it_stopped(root: Path) -> None:
    code, out, err = session(root, "2.1\ns\nq\n")
    assert code == 0, err
    # The first panel shows P5:2 with the question before it and the framework listed.
    assert "P5:2 · 1/4" in out
    assert "P5:1  Interviewer: Tell me about your last night shift." in out
    assert "We started two short, so the handover was rushed." in out
    assert "1 Communication: 1.1 Handover notes  1.2 Talking in person" in out
    assert "P5:2 coded to 2.1" in err and "P5:4 skipped" in err
    assert codings(root) == [("P5:2", "2.1", "")]

    code, out, err = session(root, "1.1 2.2\nq\n")
    assert "P5:6 · 3/4" in out  # resumed after the skipped turn
    assert codings(root) == [("P5:2", "2.1", ""), ("P5:6", "1.1", ""), ("P5:6", "2.2", "")]
    # The session had stopped at P5:8: finish it.
    code, out, err = session(root, "2.2\n")
    assert "P5:8 · 4/4" in out
    assert ("every segment of P5 has been seen; 1 skipped one(s) are still uncoded and come "
            "back in the next session") in out
    # Once the end was reached, the next session starts again at the skipped turn.
    code, out, err = session(root, "1.1\n")
    assert "P5:4 · 2/4" in out and "all 4 segments of P5 are coded" in out
    assert ("P5:4", "1.1", "") in codings(root)


def test_undo_takes_the_last_answer_back(root: Path) -> None:
    code, out, err = session(root, "2.1 1.2\nu\nq\n")
    assert "undone: P5:2 has 2 fewer coding(s)" in err
    assert codings(root) == []
    code, out, _ = session(root, "q\n")
    assert "P5:2 · 1/4" in out  # the undone turn is the next to code


def test_back_returns_to_a_coded_turn_to_add_a_code(root: Path) -> None:
    session(root, "2.1\nb\n1.2\nq\n")
    assert codings(root) == [("P5:2", "1.2", ""), ("P5:2", "2.1", "")]


def test_a_memo_goes_with_the_codes(root: Path) -> None:
    session(root, "m\nrushed because short\n2.1\nm thin notes\n1.1\nq\n")
    assert codings(root) == [("P5:2", "2.1", "rushed because short"),
                             ("P5:4", "1.1", "thin notes")]


def test_bad_answers_are_explained_and_change_nothing(root: Path) -> None:
    code, out, err = session(root, "9.9\n\n?\nq\n")
    assert code == 0
    assert "unknown sub-topic 9.9" in err
    assert "type sub-topic codes, or ? for help" in err
    assert "u         undo your last answer" in err
    assert codings(root) == []


def test_end_of_input_saves_like_quit(root: Path) -> None:
    code, _, _ = session(root, "2.1\n")
    assert code == 0
    assert codings(root) == [("P5:2", "2.1", "")]


def test_each_coder_has_their_own_walk(root: Path) -> None:
    session(root, "2.1\n2.1\nq\n", coder="ana")
    code, out, _ = session(root, "q\n", coder="ben")
    assert "P5:2 · 1/4" in out
    assert codings(root, "ben") == []


def test_the_session_as_a_state_machine(root: Path) -> None:
    with fq.open_study(root) as s:
        walk = CodingSession(s.store, "P5", "mk")
        view = walk.view()
        assert view.segment is not None and view.segment.ref == "P5:2"
        assert [b.ref for b in view.before] == ["P5:1"]
        assert [a.ref for a in view.after] == ["P5:3"]
        assert (view.position, view.total, view.remaining) == (1, 4, 4)
        assert walk.answer("2.1").kind == "coded"
        assert walk.answer("b").kind == "back"
        assert walk.view().codes == ("2.1",)
        assert walk.answer("u").message == "undone: P5:2 has 1 fewer coding(s)"
        assert walk.answer("u").message == "nothing to undo in this session"
        assert walk.answer("b").message == "this is the first segment"
        assert walk.view().remaining == 4


def test_a_case_that_is_not_there(root: Path) -> None:
    result = runner.invoke(app, ["code", "-i", "P77", "--study", str(root)],
                           env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    assert "no case P77" in result.stderr


def test_part_of_a_turn_codes_its_sentences_and_stays_in_view(root: Path) -> None:
    code, out, err = session(root, "s\n.2 1.1\n.3 1.1\n.1\n? 2.1\n? 7.7\nn\nq\n")
    assert code == 0, err
    # the two-sentence turn is shown numbered, so its sentences can be named
    assert "[1] The notes were thin. [2] I wrote what I could on the sheet." in out
    assert "P5:4.2 coded to 1.1; code more of this turn, or n for the next" in err
    assert "P5:4 has sentences 1 to 2" in err
    assert "which sub-topics? e.g. .1 2.3" in err
    assert "2.1 Staffing\ndefinition: Too few staff on shift." in err
    assert "no sub-topic 7.7" in err
    assert "P5:4 done" in err and "P5:6 · 3/4" in out
    with fq.open_study(root) as s:
        source = s.store.source_by_name("P5")
        assert source is not None
        coded = [(source.text[c.start:c.end], c.subtopic) for c in s.store.codings()
                 if c.source_id == source.id and c.coder == "tester"]
    assert coded == [("I wrote what I could on the sheet.", "1.1")]


def test_a_one_sentence_turn_is_coded_whole(root: Path) -> None:
    with fq.open_study(root) as s:
        walk = CodingSession(s.store, "P5", "mk")
        assert walk.view().sentences == ()  # P5:2 is one sentence: nothing to number
        step = walk.answer(".2 2.1")
        assert (step.kind, step.message) == ("error", "P5:2 has one sentence; code it whole")
        assert walk.answer(".x 2.1").message.startswith(".x: write .N or .N-M")
        assert walk.answer("s").message == "P5:2 skipped"
        assert walk.answer(".1-2 1.1 1.2").message.startswith("P5:4.1-2 coded to 1.1 1.2")
        assert walk.answer("u").message == "undone: P5:4 has 2 fewer coding(s)"
