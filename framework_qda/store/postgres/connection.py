"""A psycopg connection in the shape the store's row modules speak to.

The row modules (``store/cases.py`` … ``store/summaries.py``) hold the study's
questions and changes as SQL that SQLite and PostgreSQL both read, written
against a DB-API connection shaped like :mod:`sqlite3`'s: ``execute`` with ``?``
parameters, rows read by name or position, ``in_transaction``.  This module
gives a PostgreSQL connection that shape, and rewrites the few spellings the two
servers do not share, once per distinct statement:

- ``?`` parameters become ``%s`` (and a literal ``%`` becomes ``%%``);
- ``INSERT OR IGNORE INTO …`` becomes ``INSERT INTO … ON CONFLICT DO NOTHING``;
- ``group_concat(x, sep)`` becomes ``string_agg(x, sep)``;
- ``a IS NOT b`` (b not ``NULL``) becomes ``a IS DISTINCT FROM b``;
- an empty list, ``IN ()`` (SQLite: never true) and ``NOT IN ()`` (always), becomes
  ``= ANY('{}')`` and ``<> ALL('{}')``;
- the scalar ``max(a, b)`` and ``min(a, b)`` become ``GREATEST`` and ``LEAST``.

Anything else that differs (the search index, the migrations, transactions and
locks) is written for PostgreSQL in its own module of this package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import pq
from psycopg.types.string import StrDumper

_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?|%|[^'"?%-]+|-""")
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(", re.IGNORECASE)
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|TRUE\b|FALSE\b|DISTINCT\b)", re.IGNORECASE)
_EMPTY_IN = re.compile(r"\b(NOT\s+)?IN\s*\(\s*\)", re.IGNORECASE)
_SCALAR = re.compile(r"\b(max|min)\(([^(),]+,[^()]+)\)", re.IGNORECASE)
_TRANSLATED: dict[str, str] = {}
_PLAIN_INSERT = re.compile(
    r'\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,"]+)\)\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)\s*;?\s*$',
    re.IGNORECASE)


def translate(sql: str) -> str:
    """``sql`` as PostgreSQL reads it (see the module's docstring)."""
    found = _TRANSLATED.get(sql)
    if found is not None:
        return found
    out: list[str] = []
    for token in _TOKENS.findall(sql):
        if token == "?":
            out.append("%s")
        elif token == "%":
            out.append("%%")
        elif token[0] in "'\"" or token.startswith("--"):
            out.append(token.replace("%", "%%") if token[0] in "'\"" else "")
        else:
            out.append(_GROUP_CONCAT.sub("string_agg(", token))
    text = _SCALAR.sub(lambda m: ("GREATEST(" if m[1].lower() == "max" else "LEAST(")
                       + m[2] + ")", "".join(out))
    text = _IS_NOT.sub("IS DISTINCT FROM ", text)
    text = _EMPTY_IN.sub(lambda m: "<> ALL('{}')" if m[1] else "= ANY('{}')", text)
    if _OR_IGNORE.match(text):
        text = _OR_IGNORE.sub("INSERT INTO", text, count=1).rstrip().rstrip(";")
        text += " ON CONFLICT DO NOTHING"
    _TRANSLATED[sql] = text
    return text


class Row:
    """One row, read by column name or by position, like ``sqlite3.Row``."""

    __slots__ = ("_values", "_names")

    def __init__(self, values: Sequence[Any], names: dict[str, int]) -> None:
        self._values = values
        self._names = names

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._names[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._names)


def _named_rows(cursor: Any) -> Any:
    names = {c.name: i for i, c in enumerate(cursor.description or ())}
    return lambda values: Row(values, names)


class Cursor:
    """A cursor as the row modules use one: ``execute`` returns it, rows are
    ``Row`` objects unless ``row_factory`` is set to ``None`` (plain tuples)."""

    def __init__(self, owner: Connection) -> None:
        self._owner = owner
        self._cur: psycopg.Cursor[Any] = owner.pg.cursor()
        self.row_factory: object = owner.row_factory

    def _ready(self) -> None:
        self._cur.row_factory = _named_rows if self.row_factory is not None else \
            psycopg.rows.tuple_row

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        self._ready()
        self._owner.before(sql)
        self._cur.execute(translate(sql), tuple(params or ()))
        self._owner.after(self._cur.rowcount, sql)
        return self

    def executemany(self, sql: str, rows: Any) -> Cursor:
        self._ready()
        self._owner.before(sql)
        plain = _PLAIN_INSERT.match(sql)
        if plain is None:
            self._cur.executemany(translate(sql), [tuple(r) for r in rows])
        else:
            # A batch of plain inserts goes as one COPY: the same rows (row
            # triggers fire as for INSERT) in one stream instead of a statement each.
            with self._cur.copy(f"COPY {plain[1]} ({plain[2]}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        self._owner.after(self._cur.rowcount, sql)
        return self

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall() if self._cur.description else []

    def __iter__(self) -> Iterator[Any]:
        if not self._cur.description:
            return iter(())
        return iter(self._cur)

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    @property
    def description(self) -> Any:
        return self._cur.description


class Connection:
    """A psycopg connection in autocommit mode: the store's ``atomic()`` says where
    each transaction begins and ends, as it does on SQLite."""

    def __init__(self, pg: psycopg.Connection[Any], *, on_begin: Any = None) -> None:
        self.pg = pg
        # Text goes to the server as text, not as a literal of unknown type, so
        # that lower(?) and CAST(? AS TEXT) IS NULL read as they do on SQLite.
        pg.adapters.register_dumper(str, StrDumper)
        self.row_factory: object = Row
        self.total_changes = 0
        """Rows this connection has changed (the cache stamp of ``store/memo.py``)."""
        self._on_begin = on_begin
        self._implicit: str | None = None

    @property
    def in_transaction(self) -> bool:
        return self.pg.info.transaction_status != pq.TransactionStatus.IDLE

    def before(self, sql: str) -> None:
        """A ``SAVEPOINT`` outside any transaction begins one, as on SQLite (where
        releasing that savepoint commits): it takes the study's write lock first."""
        words = sql.split()
        if words[:1] == ["SAVEPOINT"] and not self.in_transaction:
            if self._on_begin is not None:
                self._on_begin()
            self._implicit = words[1]

    def after(self, rowcount: int, sql: str) -> None:
        words = sql.split()
        if rowcount > 0 and words[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.total_changes += rowcount
        if words[:1] == ["RELEASE"] and self._implicit is not None \
                and words[-1] == self._implicit:
            self._implicit = None
            self.pg.execute("COMMIT")

    def cursor(self) -> Cursor:
        return Cursor(self)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        return Cursor(self).execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Cursor:
        return Cursor(self).executemany(sql, rows)

    def close(self) -> None:
        self.pg.close()
