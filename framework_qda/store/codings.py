"""Rows of ``codings`` and the evidence they point at."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from framework_qda.model import Coding, Evidence
from framework_qda.store.database import now
from framework_qda.store.sources import SourceRows


@dataclass(frozen=True)
class NewCoding:
    """A coding to insert; the span must already be checked against the source."""

    source_id: int
    start: int
    end: int
    subtopic_id: int
    coder: str
    origin: str
    status: str
    memo: str
    text_hash: str


_EVIDENCE_SQL = """
SELECT c.id, c.source_id, c.start, c."end", c.coder, c.memo, c.status, st.code AS subtopic,
       s.case_id, s.name AS source, g.number, g.speaker, g.role, g.line_first, g.line_last,
       substr(s.text, c.start + 1, c."end" - c.start) AS body
FROM codings c
JOIN subtopics st ON st.id = c.subtopic_id
JOIN sources s ON s.id = c.source_id
LEFT JOIN segments g ON g.source_id = c.source_id AND g.start <= c.start AND c.start < g."end"
"""


class CodingRows(SourceRows):
    conn: sqlite3.Connection

    def add_codings(self, codings: Sequence[NewCoding]) -> tuple[int, int]:
        """Insert codings; returns (added, already present)."""
        added = 0
        stamp = now()
        for c in codings:
            cur = self.conn.execute(
                """INSERT INTO codings (source_id, start, "end", subtopic_id, coder, origin,
                   status, created_at, memo, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (source_id, start, "end", subtopic_id) DO NOTHING""",
                (c.source_id, c.start, c.end, c.subtopic_id, c.coder, c.origin, c.status,
                 stamp, c.memo, c.text_hash),
            )
            added += cur.rowcount
        return added, len(codings) - added

    def codings(self, status: str | None = "accepted") -> list[Coding]:
        """Codings in source order, then offset order, then codebook order."""
        rows = self.conn.execute(
            """SELECT c.*, st.code FROM codings c JOIN subtopics st ON st.id = c.subtopic_id
               WHERE (? IS NULL OR c.status = ?)
               ORDER BY c.source_id, c.start, c."end", st.position""",
            (status, status),
        ).fetchall()
        return [
            Coding(
                id=r["id"], source_id=r["source_id"], start=r["start"], end=r["end"],
                subtopic=r["code"], coder=r["coder"], origin=r["origin"], status=r["status"],
                created_at=r["created_at"], memo=r["memo"], text_hash=r["text_hash"],
            )
            for r in rows
        ]

    def coding_count(self) -> int:
        (n,) = self.conn.execute("SELECT COUNT(*) FROM codings").fetchone()
        return int(n)

    def evidence(
        self,
        subtopics: Sequence[str] | None = None,
        case_id: str | None = None,
        status: str = "accepted",
    ) -> list[Evidence]:
        """Coded passages, verbatim, in case/source/offset order.

        ``subtopics`` limits to those codes; ``case_id`` to one case.
        """
        where = ["c.status = ?"]
        params: list[object] = [status]
        if subtopics is not None:
            where.append(f"st.code IN ({','.join('?' * len(subtopics))})")
            params.extend(subtopics)
        if case_id is not None:
            where.append("s.case_id = ?")
            params.append(case_id)
        rows = self.conn.execute(
            _EVIDENCE_SQL + " WHERE " + " AND ".join(where)
            + ' ORDER BY s.case_id, s.id, c.start, c."end", st.position',
            params,
        ).fetchall()
        prefixes = self.ref_prefixes()
        return [
            Evidence(
                ref=f"{prefixes[r['source_id']]}:{r['number']}" if r["number"] else
                f"{prefixes[r['source_id']]}@{r['start']}",
                text=r["body"],
                speaker=r["speaker"] or "",
                role=r["role"] or "other",
                case_id=r["case_id"],
                subtopic=r["subtopic"],
                source=r["source"],
                line_first=r["line_first"] or 0,
                line_last=r["line_last"] or 0,
                coder=r["coder"],
                memo=r["memo"],
            )
            for r in rows
        ]

    def move_coding(self, coding_id: int, start: int, end: int) -> None:
        self.conn.execute(
            'UPDATE codings SET start = ?, "end" = ? WHERE id = ?', (start, end, coding_id)
        )

    def delete_codings(self, ids: Sequence[int]) -> None:
        self.conn.executemany("DELETE FROM codings WHERE id = ?", [(i,) for i in ids])

    def source_codings(self, source_id: int) -> list[Coding]:
        return [c for c in self.codings(status=None) if c.source_id == source_id]
