"""Benchmark runner: time each stage of the pipeline against its baseline.

For every scale it generates a synthetic study (``bench/generate.py``), then:

* runs the pipeline through the library API in a child process (cases and
  codebook, ingest, suggest, import codings, matrix build, Excel export,
  quotes/case/theme/search queries), recording the time of each stage and
  the process's peak RSS after it: these rows explain, they carry no budget;
* times every budgeted stage as a user runs it, the ``fqda`` command in a
  fresh process on a prepared study (``ingest``, ``suggest``, ``export
  excel``, ``ingest survey.csv``), against a baseline doing the same work
  (``bench/baselines.py``), in interleaved rounds (``rounds.py``): the
  verdict is the median of the per-round ratios of CPU time of the whole
  process tree, with the minimum and the wall-clock ratio beside it;
* times the cold start of read-only commands (``fqda quotes``, ``case``,
  ``theme``, ``search``, ``status`` where they exist) against
  ``python -c "import typer, rich.console, sqlite3"``, in rounds whose order
  alternates, as per-round CPU ratios.

It prints one table (stage, scale, time, baseline, ratio, budget, pass/fail,
peak memory) and writes the same rows as JSON to
``bench/out/results-<timestamp>.json``.  Exit code 1 when a budget fails.

    python bench/run.py --scales 10,100
    python bench/run.py --scales 10,100,1000 --survey 100000
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import rounds as rd  # noqa: E402
from generate import generate_study, generate_survey, survey_config  # noqa: E402
from stages import (  # noqa: E402
    child_cells,
    child_pipeline,
    child_survey,
    child_turns,
    long_transcript,
)

OUT = HERE / "out"
TIME_GROWTH_BUDGET = 1.5
"""Time per transcript may grow at most this much from one scale to the next (linear)."""
MB = 1024 * 1024
MEMORY_BUDGET_MB = 1536.0
BASELINE_IMPORT = "import typer, rich.console, sqlite3"

# stage -> (baseline, budget ratio); each stage is the fqda command, see rounds.py
BUDGETS: dict[str, tuple[str, float]] = {
    "ingest": ("read + turn split + spaCy per turn (nlp.pipe)", 1.2),
    "ingest --jobs 2": ("the same one-core baseline, by wall clock", 1.0),
    "ingest, rows stored": ("the same + executemany of the rows it stored, a transaction "
                            "per file", 1.2),
    "suggest": ("floor of PhraseMatcher / re over the same turns", 2.0),
    "matrix + excel": ("XlsxWriter constant-memory loop, same cells, links and notes", 1.5),
    "survey ingest": ("spaCy on the answers + executemany of the same rows", 1.5),
}
LIBRARY = {"ingest": "ingest (library)", "suggest": "suggest (library)",
           "matrix + excel": "matrix + excel (library)",
           "survey ingest": "survey ingest (library)", "survey suggest": "survey suggest"}
"""Library timings, kept beside the commands' to explain them; no budget."""
COLD_BUDGET = 2.0
GROWTH_BUDGET = 1.5


@dataclass
class Row:
    """One line of the results table."""

    stage: str
    scale: str
    seconds: float | None
    """Time of the stage (by the run's clock); None when the stage is not available."""
    baseline: str = ""
    baseline_seconds: float | None = None
    ratio: float | None = None
    budget: float | None = None
    passed: bool | None = None
    """None when the stage has no budget or could not be measured."""
    peak_rss_mb: float | None = None
    note: str = ""
    wall_seconds: float | None = None
    cpu_seconds: float | None = None
    """CPU time (user + system) of the stage's process, whatever the run's clock."""
    baseline_wall_seconds: float | None = None
    baseline_cpu_seconds: float | None = None
    ratio_min: float | None = None
    """Smallest per-round CPU ratio (``ratio`` is the median, the verdict's)."""
    wall_ratio: float | None = None
    """Median per-round wall-clock ratio, beside the CPU one."""
    rounds: int = 0
    work: dict[str, int] = field(default_factory=dict)
    """How much input the stage processed (files, turns, rows, cells)."""
    baseline_work: dict[str, int] = field(default_factory=dict)
    """How much the baseline processed: the suite checks the two agree."""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    machine: dict[str, str] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        if row.budget is not None and row.ratio is not None and row.passed is None:
            row.passed = row.ratio <= row.budget
        self.rows.append(row)
        return row

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.passed is False]


def _spawn(args: Sequence[str]) -> tuple[dict[str, Any], float]:
    """Run this script as a child; returns its JSON result and its peak RSS in MB."""
    result = Path(args[args.index("--result") + 1])
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args])
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {args[:2]} failed (exit {proc.returncode})")
    return json.loads(result.read_text(encoding="utf-8")), usage.ru_maxrss / 1024


# -- cold start -----------------------------------------------------------------

def _run_once(argv: Sequence[str], cwd: Path, prints: bool) -> tuple[float, float, int]:
    """Wall and CPU time of one run of ``argv``, and its exit code (-1 when a
    command expected to print printed nothing)."""
    import tempfile

    with tempfile.TemporaryFile() as printed:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=printed, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        # A command that exits 0 having printed nothing did not do the work
        # being timed (a broken entry point once did exactly that).
        if prints and not code and printed.seek(0, os.SEEK_END) == 0:
            code = -1
    return wall, usage.ru_utime + usage.ru_stime, code


def _median_runs(commands: Sequence[tuple[str, Sequence[str], bool]], repeat: int, cwd: Path
                 ) -> dict[str, tuple[float, float, int]]:
    """Median wall and CPU time of each ``(name, argv, prints)`` over ``repeat``
    rounds, after one warm-up round; with the first non-zero exit code or 0.

    The commands take turns within each round, so a machine that slows down
    or speeds up during the minute this takes (shared virtual machines do)
    moves the baseline and the commands alike, instead of whichever happened
    to be timed at the slow moment.
    """
    walls: dict[str, list[float]] = {name: [] for name, _, _ in commands}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in commands}
    codes = dict.fromkeys(walls, 0)
    for i in range(repeat + 1):
        for name, argv, prints in (commands if i % 2 else list(reversed(commands))):
            wall, cpu, code = _run_once(argv, cwd, prints)
            codes[name] = codes[name] or code
            if i:
                walls[name].append(wall)
                cpus[name].append(cpu)
    ROUND_CPUS.clear()
    ROUND_CPUS.update(cpus)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name]), codes[name])
            for name in walls}


ROUND_CPUS: dict[str, list[float]] = {}
"""Each command's CPU time per round of the last :func:`_median_runs`."""


def _round_ratios(name: str, base: str = "baseline") -> tuple[float, float]:
    """Min and median of the per-round CPU ratios of ``name`` to ``base``."""
    return rd.summary([a / b for a, b in zip(ROUND_CPUS[name], ROUND_CPUS[base], strict=True)
                       if b])


def _printed_mb(argv: Sequence[str], cwd: Path) -> float:
    return len(subprocess.run(argv, cwd=cwd, capture_output=True, check=False).stdout) / MB


def cold_commands(study_dir: Path) -> list[tuple[str, list[str]]]:
    """Read-only commands this version of ``fqda`` has, as a user would type them."""
    fqda = str(Path(sys.executable).with_name("fqda"))
    first = "P" + "1".zfill(4 if len(list((study_dir / "transcripts").glob("*.txt"))) < 10000
                            else 5)
    wanted = [
        ("cold quotes", [fqda, "quotes", "1.1", "--format", "csv"]),
        ("cold case", [fqda, "case", first, "--format", "csv"]),
        # within-theme: one column of the matrix down the sample, grouped
        ("cold theme", [fqda, "theme", "2", "--subtopic", "2.1", "--format", "csv"]),
        ("cold search", [fqda, "search", "handover sheet", "--format", "csv"]),
        ("cold status", [fqda, "status"]),
    ]
    have = []
    for name, argv in wanted:
        helped = subprocess.run([argv[0], argv[1], "--help"], capture_output=True, check=False)
        if helped.returncode == 0:
            have.append((name, argv))
    return have


# -- the run ----------------------------------------------------------------------

def _machine() -> dict[str, str]:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            kib = int(f.readline().split()[1])
        mem = f"{kib / MB:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpus": str(os.cpu_count()), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "processor": platform.processor()}


def _stage_rows(results: Results, scale: str, data: dict[str, Any],
                stages: Sequence[str], clock: str) -> None:
    """The library's timing of each stage, beside the command's (no budget)."""
    got = data["stages"]
    notes = data.get("notes", {})
    for stage in stages:
        name = LIBRARY.get(stage, stage)
        if stage not in got:
            results.add(Row(name, scale, None,
                            note=notes.get(stage, "not available in this version")))
            continue
        took = got[stage]
        row = Row(name, scale, _clocked(took, clock), peak_rss_mb=took["rss_mb"],
                  note=notes.get(stage, ""), wall_seconds=took["seconds"],
                  cpu_seconds=took.get("cpu"))
        if took.get("incomplete"):
            row.passed = False
        results.add(row)


def _verdict_row(results: Results, stage: str, scale: str, verdict: rd.Verdict,
                 work: dict[str, int], note: str = "", by_wall: bool = False) -> None:
    """A command's row: median/min of the per-round CPU ratios, wall beside.

    ``by_wall``: the verdict is the wall-clock ratio (two jobs spend more CPU
    time in all to finish sooner: what they promise is the wait)."""
    baseline, budget = BUDGETS[stage]
    if verdict.failed or not verdict.ratios:
        results.add(Row(stage, scale, None, baseline=baseline, budget=budget, passed=False,
                        note=verdict.failed or "no round completed"))
        return
    low, mid = rd.summary(verdict.wall_ratios if by_wall else verdict.ratios)
    results.add(Row(
        stage, scale, statistics.median(verdict.stage_cpu), baseline=baseline,
        baseline_seconds=statistics.median(verdict.base_cpu), ratio=mid, ratio_min=low,
        wall_ratio=statistics.median(verdict.wall_ratios), budget=budget,
        wall_seconds=statistics.median(verdict.stage_wall),
        cpu_seconds=statistics.median(verdict.stage_cpu),
        baseline_wall_seconds=statistics.median(verdict.base_wall),
        baseline_cpu_seconds=statistics.median(verdict.base_cpu),
        rounds=len(verdict.ratios), work=work, baseline_work=verdict.baseline_output,
        note=" ".join(x for x in (note, f"CPU ratio min {min(verdict.ratios):.2f}, median "
                                  f"{statistics.median(verdict.ratios):.2f}; wall min "
                                  f"{min(verdict.wall_ratios):.2f}, median "
                                  f"{statistics.median(verdict.wall_ratios):.2f} "
                                  f"({len(verdict.ratios)} rounds)") if x)))


def bench_commands(results: Results, study: Path, tmp: Path, label: str, rounds: int,
                   export_only: bool = False) -> None:
    """Ingest, suggest and export as a user runs them, each against its baseline
    (``export_only``: the export alone, on a study prepared untimed)."""
    shutil.rmtree(study / ".fqda", ignore_errors=True)
    rd.run_ok(rd.fqda("cases", "import", "cases.csv"), study)
    rd.run_ok(rd.fqda("codebook", "import", "codebooks/framework.yaml"), study)
    ready = rd.snapshot(study, "ready")
    db = study / ".fqda" / "study.db"
    if export_only:
        rd.run_ok(rd.fqda("ingest"), study)
        _bench_export(results, study, tmp, label, rounds, rd.snapshot(study, "ingested"))
        shutil.rmtree(ready, ignore_errors=True)
        return
    segment = [rd.Side(rd.baseline("turns", str(study)), study)]
    verdict = rd.interleaved(rd.Side(rd.fqda("ingest", "--jobs", "1"), study,
                                     rd.restorer(study, ready)), segment, rounds)
    ingested = rd.counts(db)
    work = {k: ingested[k] for k in ("files", "turns", "sentences")}
    _verdict_row(results, "ingest", label, verdict, work, "fqda ingest --jobs 1")
    _bench_ingest_stored(results, study, tmp, label, rounds, ready, work)
    verdict = rd.interleaved(rd.Side(rd.fqda("ingest", "--jobs", "2"), study,
                                     rd.restorer(study, ready)), segment, rounds)
    _verdict_row(results, "ingest --jobs 2", label, verdict, work, "fqda ingest --jobs 2",
                 by_wall=True)
    kept = rd.snapshot(study, "ingested")
    verdict = rd.interleaved(
        rd.Side(rd.fqda("suggest"), study, rd.restorer(study, kept)),
        [rd.Side(rd.baseline("suggest", str(study), how), study) for how in ("matcher", "re")],
        rounds)
    _verdict_row(results, "suggest", label, verdict,
                 {"turns": ingested["participant turns"]}, "fqda suggest")
    _bench_export(results, study, tmp, label, rounds, kept)
    shutil.rmtree(ready, ignore_errors=True)


def _bench_ingest_stored(results: Results, study: Path, tmp: Path, label: str, rounds: int,
                         ready: Path, work: dict[str, int]) -> None:
    """``fqda ingest --jobs 1`` against the spaCy floor plus a bare ``executemany``
    of the rows it stored (``baselines.py stored``): how far fqda is from the
    least any tool must do to keep what it keeps, which the spaCy-only
    baseline leaves out (see PERFORMANCE.md, *Ingest with its rows*)."""
    from baselines import TRANSCRIPT_TABLES

    rows = tmp / "transcript-rows.pickle"
    with rows.open("wb") as f:
        pickle.dump(rd.table_rows(study / ".fqda" / "study.db", TRANSCRIPT_TABLES), f)
    bare = tmp / "bare-store"
    verdict = rd.interleaved(
        rd.Side(rd.fqda("ingest", "--jobs", "1"), study, rd.restorer(study, ready)),
        [rd.Side(rd.baseline("stored", str(study), str(bare / "study.db"), str(rows)), study,
                 _fresh_copy(ready, bare))], rounds)
    _verdict_row(results, "ingest, rows stored", label, verdict, work, "fqda ingest --jobs 1")
    shutil.rmtree(bare, ignore_errors=True)
    rows.unlink(missing_ok=True)


def _bench_export(results: Results, study: Path, tmp: Path, label: str, rounds: int,
                  kept: Path) -> None:
    """``fqda export excel`` on the ingested store ``kept`` once codings are in,
    against the bare XlsxWriter loop over the cells, links and notes it wrote."""
    rd.restorer(study, kept)()
    rd.run_ok(rd.fqda("codings", "import", "codings.csv"), study)
    coded = rd.snapshot(study, "coded")
    rd.run_ok(rd.fqda("export", "excel"), study)
    cells = tmp / "cells.pickle"
    child_cells(study / "matrices" / "framework.xlsx", cells)
    with cells.open("rb") as f:
        sheets = pickle.load(f)
    written = {"sheets": len(sheets),
               "cells": sum(1 for _, rows, _l, _n in sheets for row in rows
                            for v in row if v is not None),
               "links": sum(len(links) for _, _r, links, _n in sheets),
               "notes": sum(len(notes) for *_, notes in sheets)}
    verdict = rd.interleaved(
        rd.Side(rd.fqda("export", "excel"), study, rd.restorer(study, coded)),
        [rd.Side(rd.baseline("excel", str(cells), str(tmp / "bare.xlsx")), study)], rounds)
    _verdict_row(results, "matrix + excel", label, verdict, written, "fqda export excel")
    for kept_store in (kept, coded):
        shutil.rmtree(kept_store, ignore_errors=True)


def _clocked(took: dict[str, float], clock: str) -> float:
    return took["cpu"] if clock == "cpu" else took["seconds"]


PIPELINE_STAGES = ["setup", "ingest", "suggest", "import codings", "matrix build",
                   "matrix + excel", "query quotes", "query case", "query theme",
                   "query search"]


def bench_scale(results: Results, work: Path, scale: int, words: int, repeat: int,
                keep: bool, clock: str = "wall", rounds: int = 3, export_only: bool = False
                ) -> dict[str, float]:
    """Generate, run and measure one scale; returns peak RSS figures for growth checks
    (``export_only``: only the export command against its baseline, and none)."""
    label = f"{scale}x{words}w"
    study = work / f"study-{scale}-{words}"
    if study.exists():
        shutil.rmtree(study)
    start = time.perf_counter()
    generate_study(study, scale, words)
    results.add(Row("generate", label, time.perf_counter() - start,
                    note=f"{scale} transcripts of ~{words} words"))
    tmp = work / f"tmp-{scale}-{words}"
    tmp.mkdir(parents=True, exist_ok=True)
    if export_only:
        bench_commands(results, study, tmp, label, rounds, export_only=True)
        if not keep:
            shutil.rmtree(study, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
        return {}
    data, peak = _spawn(["--child", "pipeline", "--study", str(study),
                         "--result", str(tmp / "pipeline.json")])
    _stage_rows(results, label, data, PIPELINE_STAGES, clock)
    bench_commands(results, study, tmp, label, rounds)
    results.add(Row("peak memory (pipeline)", label, None, baseline="budget in MB",
                    baseline_seconds=None, ratio=peak / MEMORY_BUDGET_MB, budget=1.0,
                    peak_rss_mb=peak, note=f"{peak:.0f} MB of {MEMORY_BUDGET_MB:.0f} MB"))
    # A whole theme as csv is every passage of five sub-topics down the
    # sample (about 3.6 MB at 1,000 transcripts): its time is that of reading
    # and writing the text, which grows with the study, so it is reported
    # beside the cold starts, not held to their budget.
    fqda = str(Path(sys.executable).with_name("fqda"))
    whole = [fqda, "theme", "2", "--format", "csv"]
    cold = cold_commands(study)
    timed = _median_runs([("baseline", [sys.executable, "-c", BASELINE_IMPORT], False),
                          *((name, argv, True) for name, argv in cold),
                          ("whole theme", whole, True)], repeat, study)
    base_wall, base_cpu, _ = timed["baseline"]
    base = base_cpu if clock == "cpu" else base_wall
    for name, argv in cold:
        wall, cpu, code = timed[name]
        took = cpu if clock == "cpu" else wall
        low, mid = _round_ratios(name)
        results.add(Row(name, label, took, baseline=f"python -c \"{BASELINE_IMPORT}\"",
                        baseline_seconds=base, ratio=mid, ratio_min=low,
                        wall_ratio=wall / base_wall, rounds=repeat, budget=COLD_BUDGET,
                        passed=None if code == 0 else False,
                        note=" ".join(argv[1:]) + ("" if code == 0 else " (printed nothing)"
                                                   if code == -1 else f" (exit {code})"),
                        wall_seconds=wall, cpu_seconds=cpu, baseline_wall_seconds=base_wall,
                        baseline_cpu_seconds=base_cpu))
    wall, cpu, code = timed["whole theme"]
    results.add(Row("whole theme", label, cpu if clock == "cpu" else wall,
                    baseline=f"python -c \"{BASELINE_IMPORT}\"", baseline_seconds=base,
                    ratio=(cpu if clock == "cpu" else wall) / base,
                    note=" ".join(whole[1:]) + f" ({_printed_mb(whole, study):.1f} MB of csv)"
                    + ("" if code == 0 else f" (exit {code})"),
                    wall_seconds=wall, cpu_seconds=cpu))
    # The same views as a terminal table (what a user sees by default): one
    # run each, reported without a budget, because layout grows with the study.
    for name, argv in cold_commands(study):
        if name in ("cold theme", "cold case"):
            table_argv = [a for a in argv if a not in ("--format", "csv")]
            wall, cpu, code = _run_once(table_argv, study, True)
            results.add(Row(name.replace("cold", "table"), label, cpu if clock == "cpu" else wall,
                            note=" ".join(table_argv[1:]) + " (terminal table, one run)"
                            + ("" if code == 0 else f" (exit {code})"),
                            wall_seconds=wall, cpu_seconds=cpu))
    if not keep:
        shutil.rmtree(study, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    stages = data["stages"]
    return {"pipeline": peak, "ingest": stages.get("ingest", {}).get("rss_mb", 0.0),
            "ingest time": stages.get("ingest", {}).get("cpu", 0.0),
            "pipeline time": sum(s.get("cpu", 0.0) for n, s in stages.items() if n != "import")}


def bench_survey_command(results: Results, study: Path, label: str, rounds: int) -> None:
    """``fqda ingest survey.csv`` against spaCy on the answers plus a bare
    ``executemany`` of the rows that command stores, into the same tables."""
    from baselines import SURVEY_TABLES

    csv_path = study / "survey" / "responses.csv"
    rd.run_ok(rd.fqda("codebook", "import", "codebooks/framework.yaml"), study)
    ready = rd.snapshot(study, "ready")
    rd.run_ok(rd.fqda("ingest", str(csv_path)), study)
    db = study / ".fqda" / "study.db"
    rows = study.parent / f"{study.name}.rows.pickle"
    with rows.open("wb") as f:
        pickle.dump(rd.table_rows(db, SURVEY_TABLES), f)
    stored = {t: n for t, n in rd.counts(db).items() if t in ("files", "turns", "sentences")}
    bare = study.parent / f"{study.name}.bare"
    verdict = rd.interleaved(
        rd.Side(rd.fqda("ingest", str(csv_path)), study, rd.restorer(study, ready)),
        [rd.Side(rd.baseline("survey", str(csv_path), str(bare / "study.db"), str(rows)),
                 study, _fresh_copy(ready, bare))],
        rounds)
    _verdict_row(results, "survey ingest", label, verdict, stored, "fqda ingest survey.csv")
    for path in (ready, bare):
        shutil.rmtree(path, ignore_errors=True)
    rows.unlink(missing_ok=True)
    shutil.rmtree(study, ignore_errors=True)


def _fresh_copy(kept: Path, target: Path) -> Callable[[], None]:
    def copy() -> None:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(kept, target)
    return copy


def bench_survey(results: Results, work: Path, responses: int, clock: str = "wall",
                 rounds: int = 3) -> None:
    label = f"survey {responses}"
    study = work / f"survey-{responses}"
    if study.exists():
        shutil.rmtree(study)
    start = time.perf_counter()
    generate_study(study, 0)
    survey = generate_survey(study / "survey" / "responses.csv", responses)
    (study / "fqda.yaml").write_text(survey_config(), encoding="utf-8")
    results.add(Row("generate", label, time.perf_counter() - start,
                    note=f"{responses} one-answer cases in one CSV"))
    tmp = work / f"tmp-survey-{responses}"
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copytree(study, work / f"survey-{responses}-cli")
    data, peak = _spawn(["--child", "survey", "--study", str(study), "--survey-csv",
                         str(survey), "--result", str(tmp / "survey.json")])
    stages = ["survey ingest", "survey suggest"] if "survey ingest" in data["stages"] else [
        "survey ingest"]
    _stage_rows(results, label, data, stages, clock)
    if "survey ingest" in data["stages"]:
        bench_survey_command(results, work / f"survey-{responses}-cli", label, rounds)
    if "survey ingest" in data["stages"]:
        results.add(Row("peak memory (survey)", label, None, baseline="budget in MB",
                        ratio=peak / MEMORY_BUDGET_MB, budget=1.0, peak_rss_mb=peak,
                        note=f"{peak:.0f} MB of {MEMORY_BUDGET_MB:.0f} MB"))
    shutil.rmtree(study, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)


TURNS_BUDGET = 1.5
"""Ingest time per turn of the longest file over that of the shortest: linear is 1."""


def bench_turns(results: Results, work: Path, sizes: Sequence[int], clock: str = "wall"
                ) -> None:
    """Ingest one transcript of each number of turns; the time must grow linearly."""
    from framework_qda.study import init_study

    took: dict[int, float] = {}
    for turns in sizes:
        label = f"1x{turns} turns"
        study = work / f"turns-{turns}"
        if study.exists():
            shutil.rmtree(study)
        init_study(study)
        long_transcript(study / "transcripts" / "P1.txt", turns)
        data, peak = _spawn(["--child", "turns", "--study", str(study), "--result",
                             str(work / f"turns-{turns}.json")])
        stage = data["stages"]["turns ingest"]
        took[turns] = _clocked(stage, clock)
        results.add(Row("turns ingest", label, took[turns], peak_rss_mb=peak,
                        note=data["notes"]["turns ingest"], wall_seconds=stage["seconds"],
                        cpu_seconds=stage["cpu"]))
        shutil.rmtree(study, ignore_errors=True)
    if len(took) >= 2:
        small, big = min(took), max(took)
        per_small, per_big = took[small] / small, took[big] / big
        results.add(Row("turns growth", f"{small}->{big} turns", None,
                        baseline=f"seconds per turn at {small}",
                        ratio=per_big / per_small if per_small else None, budget=TURNS_BUDGET,
                        note=f"{per_small * 1e6:.0f} us -> {per_big * 1e6:.0f} us per turn"))


def byte_compile() -> None:
    """Byte-compile framework_qda and cli.py, as pip does when it installs a package.

    The baseline's typer and rich were byte-compiled by pip at install; an
    editable install of ours is compiled on first import, unless Python may
    not write bytecode (``PYTHONDONTWRITEBYTECODE``), and then every command
    would compile our sources again (about 30 ms of each cold start) and
    the comparison would be with an installed package that never does.
    """
    import compileall

    root = HERE.parent
    compileall.compile_dir(root / "framework_qda", quiet=1)
    compileall.compile_file(root / "cli.py", quiet=1)


def run(scales: Sequence[int], survey: int = 0, words: int = 8000, repeat: int = 5,
        work: Path | None = None, keep: bool = False, clock: str = "wall",
        turns: Sequence[int] = (), rounds: int = 3, export_only: bool = False) -> Results:
    """Run the whole benchmark; returns every row (nothing printed).

    ``clock`` is ``wall`` (elapsed time, the budgets' measure on an idle
    machine) or ``cpu`` (user + system time of the process doing the work,
    steadier when other work shares the machine).
    """
    if clock not in ("wall", "cpu"):
        raise ValueError(f"clock must be wall or cpu, not {clock!r}")
    work = work or OUT / "studies"
    work.mkdir(parents=True, exist_ok=True)
    byte_compile()
    results = Results(machine={**_machine(), "clock": clock,
                               "load_before": _load()})
    peaks: dict[int, dict[str, float]] = {}
    for scale in scales:
        try:
            peak = bench_scale(results, work, scale, words, repeat, keep, clock, rounds,
                               export_only)
            if peak:
                peaks[scale] = peak
        except RuntimeError as exc:
            # One broken scale is a failed budget, not a lost run.
            results.add(Row("run", f"{scale}x{words}w", None, passed=False, note=str(exc)))
    ordered = sorted(peaks)
    for small, big in zip(ordered, ordered[1:], strict=False):
        for what in ("ingest", "pipeline"):
            a, b = peaks[small][what], peaks[big][what]
            results.add(Row(f"memory growth ({what})", f"{small}->{big}x{words}w", None,
                            baseline=f"peak RSS at {small} transcripts", ratio=b / a if a else None,
                            budget=GROWTH_BUDGET if what == "ingest" else None,
                            peak_rss_mb=b, note=f"{a:.0f} MB -> {b:.0f} MB"))
            # Time should grow with the transcripts, no faster: CPU seconds per
            # transcript at the larger scale over those at the smaller.
            a, b = peaks[small][f"{what} time"], peaks[big][f"{what} time"]
            per = (b / big) / (a / small) if a else None
            results.add(Row(f"time growth ({what})", f"{small}->{big}x{words}w", b,
                            baseline=f"CPU s per transcript at {small}", baseline_seconds=a,
                            ratio=per, budget=TIME_GROWTH_BUDGET,
                            note=(f"{a / small * 1000:.1f} ms -> {b / big * 1000:.1f} ms "
                                  "a transcript") if a else ""))
    if survey:
        try:
            bench_survey(results, work, survey, clock, rounds)
        except RuntimeError as exc:
            results.add(Row("run", f"survey {survey}", None, passed=False, note=str(exc)))
    if turns:
        try:
            bench_turns(results, work, turns, clock)
        except RuntimeError as exc:
            results.add(Row("run", "turns", None, passed=False, note=str(exc)))
    # Other work on the machine inflates wall times: say how busy it was.
    results.machine["load_after"] = _load()
    return results


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return ""


def _fmt(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.2f}{unit}"


def table(results: Results) -> str:
    """The results as a fixed-width text table."""
    head = ["stage", "scale", "time", "baseline", "ratio", "min", "wall", "budget", "result",
            "peak MB"]
    lines = [head]
    for r in results.rows:
        verdict = "—" if r.passed is None else ("pass" if r.passed else "FAIL")
        if r.seconds is None and r.ratio is None and r.passed is None:
            verdict = "n/a"
        lines.append([r.stage, r.scale, _fmt(r.seconds, "s"), _fmt(r.baseline_seconds, "s"),
                      _fmt(r.ratio, "×"), _fmt(r.ratio_min, "×"), _fmt(r.wall_ratio, "×"),
                      "—" if r.budget is None else f"≤{r.budget:g}×",
                      verdict, "—" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f}"])
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    text = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.stage} @ {r.scale}: {r.note}" for r in results.rows if r.note]
    return "\n".join(text + ["", "notes:", *notes])


def write_json(results: Results, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"results-{stamp}.json"
    path.write_text(json.dumps({"machine": results.machine, "taken": stamp,
                                "rows": [asdict(r) for r in results.rows]}, indent=1,
                               ensure_ascii=False), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description="framework-qda benchmark")
    parser.add_argument("--scales", default="10,100", help="transcript counts, comma-separated")
    parser.add_argument("--words", type=int, default=8000, help="words per transcript")
    parser.add_argument("--survey", type=int, default=0, help="survey responses (0: skip)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per cold-start median")
    parser.add_argument("--work", type=Path, default=None, help="where studies are generated")
    parser.add_argument("--out", type=Path, default=OUT, help="where results JSON goes")
    parser.add_argument("--keep", action="store_true", help="keep the generated studies")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="time stages by elapsed (wall) or CPU time (steadier on a "
                        "shared machine)")
    parser.add_argument("--turns", default="", help="turns in one transcript, comma-"
                        "separated (e.g. 10000,100000): ingest time must grow linearly")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of each "
                        "command and its baseline (at least 3 for a verdict)")
    parser.add_argument("--export-only", action="store_true", help="time only `fqda export "
                        "excel` against its baseline (the study is prepared untimed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--study", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cells", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--survey-csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "pipeline":
        child_pipeline(args.study, args.result)
        return 0
    if args.child == "turns":
        child_turns(args.study, args.result)
        return 0
    if args.child == "survey":
        child_survey(args.study, args.survey_csv, args.result)
        return 0
    if args.child == "cells":
        child_cells(args.study, args.cells)
        args.result.write_text("{}", encoding="utf-8")
        return 0
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    results = run(scales, args.survey, args.words, args.repeat, args.work, args.keep,
                  args.clock, [int(t) for t in args.turns.split(",") if t.strip()],
                  args.rounds, args.export_only)
    print(table(results))
    print(f"\nresults written to {write_json(results, args.out)}")
    print(f"machine: {results.machine['cpus']} CPUs, {results.machine['memory']}, "
          f"Python {results.machine['python']}; clock: {results.machine['clock']}; "
          f"load average before {results.machine['load_before']}, "
          f"after {results.machine['load_after']}")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
