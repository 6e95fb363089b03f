"""The full-text index over segment text (SQLite FTS5), and the reads behind
search and co-occurrence.

The index ``segment_text`` is an FTS5 table whose rowid encodes a segment's
key: ``source_id << 32 | number``.  Triggers (migration 0007) on ``segments`` (insert, update,
delete — cascades from a deleted source included) and on ``sources.text`` keep
it equal to the segments' text, so whatever path stores segments, search stays
right without being told.  The one exception is the store's own batched
insert of segments (``store/sources.py``), which asks the insert trigger to
skip its sources (migration 0009) and indexes them in one statement instead.

The index keeps its own copy of each segment's text rather than reading it
from ``sources`` ("external content"): FTS5 needs the *old* text to un-index a
row from an external-content table, and by the time a re-ingest deletes the
old segments the source already holds the new text.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence

from framework_qda.errors import FqdaError
from framework_qda.model import SearchQuery
from framework_qda.store.database import KEY_SHIFT, Database
from framework_qda.store.rows import PassageRow, SegmentHit
from framework_qda.store.sources import SourceRows

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"

# The schema migration splits its script on ';', which a trigger body contains,
# so the triggers are created here (idempotently) right after migrating.
# Accepted codings that overlap a segment, as space-separated sub-topic codes.
_CODED = """(SELECT group_concat(st.code, ' ') FROM codings c
              JOIN subtopics st ON st.id = c.subtopic_id
              WHERE c.source_id = g.source_id AND c.status = 'accepted'
                AND c.start < g."end" AND c."end" > g.start)"""

# Whether any accepted coding overlaps segment g.
_IS_CODED = """EXISTS (SELECT 1 FROM codings c
                WHERE c.source_id = g.source_id AND c.status = 'accepted'
                  AND c.start < g."end" AND c."end" > g.start)"""

_CHUNK = 500  # keys per query: well under SQLite's limit on bound parameters

_OVERLAPS = """EXISTS (SELECT 1 FROM codings c JOIN subtopics st ON st.id = c.subtopic_id
                WHERE c.source_id = g.source_id AND c.status = 'accepted' AND st.code = ?
                  AND c.start < g."end" AND c."end" > g.start)"""


class SearchRows(SourceRows, Database):
    conn: sqlite3.Connection

    def search_hits(self, query: SearchQuery, *, case_id: str | None = None,
                    speaker: str | None = None) -> list[SegmentHit]:
        """Every segment the query finds, as keys only, so the caller can order and
        cut them before reading text.

        ``case_id`` keeps one case (or one source, by name); ``speaker`` a role
        (``participant``) or a speaker's label.  Raises :class:`FqdaError` on a
        query FTS5 cannot read.
        """
        sql, params = self._hits_sql("", case_id, self._named_source(case_id), speaker)
        match, words = self.match_sql(query)
        try:
            rows = self.conn.execute(f"{sql} AND {match}", [*params, *words]).fetchall()
        except self.database_errors as exc:
            raise FqdaError(f"cannot search for {str(query)!r} ({exc})") from None
        return [SegmentHit(r[0], r[1], r[2]) for r in rows]

    def segment_bodies(self, *, case_id: str | None = None,
                       speaker: str | None = None) -> Iterator[SegmentHit]:
        """Every segment with its text, read from the index's copy (no source is
        loaded), for a scan with a regular expression."""
        sql, params = self._hits_sql(", f.body", case_id, self._named_source(case_id),
                                     speaker)
        for r in self.conn.execute(sql, params):
            yield SegmentHit(r[0], r[1], r[2], r[3])

    def _named_source(self, name: str | None) -> int:
        """The id of the source ``name`` names as a ref would (0 for none)."""
        return self.source_refs().get(name, 0) if name is not None else 0

    @staticmethod
    def _hits_sql(extra: str, case_id: str | None, source_id: int, speaker: str | None
                  ) -> tuple[str, list[object]]:
        sql = f"""SELECT f.rowid / {KEY_SHIFT}, f.rowid % {KEY_SHIFT}, s.case_id{extra}
                  FROM segment_text f
                  JOIN segments g ON g.source_id = f.rowid / {KEY_SHIFT}
                                 AND g.number = f.rowid % {KEY_SHIFT}
                  JOIN sources s ON s.id = g.source_id
                  WHERE TRUE"""
        params: list[object] = []
        if case_id is not None:
            sql += " AND (s.case_id = ? OR s.id = ?)"
            params += [case_id, source_id]
        if speaker is not None:
            sql += " AND (g.role = lower(?) OR lower(g.speaker) = lower(?))"
            params += [speaker, speaker]
        return sql, params

    @staticmethod
    def match_sql(query: SearchQuery) -> tuple[str, list[object]]:
        """The condition that a row ``f`` of the index matches ``query``, and its
        parameters (FTS5's language on SQLite)."""
        return "segment_text MATCH ?", [fts5(query)]

    @staticmethod
    def marked_sql(query: SearchQuery) -> tuple[str, list[object]]:
        """The row's text with what ``query`` matches between ``MARK_OPEN`` and
        ``MARK_CLOSE``, and its parameters."""
        return f"highlight(segment_text, 0, '{MARK_OPEN}', '{MARK_CLOSE}')", []

    def match_spans(self, query: SearchQuery | None
                    ) -> Callable[[str, str], tuple[tuple[int, int], ...]]:
        """How a row's ``marked`` column (see :meth:`marked_sql`) becomes the spans of
        its text that ``query`` matched."""
        return _matches

    def segment_texts(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """The text of each of these ``(source_id, number)`` segments, from the index's
        copy (no source's whole text is loaded)."""
        found: dict[tuple[int, int], str] = {}
        rowids = sorted({sid * KEY_SHIFT + n for sid, n in keys})
        for i in range(0, len(rowids), _CHUNK):
            chunk = rowids[i:i + _CHUNK]
            rows = self.conn.execute(
                f"SELECT rowid, body FROM segment_text WHERE rowid IN "
                f"({', '.join('?' for _ in chunk)})", chunk).fetchall()
            found.update(((r[0] // KEY_SHIFT, r[0] % KEY_SHIFT), r[1]) for r in rows)
        return found

    def coded_keys(self, keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which of these ``(source_id, number)`` segments an accepted coding overlaps."""
        coded: set[tuple[int, int]] = set()
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            rows = self.conn.execute(
                f"""WITH k (sid, n) AS (VALUES {', '.join('(?, ?)' for _ in chunk)})
                    SELECT g.source_id, g.number FROM k
                    JOIN segments g ON g.source_id = k.sid AND g.number = k.n
                    WHERE {_IS_CODED}""",
                [x for key in chunk for x in key],
            ).fetchall()
            coded.update((r[0], r[1]) for r in rows)
        return coded

    def passages(
        self,
        keys: Sequence[tuple[int, int]] | None = None,
        *,
        match: SearchQuery | None = None,
        coded_to: Sequence[str] = (),
    ) -> list[PassageRow]:
        """Segments with their verbatim text and the codes coded on them, in source order.

        ``keys`` names the segments as ``(source_id, number)`` (``None``: all);
        ``match`` gives what it matches in each row's ``matches``;
        ``coded_to`` keeps segments overlapped by accepted codings of every code given.
        """
        if keys is not None:
            rows: list[sqlite3.Row] = []
            for i in range(0, len(keys), _CHUNK):
                chunk = [sid * KEY_SHIFT + n for sid, n in keys[i:i + _CHUNK]]
                rows += self._passage_rows(chunk, match, coded_to)
            rows.sort(key=lambda r: (r["source_id"], r["number"]))
        else:
            rows = self._passage_rows(None, match, coded_to)
        prefixes = self.ref_prefixes()
        spans = self.match_spans(match)
        return [
            PassageRow(
                source_id=r["source_id"], number=r["number"],
                ref=f"{prefixes.get(r['source_id'], r['source'])}:{r['number']}",
                case_id=r["case_id"], source=r["source"], speaker=r["speaker"],
                role=r["role"], line_first=r["line_first"], line_last=r["line_last"],
                text=r["body"], matches=spans(r["marked"], r["body"]),
                coded=tuple(sorted(set((r["coded"] or "").split()))),
            )
            for r in rows
        ]

    def _passage_rows(
        self, rowids: list[int] | None, match: SearchQuery | None, coded_to: Sequence[str]
    ) -> list[sqlite3.Row]:
        where: list[str] = []
        marked, params = self.marked_sql(match) if match is not None else ("''", [])
        if rowids is not None:
            where.append(f"f.rowid IN ({','.join('?' * len(rowids))})")
            params += rowids
        if match is not None:
            condition, words = self.match_sql(match)
            where.append(condition)
            params += words
        for code in coded_to:
            where.append(_OVERLAPS)
            params.append(code)
        # The body is the index's own copy of the segment's text (kept equal by
        # the triggers): SQLite's substr() on the source would walk the whole
        # transcript up to the segment for every passage (twice the time).
        return self.conn.execute(
            f"""SELECT g.source_id, g.number, g.speaker, g.role, g.line_first, g.line_last,
                       s.case_id, s.name AS source,
                       f.body AS body,
                       {marked} AS marked, {_CODED} AS coded
                FROM segment_text f
                JOIN segments g ON g.source_id = f.rowid / {KEY_SHIFT}
                               AND g.number = f.rowid % {KEY_SHIFT}
                JOIN sources s ON s.id = g.source_id
                {"WHERE " + " AND ".join(where) if where else ""}
                ORDER BY g.source_id, g.number""",
            params,
        ).fetchall()

    def segment_codes(self) -> list[tuple[str, int, int, str]]:
        """``(case_id, source_id, segment, code)`` for every accepted coding overlapping
        a segment, one row per distinct combination."""
        # Overlap is found with a binary search over each source's segment bounds:
        # a range join in SQL scans every segment of the source for each coding.
        bounds: dict[int, tuple[list[int], list[int], list[int]]] = {}
        for sid, number, start, end in self.conn.execute(
                'SELECT source_id, number, start, "end" FROM segments ORDER BY source_id, start'):
            starts, ends, numbers = bounds.setdefault(sid, ([], [], []))
            starts.append(start)
            ends.append(end)
            numbers.append(number)
        found: set[tuple[str, int, int, str]] = set()
        for case_id, sid, start, end, code in self.conn.execute(
                """SELECT s.case_id, c.source_id, c.start, c."end", st.code FROM codings c
                   JOIN subtopics st ON st.id = c.subtopic_id
                   JOIN sources s ON s.id = c.source_id
                   WHERE c.status = 'accepted'"""):
            starts, ends, numbers = bounds.get(sid, ([], [], []))
            i = bisect_right(ends, start)  # first segment ending after the coding starts
            while i < len(starts) and starts[i] < end:
                found.add((case_id, sid, numbers[i], code))
                i += 1
        return sorted(found)

    def search_index_size(self) -> int:
        """How many segments the full-text index holds (equals the segment count)."""
        (n,) = self.conn.execute("SELECT COUNT(*) FROM segment_text").fetchone()
        return int(n)


def fts5(query: SearchQuery) -> str:
    """The query in FTS5's language: each term quoted (punctuation is never syntax),
    a prefix term starred, ``OR`` and ``NOT`` kept between terms."""
    return " ".join(
        p if isinstance(p, str) else '"' + p.text.replace('"', '""') + '"' + "*" * p.prefix
        for p in query.parts)


def _matches(marked: str, text: str) -> tuple[tuple[int, int], ...]:
    """The spans ``highlight()`` marked, as offsets into the text without marks.

    The index holds its own copy of the text: its spans are trusted only when
    that copy is the segment's text as it stands.
    """
    if not marked:
        return ()
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = start = 0
    for piece in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", marked):
        if piece == MARK_OPEN:
            start = pos
        elif piece == MARK_CLOSE:
            spans.append((start, pos))
        else:
            parts.append(piece)
            pos += len(piece)
    return tuple(spans) if "".join(parts) == text else ()
