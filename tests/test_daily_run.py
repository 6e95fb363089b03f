"""fqda run every day: unchanged inputs change nothing, and nothing done in the study is undone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import framework_qda as fq
from tests._cli import fqda as run_fqda
from tests.conftest import copy_example


def fqda(*args: str) -> tuple[int, str, str]:
    return run_fqda(*args, coder="ann")


def dump(root: Path) -> list[str]:
    """Every row of every table of the store, as SQL."""
    conn = sqlite3.connect(root / ".fqda" / "study.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the bundled example study, as a fresh clone has it."""
    root = tmp_path / "example"
    copy_example(root)
    return root


def test_run_twice_changes_nothing_then_keeps_what_the_researcher_did(example: Path) -> None:
    assert fqda("run", "--study", str(example))[0] == 0
    first = dump(example)
    code, _, err = fqda("run", "--study", str(example))
    assert code == 0 and dump(example) == first
    assert "codings.csv unchanged since last applied" in err
    assert "summaries.csv unchanged since last applied" in err
    # The researcher uncodes a passage and rewrites a summary ...
    assert fqda("uncode", "P1:4", "1.1", "--coder", "hb", "--study", str(example))[0] == 0
    assert fqda("chart", "P1", "1.2", "--text", "My own reading [P1:6]", "--replace",
                "--study", str(example))[0] == 0
    code, _, err = fqda("run", "--study", str(example))
    assert code == 0, err
    # ... and the next run keeps both.
    with fq.open_study(example) as s:
        assert "P1:4" not in [e.ref for e in s.cells(["1.1"])[("P1", "1.1")].evidence]
        assert s.store.summaries()[("P1", "1.2")].text == "My own reading [P1:6]"
        assert not [x for x in s.store.suggestions("P1") if x.subtopic == "1.1"
                    and x.segment == 4]  # no rule proposes the uncoded words again


def test_a_new_row_in_codings_csv_arrives_but_a_removed_coding_is_a_conflict(
        example: Path) -> None:
    fqda("run", "--study", str(example))
    fqda("uncode", "P1:4", "1.1", "--coder", "hb", "--study", str(example))
    codings = example / "codings.csv"
    text = codings.read_text(encoding="utf-8")
    # a new row: arrives at the next run
    codings.write_text(text + "P2,5,2.3,ann,\n", encoding="utf-8")
    code, _, err = fqda("run", "--study", str(example))
    assert code == 0 and "1 added, 0 already present from codings.csv" in err
    # the researcher's removal, typed back into the file (say, with a memo) conflicts
    codings.write_text(codings.read_text(encoding="utf-8") + "P1,4,1.1,ann,again\n",
                       encoding="utf-8")
    before = dump(example)
    code, _, err = fqda("run", "--study", str(example))
    assert code == 1
    assert "conflict: codings.csv:" in err and "P1:4 → 1.1 was removed in the study" in err
    assert [ln for ln in dump(example) if "INSERT INTO \"codings\"" in ln] == [
        ln for ln in before if "INSERT INTO \"codings\"" in ln]
    code, _, err = fqda("run", "--prefer", "study", "--study", str(example))
    assert code == 0 and "left out (removed in the study)" in err
    with fq.open_study(example) as s:
        assert "P1:4" not in [e.ref for e in s.cells(["1.1"])[("P1", "1.1")].evidence]


def test_a_summary_edited_in_the_study_is_not_overwritten_by_the_file(example: Path) -> None:
    fqda("run", "--study", str(example))
    fqda("chart", "P1", "1.1", "--text", "Mine now [P1:4]", "--replace", "--study", str(example))
    summaries = example / "summaries.csv"
    text = summaries.read_text(encoding="utf-8")
    summaries.write_text(text.replace("people, in the end", "people, at the end"),
                         encoding="utf-8")
    code, _, err = fqda("run", "--study", str(example))
    assert code == 1 and "conflict: summaries.csv:2: P1 × 1.1 has a summary written" in err
    with fq.open_study(example) as s:
        assert s.store.summaries()[("P1", "1.1")].text == "Mine now [P1:4]"
    code, _, err = fqda("run", "--prefer", "file", "--study", str(example))
    assert code == 0
    with fq.open_study(example) as s:
        assert "people, at the end" in s.store.summaries()[("P1", "1.1")].text
        earlier = [c.before["text"] for a in s.history(case_id="P1", subtopic="1.1")
                   for c in a.changes if c.noun == "summary" and c.before]
        assert "Mine now [P1:4]" in earlier


def test_an_edit_of_a_summary_the_file_wrote_arrives(example: Path) -> None:
    fqda("run", "--study", str(example))
    summaries = example / "summaries.csv"
    summaries.write_text(summaries.read_text(encoding="utf-8").replace(
        "people, in the end", "people, at the end"), encoding="utf-8")
    code, _, err = fqda("run", "--study", str(example))
    assert code == 0 and "1 written from summaries.csv" in err
    with fq.open_study(example) as s:
        assert "people, at the end" in s.store.summaries()[("P1", "1.1")].text


def test_a_csv_codebook_in_codebooks_is_applied_when_it_changes(example: Path) -> None:
    fqda("run", "--study", str(example))
    assert fqda("codebook", "export", "-o", str(example / "codebooks" / "framework.csv"),
                "--study", str(example))[0] == 0
    (example / "codebooks" / "framework.yaml").unlink()
    book = example / "codebooks" / "framework.csv"
    book.write_text(book.read_text(encoding="utf-8").replace(
        "Pooled budgets and funding", "Pooled and aligned budgets"), encoding="utf-8")
    code, _, err = fqda("run", "--study", str(example))
    assert code == 0 and "codebooks/framework.csv: 16 sub-topics, 0 new, 1 changed" in err
    with fq.open_study(example) as s:
        assert s.codebook.subtopic("2.3").label == "Pooled and aligned budgets"
