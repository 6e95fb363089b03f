"""Rows of ``codings`` and the evidence they point at."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from framework_qda.model import Coding, Evidence
from framework_qda.store.database import KEY_SHIFT, now, plain
from framework_qda.store.rows import NewCoding, SuggestionRow
from framework_qda.store.sources import SourceRows

# Sub-topic positions count within their theme: order by theme first.
_CODEBOOK_ORDER = "(SELECT t.position FROM themes t WHERE t.id = st.theme_id), st.position"

# The segment a coding starts in: the last one starting at or before it.  With
# the index segments(source_id, start) (migration 0008) this is one seek per
# coding; a range join (g.start <= c.start AND c.start < g.end) scans every
# segment of the source for each coding.
_SEGMENT_AT = """(SELECT g2.number FROM segments g2
                   WHERE g2.source_id = c.source_id AND g2.start <= c.start
                   ORDER BY g2.start DESC LIMIT 1)"""

_CHUNK = 500  # case ids per query: well under SQLite's limit on bound parameters

# evidence() reads the rows by position: keep the order of the columns.
_EVIDENCE_SQL = """
SELECT c.id, c.source_id, c.start, c."end", c.coder, c.memo, c.status, st.code AS subtopic,
       s.case_id, s.name AS source, g.number, g.speaker, g.role, g.line_first, g.line_last,
       g.start AS seg_start, g."end" AS seg_end,
       (SELECT f.body FROM segment_text f
        WHERE f.rowid = g.source_id * """ + str(KEY_SHIFT) + """ + g.number) AS seg_body
FROM codings c
JOIN subtopics st ON st.id = c.subtopic_id
JOIN sources s ON s.id = c.source_id
LEFT JOIN segments g ON g.source_id = c.source_id AND g.number = """ + _SEGMENT_AT + """
                        AND c.start < g."end"
"""


class CodingRows(SourceRows):
    conn: sqlite3.Connection
    layer: str | None

    def codings_at(self, codings: Sequence[NewCoding]) -> list[tuple[int, str] | None]:
        """For each coding, the row its span and sub-topic already hold, as (id, status):
        the same coder's first, else any coder's suggestion; None when there is none."""
        found: list[tuple[int, str] | None] = []
        for c in codings:
            row = self.conn.execute(
                """SELECT id, status FROM codings WHERE source_id = ? AND start = ?
                   AND "end" = ? AND subtopic_id = ?
                   AND (coder = ? OR status = 'suggested')
                   ORDER BY coder = ? DESC LIMIT 1""",
                (c.source_id, c.start, c.end, c.subtopic_id, c.coder, c.coder),
            ).fetchone()
            found.append(None if row is None else (int(row[0]), str(row[1])))
        return found

    def insert_codings(self, codings: Sequence[NewCoding]) -> list[int]:
        """Insert codings as new rows; their ids, in order."""
        stamp = now()
        ids: list[int] = []
        for c in codings:
            cur = self.conn.execute(
                """INSERT INTO codings (source_id, start, "end", subtopic_id, coder, origin,
                   status, created_at, memo, text_hash, matched)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (c.source_id, c.start, c.end, c.subtopic_id, c.coder, c.origin, c.status,
                 stamp, c.memo, c.text_hash, c.matched),
            )
            ids.append(int(cur.fetchone()[0]))
        return ids

    def accept_into(self, rows: Sequence[tuple[int, NewCoding]]) -> None:
        """Each stored row becomes the accepted coding given: its coder, origin and memo,
        made now (the span and sub-topic are the row's own)."""
        stamp = now()
        self.conn.executemany(
            """UPDATE codings SET coder = ?, origin = ?, status = 'accepted',
               created_at = ?, memo = ? WHERE id = ?""",
            [(c.coder, c.origin, stamp, c.memo, row_id) for row_id, c in rows])

    def codings(self, status: str | None = "accepted") -> list[Coding]:
        """Codings in source order, then offset order, then codebook order."""
        rows = self.conn.execute(
            """SELECT c.*, st.code FROM codings c JOIN subtopics st ON st.id = c.subtopic_id
               WHERE (CAST(? AS TEXT) IS NULL OR c.status = ?)
               ORDER BY c.source_id, c.start, c."end", """ + _CODEBOOK_ORDER,
            (status, status),
        ).fetchall()
        return [_coding(r) for r in rows]

    def coding_count(self) -> int:
        (n,) = self.conn.execute("SELECT COUNT(*) FROM codings").fetchone()
        return int(n)

    def evidence(
        self,
        subtopics: Sequence[str] | None = None,
        case_id: str | None = None,
        status: str = "accepted",
        cases: Sequence[str] | None = None,
    ) -> list[Evidence]:
        """Coded passages, verbatim, in case/source/offset order.

        ``subtopics`` limits to those codes; ``case_id`` to one case, ``cases``
        to those (read a chunk of ids at a time, each chunk in that order).
        """
        if cases is not None:
            ids = sorted(set(cases))
            return [e for i in range(0, len(ids), _CHUNK)
                    for e in self._evidence(subtopics, case_id, status, ids[i:i + _CHUNK])]
        return self._evidence(subtopics, case_id, status, None)

    def _evidence(self, subtopics: Sequence[str] | None, case_id: str | None, status: str,
                  cases: Sequence[str] | None) -> list[Evidence]:
        where = ["c.status = ?"]
        params: list[object] = [status]
        if self.layer is not None:  # blind: the coder's own layer only
            where.append("c.coder = ?")
            params.append(self.layer)
        if subtopics is not None:
            where.append(f"st.code IN ({','.join('?' * len(subtopics))})")
            params.extend(subtopics)
        if case_id is not None:
            where.append("s.case_id = ?")
            params.append(case_id)
        if cases is not None:
            where.append(f"s.case_id IN ({','.join('?' * len(cases))})")
            params.extend(cases)
        rows = plain(self.conn).execute(
            _EVIDENCE_SQL + " WHERE " + " AND ".join(where)
            + ' ORDER BY s.case_id, s.id, c.start, c."end", ' + _CODEBOOK_ORDER,
            params,
        ).fetchall()
        prefixes = self.ref_prefixes()
        # A coding inside one segment is sliced from that segment's copy in the
        # search index (migration 0005), a few hundred characters; only a span
        # that runs past its segment needs the source's whole text, fetched
        # once per source.  SQLite's substr() would walk the whole text for
        # every coding.
        texts: dict[int, str] = {}
        found: list[Evidence] = []
        for (_, source_id, start, end, coder, memo, _, subtopic, case_id, source, number,
             speaker, role, line_first, line_last, seg_start, seg_end, seg_body) in rows:
            if seg_body is not None and end <= seg_end:
                text = str(seg_body[start - seg_start:end - seg_start])
            else:
                if source_id not in texts:
                    texts.clear()
                    (texts[source_id],) = self.conn.execute(
                        "SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()
                text = texts[source_id][start:end]
            prefix = prefixes[source_id]
            found.append(Evidence(
                ref=f"{prefix}:{number}" if number else f"{prefix}@{start}",
                text=text,
                speaker=speaker or "",
                role=role or "other",
                case_id=case_id,
                subtopic=subtopic,
                source=source,
                line_first=line_first or 0,
                line_last=line_last or 0,
                coder=coder,
                memo=memo,
                start=start,
                end=end,
            ))
        return found

    def coded_cells(self) -> set[tuple[str, str]]:
        """Every (case id, sub-topic code) with at least one accepted coding."""
        cur = plain(self.conn)
        # Distinct id pairs come off the covering index codings_cells (migration
        # 0010) in order, without touching the table or sorting; the ids are
        # named in Python, a third of the cost of joining for every coding.
        if self.layer is None:
            pairs = cur.execute("SELECT DISTINCT source_id, subtopic_id FROM codings "
                                "WHERE status = 'accepted'").fetchall()
        else:  # blind: the coder's own layer only
            pairs = cur.execute("SELECT DISTINCT source_id, subtopic_id FROM codings "
                                "WHERE status = 'accepted' AND coder = ?",
                                (self.layer,)).fetchall()
        case_of = dict(cur.execute("SELECT id, case_id FROM sources").fetchall())
        code_of = dict(cur.execute("SELECT id, code FROM subtopics").fetchall())
        return {(case_of[source], code_of[sub]) for source, sub in pairs}

    def move_coding(self, coding_id: int, start: int, end: int) -> None:
        self.conn.execute(
            'UPDATE codings SET start = ?, "end" = ? WHERE id = ?', (start, end, coding_id)
        )

    def delete_codings(self, ids: Sequence[int]) -> None:
        self.conn.executemany("DELETE FROM codings WHERE id = ?", [(i,) for i in ids])

    def source_codings(self, source_id: int) -> list[Coding]:
        return [c for c in self.codings(status=None) if c.source_id == source_id]

    def overlapping_codings(self, source_id: int, start: int, end: int,
                            status: str | None = "accepted") -> list[Coding]:
        """Codings of a source whose span shares at least one character with start..end.

        Only those with ``status`` (any status when None).
        """
        rows = self.conn.execute(
            """SELECT c.*, st.code FROM codings c JOIN subtopics st ON st.id = c.subtopic_id
               WHERE c.source_id = ? AND (CAST(? AS TEXT) IS NULL OR c.status = ?) AND c.start < ?
               AND c."end" > ? ORDER BY c.start, c."end", """ + _CODEBOOK_ORDER,
            (source_id, status, status, end, start),
        ).fetchall()
        return [_coding(r) for r in rows]

    def coded_segments(self, source_id: int, coder: str | None = None) -> set[int]:
        """Numbers of a source's segments that hold an accepted coding (by ``coder``)."""
        rows = self.conn.execute(
            """SELECT DISTINCT g.number FROM segments g JOIN codings c
               ON c.source_id = g.source_id AND c.start < g."end" AND c."end" > g.start
               WHERE g.source_id = ? AND c.status = 'accepted'
               AND (CAST(? AS TEXT) IS NULL OR c.coder = ?)""",
            (source_id, coder, coder),
        ).fetchall()
        return {int(r[0]) for r in rows}

    def set_coding_status(self, ids: Sequence[int], status: str, coder: str) -> None:
        """Accept or reject codings (a decision: the deciding coder is recorded)."""
        stamp = now()
        self.conn.executemany(
            "UPDATE codings SET status = ?, coder = ?, created_at = ? WHERE id = ?",
            [(status, coder, stamp, i) for i in ids],
        )

    def suggestions(self, case_id: str | None = None,
                    subtopics: Sequence[str] | None = None) -> list[SuggestionRow]:
        """Pending suggestions in case, source, offset and codebook order."""
        where = ["c.status = 'suggested'"]
        params: list[object] = []
        if self.layer is not None:  # blind: the coder's own suggestions only
            where.append("c.coder = ?")
            params.append(self.layer)
        if case_id is not None:
            where.append("s.case_id = ?")
            params.append(case_id)
        if subtopics is not None:
            where.append(f"st.code IN ({','.join('?' * len(subtopics))})")
            params.extend(subtopics)
        rows = self.conn.execute(
            """SELECT c.id, c.source_id, s.case_id, c.start, c."end", st.code, c.matched,
                      COALESCE(g.number, 0) AS number
               FROM codings c JOIN subtopics st ON st.id = c.subtopic_id
               JOIN sources s ON s.id = c.source_id
               LEFT JOIN segments g ON g.source_id = c.source_id AND g.number = """
            + _SEGMENT_AT + """ AND c.start < g."end"
               WHERE """ + " AND ".join(where)
            + ' ORDER BY s.case_id, s.id, c.start, c."end", ' + _CODEBOOK_ORDER,
            params,
        ).fetchall()
        return [SuggestionRow(r["id"], r["source_id"], r["case_id"], r["start"], r["end"],
                              r["code"], r["matched"], r["number"]) for r in rows]

    def session_cursor(self, case_id: str, coder: str) -> tuple[int, int] | None:
        """Where an interactive coding session of this case and coder stopped."""
        row = self.conn.execute(
            "SELECT source_id, segment FROM coding_sessions WHERE case_id = ? AND coder = ?",
            (case_id, coder),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def put_session_cursor(self, case_id: str, coder: str,
                           cursor: tuple[int, int] | None) -> None:
        """Remember (or, with None, forget) where a coding session stands."""
        if cursor is None:
            self.conn.execute("DELETE FROM coding_sessions WHERE case_id = ? AND coder = ?",
                              (case_id, coder))
            return
        self.conn.execute(
            """INSERT INTO coding_sessions (case_id, coder, source_id, segment, updated_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, coder)
               DO UPDATE SET source_id = excluded.source_id, segment = excluded.segment,
               updated_at = excluded.updated_at""",
            (case_id, coder, cursor[0], cursor[1], now()),
        )

    def coding_spans(self, source_id: int | None = None
                     ) -> Iterator[tuple[int, int, int, str, str]]:
        """``(source_id, start, end, status, code)`` of every coding (or one source's),
        in source order, streamed: what a pass over all sources needs in one query
        instead of one per source."""
        cur = plain(self.conn)
        sql = """SELECT c.source_id, c.start, c."end", c.status, st.code FROM codings c
                 JOIN subtopics st ON st.id = c.subtopic_id"""
        if source_id is None:
            yield from cur.execute(sql + " ORDER BY c.source_id")
        else:
            yield from cur.execute(sql + " WHERE c.source_id = ? ORDER BY c.source_id",
                                   (source_id,))

    def withdraw_suggestions(self, spans: Sequence[tuple[int, int, int, int]],
                             coder: str) -> int:
        """Delete pending suggestions made by ``coder`` (the rules) on these
        ``(source_id, start, end, subtopic_id)`` spans; returns how many went."""
        cur = self.conn.executemany(
            """DELETE FROM codings WHERE source_id = ? AND start = ? AND "end" = ?
               AND subtopic_id = ? AND status = 'suggested' AND coder = ?""",
            [(*span, coder) for span in spans])
        return max(cur.rowcount, 0)

    def insert_suggestions(self, codings: Sequence[NewCoding]) -> int:
        """Insert new suggestions in one statement; returns how many were new.

        Same outcome as :meth:`insert_codings` for suggestions: a span that
        already holds the sub-topic (whatever its status) is left alone.
        """
        stamp = now()
        # rowcount, not total_changes: the history triggers' rows are not suggestions
        cur = self.conn.executemany(
            """INSERT INTO codings (source_id, start, "end", subtopic_id, coder, origin,
               status, created_at, memo, text_hash, matched)
               SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
               WHERE NOT EXISTS (SELECT 1 FROM codings WHERE source_id = ? AND start = ?
                                 AND "end" = ? AND subtopic_id = ?)""",
            [(c.source_id, c.start, c.end, c.subtopic_id, c.coder, c.origin, c.status,
              stamp, c.memo, c.text_hash, c.matched, c.source_id, c.start, c.end,
              c.subtopic_id) for c in codings],
        )
        return max(cur.rowcount, 0)


def _coding(r: sqlite3.Row) -> Coding:
    return Coding(
        id=r["id"], source_id=r["source_id"], start=r["start"], end=r["end"],
        subtopic=r["code"], coder=r["coder"], origin=r["origin"], status=r["status"],
        created_at=r["created_at"], memo=r["memo"], text_hash=r["text_hash"],
    )
