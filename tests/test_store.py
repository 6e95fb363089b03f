"""The store: named migrations, atomic transactions, two writers at once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from framework_qda.model import Case
from framework_qda.store import Store
from framework_qda.store.schema import MIGRATIONS


def test_new_store_records_every_migration(tmp_path: Path) -> None:
    store = Store(tmp_path / "study.db")
    assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
    # Opening again applies nothing twice.
    assert Store(tmp_path / "study.db").migrate() == []


def test_store_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    store = Store(tmp_path / "study.db")
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000


def test_failed_block_leaves_store_as_it_was(tmp_path: Path) -> None:
    store = Store(tmp_path / "study.db")
    with store.atomic():
        store.upsert_cases([Case("P1", "A")])
    with pytest.raises(RuntimeError), store.atomic():
        store.upsert_cases([Case("P2", "B")])
        raise RuntimeError("boom")
    assert [c.id for c in store.cases()] == ["P1"]


def test_nested_block_rolls_back_only_itself(tmp_path: Path) -> None:
    store = Store(tmp_path / "study.db")
    with store.atomic():
        store.upsert_cases([Case("P1", "A")])
        with pytest.raises(ValueError), store.atomic():
            store.upsert_cases([Case("P2", "B")])
            raise ValueError
    assert [c.id for c in store.cases()] == ["P1"]


def test_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    path = tmp_path / "study.db"
    Store(path)  # the schema, so that neither writer is the one to create it
    holding, release = threading.Event(), threading.Event()
    done: list[str] = []
    failed: list[BaseException] = []

    def hold() -> None:
        first = Store(path)  # a connection of its own, as another process would have
        with first.atomic():
            first.upsert_cases([Case("P1", "A")])
            holding.set()
            release.wait(30)
        done.append("first")

    def write() -> None:
        try:
            second = Store(path)
            with second.atomic():  # waits for the lock instead of failing
                second.upsert_cases([Case("P2", "B")])
            done.append("second")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(30)
    w = threading.Thread(target=write)
    w.start()
    w.join(0.3)  # not for ordering: the writer must still be waiting, not failed
    assert w.is_alive() and not failed and done == []
    release.set()
    t.join()
    w.join()
    assert not failed
    assert done == ["first", "second"]
    assert {c.id for c in Store(path).cases()} == {"P1", "P2"}


def test_attributes_keep_their_file_order(tmp_path: Path) -> None:
    store = Store(tmp_path / "study.db")
    case = Case("P1", "A", (("zeta", "1"), ("alpha", "2")))
    with store.atomic():
        store.upsert_cases([case])
    assert store.cases() == [case]


def test_codings_need_a_real_span(tmp_path: Path) -> None:
    store = Store(tmp_path / "study.db")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO codings (source_id, start, \"end\", subtopic_id, created_at, text_hash)"
            " VALUES (1, 5, 5, 1, 'now', 'x')"
        )
