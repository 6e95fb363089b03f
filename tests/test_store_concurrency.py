"""Eight coders at once on one study: coding, summarising and importing into the same
store from eight processes while a ninth reads.  Every write lands, none is lost,
and the reader never sees half of an action.  Runs on both backends (the test
server's PostgreSQL is what a team shares; SQLite makes the eight wait their turn)."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import framework_qda as fq

WRITERS = 8
CASES = ("P1", "P2", "P3", "P10")


def _write(root: str, w: int, start: Any, failures: Any) -> None:
    coder = f"coder{w}"
    table = Path(root) / f"more-{w}.csv"
    table.write_text(f"case,segment,subtopic\n{CASES[w % 4]}:1,,1.2\n{CASES[w % 4]}:1,,2.1\n"
                     .replace(":1,,", ",1,"), encoding="utf-8")
    start.wait()
    try:
        with fq.open_study(root) as s:
            for i, case in enumerate(CASES):
                s.code([f"{case}:{2 + (w + i) % 3}"], ["1.1", "2.2"], coder=coder)
                if i < 2:  # each writer summarises two cells of its own
                    s.set_summary(CASES[w % 4], ["1.1", "1.2", "2.1", "2.2"][(w // 4) * 2 + i],
                                  f"Written by {coder}.", author=coder)
            s.import_codings(table, coder=coder)
    except BaseException as exc:  # noqa: BLE001 - the test says what went wrong
        failures.put(f"{coder}: {type(exc).__name__}: {exc}")


def _read(root: str, done: Any, seen: Any) -> None:
    halves = reads = 0
    with fq.open_study(root) as s:
        while not done.is_set():
            with s.store.snapshot():
                per_coder = Counter(c.coder for c in s.store.codings())
            reads += 1
            # every action adds a writer's codings two at a time
            halves += sum(1 for coder, n in per_coder.items() if coder.startswith("coder")
                          and n % 2)
    seen.put((reads, halves))


def test_eight_writers_at_once_lose_nothing_and_a_reader_sees_whole_actions(
        ran: Path) -> None:
    with fq.open_study(ran) as s:
        codings, actions = len(s.store.codings()), len(s.history())
    ctx = multiprocessing.get_context("fork")
    start, done, failures, seen = ctx.Event(), ctx.Event(), ctx.Queue(), ctx.Queue()
    writers = [ctx.Process(target=_write, args=(str(ran), w, start, failures))
               for w in range(WRITERS)]
    reader = ctx.Process(target=_read, args=(str(ran), done, seen))
    for p in [*writers, reader]:
        p.start()
    start.set()
    for p in writers:
        p.join(300)
    done.set()
    reader.join(60)
    assert all(p.exitcode == 0 for p in [*writers, reader])
    assert failures.empty(), failures.get()
    reads, halves = seen.get(timeout=5)
    assert reads > 0 and halves == 0
    with fq.open_study(ran) as s:
        per_coder = Counter(c.coder for c in s.store.codings())
        assert len(s.store.codings()) == codings + WRITERS * (2 * len(CASES) + 2)
        assert all(per_coder[f"coder{w}"] == 2 * len(CASES) + 2 for w in range(WRITERS))
        summaries = s.store.summaries()
        assert len(summaries) == 2 * WRITERS  # every cell of the study, one writer each
        assert len(s.history()) == actions + WRITERS * (len(CASES) + 2 + 1)


def _open(address: str, start: Any, results: Any) -> None:
    from framework_qda.store import open_store

    start.wait()
    try:
        open_store("", address).close()
        results.put("ok")
    except BaseException as exc:  # noqa: BLE001 - the test reports what a user would see
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.needs("postgresql")
def test_processes_opening_a_new_study_on_the_server_at_once_all_succeed() -> None:
    import uuid

    import psycopg

    from framework_qda.store import open_store
    from framework_qda.store.postgres.schema import MIGRATIONS
    from tests._optional import postgresql_server

    server = postgresql_server()
    assert server is not None
    ctx = multiprocessing.get_context("fork")
    for _ in range(3):
        schema = f"t_open_{uuid.uuid4().hex[:10]}"
        address = f"{server}?schema={schema}"
        start, results = ctx.Event(), ctx.Queue()
        workers = [ctx.Process(target=_open, args=(address, start, results)) for _ in range(6)]
        for w in workers:
            w.start()
        start.set()
        for w in workers:
            w.join(60)
        try:
            assert [results.get(timeout=5) for _ in workers] == ["ok"] * 6
            store = open_store("", address)
            assert store.applied_migrations() == sorted(name for name, _ in MIGRATIONS)
            store.close()
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
