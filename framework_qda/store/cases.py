"""Rows of ``cases`` <-> :class:`Case`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from framework_qda.model import Case


def _case(row: sqlite3.Row) -> Case:
    attrs = tuple((str(k), str(v)) for k, v in json.loads(row["attributes"]))
    return Case(id=row["id"], group=row["grp"], attributes=attrs)


class CaseRows:
    conn: sqlite3.Connection

    def cases(self) -> list[Case]:
        """Every case, in the order the cases file listed them."""
        rows = self.conn.execute("SELECT * FROM cases ORDER BY position, id").fetchall()
        return [_case(r) for r in rows]

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
        for case in cases:
            attrs = json.dumps([list(a) for a in case.attributes], ensure_ascii=False)
            old = self.conn.execute(
                "SELECT grp, attributes FROM cases WHERE id = ?", (case.id,)
            ).fetchone()
            if old is None:
                top += 1
                self.conn.execute(
                    "INSERT INTO cases (id, grp, position, attributes) VALUES (?, ?, ?, ?)",
                    (case.id, case.group, top, attrs),
                )
                added += 1
            elif (old["grp"], old["attributes"]) != (case.group, attrs):
                self.conn.execute(
                    "UPDATE cases SET grp = ?, attributes = ? WHERE id = ?",
                    (case.group, attrs, case.id),
                )
                updated += 1
        return added, updated
