"""Reads that a command makes many times, answered once while nothing has changed.

A command reads the framework and the cases from several places (an export of
quotes asked for the codebook five times).  Each answer is kept with a stamp of
the database's state: the connection's own count of changed rows and SQLite's
``data_version``, which moves when another connection commits.  Any write, here
or elsewhere, moves the stamp and the next read goes to the tables again; what is
read inside a transaction is not kept, since a rollback takes rows back without
moving the stamp.  So a remembered answer is never one the tables no longer give.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Remembered:
    conn: sqlite3.Connection

    def data_version(self) -> object:
        """What moves when another connection commits a change (SQLite's
        ``data_version``)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def remembered(self, name: str, read: Callable[[], T]) -> T:
        """``read()``, or what it gave last time if the database has not changed since."""
        memo: dict[str, tuple[Any, Any]] = self.__dict__.setdefault("_memo", {})
        stamp = (id(self.conn), self.conn.total_changes, self.data_version())
        kept = memo.get(name)
        if kept is not None and kept[0] == stamp:
            value: T = kept[1]
            return value
        value = read()
        if not self.conn.in_transaction:  # a rollback would undo rows without moving the stamp
            memo[name] = (stamp, value)
        return value
