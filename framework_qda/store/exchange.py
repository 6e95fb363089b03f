"""Rows of project exchange: the GUIDs a REFI-QDA project gave the study's things,
and the notes and sets a project carried (migrations 0016, 0017)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from framework_qda.store.rows import NoteRow


class ExchangeRows:
    conn: sqlite3.Connection

    def exchange_guids(self, kind: str) -> dict[str, str]:
        """Local key -> GUID for one kind (``source``, ``case``, ``coding`` …)."""
        return {str(k): str(g) for k, g in self.conn.execute(
            "SELECT key, guid FROM exchange_guids WHERE kind = ?", (kind,))}

    def put_exchange_guids(self, kind: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Remember GUIDs for local keys; a key that has one keeps it."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO exchange_guids (kind, key, guid) VALUES (?, ?, ?)",
            [(kind, key, guid) for key, guid in pairs])

    def notes(self) -> list[NoteRow]:
        rows = self.conn.execute(
            """SELECT guid, source_id, start, "end", name, text, author, created_at
               FROM notes ORDER BY source_id IS NOT NULL, source_id, start, guid""").fetchall()
        return [NoteRow(*r) for r in rows]

    def add_notes(self, notes: Sequence[NoteRow]) -> int:
        """Store notes not already stored (by GUID); returns how many were new."""
        cur = self.conn.executemany(
            """INSERT OR IGNORE INTO notes (guid, source_id, start, "end", name, text, author,
               created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [(n.guid, n.source_id, n.start, n.end, n.name, n.text, n.author, n.created_at)
             for n in notes])
        return max(cur.rowcount, 0)  # the rows inserted, not the history triggers wrote

    def sets(self) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
        """(GUID, name, description, members as (kind, GUID)) of every kept set."""
        out = []
        for guid, name, description, members in self.conn.execute(
                "SELECT guid, name, description, members FROM sets ORDER BY rowid"):
            out.append((str(guid), str(name), str(description),
                        tuple((str(k), str(g)) for k, g in json.loads(members))))
        return out

    def add_sets(self, sets: Sequence[tuple[str, str, str, Sequence[tuple[str, str]]]]
                 ) -> int:
        """Keep sets not already kept (by GUID); returns how many were new."""
        cur = self.conn.executemany(
            "INSERT OR IGNORE INTO sets (guid, name, description, members) VALUES (?, ?, ?, ?)",
            [(g, n, d, json.dumps([list(m) for m in members], ensure_ascii=False))
             for g, n, d, members in sets])
        return max(cur.rowcount, 0)

    def source_metadata(self, source_id: int) -> str:
        row = self.conn.execute("SELECT metadata FROM sources WHERE id = ?",
                                (source_id,)).fetchone()
        return str(row[0]) if row else "{}"

    def coding_ids_at(self, source_id: int, start: int, end: int, subtopic_id: int
                      ) -> int | None:
        row = self.conn.execute(
            """SELECT id FROM codings WHERE source_id = ? AND start = ? AND "end" = ?
               AND subtopic_id = ?""", (source_id, start, end, subtopic_id)).fetchone()
        return int(row[0]) if row else None
