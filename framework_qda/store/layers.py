"""Coder layers: blinding, what agreement reads, merging another copy's layer.

Every coding belongs to one coder; a coder's codings are their layer.  What
this module reads for agreement is every layer, whatever the blinding.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from framework_qda.errors import FqdaError
from framework_qda.store.database import now, plain
from framework_qda.store.rows import (
    CopyCoding,
    CopyContents,
    CopySource,
    CopySummary,
    LayerCoding,
    SummaryVersion,
)
from framework_qda.store.sources import SourceRows

_BLIND = "blind:"


class LayerRows(SourceRows):
    conn: sqlite3.Connection

    # -- blinding ----------------------------------------------------------
    def blind_coders(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT key FROM study_meta WHERE key LIKE 'blind:%' AND value = 'on' ORDER BY key"
        ).fetchall()
        return [str(r[0])[len(_BLIND):] for r in rows]

    def set_blind(self, coder: str, on: bool) -> None:
        if on:
            self.conn.execute(
                "INSERT INTO study_meta (key, value) VALUES (?, 'on') "
                "ON CONFLICT(key) DO UPDATE SET value = 'on'", (_BLIND + coder,))
        else:
            self.conn.execute("DELETE FROM study_meta WHERE key = ?", (_BLIND + coder,))
            if coder in self.blind_coders():  # the server kept it (not the lead)
                raise FqdaError(f"blinding of {coder!r} stays on: only the study's lead (the "
                                "role that made it on the server) can turn it off")

    # -- what agreement reads ------------------------------------------------
    def layer_coders(self) -> list[str]:
        """Every coder with an accepted coding (the consensus layer too), by name."""
        rows = plain(self.conn).execute(
            "SELECT DISTINCT coder FROM codings WHERE status = 'accepted' ORDER BY coder")
        return [str(r[0]) for r in rows]

    def layer_codings(self, codes: Sequence[str] | None = None) -> list[LayerCoding]:
        """Every coder's accepted codings (of ``codes``), in source and offset order."""
        sql = """SELECT c.id, c.source_id, c.start, c."end", st.code, c.coder, c.memo
                 FROM codings c JOIN subtopics st ON st.id = c.subtopic_id
                 WHERE c.status = 'accepted'"""
        params: list[object] = []
        if codes is not None:
            sql += f" AND st.code IN ({','.join('?' * len(codes))})"
            params.extend(codes)
        rows = plain(self.conn).execute(sql + ' ORDER BY c.source_id, c.start, c."end", c.id',
                                        params).fetchall()
        return [LayerCoding(*r) for r in rows]

    def unit_spans(self, unit: str) -> dict[int, list[tuple[int, int]]]:
        """Each source's segments (``segment``) or stored sentences (``sentence``) as
        (start, end), in text order."""
        table = {"segment": "segments", "sentence": "sentences"}[unit]
        rows = plain(self.conn).execute(
            f'SELECT source_id, start, "end" FROM {table} ORDER BY source_id, start').fetchall()
        spans: dict[int, list[tuple[int, int]]] = {}
        for source_id, start, end in rows:
            spans.setdefault(source_id, []).append((start, end))
        return spans

    def source_cases(self) -> dict[int, str]:
        """Each source's case id (no text is read: a text's length is)."""
        return dict(plain(self.conn).execute("SELECT id, case_id FROM sources").fetchall())

    def source_sizes(self) -> dict[int, tuple[str, int]]:
        """Each source's (case id, length of its text in characters)."""
        rows = plain(self.conn).execute("SELECT id, case_id, length(text) FROM sources")
        return {r[0]: (r[1], r[2]) for r in rows}

    def consensus_decisions(self, coder: str) -> list[tuple[int, int, int, str, str]]:
        """``(source_id, start, end, code, status)`` of one coder's accepted and
        rejected codings (for the consensus layer: what was agreed, and where the
        agreement was that nothing is coded)."""
        rows = plain(self.conn).execute(
            """SELECT c.source_id, c.start, c."end", st.code, c.status FROM codings c
               JOIN subtopics st ON st.id = c.subtopic_id
               WHERE c.coder = ? AND c.status IN ('accepted', 'rejected')""", (coder,))
        return [tuple(r) for r in rows]

    def put_layer_coding(self, source_id: int, start: int, end: int, subtopic_id: int,
                         coder: str, origin: str, status: str, memo: str,
                         text_hash: str) -> bool:
        """Store a coding in a coder's layer unless that coder already has a row for
        the span and sub-topic (whatever its status: a removal stands); returns
        whether it was new."""
        cur = self.conn.execute(
            """INSERT INTO codings (source_id, start, "end", subtopic_id, coder, origin,
               status, created_at, memo, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (source_id, start, "end", subtopic_id, coder) DO NOTHING""",
            (source_id, start, end, subtopic_id, coder, origin, status, now(), memo,
             text_hash))
        return cur.rowcount > 0

    def set_layer_status(self, source_id: int, start: int, end: int, subtopic_id: int,
                         coder: str, status: str) -> None:
        self.conn.execute(
            """UPDATE codings SET status = ?, created_at = ? WHERE source_id = ? AND start = ?
               AND "end" = ? AND subtopic_id = ? AND coder = ?""",
            (status, now(), source_id, start, end, subtopic_id, coder))

    def subtopic_guids(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT guid, id FROM subtopics WHERE guid != ''").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    # -- coders' versions of a summary -----------------------------------------
    def summary_versions(self, case_id: str | None = None, subtopic_id: int | None = None
                         ) -> list[SummaryVersion]:
        """Coders' versions of cells' summaries (of one case, one cell), in case,
        codebook and coder order."""
        rows = plain(self.conn).execute(
            """SELECT v.case_id, st.code, v.coder, v.text, v.state, v.author, v.updated_at,
                      v.origin, v.accepted_by, v.came_from
               FROM summary_versions v JOIN subtopics st ON st.id = v.subtopic_id
               JOIN themes t ON t.id = st.theme_id
               WHERE (CAST(? AS TEXT) IS NULL OR v.case_id = ?)
               AND (CAST(? AS INTEGER) IS NULL OR v.subtopic_id = ?)
               ORDER BY v.case_id, t.position, st.position, v.coder""",
            (case_id, case_id, subtopic_id, subtopic_id)).fetchall()
        return [SummaryVersion(*r) for r in rows]

    def put_summary_version(self, case_id: str, subtopic_id: int, coder: str, text: str,
                            state: str, author: str, origin: str, accepted_by: str,
                            came_from: str) -> str:
        """Keep a coder's version of a cell's summary: ``added``, ``present`` (the
        same words and state already kept) or ``changed`` (their earlier version,
        which the history keeps, replaced)."""
        old = self.conn.execute(
            """SELECT text, state FROM summary_versions WHERE case_id = ? AND subtopic_id = ?
               AND coder = ?""", (case_id, subtopic_id, coder)).fetchone()
        if old is not None and (old[0], old[1]) == (text, state):
            return "present"
        self.conn.execute(
            """INSERT INTO summary_versions (case_id, subtopic_id, coder, text, state, author,
               updated_at, origin, accepted_by, came_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (case_id, subtopic_id, coder) DO UPDATE SET text = excluded.text,
               state = excluded.state, author = excluded.author,
               updated_at = excluded.updated_at, origin = excluded.origin,
               accepted_by = excluded.accepted_by, came_from = excluded.came_from""",
            (case_id, subtopic_id, coder, text, state, author, now(), origin, accepted_by,
             came_from))
        return "added" if old is None else "changed"

    # -- another copy ----------------------------------------------------------
    @staticmethod
    def read_copy(path: Path) -> CopyContents:
        """Read another copy's store (``.fqda/study.db``) without changing it."""
        if not path.is_file():
            raise FqdaError(f"{path}: no study store there; merge a study folder (one that "
                            "holds .fqda/study.db) or a codings CSV")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise FqdaError(f"{path}: cannot open the other study's store ({exc})") from None
        try:
            sources = {r[0]: CopySource(r[0], r[1], r[2]) for r in conn.execute(
                "SELECT name, sha256, text FROM sources")}
            codings = [CopyCoding(*r) for r in conn.execute(
                """SELECT s.name, c.start, c."end", st.guid, st.code, c.coder, c.origin,
                          c.memo, c.text_hash
                   FROM codings c JOIN subtopics st ON st.id = c.subtopic_id
                   JOIN sources s ON s.id = c.source_id WHERE c.status = 'accepted'
                   ORDER BY s.name, c.start, c."end", c.id""")]
            summaries = [CopySummary(*r) for r in conn.execute(
                """SELECT m.case_id, st.guid, st.code, m.text, m.state, m.author,
                          m.accepted_by
                   FROM summaries m JOIN subtopics st ON st.id = m.subtopic_id
                   WHERE m.state != 'draft' ORDER BY m.case_id, st.code""")]
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'summary_versions'"
                            ).fetchone():  # a copy opened by a version that keeps them
                summaries += [CopySummary(*r) for r in conn.execute(
                    """SELECT v.case_id, st.guid, st.code, v.text, v.state, v.coder, ''
                       FROM summary_versions v JOIN subtopics st ON st.id = v.subtopic_id
                       ORDER BY v.case_id, st.code, v.coder""")]
            labels = {str(r[0]): str(r[1]) for r in conn.execute(
                "SELECT code, label FROM subtopics")}
        except sqlite3.Error as exc:
            raise FqdaError(f"{path}: cannot read the other study's store ({exc}); open it "
                            "once with this version of fqda") from None
        finally:
            conn.close()
        return CopyContents(sources, codings, summaries, labels)
