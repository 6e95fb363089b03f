"""Rows of ``themes`` and ``subtopics`` <-> :class:`Codebook`."""

from __future__ import annotations

import json
import sqlite3
import uuid

from framework_qda.errors import ConflictError
from framework_qda.model import Codebook, Subtopic, Theme


class CodebookRows:
    conn: sqlite3.Connection

    def codebook(self) -> Codebook:
        """The stored framework, themes and sub-topics in codebook order."""
        meta = dict(self.conn.execute("SELECT key, value FROM study_meta").fetchall())
        themes = []
        for t in self.conn.execute("SELECT * FROM themes ORDER BY position").fetchall():
            subs = tuple(
                Subtopic(
                    code=s["code"],
                    label=s["label"],
                    theme_code=t["code"],
                    definition=s["definition"],
                    include=s["include"],
                    exclude=s["exclude"],
                    example=s["example"],
                    keywords=tuple(json.loads(s["keywords"])),
                    guid=s["guid"],
                )
                for s in self.conn.execute(
                    "SELECT * FROM subtopics WHERE theme_id = ? ORDER BY position", (t["id"],)
                ).fetchall()
            )
            themes.append(
                Theme(t["code"], t["label"], t["definition"], subtopics=subs, guid=t["guid"])
            )
        groups = tuple(json.loads(meta.get("groups", "[]")))
        return Codebook(title=meta.get("title", ""), themes=tuple(themes), groups=groups)

    def subtopic_ids(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT code, id FROM subtopics").fetchall()
        return {r["code"]: r["id"] for r in rows}

    def save_codebook(self, cb: Codebook) -> dict[str, list[str]]:
        """Make the stored framework equal to ``cb``, matching by code.

        Sub-topics keep their id (and so their codings and summaries) when
        their code is kept.  Removing a sub-topic that codings or summaries
        rest on is refused with :class:`ConflictError`.  Returns the codes
        ``added``, ``changed`` and ``removed``.
        """
        report: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
        wanted = {s.code for s in cb.subtopics}
        in_use = [
            r["code"]
            for r in self.conn.execute(
                """SELECT code FROM subtopics s WHERE
                   EXISTS (SELECT 1 FROM codings c WHERE c.subtopic_id = s.id) OR
                   EXISTS (SELECT 1 FROM summaries m WHERE m.subtopic_id = s.id)
                   ORDER BY position"""
            ).fetchall()
            if r["code"] not in wanted
        ]
        if in_use:
            raise ConflictError(
                "the new codebook drops sub-topics that codings or summaries rest on: "
                + ", ".join(in_use)
                + "; keep them, or merge them into another sub-topic first"
            )
        # Park every position out of the way so reordering never collides.
        self.conn.execute("UPDATE themes SET position = position + 1000000")
        self.conn.execute("UPDATE subtopics SET position = position + 1000000")
        for ti, theme in enumerate(cb.themes):
            theme_id = self._upsert_theme(theme, ti)
            for si, sub in enumerate(theme.subtopics):
                self._upsert_subtopic(sub, theme_id, si, report)
        for r in self.conn.execute("SELECT id, code FROM subtopics").fetchall():
            if r["code"] not in wanted:
                self.conn.execute("DELETE FROM subtopics WHERE id = ?", (r["id"],))
                report["removed"].append(r["code"])
        theme_codes = {t.code for t in cb.themes}
        for r in self.conn.execute("SELECT id, code FROM themes").fetchall():
            if r["code"] not in theme_codes:
                self.conn.execute("DELETE FROM themes WHERE id = ?", (r["id"],))
        for key, value in (("title", cb.title), ("groups", json.dumps(list(cb.groups)))):
            self.conn.execute(
                "INSERT INTO study_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        return report

    def _upsert_theme(self, theme: Theme, position: int) -> int:
        row = self.conn.execute("SELECT id, guid FROM themes WHERE code = ?", (theme.code,)).fetchone()
        if row is None:
            cur = self.conn.execute(
                "INSERT INTO themes (code, label, definition, guid, position) VALUES (?, ?, ?, ?, ?)",
                (theme.code, theme.label, theme.definition, theme.guid or _guid(), position),
            )
            return int(cur.lastrowid or 0)
        self.conn.execute(
            "UPDATE themes SET label = ?, definition = ?, guid = ?, position = ? WHERE id = ?",
            (theme.label, theme.definition, theme.guid or row["guid"], position, row["id"]),
        )
        return int(row["id"])

    def _upsert_subtopic(
        self, sub: Subtopic, theme_id: int, position: int, report: dict[str, list[str]]
    ) -> None:
        values = (
            theme_id, sub.label, sub.definition, sub.include, sub.exclude, sub.example,
            json.dumps(list(sub.keywords), ensure_ascii=False),
        )
        row = self.conn.execute(
            """SELECT id, guid, theme_id, label, definition, include, exclude, example, keywords
               FROM subtopics WHERE code = ?""",
            (sub.code,),
        ).fetchone()
        if row is None:
            self.conn.execute(
                """INSERT INTO subtopics (theme_id, label, definition, include, exclude, example,
                   keywords, code, guid, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (*values, sub.code, sub.guid or _guid(), position),
            )
            report["added"].append(sub.code)
            return
        if tuple(row)[2:] != values:
            report["changed"].append(sub.code)
        self.conn.execute(
            """UPDATE subtopics SET theme_id = ?, label = ?, definition = ?, include = ?,
               exclude = ?, example = ?, keywords = ?, guid = ?, position = ? WHERE id = ?""",
            (*values, sub.guid or row["guid"], position, row["id"]),
        )


def _guid() -> str:
    return str(uuid.uuid4())
