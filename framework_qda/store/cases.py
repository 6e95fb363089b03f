"""Rows of ``cases`` <-> :class:`Case`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from framework_qda.model import Case, order_cases
from framework_qda.store.database import plain
from framework_qda.store.memo import Remembered

_CHUNK = 500  # ids per look-up: well under SQLite's limit on bound parameters


def _case(row: sqlite3.Row) -> Case:
    attrs = tuple((str(k), str(v)) for k, v in json.loads(row["attributes"]))
    return Case(id=row["id"], group=row["grp"], attributes=attrs)


class CaseRows(Remembered):
    conn: sqlite3.Connection

    def cases(self) -> list[Case]:
        """Every case, in the order the cases file listed them."""
        return list(self.remembered("cases", self._read_cases))

    def _read_cases(self) -> list[Case]:
        rows = plain(self.conn).execute(
            "SELECT id, grp, attributes FROM cases ORDER BY position, id").fetchall()
        # Every query reads every case: one parse of all their attribute lists
        # costs a fifth of a json.loads per case (1,000 cases: 11 ms -> 2 ms).
        # Names and values are written as strings; a number (never written by
        # this package) is read as its text, so no pair needs converting.
        every = json.loads("[" + ",".join(r[2] for r in rows) + "]", parse_int=str,
                           parse_float=str)
        return [Case(case_id, group, tuple(map(tuple, attributes)))
                for (case_id, group, _), attributes in zip(rows, every, strict=True)]

    def cases_in_order(self, groups: Sequence[str] = (), by: Sequence[str] = ()) -> list[Case]:
        """The cases not withdrawn, in matrix row order (:func:`order_cases`), sorted once
        while the cases are unchanged (a command asks several times)."""
        groups, by = tuple(groups), tuple(by)
        return list(self.remembered(f"cases in order {groups!r} {by!r}", lambda: order_cases(
            [c for c in self.cases() if not c.withdrawn], groups, by)))

    def case(self, case_id: str) -> Case | None:
        row = self.conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        return _case(row) if row else None

    def upsert_cases(self, cases: Sequence[Case]) -> tuple[int, int]:
        """Insert new cases and update existing ones; returns (added, updated).

        Cases keep the position of their first import so row order is stable;
        new cases go after the existing ones in the order given.
        """
        added = updated = 0
        (top,) = self.conn.execute("SELECT COALESCE(MAX(position), -1) FROM cases").fetchone()
        # One look-up per chunk of ids and one statement per kind of change: a
        # survey file adds a case per answer, and a round trip per case was
        # most of its ingest.
        ids = list(dict.fromkeys(c.id for c in cases))
        stored: dict[str, tuple[str, str]] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            for row in self.conn.execute(
                    f"SELECT id, grp, attributes FROM cases WHERE id IN "
                    f"({', '.join('?' for _ in chunk)})", chunk):
                stored[row[0]] = (row[1], row[2])
        inserts: list[tuple[str, str, int, str]] = []
        updates: list[tuple[str, str, str]] = []
        for case in cases:
            attrs = json.dumps([list(a) for a in case.attributes], ensure_ascii=False)
            old = stored.get(case.id)
            if old is None:
                top += 1
                inserts.append((case.id, case.group, top, attrs))
                added += 1
            elif old != (case.group, attrs):
                updates.append((case.group, attrs, case.id))
                updated += 1
            stored[case.id] = (case.group, attrs)
        self.conn.executemany(
            "INSERT INTO cases (id, grp, position, attributes) VALUES (?, ?, ?, ?)", inserts)
        self.conn.executemany("UPDATE cases SET grp = ?, attributes = ? WHERE id = ?", updates)
        return added, updated

    def add_cases(self, ids: Sequence[str]) -> None:
        """Add cases the study does not have yet, with no group or attributes, after
        the existing ones in the order given: what :meth:`upsert_cases` does for
        new ids, in one statement (a survey file brings a case per answer).
        An id the study has already fails, and the caller's transaction with it.
        """
        (top,) = self.conn.execute("SELECT COALESCE(MAX(position), -1) FROM cases").fetchone()
        self.conn.executemany(
            "INSERT INTO cases (id, grp, position, attributes) VALUES (?, '', ?, '[]')",
            [(case_id, top + 1 + i) for i, case_id in enumerate(ids)],
        )
