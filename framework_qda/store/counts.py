"""Counts for listings that may be long: how many rows there are, per case and
sub-topic, without reading them (a 10,000-case study's quotes of one sub-topic
are thousands of passages; a terminal shows their counts first)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from framework_qda.store.codings import _SEGMENT_AT
from framework_qda.store.database import plain


class CountRows:
    conn: sqlite3.Connection
    layer: str | None

    def passage_counts(self, subtopics: Sequence[str], speaker: str | None = None
                       ) -> list[tuple[str, str, int]]:
        """``(case id, sub-topic code, passages)`` for the accepted codings of
        ``subtopics``, a passage counted once however many coders coded its span.

        ``speaker`` keeps the passages whose turn has that role or speaker label
        (ASCII letters compared without case; the role of a turn without one is
        ``other``); None keeps every speaker's.
        """
        where = [f"st.code IN ({','.join('?' * len(subtopics))})", "c.status = 'accepted'"]
        params: list[object] = list(subtopics)
        if self.layer is not None:  # blind: the coder's own layer only
            where.append("c.coder = ?")
            params.append(self.layer)
        turn = ""
        if speaker is not None:
            turn = ("LEFT JOIN segments g ON g.source_id = c.source_id AND g.number = "
                    + _SEGMENT_AT + ' AND c.start < g."end"')
            where.append("(COALESCE(g.role, 'other') = ? OR LOWER(COALESCE(g.speaker, '')) = ?)")
            params += [speaker.lower(), speaker.lower()]
        return [(case_id, code, n) for case_id, code, n in plain(self.conn).execute(
            "SELECT case_id, code, COUNT(*) FROM (SELECT DISTINCT s.case_id AS case_id, "
            'st.code AS code, c.source_id, c.start, c."end" FROM codings c '
            "JOIN subtopics st ON st.id = c.subtopic_id JOIN sources s ON s.id = c.source_id "
            f"{turn} WHERE {' AND '.join(where)}) spans GROUP BY case_id, code", params)]

    def coded_cells_of(self, subtopics: Sequence[str]) -> set[tuple[str, str]]:
        """The (case id, sub-topic code) pairs of ``subtopics`` with an accepted coding
        (what :meth:`coded_cells` gives, for a few sub-topics)."""
        where = [f"st.code IN ({','.join('?' * len(subtopics))})", "c.status = 'accepted'"]
        params: list[object] = list(subtopics)
        if self.layer is not None:  # blind: the coder's own layer only
            where.append("c.coder = ?")
            params.append(self.layer)
        return {(case_id, code) for case_id, code in plain(self.conn).execute(
            "SELECT DISTINCT s.case_id, st.code FROM codings c "
            "JOIN subtopics st ON st.id = c.subtopic_id JOIN sources s ON s.id = c.source_id "
            f"WHERE {' AND '.join(where)}", params)}
