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

from collections.abc import Iterator, Sequence
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

_HISTORY = ("actions", "changes")
_DERIVED = ("rowid", "words")  # PostgreSQL's ordering column of sets; the index's tsvector


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
        """``(table, columns, rows)`` of every table of :data:`TABLES`, in that order."""
        for table, order in TABLES:
            cur = plain(self.conn).execute(f"SELECT * FROM {table} ORDER BY {order}")
            names = [d[0] for d in cur.description]
            keep = [i for i, n in enumerate(names) if n not in _DERIVED]
            rows = [tuple(r[i] for i in keep) for r in cur.fetchall()]
            yield table, [names[i] for i in keep], rows

    def put_table_rows(self, table: str, columns: Sequence[str],
                       rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert one table's rows as they are (inside the copy's transaction).  Before
        the history's own tables, what this store's triggers filed about the copy
        is cleared, so the history is the source's alone."""
        if table == _HISTORY[0]:
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
