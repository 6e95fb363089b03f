"""The PostgreSQL migrations from ``0012_history`` on, named and doing as SQLite's
(:mod:`framework_qda.store.history_schema`): the history's tables and triggers,
and the tables of inputs, names, coders' layers, exchange and summary versions."""

from __future__ import annotations

from framework_qda.store.postgres.triggers import blind_coders, blind_summaries, history, next_id

_CODING_COLUMNS = ["id", "source_id", "start", "end", "subtopic_id", "coder", "origin",
                   "status", "created_at", "memo", "text_hash", "matched"]
_CODING_CASE = "(SELECT s.case_id FROM sources s WHERE s.id = R.source_id)"

HISTORY_MIGRATIONS: list[tuple[str, str]] = [
    (
        "0012_history",
        """
        CREATE TABLE actions (
            id      BIGINT PRIMARY KEY,
            at      TEXT NOT NULL,
            who     TEXT NOT NULL DEFAULT '',
            command TEXT NOT NULL DEFAULT '',
            undoes  BIGINT
        );
        CREATE INDEX actions_undoes ON actions(undoes);
        CREATE TABLE changes (
            id          BIGINT PRIMARY KEY,
            action_id   BIGINT NOT NULL,
            tbl         TEXT NOT NULL,
            row_key     TEXT NOT NULL,
            case_id     TEXT,
            subtopic_id BIGINT,
            before      TEXT,
            after       TEXT
        );
        CREATE INDEX changes_action ON changes(action_id);
        CREATE INDEX changes_row ON changes(tbl, row_key);
        CREATE INDEX changes_case ON changes(case_id, subtopic_id);
        """
        + next_id("actions") + next_id("changes")
        + history("cases", ["id"], ["id", "grp", "position", "attributes"], "R.id", "NULL")
        + history("themes", ["id"], ["id", "code", "label", "definition", "guid", "position"],
                  "NULL", "NULL")
        + history("subtopics", ["id"],
                  ["id", "theme_id", "code", "label", "definition", "include", "exclude",
                   "example", "keywords", "patterns", "guid", "position"], "NULL", "R.id")
        + history("codings", ["id"], _CODING_COLUMNS, _CODING_CASE, "R.subtopic_id")
        + history("summaries", ["case_id", "subtopic_id"],
                  ["case_id", "subtopic_id", "text", "state", "author", "updated_at",
                   "evidence_hash", "evidence", "origin", "accepted_by", "accepted_at"],
                  "R.case_id", "R.subtopic_id")
        + history("summary_links", ["case_id", "subtopic_id", "source_id", "segment"],
                  ["case_id", "subtopic_id", "source_id", "segment", "position", "start",
                   "end"], "R.case_id", "R.subtopic_id")
        + history("sources", ["id"], ["id", "case_id", "name", "path", "format", "sha256"],
                  "R.case_id", "NULL"),
    ),
    (
        "0013_inputs",
        """
        CREATE TABLE inputs (
            path       TEXT PRIMARY KEY,
            sha256     TEXT NOT NULL,
            rows       TEXT NOT NULL DEFAULT '{}',
            action_id  BIGINT NOT NULL DEFAULT 0,
            applied_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0014_names",
        """
        CREATE TABLE names (
            real      TEXT NOT NULL,
            case_id   TEXT NOT NULL DEFAULT '',
            pseudonym TEXT NOT NULL,
            kind      TEXT NOT NULL DEFAULT 'name',
            status    TEXT NOT NULL DEFAULT 'candidate',
            count     INTEGER NOT NULL DEFAULT 0,
            refs      TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (real, case_id)
        );
        """
        + history("names", ["real", "case_id"],
                  ["real", "case_id", "pseudonym", "kind", "status", "count", "refs"],
                  "NULLIF(R.case_id, '')", "NULL"),
    ),
    (
        "0015_coder_layers",
        """
        ALTER TABLE codings DROP CONSTRAINT codings_span;
        ALTER TABLE codings ADD CONSTRAINT codings_span_coder
            UNIQUE (source_id, start, "end", subtopic_id, coder);
        CREATE INDEX codings_coder ON codings(coder, status);
        """,
    ),
    (
        "0016_exchange",
        """
        CREATE TABLE exchange_guids (
            kind TEXT NOT NULL,
            key  TEXT NOT NULL,
            guid TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE FUNCTION exchange_coding_gone() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            DELETE FROM exchange_guids WHERE kind IN ('coding', 'selection')
                AND key = CAST(OLD.id AS TEXT);
            RETURN NULL;
        END $f$;
        CREATE TRIGGER exchange_coding_gone AFTER DELETE ON codings
            FOR EACH ROW EXECUTE FUNCTION exchange_coding_gone();
        CREATE FUNCTION exchange_source_gone() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            DELETE FROM exchange_guids WHERE kind = 'source' AND key = CAST(OLD.id AS TEXT);
            RETURN NULL;
        END $f$;
        CREATE TRIGGER exchange_source_gone AFTER DELETE ON sources
            FOR EACH ROW EXECUTE FUNCTION exchange_source_gone();
        CREATE TABLE notes (
            guid       TEXT PRIMARY KEY,
            source_id  BIGINT REFERENCES sources(id) ON DELETE CASCADE DEFERRABLE,
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
        CREATE TABLE sets (
            guid        TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            members     TEXT NOT NULL DEFAULT '[]',
            rowid       BIGSERIAL                 -- the order sets came in (SQLite's rowid)
        );
        """
        + history("notes", ["guid"],
                  ["guid", "source_id", "start", "end", "name", "text", "author", "created_at"],
                  _CODING_CASE, "NULL")
        + history("sets", ["guid"], ["guid", "name", "description", "members"], "NULL", "NULL"),
    ),
    (
        "0018_summary_versions",
        """
        CREATE TABLE summary_versions (
            case_id     TEXT NOT NULL REFERENCES cases(id) DEFERRABLE,
            subtopic_id BIGINT NOT NULL REFERENCES subtopics(id) DEFERRABLE,
            coder       TEXT NOT NULL,
            text        TEXT NOT NULL DEFAULT '',
            state       TEXT NOT NULL,
            author      TEXT NOT NULL DEFAULT '',
            updated_at  TEXT NOT NULL,
            origin      TEXT NOT NULL DEFAULT 'human',
            accepted_by TEXT NOT NULL DEFAULT '',
            came_from   TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (case_id, subtopic_id, coder)
        );
        CREATE INDEX summary_versions_subtopic ON summary_versions(subtopic_id);
        """
        + history("summary_versions", ["case_id", "subtopic_id", "coder"],
                  ["case_id", "subtopic_id", "coder", "text", "state", "author", "updated_at",
                   "origin", "accepted_by", "came_from"], "R.case_id", "R.subtopic_id"),
    ),
    ("0019_blind_coders", blind_coders(("codings", "summary_versions", "coding_sessions"))),
    # The name a machine draft is written under (charting.DRAFT_AUTHOR), written
    # out: a shipped migration never changes with the code around it.
    ("0020_blind_summaries", blind_summaries("fqda draft")),
]
