"""Connection, transactions and migrations of the study store (SQLite)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from framework_qda.errors import FqdaError, StudyBusy
from framework_qda.store.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 30_000


def now() -> str:
    """The current time as an ISO 8601 string in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


KEY_SHIFT = 4294967296
"""2**32: a segment's row in the search index is ``source_id * KEY_SHIFT + number``."""


def plain(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor giving plain tuples: a ``sqlite3.Row`` per row costs more than the
    row itself when a query reads thousands of them."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur


class Database:
    """One SQLite connection with savepoint-based ``atomic()`` blocks.

    Autocommit mode is used so that the transaction boundaries are exactly
    the ``atomic()`` blocks: a block that raises leaves the store as it was.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        try:
            self.conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise FqdaError(f"{self.path}: cannot open the study store ({exc})") from None
        self.conn.row_factory = sqlite3.Row
        self._depth = 0
        self.command = ""
        """What the user asked for, recorded with every change it makes (see history)."""
        self.label = ""
        """What the library is doing, recorded when no command line was set."""
        self.actor = ""
        """Who is acting; when empty, ``identify()`` is asked once per change."""
        self.identify: Callable[[], str] = lambda: ""
        self._history = False
        self.rollbacks = 0
        """Blocks rolled back so far (what this connection caches from the rows may
        have been read inside one)."""
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        self.migrate()
        self._history = True

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Run a block in one transaction (nested blocks become savepoints).

        The outermost block takes the write lock at once (``BEGIN IMMEDIATE``)
        so two processes writing the same study wait for each other instead of
        failing half-way.
        """
        name = f"sp{self._depth}"
        try:
            if self._depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
            else:
                self.conn.execute(f"SAVEPOINT {name}")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StudyBusy(
                    f"{self.path}: another fqda command is writing this study; try again"
                ) from None
            raise
        self._depth += 1
        try:
            if self._depth == 1 and self._history:
                self._open_action()
            yield
            if self._depth == 1 and self._history:
                self._close_action()
        except BaseException:
            self._depth -= 1
            self.rollbacks += 1
            if self._depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute(f"RELEASE {name}")

    def _open_action(self) -> None:
        """Every transaction is an action of the study's history (see store/history.py);
        the triggers of migration 0012 file each row change under the newest one."""
        self.conn.execute("INSERT INTO actions (at, who, command) VALUES (?, ?, ?)",
                          (now(), self.actor or self.identify(), self.command or self.label))

    def _close_action(self) -> None:
        """An action that changed nothing leaves no trace, so a command that had
        nothing to do leaves the store byte for byte as it was."""
        self.conn.execute(
            """DELETE FROM actions WHERE id = (SELECT MAX(id) FROM actions)
               AND NOT EXISTS (SELECT 1 FROM changes WHERE action_id = actions.id)
               AND undoes IS NULL""")

    def applied_migrations(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM migrations ORDER BY name").fetchall()
        return [r["name"] for r in rows]

    def migrate(self) -> list[str]:
        """Apply every migration not yet recorded; returns the names applied."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations"
            " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = set(self.applied_migrations())
        applied: list[str] = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.atomic():
                for statement in _statements(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now())
                )
            applied.append(name)
        return applied


def _statements(script: str) -> list[str]:
    """Split a migration script into statements.

    ``sqlite3.complete_statement`` knows where a statement ends, trigger
    bodies (``BEGIN … END;``) included; ``--`` comments are dropped (our DDL
    has no ``--`` inside literals).
    """
    statements: list[str] = []
    current = ""
    for line in script.splitlines():
        current += line.split("--", 1)[0] + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
