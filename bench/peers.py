"""fqda ingest beside a peer tool's import of the same corpus: ``make bench-peers``.

The peer is qualitative-coding (``qc corpus import``), installed into an
environment of its own under ``bench/out/peers/`` on first use (its pins
are not ours; Taguette's clash with it, and Taguette imports documents
through its web interface only, so it is not timed here).  For each scale
a study is generated (``generate.py``) and, in interleaved rounds whose
order alternates, ``fqda ingest --jobs 1`` and ``--jobs 2`` (the store
restored from a snapshot before each run) and ``qc corpus import`` into a
fresh ``qc init`` project are run as fresh processes, timed by
``os.wait4`` (CPU of the process tree, and wall).  The ratio is fqda's
over the peer's, per round; below 1 is faster.  It exits 1 when fqda is
not faster (median wall ratio of either job count at 1 or more), or when
either side did not import every file.

    python bench/peers.py --scales 100 --rounds 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import rounds as rd  # noqa: E402
from generate import generate_study  # noqa: E402

PEER = "qualitative-coding==1.7.8"


def peer_env(root: Path) -> Path:
    """The peer's ``qc`` command, installing it first when needed."""
    env = root / "qc"
    qc = env / "bin" / "qc"
    if not qc.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", PEER],
                       check=True)
    return qc


def fresh_project(qc: Path, project: Path) -> None:
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    subprocess.run([str(qc), "init"], cwd=project, capture_output=True, check=True)


def scale(qc: Path, work: Path, transcripts: int, words: int, rounds: int) -> list[str]:
    """Time the three imports at one scale; returns the failures."""
    study = work / f"study-{transcripts}"
    shutil.rmtree(study, ignore_errors=True)
    generate_study(study, transcripts, words)
    rd.run_ok(rd.fqda("cases", "import", "cases.csv"), study)
    rd.run_ok(rd.fqda("codebook", "import", "codebooks/framework.yaml"), study)
    ready = rd.snapshot(study, "ready")
    project = work / f"qc-{transcripts}"
    sides = {
        "fqda ingest --jobs 1": (rd.fqda("ingest", "--jobs", "1"), study,
                                 rd.restorer(study, ready)),
        "fqda ingest --jobs 2": (rd.fqda("ingest", "--jobs", "2"), study,
                                 rd.restorer(study, ready)),
        "qc corpus import": ([str(qc), "corpus", "import", "-r", "-i", "verbatim",
                              str(study / "transcripts")], project,
                             lambda: fresh_project(qc, project)),
    }
    runs: dict[str, list[rd.Run]] = {name: [] for name in sides}
    failures: list[str] = []
    for i in range(rounds):
        for name in (list(sides) if i % 2 == 0 else list(reversed(sides))):
            argv, cwd, prepare = sides[name]
            prepare()
            run = rd.tree_run(argv, cwd)
            if run.code != 0:
                failures.append(f"{name} exited {run.code} at {transcripts} transcripts")
                return failures
            runs[name].append(run)
    stored = rd.counts(study / ".fqda" / "study.db")["files"]
    imported = len(list((project / "corpus").rglob("*.txt")))
    for name, got in (("fqda", stored), ("qc", imported)):
        if got != transcripts:
            failures.append(f"{name} imported {got} of {transcripts} files")
    peer = runs["qc corpus import"]
    label = f"{transcripts}x{words}w"
    print(f"\n{label}: {rounds} rounds, median (min) of the per-round ratios to qc")
    print(f"  {'command':22s} {'CPU':>7s} {'wall':>7s}  {'CPU ratio':>14s}  {'wall ratio':>14s}")
    for name, got_runs in runs.items():
        if got_runs is peer:
            print(f"  {name:22s} {statistics.median(r.cpu for r in got_runs):6.2f}s "
                  f"{statistics.median(r.wall for r in got_runs):6.2f}s")
            continue
        cpu = [r.cpu / p.cpu for r, p in zip(got_runs, peer, strict=True)]
        wall = [r.wall / p.wall for r, p in zip(got_runs, peer, strict=True)]
        print(f"  {name:22s} {statistics.median(r.cpu for r in got_runs):6.2f}s "
              f"{statistics.median(r.wall for r in got_runs):6.2f}s  "
              f"{statistics.median(cpu):6.2f}× ({min(cpu):.2f}×)  "
              f"{statistics.median(wall):6.2f}× ({min(wall):.2f}×)")
        if name.startswith("fqda") and statistics.median(wall) >= 1.0:
            failures.append(f"{name} is not faster than qc at {label}")
    shutil.rmtree(ready, ignore_errors=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description="fqda ingest beside qc corpus import")
    parser.add_argument("--scales", default="100", help="transcript counts, comma-separated")
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "out" / "peers")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    qc = peer_env(args.work)
    failures: list[str] = []
    for n in (int(s) for s in args.scales.split(",") if s.strip()):
        failures += scale(qc, args.work, n, args.words, args.rounds)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
