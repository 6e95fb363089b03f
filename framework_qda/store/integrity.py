"""The reads behind ``fqda check``: every stored span against the text it points into.

Each query yields only what is wrong (ids, names and offsets, never text), so a
consistent study costs one pass per table and yields nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from framework_qda.store.database import KEY_SHIFT, plain


class IntegrityRows:
    conn: sqlite3.Connection

    def store_damage(self) -> list[str]:
        """What SQLite's own quick check finds wrong with the file ([] when it is sound)."""
        rows = [str(r[0]) for r in plain(self.conn).execute("PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows

    def coding_texts(self) -> Iterator[tuple[int, str, int, int, str, str, str]]:
        """``(id, source name, start, end, code, stored hash, text at the span)`` of
        every coding whose span lies inside its source, streamed."""
        yield from plain(self.conn).execute(
            """SELECT c.id, s.name, c.start, c."end", st.code, c.text_hash,
                      substr(s.text, c.start + 1, c."end" - c.start)
               FROM codings c JOIN sources s ON s.id = c.source_id
               JOIN subtopics st ON st.id = c.subtopic_id
               WHERE c.start >= 0 AND c.start < c."end" AND c."end" <= length(s.text)
               ORDER BY c.id""")

    def codings_outside(self) -> Iterator[tuple[int, str, int, int, str]]:
        """``(id, source name, start, end, code)`` of codings not inside their source."""
        yield from plain(self.conn).execute(
            """SELECT c.id, s.name, c.start, c."end", st.code
               FROM codings c JOIN sources s ON s.id = c.source_id
               JOIN subtopics st ON st.id = c.subtopic_id
               WHERE NOT (c.start >= 0 AND c.start < c."end" AND c."end" <= length(s.text))
               ORDER BY c.id""")

    def segments_outside(self) -> Iterator[tuple[str, int, int, int]]:
        """``(source name, number, start, end)`` of segments not inside their source."""
        yield from plain(self.conn).execute(
            """SELECT s.name, g.number, g.start, g."end" FROM segments g
               JOIN sources s ON s.id = g.source_id
               WHERE NOT (g.start >= 0 AND g.start <= g."end" AND g."end" <= length(s.text))
               ORDER BY s.id, g.number""")

    def sentences_outside(self) -> Iterator[tuple[str, int, int, int, int]]:
        """``(source name, segment, number, start, end)`` of sentences not inside their
        segment (or whose segment is gone)."""
        yield from plain(self.conn).execute(
            """SELECT s.name, t.segment, t.number, t.start, t."end" FROM sentences t
               JOIN sources s ON s.id = t.source_id
               LEFT JOIN segments g ON g.source_id = t.source_id AND g.number = t.segment
               WHERE g.number IS NULL OR NOT (t.start >= g.start AND t.start <= t."end"
                                              AND t."end" <= g."end")
               ORDER BY s.id, t.segment, t.number""")

    def links_outside(self) -> Iterator[tuple[str, str, str, int, int, int]]:
        """``(case, sub-topic code, source name, segment, start, end)`` of summary links
        whose span is not inside their source."""
        yield from plain(self.conn).execute(
            """SELECT l.case_id, st.code, s.name, l.segment, l.start, l."end"
               FROM summary_links l JOIN sources s ON s.id = l.source_id
               JOIN subtopics st ON st.id = l.subtopic_id
               WHERE l.start <> -1 AND NOT (l.start >= 0 AND l.start <= l."end"
                                            AND l."end" <= length(s.text))
               ORDER BY l.case_id, st.code, l.position""")

    def index_mismatches(self) -> Iterator[tuple[str, int, str]]:
        """``(source name, segment, what)`` where the search index differs from the
        segments: ``missing``, ``different`` (its copy of the text), or ``extra``
        (an index row with no segment; the name is then the row's key)."""
        yield from plain(self.conn).execute(
            f"""SELECT s.name, g.number,
                       CASE WHEN x.rowid IS NULL THEN 'missing' ELSE 'different' END
                FROM segments g JOIN sources s ON s.id = g.source_id
                LEFT JOIN segment_text x ON x.rowid = g.source_id * {KEY_SHIFT} + g.number
                WHERE x.rowid IS NULL
                   OR x.body IS NOT substr(s.text, g.start + 1, g."end" - g.start)
                ORDER BY s.id, g.number""")
        yield from plain(self.conn).execute(
            f"""SELECT CAST(x.rowid / {KEY_SHIFT} AS TEXT), x.rowid % {KEY_SHIFT}, 'extra'
                FROM segment_text x
                WHERE NOT EXISTS (SELECT 1 FROM segments g
                                  WHERE g.source_id = x.rowid / {KEY_SHIFT}
                                    AND g.number = x.rowid % {KEY_SHIFT})""")
