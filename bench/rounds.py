"""Stages timed as a user runs them, against their baselines, in interleaved rounds.

Each stage is the ``fqda`` command in a fresh process on a prepared study
(the store restored from a snapshot before every run, outside the timing);
each baseline is ``bench/baselines.py`` in a fresh process.  Round ``i``
runs stage then baseline when ``i`` is even, baseline then stage when odd,
so a slow spell of a shared machine lands on both sides.  Every run is
measured by ``os.wait4``: wall time, and CPU time (user + system) of the
whole process tree (the child and every descendant it waited for, worker
processes included).  The verdict is the per-round ratio stage/baseline,
reported as min and median over the rounds.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Run:
    wall: float
    cpu: float
    code: int
    printed: bytes


def tree_run(argv: Sequence[str], cwd: Path) -> Run:
    """Run ``argv``; its wall time and the CPU time of its whole process tree."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        return Run(wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status),
                   out.read())


@dataclass
class Side:
    """One thing to time: the command, and what to do (untimed) before each run."""

    argv: list[str]
    cwd: Path
    prepare: Callable[[], None] = lambda: None


@dataclass
class Verdict:
    stage_cpu: list[float] = field(default_factory=list)
    stage_wall: list[float] = field(default_factory=list)
    base_cpu: list[float] = field(default_factory=list)
    base_wall: list[float] = field(default_factory=list)
    failed: str = ""
    baseline_output: dict[str, Any] = field(default_factory=dict)

    @property
    def ratios(self) -> list[float]:
        return [s / b for s, b in zip(self.stage_cpu, self.base_cpu, strict=True) if b]

    @property
    def wall_ratios(self) -> list[float]:
        return [s / b for s, b in zip(self.stage_wall, self.base_wall, strict=True) if b]


def interleaved(stage: Side, baselines: Sequence[Side], rounds: int) -> Verdict:
    """``rounds`` rounds of stage and baseline(s), the order alternating.

    With several baselines (ways of doing the same work) each round's
    baseline is the fastest of them in that round: the floor.
    """
    verdict = Verdict()
    for i in range(rounds):
        order = ["stage", "base"] if i % 2 == 0 else ["base", "stage"]
        for which in order:
            if which == "stage":
                stage.prepare()
                run = tree_run(stage.argv, stage.cwd)
                if run.code != 0:
                    verdict.failed = f"{' '.join(stage.argv[1:3])} exited {run.code}"
                    return verdict
                verdict.stage_cpu.append(run.cpu)
                verdict.stage_wall.append(run.wall)
            else:
                runs = []
                for base in baselines:
                    base.prepare()
                    run = tree_run(base.argv, base.cwd)
                    if run.code != 0:
                        verdict.failed = f"baseline {base.argv[2]} exited {run.code}"
                        return verdict
                    runs.append(run)
                    verdict.baseline_output = json.loads(run.printed.decode().splitlines()[-1])
                best = min(runs, key=lambda r: r.cpu)
                verdict.base_cpu.append(best.cpu)
                verdict.base_wall.append(best.wall)
    return verdict


def summary(values: Sequence[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


# -- prepared studies -------------------------------------------------------------

def fqda(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("fqda")), *args]


def baseline(*args: str) -> list[str]:
    return [sys.executable, str(HERE / "baselines.py"), *args]


def run_ok(argv: Sequence[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv[1:3])} failed while preparing (exit "
                           f"{done.returncode})")


def snapshot(study: Path, name: str) -> Path:
    """Keep a copy of the study's store as it is now."""
    keep = study.parent / f"{study.name}.{name}"
    if keep.exists():
        shutil.rmtree(keep)
    shutil.copytree(study / ".fqda", keep)
    return keep


def restorer(study: Path, kept: Path) -> Callable[[], None]:
    def restore() -> None:
        shutil.rmtree(study / ".fqda", ignore_errors=True)
        shutil.copytree(kept, study / ".fqda")
    return restore


def counts(db: Path) -> dict[str, int]:
    """What the store holds: the amount of input a stage processed."""
    con = sqlite3.connect(db)
    try:
        one = lambda sql: int(con.execute(sql).fetchone()[0])  # noqa: E731
        return {"files": one("SELECT count(*) FROM sources"),
                "turns": one("SELECT count(*) FROM segments"),
                "participant turns": one("SELECT count(*) FROM segments "
                                         "WHERE role = 'participant'"),
                "sentences": one("SELECT count(*) FROM sentences")}
    finally:
        con.close()


def table_rows(db: Path, tables: Sequence[str]) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    finally:
        con.close()


def installed(env: Path, package: str, command: str) -> Path:
    """``command`` of ``package``, installed first when needed into the environment
    ``env`` of its own (a peer's pins are not ours)."""
    found = env / "bin" / command
    if not found.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        package], check=True)
    return found
