"""Counts for listings that may be long: how many rows there are, per case and
sub-topic, without reading them (a 10,000-case study's quotes of one sub-topic
are thousands of passages; a terminal shows their counts first)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence

from framework_qda.model import Case, order_cases
from framework_qda.store.cases import _CHUNK, _case
from framework_qda.store.codings import _SEGMENT_AT
from framework_qda.store.database import plain
from framework_qda.store.memo import Remembered


class CountRows(Remembered):
    conn: sqlite3.Connection
    layer: str | None

    def passage_counts(self, subtopics: Sequence[str], speaker: str | None = None
                       ) -> list[tuple[str, str, int]]:
        """``(case id, sub-topic code, passages)`` for the accepted codings of
        ``subtopics``, a passage counted once however many coders coded its span.

        ``speaker`` keeps the passages whose turn has that role or speaker label
        (ASCII letters compared without case; the role of a turn without one is
        ``other``); None keeps every speaker's.  Counted once while the store is
        unchanged (a listing asks for the summary, then for its first rows).
        """
        return list(self.remembered(f"passage counts {tuple(subtopics)!r} {speaker!r}",
                                    lambda: self._passage_counts(subtopics, speaker)))

    def _passage_counts(self, subtopics: Sequence[str], speaker: str | None
                        ) -> list[tuple[str, str, int]]:
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

    def case_index(self, groups: Sequence[str] = ()) -> list[Case]:
        """The cases not withdrawn, in matrix row order with no attribute to order by
        (as ``cases_in_order(groups)``), each with its id and group only.

        What a listing needs to put 10,000 cases in order: their attributes (a
        JSON parse and a tuple per case) are read only for the cases that name
        ``withdrawn``, to leave the withdrawn ones out.
        """
        groups = tuple(groups)
        return list(self.remembered(f"case index {groups!r}", lambda: self._case_index(groups)))

    def _case_index(self, groups: tuple[str, ...]) -> list[Case]:
        # one pass over the cases, marking those whose attributes name "withdrawn"
        rows = plain(self.conn).execute(
            "SELECT id, grp, attributes LIKE '%withdrawn%' FROM cases ORDER BY position, id"
        ).fetchall()
        named = [case_id for case_id, _, mark in rows if mark]
        withdrawn = {c.id for c in self.cases_named(named).values() if c.withdrawn} \
            if named else set()
        return order_cases([Case(case_id, group) for case_id, group, _ in rows
                            if case_id not in withdrawn], groups)

    def _withdrawn(self) -> set[str]:
        """The withdrawn cases' ids: only the rows that name the attribute are read."""
        return {c.id for c in (_case(r) for r in self.conn.execute(
            "SELECT id, grp, attributes FROM cases WHERE attributes LIKE '%withdrawn%'"))
            if c.withdrawn}

    def case_index_of(self, ids: Collection[str], groups: Sequence[str] = ()) -> list[Case]:
        """The cases among ``ids`` of :meth:`case_index`, in its order, without putting
        every case in order: the sample groups that ``groups`` does not rank are
        ranked by where their first case stands, as among every case."""
        withdrawn = self._withdrawn()
        if len(withdrawn) > _CHUNK:
            wanted = set(ids)
            return [c for c in self.case_index(groups) if c.id in wanted]
        cur = plain(self.conn)
        firsts = [g for (g,) in cur.execute(
            "SELECT grp FROM cases WHERE id NOT IN ("
            + ",".join("?" * len(withdrawn)) + ") GROUP BY grp ORDER BY MIN(position)",
            sorted(withdrawn))]
        ids = sorted(set(ids) - withdrawn)
        found = [Case(case_id, group) for i in range(0, len(ids), _CHUNK)
                 for case_id, group in cur.execute(
                     "SELECT id, grp FROM cases WHERE id IN ("
                     + ",".join("?" * len(ids[i:i + _CHUNK])) + ")", ids[i:i + _CHUNK])]
        return order_cases(found, list(dict.fromkeys([*groups, *firsts])))

    def cases_named(self, ids: Sequence[str]) -> dict[str, Case]:
        """The cases with these ids, attributes and all (ids the study lacks left out)."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, Case] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            for row in self.conn.execute(
                    f"SELECT id, grp, attributes FROM cases WHERE id IN "
                    f"({','.join('?' * len(chunk))})", chunk):
                found[row["id"]] = _case(row)
        return found
