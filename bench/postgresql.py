"""The pipeline on a PostgreSQL store beside the same pipeline on SQLite.

``python bench/postgresql.py --server postgresql://user@host/db`` generates one
synthetic study (``--transcripts``, default 100), then in interleaved rounds runs
``fqda run`` on it from nothing twice: once in its own SQLite file, once in a
fresh schema of the server (``FQDA_STORE``), and times read-only commands on each
afterwards.  Each run is a fresh process; the ratio is PostgreSQL / SQLite per
round, median and min.  Wall time is what the researcher waits; the CPU column
is only fqda's own process tree (the server's work is in other processes), so
on PostgreSQL it leaves the server's share out.  Before any figure is printed the
two runs' outputs are compared: the matrices' CSV files must be the same.
``make bench-postgresql`` starts a throwaway cluster for it (.ci/postgresql.sh).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_study  # noqa: E402
from rounds import fqda, tree_run  # noqa: E402

HERE = Path(__file__).resolve().parent
READS = (("status", ["status"]), ("theme", ["theme", "2", "--format", "csv"]),
         ("search", ["search", "handover", "--format", "csv"]))


def _drop(server: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _fresh(study: Path) -> None:
    shutil.rmtree(study / ".fqda", ignore_errors=True)
    shutil.rmtree(study / "matrices", ignore_errors=True)
    (study / "matrices").mkdir()


def _timed(argv: list[str], study: Path, env: dict[str, str]) -> tuple[float, float]:
    old = dict(os.environ)
    os.environ.update(env)
    try:
        run = tree_run(argv, study)
    finally:
        os.environ.clear()
        os.environ.update(old)
    if run.code:
        raise SystemExit(f"{' '.join(argv[1:])} failed (exit {run.code})")
    return run.wall, run.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("FQDA_TEST_POSTGRESQL", ""),
                        help="a server to make schemas on (default $FQDA_TEST_POSTGRESQL)")
    parser.add_argument("--transcripts", type=int, default=100)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.server:
        parser.error("no server: give --server or set FQDA_TEST_POSTGRESQL")
    work = Path(tempfile.mkdtemp(prefix="fqda-bench-pg-"))
    lite = generate_study(work / "sqlite", args.transcripts, args.words)
    pg = work / "postgresql"
    shutil.copytree(lite, pg)
    env = {"FQDA_CODER": "bench", "FQDA_STORE": ""}
    times: dict[str, dict[str, list[tuple[float, float]]]] = {}
    schema = ""
    try:
        for i in range(args.rounds):
            if schema:
                _drop(args.server, schema)
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            sides = [("sqlite", lite, {**env}),
                     ("postgresql", pg, {**env, "FQDA_STORE": f"{args.server}?schema={schema}"})]
            for name, study, side_env in (sides if i % 2 == 0 else sides[::-1]):
                _fresh(study)
                times.setdefault("fqda run", {}).setdefault(name, []).append(
                    _timed(fqda("run"), study, side_env))
                for label, words in READS:
                    times.setdefault(label, {}).setdefault(name, []).append(
                        _timed(fqda(*words), study, side_env))
        same = filecmp.dircmp(lite / "matrices" / "csv", pg / "matrices" / "csv")
        if same.diff_files or same.left_only or same.right_only:
            raise SystemExit(f"the two stores gave different matrices: {same.diff_files}")
    finally:
        if schema:
            _drop(args.server, schema)
        shutil.rmtree(work, ignore_errors=True)
    rows = []
    print(f"{'command':<10} {'SQLite s':>9} {'PostgreSQL s':>13} {'wall ratio':>15} "
          f"{'fqda CPU ratio':>15}")
    for label, side in times.items():
        walls = [p[0] / s[0] for s, p in zip(side["sqlite"], side["postgresql"], strict=True)]
        cpus = [p[1] / s[1] for s, p in zip(side["sqlite"], side["postgresql"], strict=True)]
        lite_s = statistics.median(w for w, _ in side["sqlite"])
        pg_s = statistics.median(w for w, _ in side["postgresql"])
        row = {"command": label, "sqlite": lite_s, "postgresql": pg_s,
               "wall ratio": statistics.median(walls), "wall min": min(walls),
               "cpu ratio": statistics.median(cpus)}
        rows.append(row)
        print(f"{label:<10} {lite_s:>9.2f} {pg_s:>13.2f} "
              f"{row['wall ratio']:>8.2f} (min {min(walls):.2f}) {row['cpu ratio']:>8.2f}")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / f"postgresql-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(
        {"transcripts": args.transcripts, "words": args.words, "rounds": args.rounds,
         "rows": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
