"""The schema, as an ordered list of named migrations.

Each migration runs once, inside a transaction, and is recorded in the
``migrations`` table.  Never edit a migration that has shipped: add a new one.
This module holds those up to ``0011``; the history's, from ``0012_history``
on, are in :mod:`framework_qda.store.history_schema`.
"""

from __future__ import annotations

from framework_qda.store.history_schema import HISTORY_MIGRATIONS

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE study_meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE cases (
            id         TEXT PRIMARY KEY,
            grp        TEXT NOT NULL DEFAULT '',
            position   INTEGER NOT NULL,
            attributes TEXT NOT NULL DEFAULT '[]'   -- JSON list of [name, value], file order
        );
        CREATE TABLE sources (
            id          INTEGER PRIMARY KEY,
            case_id     TEXT NOT NULL REFERENCES cases(id),
            name        TEXT NOT NULL UNIQUE,
            path        TEXT NOT NULL,
            format      TEXT NOT NULL,
            sha256      TEXT NOT NULL,
            text        TEXT NOT NULL,
            metadata    TEXT NOT NULL DEFAULT '{}',
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX sources_case ON sources(case_id);
        CREATE TABLE segments (
            source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            number     INTEGER NOT NULL,
            start      INTEGER NOT NULL,
            "end"      INTEGER NOT NULL,
            speaker    TEXT NOT NULL DEFAULT '',
            role       TEXT NOT NULL DEFAULT 'other',
            line_first INTEGER NOT NULL,
            line_last  INTEGER NOT NULL,
            timestamp  TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (source_id, number)
        ) WITHOUT ROWID;
        CREATE TABLE sentences (
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            segment   INTEGER NOT NULL,
            number    INTEGER NOT NULL,
            start     INTEGER NOT NULL,
            "end"     INTEGER NOT NULL,
            PRIMARY KEY (source_id, segment, number)
        ) WITHOUT ROWID;
        CREATE TABLE themes (
            id         INTEGER PRIMARY KEY,
            code       TEXT NOT NULL UNIQUE,
            label      TEXT NOT NULL,
            definition TEXT NOT NULL DEFAULT '',
            guid       TEXT NOT NULL,
            position   INTEGER NOT NULL
        );
        CREATE TABLE subtopics (
            id         INTEGER PRIMARY KEY,
            theme_id   INTEGER NOT NULL REFERENCES themes(id),
            code       TEXT NOT NULL UNIQUE,
            label      TEXT NOT NULL,
            definition TEXT NOT NULL DEFAULT '',
            include    TEXT NOT NULL DEFAULT '',
            exclude    TEXT NOT NULL DEFAULT '',
            example    TEXT NOT NULL DEFAULT '',
            keywords   TEXT NOT NULL DEFAULT '[]',
            guid       TEXT NOT NULL,
            position   INTEGER NOT NULL
        );
        CREATE TABLE codings (
            id          INTEGER PRIMARY KEY,
            source_id   INTEGER NOT NULL REFERENCES sources(id),
            start       INTEGER NOT NULL,
            "end"       INTEGER NOT NULL,
            subtopic_id INTEGER NOT NULL REFERENCES subtopics(id),
            coder       TEXT NOT NULL DEFAULT '',
            origin      TEXT NOT NULL DEFAULT 'manual',
            status      TEXT NOT NULL DEFAULT 'accepted',
            created_at  TEXT NOT NULL,
            memo        TEXT NOT NULL DEFAULT '',
            text_hash   TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start),
            UNIQUE (source_id, start, "end", subtopic_id)
        );
        CREATE INDEX codings_subtopic ON codings(subtopic_id, status);
        CREATE TABLE summaries (
            case_id     TEXT NOT NULL REFERENCES cases(id),
            subtopic_id INTEGER NOT NULL REFERENCES subtopics(id),
            text        TEXT NOT NULL DEFAULT '',
            state       TEXT NOT NULL,            -- summarised | not-applicable | draft
            author      TEXT NOT NULL DEFAULT '',
            updated_at  TEXT NOT NULL,
            evidence_hash TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (case_id, subtopic_id)
        ) WITHOUT ROWID;
        """,
    ),
    (
        "0002_codebook_changes",
        """
        ALTER TABLE subtopics ADD COLUMN patterns TEXT NOT NULL DEFAULT '[]';  -- JSON list
        CREATE TABLE codebook_changes (
            id      INTEGER PRIMARY KEY,
            at      TEXT NOT NULL,
            who     TEXT NOT NULL DEFAULT '',
            action  TEXT NOT NULL,                 -- import | rename | merge | move | remove
            subject TEXT NOT NULL DEFAULT '',      -- the code acted on
            detail  TEXT NOT NULL DEFAULT '',
            now_code TEXT NOT NULL DEFAULT ''      -- what the subject's work is under now
        );
        """,
    ),
    (
        "0003_coding_suggestions",
        """
        ALTER TABLE codings ADD COLUMN matched TEXT NOT NULL DEFAULT '';  -- words a rule matched
        CREATE TABLE coding_sessions (
            case_id    TEXT NOT NULL REFERENCES cases(id),
            coder      TEXT NOT NULL,
            source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            segment    INTEGER NOT NULL,               -- where the next run resumes
            updated_at TEXT NOT NULL,
            PRIMARY KEY (case_id, coder)
        ) WITHOUT ROWID;
        """,
    ),
    (
        "0004_charting",
        """
        ALTER TABLE summaries ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';  -- JSON [[ref, hash]]
        CREATE TABLE summary_links (
            case_id     TEXT NOT NULL,
            subtopic_id INTEGER NOT NULL,
            source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            segment     INTEGER NOT NULL,
            position    INTEGER NOT NULL,
            PRIMARY KEY (case_id, subtopic_id, source_id, segment),
            FOREIGN KEY (case_id, subtopic_id) REFERENCES summaries(case_id, subtopic_id)
                ON DELETE CASCADE ON UPDATE CASCADE
        ) WITHOUT ROWID;
        CREATE INDEX summary_links_source ON summary_links(source_id, segment);
        """,
    ),
    (
        "0005_search_index",
        """
        CREATE VIRTUAL TABLE segment_text USING fts5(
            body, tokenize = 'porter unicode61 remove_diacritics 2'
        );
        INSERT INTO segment_text (rowid, body)
            SELECT g.source_id * 4294967296 + g.number,
                   substr(s.text, g.start + 1, g."end" - g.start)
            FROM segments g JOIN sources s ON s.id = g.source_id;
        """,
    ),
    (
        "0006_bench_indexes",
        """
        -- A new case goes after MAX(position): without an index every insert
        -- scanned all cases, so ingesting 100,000 survey answers was quadratic.
        CREATE INDEX cases_position ON cases(position);
        """,
    ),
    (
        "0007_search_triggers",
        """
        -- Keep segment_text (0005) equal to the segments' text on every ingest
        -- path: new, changed and deleted segments, and a source's new text.

        CREATE TRIGGER IF NOT EXISTS segment_text_insert AFTER INSERT ON segments BEGIN
            INSERT INTO segment_text (rowid, body)
            SELECT new.source_id * 4294967296 + new.number,
            substr(s.text, new.start + 1, new."end" - new.start)
            FROM sources s WHERE s.id = new.source_id;
        END;

        CREATE TRIGGER IF NOT EXISTS segment_text_delete AFTER DELETE ON segments BEGIN
            DELETE FROM segment_text WHERE rowid = old.source_id * 4294967296 + old.number;
        END;

        CREATE TRIGGER IF NOT EXISTS segment_text_update AFTER UPDATE ON segments BEGIN
            DELETE FROM segment_text WHERE rowid = old.source_id * 4294967296 + old.number;
            INSERT INTO segment_text (rowid, body)
            SELECT new.source_id * 4294967296 + new.number,
            substr(s.text, new.start + 1, new."end" - new.start)
            FROM sources s WHERE s.id = new.source_id;
        END;

        CREATE TRIGGER IF NOT EXISTS segment_text_source AFTER UPDATE OF text ON sources
            WHEN old.text IS NOT new.text BEGIN
            DELETE FROM segment_text WHERE rowid >= old.id * 4294967296
            AND rowid < (old.id + 1) * 4294967296;
            INSERT INTO segment_text (rowid, body)
            SELECT g.source_id * 4294967296 + g.number,
            substr(new.text, g.start + 1, g."end" - g.start)
            FROM segments g WHERE g.source_id = new.id;
        END;
        """,
    ),
    (
        "0008_segment_start_index",
        """
        -- Finding the segment a coding starts in seeks this index (store/codings.py).
        CREATE INDEX segments_start ON segments(source_id, start);
        """,
    ),
    (
        "0009_survey_batches",
        """
        -- Storing segments indexes their text in one INSERT ... SELECT per batch
        -- (store/sources.py): through the row trigger of 0007 each segment's
        -- index row cost about 40 us, eight times the batched statement, which
        -- was most of ingesting 100,000 survey answers.  While a batch is
        -- stored its source ids are listed here and the trigger skips them;
        -- the list is emptied in the same transaction, so no other connection
        -- ever sees it filled.
        CREATE TABLE segment_text_deferred (
            first INTEGER NOT NULL,
            last  INTEGER NOT NULL
        );
        DROP TRIGGER IF EXISTS segment_text_insert;
        CREATE TRIGGER segment_text_insert AFTER INSERT ON segments
            WHEN NOT EXISTS (SELECT 1 FROM segment_text_deferred d
                             WHERE new.source_id BETWEEN d.first AND d.last) BEGIN
            INSERT INTO segment_text (rowid, body)
            SELECT new.source_id * 4294967296 + new.number,
            substr(s.text, new.start + 1, new."end" - new.start)
            FROM sources s WHERE s.id = new.source_id;
        END;
        """,
    ),
    (
        "0010_coded_cells",
        """
        -- Which (case, sub-topic) cells hold an accepted coding (fqda status,
        -- compare): distinct id pairs read off this index alone, in order,
        -- instead of scanning the table and sorting every coding.  status
        -- comes last: leading with it made the planner scan every accepted
        -- coding to find one case's (fqda case went from 0.1 ms to 10 ms).
        CREATE INDEX codings_cells ON codings(source_id, subtopic_id, status);
        """,
    ),
    (
        "0011_summary_provenance",
        """
        -- Who wrote a summary: a person (human) or the draft writer (machine),
        -- and, for a machine draft a person accepted, who accepted it and when.
        ALTER TABLE summaries ADD COLUMN origin TEXT NOT NULL DEFAULT 'human';
        ALTER TABLE summaries ADD COLUMN accepted_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE summaries ADD COLUMN accepted_at TEXT NOT NULL DEFAULT '';
        UPDATE summaries SET origin = 'machine' WHERE state = 'draft';
        -- A summary cites evidence, not segment numbers: each link keeps the span
        -- of the words it named, which re-ingest moves with the codings.
        ALTER TABLE summary_links ADD COLUMN start INTEGER NOT NULL DEFAULT -1;
        ALTER TABLE summary_links ADD COLUMN "end" INTEGER NOT NULL DEFAULT -1;
        UPDATE summary_links SET
            start = (SELECT g.start FROM segments g WHERE g.source_id = summary_links.source_id
                     AND g.number = summary_links.segment),
            "end" = (SELECT g."end" FROM segments g WHERE g.source_id = summary_links.source_id
                     AND g.number = summary_links.segment)
            WHERE EXISTS (SELECT 1 FROM segments g WHERE g.source_id = summary_links.source_id
                          AND g.number = summary_links.segment);
        """,
    ),
    *HISTORY_MIGRATIONS,
]
"""Every migration, in the order they run."""
