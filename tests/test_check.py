"""`fqda check` holds every stored span to its text; `codings import` resolves
and stores in one transaction, so a re-ingest cannot slip in between."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app

runner = CliRunner()


def test_a_consistent_study_has_no_problems(study: fq.Study) -> None:
    study.set_summary("P1", "2.1", "Short-staffed [P1:4]")
    assert study.check() == []
    result = runner.invoke(app, ["check", "--study", str(study.root)])
    assert result.exit_code == 0 and "no problems found" in result.stdout


@pytest.mark.parametrize(("damage", "expected"), [
    ("UPDATE codings SET start = start + 1 WHERE id = (SELECT MIN(id) FROM codings)",
     "the text there is not the text it was coded on"),
    ('UPDATE codings SET "end" = 999999 WHERE id = (SELECT MIN(id) FROM codings)',
     "is not inside the source"),
    ('UPDATE segments SET "end" = 999999 WHERE number = 1 AND source_id = '
     "(SELECT MIN(id) FROM sources)", "is not inside the source"),
    ('UPDATE sentences SET "end" = "end" + 5000 WHERE number = 1 AND segment = 2',
     "is not inside its segment"),
    ('UPDATE summary_links SET "end" = 999999', "its link to P1.txt:4"),
    ("DELETE FROM segment_text WHERE rowid = (SELECT MIN(rowid) FROM segment_text)",
     "is not in it"),
    ("UPDATE segment_text SET body = 'other words' WHERE rowid = "
     "(SELECT MAX(rowid) FROM segment_text)", "is not the segment's text"),
])
def test_each_kind_of_damage_is_one_line_naming_where(study: fq.Study, damage: str,
                                                       expected: str, store_backend: str
                                                       ) -> None:
    study.set_summary("P1", "2.1", "Short-staffed [P1:4]")
    if store_backend == "postgresql":  # no triggers, no foreign keys, for this session
        study.store.conn.execute("SET session_replication_role = replica")
    else:
        study.store.conn.execute("PRAGMA foreign_keys = OFF")
        study.store.conn.execute("DROP TRIGGER IF EXISTS segment_text_update")
    study.store.conn.execute(damage)
    problems = study.check()
    assert len(problems) >= 1 and any(expected in p for p in problems), problems
    texts = [s.text for s in study.store.sources()]
    for p in problems:
        assert "\n" not in p
        assert not any(len(w) > 12 and w in t for t in texts for w in p.split())
        assert "nurses" not in p and "handover" not in p  # never the words
    result = runner.invoke(app, ["check", "--study", str(study.root)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == problems
    assert "problem(s) found" in result.stderr


def test_codings_import_cannot_race_a_reingest(study: fq.Study, study_dir: Path,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-ingest that moves the text starts while the import is resolving refs; it
    must wait for the import (then move its codings with the text), not commit in
    between and leave the import's codings over other words."""
    path = study_dir / "transcripts" / "P2.txt"
    table = tmp_path / "more.csv"
    table.write_text("case,segment,subtopic\nP2,2,2.1\nP2,4,1.1\n", encoding="utf-8")
    done: list[object] = []

    def reingest() -> None:
        other = fq.open_study(study_dir)
        try:
            path.write_text("Interviewer: A new first question?\n\nSam: Yes, and more.\n\n"
                            + path.read_text(encoding="utf-8"), encoding="utf-8")
            done.append(other.ingest([path]).files[0].status)
        finally:
            other.close()

    import framework_qda.codings_table as table_mod

    real = table_mod.parse_target
    started: list[threading.Thread] = []

    def resolving(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        if not started:
            started.append(threading.Thread(target=reingest))
            started[0].start()
            started[0].join(timeout=1.5)  # a re-ingest free to commit has done so by now
        return found

    monkeypatch.setattr(table_mod, "parse_target", resolving)
    study.import_codings(table)
    started[0].join(timeout=60)
    assert done == ["updated"]
    study.close()
    fresh = fq.open_study(study_dir)
    try:
        assert fresh.check() == []
        (p2,) = [x for x in fresh.store.sources() if x.case_id == "P2"]
        coded = {(c.subtopic, p2.text[c.start:c.end]) for c in fresh.store.codings()
                 if c.source_id == p2.id and c.coder != "hb"}
        assert coded == {
            ("2.1", "I prefer to talk face to face. You catch things a note never says."),
            ("1.1", "Time, mostly. The shift overruns and people just want to go home.")}
    finally:
        fresh.close()
