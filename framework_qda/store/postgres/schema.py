"""The schema of a study on PostgreSQL: the same named migrations as SQLite's
(:mod:`framework_qda.store.schema`), each doing that migration's change in
PostgreSQL's terms.  Never edit a migration that has shipped: add a new one, on
both backends, under the same name.

What differs from SQLite's: ids are ``BIGINT`` and offsets ``INTEGER`` (what
``substr()`` takes); ids come from
:func:`~framework_qda.store.postgres.triggers.next_id`; foreign keys are
``DEFERRABLE`` (an undo puts a parent back after its children); the search
index is a table with a stored ``tsvector`` under a GIN index, stemmed by the
study's own English configuration without stop words (FTS5's porter tokenizer
drops none either, so "not" and "because" can be searched on both); triggers
are PL/pgSQL (:mod:`~framework_qda.store.postgres.triggers`).
"""

from __future__ import annotations

from framework_qda.store.postgres.history_schema import HISTORY_MIGRATIONS
from framework_qda.store.postgres.triggers import next_id

_INDEX_ROW = """
        CREATE OR REPLACE FUNCTION segment_text_insert() RETURNS trigger LANGUAGE plpgsql
        AS $f$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM segment_text_deferred d
                           WHERE NEW.source_id BETWEEN d.first AND d.last) THEN
                INSERT INTO segment_text (rowid, body)
                SELECT NEW.source_id * 4294967296 + NEW.number,
                       substr(s.text, NEW.start + 1, NEW."end" - NEW.start)
                FROM sources s WHERE s.id = NEW.source_id;
            END IF;
            RETURN NULL;
        END $f$;
"""

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
            attributes TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE sources (
            id          BIGINT PRIMARY KEY,
            case_id     TEXT NOT NULL REFERENCES cases(id) DEFERRABLE,
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
            source_id  BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE DEFERRABLE,
            number     INTEGER NOT NULL,
            start      INTEGER NOT NULL,
            "end"      INTEGER NOT NULL,
            speaker    TEXT NOT NULL DEFAULT '',
            role       TEXT NOT NULL DEFAULT 'other',
            line_first INTEGER NOT NULL,
            line_last  INTEGER NOT NULL,
            timestamp  TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (source_id, number)
        );
        CREATE TABLE sentences (
            source_id BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE DEFERRABLE,
            segment   INTEGER NOT NULL,
            number    INTEGER NOT NULL,
            start     INTEGER NOT NULL,
            "end"     INTEGER NOT NULL,
            PRIMARY KEY (source_id, segment, number)
        );
        CREATE TABLE themes (
            id         BIGINT PRIMARY KEY,
            code       TEXT NOT NULL UNIQUE,
            label      TEXT NOT NULL,
            definition TEXT NOT NULL DEFAULT '',
            guid       TEXT NOT NULL,
            position   INTEGER NOT NULL
        );
        CREATE TABLE subtopics (
            id         BIGINT PRIMARY KEY,
            theme_id   BIGINT NOT NULL REFERENCES themes(id) DEFERRABLE,
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
            id          BIGINT PRIMARY KEY,
            source_id   BIGINT NOT NULL REFERENCES sources(id) DEFERRABLE,
            start       INTEGER NOT NULL,
            "end"       INTEGER NOT NULL,
            subtopic_id BIGINT NOT NULL REFERENCES subtopics(id) DEFERRABLE,
            coder       TEXT NOT NULL DEFAULT '',
            origin      TEXT NOT NULL DEFAULT 'manual',
            status      TEXT NOT NULL DEFAULT 'accepted',
            created_at  TEXT NOT NULL,
            memo        TEXT NOT NULL DEFAULT '',
            text_hash   TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start),
            CONSTRAINT codings_span UNIQUE (source_id, start, "end", subtopic_id)
        );
        CREATE INDEX codings_subtopic ON codings(subtopic_id, status);
        CREATE TABLE summaries (
            case_id     TEXT NOT NULL REFERENCES cases(id) DEFERRABLE,
            subtopic_id BIGINT NOT NULL REFERENCES subtopics(id) DEFERRABLE,
            text        TEXT NOT NULL DEFAULT '',
            state       TEXT NOT NULL,
            author      TEXT NOT NULL DEFAULT '',
            updated_at  TEXT NOT NULL,
            evidence_hash TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (case_id, subtopic_id)
        );
        """ + next_id("sources") + next_id("themes") + next_id("subtopics") + next_id("codings"),
    ),
    (
        "0002_codebook_changes",
        """
        ALTER TABLE subtopics ADD COLUMN patterns TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE codebook_changes (
            id      BIGINT PRIMARY KEY,
            at      TEXT NOT NULL,
            who     TEXT NOT NULL DEFAULT '',
            action  TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            detail  TEXT NOT NULL DEFAULT '',
            now_code TEXT NOT NULL DEFAULT ''
        );
        """ + next_id("codebook_changes"),
    ),
    (
        "0003_coding_suggestions",
        """
        ALTER TABLE codings ADD COLUMN matched TEXT NOT NULL DEFAULT '';
        CREATE TABLE coding_sessions (
            case_id    TEXT NOT NULL REFERENCES cases(id) DEFERRABLE,
            coder      TEXT NOT NULL,
            source_id  BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE DEFERRABLE,
            segment    INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (case_id, coder)
        );
        """,
    ),
    (
        "0004_charting",
        """
        ALTER TABLE summaries ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE summary_links (
            case_id     TEXT NOT NULL,
            subtopic_id BIGINT NOT NULL,
            source_id   BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE DEFERRABLE,
            segment     INTEGER NOT NULL,
            position    INTEGER NOT NULL,
            PRIMARY KEY (case_id, subtopic_id, source_id, segment),
            FOREIGN KEY (case_id, subtopic_id) REFERENCES summaries(case_id, subtopic_id)
                ON DELETE CASCADE ON UPDATE CASCADE DEFERRABLE
        );
        CREATE INDEX summary_links_source ON summary_links(source_id, segment);
        """,
    ),
    (
        "0005_search_index",
        """
        CREATE TEXT SEARCH DICTIONARY fqda_stem (TEMPLATE = snowball, Language = english);
        CREATE TEXT SEARCH CONFIGURATION fqda (COPY = pg_catalog.english);
        ALTER TEXT SEARCH CONFIGURATION fqda ALTER MAPPING
            FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
            WITH fqda_stem;
        CREATE TABLE segment_text (
            rowid BIGINT PRIMARY KEY,
            body  TEXT NOT NULL,
            words tsvector GENERATED ALWAYS AS (to_tsvector('fqda', body)) STORED
        );
        CREATE INDEX segment_text_words ON segment_text USING GIN (words);
        INSERT INTO segment_text (rowid, body)
            SELECT g.source_id * 4294967296 + g.number,
                   substr(s.text, g.start + 1, g."end" - g.start)
            FROM segments g JOIN sources s ON s.id = g.source_id;
        """,
    ),
    (
        "0006_bench_indexes",
        "CREATE INDEX cases_position ON cases(position);",
    ),
    (
        "0007_search_triggers",
        """
        CREATE FUNCTION segment_text_insert() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            INSERT INTO segment_text (rowid, body)
            SELECT NEW.source_id * 4294967296 + NEW.number,
                   substr(s.text, NEW.start + 1, NEW."end" - NEW.start)
            FROM sources s WHERE s.id = NEW.source_id;
            RETURN NULL;
        END $f$;
        CREATE TRIGGER segment_text_insert AFTER INSERT ON segments
            FOR EACH ROW EXECUTE FUNCTION segment_text_insert();

        CREATE FUNCTION segment_text_delete() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            DELETE FROM segment_text WHERE rowid = OLD.source_id * 4294967296 + OLD.number;
            RETURN NULL;
        END $f$;
        CREATE TRIGGER segment_text_delete AFTER DELETE ON segments
            FOR EACH ROW EXECUTE FUNCTION segment_text_delete();

        CREATE FUNCTION segment_text_update() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            DELETE FROM segment_text WHERE rowid = OLD.source_id * 4294967296 + OLD.number;
            INSERT INTO segment_text (rowid, body)
            SELECT NEW.source_id * 4294967296 + NEW.number,
                   substr(s.text, NEW.start + 1, NEW."end" - NEW.start)
            FROM sources s WHERE s.id = NEW.source_id;
            RETURN NULL;
        END $f$;
        CREATE TRIGGER segment_text_update AFTER UPDATE ON segments
            FOR EACH ROW EXECUTE FUNCTION segment_text_update();

        CREATE FUNCTION segment_text_source() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            DELETE FROM segment_text WHERE rowid >= OLD.id * 4294967296
                AND rowid < (OLD.id + 1) * 4294967296;
            INSERT INTO segment_text (rowid, body)
            SELECT g.source_id * 4294967296 + g.number,
                   substr(NEW.text, g.start + 1, g."end" - g.start)
            FROM segments g WHERE g.source_id = NEW.id;
            RETURN NULL;
        END $f$;
        CREATE TRIGGER segment_text_source AFTER UPDATE OF text ON sources
            FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text)
            EXECUTE FUNCTION segment_text_source();
        """,
    ),
    (
        "0008_segment_start_index",
        "CREATE INDEX segments_start ON segments(source_id, start);",
    ),
    (
        "0009_survey_batches",
        # The store's batched insert of segments lists its sources here while it
        # runs, and indexes them in one statement (see store/sources.py).
        "CREATE TABLE segment_text_deferred (first BIGINT NOT NULL, last BIGINT NOT NULL);"
        + _INDEX_ROW,
    ),
    (
        "0010_coded_cells",
        "CREATE INDEX codings_cells ON codings(source_id, subtopic_id, status);",
    ),
    (
        "0011_summary_provenance",
        """
        ALTER TABLE summaries ADD COLUMN origin TEXT NOT NULL DEFAULT 'human';
        ALTER TABLE summaries ADD COLUMN accepted_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE summaries ADD COLUMN accepted_at TEXT NOT NULL DEFAULT '';
        UPDATE summaries SET origin = 'machine' WHERE state = 'draft';
        ALTER TABLE summary_links ADD COLUMN start INTEGER NOT NULL DEFAULT -1;
        ALTER TABLE summary_links ADD COLUMN "end" INTEGER NOT NULL DEFAULT -1;
        UPDATE summary_links SET
            start = g.start, "end" = g."end"
            FROM segments g WHERE g.source_id = summary_links.source_id
                AND g.number = summary_links.segment;
        """,
    ),
    *HISTORY_MIGRATIONS,
]
"""Every migration, in the order they run, named as SQLite's are."""
