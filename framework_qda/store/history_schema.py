"""The migrations that keep the study's history, from ``0012_history`` on: the
``actions`` and ``changes`` tables, and the triggers that copy every change of
a recorded table's rows into ``changes`` (:func:`_history_triggers`), for each
table as it is made.  The full ordered list is
:data:`framework_qda.store.schema.MIGRATIONS`; never edit a migration that has
shipped: add a new one.
"""

from __future__ import annotations


def _history_triggers(table: str, key: list[str], columns: list[str], case_sql: str,
                      subtopic_sql: str) -> str:
    """Triggers that copy every change of ``table``'s rows into ``changes``.

    Each change belongs to the newest row of ``actions``: the store opens an
    action at the start of every outermost transaction, and transactions are
    serialised by the write lock, so the newest action is the one running.
    ``case_sql`` and ``subtopic_sql`` (written with ``R.`` for the row) say
    which case and sub-topic a change concerns, so history can be filtered.
    A migration calls this with its own literal column lists, so what it
    creates never changes after it has shipped.
    """

    def obj(row: str) -> str:
        return "json_object(" + ", ".join(f"'{c}', {row}.\"{c}\"" for c in columns) + ")"

    def keyed(row: str) -> str:
        return "json_array(" + ", ".join(f'{row}."{c}"' for c in key) + ")"

    def insert(row: str, before: str, after: str) -> str:
        return (
            "INSERT INTO changes (action_id, tbl, row_key, case_id, subtopic_id, before, after)"
            f" VALUES ((SELECT COALESCE(MAX(id), 0) FROM actions), '{table}', {keyed(row)},"
            f" {case_sql.replace('R.', row + '.')}, {subtopic_sql.replace('R.', row + '.')},"
            f" {before}, {after});"
        )

    return f"""
        CREATE TRIGGER history_{table}_insert AFTER INSERT ON {table} BEGIN
            {insert("new", "NULL", obj("new"))}
        END;
        CREATE TRIGGER history_{table}_update AFTER UPDATE ON {table}
            WHEN {obj("old")} IS NOT {obj("new")} BEGIN
            {insert("new", obj("old"), obj("new"))}
        END;
        CREATE TRIGGER history_{table}_delete AFTER DELETE ON {table} BEGIN
            {insert("old", obj("old"), "NULL")}
        END;
    """


HISTORY_MIGRATIONS: list[tuple[str, str]] = [
    (
        "0012_history",
        """
        -- Every change to cases, the framework, codings and summaries, as a
        -- before and after copy of the row, grouped by the user action (one
        -- transaction) that made it.  Sources are logged without their text.
        CREATE TABLE actions (
            id      INTEGER PRIMARY KEY,
            at      TEXT NOT NULL,
            who     TEXT NOT NULL DEFAULT '',
            command TEXT NOT NULL DEFAULT '',
            undoes  INTEGER                      -- the action this one reverted
        );
        CREATE INDEX actions_undoes ON actions(undoes);
        CREATE TABLE changes (
            id          INTEGER PRIMARY KEY,
            action_id   INTEGER NOT NULL,
            tbl         TEXT NOT NULL,
            row_key     TEXT NOT NULL,           -- JSON array of the primary key
            case_id     TEXT,
            subtopic_id INTEGER,
            before      TEXT,                    -- JSON object; NULL for an insert
            after       TEXT                     -- JSON object; NULL for a delete
        );
        CREATE INDEX changes_action ON changes(action_id);
        CREATE INDEX changes_row ON changes(tbl, row_key);
        CREATE INDEX changes_case ON changes(case_id, subtopic_id);
        """
        + _history_triggers(
            "cases", ["id"], ["id", "grp", "position", "attributes"], "R.id", "NULL")
        + _history_triggers(
            "themes", ["id"], ["id", "code", "label", "definition", "guid", "position"],
            "NULL", "NULL")
        + _history_triggers(
            "subtopics", ["id"],
            ["id", "theme_id", "code", "label", "definition", "include", "exclude",
             "example", "keywords", "patterns", "guid", "position"], "NULL", "R.id")
        + _history_triggers(
            "codings", ["id"],
            ["id", "source_id", "start", "end", "subtopic_id", "coder", "origin", "status",
             "created_at", "memo", "text_hash", "matched"],
            "(SELECT s.case_id FROM sources s WHERE s.id = R.source_id)", "R.subtopic_id")
        + _history_triggers(
            "summaries", ["case_id", "subtopic_id"],
            ["case_id", "subtopic_id", "text", "state", "author", "updated_at",
             "evidence_hash", "evidence", "origin", "accepted_by", "accepted_at"],
            "R.case_id", "R.subtopic_id")
        + _history_triggers(
            "summary_links", ["case_id", "subtopic_id", "source_id", "segment"],
            ["case_id", "subtopic_id", "source_id", "segment", "position", "start", "end"],
            "R.case_id", "R.subtopic_id")
        + _history_triggers(
            "sources", ["id"], ["id", "case_id", "name", "path", "format", "sha256"],
            "R.case_id", "NULL"),
    ),
    (
        "0013_inputs",
        """
        -- The hand-written files that fqda run applies (cases.csv, the codebook,
        -- codings.csv, summaries.csv): what each held when it was last applied,
        -- so a run applies only what changed in the file since, and can tell a
        -- change in the file from one the researcher made in the study since
        -- (history after action_id).
        CREATE TABLE inputs (
            path      TEXT PRIMARY KEY,          -- relative to the study folder
            sha256    TEXT NOT NULL,
            rows      TEXT NOT NULL DEFAULT '{}', -- JSON: row key -> row, as applied
            action_id INTEGER NOT NULL DEFAULT 0, -- the newest action when applied
            applied_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0014_names",
        """
        -- The names register: real names and phrases and the pseudonyms that
        -- replace them in shared outputs.  It lives in the store, inside .fqda/,
        -- which is never exported; a case's own entries apply to its text only.
        CREATE TABLE names (
            real      TEXT NOT NULL,              -- as found or typed
            case_id   TEXT NOT NULL DEFAULT '',   -- '' for every case
            pseudonym TEXT NOT NULL,
            kind      TEXT NOT NULL DEFAULT 'name', -- name, speaker, attribute, email, ...
            status    TEXT NOT NULL DEFAULT 'candidate', -- candidate | accepted | rejected
            count     INTEGER NOT NULL DEFAULT 0,
            refs      TEXT NOT NULL DEFAULT '[]', -- JSON: where the scan found it
            PRIMARY KEY (real, case_id)
        ) WITHOUT ROWID;
        """
        + _history_triggers(
            "names", ["real", "case_id"],
            ["real", "case_id", "pseudonym", "kind", "status", "count", "refs"],
            "NULLIF(R.case_id, '')", "NULL"),
    ),
    (
        "0015_coder_layers",
        """
        -- Several coders may code the same span to the same sub-topic: each coder's
        -- codings are a layer of their own (agreement compares them), so a coding
        -- is unique per coder.  The table is rebuilt with the same ids, so the
        -- history's row keys still name the same codings.
        CREATE TABLE codings_layered (
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
            matched     TEXT NOT NULL DEFAULT '',
            CHECK (start >= 0 AND "end" > start),
            UNIQUE (source_id, start, "end", subtopic_id, coder)
        );
        INSERT INTO codings_layered (id, source_id, start, "end", subtopic_id, coder, origin,
                                     status, created_at, memo, text_hash, matched)
            SELECT id, source_id, start, "end", subtopic_id, coder, origin, status,
                   created_at, memo, text_hash, matched FROM codings;
        DROP TABLE codings;
        ALTER TABLE codings_layered RENAME TO codings;
        CREATE INDEX codings_subtopic ON codings(subtopic_id, status);
        CREATE INDEX codings_cells ON codings(source_id, subtopic_id, status);
        CREATE INDEX codings_coder ON codings(coder, status);
        """
        + _history_triggers(
            "codings", ["id"],
            ["id", "source_id", "start", "end", "subtopic_id", "coder", "origin", "status",
             "created_at", "memo", "text_hash", "matched"],
            "(SELECT s.case_id FROM sources s WHERE s.id = R.source_id)", "R.subtopic_id"),
    ),
    (
        "0016_exchange",
        """
        -- REFI-QDA project exchange: the GUIDs a project gave the study's things
        -- (so a study imported from NVivo is exported with NVivo's GUIDs), and
        -- the notes (memos) a project carries that are neither a coding's memo
        -- nor a summary: notes on a source (source_id, and start/end for a
        -- passage) or on the project (source_id NULL).
        CREATE TABLE exchange_guids (
            kind TEXT NOT NULL,   -- source, case, coding, selection, user, variable
            key  TEXT NOT NULL,   -- the source or coding id, case id, coder or variable name
            guid TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE TRIGGER exchange_coding_gone AFTER DELETE ON codings BEGIN
            DELETE FROM exchange_guids WHERE kind IN ('coding', 'selection')
                AND key = CAST(OLD.id AS TEXT);
        END;
        CREATE TRIGGER exchange_source_gone AFTER DELETE ON sources BEGIN
            DELETE FROM exchange_guids WHERE kind = 'source' AND key = CAST(OLD.id AS TEXT);
        END;
        CREATE TABLE notes (
            guid       TEXT PRIMARY KEY,
            source_id  INTEGER REFERENCES sources(id) ON DELETE CASCADE,
            start      INTEGER,
            "end"      INTEGER,
            name       TEXT NOT NULL DEFAULT '',
            text       TEXT NOT NULL DEFAULT '',
            author     TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL DEFAULT ''
        );
        """,
    ),
    (
        "0017_exchange_history",
        """
        -- The notes (memos) a project brought are researcher work: each import,
        -- change and removal of one is history, so it can be reviewed and undone.
        -- Sets (ATLAS.ti's code and document groups, NVivo's sets) a project
        -- carried are kept too, with their members as the project's GUIDs
        -- (JSON [[kind, guid]], kind code, source or note), so an export writes
        -- them back.
        CREATE TABLE sets (
            guid        TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            members     TEXT NOT NULL DEFAULT '[]'
        );
        """
        + _history_triggers(
            "notes", ["guid"],
            ["guid", "source_id", "start", "end", "name", "text", "author", "created_at"],
            "(SELECT s.case_id FROM sources s WHERE s.id = R.source_id)", "NULL")
        + _history_triggers(
            "sets", ["guid"], ["guid", "name", "description", "members"], "NULL", "NULL"),
    ),
    (
        "0018_summary_versions",
        """
        -- Several coders may summarise the same cell.  The cell's summary (the one
        -- matrices, exports and charting show) stays in summaries; every other
        -- coder's version of it is kept here, one per coder: what a merge brought
        -- from another copy where this study's cell holds a different summary,
        -- and a coder's summary that a consensus summary replaced.
        CREATE TABLE summary_versions (
            case_id     TEXT NOT NULL REFERENCES cases(id),
            subtopic_id INTEGER NOT NULL REFERENCES subtopics(id),
            coder       TEXT NOT NULL,
            text        TEXT NOT NULL DEFAULT '',
            state       TEXT NOT NULL,            -- summarised | not-applicable
            author      TEXT NOT NULL DEFAULT '',
            updated_at  TEXT NOT NULL,
            origin      TEXT NOT NULL DEFAULT 'human',
            accepted_by TEXT NOT NULL DEFAULT '',
            came_from   TEXT NOT NULL DEFAULT '', -- merge of a copy, or replaced by consensus
            PRIMARY KEY (case_id, subtopic_id, coder)
        ) WITHOUT ROWID;
        CREATE INDEX summary_versions_subtopic ON summary_versions(subtopic_id);
        """
        + _history_triggers(
            "summary_versions", ["case_id", "subtopic_id", "coder"],
            ["case_id", "subtopic_id", "coder", "text", "state", "author", "updated_at",
             "origin", "accepted_by", "came_from"],
            "R.case_id", "R.subtopic_id"),
    ),
    (
        "0019_blind_coders",
        """
        -- On PostgreSQL this migration has the server keep a blind coder's hands
        -- off other coders' layers (row triggers on the coder's role).  A study
        -- in its own file is one researcher's, or a copy each coder holds: there
        -- blinding is what the store reads (store/layers.py); nothing changes.
        """,
    ),
    (
        "0020_blind_summaries",
        """
        -- On PostgreSQL: a blind coder's role may add, change or remove only its
        -- own summaries (and unaccepted drafts).  Nothing changes in a file.
        """,
    ),
]
