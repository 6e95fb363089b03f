"""Every command line the documentation shows runs, and prints what it should.

The README's command lines (the tour and every other ``sh`` block) run in
order on a copy of the bundled example study, as a researcher following the
tour would; each ``Example:`` line of a command's ``--help`` runs on a fresh
copy of the example study after ``fqda run``.  Each line's output is checked
against :data:`EXPECT`, and every command the app registers must have an
example here that ran: a command added without one fails this test.
"""

from __future__ import annotations

import inspect
import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from framework_qda.cli import app
from tests.conftest import REPO, copy_example

runner = CliRunner()
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
TEAM = re.compile(r"```sh team\n(.*?)```", re.S)
"""The README's team set-up, run on the test server (not on the example study's file)."""
EXAMPLE = re.compile(r"^\s*Example: (fqda .*?)(?:\s{2,}\(.*)?$", re.M)


def readme_lines() -> list[str]:
    """Each ``fqda`` command line of the README's shell blocks, comments removed."""
    found = []
    for block in BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8")):
        for line in block.splitlines():
            line = line.removeprefix("$ ")
            if not line.startswith("fqda "):
                continue  # output shown after a `$ fqda` line, or `make …`
            words = shlex.split(line, comments=True)
            command: list[str] = []
            for word in [*words, "&&"]:
                if word == "&&":
                    if command and command[0] == "fqda":
                        found.append(shlex.join(command))
                    command = []
                else:
                    command.append(word)
    return found


def commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], object]]:
    """Every registered command: its words after ``fqda``, and its function."""
    for c in group.registered_commands:
        assert c.callback is not None
        name = c.name or typer.main.get_command_name(c.callback.__name__)
        yield (*prefix, name), c.callback
    for g in group.registered_groups:
        assert g.typer_instance is not None and g.name
        yield from commands(g.typer_instance, (*prefix, g.name))


def help_examples() -> list[tuple[tuple[str, ...], str]]:
    """Each ``Example:`` line of every command's help, with the command it belongs to."""
    found = []
    for path, fn in commands(app):
        for line in EXAMPLE.findall(inspect.getdoc(fn) or ""):
            found.append((path, line.strip()))
    return found


def command_of(words: list[str]) -> tuple[str, ...]:
    """The registered command a command line runs (``fqda chart P7 …`` is chart edit)."""
    paths = {p for p, _ in commands(app)}
    for n in (2, 1):
        if tuple(words[1:1 + n]) in paths:
            return tuple(words[1:1 + n])
    if words[1:2] == ["chart"]:
        return ("chart", "edit")
    raise AssertionError(f"{shlex.join(words)}: names no command")


ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FQDA_CODER": "alice", "EDITOR": "true",
       "VISUAL": ""}
SURVEY = "id,q1,q3,q7\nS1,Yes,We share a budget now.,It took years.\nS2,No,,Too many forms.\n"


def example_study(root: Path) -> Path:
    """A copy of the bundled example study, with the files the examples name."""
    copy_example(root)
    (root / "survey.csv").write_text(SURVEY, encoding="utf-8")
    (root / "staff-names.txt").write_text("Declan\nMargaret\n", encoding="utf-8")
    (root / "names.csv").write_text("real,pseudonym\nDeclan,[P3]\n", encoding="utf-8")
    (root.parent / "private").mkdir(exist_ok=True)
    # another coder's codings: the example's own, as jk's layer
    (root / "jk-codings.csv").write_text(
        (REPO / "codings.csv").read_text(encoding="utf-8").replace(",hb,", ",jk,"),
        encoding="utf-8")
    # a study brought over from Taguette, as its researcher lays it out
    taguette = root.parent / "from-taguette"
    (taguette / "transcripts").mkdir(parents=True)
    shutil.copy(REPO / "transcripts" / "P7.txt", taguette / "transcripts" / "P7.txt")
    (taguette / "tags.csv").write_text(
        "tag,description\nKnowing people,Personal ties that get things done\n"
        "Partners,Organisations named as partners\n", encoding="utf-8")
    (taguette / "highlights.csv").write_text(
        "id,document,tag,content\n"
        "1,P7.txt,Knowing people,After fourteen years I know a lot of people.\n"
        "2,P7.txt,Partners,the health trust\n"  # twice in P7: placed by its neighbours
        "3,P7.txt,Knowing people,\"During the floods a couple of winters back, several "
        "villages were cut off.\"\n"
        "4,P7.txt,Partners,the health trust has been very good\n", encoding="utf-8")
    (root / "old").mkdir()
    shutil.copy(REPO / "codebooks" / "framework.yaml", root / "old" / "framework.yaml")
    return root


def fqda(line: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run one command line in the study folder; its exit code and all it printed."""
    monkeypatch.chdir(root)
    result = runner.invoke(app, shlex.split(line)[1:], env=ENV, input="q\n")
    return result.exit_code, result.stdout + result.stderr


# What each documented command line must print (a substring of stdout + stderr).
# A new example in the README or a --help text needs its line here.
EXPECT: dict[str, str] = {
    # the README, in order, on one study
    "fqda init my-study": "study ready in",
    "fqda cases import cases.csv": "0 case(s) added, 0 updated",
    "fqda ingest": "unchanged",
    "fqda store copy --to backup/study-copy.db": "copied",
    "fqda store grant ana ben": "granted ana, ben the study",
    'fqda store copy --to "postgresql://lead@db.example.ac.uk/qda?schema=carers"':
        "copied",
    "fqda ingest survey.csv --id-column id --columns q3,q7 --new-cases": "survey.csv",
    "fqda show P7 --from 10 --to 14": "P7:12",
    "fqda search 'grant*' --uncoded --speaker participant": "P3_followup:9",
    "fqda codebook import codebooks/framework.yaml": "16 sub-topics: 0 added",
    "fqda codebook show": "2.3 Pooled budgets and funding",
    "fqda codebook rename 2.3 'Pooled budgets and grants'":
        "label 'Pooled budgets and funding' -> 'Pooled budgets and grants'",
    "fqda codebook merge 2.4 --into 2.3": "merge 2.4: into 2.3 'Pooled budgets and",
    "fqda codebook export --format qdc -o framework.qdc": "codebook written to",
    "fqda code P7:12 P7:14 2.3 --memo funding": "(P7:12, P7:14)",
    "fqda code P7:L31 2.1": "(P7:16)",
    "fqda code P7:12.2 2.3": "1 coding(s) added, 0 already there (P7:12.2)",
    "fqda code P7 --quote 'lots of little grants' 2.3": "0 already there (P7:12@",
    "fqda code --interactive P7": "P7:2",
    "fqda suggest": "new suggestion(s) from",
    "fqda review": "0 accepted, 0 rejected, 0 changed",
    "fqda codings import codings.csv --dry-run": "would import 0 coding(s); nothing changed",
    "fqda chart P7 --theme 2": "left as it was",
    "fqda chart P7 2.3 --text 'Funding is '\"'\"'a patchwork'\"'\"' of little grants [P7:12]; "
    "outside the pooled fund [P7:14]'": "P7 × 2.3: summarised",
    "fqda chart --draft": "cell(s) drafted",
    "fqda chart accept P7": "accepted P7 × 2.1",
    "fqda chart export": "charting workbook written to",
    "fqda chart import matrices/charting.xlsx": "0 cell(s) changed",
    "fqda status": "cells by state",
    "fqda matrix 2": "2 Structures and governance",
    "fqda case P7 --format markdown": "# P7 — Voluntary-sector leader",
    "fqda theme 2 --subtopic 2.3 --by group": "of 3 Council chief executive cases",
    "fqda compare --by group --theme 2": "share of the group's cases",
    "fqda quotes 2.3 --group 'Voluntary-sector leader' --format markdown":
        "— Voluntary-sector leader, P7",
    "fqda cooccur 2.3 3.4": "coded to both 2.3 and 3.4",
    "fqda export excel -o matrices/framework.xlsx": "workbook written to",
    "fqda export csv": "matrices/csv/cells.csv",
    "fqda export quotes --format docx": "quotes.docx",
    "fqda run": "matrices/framework.xlsx",
    "fqda history --case P7 --subtopic 2.3": "codings added",
    "fqda undo": "undid #",
    "fqda review --list --keyword trust": "suggestions (1.2: ",
    "fqda review --list --subtopic 4.2 --format csv":
        "ref,subtopic,matched,case,group,text,source,start,end,id",
    "fqda review --reject --subtopic 4.2 --keyword community --yes": "suggestion(s) rejected",
    "fqda review --undo": "undid #",
    "fqda quotes --all --format csv":
        "subtopic,text,attribution,ref,case,group,speaker,role,source,start,end",
    "fqda quotes --theme 2 --format json": '"subtopic": "2.1"',
    "fqda uncode P1:4 1.1 --coder hb": "1 coding(s) removed (P1:4)",
    "fqda history --limit 1 --format csv": "coding removed: P1:4 → 1.1",
    # --help examples, each on a fresh copy of the example study after `fqda run`
    "fqda ingest transcripts/P7.txt": "P7.txt",
    "fqda ingest survey.csv --id-column id --columns q1,q3 --new-cases": "S1",
    "fqda show P7 --from 10 --to 20": "P7:20",
    "fqda code P7:12-14 2.3 3.1": "(P7:12, P7:13, P7:14)",
    "fqda code P7 --quote \"on the outside of the pooled fund\" 2.3 --memo \"funding\"":
        "1 coding(s) added",
    "fqda matrix 2 --format csv": "case,group,2.1,2.1 state,2.2",
    "fqda case P7 --theme 2 --format markdown": "## 2 Structures and governance",
    "fqda theme 2 --subtopic 2.3 --by area": "cases with area Rural",
    "fqda quotes 2.3 --group \"Voluntary-sector leader\" --format markdown":
        "## 2.3 Pooled budgets and funding",
    "fqda search \"budget*\" --uncoded --speaker participant": "P12_followup:8",
    "fqda cooccur --theme 2": "2.1",
    "fqda cooccur --count cases": "Cases coded to both (diagonal",
    "fqda ingest --format csv": "file,table,status,case,segments_written,note",
    "fqda cooccur 2.3 3.1": "coded to both",
    "fqda status --section gaps --format csv": "case,\"coded, no summary\",draft only",
    "fqda uncode P7:12-14 2.3 --coder jk": "2 coding(s) removed (P7:12-14)",
    "fqda suggest --theme 2 --case P7": "sub-topics' rules over 19 segment(s)",
    "fqda review --case P7": "left for review",
    "fqda review --list --keyword trust --format csv": "P1:24,1.2,trust,P1,",
    "fqda codebook show --format csv": "theme,code,label,codings,cases,summaries,definition",
    "fqda codebook export --format qdc -o matrices/framework.qdc": "matrices/framework.qdc",
    "fqda codebook diff old/framework.yaml codebooks/framework.yaml": "no differences",
    "fqda codebook rename 2.3 \"Pooled and aligned budgets\"": "-> 'Pooled and aligned budgets'",
    "fqda codebook move 2.3 --to-theme 3": "to theme 3 'Barriers to collaboration' as 3.5",
    "fqda codebook remove 2.4 --force": "'Sharing information and data' removed",
    "fqda codebook log --format csv": "when,who,what,code,detail",
    "fqda codings export -o codings.csv": "coding(s) written to codings.csv",
    "fqda codings export -o -": "case,source,start,end,subtopic,coder,memo,ref\nP1,P1.txt,",
    "fqda codebook export -o - --format csv": "theme_code,theme_label,subtopic_code",
    "fqda export quotes -o - --theme 2": "## 2.1 Partnership boards and meetings",
    "fqda export quotes matrices/quotes.docx --theme 2": "quote bank written to",
    "fqda export html matrices/framework.html": "matrices written to",
    "fqda export html share/matrices.html --pseudonymise --theme 2": "matrices written to",
    "fqda export excel -o matrices/framework.xlsx --theme 2 --group \"Frontline practitioner\"":
        "workbook written to",
    "fqda export csv -o matrices/csv --bom": "matrices/csv/theme-2.csv",
    "fqda export quotes --format docx --theme 2 --group \"Council chief executive\"":
        "quote bank written to",
    "fqda chart P7 2.3 --text \"Funding is a patchwork of little grants [P7:12]\"":
        "P7 × 2.3: summarised",
    "fqda chart P7 2.4 --na": "P7 × 2.4: not-applicable",
    "fqda chart --draft --theme 2": "cell(s) drafted",
    "fqda chart draft --theme 2": "cell(s) drafted",
    "fqda chart accept P7 --theme 2": "accepted P7 × 2.",
    "fqda chart export -o matrices/charting.xlsx": "matrices/charting.xlsx",
    "fqda chart import matrices/charting.xlsx --prefer file": "cell(s) changed",
    "fqda check": "no problems found",
    "fqda init ../from-taguette": "study ready in",
    "fqda ingest --study ../from-taguette": "1 added",
    "fqda codebook import ../from-taguette/tags.csv --study ../from-taguette":
        "a flat list of 2 codes",
    "fqda codings import ../from-taguette/highlights.csv --in-order --study ../from-taguette":
        "4 coding(s) imported",
    "fqda export project -o study.qdpx": "study.qdpx",
    "fqda import project study.qdpx": "",
    "fqda import project study.qdpx --new --study ../from-nvivo": "",
    "fqda import project study.qdpx --group-variable group": "",
    "fqda blind on --coder jk": "blinding is on for jk",
    "fqda blind off --coder jk": "blinding is off for jk",
    "fqda merge jk-codings.csv --coder jk": "merged jk:",
    "fqda agreement --coders hb,jk": "",
    "fqda agreement --coders hb,jk --theme 1 --overlap 0.6": "",
    "fqda disagreements --coders hb,jk --format markdown": "",
    "fqda disagreements --cells --theme 2": "cells where the coders differ",
    "fqda matrix 1 --disagreements --coders hb,jk": "[coded by",
    "fqda resolve P7:12 2.3 --keep both": "consensus for P7:12 × 2.3",
    "fqda disagreements --cells --coders hb,jk --theme 2": "cells where the coders differ",
    "fqda matrix 2 --disagreements --coders hb,jk": "[coded by",
    "fqda chart versions P7 2.3": "agreed by the",
    "fqda resolve P7 2.3 --summary --text 'Funding comes in short grants [P7:12]'":
        "consensus summary for P7 × 2.3: the agreed text",
    "fqda resolve P7 2.3 --summary --text \"Funding comes in short grants [P7:12]\"":
        "consensus summary for P7 × 2.3: the agreed text",
    "fqda pseudonymise scan --names staff-names.txt": "await review",
    "fqda pseudonymise list --status candidate": "",
    "fqda pseudonymise accept Sarah --as \"[P7's manager]\"": "Sarah will be replaced",
    "fqda pseudonymise accept Sarah --as '[P7'\"'\"'s manager]' --case P7":
        "Sarah will be replaced",
    "fqda pseudonymise accept Hull --as '[northern city]'": "Hull will be replaced",
    "fqda pseudonymise reject Council": "Council: not replaced",
    "fqda pseudonymise reject --remaining": "not replaced",
    "fqda pseudonymise import names.csv": "1 register entries imported",
    "fqda pseudonymise export -o ../private/names.csv": "register written to",
    "fqda export excel --pseudonymise -o share/framework.xlsx": "workbook written to",
    "fqda export quotes --format docx --pseudonymise -o share/quotes.docx":
        "quote bank written to",
    "fqda export project --pseudonymise -o share/study.qdpx": "study.qdpx",
    "fqda export html share/framework.html --pseudonymise": "matrices written to",
    "fqda pseudonymise check share/framework.xlsx share/quotes.docx share/study.qdpx "
    "share/framework.html": "no name of the register in 4 file(s)",
    "fqda pseudonymise check matrices/framework.xlsx matrices/quotes.md":
        "no name of the register",
}
# What a --help example needs done first on its fresh copy of the study.
SETUP: dict[str, list[str]] = {
    "fqda chart accept P7 --theme 2": ["fqda chart draft --theme 2"],
    "fqda chart import matrices/charting.xlsx --prefer file": [
        "fqda chart export -o matrices/charting.xlsx"],
    "fqda undo": ["fqda uncode P7:12-14 2.3 --coder jk"],
    "fqda review --undo": ["fqda review --reject --subtopic 4.2 --keyword community --yes"],
    "fqda import project study.qdpx": ["fqda export project -o study.qdpx"],
    "fqda chart versions P7 2.3": [
        "fqda chart P7 2.3 --text \"Funding is a patchwork of little grants [P7:12]\"",
        "fqda resolve P7 2.3 --summary --text \"Funding comes in short grants [P7:12]\""],
    "fqda agreement --coders hb,jk --theme 1 --overlap 0.6": [
        "fqda merge jk-codings.csv --coder jk"],
    "fqda disagreements --coders hb,jk --format markdown": [
        "fqda merge jk-codings.csv --coder jk"],
}


@pytest.fixture(scope="module")
def ran_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = example_study(tmp_path_factory.mktemp("documented") / "example")
    with pytest.MonkeyPatch.context() as mp:
        code, printed = fqda("fqda run", root, mp)
    assert code == 0, printed
    return root


def check(line: str, code: int, printed: str) -> None:
    assert line in EXPECT, f"{line}: documented but not in EXPECT; say what it prints"
    assert code == 0, f"{line}: exit {code}\n{printed}"
    assert EXPECT[line] in printed, f"{line}: expected {EXPECT[line]!r} in\n{printed}"


def test_the_readme_command_lines_run_in_order_on_the_example_study(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = readme_lines()
    assert "fqda code P7:12.2 2.3" in lines and "fqda undo" in lines
    root = example_study(tmp_path / "example")
    assert fqda("fqda run", root, monkeypatch)[0] == 0
    for line in lines:
        check(line, *fqda(line, root, monkeypatch))


ON_SERVER = {"fqda store grant ana ben"}
"""Examples of what only a study on a PostgreSQL server does: run on a copy of the
example study there, with the roles they name."""


def on_server(root: Path, roles: list[str], monkeypatch: pytest.MonkeyPatch,
              request: pytest.FixtureRequest) -> None:
    """Move the study at ``root`` into a new schema of the test server, as a team would
    (``fqda store copy``), and point the study at it; the roles exist there."""
    import uuid

    import psycopg

    from tests._optional import postgresql_server

    server = postgresql_server()
    assert server is not None
    schema = f"t_doc_{uuid.uuid4().hex[:10]}"
    address = f"{server}?schema={schema}"

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    request.addfinalizer(drop)
    assert fqda(f"fqda store copy --to {address}", root, monkeypatch)[0] == 0
    with psycopg.connect(server, autocommit=True) as conn:
        for role in roles:
            known = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if known.fetchone() is None:
                conn.execute(f'CREATE ROLE "{role}" LOGIN')
    monkeypatch.setenv("FQDA_STORE", address)


@pytest.mark.parametrize("line", [
    pytest.param(line, marks=pytest.mark.needs("postgresql")) if line in ON_SERVER else line
    for line in sorted({line for _, line in help_examples()})])
def test_each_help_example_runs_on_the_example_study(
        line: str, ran_example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    root = tmp_path / "copy"
    shutil.copytree(ran_example, root)
    if line in ON_SERVER:
        on_server(root, shlex.split(line)[3:], monkeypatch, request)
    for before in SETUP.get(line, []):
        assert fqda(before, root, monkeypatch)[0] == 0, before
    check(line, *fqda(line, root, monkeypatch))


def test_every_command_has_an_example_that_is_run() -> None:
    documented = {command_of(shlex.split(line)) for _, line in help_examples()}
    documented |= {command_of(shlex.split(line)) for line in readme_lines()}
    missing = [" ".join(path) for path, _ in commands(app) if path not in documented]
    assert not missing, f"commands with no example in --help or the README: {missing}"
    for path, line in help_examples():
        assert command_of(shlex.split(line)) == path, f"{line}: an example of another command"


def test_examples_name_cases_the_example_study_has() -> None:
    team = TEAM.findall((REPO / "README.md").read_text(encoding="utf-8"))[0].splitlines()
    every = [line for _, line in help_examples()] + readme_lines() + team
    assert not [line for line in every if re.search(r"\bP0\d", line)]
    assert set(EXPECT) == set(every) | {"fqda run"}, "EXPECT lists lines no document shows"


def test_help_shows_each_example_on_a_line_of_its_own() -> None:
    """Click rewraps a paragraph: examples on consecutive lines ran together into
    one unreadable line ("Example: fqda chart P7 --theme 2 Example: fqda …")."""
    examples = 0
    for path, _ in commands(app):
        result = runner.invoke(app, [*path, "--help"], env=ENV)
        assert result.exit_code == 0, path
        name = " ".join(path)
        for line in result.stdout.splitlines():
            assert line.count("Example:") <= 1, f"fqda {name} --help: {line!r}"
            if "Example:" in line:
                examples += 1
                assert line.strip().startswith("Example: fqda "), f"fqda {name}: {line!r}"
    assert examples > 40


@pytest.mark.needs("postgresql")
def test_the_readme_team_setup_runs_on_a_server(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The three commands, on the test server in place of the README's: the lead copies
    the study there and lets two coders in, then a coder's own role works on it."""
    import psycopg

    from tests._optional import postgresql_server

    server = postgresql_server()
    assert server is not None
    lines = TEAM.findall((REPO / "README.md").read_text(encoding="utf-8"))[0].splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["fqda", "store", "copy"], ["fqda", "store", "grant"], ["fqda", "status"]]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS carers CASCADE")
        for role in ("ana", "ben"):
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() \
                    is None:
                conn.execute(f"CREATE ROLE {role} LOGIN")
    root = example_study(tmp_path / "example")
    try:
        assert fqda("fqda run", root, monkeypatch)[0] == 0
        copy = lines[0].replace("postgresql://lead@db.example.ac.uk/qda", server)
        check(lines[0], *fqda(copy, root, monkeypatch))
        with (root / "fqda.yaml").open("a", encoding="utf-8") as settings:
            settings.write(f"store: {server}?schema=carers\n")  # as the README says
        check(lines[1], *fqda(lines[1], root, monkeypatch))
        ana = server.replace("://", "://ana@", 1) if "@" not in server else \
            server.split("://")[0] + "://ana@" + server.split("@", 1)[1]
        monkeypatch.setenv("FQDA_STORE", f"{ana}?schema=carers")
        check(lines[2], *fqda(lines[2], root, monkeypatch))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS carers CASCADE")
