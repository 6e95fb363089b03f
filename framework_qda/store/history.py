"""Rows of ``actions`` and ``changes``: the study's history, and putting rows back.

The triggers of migrations 0012, 0014 and 0017 copy every insert, update and
delete of cases, themes, sub-topics, codings, summaries, summary links, the
names register, notes, sets and sources (without their text) into
``changes``, under the newest ``actions`` row, which :meth:`Database.atomic`
opens for each user action.  Reverting a change writes its ``before`` copy
back, which the triggers record in turn, so an undo is itself history.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from framework_qda.errors import FqdaError
from framework_qda.store.database import Database
from framework_qda.store.rows import ActionRow, ChangeRow

# The columns a revert may write, per table, and its key: nothing read back
# from ``changes`` names a column that is not here.
_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cases": (("id",), ("id", "grp", "position", "attributes")),
    "themes": (("id",), ("id", "code", "label", "definition", "guid", "position")),
    "subtopics": (("id",), ("id", "theme_id", "code", "label", "definition", "include",
                            "exclude", "example", "keywords", "patterns", "guid", "position")),
    "codings": (("id",), ("id", "source_id", "start", "end", "subtopic_id", "coder", "origin",
                          "status", "created_at", "memo", "text_hash", "matched")),
    "summaries": (("case_id", "subtopic_id"),
                  ("case_id", "subtopic_id", "text", "state", "author", "updated_at",
                   "evidence_hash", "evidence", "origin", "accepted_by", "accepted_at")),
    "summary_versions": (("case_id", "subtopic_id", "coder"),
                         ("case_id", "subtopic_id", "coder", "text", "state", "author",
                          "updated_at", "origin", "accepted_by", "came_from")),
    "names": (("real", "case_id"),
              ("real", "case_id", "pseudonym", "kind", "status", "count", "refs")),
    "notes": (("guid",), ("guid", "source_id", "start", "end", "name", "text", "author",
                          "created_at")),
    "sets": (("guid",), ("guid", "name", "description", "members")),
    "summary_links": (("case_id", "subtopic_id", "source_id", "segment"),
                      ("case_id", "subtopic_id", "source_id", "segment", "position", "start",
                       "end")),
}


class HistoryRows(Database):

    def actions(self, *, case_id: str | None = None, subtopic_id: int | None = None,
                who: str | None = None, limit: int = 0) -> list[ActionRow]:
        """Actions that changed something, newest first; only those touching the case,
        the sub-topic (or both: one cell), or by ``who``, when given."""
        where: list[str] = ["TRUE"]
        args: list[object] = []
        if case_id is not None or subtopic_id is not None:
            cond = ["x.action_id = a.id"]
            if case_id is not None:
                cond.append("x.case_id = ?")
                args.append(case_id)
            if subtopic_id is not None:
                cond.append("x.subtopic_id = ?")
                args.append(subtopic_id)
            where.append(f"EXISTS (SELECT 1 FROM changes x WHERE {' AND '.join(cond)})")
        if who is not None:
            where.append("a.who = ?")
            args.append(who)
        sql = (f"""SELECT a.id, a.at, a.who, a.command, a.undoes,
                          (SELECT MAX(u.id) FROM actions u WHERE u.undoes = a.id)
                   FROM actions a WHERE {' AND '.join(where)} ORDER BY a.id DESC""")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [ActionRow(*r) for r in self.conn.execute(sql, args).fetchall()]

    def action(self, action_id: int) -> ActionRow | None:
        row = self.conn.execute(
            """SELECT a.id, a.at, a.who, a.command, a.undoes,
                      (SELECT MAX(u.id) FROM actions u WHERE u.undoes = a.id)
               FROM actions a WHERE a.id = ?""", (action_id,)).fetchone()
        return ActionRow(*row) if row else None

    def changes(self, action_ids: Sequence[int]) -> list[ChangeRow]:
        """The row changes of these actions, in the order they were made."""
        out: list[ChangeRow] = []
        for i in range(0, len(action_ids), 500):
            chunk = list(action_ids[i:i + 500])
            rows = self.conn.execute(
                f"""SELECT id, action_id, tbl, row_key, case_id, subtopic_id, before, after
                    FROM changes WHERE action_id IN ({', '.join('?' for _ in chunk)})
                    ORDER BY id""", chunk).fetchall()
            out.extend(ChangeRow(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5],
                                 json.loads(r[6]) if r[6] else None,
                                 json.loads(r[7]) if r[7] else None) for r in rows)
        out.sort(key=lambda c: c.id)
        return out

    def last_undoable(self, who: str) -> ActionRow | None:
        """``who``'s newest action that is neither an undo nor undone already."""
        row = self.conn.execute(
            """SELECT a.id FROM actions a WHERE a.who = ? AND a.undoes IS NULL
               AND NOT EXISTS (SELECT 1 FROM actions u WHERE u.undoes = a.id)
               AND EXISTS (SELECT 1 FROM changes x WHERE x.action_id = a.id)
               ORDER BY a.id DESC LIMIT 1""", (who,)).fetchone()
        return self.action(int(row[0])) if row else None

    def later_actions_on(self, action_id: int, keys: Sequence[tuple[str, str]]) -> list[int]:
        """Actions after ``action_id`` that changed any of these (table, JSON key) rows
        and were not themselves undone, oldest first."""
        found: set[int] = set()
        for table, key in keys:
            for (aid,) in self.conn.execute(
                    """SELECT DISTINCT x.action_id FROM changes x WHERE x.tbl = ?
                       AND x.row_key = ? AND x.action_id > ?
                       AND NOT EXISTS (SELECT 1 FROM actions u WHERE u.undoes = x.action_id)
                       AND NOT EXISTS (SELECT 1 FROM actions v WHERE v.id = x.action_id
                                       AND v.undoes IS NOT NULL)""",
                    (table, key, action_id)):
                found.add(int(aid))
        return sorted(found)

    def mark_undo(self, action_id: int) -> None:
        """Record that the running action reverts ``action_id``."""
        self.conn.execute("UPDATE actions SET undoes = ? WHERE id = (SELECT MAX(id) FROM actions)",
                          (action_id,))

    def revert(self, change: ChangeRow) -> None:
        """Put one row back as it was before ``change`` (the caller holds the
        transaction and goes through an action's changes newest first).

        Raises :class:`FqdaError` for a table that cannot be reverted (sources:
        their text is not kept in the history).
        """
        if change.table not in _TABLES:
            raise FqdaError(f"a change to {change.table} cannot be undone")
        key_cols, cols = _TABLES[change.table]
        where = " AND ".join(f'"{c}" = ?' for c in key_cols)
        if change.before is None:  # it was inserted: remove it
            assert change.after is not None
            self.conn.execute(f"DELETE FROM {change.table} WHERE {where}",
                              [change.after[c] for c in key_cols])
            return
        values = [change.before[c] for c in cols]
        if change.after is None:  # it was deleted: put it back
            self.conn.execute(
                f"INSERT INTO {change.table} ({', '.join(_quoted(c) for c in cols)})"
                f" VALUES ({', '.join('?' for _ in cols)})", values)
            return
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        self.conn.execute(f"UPDATE {change.table} SET {sets} WHERE {where}",
                          [*values, *(change.after[c] for c in key_cols)])

    def revert_action(self, action_id: int, changes: Sequence[ChangeRow]) -> bool:
        """Put back every row ``changes`` (one action's) touched, newest first, in one
        transaction recorded as an undo of ``action_id``.  False, with nothing
        changed, when the result would break the study's integrity (a coding
        left on a removed sub-topic, say)."""
        try:
            with self.atomic():
                # Rows come back in reverse order, and a parent may return after
                # its children: foreign keys are checked once all are back.
                self.defer_foreign_keys()
                self.mark_undo(action_id)
                for change in reversed(changes):
                    self.revert(change)
                if self.foreign_keys_broken():
                    raise _Broken
        except self.integrity_errors + (_Broken,):
            return False
        return True


def _quoted(column: str) -> str:
    return f'"{column}"'


class _Broken(Exception):
    """A revert would leave a row pointing at one that is gone."""
