"""A command reads the framework and the cases once, yet never sees a stale one."""

from __future__ import annotations

from pathlib import Path

import framework_qda as fq

THEMES = "SELECT * FROM themes ORDER BY position"
CASES = "SELECT id, grp, attributes FROM cases ORDER BY position, id"


def test_a_quote_bank_export_reads_the_codebook_and_cases_once(study: fq.Study,
                                                                tmp_path: Path) -> None:
    statements: list[str] = []
    study.store.conn.set_trace_callback(statements.append)
    study.export_quotes(tmp_path / "quotes.md")
    assert statements.count(THEMES) == 1
    assert statements.count(CASES) == 1
    assert "Staffing" in (tmp_path / "quotes.md").read_text(encoding="utf-8")


def test_a_change_made_here_is_seen_at_the_next_read(study: fq.Study) -> None:
    assert study.codebook.subtopic("2.1").label == "Staffing"
    study.rename_subtopic("2.1", "Short staffing")
    assert study.codebook.subtopic("2.1").label == "Short staffing"
    assert {c.id: c.group for c in study.store.cases()}["P1"] != "Moved"
    with study.store.atomic():
        study.store.conn.execute("UPDATE cases SET grp = 'Moved' WHERE id = 'P1'")
    assert {c.id: c.group for c in study.store.cases()}["P1"] == "Moved"


def test_a_change_another_process_commits_is_seen_at_the_next_read(study: fq.Study) -> None:
    assert study.codebook.subtopic("2.1").label == "Staffing"
    assert {c.id: c.group for c in study.store.cases()}["P1"] != "Elsewhere"
    other = fq.open_study(study.root)
    try:
        other.rename_subtopic("2.1", "Rota gaps")
        with other.store.atomic():
            other.store.conn.execute("UPDATE cases SET grp = 'Elsewhere' WHERE id = 'P1'")
    finally:
        other.close()
    assert study.codebook.subtopic("2.1").label == "Rota gaps"
    assert {c.id: c.group for c in study.store.cases()}["P1"] == "Elsewhere"


def test_a_change_rolled_back_is_not_remembered(study: fq.Study) -> None:
    try:
        with study.store.atomic():
            study.store.conn.execute("UPDATE subtopics SET label = 'Gone' WHERE code = '2.1'")
            assert study.codebook.subtopic("2.1").label == "Gone"
            raise RuntimeError("the command failed")
    except RuntimeError:
        pass
    assert study.codebook.subtopic("2.1").label == "Staffing"
