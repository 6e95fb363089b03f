"""Connection, transactions and migrations of a study store on PostgreSQL.

A study on a server is one schema of one database: ``store:
postgresql://host/db?schema=NAME`` in ``fqda.yaml`` (or ``$FQDA_STORE``) says
which.  Credentials never live in the study folder: libpq reads them from the
environment (``PGPASSWORD``) or a password file (``~/.pgpass``, ``PGPASSFILE``).

Writers are serialised per study, as SQLite's write lock serialises them: every
outermost ``atomic()`` block takes the study's transaction-level advisory lock
before it changes anything, so the history's "newest action is the running
one" holds on both backends, and a second writer waits (up to
``BUSY_TIMEOUT_MS``) and then says the study is busy.  Readers never wait:
``snapshot()`` is one REPEATABLE READ transaction, so a reader sees each action
whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors

from framework_qda.errors import FqdaError, StoreUnusable, StudyBusy
from framework_qda.store.database import BUSY_TIMEOUT_MS, Database, now
from framework_qda.store.postgres.connection import Connection
from framework_qda.store.postgres.schema import MIGRATIONS

_GRANTS = ("GRANT USAGE ON SCHEMA {s} TO {r}",
           "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
           "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class StoreAddress:
    """Where a study's store is on a server: the connection string libpq gets and
    the study's schema."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise FqdaError(f"store: {url.split('://')[0]!r} is not a store fqda knows "
                            "(use postgresql://host/database?schema=NAME)")
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = [v for k, v in query if k == "schema"]
        if not schema or not _SCHEMA_NAME.fullmatch(schema[-1]):
            raise FqdaError(
                "store: a PostgreSQL store names the study's schema, in lower-case letters, "
                "digits and _ (postgresql://host/database?schema=my_study)")
        self.schema = schema[-1]
        rest = urlencode([(k, v) for k, v in query if k != "schema"])
        self.conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, rest, ""))
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
        self.shown = f"postgresql://{host}{port}{parts.path} (schema {self.schema})"
        """The address without user or password, for messages."""
        self.has_password = parts.password is not None


class PgDatabase(Database):
    """One psycopg connection to a study's schema, with ``atomic()`` blocks."""

    database_errors: tuple[type[Exception], ...] = (psycopg.Error,)
    integrity_errors: tuple[type[Exception], ...] = (psycopg.IntegrityError,)

    def __init__(self, address: StoreAddress, path: str = "") -> None:
        self.address = address
        self.path = path or address.shown
        self.read_only = False
        try:
            pg = psycopg.connect(address.conninfo, autocommit=True, connect_timeout=10,
                                 application_name="fqda")
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreUnusable(f"{address.shown}: cannot reach the study's server "
                                f"({first})") from None
        self.conn = cast(Any, Connection(pg, on_begin=self._begin))
        self._setup_pg()

    def _setup_pg(self) -> None:
        self._depth = 0
        self.layer = None
        self.command = ""
        self.label = ""
        self.actor = ""
        self.identify = lambda: ""
        self._history = False
        self.rollbacks = 0
        self.transactions = 0
        """Transactions this connection has begun (see ``dialect.data_version``)."""
        self._lost = False
        self._pg.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
        self.migrate()
        self._pg.execute(f"SET search_path TO {self.address.schema}")
        self._history = True

    @property
    def _pg(self) -> psycopg.Connection[Any]:
        return cast(Connection, self.conn).pg

    def close(self) -> None:
        self._pg.close()

    def _begin(self) -> None:
        """Begin a transaction holding the study's write lock (waiting for it)."""
        self.transactions += 1
        self._pg.execute("BEGIN")
        try:
            self._pg.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                             (self.address.schema,))
        except pg_errors.LockNotAvailable:
            self._pg.execute("ROLLBACK")
            raise StudyBusy(f"{self.path}: another fqda command is writing this study; "
                            "try again") from None

    def _enter(self, name: str) -> None:
        """The outermost block begins a transaction holding the study's write lock;
        an inner one is savepoint ``name`` (``Database.atomic`` does the rest)."""
        if self._depth == 0:
            self._begin()
        else:
            self._pg.execute(f"SAVEPOINT {name}")

    def _undo(self, name: str) -> None:
        try:
            if self._depth == 0:
                self._pg.execute("ROLLBACK")
            else:
                self._pg.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self._pg.execute(f"RELEASE SAVEPOINT {name}")
        except psycopg.Error:
            self._lost = self._depth > 0

    def _finish(self, name: str) -> None:
        if self._depth > 0:
            self._pg.execute(f"RELEASE SAVEPOINT {name}")
            return
        if self._lost:
            self._lost = False
            with suppress(psycopg.Error):
                self._pg.execute("ROLLBACK")
            raise FqdaError(f"{self.path}: an error inside this change ended its transaction, "
                            "so nothing of it was saved; run the command again")
        try:
            self._pg.execute("COMMIT")
        except psycopg.Error:
            with suppress(psycopg.Error):
                self._pg.execute("ROLLBACK")
            raise

    def grant_coders(self, roles: Sequence[str]) -> None:
        """Let each role use the study's schema: read and write its tables (within the
        blind coders' limits of migration 0019) and take its ordering numbers."""
        from psycopg import sql

        schema = sql.Identifier(self.address.schema)
        with self._pg.transaction():  # every role or none
            for role in roles:
                for grant in _GRANTS:
                    try:
                        self._pg.execute(sql.SQL(grant).format(s=schema, r=sql.Identifier(role)))
                    except (pg_errors.UndefinedObject, pg_errors.InsufficientPrivilege) as exc:
                        first = (exc.diag.message_primary or str(exc)).splitlines()[0]
                        raise FqdaError(f"{self.path}: cannot grant {role!r} the study "
                                        f"({first}); no role was granted it") from None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read in one transaction that takes no lock: every read in the block sees
        the store as one moment left it, even while another command writes."""
        if self._depth > 0 or self.conn.in_transaction:
            yield
            return
        self._pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self._pg.execute("COMMIT")

    def applied_migrations(self) -> list[str]:
        rows = self._pg.execute(
            f"SELECT name FROM {self.address.schema}.migrations ORDER BY name").fetchall()
        return [str(r[0]) for r in rows]

    def migrate(self) -> list[str]:
        """Make the study's schema if it is new and apply every migration not yet
        recorded, under the study's write lock (so processes opening a new study at
        the same moment apply each one once); returns the names applied."""
        schema = self.address.schema
        if not self._pending():
            return []
        applied: list[str] = []
        self._begin()
        try:
            self._pg.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            self._pg.execute(f"SET LOCAL search_path TO {schema}")
            self._pg.execute("CREATE TABLE IF NOT EXISTS migrations"
                             " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            for name, sql in self._pending():
                self._pg.execute(sql)
                self._pg.execute("INSERT INTO migrations (name, applied_at) VALUES (%s, %s)",
                                 (name, now()))
                applied.append(name)
            self._pg.execute("COMMIT")
        except BaseException:
            with suppress(psycopg.Error):
                self._pg.execute("ROLLBACK")
            raise
        return applied

    def _pending(self) -> list[tuple[str, str]]:
        exists = self._pg.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f"{self.address.schema}.migrations",)
        ).fetchone()
        done = set(self.applied_migrations()) if exists and exists[0] else set()
        return [(name, sql) for name, sql in MIGRATIONS if name not in done]
