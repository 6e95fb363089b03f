"""Moving a study's rows from one store to another (``fqda store copy``), on either
backend, and the dump that shows two stores hold the same study.

A copy writes every table in an order that keeps each row's parents before it,
with the rows' own ids, inside one transaction of the target.  What the target
derives by itself is not copied but made again by its own triggers: the search
index (from the segments) and, since the target's history triggers file each
copied row as a change, the history is emptied and the source's actions and
changes are copied last, as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from framework_qda.store.database import Database, plain

TABLES: tuple[tuple[str, str], ...] = (
    ("study_meta", "key"),
    ("cases", "position"),
    ("sources", "id"),
    ("segments", "source_id, number"),
    ("sentences", "source_id, segment, number"),
    ("themes", "id"),
    ("subtopics", "id"),
    ("codings", "id"),
    ("summaries", "case_id, subtopic_id"),
    ("summary_links", "case_id, subtopic_id, source_id, segment"),
    ("summary_versions", "case_id, subtopic_id, coder"),
    ("codebook_changes", "id"),
    ("coding_sessions", "case_id, coder"),
    ("inputs", "path"),
    ("names", "real, case_id"),
    ("exchange_guids", "kind, key"),
    ("notes", "guid"),
    ("sets", "rowid"),
    ("actions", "id"),
    ("changes", "id"),
)
"""Every table a study's work is in, parents first, with the order a copy reads it
(``sets`` by the order the sets came in, which is the order exports write them)."""

COPY_BATCH = 5000
"""Rows of a table a copy holds in memory at once."""

_HISTORY = ("actions", "changes")
_DERIVED = ("rowid", "words")  # PostgreSQL's ordering column of sets; the index's tsvector


def batches(fetch: Callable[[int], list[tuple[Any, ...]]], close: Callable[[], None] = lambda: None
            ) -> Iterator[list[tuple[Any, ...]]]:
    """A cursor's rows in lists of :data:`COPY_BATCH` (``fetch`` is its ``fetchmany``),
    at least one (maybe empty); ``close`` is called once they are read."""
    size = COPY_BATCH
    try:
        batch = fetch(size)
        yield batch
        while len(batch) == size:
            batch = fetch(size)
            if batch:
                yield batch
    finally:
        close()


class TransferRows(Database):
    """Reading a study out of a store and writing it into an empty one."""

    conn: Any

    def is_empty(self) -> bool:
        """Whether the store holds no study yet (no case, source, framework or action)."""
        for table in ("cases", "sources", "themes", "actions"):
            if self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
                return False
        return True

    def table_rows(self) -> Iterator[tuple[str, list[str], list[tuple[Any, ...]]]]:
        """``(table, columns, rows)`` of every table of :data:`TABLES`, in that order,
        each table whole (see :meth:`table_batches` for a study of any size)."""
        for table, columns, batches in self.table_batches():
            yield table, columns, [row for batch in batches for row in batch]

    def table_batches(self) -> Iterator[tuple[str, list[str], Iterator[list[tuple[Any, ...]]]]]:
        """``(table, columns, batches)`` of every table of :data:`TABLES`, in that
        order: each table's rows in lists of at most :data:`COPY_BATCH`, at least one
        list (maybe empty), so a study is never held in memory whole.  Each table's
        batches are to be read before the next table is asked for."""
        for table, order in TABLES:
            names, batches = self._stream(f"SELECT * FROM {table} ORDER BY {order}")
            keep = [i for i, n in enumerate(names) if n not in _DERIVED]
            if len(keep) == len(names):
                yield table, names, batches
            else:
                yield table, [names[i] for i in keep], (
                    [tuple(r[i] for i in keep) for r in batch] for batch in batches)

    def _stream(self, sql: str) -> tuple[list[str], Iterator[list[tuple[Any, ...]]]]:
        """A query's column names, and its rows in batches read as they are needed."""
        cur = plain(self.conn).execute(sql)
        return [d[0] for d in cur.description], batches(cur.fetchmany)

    def put_table_rows(self, table: str, columns: Sequence[str],
                       rows: Sequence[tuple[Any, ...]], first: bool = True) -> None:
        """Insert rows of one table as they are (inside the copy's transaction);
        ``first`` says they are the table's first batch.  Before the history's own
        tables, what this store's triggers filed about the copy is cleared, so the
        history is the source's alone."""
        if table == _HISTORY[0] and first:
            self.conn.execute("DELETE FROM changes")
            self.conn.execute("DELETE FROM actions")
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows (the search index's text included), sorted: two stores
        whose dumps are equal hold the same study."""
        out = {table: sorted(rows, key=repr) for table, _, rows in self.table_rows()}
        index = plain(self.conn).execute("SELECT rowid, body FROM segment_text").fetchall()
        out["segment_text"] = sorted((tuple(r) for r in index), key=repr)
        return out
