"""A study moved between its SQLite file and a PostgreSQL server (``fqda store
copy``), and the one-line answers when a store's address is wrong."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli import fqda

import framework_qda as fq
from framework_qda.store import open_store
from tests._optional import postgresql_server


@pytest.fixture
def schema() -> Iterator[str]:
    """The address of a new, empty schema on the test server, dropped afterwards."""
    server = postgresql_server()
    if server is None:
        pytest.skip("no PostgreSQL server")
    name = f"t_copy_{uuid.uuid4().hex[:10]}"
    yield f"{server}?schema={name}"
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def theme(root: Path, address: str = "") -> str:
    code, out, err = fqda("theme", "2", "--format", "csv", "--study", root,
                          env={"FQDA_STORE": address} if address else None)
    assert code == 0, err
    return out


@pytest.mark.needs("postgresql")
def test_a_study_copied_to_the_server_and_back_is_the_same_study(ran: Path, schema: str,
                                                                 tmp_path: Path) -> None:
    code, out, err = fqda("store", "copy", "--to", schema, "--study", ran)
    assert code == 0, err
    assert out.startswith("copied ") and "(schema t_copy_" in out.splitlines()[0]
    assert "codings" in out and "changes" in out
    here = open_store(ran / ".fqda" / "study.db")
    there = open_store("", schema)
    assert there.dump() == here.dump()
    # what a researcher reads off it is the same on the server: matrices, searches
    assert theme(ran, schema) == theme(ran)
    for words in ("handovers", "nurse*", '"the sheet"', "sheet OR nights", "handover NOT ward",
                  "hardly", "the", "two nurses short"):
        on_file = fqda("search", words, "--format", "json", "--study", ran)
        on_server = fqda("search", words, "--format", "json", "--study", ran,
                         env={"FQDA_STORE": schema})
        assert on_server == on_file and on_file[0] == 0, words
    # the history came too: the server's study can undo what was done on the laptop
    with fq.open_study(ran) as s:
        last = s.history()[0]
    code, out, err = fqda("history", "--format", "json", "--study", ran,
                          env={"FQDA_STORE": schema})
    assert code == 0 and f'"id": {last.id}' in out, err
    # and back, into a new file
    back = tmp_path / "back" / "study.db"
    code, out, err = fqda("store", "copy", "--to", back, "--study", ran,
                          env={"FQDA_STORE": schema})
    assert code == 0, err
    assert open_store(back).dump() == here.dump()
    here.close()
    there.close()


@pytest.mark.needs("postgresql")
def test_a_copy_reads_and_writes_in_batches_and_keeps_every_row(
        ran: Path, schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big study is never read whole into memory: each table goes in batches (of
    two rows here, so most tables of the example span several), and a table
    spanning batches, the history's among them, arrives whole."""
    from framework_qda.store import transfer

    monkeypatch.setattr(transfer, "COPY_BATCH", 2)
    here = open_store(ran / ".fqda" / "study.db")
    assert len(here.dump()["actions"]) > 3 * 2
    assert fqda("store", "copy", "--to", schema, "--study", ran)[0] == 0
    assert open_store("", schema).dump() == here.dump()
    back = tmp_path / "back.db"
    assert fqda("store", "copy", "--to", back, "--study", ran,
                env={"FQDA_STORE": schema})[0] == 0
    assert open_store(back).dump() == here.dump()


@pytest.mark.needs("postgresql")
def test_a_copy_into_a_store_that_holds_a_study_is_refused_and_changes_nothing(
        ran: Path, schema: str) -> None:
    assert fqda("store", "copy", "--to", schema, "--study", ran)[0] == 0
    before = open_store("", schema).dump()
    code, out, err = fqda("store", "copy", "--to", schema, "--study", ran)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "already holds a study" in err
    assert len(err.strip().splitlines()) == 1
    assert open_store("", schema).dump() == before


@pytest.mark.parametrize(("address", "said"), [
    ("postgresql://127.0.0.1/db", "names the study's schema"),
    ("postgresql://127.0.0.1/db?schema=Bad-Name", "names the study's schema"),
    ("mysql://127.0.0.1/db?schema=s", "is not a store fqda knows"),
    ("postgresql://127.0.0.1:1/db?schema=s", "cannot reach the study's server"),
])
def test_a_wrong_store_address_is_one_line(ran: Path, address: str, said: str) -> None:
    code, out, err = fqda("status", "--study", ran, env={"FQDA_STORE": address})
    assert code == 1 and out == ""
    assert err.startswith("error: ") and said in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_password_in_the_study_folder_is_refused(ran: Path) -> None:
    settings = ran / "fqda.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "store: postgresql://ana:secret@db.example.org/qda?schema=s\n",
                        encoding="utf-8")
    code, out, err = fqda("status", "--study", ran)
    assert code == 1
    assert "a password does not belong in the study folder" in err
    assert "secret" not in err


@pytest.mark.needs("postgresql")
def test_a_study_is_never_copied_into_the_store_it_is_in(ran: Path, schema: str) -> None:
    code, _, err = fqda("store", "copy", "--to", ran / ".fqda" / "study.db", "--study", ran)
    assert code == 1 and "the store this study is in already" in err
    assert fqda("store", "copy", "--to", schema, "--study", ran)[0] == 0
    code, _, err = fqda("store", "copy", "--to", schema.replace("://", "://someone@", 1)
                        if "@" not in schema else schema, "--study", ran,
                        env={"FQDA_STORE": schema})
    assert code == 1 and "the store this study is in already" in err


@pytest.mark.needs("postgresql")
def test_a_coders_copy_merges_into_a_study_on_the_server(ran: Path, schema: str,
                                                         tmp_path: Path) -> None:
    """A coder who coded offline, in a copy of the folder, merges it into the team's
    study on the server; agreement there is what it is on the study's own file."""
    import shutil

    copy, lone = tmp_path / "jk", tmp_path / "lone"
    shutil.copytree(ran, copy)
    shutil.copytree(ran, lone)
    assert fqda("code", "P1:3", "2.2", "--coder", "jk", "--study", copy)[0] == 0
    assert fqda("store", "copy", "--to", schema, "--study", ran)[0] == 0
    env = {"FQDA_STORE": schema}
    figures = []
    for root, where in ((ran, env), (lone, None)):
        code, out, err = fqda("merge", copy, "--coder", "jk", "--study", root, env=where)
        assert code == 0, err
        code, out, err = fqda("agreement", "--coders", "hb,jk", "--format", "json",
                              "--study", root, env=where)
        assert code == 0 and '"kappa"' in out, err
        figures.append(out)
    assert figures[0] == figures[1]
    on_server = open_store("", schema)
    assert any(c.coder == "jk" for c in on_server.codings())
    on_server.close()
