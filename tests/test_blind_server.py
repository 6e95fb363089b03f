"""Blind coding on a shared PostgreSQL server: the server, not the client, keeps a
blind coder's connection off other coders' layers (store/postgres/triggers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from _cli import fqda

from framework_qda.store import open_store
from tests._optional import postgresql_server

pytestmark = pytest.mark.needs("postgresql")


def as_role(address: str, role: str) -> str:
    parts = urlsplit(address)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, ""))


@pytest.fixture
def team(ran: Path) -> Iterator[dict[str, str]]:
    """The example study on the server, made by its lead (the server's own role), with
    coders ana and ben granted it and both blinded; each one's address."""
    server = postgresql_server()
    assert server is not None
    schema = f"t_blind_{uuid.uuid4().hex[:10]}"
    lead = f"{server}?schema={schema}"
    with psycopg.connect(server, autocommit=True) as conn:
        for role in ("ana", "ben"):
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() \
                    is None:
                conn.execute(f"CREATE ROLE {role} LOGIN")
    assert fqda("store", "copy", "--to", lead, "--study", ran)[0] == 0
    env = {"FQDA_STORE": lead}
    assert fqda("store", "grant", "ana", "ben", "--study", ran, env=env)[0] == 0
    for coder in ("ana", "ben"):
        assert fqda("blind", "on", "--coder", coder, "--study", ran, env=env)[0] == 0
    yield {"lead": lead, "ana": as_role(lead, "ana"), "ben": as_role(lead, "ben"),
           "root": str(ran)}
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def code(team: dict[str, str], who: str, ref: str, coder: str | None = None
         ) -> tuple[int, str, str]:
    return fqda("code", ref, "1.1", "--coder", coder or who, "--study", team["root"],
                coder=who, env={"FQDA_STORE": team[who]})


def test_a_blind_coder_codes_in_their_own_layer_and_cannot_touch_another(
        team: dict[str, str]) -> None:
    assert code(team, "ana", "P2:3")[0] == 0
    assert code(team, "ben", "P3:3")[0] == 0
    # the client asking to code as someone else is refused by the server, in one line
    status, out, err = code(team, "ana", "P2:1", coder="ben")
    assert status == 1 and err.startswith("error: the study's server refused this change")
    assert "may change only their own layer, not ben's" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    # a connection of ana's own, past the client: ben's rows are not hers to change
    ana = open_store("", team["ana"])
    for sql in ("UPDATE codings SET memo = 'mine now' WHERE coder = 'ben'",
                "DELETE FROM codings WHERE coder = 'ben'",
                "UPDATE codings SET coder = 'ben' WHERE coder = 'ana'",
                "UPDATE study_meta SET value = 'off' WHERE key = 'blind:ana'"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), ana.atomic():
            ana.conn.execute(sql)
    with ana.atomic():  # her own rows are hers
        assert ana.conn.execute(
            "UPDATE codings SET memo = 'checked' WHERE coder = 'ana'").rowcount == 1
    ana.close()
    lead = open_store("", team["lead"])
    mine = [(c.coder, c.memo) for c in lead.codings() if c.coder in ("ana", "ben")]
    assert sorted(mine) == [("ana", "checked"), ("ben", "")]
    assert lead.blind_coders() == ["ana", "ben"]
    lead.close()


def test_a_change_across_layers_by_a_blind_coder_is_refused_whole(
        team: dict[str, str]) -> None:
    """A re-ingest moves every coder's codings with the text: a blind coder's may not
    move ben's, so none of it happens (never ana's half of it)."""
    assert code(team, "ana", "P2:3")[0] == 0
    assert code(team, "ben", "P2:4")[0] == 0
    lead = open_store("", team["lead"])
    before = sorted((c.coder, c.start, c.end) for c in lead.codings())
    lead.close()
    path = Path(team["root"]) / "transcripts" / "P2.txt"
    path.write_text("Interviewer: A new first question?\n\nSam: Yes.\n\n"
                    + path.read_text(encoding="utf-8"), encoding="utf-8")
    status, out, err = fqda("ingest", path, "--study", team["root"], coder="ana",
                            env={"FQDA_STORE": team["ana"]})
    assert status == 1 and "may change only their own layer" in err + out
    lead = open_store("", team["lead"])
    assert sorted((c.coder, c.start, c.end) for c in lead.codings()) == before
    lead.close()
    # the lead re-ingests it, and everyone's codings move with their words
    assert fqda("ingest", path, "--study", team["root"],
                env={"FQDA_STORE": team["lead"]})[0] == 0


def test_only_the_lead_turns_blinding_off_and_then_the_team_shares_one_layer_set(
        team: dict[str, str]) -> None:
    assert code(team, "ben", "P3:3")[0] == 0
    status, _, err = fqda("blind", "off", "--coder", "ana", "--study", team["root"],
                          coder="ana", env={"FQDA_STORE": team["ana"]})
    assert status == 1 and "only the study's lead can turn blinding on or off" in err
    lead = open_store("", team["lead"])
    assert lead.blind_coders() == ["ana", "ben"]
    lead.close()
    env = {"FQDA_STORE": team["lead"]}
    assert fqda("blind", "off", "--coder", "ana", "--study", team["root"], env=env)[0] == 0
    ana = open_store("", team["ana"])
    with ana.atomic():
        assert ana.conn.execute(
            "UPDATE codings SET memo = 'checked' WHERE coder = 'ben'").rowcount == 1
    ana.close()


def test_a_grant_naming_an_unknown_role_grants_no_one(ran: Path) -> None:
    server = postgresql_server()
    assert server is not None
    schema = f"t_grant_{uuid.uuid4().hex[:10]}"
    env = {"FQDA_STORE": f"{server}?schema={schema}"}
    try:
        with psycopg.connect(server, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'ana'").fetchone() is None:
                conn.execute("CREATE ROLE ana LOGIN")
        code, out, err = fqda("store", "grant", "ana", "no_such_coder", "--study", ran, env=env)
        assert code == 1 and out == ""
        assert "cannot grant 'no_such_coder'" in err and "no role was granted it" in err
        with psycopg.connect(server, autocommit=True) as conn:
            (usage,) = conn.execute("SELECT has_schema_privilege('ana', %s, 'USAGE')",
                                    (schema,)).fetchone()
        assert usage is False
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def chart(team: dict[str, str], who: str, case: str, text: str, *extra: str
          ) -> tuple[int, str, str]:
    return fqda("chart", "edit", case, "1.1", "--text", text, *extra, "--study", team["root"],
                coder=who, env={"FQDA_STORE": team[who]})


def test_a_blind_coder_cannot_write_over_or_remove_another_coders_summary(
        team: dict[str, str]) -> None:
    assert chart(team, "ben", "P3", "Ben's reading of the handover [P3:3].")[0] == 0
    assert chart(team, "ana", "P2", "Ana's reading [P2:3].")[0] == 0
    lead = open_store("", team["lead"])
    sid = lead.subtopic_ids()["1.1"]
    lead.close()
    ana = open_store("", team["ana"])
    for sql, args in (
            ("UPDATE summaries SET text = 'mine now' WHERE author = 'ben'", ()),
            ("DELETE FROM summaries WHERE author = 'ben'", ()),
            ("UPDATE summaries SET author = 'ben' WHERE author = 'ana'", ()),
            ("INSERT INTO summaries (case_id, subtopic_id, text, state, author, updated_at)"
             " VALUES ('P1', ?, 'in ben''s name', 'summarised', 'ben', 'now')", (sid,))):
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused, ana.atomic():
            ana.conn.execute(sql, args)
        assert "blind coder ana may change only their own summaries" in str(refused.value)
    with ana.atomic():  # her own summary is hers to change
        assert ana.conn.execute(
            "UPDATE summaries SET text = 'Ana, revised [P2:3].' WHERE author = 'ana'"
        ).rowcount == 1
    ana.close()
    status, _, err = chart(team, "ana", "P3", "Ana over Ben [P3:3].", "--replace")
    assert status == 1 and err.startswith("error: the study's server refused this change")
    lead = open_store("", team["lead"])
    kept = {(k, s.author, s.text) for k, s in lead.summaries().items() if k[1] == "1.1"
            and s.author in ("ana", "ben")}
    lead.close()
    assert kept == {(("P3", "1.1"), "ben", "Ben's reading of the handover [P3:3]."),
                    (("P2", "1.1"), "ana", "Ana, revised [P2:3].")}


def test_a_blind_coder_drafts_and_accepts_drafts_on_the_server(team: dict[str, str]) -> None:
    """Drafts are no one's until accepted: a blind coder may make them and accept one,
    which then is theirs (and no longer another blind coder's to change)."""
    env = {"FQDA_STORE": team["ana"]}
    assert code(team, "ana", "P2:3")[0] == 0
    status, out, err = fqda("chart", "draft", "--case", "P2", "--study", team["root"],
                            coder="ana", env=env)
    assert status == 0, err
    assert fqda("chart", "accept", "P2", "--study", team["root"], coder="ana", env=env)[0] == 0
    lead = open_store("", team["lead"])
    accepted = [s for k, s in lead.summaries().items() if k[0] == "P2" and s.accepted_by]
    lead.close()
    assert accepted and {s.accepted_by for s in accepted} == {"ana"}
    ben = open_store("", team["ben"])
    with pytest.raises(psycopg.errors.InsufficientPrivilege), ben.atomic():
        ben.conn.execute("UPDATE summaries SET text = 'ben was here' WHERE accepted_by = 'ana'")
    ben.close()
