"""Rows of ``names``: the register of real names and their pseudonyms (never exported)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from framework_qda.store.database import Database
from framework_qda.store.rows import NameEntry


class NameRows(Database):
    def names(self, status: str | None = None) -> list[NameEntry]:
        """The register, study-wide entries first, then by case and name."""
        rows = self.conn.execute(
            """SELECT real, pseudonym, case_id, kind, status, count, refs FROM names
               WHERE CAST(? AS TEXT) IS NULL OR status = ? ORDER BY case_id, lower(real)""",
            (status, status)).fetchall()
        return [NameEntry(r[0], r[1], r[2], r[3], r[4], int(r[5]), tuple(json.loads(r[6])))
                for r in rows]

    def put_names(self, entries: Sequence[NameEntry], keep_decided: bool = False) -> int:
        """Add or update entries; returns how many rows changed.  With
        ``keep_decided`` an entry already accepted or rejected keeps its decision and
        pseudonym (only its count and refs follow the new scan)."""
        before = self.conn.total_changes
        for e in entries:
            refs = json.dumps(list(e.refs), ensure_ascii=False)
            if keep_decided:
                self.conn.execute(
                    """INSERT INTO names (real, case_id, pseudonym, kind, status, count, refs)
                       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (real, case_id) DO UPDATE
                       SET count = excluded.count, refs = excluded.refs""",
                    (e.real, e.case_id, e.pseudonym, e.kind, e.status, e.count, refs))
            else:
                self.conn.execute(
                    """INSERT INTO names (real, case_id, pseudonym, kind, status, count, refs)
                       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (real, case_id) DO UPDATE
                       SET pseudonym = excluded.pseudonym, kind = excluded.kind,
                       status = excluded.status""",
                    (e.real, e.case_id, e.pseudonym, e.kind, e.status, e.count, refs))
        return self.conn.total_changes - before

    def decide_name(self, real: str, case_id: str, status: str, pseudonym: str | None
                    ) -> int:
        """Accept or reject a register entry (matched case-insensitively); returns rows."""
        cur = self.conn.execute(
            """UPDATE names SET status = ?, pseudonym = COALESCE(?, pseudonym)
               WHERE lower(real) = lower(?) AND case_id = ?""",
            (status, pseudonym, real, case_id))
        return int(cur.rowcount)
