"""History and undo: every change recorded (who, when, before, after); the last one put back."""

from __future__ import annotations

import json

import pytest

import framework_qda as fq
from framework_qda.errors import FqdaError
from tests._cli import fqda as run_fqda
from tests.conftest import snapshot


def fqda(*args: str, coder: str = "ann") -> tuple[int, str, str]:
    return run_fqda(*args, coder=coder)


def test_a_coding_is_recorded_with_who_and_what(study: fq.Study) -> None:
    study.code(["P1:2"], ["2.2"], coder="ann", memo="handover")
    last = study.history(limit=1)[0]
    assert last.who == "ann"
    assert [c.describe() for c in last.changes] == ["coding added: P1:2 → 2.2"]
    assert last.changes[0].after is not None and last.changes[0].after["memo"] == "handover"


def test_undo_puts_a_removed_coding_back_and_is_itself_recorded(study: fq.Study) -> None:
    before = snapshot(study)
    study.uncode(["P1:2"], ["1.1"], coder="hb")
    assert snapshot(study) != before
    undone = study.undo()
    assert undone.command.startswith("uncode") and snapshot(study) == before
    newest = study.history(limit=2)
    assert newest[0].undoes == undone.id and newest[1].undone_by == newest[0].id


def test_undo_of_a_summary_restores_the_earlier_text(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "First words [P1:2]", author="ann")
    study.set_summary("P1", "1.1", "Second words [P1:2]", author="ann", replace=True)
    study.undo("ann")
    assert study.cells(["1.1"])[("P1", "1.1")].summary == "First words [P1:2]"
    assert study.summary_links()[("P1", "1.1")] == ["P1:2"]


def test_undo_refuses_when_later_work_by_someone_else_depends_on_it(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "Ann's words [P1:2]", author="ann")
    study.set_summary("P1", "1.1", "Bo's words [P1:2]", author="bo", replace=True)
    before = snapshot(study)
    with pytest.raises(FqdaError, match=r"later work depends on it — #\d+ by bo"):
        study.undo("ann")
    assert snapshot(study) == before


def test_undo_of_a_codebook_rename_rewrites_the_codebook_file(study: fq.Study) -> None:
    label = study.codebook.subtopic("2.2").label
    study.rename_subtopic("2.2", "Something else", who="ann")
    study.undo("ann")
    assert study.codebook.subtopic("2.2").label == label
    book = (study.root / "codebooks").glob("*.yaml")
    assert any(label in p.read_text(encoding="utf-8") for p in book)


def test_nothing_to_undo_is_one_clear_line(study: fq.Study) -> None:
    with pytest.raises(FqdaError, match="zed has nothing to undo"):
        study.undo("zed")


def test_history_filters_by_cell_and_coder(study: fq.Study) -> None:
    study.code(["P2:2"], ["2.2"], coder="ann")
    study.code(["P1:2"], ["2.2"], coder="bo")
    mine = study.history(coder="bo")
    assert [a.who for a in mine] == ["bo"]
    cell = study.history(case_id="P2", subtopic="2.2")
    # only that cell's changes, not everything else the same commands did
    assert cell and all(c.subject.startswith(("P2:", "P2 ×")) and "2.2" in c.subject
                        for a in cell for c in a.changes)
    assert all(a.who == "ann" for a in cell[:1])


def test_cli_history_json_shows_before_and_after(study: fq.Study) -> None:
    study.set_summary("P1", "1.1", "One [P1:2]", author="ann")
    code, out, _ = fqda("history", "--case", "P1", "--subtopic", "1.1", "--format", "json",
                        "--study", str(study.root))
    assert code == 0
    rows = json.loads(out)
    summary = next(c for c in rows[0]["changes"] if c["what"] == "summary")
    assert summary["after"]["text"] == "One [P1:2]" and rows[0]["who"] == "ann"


def test_cli_undo_names_what_it_undid(study: fq.Study) -> None:
    code, out, _ = fqda("uncode", "P1:2", "1.1", "--coder", "hb", "--study", str(study.root))
    assert code == 0
    code, out, err = fqda("undo", "--study", str(study.root))
    assert code == 0 and "(fqda uncode" in out and "1 coding removed" in out
    code, out, err = fqda("history", "--limit", "1", "--study", str(study.root))
    assert "undoes" in out


def test_a_command_that_changes_nothing_leaves_no_history(study: fq.Study) -> None:
    n = len(study.history())
    study.import_cases(study.root / "cases.csv")
    study.ingest()
    assert len(study.history()) == n
