"""Rows of ``sources``, written with their ``segments`` and ``sentences``; reading
segments and sentences back is :mod:`framework_qda.store.segments`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from framework_qda.model import Source
from framework_qda.refs import prefixes, source_prefixes
from framework_qda.store.database import KEY_SHIFT, now, plain
from framework_qda.store.rows import NewSource, SegmentRow
from framework_qda.store.segments import SegmentRows

_LAST_ID = 2**31  # above any source id a study reaches (and its rowid keys stay in range)


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


class SourceRows(SegmentRows):
    conn: sqlite3.Connection
    rollbacks: int

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
        """The source a user names ``name``: its ref prefix (``P7``,
        ``P7_followup``), its name (``P7_followup.docx``), or any other of its
        forms no other source shares (see :mod:`framework_qda.refs`)."""
        sid = self._refs()[1].get(name)
        if sid is None:
            return None
        row = self.conn.execute("SELECT * FROM sources WHERE id = ?", (sid,)).fetchone()
        return _source(row) if row else None

    def source_named(self, name: str) -> Source | None:
        """The source whose stored name is exactly ``name``."""
        row = self.conn.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        return _source(row) if row else None

    def project_source_at(self, path: str) -> Source | None:
        """The source a REFI-QDA project brought (it has the project's GUID) whose
        stored path is exactly ``path`` (``transcripts/Anna.docx.txt``)."""
        # From the GUIDs to the sources (CROSS JOIN keeps that order): SQLite
        # otherwise scanned every source for its path (no index), for every
        # file ingested, though most studies have no project GUIDs at all.
        row = self.conn.execute(
            """SELECT s.* FROM exchange_guids g CROSS JOIN sources s
               WHERE g.kind = 'source' AND s.id = CAST(g.key AS INTEGER)
               AND g.key = CAST(s.id AS TEXT) AND s.path = ? ORDER BY s.id LIMIT 1""",
            (path,)).fetchone()
        return _source(row) if row else None

    def source_sha(self, name: str) -> str | None:
        row = self.conn.execute("SELECT sha256 FROM sources WHERE name = ?", (name,)).fetchone()
        return str(row["sha256"]) if row else None

    def source_shas(self) -> dict[str, str]:
        """Every source's name and stored hash, in one query (a survey file asks
        about each of its rows)."""
        return {name: sha for name, sha in plain(self.conn).execute(
            "SELECT name, sha256 FROM sources")}

    def source_files(self) -> dict[str, tuple[str, str]]:
        """Every source's name with its stored hash and path, in one query."""
        return {name: (sha, path) for name, sha, path in plain(self.conn).execute(
            "SELECT name, sha256, path FROM sources")}

    def source_paths(self, names: Iterable[str]) -> dict[str, tuple[int, str, str]]:
        """``(id, stored path, format)`` of the sources with these names."""
        found: dict[str, tuple[int, str, str]] = {}
        names = list(names)
        for i in range(0, len(names), 500):
            chunk = names[i:i + 500]
            marks = ", ".join("?" * len(chunk))
            for name, sid, path, fmt in plain(self.conn).execute(
                    f"SELECT name, id, path, format FROM sources WHERE name IN ({marks})",
                    chunk):
                found[name] = (sid, path, fmt)
        return found

    def rename_sources(self, renames: Sequence[tuple[int, str, str]]) -> None:
        """Give sources new names and stored paths: ``(id, name, path)`` each.

        Codings, summaries' links and sessions point at the id, so they stay.
        """
        self._sources_changed()
        self.conn.executemany("UPDATE sources SET name = ?, path = ? WHERE id = ?",
                              [(name, path, sid) for sid, name, path in renames])

    def ref_prefixes(self, source_id: int | None = None) -> dict[int, str]:
        """What stands before the colon in each source's segment refs
        (rules in :mod:`framework_qda.refs`); only ``source_id``'s when given.

        Worked out for every source at once and kept until a source is added,
        renamed or moved to another case (by this connection or, as SQLite's
        ``data_version`` says, another), so asking source by source stays
        linear (a 1,000-transcript codings import asks once per source).
        """
        found = self._prefixes()
        if source_id is None:
            return dict(found)
        return {source_id: found[source_id]} if source_id in found else {}

    def source_refs(self) -> dict[str, int]:
        """Every name a ref may put before its colon, with its source's id: each
        prefix, each name, each form of a name no other source shares."""
        return dict(self._refs()[1])

    def _refs(self) -> tuple[dict[int, str], dict[str, int]]:
        key = (self.data_version(), getattr(self, "_source_writes", 0), self.rollbacks)
        cached: tuple[tuple[object, int, int], tuple[dict[int, str], dict[str, int]]] | None = \
            getattr(self, "_refs_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        refs = prefixes(plain(self.conn).execute("SELECT id, name, case_id FROM sources"))
        self._refs_cache = (key, refs)
        self._prefixes_cache = (key, refs[0])
        return refs

    def _prefixes(self) -> dict[int, str]:
        """The prefixes alone (what listing evidence needs), without every name's
        forms unless some case has several sources."""
        key = (self.data_version(), getattr(self, "_source_writes", 0), self.rollbacks)
        cached: tuple[tuple[object, int, int], dict[int, str]] | None = \
            getattr(self, "_prefixes_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        cur = plain(self.conn)
        # Both questions come off the index sources_case, not the rows (which
        # hold each source's text): a case with several sources needs the names.
        if cur.execute("SELECT 1 FROM sources GROUP BY case_id HAVING COUNT(*) > 1 "
                       "LIMIT 1").fetchone() is None:
            found = dict(cur.execute("SELECT id, case_id FROM sources").fetchall())
        else:
            found = source_prefixes(cur.execute("SELECT id, name, case_id FROM sources"))
        self._prefixes_cache = (key, found)
        return found

    def _sources_changed(self) -> None:
        """Forget the ref prefixes: a source was added, renamed or rolled back."""
        self._source_writes = getattr(self, "_source_writes", 0) + 1

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
        self._sources_changed()
        old = self.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        if old is None:
            cur = self.conn.execute(
                """INSERT INTO sources (case_id, name, path, format, sha256, text, metadata,
                   ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (case_id, name, path, format, sha256, text, meta, now()),
            )
            source_id = int(cur.fetchone()[0])
        else:
            source_id = int(old["id"])
            # Segments go first: the text trigger of 0007 re-slices every
            # segment still there with substr(), which walks the text from its
            # start each time (quadratic in the number of turns).
            self.conn.execute("DELETE FROM segments WHERE source_id = ?", (source_id,))
            self.conn.execute("DELETE FROM sentences WHERE source_id = ?", (source_id,))
            self.conn.execute(
                """UPDATE sources SET case_id = ?, path = ?, format = ?, sha256 = ?, text = ?,
                   metadata = ?, ingested_at = ? WHERE id = ?""",
                (case_id, path, format, sha256, text, meta, now(), source_id),
            )
        bodies = [(source_id * KEY_SHIFT + s.number, text[s.start:s.end]) for s in segments]
        with self._search_deferred(source_id, source_id, bodies):
            self.conn.executemany(
                """INSERT INTO segments (source_id, number, start, "end", speaker, role,
                   line_first, line_last, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(source_id, s.number, s.start, s.end, s.speaker, s.role,
                  s.line_first, s.line_last, s.timestamp) for s in segments],
            )
        self.conn.executemany(
            'INSERT INTO sentences (source_id, segment, number, start, "end")'
            " VALUES (?, ?, ?, ?, ?)",
            ((source_id, *s) for s in sentences),
        )
        return source_id

    def add_sources(self, sources: Sequence[NewSource]) -> list[int]:
        """Store new sources with their segments and sentences; returns their ids.

        See :meth:`source_batches`, which this is for one batch.
        """
        with self.source_batches() as add:
            return add(sources)

    @contextmanager
    def source_batches(self) -> Iterator[Callable[[Sequence[NewSource]], list[int]]]:
        """A function that stores batches of new sources, one statement per table
        for each batch; it returns their ids, in order.

        The same rows as :meth:`put_source` for each in turn (ids included:
        SQLite gives a new row the largest id plus one, as done here), without
        a round trip per row: a survey file adds one source per answer.  The
        search index rows of every batch are written in one statement when
        the block ends (see migration 0009; writing them batch by batch made
        each next batch's segment inserts three times slower).  Every name
        must be new: a repeated one fails, and the caller's transaction with
        it.  During the block :meth:`put_source` may replace existing sources,
        not add new ones (their index rows would be written twice).
        """
        (top,) = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM sources").fetchone()
        first = int(top) + 1
        stamp = now()
        # Rows of one file mostly share their metadata: encode each distinct one once.
        encoded: dict[tuple[tuple[str, object], ...], str] = {}

        def meta(metadata: Mapping[str, object]) -> str:
            try:
                key = tuple(sorted(metadata.items()))
                return encoded[key]
            except KeyError:
                text = encoded[key] = json.dumps(dict(metadata), ensure_ascii=False,
                                                 sort_keys=True)
                return text
            except TypeError:  # a value that cannot be a key (a list): encode it as is
                return json.dumps(dict(metadata), ensure_ascii=False, sort_keys=True)

        def add(sources: Sequence[NewSource]) -> list[int]:
            if not sources:
                return []
            self._sources_changed()
            (top,) = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM sources").fetchone()
            ids = list(range(top + 1, top + 1 + len(sources)))
            self.conn.executemany(
                """INSERT INTO sources (id, case_id, name, path, format, sha256, text, metadata,
                   ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(i, s.case_id, s.name, s.path, s.format, s.sha256, s.text, meta(s.metadata),
                  stamp) for i, s in zip(ids, sources, strict=True)],
            )
            self.conn.executemany(
                """INSERT INTO segments (source_id, number, start, "end", speaker, role,
                   line_first, line_last, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(i, g.number, g.start, g.end, g.speaker, g.role, g.line_first, g.line_last,
                  g.timestamp) for i, s in zip(ids, sources, strict=True) for g in s.segments],
            )
            self.conn.executemany(
                'INSERT INTO sentences (source_id, segment, number, start, "end")'
                " VALUES (?, ?, ?, ?, ?)",
                [(i, *row) for i, s in zip(ids, sources, strict=True) for row in s.sentences],
            )
            return ids

        with self._search_deferred(first, _LAST_ID):
            yield add

    @contextmanager
    def _search_deferred(self, first: int, last: int,
                         bodies: Sequence[tuple[int, str]] | None = None) -> Iterator[None]:
        """Keep the row trigger from indexing segments of sources ``first``..``last``
        during the block; index them all in one statement at its end (or, given
        ``bodies``, the ``(rowid, text)`` of each: one long text's segments are
        sliced in Python, since SQLite's substr() walks the text from its start
        for each and made a 40,000-turn file take a minute).

        The deferral is listed in a table (migration 0009) and emptied, and
        whatever went in indexed, however the block ends.  Inside the caller's
        transaction no savepoint is taken: one makes SQLite journal every page
        it touches, which tripled the cost of the inserts.  Outside one, a
        savepoint makes the whole block a transaction of its own.
        """
        outer = not self.conn.in_transaction
        if outer:
            self.conn.execute("SAVEPOINT search_deferred")
        try:
            self.conn.execute("INSERT INTO segment_text_deferred (first, last) VALUES (?, ?)",
                              (first, last))
            try:
                yield
            finally:
                self.conn.execute(
                    "DELETE FROM segment_text_deferred WHERE first = ? AND last = ?",
                    (first, last))
                if bodies is not None:
                    self.conn.executemany(
                        "INSERT INTO segment_text (rowid, body) VALUES (?, ?)", bodies)
                else:
                    self.conn.execute(
                        f"""INSERT INTO segment_text (rowid, body)
                            SELECT g.source_id * {KEY_SHIFT} + g.number,
                                   substr(s.text, g.start + 1, g."end" - g.start)
                            FROM sources s JOIN segments g ON g.source_id = s.id
                            WHERE s.id BETWEEN ? AND ?""",
                        (first, last),
                    )
        except BaseException:
            if outer:
                self.conn.execute("ROLLBACK TO search_deferred")
                self.conn.execute("RELEASE search_deferred")
            raise
        if outer:
            self.conn.execute("RELEASE search_deferred")

    def source_texts(self, source_id: int | None = None) -> Iterator[tuple[int, str, str]]:
        """``(id, name, text)`` of every source (or one), in ingest order, streamed."""
        cur = plain(self.conn)
        if source_id is None:
            yield from cur.execute("SELECT id, name, text FROM sources ORDER BY id")
        else:
            yield from cur.execute("SELECT id, name, text FROM sources WHERE id = ?",
                                   (source_id,))
