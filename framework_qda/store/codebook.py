"""Rows of ``themes``, ``subtopics`` and ``codebook_changes`` <-> :class:`Codebook`."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping

from framework_qda.model import Codebook, Subtopic, Theme, normal_guid
from framework_qda.store.database import now
from framework_qda.store.memo import Remembered
from framework_qda.store.rows import ChangeRecord, SubtopicUse, SummaryRow
from framework_qda.store.summaries import summary_row

_PARK = "\x1fparked:"  # a control character no code has (PostgreSQL text holds no NUL)
"""Prefix that moves a code out of the way while codes are reassigned (codes are UNIQUE)."""


def _keywords(stored: str, excluded: bool = False) -> tuple[str, ...]:
    """A sub-topic's keywords from its keywords column, or with ``excluded`` its
    exclusion phrases, kept in the same JSON list as ``{"not": phrase}`` (one
    column serves both, unchanged for codebooks without exclusions)."""
    words = json.loads(stored)
    if excluded:
        return tuple(str(w["not"]) for w in words if isinstance(w, dict) and "not" in w)
    return tuple(w for w in words if isinstance(w, str))


class CodebookRows(Remembered):
    conn: sqlite3.Connection

    def codebook(self) -> Codebook:
        """The stored framework, themes and sub-topics in codebook order."""
        return self.remembered("codebook", self._read_codebook)

    def _read_codebook(self) -> Codebook:
        meta = dict(self.conn.execute("SELECT key, value FROM study_meta").fetchall())
        themes = []
        for t in self.conn.execute("SELECT * FROM themes ORDER BY position").fetchall():
            subs = tuple(
                Subtopic(
                    code=s["code"], label=s["label"], theme_code=t["code"],
                    definition=s["definition"], include=s["include"], exclude=s["exclude"],
                    example=s["example"], keywords=_keywords(s["keywords"]),
                    exclude_keywords=_keywords(s["keywords"], excluded=True),
                    guid=s["guid"], patterns=tuple(json.loads(s["patterns"])),
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

    def theme_ids(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT code, id FROM themes").fetchall()
        return {r["code"]: r["id"] for r in rows}

    def subtopic_use(self) -> dict[str, SubtopicUse]:
        """For every sub-topic code: its codings, the cases they fall in, its summaries."""
        rows = self.conn.execute(
            """SELECT st.code,
                 (SELECT COUNT(*) FROM codings c WHERE c.subtopic_id = st.id
                    AND c.status = 'accepted') AS codings,
                 (SELECT COUNT(*) FROM codings c WHERE c.subtopic_id = st.id
                    AND c.status != 'accepted') AS suggestions,
                 (SELECT COUNT(DISTINCT s.case_id) FROM codings c JOIN sources s
                    ON s.id = c.source_id WHERE c.subtopic_id = st.id
                    AND c.status = 'accepted') AS cases,
                 (SELECT COUNT(*) FROM summaries m WHERE m.subtopic_id = st.id) AS summaries
               FROM subtopics st"""
        ).fetchall()
        return {r["code"]: SubtopicUse(r["codings"], r["cases"], r["summaries"],
                                       r["suggestions"]) for r in rows}

    # -- re-import -----------------------------------------------------------
    def save_codebook(self, cb: Codebook, subtopics: Mapping[str, int],
                      themes: Mapping[str, int]) -> None:
        """Make the stored framework equal to ``cb``: each new code listed in
        ``subtopics`` / ``themes`` continues that stored row (its id, so its codings
        and summaries, stay); every other stored row is deleted (which rows continue
        is the library's rule: :mod:`framework_qda.codebook_matching`)."""
        # Park every code and position out of the way so swaps never collide.
        for table in ("themes", "subtopics"):
            self.conn.execute(f"UPDATE {table} SET position = position + 1000000, "
                              "code = ? || code", (_PARK,))
        for ti, theme in enumerate(cb.themes):
            theme_id = self._upsert_theme(theme, ti, themes.get(theme.code))
            for si, sub in enumerate(theme.subtopics):
                self._upsert_subtopic(sub, theme_id, si, subtopics.get(sub.code))
        parked = "substr(code, 1, length(?)) = ?"
        self.conn.execute(f"DELETE FROM subtopics WHERE {parked}", (_PARK, _PARK))
        self.conn.execute(f"DELETE FROM themes WHERE {parked}", (_PARK, _PARK))
        for key, value in (("title", cb.title), ("groups", json.dumps(list(cb.groups)))):
            self.put_meta(key, value)

    def put_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO study_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def meta(self, key: str) -> str:
        row = self.conn.execute("SELECT value FROM study_meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"]) if row else ""

    def _upsert_theme(self, theme: Theme, position: int, theme_id: int | None) -> int:
        if theme_id is None:
            cur = self.conn.execute(
                "INSERT INTO themes (code, label, definition, guid, position) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (theme.code, theme.label, theme.definition, normal_guid(theme.guid) or _guid(),
                 position),
            )
            return int(cur.fetchone()[0])
        self.conn.execute(
            """UPDATE themes SET code = ?, label = ?, definition = ?,
               guid = COALESCE(NULLIF(?, ''), guid), position = ? WHERE id = ?""",
            (theme.code, theme.label, theme.definition, normal_guid(theme.guid), position,
             theme_id),
        )
        return theme_id

    def _upsert_subtopic(self, sub: Subtopic, theme_id: int, position: int,
                         sub_id: int | None) -> None:
        values = (
            theme_id, sub.label, sub.definition, sub.include, sub.exclude, sub.example,
            json.dumps([*sub.keywords, *({"not": k} for k in sub.exclude_keywords)],
                       ensure_ascii=False),
            json.dumps(list(sub.patterns), ensure_ascii=False),
        )
        if sub_id is None:
            self.conn.execute(
                """INSERT INTO subtopics (theme_id, label, definition, include, exclude, example,
                   keywords, patterns, code, guid, position)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (*values, sub.code, normal_guid(sub.guid) or _guid(), position),
            )
            return
        self.conn.execute(
            """UPDATE subtopics SET theme_id = ?, label = ?, definition = ?, include = ?,
               exclude = ?, example = ?, keywords = ?, patterns = ?, code = ?,
               guid = COALESCE(NULLIF(?, ''), guid), position = ? WHERE id = ?""",
            (*values, sub.code, normal_guid(sub.guid), position, sub_id),
        )

    # -- evolution -----------------------------------------------------------
    def rename_theme(self, code: str, label: str) -> None:
        self.conn.execute("UPDATE themes SET label = ? WHERE code = ?", (label, code))

    def rename_subtopic(self, code: str, label: str) -> None:
        self.conn.execute("UPDATE subtopics SET label = ? WHERE code = ?", (label, code))

    def move_subtopic(self, sub_id: int, theme_id: int, code: str) -> None:
        """Give a sub-topic a new theme and code, placed last in that theme."""
        (position,) = self.conn.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM subtopics WHERE theme_id = ?",
            (theme_id,)).fetchone()
        self.conn.execute(
            "UPDATE subtopics SET theme_id = ?, code = ?, position = ? WHERE id = ?",
            (theme_id, code, position, sub_id))

    def move_codings(self, from_id: int, to_id: int) -> tuple[int, int]:
        """Re-point codings to another sub-topic; returns (moved, collapsed duplicates).

        A coding whose span the target already has is the same coding twice;
        it is deleted rather than moved (the target's coding keeps its coder
        and memo).
        """
        # An accepted coding collapsed into a suggested one must not lose its acceptance.
        self.conn.execute(
            """UPDATE codings SET status = 'accepted' WHERE subtopic_id = ? AND status !=
                 'accepted' AND EXISTS (SELECT 1 FROM codings f WHERE f.subtopic_id = ? AND
                 f.status = 'accepted' AND f.source_id = codings.source_id AND
                 f.start = codings.start AND f."end" = codings."end")""",
            (to_id, from_id))
        dup = self.conn.execute(
            """DELETE FROM codings WHERE subtopic_id = ? AND EXISTS (
                 SELECT 1 FROM codings t WHERE t.subtopic_id = ? AND t.source_id =
                 codings.source_id AND t.start = codings.start AND t."end" = codings."end")""",
            (from_id, to_id)).rowcount
        moved = self.conn.execute("UPDATE codings SET subtopic_id = ? WHERE subtopic_id = ?",
                                  (to_id, from_id)).rowcount
        return moved, dup

    def summary_rows(self, sub_id: int) -> dict[str, SummaryRow]:
        """The summaries of one sub-topic, keyed by case id (whoever wrote them)."""
        rows = self.conn.execute(
            """SELECT m.*, st.code FROM summaries m JOIN subtopics st ON st.id = m.subtopic_id
               WHERE m.subtopic_id = ?""", (sub_id,)).fetchall()
        return {r["case_id"]: summary_row(r) for r in rows}

    def move_summary(self, case_id: str, from_id: int, to_id: int) -> None:
        """Re-point one cell's summary to another sub-topic (its links follow by cascade)."""
        self.conn.execute(
            "UPDATE summaries SET subtopic_id = ? WHERE case_id = ? AND subtopic_id = ?",
            (to_id, case_id, from_id))

    def join_summary(self, case_id: str, from_id: int, to_id: int, text: str, state: str,
                     author: str, evidence_hash: str) -> None:
        """Give the target cell the joined text and take over the source's links;
        the source summary is then deleted."""
        self.conn.execute(
            """UPDATE summaries SET text = ?, state = ?, author = ?, updated_at = ?,
               evidence_hash = ? WHERE case_id = ? AND subtopic_id = ?""",
            (text, state, author, now(), evidence_hash, case_id, to_id))
        self.conn.execute(
            """INSERT OR IGNORE INTO summary_links (case_id, subtopic_id, source_id, segment,
                 position)
               SELECT case_id, ?, source_id, segment, position + 1 + COALESCE((SELECT
                 MAX(position) FROM summary_links WHERE case_id = ? AND subtopic_id = ?), -1)
               FROM summary_links WHERE case_id = ? AND subtopic_id = ?""",
            (to_id, case_id, to_id, case_id, from_id))
        self.conn.execute("DELETE FROM summaries WHERE case_id = ? AND subtopic_id = ?",
                          (case_id, from_id))

    def move_summary_versions(self, from_id: int, to_id: int, heading: str) -> None:
        """Coders' versions of one sub-topic's summaries go to another's cells; where
        the coder has a version there already, theirs is appended under ``heading``."""
        for case_id, coder, text in self.conn.execute(
                """SELECT case_id, coder, text FROM summary_versions WHERE subtopic_id = ?""",
                (from_id,)).fetchall():
            joined = self.conn.execute(
                """UPDATE summary_versions SET text = text || ? WHERE case_id = ?
                   AND subtopic_id = ? AND coder = ?""",
                (f"\n\n{heading} {text}" if text else "", case_id, to_id, coder)).rowcount
            if joined:
                self.conn.execute("""DELETE FROM summary_versions WHERE case_id = ?
                                     AND subtopic_id = ? AND coder = ?""",
                                  (case_id, from_id, coder))
            else:
                self.conn.execute("""UPDATE summary_versions SET subtopic_id = ?
                                     WHERE case_id = ? AND subtopic_id = ? AND coder = ?""",
                                  (to_id, case_id, from_id, coder))

    def delete_subtopic(self, sub_id: int) -> tuple[int, int]:
        """Delete a sub-topic with its codings and summaries (coders' versions too);
        returns (codings, summaries)."""
        codings = self.conn.execute("DELETE FROM codings WHERE subtopic_id = ?",
                                    (sub_id,)).rowcount
        self.conn.execute("DELETE FROM summary_versions WHERE subtopic_id = ?", (sub_id,))
        summaries = self.conn.execute("DELETE FROM summaries WHERE subtopic_id = ?",
                                      (sub_id,)).rowcount
        self.conn.execute("DELETE FROM subtopics WHERE id = ?", (sub_id,))
        return codings, summaries

    def log_change(self, who: str, action: str, subject: str, detail: str,
                   now_code: str = "") -> None:
        """Record a change; ``now_code`` is the code the subject's codings went to
        (merge target, new code after a move), which makes old codes resolvable."""
        self.conn.execute(
            "INSERT INTO codebook_changes (at, who, action, subject, detail, now_code) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (now(), who, action, subject, detail, now_code))

    def code_aliases(self) -> dict[str, str]:
        """Old sub-topic codes -> the code their codings are under now (chains followed).

        Lets a file written before a merge, move or re-coding still name its sub-topic.
        """
        step = {r["subject"]: r["now_code"] for r in self.conn.execute(
            "SELECT subject, now_code FROM codebook_changes WHERE now_code != '' ORDER BY id")}
        current = set(self.subtopic_ids())
        aliases: dict[str, str] = {}
        for old in step:
            if old in current:
                continue  # the code was reused; it means the current sub-topic
            code, seen = old, {old}
            while code in step and code not in current and step[code] not in seen:
                code = step[code]
                seen.add(code)
            if code in current:
                aliases[old] = code
        return aliases

    def codebook_changes(self) -> list[ChangeRecord]:
        """Every recorded change of the framework, oldest first."""
        rows = self.conn.execute("SELECT * FROM codebook_changes ORDER BY id").fetchall()
        return [ChangeRecord(r["at"], r["who"], r["action"], r["subject"], r["detail"])
                for r in rows]


def _guid() -> str:
    return str(uuid.uuid4())
