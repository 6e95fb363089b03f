"""Rows of ``segments`` and ``sentences`` read back: a source's segments as the
library's :class:`~framework_qda.model.Segment` (with their refs), their spans
streamed, counts, speakers and sentence bounds.  Sources, and writing segments
with them, are :mod:`framework_qda.store.sources`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from framework_qda.model import Segment
from framework_qda.store.database import plain
from framework_qda.store.memo import Remembered


class SegmentRows(Remembered):
    conn: sqlite3.Connection

    if TYPE_CHECKING:
        def ref_prefixes(self, source_id: int | None = None) -> dict[int, str]: ...

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
            # Bounded: SQLite takes 64-bit integers only (``--from 10**30``).
            (source_id, _bounded(first) if first is not None else 0,
             _bounded(last) if last is not None else 2**62),
        ).fetchall()
        return [_segment(r, prefix, text[r["start"]:r["end"]], case_id) for r in rows]

    def segment_spans(self, source_id: int | None = None
                      ) -> Iterator[tuple[int, int, int, int, str]]:
        """``(source_id, number, start, end, role)`` of every segment (or one source's),
        in source then segment order, streamed.

        Reads the segments' primary key in order, so a pass over every source
        costs one query instead of one per source.
        """
        sql = 'SELECT source_id, number, start, "end", role FROM segments'
        cur = plain(self.conn)
        if source_id is None:
            yield from cur.execute(sql + " ORDER BY source_id, number")
        else:
            yield from cur.execute(sql + " WHERE source_id = ? ORDER BY number", (source_id,))

    def segment_bounds(self) -> list[tuple[int, int, int, int]]:
        """``(source_id, number, start, end)`` of every segment, in source then
        segment order, in one read: :meth:`segment_spans` without the roles,
        whose strings are a fifth of the cost of reading every segment."""
        return plain(self.conn).execute(
            'SELECT source_id, number, start, "end" FROM segments ORDER BY source_id, number'
        ).fetchall()

    def segment_count(self, source_id: int) -> int:
        (n,) = self.conn.execute(
            "SELECT COUNT(*) FROM segments WHERE source_id = ?", (source_id,)
        ).fetchone()
        return int(n)

    def speaker_sources(self, other_than: str = "") -> dict[str, int]:
        """In how many sources (other than the one named) each speaker label
        speaks, by its case-folded label."""
        counts: dict[str, int] = {}
        for (speaker,) in self.conn.execute(
                "SELECT g.speaker FROM segments g JOIN sources s ON s.id = g.source_id "
                "WHERE g.speaker != '' AND s.name != ? GROUP BY g.source_id, g.speaker",
                (other_than,)):
            counts[speaker.casefold()] = counts.get(speaker.casefold(), 0) + 1
        return counts

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


def _bounded(number: int) -> int:
    """``number`` within SQLite's 64-bit integers."""
    return max(-(2**62), min(number, 2**62))
