"""The store's edge cases: first opens racing each other, transactions SQLite ends itself."""

from __future__ import annotations

import multiprocessing
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

import framework_qda as fq
from framework_qda.store import Store
from framework_qda.store.schema import MIGRATIONS


def _open_fresh(path: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        Store(path).close()
        results.put("ok")
    except BaseException as exc:  # noqa: BLE001 - the test reports what a user would see
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_new_study_at_once_all_succeed(tmp_path: Path) -> None:
    # Before migrations ran under the write lock, about one round in four failed
    # with "table ... already exists".
    ctx = multiprocessing.get_context("fork")
    for round_ in range(12):
        path = str(tmp_path / f"study{round_}.db")
        barrier, results = ctx.Barrier(4), ctx.Queue()
        workers = [ctx.Process(target=_open_fresh, args=(path, barrier, results))
                   for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        assert [results.get(timeout=5) for _ in workers] == ["ok"] * 4, f"round {round_}"
        store = Store(path)
        assert store.applied_migrations() == sorted(name for name, _ in MIGRATIONS)
        store.close()


def test_a_transaction_sqlite_ended_itself_keeps_the_real_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    first = store.applied_migrations()[0]
    # OR ROLLBACK makes SQLite end the whole transaction itself, as a full disk or
    # an I/O error does; the user must see that error, not "cannot rollback".
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"), store.atomic():
        store.conn.execute("INSERT INTO study_meta (key, value) VALUES ('k', 'v')")
        store.conn.execute("INSERT OR ROLLBACK INTO migrations VALUES (?, 'now')", (first,))
    assert not store.conn.in_transaction
    assert store.meta("k") == ""
    with store.atomic():  # the store is usable again
        store.put_meta("k", "after")
    assert store.meta("k") == "after"


def test_a_savepoint_whose_transaction_sqlite_ended_keeps_the_real_error(tmp_path: Path
                                                                         ) -> None:
    store = Store(tmp_path / "s.db")
    first = store.applied_migrations()[0]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"), store.atomic():
        store.put_meta("outer", "1")
        with store.atomic():
            store.put_meta("inner", "1")
            store.conn.execute("INSERT OR ROLLBACK INTO migrations VALUES (?, 'x')", (first,))
    assert store.meta("outer") == store.meta("inner") == ""
    with store.atomic():
        store.put_meta("k", "v")
    assert store.meta("k") == "v"


def test_an_outer_block_cannot_commit_after_sqlite_ended_its_transaction(tmp_path: Path
                                                                         ) -> None:
    store = Store(tmp_path / "s.db")
    first = store.applied_migrations()[0]
    with pytest.raises(fq.FqdaError, match="nothing of it was saved"), store.atomic():
        store.put_meta("outer", "1")
        try:
            with store.atomic():
                store.conn.execute("INSERT OR ROLLBACK INTO migrations VALUES (?, 'x')",
                                   (first,))
        except sqlite3.IntegrityError:
            pass  # a caller that carries on after one failed part of its action
    assert store.meta("outer") == ""


class _FailingConnection:
    """A connection whose next matching statement fails as a full disk does: SQLite
    has rolled the transaction back before the error reaches us."""

    def __init__(self, conn: sqlite3.Connection, fails_on: str) -> None:
        self._conn, self._fails_on = conn, fails_on

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if self._fails_on and sql.startswith(self._fails_on):
            self._fails_on = ""
            self._conn.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_a_full_disk_during_commit_is_reported_as_a_full_disk(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    real = store.conn
    store.conn = _FailingConnection(real, "COMMIT")  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError, match="disk is full"), store.atomic():
        store.conn.execute("INSERT INTO study_meta (key, value) VALUES ('k', 'v')")
    store.conn = real
    assert not real.in_transaction and store.meta("k") == ""


def test_a_full_disk_inside_a_savepoint_is_reported_as_a_full_disk(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    real = store.conn
    store.conn = _FailingConnection(real, "INSERT")  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError, match="disk is full"), store.atomic(), \
            store.atomic():
        store.conn.execute("INSERT INTO study_meta (key, value) VALUES ('k', 'v')")
    store.conn = real
    assert not real.in_transaction and store.meta("k") == ""


def test_the_store_folder_and_file_are_the_owners_only(tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    assert stat.S_IMODE((root / ".fqda").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / ".fqda" / "study.db").stat().st_mode) == 0o600
    for extra in (root / ".fqda").iterdir():  # the WAL files and the settings cache
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0, extra.name


def test_an_older_study_is_made_private_when_opened(tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    (root / ".fqda").chmod(0o755)
    (root / ".fqda" / "study.db").chmod(0o644)
    fq.open_study(root).close()
    assert stat.S_IMODE((root / ".fqda").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / ".fqda" / "study.db").stat().st_mode) == 0o600
