"""Rows of ``summaries``: the researcher's words in the matrix cells."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from framework_qda.store.database import now


@dataclass(frozen=True)
class SummaryRow:
    case_id: str
    subtopic: str
    text: str
    state: str
    author: str
    updated_at: str
    evidence_hash: str


class SummaryRows:
    conn: sqlite3.Connection

    def summaries(self) -> dict[tuple[str, str], SummaryRow]:
        """Every summary, keyed by (case id, sub-topic code)."""
        rows = self.conn.execute(
            """SELECT m.*, st.code FROM summaries m JOIN subtopics st ON st.id = m.subtopic_id"""
        ).fetchall()
        return {
            (r["case_id"], r["code"]): SummaryRow(
                r["case_id"], r["code"], r["text"], r["state"], r["author"],
                r["updated_at"], r["evidence_hash"],
            )
            for r in rows
        }

    def put_summary(
        self, case_id: str, subtopic_id: int, text: str, state: str, author: str,
        evidence_hash: str,
    ) -> None:
        self.conn.execute(
            """INSERT INTO summaries (case_id, subtopic_id, text, state, author, updated_at,
               evidence_hash) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (case_id, subtopic_id) DO UPDATE SET text = excluded.text,
               state = excluded.state, author = excluded.author,
               updated_at = excluded.updated_at, evidence_hash = excluded.evidence_hash""",
            (case_id, subtopic_id, text, state, author, now(), evidence_hash),
        )
