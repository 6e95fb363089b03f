"""The baselines, each run as its own process: ``python bench/baselines.py KIND …``.

Each does the work its stage does with nothing of ours around it, and
prints one JSON line saying how much input it processed (files, turns,
rows, cells), so the suite can check that a stage and its baseline did the
same amount of work (``tests/test_bench_smoke.py``).  What each does and
does not do is written down in ``docs/PERFORMANCE.md``.

    turns STUDY            read transcripts/*.txt, split turns, nlp.pipe per turn
    suggest STUDY HOW      read participant turns from the store, match the same
                           keywords: HOW is ``matcher`` (PhraseMatcher) or ``re``
    excel CELLS OUT        XlsxWriter constant-memory loop over the pickled cell values
    survey CSV DB ROWS     spaCy on the answers + executemany of the same rows
    stored STUDY DB ROWS   ``turns``, then the rows fqda stored for each file put in
                           by bare executemany, one transaction per file
"""

from __future__ import annotations

import json
import pickle
import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_LABEL = re.compile(r"^([^\n:]{1,40}):[ \t]*")


def turns_of(text: str) -> Iterator[str]:
    """The generated transcripts' turns: blank-line separated, ``Name: words``."""
    for block in text.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        label = _LABEL.match(block)
        yield block[label.end():] if label else block


def turns(study: Path) -> dict[str, int]:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    files = sorted((study / "transcripts").glob("*.txt"))
    counts = {"files": 0, "turns": 0, "sentences": 0}

    def every_turn() -> Iterator[str]:
        for path in files:
            counts["files"] += 1
            for turn in turns_of(path.read_text(encoding="utf-8")):
                counts["turns"] += 1
                yield turn

    for doc in nlp.pipe(every_turn(), batch_size=256):
        counts["sentences"] += sum(1 for _ in doc.sents)
    return counts


def _participant_turns(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT s.text, g.start, g.\"end\" FROM segments g JOIN sources s "
                       "ON s.id = g.source_id WHERE g.role = 'participant' "
                       "ORDER BY g.source_id, g.number")
    texts = [text[a:b] for text, a, b in rows]
    con.close()
    return texts


def suggest(study: Path, how: str) -> dict[str, Any]:
    """Match the codebook's keywords on the participant turns the store holds:
    with the same PhraseMatcher fqda uses (``how="matcher"``) or one ``re``
    alternation of the same phrases (``how="re"``); the bench takes the floor."""
    import yaml

    book = yaml.safe_load((study / "codebooks" / "framework.yaml").read_text(encoding="utf-8"))
    keywords = [k for theme in book["themes"] for sub in theme["subtopics"]
                for k in sub.get("keywords", [])]
    texts = _participant_turns(study / ".fqda" / "study.db")
    import spacy

    from framework_qda.suggestion import keyword_variants

    nlp = spacy.blank("en")
    variants = [v for k in keywords for v in keyword_variants(nlp, k)]
    if how == "re":
        phrases = sorted({" ".join(v) for v in variants}, key=len, reverse=True)
        scan = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)
        matched = sum(1 for t in texts if scan.search(t))
    else:
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc

        matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        matcher.add("keywords", [Doc(nlp.vocab, words=v) for v in variants])
        matched = sum(1 for t in texts if matcher(nlp.make_doc(t)))
    return {"turns": len(texts), "matched": matched}


def excel(cells: Path, out: Path) -> dict[str, int]:
    """The library the export uses (XlsxWriter), in the same constant-memory mode,
    writing the same values, links and notes: no formats, heights or safety."""
    import xlsxwriter

    with cells.open("rb") as f:
        sheets: list[tuple[str, list[list[Any]], list[tuple[int, int, str]],
                           list[tuple[int, int, str]]]] = pickle.load(f)
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    n = n_links = n_notes = 0
    for title, rows, links, notes in sheets:
        ws = wb.add_worksheet(title)
        linked = {(r, c): url for r, c, url in links}
        for r, c, text in notes:
            ws.write_comment(r, c, text)
        n_notes += len(notes)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                url = linked.get((r, c))
                if url is not None:
                    ws.write_url(r, c, url, None, str(value) if value is not None else None)
                    n_links += 1
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    continue
                n += 1
    wb.close()
    return {"sheets": len(sheets), "cells": n, "links": n_links, "notes": n_notes}


TRANSCRIPT_TABLES = ("sources", "segments", "sentences")
KEY_SHIFT = 1 << 32
"""A search index row's key: source id times this plus the segment's number."""
"""What ``fqda ingest`` stores of each transcript (besides the search index, which
the store's triggers write from these, and the history)."""


def stored(study: Path, db: Path, rows: Path) -> dict[str, int]:
    """The ``turns`` floor, then each file's rows as fqda stored them, put in by
    bare ``executemany`` into the same tables of a store holding what the study
    held before (cases, codebook), each file in its own transaction, as one
    file's ingest must be: the floor of ingest *with* storing.

    The search index rows (each segment's words under its key) are put in by
    ``executemany`` too, with the row trigger that would write them one at a
    time held off as the store allows (migration 0009): the cheapest way to
    the same index.  The history's triggers run.  The connection has fqda's
    settings (WAL, ``synchronous = NORMAL``).
    """
    counts = turns(study)
    with rows.open("rb") as f:
        tables: dict[str, list[tuple[Any, ...]]] = pickle.load(f)
    by_source: dict[int, dict[str, list[tuple[Any, ...]]]] = {}
    for table in TRANSCRIPT_TABLES:
        for row in tables[table]:
            # sources' first column is its id; segments' and sentences' is source_id
            by_source.setdefault(int(row[0]), {t: [] for t in TRANSCRIPT_TABLES})[table].append(row)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("INSERT INTO segment_text_deferred (first, last) VALUES (0, ?)", (1 << 62,))
    indexed = 0
    for source_id, source in by_source.items():
        con.execute("BEGIN IMMEDIATE")
        for table in TRANSCRIPT_TABLES:
            if source[table]:
                marks = ",".join("?" * len(source[table][0]))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", source[table])
        text = source["sources"][0][6]  # sources: id, case_id, name, path, format, sha256, text
        bodies = [(source_id * KEY_SHIFT + seg[1], text[seg[2]:seg[3]])
                  for seg in source["segments"]]  # segments: source_id, number, start, end
        con.executemany("INSERT INTO segment_text (rowid, body) VALUES (?, ?)", bodies)
        indexed += len(bodies)
        con.execute("COMMIT")
    con.execute("DELETE FROM segment_text_deferred")
    con.close()
    return {**counts, **{table: len(tables[table]) for table in TRANSCRIPT_TABLES},
            "indexed": indexed}


SURVEY_TABLES = ("cases", "sources", "segments", "sentences")


def survey(csv_path: Path, db: Path, rows: Path) -> dict[str, int]:
    """spaCy over the answers, then the rows fqda stored, put in by bare executemany."""
    import csv

    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    with csv_path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        answers = [row[-1] for row in reader]
    sentences = sum(sum(1 for _ in doc.sents) for doc in nlp.pipe(answers, batch_size=256))
    with rows.open("rb") as f:
        tables: dict[str, list[tuple[Any, ...]]] = pickle.load(f)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN")
    for table in SURVEY_TABLES:
        if tables[table]:
            marks = ",".join("?" * len(tables[table][0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", tables[table])
    con.execute("COMMIT")
    con.close()
    return {"answers": len(answers), "spacy sentences": sentences,
            **{table: len(tables[table]) for table in SURVEY_TABLES}}


def main(argv: list[str]) -> int:
    kind, *args = argv
    if kind == "turns":
        found: dict[str, Any] = turns(Path(args[0]))
    elif kind == "suggest":
        found = suggest(Path(args[0]), args[1])
    elif kind == "excel":
        found = excel(Path(args[0]), Path(args[1]))
    elif kind == "stored":
        found = stored(Path(args[0]), Path(args[1]), Path(args[2]))
    elif kind == "survey":
        found = survey(Path(args[0]), Path(args[1]), Path(args[2]))
    else:
        raise SystemExit(f"unknown baseline {kind}")
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
