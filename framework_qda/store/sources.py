"""Rows of ``sources``, ``segments`` and ``sentences``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from framework_qda.model import Role, Segment, Source
from framework_qda.store.database import now


@dataclass(frozen=True)
class SegmentRow:
    """A segment as ingest produces it, before it has a source id."""

    number: int
    start: int
    end: int
    speaker: str
    role: Role
    line_first: int
    line_last: int
    timestamp: str = ""


def _source(row: sqlite3.Row) -> Source:
    return Source(
        id=row["id"],
        case_id=row["case_id"],
        name=row["name"],
        path=row["path"],
        format=row["format"],
        sha256=row["sha256"],
        text=row["text"],
    )


class SourceRows:
    conn: sqlite3.Connection

    def sources(self, case_id: str | None = None) -> list[Source]:
        """Sources of one case (or all), in ingest order."""
        if case_id is None:
            rows = self.conn.execute("SELECT * FROM sources ORDER BY id").fetchall()
        else:
            rows = self.conn.execute(
                "SELECT * FROM sources WHERE case_id = ? ORDER BY id", (case_id,)
            ).fetchall()
        return [_source(r) for r in rows]

    def source_by_name(self, name: str) -> Source | None:
        row = self.conn.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        return _source(row) if row else None

    def source_sha(self, name: str) -> str | None:
        row = self.conn.execute("SELECT sha256 FROM sources WHERE name = ?", (name,)).fetchone()
        return str(row["sha256"]) if row else None

    def ref_prefixes(self, source_id: int | None = None) -> dict[int, str]:
        """What stands before the colon in each source's segment refs.

        The case id when the case has one source (or the source is named after
        the case), else the source's own name.  Only ``source_id``'s when
        given: callers that want one source must not pay for every source
        (that made a 1,000-transcript codings import quadratic).
        """
        sql = """SELECT s.id, s.name, s.case_id,
                        (SELECT COUNT(*) FROM sources t WHERE t.case_id = s.case_id) AS n
                 FROM sources s"""
        rows = (self.conn.execute(sql) if source_id is None else
                self.conn.execute(sql + " WHERE s.id = ?", (source_id,))).fetchall()
        return {
            r["id"]: r["case_id"] if r["n"] == 1 or r["name"] == r["case_id"] else r["name"]
            for r in rows
        }

    def put_source(
        self,
        *,
        case_id: str,
        name: str,
        path: str,
        format: str,
        sha256: str,
        text: str,
        metadata: Mapping[str, object],
        segments: Sequence[SegmentRow],
        sentences: Iterable[tuple[int, int, int, int]],
    ) -> int:
        """Store a source with its segments and sentences, replacing an older version.

        ``sentences`` yields ``(segment, number, start, end)``.  Returns the
        source id (kept when the source existed, so codings stay attached).
        """
        meta = json.dumps(dict(metadata), ensure_ascii=False, sort_keys=True)
        old = self.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        if old is None:
            cur = self.conn.execute(
                """INSERT INTO sources (case_id, name, path, format, sha256, text, metadata,
                   ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (case_id, name, path, format, sha256, text, meta, now()),
            )
            source_id = int(cur.lastrowid or 0)
        else:
            source_id = int(old["id"])
            self.conn.execute(
                """UPDATE sources SET case_id = ?, path = ?, format = ?, sha256 = ?, text = ?,
                   metadata = ?, ingested_at = ? WHERE id = ?""",
                (case_id, path, format, sha256, text, meta, now(), source_id),
            )
            self.conn.execute("DELETE FROM segments WHERE source_id = ?", (source_id,))
            self.conn.execute("DELETE FROM sentences WHERE source_id = ?", (source_id,))
        self.conn.executemany(
            """INSERT INTO segments (source_id, number, start, "end", speaker, role,
               line_first, line_last, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (source_id, s.number, s.start, s.end, s.speaker, s.role,
                 s.line_first, s.line_last, s.timestamp)
                for s in segments
            ],
        )
        self.conn.executemany(
            'INSERT INTO sentences (source_id, segment, number, start, "end")'
            " VALUES (?, ?, ?, ?, ?)",
            ((source_id, *s) for s in sentences),
        )
        return source_id

    def segments(
        self, source_id: int, first: int | None = None, last: int | None = None
    ) -> list[Segment]:
        """Segments of a source in order, optionally only numbers first..last."""
        prefix = self.ref_prefixes(source_id).get(source_id, "")
        source = self.conn.execute(
            "SELECT case_id, text FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        if source is None:
            return []
        # Slice the text once fetched: SQLite's substr() re-reads the whole text
        # and walks it from the start for every segment (8x slower per source).
        text, case_id = source["text"], source["case_id"]
        rows = self.conn.execute(
            """SELECT * FROM segments WHERE source_id = ? AND number BETWEEN ? AND ?
               ORDER BY number""",
            (source_id, first if first is not None else 0, last if last is not None else 2**62),
        ).fetchall()
        return [_segment(r, prefix, text[r["start"]:r["end"]], case_id) for r in rows]

    def segment_count(self, source_id: int) -> int:
        (n,) = self.conn.execute(
            "SELECT COUNT(*) FROM segments WHERE source_id = ?", (source_id,)
        ).fetchone()
        return int(n)

    def sentences(self, source_id: int, segment: int) -> list[tuple[int, int]]:
        """(start, end) of each sentence of one segment, in order."""
        rows = self.conn.execute(
            'SELECT start, "end" FROM sentences WHERE source_id = ? AND segment = ?'
            " ORDER BY number",
            (source_id, segment),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]


def _segment(row: sqlite3.Row, prefix: str, body: str, case_id: str) -> Segment:
    return Segment(
        source_id=row["source_id"],
        number=row["number"],
        start=row["start"],
        end=row["end"],
        text=body,
        speaker=row["speaker"],
        role=row["role"],
        line_first=row["line_first"],
        line_last=row["line_last"],
        ref=f"{prefix}:{row['number']}",
        case_id=case_id,
        timestamp=row["timestamp"],
    )
