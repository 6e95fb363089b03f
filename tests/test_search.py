"""Search over segment text: the FTS5 index, its upkeep on re-ingest, and the
regular-expression, coded/uncoded and case filters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _interpretation import build
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from framework_qda.search import Passage
from tests._backends import on_backend, on_sqlite

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with on_sqlite():
        return build(tmp_path_factory.mktemp("search") / "study")


@pytest.fixture
def study_dir(built: Path, store_backend: str) -> Path:
    return on_backend(built)


@pytest.fixture
def study(study_dir: Path) -> Iterator[fq.Study]:
    with fq.open_study(study_dir) as s:
        yield s


def refs(found: list[Passage]) -> list[str]:
    return [p.ref for p in found]


def segment_count(s: fq.Study) -> int:
    return sum(s.store.segment_count(src.id) for src in s.store.sources())


def test_words_find_segments_in_row_order_with_match_offsets(study: fq.Study) -> None:
    found = study.search("pooled")
    assert refs(found) == ["C1:2", "C3:2", "C10:2"]
    for p in found:
        assert [p.text[a:b] for a, b in p.matches] == ["pooled"]
    assert found[0].coded == ("1.1",) and found[2].coded == ()
    assert (found[0].group, found[0].speaker, found[0].case_id) == ("Council officer", "Amira",
                                                                    "C1")


def test_word_forms_match_and_every_word_must_occur(study: fq.Study) -> None:
    # "budgets" finds "budget" too; both words must be there
    assert refs(study.search("budgets")) == ["C1:2", "C3:2", "C10:2"]
    assert refs(study.search("budget accountability")) == ["C3:2"]


def test_phrases_prefixes_and_or(study: fq.Study) -> None:
    assert refs(study.search('"pooled budget"')) == ["C3:2"]
    assert refs(study.search("turn*")) == ["C4:4"]
    assert refs(study.search("turnover OR caseworkers")) == ["C4:4", "C5:4"]
    assert refs(study.search("pooled NOT accountability")) == ["C1:2", "C10:2"]


def test_punctuation_is_never_query_syntax(study: fq.Study) -> None:
    assert refs(study.search("budget's (draft")) == []
    assert refs(study.search("draft:")) == ["C2:4"]


def test_coded_and_uncoded(study: fq.Study) -> None:
    assert refs(study.search("pooled", coded=False)) == ["C10:2"]
    assert refs(study.search("pooled", coded=True)) == ["C1:2", "C3:2"]


def test_case_filter(study: fq.Study) -> None:
    assert refs(study.search("pooled", case="C3")) == ["C3:2"]
    with pytest.raises(fq.FqdaError, match="no case or source called C99"):
        study.search("pooled", case="C99")


def test_regex_runs_over_segments(study: fq.Study) -> None:
    found = study.search(r"\bcut\b", regex=True)
    assert refs(found) == ["C3:4", "C5:4"]  # not "cuts" (C1:4)
    assert [found[0].text[a:b] for a, b in found[0].matches] == ["cut"]
    assert refs(study.search(r"TWO \w+ago|two years", regex=True, coded=False)) == []
    assert refs(study.search(r"two years", regex=True)) == ["C2:4", "C4:4"]
    with pytest.raises(fq.FqdaError, match="not a valid regular expression"):
        study.search("(unclosed", regex=True)


def test_empty_query_is_refused(study: fq.Study) -> None:
    with pytest.raises(fq.FqdaError, match="give some words"):
        study.search(" ?! ")


def test_cli_json_snippet_marks_the_matches(study_dir: Path) -> None:
    result = runner.invoke(app, ["search", "trust", "--format", "json", "--study",
                                 str(study_dir)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["ref"] for r in rows] == ["C2:2", "C3:4", "C5:2"]
    assert rows[1]["snippet"] == ("Because when funding is cut, each partner protects its "
                                  "own share first. **Trust** goes out of the window.")
    assert rows[1]["text"].count("\n") == 1  # json keeps the exact text


def test_cli_refuses_coded_and_uncoded_together(study_dir: Path) -> None:
    result = runner.invoke(app, ["search", "x", "--coded", "--uncoded", "--study",
                                 str(study_dir)])
    assert result.exit_code == 1
    assert "not both" in result.output


def test_reingest_keeps_the_index_right(tmp_path: Path) -> None:
    folder = build(tmp_path / "study")
    transcript = folder / "transcripts" / "C10.txt"
    transcript.write_text(transcript.read_text(encoding="utf-8").replace(
        "about budgets, pooled or otherwise", "about allowances, shared or otherwise"),
        encoding="utf-8")
    with fq.open_study(folder) as s:
        assert refs(s.search("allowances")) == []
        report = s.ingest()
        assert [f.status for f in report.files if f.case_id == "C10"] == ["updated"]
        assert refs(s.search("allowances")) == ["C10:2"]
        assert refs(s.search("pooled")) == ["C1:2", "C3:2"]
        assert s.store.search_index_size() == segment_count(s)
        # the coding on C10:4 stayed attached and search still sees it coded
        assert refs(s.search("post", coded=True)) == ["C10:4"]


def test_new_transcript_is_searchable_at_once(tmp_path: Path) -> None:
    folder = build(tmp_path / "study")
    with open(folder / "cases.csv", "a", encoding="utf-8") as f:
        f.write("C11,Volunteer lead,Urban,1\n")
    (folder / "transcripts" / "C11.txt").write_text(
        "Interviewer: Hello.\n\nGrace: The minibus scheme is what keeps us going.\n",
        encoding="utf-8")
    with fq.open_study(folder) as s:
        s.import_cases("cases.csv")
        s.ingest()
        assert refs(s.search("minibus")) == ["C11:2"]
        assert s.store.search_index_size() == segment_count(s)


def test_index_follows_deleted_segments(tmp_path: Path) -> None:
    folder = build(tmp_path / "study")
    with fq.open_study(folder) as s:
        source = s.store.source_by_name("C3")
        assert source is not None
        with s.store.atomic():
            s.store.conn.execute("DELETE FROM codings WHERE source_id = ?", (source.id,))
            s.store.conn.execute("DELETE FROM segments WHERE source_id = ?", (source.id,))
        assert refs(s.search("pooled")) == ["C1:2", "C10:2"]
        assert s.store.search_index_size() == segment_count(s)
        # a whole source removed: its segments go by cascade, and so do their entries
        other = s.store.source_by_name("C2")
        assert other is not None
        with s.store.atomic():
            s.store.conn.execute("DELETE FROM codings WHERE source_id = ?", (other.id,))
            s.store.conn.execute("DELETE FROM sources WHERE id = ?", (other.id,))
        assert refs(s.search("records OR trust")) == ["C5:2"]  # C2 and C3 are gone
        assert s.store.search_index_size() == segment_count(s)


@pytest.mark.sqlite_only
def test_migration_indexes_segments_stored_before_it(tmp_path: Path) -> None:
    folder = build(tmp_path / "study")
    # put the store back to how it was before the index existed
    with fq.open_study(folder) as s, s.store.atomic():
        for name in ("segment_text_insert", "segment_text_delete", "segment_text_update",
                     "segment_text_source"):
            s.store.conn.execute(f"DROP TRIGGER {name}")
        s.store.conn.execute("DROP TABLE segment_text")
        s.store.conn.execute("DELETE FROM migrations WHERE name = '0005_search_index'")
    with fq.open_study(folder) as s:
        assert "0005_search_index" in s.store.applied_migrations()
        assert refs(s.search("pooled")) == ["C1:2", "C3:2", "C10:2"]
        assert s.store.search_index_size() == segment_count(s)


def test_limit_keeps_the_first_in_row_order(study: fq.Study) -> None:
    assert refs(study.search("pooled", limit=2)) == ["C1:2", "C3:2"]
    assert refs(study.search("pooled", coded=False, limit=1)) == ["C10:2"]
    assert refs(study.search(r"\bwe\b", regex=True, limit=3)) == ["C2:2", "C2:4", "C1:2"]


def test_stray_operators_are_forgiven(study: fq.Study) -> None:
    # row order: Health manager C4 (Rural) comes before C3 (Urban)
    assert refs(study.search("NOT pooled OR OR turnover AND")) == ["C1:2", "C4:4", "C3:2",
                                                                    "C10:2"]


def test_snippet_is_a_window_around_the_first_match() -> None:
    from framework_qda import render

    words = [f"w{i}" for i in range(100)]
    words[60] = "budget"
    text = "  ".join(words)
    start = text.index("budget")
    passage = Passage("C1:9", "C1", "Council officer", "Amira", "participant", text, (),
                      ((start, start + 6),))
    row = render.passage_rows([passage], exact=False)[0]
    snippet = str(row["snippet"])
    assert snippet.startswith("… w50 ") and snippet.endswith(" w79 …")
    assert "w59 **budget** w61" in snippet
    assert row["text"] == " ".join(words)  # folded for display
    assert render.passage_rows([passage])[0]["text"] == text  # exact for csv and json


def test_speaker_keeps_a_role_or_a_label(study: fq.Study) -> None:
    assert refs(study.search("partners", speaker="interviewer")) == ["C2:1", "C1:1"]
    assert refs(study.search("partners", speaker="participant")) == ["C3:4", "C5:2"]
    assert refs(study.search(r"\btrust", regex=True, speaker="chloe")) == ["C3:4"]
