"""A tiny run of the benchmark harness: every stage reported, every ratio a number.

No timing is asserted here (the test machine's speed says nothing about the
code); the budgets are checked by ``make bench`` / ``make bench-full``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

# loaded under its own name: "run" alone is too common a module name to import
_spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_run"] = bench
_spec.loader.exec_module(bench)


def test_generator_is_deterministic_and_codes_turns_that_carry_their_phrase(
    tmp_path: Path,
) -> None:
    a = generate.generate_study(tmp_path / "a", 3, words=500)
    b = generate.generate_study(tmp_path / "b", 3, words=500)
    for rel in ("cases.csv", "codings.csv", "codebooks/framework.yaml",
                "transcripts/P0001.txt", "transcripts/P0003.txt"):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    text = (a / "transcripts" / "P0002.txt").read_text(encoding="utf-8")
    words = len(text.split())
    assert 450 <= words <= 800
    assert text.count("Interviewer: ") >= 3
    cases = list(csv.DictReader((a / "cases.csv").open(encoding="utf-8")))
    assert [c["case"] for c in cases] == ["P0001", "P0002", "P0003"]
    assert all(c["group"] in generate.GROUPS for c in cases)
    phrases = {s.code: s.phrases for s in generate.subtopics()}
    rows = list(csv.DictReader((a / "codings.csv").open(encoding="utf-8")))
    assert rows, "every 3-transcript study has some coded turns"
    # Each coding names the segment ingest makes of a participant's answer
    # (the title line is a segment of its own: codings one off landed on the
    # interviewer's questions, and the bench's quotes found none).
    from framework_qda import Study

    study = Study(a)
    study.import_cases("cases.csv")
    study.ingest()
    for row in rows:
        n = int(row["segment"])
        (segment,) = study.segments(row["case"], n, n)
        assert segment.role == "participant", row
        assert any(p.lower() in segment.text.replace("\n", " ").lower()
                   for p in phrases[row["subtopic"]]), row
    study.close()


def test_survey_has_one_answer_per_row(tmp_path: Path) -> None:
    path = generate.generate_survey(tmp_path / "survey.csv", 50)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][:3] == ["id", "group", "area"]
    assert len(rows) == 51
    assert rows[1][0] == "R01" and rows[50][0] == "R50"
    assert all(r[3].strip() for r in rows[1:])


def test_a_tiny_run_reports_every_stage_with_numeric_ratios(tmp_path: Path) -> None:
    results = bench.run([4], survey=20, words=300, repeat=1, work=tmp_path / "work",
                        rounds=1)
    stages = {r.stage for r in results.rows}
    expected = {"generate", "setup", "ingest", "suggest", "import codings", "matrix build",
                "matrix + excel", "query quotes", "query case", "query theme",
                "ingest (library)", "suggest (library)", "matrix + excel (library)",
                "peak memory (pipeline)", "cold quotes", "cold case", "cold theme",
                "survey ingest", "survey ingest (library)"}
    assert expected <= stages
    for row in results.rows:
        available = row.seconds is not None or row.ratio is not None
        if row.budget is not None and available:
            assert isinstance(row.ratio, float) and math.isfinite(row.ratio), row
            assert row.ratio > 0
            assert row.passed in (True, False)
        if not available:
            assert row.note, f"{row.stage} is missing without saying why"
    ingest = next(r for r in results.rows if r.stage == "ingest (library)")
    assert ingest.peak_rss_mb is not None
    # Each command and its baseline did the same amount of work: the same
    # files, turns and sentences; the same participant turns matched; the
    # same cells written; the same answers and stored rows.
    by_stage = {r.stage: r for r in results.rows if r.work}
    assert set(by_stage) == {"ingest", "ingest --jobs 2", "ingest, rows stored", "suggest",
                             "matrix + excel", "survey ingest"}
    for row in by_stage.values():
        assert row.rounds == 1 and row.ratio_min is not None and row.wall_ratio is not None
    ingest = by_stage["ingest"]
    assert ingest.work["files"] == 4 and ingest.work["turns"] > 4 * 3
    assert {k: ingest.baseline_work[k] for k in ingest.work} == ingest.work
    # The floor with storing put in the very rows fqda stored, and indexed each turn.
    stored = by_stage["ingest, rows stored"]
    assert stored.work == ingest.work
    assert stored.baseline_work["sources"] == stored.work["files"]
    assert stored.baseline_work["segments"] == stored.baseline_work["indexed"] \
        == stored.work["turns"]
    assert stored.baseline_work["sentences"] == stored.work["sentences"]
    suggest = by_stage["suggest"]
    assert suggest.baseline_work["turns"] == suggest.work["turns"] > 0
    assert suggest.baseline_work["matched"] > 0
    excel = by_stage["matrix + excel"]
    assert excel.baseline_work == excel.work and excel.work["cells"] > 100
    survey = by_stage["survey ingest"]
    assert survey.work["files"] == survey.baseline_work["answers"] == 20
    assert survey.baseline_work["sources"] == 20
    assert survey.baseline_work["segments"] == survey.work["turns"]
    assert survey.baseline_work["sentences"] == survey.work["sentences"]
    assert survey.baseline_work["spacy sentences"] >= survey.work["sentences"] > 0
    text = bench.table(results)
    for heading in ("stage", "scale", "time", "baseline", "ratio", "min", "wall", "budget",
                    "result", "peak MB"):
        assert heading in text.splitlines()[0]
    saved = json.loads(bench.write_json(results, tmp_path / "out").read_text(encoding="utf-8"))
    assert {r["stage"] for r in saved["rows"]} == stages
    assert saved["machine"]["cpus"]
