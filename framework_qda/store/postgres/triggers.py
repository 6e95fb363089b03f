"""What SQLite does by itself that a PostgreSQL schema is told: give a new row the
next id, and copy every change of a recorded table's rows into the history.

Both write PL/pgSQL for :mod:`framework_qda.store.postgres.schema`, whose
migrations call them with their own literal column lists, so what a shipped
migration creates never changes.
"""

from __future__ import annotations


def next_id(table: str) -> str:
    """A new row of ``table`` without an id gets the highest id plus one, as a
    SQLite ``INTEGER PRIMARY KEY`` does: ids stay those SQLite would give, so a
    study moves between the backends with the same ids (writers are serialised by
    the study's lock, so two never take the same one)."""
    return f"""
        CREATE OR REPLACE FUNCTION {table}_next_id() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            IF NEW.id IS NULL THEN
                NEW.id := (SELECT COALESCE(MAX(id), 0) + 1 FROM {table});
            END IF;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER {table}_next_id BEFORE INSERT ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_next_id();
    """


def history(table: str, key: list[str], columns: list[str], case_sql: str,
            subtopic_sql: str) -> str:
    """A trigger that copies every change of ``table``'s rows into ``changes``,
    filed under the newest action (the running one: the store opens one at the
    start of every outermost transaction, under the study's write lock).

    ``case_sql`` and ``subtopic_sql`` (written with ``R.`` for the row) say which
    case and sub-topic a change concerns.  The row copies are JSON objects of the
    listed columns, as on SQLite; an update that changes none of them leaves no
    trace."""

    def obj(row: str) -> str:
        return "json_build_object(" + ", ".join(f"'{c}', {row}.\"{c}\"" for c in columns) + ")"

    # The key is written as SQLite's json_array() writes it (no spaces), since
    # the history finds a row's changes by comparing the key's text.
    parts = ", ".join(f'to_json(r."{c}")::text' for c in key)
    keyed = f"'[' || concat_ws(',', {parts}) || ']'"
    return f"""
        CREATE OR REPLACE FUNCTION history_{table}() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE
            r record;
            b text;
            a text;
        BEGIN
            IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
            IF TG_OP <> 'INSERT' THEN b := {obj("OLD")}::text; END IF;
            IF TG_OP <> 'DELETE' THEN a := {obj("NEW")}::text; END IF;
            IF TG_OP = 'UPDATE' AND b::jsonb = a::jsonb THEN RETURN NULL; END IF;
            INSERT INTO changes (action_id, tbl, row_key, case_id, subtopic_id, before, after)
            VALUES ((SELECT COALESCE(MAX(id), 0) FROM actions), '{table}', {keyed},
                    {case_sql.replace("R.", "r.")}, {subtopic_sql.replace("R.", "r.")}, b, a);
            RETURN NULL;
        END $f$;
        CREATE TRIGGER history_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION history_{table}();
    """


def blind_coders(layered: tuple[str, ...]) -> str:
    """The server keeps a blind coder to their own layer.

    Each coder connects as their own role, named as they code.  While the study
    blinds a coder (``blind:<coder>`` in ``study_meta``), that coder's connection
    may add, change and remove rows of the ``layered`` tables only in its own
    layer (``coder`` = its role): anything else raises, so the whole change is
    refused and rolled back, whatever the client sent.  Only the study's owner
    (the role that made it, or a member of it) may turn blinding on or off.

    Row triggers, not row-level security policies: a policy hides the rows it
    refuses from an UPDATE or DELETE without an error, so a change that spans
    layers (a re-ingest moving every coder's codings with the text, a sub-topic
    merged) would be half done.  The functions keep the schema they were made
    in, so a connection that points its search path elsewhere cannot stand
    another ``study_meta`` in.
    """
    out = """
        CREATE FUNCTION fqda_blinded() RETURNS boolean LANGUAGE sql STABLE
            SET search_path FROM CURRENT AS $f$
            SELECT EXISTS (SELECT 1 FROM study_meta
                           WHERE key = 'blind:' || session_user AND value = 'on')
        $f$;
        CREATE FUNCTION fqda_lead() RETURNS boolean LANGUAGE sql STABLE
            SET search_path FROM CURRENT AS $f$
            SELECT pg_has_role(session_user, (SELECT relowner FROM pg_class
                                               WHERE oid = 'study_meta'::regclass), 'MEMBER')
        $f$;
        CREATE FUNCTION fqda_own_layer() RETURNS trigger LANGUAGE plpgsql
            SET search_path FROM CURRENT AS $f$
        BEGIN
            IF fqda_blinded() AND ((TG_OP <> 'INSERT' AND OLD.coder <> session_user)
                                   OR (TG_OP <> 'DELETE' AND NEW.coder <> session_user)) THEN
                RAISE EXCEPTION 'blind coder % may change only their own layer, not %''s',
                    session_user, CASE WHEN TG_OP = 'INSERT' THEN NEW.coder ELSE OLD.coder END
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $f$;
        CREATE FUNCTION fqda_blinding_by_lead() RETURNS trigger LANGUAGE plpgsql
            SET search_path FROM CURRENT AS $f$
        BEGIN
            IF ((TG_OP <> 'INSERT' AND OLD.key LIKE 'blind:%')
                OR (TG_OP <> 'DELETE' AND NEW.key LIKE 'blind:%')) AND NOT fqda_lead() THEN
                RAISE EXCEPTION 'only the study''s lead can turn blinding on or off'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER study_meta_blinding BEFORE INSERT OR UPDATE OR DELETE ON study_meta
            FOR EACH ROW EXECUTE FUNCTION fqda_blinding_by_lead();
    """
    for table in layered:
        out += f"""
        CREATE TRIGGER {table}_own_layer BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION fqda_own_layer();
        """
    return out


def blind_summaries(draft_author: str) -> str:
    """The server keeps a blind coder to their own summaries too.

    A cell's summary is one row shared by the team (``summaries``), written by
    whoever charted it last; a blind coder's connection may add one only in
    their own name (or a machine draft's, ``draft_author``), and change or
    remove only one that is theirs (they wrote or accepted it) or a draft no
    one has accepted.  The library never tries more: before it writes over
    another coder's summary it keeps that summary as the other coder's version,
    which migration 0019 already refuses a blind coder.  This refuses it at the
    row itself, whatever the client sends.
    """
    draft = "'" + draft_author.replace("'", "''") + "'"
    return f"""
        CREATE FUNCTION fqda_own_summary() RETURNS trigger LANGUAGE plpgsql
            SET search_path FROM CURRENT AS $f$
        BEGIN
            IF fqda_blinded() AND (
                (TG_OP <> 'INSERT' AND NOT (session_user IN (OLD.author, OLD.accepted_by)
                    OR (OLD.state = 'draft' AND OLD.author = {draft}
                        AND OLD.accepted_by = '')))
                OR (TG_OP <> 'DELETE' AND (NEW.author NOT IN (session_user, {draft})
                    OR NEW.accepted_by NOT IN ('', session_user)))) THEN
                RAISE EXCEPTION 'blind coder % may change only their own summaries, not %''s',
                    session_user, CASE WHEN TG_OP = 'INSERT' THEN NEW.author
                                       ELSE OLD.author END
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER summaries_own_summary BEFORE INSERT OR UPDATE OR DELETE ON summaries
            FOR EACH ROW EXECUTE FUNCTION fqda_own_summary();
    """
