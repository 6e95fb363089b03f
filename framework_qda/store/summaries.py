"""Rows of ``summaries`` and ``summary_links``: the researcher's words in the matrix cells.

A summary row records, beside its text and state, the fingerprint of the
evidence it was written against (``evidence_hash``) and that evidence's refs
with a hash of each passage (``evidence``, JSON), so a later change of the
evidence can be both noticed and described.  ``summary_links`` holds the
segments a summary cites, as (source id, segment number), so a link survives a
change of how refs are spelled.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from framework_qda.store.database import now, plain
from framework_qda.store.rows import CellSentence, SummaryRow
from framework_qda.store.sources import SourceRows


class SummaryRows(SourceRows):
    conn: sqlite3.Connection
    layer: str | None
    _depth: int

    def summaries(self) -> dict[tuple[str, str], SummaryRow]:
        """Every summary, keyed by (case id, sub-topic code).

        When the study is blind for a coder, what a view reads (outside a
        transaction) is only the summaries that coder wrote or accepted; a
        change (inside one) sees every summary, so it never writes over one
        it could not see."""
        layer = self.layer if self._depth == 0 else None
        rows = self.conn.execute(
            """SELECT m.*, st.code FROM summaries m JOIN subtopics st ON st.id = m.subtopic_id
               WHERE CAST(? AS TEXT) IS NULL OR m.author = ? OR m.accepted_by = ?""",
            (layer, layer, layer),
        ).fetchall()
        found = {(r["case_id"], r["code"]): summary_row(r) for r in rows}
        if layer is not None:  # the coder's own versions kept beside other summaries
            for r in self.conn.execute(
                    """SELECT v.*, st.code FROM summary_versions v
                       JOIN subtopics st ON st.id = v.subtopic_id WHERE v.coder = ?""",
                    (layer,)).fetchall():
                found.setdefault((r["case_id"], r["code"]), SummaryRow(
                    r["case_id"], r["code"], r["text"], r["state"], r["author"],
                    r["updated_at"], "", (), r["origin"], r["accepted_by"]))
        return found

    def summary(self, case_id: str, subtopic_id: int) -> SummaryRow | None:
        row = self.conn.execute(
            """SELECT m.*, st.code FROM summaries m JOIN subtopics st ON st.id = m.subtopic_id
               WHERE m.case_id = ? AND m.subtopic_id = ?""", (case_id, subtopic_id),
        ).fetchone()
        return summary_row(row) if row else None

    def put_summary(
        self, case_id: str, subtopic_id: int, text: str, state: str, author: str,
        evidence_hash: str, *, evidence: Sequence[tuple[str, ...]] = (),
        links: Sequence[tuple[int, int]] | None = None, origin: str = "human",
    ) -> None:
        """Write a cell's summary (a new one: any acceptance of an earlier draft is
        cleared).  ``links`` (source id, segment) replace the old ones when
        given; ``None`` keeps them."""
        self.conn.execute(
            """INSERT INTO summaries (case_id, subtopic_id, text, state, author, updated_at,
               evidence_hash, evidence, origin, accepted_by, accepted_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')
               ON CONFLICT (case_id, subtopic_id) DO UPDATE SET text = excluded.text,
               state = excluded.state, author = excluded.author,
               updated_at = excluded.updated_at, evidence_hash = excluded.evidence_hash,
               evidence = excluded.evidence, origin = excluded.origin,
               accepted_by = '', accepted_at = ''""",
            (case_id, subtopic_id, text, state, author, now(), evidence_hash,
             json.dumps([list(e) for e in evidence]), origin),
        )
        if links is None:
            return
        self.conn.execute(
            "DELETE FROM summary_links WHERE case_id = ? AND subtopic_id = ?",
            (case_id, subtopic_id),
        )
        seen: set[tuple[int, int]] = set()
        rows: list[tuple[str, int, int, int, int]] = []
        for source_id, segment in links:
            if (source_id, segment) not in seen:
                seen.add((source_id, segment))
                rows.append((case_id, subtopic_id, source_id, segment, len(rows)))
        # Each link keeps the span of the words it cites, so re-ingest can follow them.
        self.conn.executemany(
            """INSERT INTO summary_links (case_id, subtopic_id, source_id, segment, position,
                                          start, "end")
               SELECT ?, ?, ?, ?, ?, COALESCE(g.start, -1), COALESCE(g."end", -1)
               FROM (SELECT 1) AS one
               LEFT JOIN segments g ON g.source_id = ? AND g.number = ?""",
            [(*row, row[2], row[3]) for row in rows],
        )

    def source_links(self, source_id: int) -> list[tuple[str, int, int, int, int, int]]:
        """(case, sub-topic id, segment, position, start, end) of every summary link to
        a source's segments."""
        return [tuple(r) for r in plain(self.conn).execute(
            """SELECT case_id, subtopic_id, segment, position, start, "end" FROM summary_links
               WHERE source_id = ? ORDER BY case_id, subtopic_id, position""", (source_id,))]

    def source_case(self, source_id: int) -> str:
        (case_id,) = self.conn.execute("SELECT case_id FROM sources WHERE id = ?",
                                       (source_id,)).fetchone()
        return str(case_id)

    def source_names(self, source_id: int) -> set[str]:
        """Every spelling a reference may use for a source (case-folded): its name and
        its ref prefix."""
        (name,) = self.conn.execute("SELECT name FROM sources WHERE id = ?",
                                    (source_id,)).fetchone()
        return {str(name).casefold(), self.ref_prefixes(source_id)[source_id].casefold()}

    def replace_source_links(self, case_id: str, subtopic_id: int, source_id: int,
                             rows: Sequence[tuple[int, int, int, int]],
                             keep_segments: Sequence[int] = ()) -> None:
        """A summary's links to one source become ``rows`` (segment, position, start,
        end); links to ``keep_segments`` are left as they are."""
        keep = set(keep_segments)
        for (segment,) in plain(self.conn).execute(
                """SELECT segment FROM summary_links WHERE case_id = ? AND subtopic_id = ?
                   AND source_id = ?""", (case_id, subtopic_id, source_id)).fetchall():
            if segment not in keep:
                self.conn.execute(
                    """DELETE FROM summary_links WHERE case_id = ? AND subtopic_id = ?
                       AND source_id = ? AND segment = ?""",
                    (case_id, subtopic_id, source_id, segment))
        self.conn.executemany(
            """INSERT INTO summary_links (case_id, subtopic_id, source_id, segment, position,
                                          start, "end") VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT DO NOTHING""",
            [(case_id, subtopic_id, source_id, *r) for r in rows])

    def set_summary_text(self, case_id: str, subtopic_id: int, text: str) -> None:
        """Rewrite a summary's text (its references renumbered): not a new summary, so
        its author, time and provenance stay."""
        self.conn.execute("UPDATE summaries SET text = ? WHERE case_id = ? AND subtopic_id = ?",
                          (text, case_id, subtopic_id))

    def set_summary_evidence(self, case_id: str, subtopic_id: int, evidence_hash: str,
                             evidence: Sequence[tuple[str, ...]]) -> None:
        """Record again what a summary rests on (the same words under new refs)."""
        self.conn.execute(
            """UPDATE summaries SET evidence_hash = ?, evidence = ?
               WHERE case_id = ? AND subtopic_id = ?""",
            (evidence_hash, json.dumps([list(e) for e in evidence], ensure_ascii=False),
             case_id, subtopic_id))

    def accept_summary(self, case_id: str, subtopic_id: int, who: str) -> None:
        """A person accepts a machine draft: it becomes a summary, still the machine's
        words, with who accepted it and when."""
        self.conn.execute(
            """UPDATE summaries SET state = 'summarised', accepted_by = ?, accepted_at = ?
               WHERE case_id = ? AND subtopic_id = ?""", (who, now(), case_id, subtopic_id))

    def delete_summary(self, case_id: str, subtopic_id: int) -> None:
        """Remove a cell's summary (its links go with it)."""
        self.conn.execute(
            "DELETE FROM summaries WHERE case_id = ? AND subtopic_id = ?", (case_id, subtopic_id)
        )

    def summary_links(self) -> dict[tuple[str, str], list[str]]:
        """The refs each summary cites, keyed by (case id, sub-topic code), in typed order."""
        prefixes = self.ref_prefixes()
        rows = self.conn.execute(
            """SELECT l.case_id, st.code, l.source_id, l.segment FROM summary_links l
               JOIN subtopics st ON st.id = l.subtopic_id
               ORDER BY l.case_id, st.position, l.position"""
        ).fetchall()
        links: dict[tuple[str, str], list[str]] = {}
        for r in rows:
            ref = f"{prefixes.get(r['source_id'], '?')}:{r['segment']}"
            links.setdefault((r["case_id"], r["code"]), []).append(ref)
        return links

    def cell_sentences(self, case_id: str, subtopic: str) -> list[CellSentence]:
        """Sentences of the accepted codings of one cell, clipped to each coded span,
        in source and offset order."""
        prefixes = self.ref_prefixes()
        rows = self.conn.execute(
            """SELECT s.id AS source_id, g.number, g.role,
                      max(x.start, c.start) AS a, min(x."end", c."end") AS b,
                      substr(s.text, max(x.start, c.start) + 1,
                             min(x."end", c."end") - max(x.start, c.start)) AS body
               FROM codings c
               JOIN subtopics st ON st.id = c.subtopic_id
               JOIN sources s ON s.id = c.source_id
               JOIN segments g ON g.source_id = c.source_id
                    AND g.start < c."end" AND c.start < g."end"
               JOIN sentences x ON x.source_id = g.source_id AND x.segment = g.number
                    AND x.start < c."end" AND c.start < x."end"
               WHERE c.status = 'accepted' AND s.case_id = ? AND st.code = ?
               ORDER BY s.id, a, b""", (case_id, subtopic),
        ).fetchall()
        out: list[CellSentence] = []
        seen: set[tuple[int, int, int]] = set()
        for r in rows:
            key = (r["source_id"], r["a"], r["b"])
            if key in seen or not r["body"].strip():
                continue
            seen.add(key)
            out.append(CellSentence(f"{prefixes[r['source_id']]}:{r['number']}", r["body"],
                                    r["role"], len(out)))
        return out


def summary_row(r: sqlite3.Row) -> SummaryRow:
    evidence = tuple(tuple(str(x) for x in e) for e in json.loads(r["evidence"] or "[]"))
    return SummaryRow(r["case_id"], r["code"], r["text"], r["state"], r["author"],
                      r["updated_at"], r["evidence_hash"], evidence, r["origin"],
                      r["accepted_by"], r["accepted_at"])
