"""fqda ingest beside peer tools' import of the same corpus: ``make bench-peers``.

The peers are qualitative-coding (``qc corpus import``) and Taguette (its web
upload, driven by ``taguette.py``: it has no command-line import), each
installed into an environment of its own under ``bench/out/peers/`` on first
use (their pins are not ours, and clash with each other).  For each scale a
study is generated (``generate.py``) and, in interleaved rounds whose order
alternates, ``fqda ingest --jobs 1`` and ``--jobs 2`` (the store restored
from a snapshot before each run), ``qc corpus import`` into a fresh ``qc
init`` project and Taguette's upload of every transcript into a fresh server
and database are run as fresh processes, timed by ``os.wait4`` (CPU of the
process tree, and wall; for Taguette, the client's, with the CPU its server
spent meanwhile added; the server's start is not timed).  The ratio is
fqda's over each peer's, per round; below 1 is faster.  It exits 1 when fqda
is not faster than a peer (median wall ratio of either job count at 1 or
more), or when a side did not import every file.

    python bench/peers.py --scales 100 --rounds 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import rounds as rd  # noqa: E402
import taguette  # noqa: E402
from generate import generate_study  # noqa: E402

PEER = "qualitative-coding==1.7.8"


def peer_env(root: Path) -> Path:
    """The peer's ``qc`` command, installing it first when needed."""
    return rd.installed(root / "qc", PEER, "qc")


def fresh_project(qc: Path, project: Path) -> None:
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    subprocess.run([str(qc), "init"], cwd=project, capture_output=True, check=True)


def scale(qc: Path, tag: taguette.Server, work: Path, transcripts: int, words: int,
          rounds: int) -> list[str]:
    """Time the four imports at one scale; returns the failures."""
    study = work / f"study-{transcripts}"
    shutil.rmtree(study, ignore_errors=True)
    generate_study(study, transcripts, words)
    rd.run_ok(rd.fqda("cases", "import", "cases.csv"), study)
    rd.run_ok(rd.fqda("codebook", "import", "codebooks/framework.yaml"), study)
    ready = rd.snapshot(study, "ready")
    project = work / f"qc-{transcripts}"
    upload = [sys.executable, str(HERE / "taguette.py"), "upload"]
    # name -> (argv, folder, prepare, CPU spent elsewhere so far)
    sides: dict[str, tuple[list[str] | None, Path, Callable[[], None], Callable[[], float]]] = {
        "fqda ingest --jobs 1": (rd.fqda("ingest", "--jobs", "1"), study,
                                 rd.restorer(study, ready), lambda: 0.0),
        "fqda ingest --jobs 2": (rd.fqda("ingest", "--jobs", "2"), study,
                                 rd.restorer(study, ready), lambda: 0.0),
        "qc corpus import": ([str(qc), "corpus", "import", "-r", "-i", "verbatim",
                              str(study / "transcripts")], project,
                             lambda: fresh_project(qc, project), lambda: 0.0),
        "Taguette upload": (None, study, tag.restart, tag.cpu),
    }
    peers = ("qc corpus import", "Taguette upload")
    runs: dict[str, list[rd.Run]] = {name: [] for name in sides}
    failures: list[str] = []
    try:
        for i in range(rounds):
            for name in (list(sides) if i % 2 == 0 else list(reversed(sides))):
                argv, cwd, prepare, elsewhere = sides[name]
                prepare()
                if argv is None:  # Taguette: its server's address is known once started
                    argv = [*upload, tag.url, str(tag.log), str(study / "transcripts")]
                before = elsewhere()
                run = rd.tree_run(argv, cwd)
                run = rd.Run(run.wall, run.cpu + elsewhere() - before, run.code, run.printed)
                if run.code != 0:
                    failures.append(f"{name} exited {run.code} at {transcripts} transcripts")
                    return failures
                runs[name].append(run)
        uploaded = tag.documents()
    finally:
        tag.stop()
    stored = rd.counts(study / ".fqda" / "study.db")["files"]
    imported = len(list((project / "corpus").rglob("*.txt")))
    for name, got in (("fqda", stored), ("qc", imported), ("Taguette", uploaded)):
        if got != transcripts:
            failures.append(f"{name} imported {got} of {transcripts} files")
    label = f"{transcripts}x{words}w"
    print(f"\n{label}: {rounds} rounds, median (min) of the per-round ratios to each peer")
    print(f"  {'command':22s} {'CPU':>7s} {'wall':>7s}  {'to':18s} {'CPU ratio':>14s}  "
          f"{'wall ratio':>14s}")
    for name, got_runs in runs.items():
        cpu_s = statistics.median(r.cpu for r in got_runs)
        wall_s = statistics.median(r.wall for r in got_runs)
        if name in peers:
            print(f"  {name:22s} {cpu_s:6.2f}s {wall_s:6.2f}s")
            continue
        for peer in peers:
            theirs = runs[peer]
            cpu = [r.cpu / p.cpu for r, p in zip(got_runs, theirs, strict=True)]
            wall = [r.wall / p.wall for r, p in zip(got_runs, theirs, strict=True)]
            print(f"  {name:22s} {cpu_s:6.2f}s {wall_s:6.2f}s  {peer:18s} "
                  f"{statistics.median(cpu):6.2f}× ({min(cpu):.2f}×)  "
                  f"{statistics.median(wall):6.2f}× ({min(wall):.2f}×)")
            if statistics.median(wall) >= 1.0:
                failures.append(f"{name} is not faster than {peer} at {label}")
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
    tag = taguette.Server(taguette.peer_env(args.work), args.work / "taguette-server")
    failures: list[str] = []
    for n in (int(s) for s in args.scales.split(",") if s.strip()):
        failures += scale(qc, tag, args.work, n, args.words, args.rounds)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
