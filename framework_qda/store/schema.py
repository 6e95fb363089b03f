"""The schema, as an ordered list of named migrations.

Each migration runs once, inside a transaction, and is recorded in the
``migrations`` table.  Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

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
]
