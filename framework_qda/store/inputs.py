"""Rows of ``inputs``: what each hand-written file held when ``fqda run`` last applied it."""

from __future__ import annotations

import json

from framework_qda.store.database import Database, now
from framework_qda.store.rows import AppliedInput


class InputRows(Database):
    def applied_input(self, path: str) -> AppliedInput | None:
        row = self.conn.execute(
            "SELECT path, sha256, rows, action_id FROM inputs WHERE path = ?", (path,)
        ).fetchone()
        if row is None:
            return None
        return AppliedInput(row[0], row[1], json.loads(row[2]), int(row[3]))

    def put_applied_input(self, path: str, sha256: str, rows: dict[str, str]) -> None:
        """Record a file as applied now (the caller holds the transaction)."""
        (newest,) = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM actions").fetchone()
        self.conn.execute(
            """INSERT INTO inputs (path, sha256, rows, action_id, applied_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET
               sha256 = excluded.sha256, rows = excluded.rows,
               action_id = excluded.action_id, applied_at = excluded.applied_at""",
            (path, sha256, json.dumps(rows, ensure_ascii=False, sort_keys=True), int(newest),
             now()))

    def coding_removed(self, source_id: int, start: int, end: int, subtopic_id: int
                       ) -> tuple[int, str] | None:
        """The action that last removed (deleted or rejected) this coding, as (action id,
        who), when that is the latest thing that happened to it and was not undone."""
        field = {k: self.json_number("COALESCE(x.after, x.before)", k)
                 for k in ("source_id", "start", "end", "subtopic_id")}
        row = self.conn.execute(
            """SELECT x.action_id, a.who, x.before, x.after FROM changes x
               JOIN actions a ON a.id = x.action_id
               WHERE x.tbl = 'codings'
               AND {source_id} = ?
               AND {start} = ?
               AND {end} = ?
               AND {subtopic_id} = ?
               AND NOT EXISTS (SELECT 1 FROM actions u WHERE u.undoes = a.id)
               AND a.undoes IS NULL
               ORDER BY x.id DESC LIMIT 1""".format(**field),
            (source_id, start, end, subtopic_id)).fetchone()
        if row is None:
            return None
        before = json.loads(row[2]) if row[2] else {}
        after = json.loads(row[3]) if row[3] else None
        removed = before.get("status") == "accepted" and (
            after is None or after.get("status") != "accepted")
        return (int(row[0]), str(row[1])) if removed else None

    def summary_changed_since(self, action_id: int, case_id: str, subtopic_id: int
                              ) -> tuple[int, str] | None:
        """The latest action after ``action_id`` that wrote or removed this cell's summary
        (not an undone one), as (action id, who)."""
        row = self.conn.execute(
            """SELECT x.action_id, a.who FROM changes x JOIN actions a ON a.id = x.action_id
               WHERE x.tbl = 'summaries' AND x.action_id > ? AND x.case_id = ?
               AND x.subtopic_id = ?
               AND NOT EXISTS (SELECT 1 FROM actions u WHERE u.undoes = a.id)
               ORDER BY x.action_id DESC LIMIT 1""",
            (action_id, case_id, subtopic_id)).fetchone()
        return (int(row[0]), str(row[1])) if row else None
