"""Survey ingest in batches stores exactly what storing one row at a time stores."""

from __future__ import annotations

import csv
import hashlib
import random
import sqlite3
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.ingest import IngestOptions
from framework_qda.ingest.sentences import (
    load_pipeline,
    segment_sentences,
    sources_sentences,
)
from framework_qda.ingest.survey import read_survey
from framework_qda.model import Case
from framework_qda.search import parse_query
from framework_qda.store import SegmentRow, Store
from framework_qda.store.rows import NewSource

QUESTIONS = ["Why did you join?", "What would help", "Anything else (e.g. rotas)?!"]

# Answers that start, end or break in every way the sentencizer or the
# tokenizer could read differently with a label in front of them.
OPENINGS = ['"', "(", "...", "'", "-", "!", "?", ":)", ":D", "<3", "e.g.", "1.", "—", "“",
            "»", "[", "*", "Yes", "no", "OK", "we", "St.", "Dr", "#", "@", "¿", "。"]
WORDS = ["staff", "nights", "rota", "handover", "sheet", "time", "pay", "we", "the",
         "U.K.", "don't", "can't", "e.g.", "etc.", "Mr.", "ward-based", "24/7", "£5"]
BREAKS = [". ", "! ", "? ", "... ", " - ", "; ", ", ", " ", "\n", "\r\n", "  ", ".\n\n",
          '." ', "?) ", " :) ", ". . ", "!!! ", "?! "]


def _answer(rng: random.Random) -> str:
    parts = [rng.choice(OPENINGS) if rng.random() < 0.5 else rng.choice(WORDS)]
    for _ in range(rng.randint(0, 14)):
        parts.append(rng.choice(BREAKS) if rng.random() < 0.4 else " ")
        parts.append(rng.choice(WORDS + OPENINGS))
    if rng.random() < 0.5:
        parts.append(rng.choice([".", "!", "?", "", " ", "\n", '"', ")"]))
    return "".join(parts) if rng.random() < 0.9 else "   "


def _write_survey(path: Path, rows: int, seed: int, ids: list[str] | None = None) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", *QUESTIONS])
        for i in range(rows):
            out.writerow([ids[i] if ids else f"R{i:03d}",
                          *(_answer(rng) if rng.random() < 0.8 else "" for _ in QUESTIONS)])


def _dump(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    q = {
        "cases": "SELECT id, grp, position, attributes FROM cases ORDER BY id",
        "sources": "SELECT id, case_id, name, path, format, sha256, text, metadata "
                   "FROM sources ORDER BY id",
        "segments": "SELECT * FROM segments ORDER BY source_id, number",
        "sentences": "SELECT * FROM sentences ORDER BY source_id, segment, number",
        "index": "SELECT rowid, body FROM segment_text ORDER BY rowid",
        "deferred": "SELECT * FROM segment_text_deferred",
    }
    return {k: [tuple(r) for r in conn.execute(sql)] for k, sql in q.items()}


def _one_row_at_a_time(store: Store, path: Path) -> None:
    """What survey ingest stored before batching: a case, a source and its rows,
    and its sentences from the whole text, row after row."""
    nlp = load_pipeline("")
    rows = read_survey(path, "id", QUESTIONS)
    with store.atomic():
        store.upsert_cases([Case(c) for c in sorted({row.case_id for row in rows})])
        for row in rows:
            segments = row.transcript.segments or []
            store.put_source(
                case_id=row.case_id, name=row.name, path=str(path), format="survey",
                sha256=hashlib.sha256(row.transcript.text.encode("utf-8")).hexdigest(),
                text=row.transcript.text, metadata=row.transcript.metadata, segments=segments,
                sentences=segment_sentences(nlp, row.transcript.text,
                                            [(s.number, s.start, s.end) for s in segments]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_answer_gives_the_sentences_spacy_finds_in_it_alone(tmp_path: Path,
                                                                 seed: int) -> None:
    path = tmp_path / "survey.csv"
    _write_survey(path, 300, seed)
    nlp = load_pipeline("")
    items = [(r.transcript.text, [(s.number, s.start, s.end) for s in r.transcript.segments or []])
             for r in read_survey(path, "id", QUESTIONS)]
    expected = []
    for text, segments in items:
        rows = []
        for number, start, end in segments:
            body = text[start:end]
            spans = [(start + s.start_char, start + s.end_char) for s in nlp(body).sents]
            count = 0
            for a, b in spans:
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                if b > a:
                    count += 1
                    rows.append((number, count, a, b))
        expected.append(rows)
    assert list(sources_sentences(nlp, items, batch_size=7)) == expected


def test_batched_survey_ingest_stores_the_rows_one_at_a_time_would(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    _write_survey(path, 250, 7)
    root = fq.init_study(tmp_path / "batched")
    with fq.open_study(root) as s:
        report = s.ingest_files([path], IngestOptions(id_column="id", columns=tuple(QUESTIONS),
                                                      new_cases=True))
        assert {f.status for f in report.files} == {"added"}
        batched = _dump(s.store.conn)
        # FTS5's own check that the index holds exactly its rows' terms.
        s.store.conn.execute("INSERT INTO segment_text (segment_text) VALUES ('integrity-check')")
    reference = Store(tmp_path / "reference.db")
    _one_row_at_a_time(reference, path)
    assert batched == _dump(reference.conn)
    assert batched["deferred"] == []
    assert len(batched["sentences"]) > 400
    reference.close()


def test_batches_mixed_with_changed_rows_keep_ids_codings_and_index(tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    path = tmp_path / "survey.csv"
    options = IngestOptions(id_column="id", columns=("q1",), new_cases=True)
    path.write_text("id,q1\nA,Too few nurses at night.\nB,Fine.\n", encoding="utf-8")
    with fq.open_study(root) as s:
        s.import_codebook(Path(__file__).parent / "data" / "study" / "codebooks"
                          / "framework.yaml")
        s.ingest_files([path], options)
        s.code(["A:1"], ["2.1"], coder="hb")
        ids = {x.name: x.id for x in s.store.sources()}
        rows = ["id,q1", "A,Sadly: Too few nurses at night.", "B,Fine.",
                *(f"N{i},New answer {i}. Short staff." for i in range(5000))]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        report = s.ingest_files([path], options)
        assert [f.status for f in report.files[:3]] == ["updated", "unchanged", "added"]
        assert report.count("added") == 5000
        assert {x.name: x.id for x in s.store.sources()}["survey_A.csv"] == ids["survey_A.csv"]
        assert [q.text for q in s.quotes("2.1")] == ["Too few nurses at night."]
        conn = s.store.conn
        assert conn.execute("SELECT COUNT(*) FROM segment_text").fetchone()[0] == \
            conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 5002
        assert conn.execute("SELECT COUNT(*) FROM segment_text_deferred").fetchone()[0] == 0
        bodies = conn.execute(
            """SELECT COUNT(*) FROM segment_text f JOIN segments g
               ON f.rowid = g.source_id * 4294967296 + g.number JOIN sources s
               ON s.id = g.source_id WHERE f.body = substr(s.text, g.start + 1,
               g."end" - g.start)""").fetchone()[0]
        assert bodies == 5002
        hits = s.store.search_hits(parse_query("sadly"))
        assert [(h.case_id, h.number) for h in hits] == [("A", 1)]
        assert len(s.store.search_hits(parse_query('"answer 4999"'))) == 1


def test_a_failed_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.add_cases(["A"])
    good = NewSource("A", "one", "x", "survey", "0", "Q: Hi there.", {"columns": "Q"},
                     [SegmentRow(1, 3, 12, "Q", "participant", 1, 1)], [(1, 1, 3, 12)])
    store.add_sources([good])  # outside a transaction: one of its own
    assert [h.case_id for h in store.search_hits(parse_query("there"))] == ["A"]
    with pytest.raises(sqlite3.IntegrityError), store.atomic(), \
            store.source_batches() as add:
        add([NewSource("A", "two", "x", "survey", "0", "Q: Yo.", {}, [], [])])
        add([good])  # the name is taken
    assert [s.name for s in store.sources()] == ["one"]
    assert store.conn.execute("SELECT COUNT(*) FROM segment_text_deferred").fetchone()[0] == 0


def test_add_cases_is_upsert_cases_for_new_ids(tmp_path: Path) -> None:
    one, two = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    for store in (one, two):
        store.upsert_cases([Case("P1", "Nurses", (("site", "North"),))])
    one.add_cases(["S2", "S1", "S10"])
    two.upsert_cases([Case("S2"), Case("S1"), Case("S10")])
    assert _dump(one.conn)["cases"] == _dump(two.conn)["cases"]


def test_upsert_cases_in_one_call_with_repeats_and_changes(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    store.upsert_cases([Case("P1", "Nurses"), Case("P2")])
    added, updated = store.upsert_cases([Case("P2", "Managers"), Case("P3"), Case("P3", "X"),
                                         Case("P1", "Nurses")])
    assert (added, updated) == (1, 2)
    assert [(c.id, c.group) for c in store.cases()] == [
        ("P1", "Nurses"), ("P2", "Managers"), ("P3", "X")]


def test_segments_stored_any_other_way_are_still_indexed_by_the_trigger(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.add_cases(["A"])
    store.put_source(case_id="A", name="a", path="a.txt", format="txt", sha256="0",
                     text="Ann: Night shifts.", metadata={},
                     segments=[SegmentRow(1, 5, 18, "Ann", "participant", 1, 1)],
                     sentences=[(1, 1, 5, 18)])
    with store.atomic():
        store.conn.execute(
            """INSERT INTO segments (source_id, number, start, "end", speaker, role,
               line_first, line_last) VALUES (1, 2, 0, 3, 'Ann', 'participant', 1, 1)""")
    rows = store.conn.execute("SELECT rowid, body FROM segment_text ORDER BY rowid").fetchall()
    assert [tuple(r) for r in rows] == [(4294967297, "Night shifts."), (4294967298, "Ann")]
