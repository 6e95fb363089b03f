"""Connection, transactions and migrations of the study store (SQLite)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from framework_qda.errors import FqdaError, StoreUnusable, StudyBusy
from framework_qda.store.schema import MIGRATIONS
from framework_qda.store.store_file import prepare, statements, unusable

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

    database_errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    """What SQLite raises when the store itself fails (not one file's input)."""
    integrity_errors: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
    """What SQLite raises when a change would break a constraint."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.read_only = False
        """The store cannot be written (permissions, a read-only disk): reading works,
        and any change is refused in one line (:meth:`atomic`)."""
        if self.path != ":memory:":
            self.read_only = prepare(Path(path))
        try:
            self.conn = self._connect()
            self.conn.row_factory = sqlite3.Row
            self._setup()
        except sqlite3.DatabaseError as exc:
            raise unusable(self.path, exc) from None

    def _connect(self, immutable: bool = False) -> sqlite3.Connection:
        if not self.read_only:
            return sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None)
        from urllib.parse import quote

        uri = f"file:{quote(str(Path(self.path).absolute()))}?mode=ro"
        return sqlite3.connect(uri + ("&immutable=1" if immutable else ""), uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)

    def _setup(self) -> None:
        self._depth = 0
        self.layer: str | None = None
        """A coder whose study is blind: what views read (evidence, coded cells,
        summaries, suggestions) is only that coder's (see store/layers.py)."""
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
        self._lost = False
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        if self.read_only:
            try:
                self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                # A WAL store on a read-only disk, closed cleanly, has no -shm file
                # and none can be made: nobody can be writing it, so read it as is.
                self.conn.close()
                self.conn = self._connect(immutable=True)
                self.conn.row_factory = sqlite3.Row
            if self._pending():
                raise StoreUnusable(
                    f"{self.path}: the study store is read-only and was made by an older "
                    "version of fqda; open it once where it can be written, to upgrade it")
            self._history = True
            return
        if self.path != ":memory:":
            self._use_wal()
            self.conn.execute("PRAGMA synchronous = NORMAL")
        self.migrate()
        self._history = True

    def _use_wal(self) -> None:
        """Switch a new store to WAL mode (it stays so).  The switch needs the file to
        itself and SQLite reports "locked" at once, without waiting, while another
        process opening the same new study reads it: so wait here, as for a writer."""
        (mode,) = self.conn.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() == "wal":
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise StudyBusy(f"{self.path}: another fqda command is opening this "
                                    "study; try again") from None
                time.sleep(0.01)

    def close(self) -> None:
        self.conn.close()

    def grant_coders(self, roles: Sequence[str]) -> None:
        """A study in its own file has no roles: coders share it by sharing the folder,
        or each codes in a copy that ``fqda merge`` brings together."""
        raise FqdaError("this study is in its own file (.fqda/study.db), which has no "
                        "server roles to grant; put it on a PostgreSQL server first "
                        "(fqda store copy)")

    @staticmethod
    def json_number(document: str, key: str) -> str:
        """SQL for the number at ``key`` of the JSON object ``document`` (SQL too)."""
        return f"json_extract({document}, '$.{key}')"

    def defer_foreign_keys(self) -> None:
        """Check foreign keys when the running transaction ends, not row by row."""
        self.conn.execute("PRAGMA defer_foreign_keys = ON")

    def foreign_keys_broken(self) -> bool:
        """Whether a row of the running transaction points at one that is gone."""
        return self.conn.execute("PRAGMA foreign_key_check").fetchone() is not None

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Run a block in one transaction (nested blocks become savepoints).

        The outermost block takes the write lock at once (``BEGIN IMMEDIATE``)
        so two processes writing the same study wait for each other instead of
        failing half-way.  Some errors (a full disk, an I/O error, ``OR
        ROLLBACK``) make SQLite end the transaction itself: the block then
        re-raises that error, not the failed rollback's, and an outer block that
        carried on after it refuses to commit (:meth:`_finish`).
        """
        if self.read_only:
            with self._read_only_block():
                yield
            return
        name = f"sp{self._depth}"
        if self._depth == 0:
            self._lost = False
        self._enter(name)
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
            self._undo(name)
            raise
        self._depth -= 1
        self._finish(name)

    def _enter(self, name: str) -> None:
        """Begin the outermost block's transaction, taking the write lock at once
        (``BEGIN IMMEDIATE``), or an inner block's savepoint ``name``."""
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

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read in one transaction that takes no write lock: every read in the block
        sees the store as one moment left it, even while another command writes."""
        if self._depth > 0 or self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    @contextmanager
    def _read_only_block(self) -> Iterator[None]:
        """A block on a read-only store: what it reads is one snapshot; the first
        change it tries is refused, one line, and the store is as it was."""
        with self.snapshot():
            try:
                yield
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc) and "read-only" not in str(exc):
                    raise
                raise StoreUnusable(
                    f"{self.path}: the study store is read-only (no permission to write "
                    "it, or a read-only disk), so this command, which changes the study, "
                    "cannot run; commands that only read it work") from None

    def _undo(self, name: str) -> None:
        """Roll back the block that just failed, if SQLite has not already."""
        if not self.conn.in_transaction:
            self._transaction_ended()
            return
        try:
            if self._depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
        except sqlite3.Error:
            # The savepoint went with a transaction SQLite ended and a new one
            # began: whatever the outer block does next must not be committed.
            self._lost = self._depth > 0

    def _transaction_ended(self) -> None:
        """SQLite ended the transaction itself.  Inside an outer block, open a
        new one so that anything the outer block still does is rolled back with it."""
        if self._depth > 0:
            self._lost = True
            self.conn.execute("BEGIN")

    def _finish(self, name: str) -> None:
        if self._depth > 0:
            if not self.conn.in_transaction:
                self._transaction_ended()
                return
            self.conn.execute(f"RELEASE {name}")
            return
        if self._lost or not self.conn.in_transaction:
            self._lost = False
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise FqdaError(f"{self.path}: an error inside this change ended its transaction, "
                            "so nothing of it was saved; run the command again")
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error:
            if self.conn.in_transaction:
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise

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
        """Apply every migration not yet recorded; returns the names applied.

        What is applied is read again under the write lock, so processes that
        open a new study at the same moment apply each migration once: the
        others wait, then find nothing left to do.
        """
        if not self._pending():
            return []
        applied: list[str] = []
        with self.atomic():
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            for name, sql in self._pending():
                for statement in statements(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now())
                )
                applied.append(name)
        return applied

    def _pending(self) -> list[tuple[str, str]]:
        try:
            done = set(self.applied_migrations())
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            done = set()
        return [(name, sql) for name, sql in MIGRATIONS if name not in done]
