"""What the shared row modules ask a backend for, answered in PostgreSQL's terms:
the full-text index's query language, reading a number out of a history row's
JSON, deferred foreign keys, and what moves when another connection commits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from psycopg import errors as pg_errors

from framework_qda.model import SearchQuery
from framework_qda.store.postgres import highlight

_WORD = re.compile(r"\w+")


def tsquery(query: SearchQuery) -> str:
    """The query in ``to_tsquery``'s language: each term's words quoted (punctuation is
    never syntax) and kept together (``<->``), a prefix term's last word starred,
    ``OR`` as ``|`` and ``a NOT b`` as ``a & !b``, every other pair of terms ``&``
    — the meaning FTS5 gives the same query on SQLite."""
    out: list[str] = []
    joiner = ""
    for part in query.parts:
        if isinstance(part, str):
            joiner = " | " if part == "OR" else " & !"
            continue
        words = [f"'{w}'" for w in _WORD.findall(part.text)]
        if not words:
            continue
        if part.prefix:
            words[-1] += ":*"
        term = "(" + " <-> ".join(words) + ")"
        out.append((joiner or " & ") + term if out else term)
        joiner = ""
    return "".join(out)


class PostgresRows:
    """Overrides of the shared row modules' few SQLite-only answers (placed first
    among the PostgreSQL store's bases)."""

    conn: Any
    _depth: int
    transactions: int

    def data_version(self) -> object:
        """What moves when another connection writes: the server's snapshot.  Inside a
        change (``atomic()``) this connection holds the study's write lock, so no other
        writer can commit until it ends: the transaction's own number says as much,
        without asking the server each time."""
        if self._depth > 0:
            return ("held", self.transactions)
        return self.conn.execute("SELECT pg_current_snapshot()::text").fetchone()[0]

    @staticmethod
    def match_sql(query: SearchQuery) -> tuple[str, list[object]]:
        return "f.words @@ to_tsquery('fqda', ?)", [tsquery(query)]

    @staticmethod
    def marked_sql(query: SearchQuery) -> tuple[str, list[object]]:
        """The passage's words as the server's parser and stemmer read them
        (highlight.py marks what the query matched among them)."""
        return highlight.WORDS_SQL.format(text="f.body"), []

    def match_spans(self, query: SearchQuery | None
                    ) -> Callable[[str, str], tuple[tuple[int, int], ...]]:
        if query is None:
            return lambda marked, text: ()
        terms = []
        for term in highlight.marked_terms(query):
            (debug,) = self.conn.execute(
                "SELECT " + highlight.WORDS_SQL.format(text="?"), (term.text,)).fetchone()
            lexemes = tuple(w[2][0] for w in highlight.words(debug, term.text))
            terms.append((lexemes, term.prefix))
        return lambda marked, text: highlight.spans(highlight.words(marked, text), terms)

    @staticmethod
    def json_number(document: str, key: str) -> str:
        return f"CAST(({document})::json ->> '{key}' AS BIGINT)"

    def defer_foreign_keys(self) -> None:
        self.conn.execute("SET CONSTRAINTS ALL DEFERRED")

    def foreign_keys_broken(self) -> bool:
        try:
            self.conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        except pg_errors.ForeignKeyViolation:
            return True
        return False

    def store_damage(self) -> list[str]:
        """Nothing to find: the server keeps its own files sound (its checksums and
        write-ahead log), and ``fqda check`` goes on to check the study's rows."""
        return []

    def _stream(self, sql: str) -> tuple[list[str], Iterator[list[tuple[Any, ...]]]]:
        """A query's columns and its rows in batches, through a server-side cursor
        (psycopg's ordinary cursor fetches every row at once) when inside a
        transaction, as a copy's snapshot is; outside one (a dump), whole."""
        from psycopg.rows import tuple_row

        from framework_qda.store import transfer
        from framework_qda.store.postgres.connection import translate

        if not self.conn.in_transaction:
            rows = self.conn.pg.cursor(row_factory=tuple_row).execute(translate(sql))
            return [d.name for d in rows.description or ()], iter([rows.fetchall()])
        cur = self.conn.pg.cursor(name="fqda_copy", row_factory=tuple_row)
        cur.execute(translate(sql))
        return [d.name for d in cur.description or ()], transfer.batches(cur.fetchmany,
                                                                          cur.close)
