"""The command line as a researcher uses it: what is printed, exit codes, nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import framework_qda as fq
from tests._cli import fqda, use_consoles
from tests.conftest import DATA, snapshot


def test_run_does_the_whole_job_and_says_where_it_wrote(study_dir: Path) -> None:
    code, out, err = fqda("run", "--study", str(study_dir))
    assert code == 0
    assert "4 added, 0 updated, 0 unchanged" in err  # progress, step by step, on stderr
    assert "8 added, 0 already present from codings.csv" in err
    matrices = study_dir / "matrices"
    for written in (matrices / "framework.xlsx", matrices / "csv" / "cells.csv",
                    matrices / "quotes.md", matrices / "framework.html"):
        assert f"written: {written}" in out and written.exists()
    # Safe to run again: nothing new, and it says so.
    code, out, err = fqda("run", "--study", str(study_dir))
    assert "0 added, 0 updated, 4 unchanged" in err
    assert "codings.csv unchanged since last applied" in err


def test_init_makes_a_study_folder(tmp_path: Path) -> None:
    code, out, _ = fqda("init", str(tmp_path / "new"))
    assert code == 0
    for part in ("transcripts", "codebooks", "matrices", ".fqda", "cases.csv", "fqda.yaml"):
        assert (tmp_path / "new" / part).exists()
    assert (tmp_path / "new" / "cases.csv").read_text() == "case,group\n"
    assert (tmp_path / "new" / ".gitignore").read_text().splitlines()[-1] == ".fqda/"
    assert "# paper: a4" in (tmp_path / "new" / "fqda.yaml").read_text()
    lines = out.splitlines()
    assert lines[1:] == ["next:",
                         "  put the transcripts in transcripts/ and one row per case in cases.csv",
                         "  fqda cases import cases.csv && fqda ingest",
                         "  edit codebooks/framework.yaml, then: fqda codebook import "
                         "codebooks/framework.yaml"]


def test_the_codebook_template_imports_and_init_keeps_what_is_there(tmp_path: Path) -> None:
    root = tmp_path / "new"
    assert fqda("init", str(root))[0] == 0
    with fq.open_study(root) as s:
        s.import_codebook("codebooks/framework.yaml")
        assert [sub.heading for sub in s.codebook.subtopics] == ["1.1 Example sub-topic"]
    (root / "cases.csv").write_text("case,group\nP1,Nurses\n", encoding="utf-8")
    (root / "fqda.yaml").write_text("order_by: [site]\n", encoding="utf-8")
    assert fqda("init", str(root))[0] == 0
    assert (root / "cases.csv").read_text(encoding="utf-8") == "case,group\nP1,Nurses\n"
    assert (root / "fqda.yaml").read_text(encoding="utf-8") == "order_by: [site]\n"
    other = tmp_path / "has-a-codebook"
    (other / "codebooks").mkdir(parents=True)
    (other / "codebooks" / "mine.csv").write_text("tag\nA\n", encoding="utf-8")
    assert fqda("init", str(other))[0] == 0
    assert sorted(p.name for p in (other / "codebooks").iterdir()) == ["mine.csv"]


def test_commands_find_the_study_by_walking_up(ran: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    monkeypatch.chdir(ran / "transcripts")
    code, out, _ = fqda("show", "P2", "--format", "csv")
    assert code == 0
    assert out.splitlines()[2] == "P2:2,Eli,participant,3-3,,I prefer to talk face to face. " \
                                  "You catch things a note never says."


def test_show_lists_numbered_segments(ran: Path) -> None:
    code, out, _ = fqda("show", "P1", "--from", "2", "--to", "3", "--study", str(ran),
                        "--format", "json")
    rows = json.loads(out)
    assert [(r["id"], r["speaker"], r["role"], r["lines"]) for r in rows] == [
        ("P1:2", "Dana", "participant", "3-4"), ("P1:3", "Interviewer", "interviewer", "6-6")]


def test_code_then_matrix_shows_the_evidence(ran: Path) -> None:
    code, out, _ = fqda("code", "P2:2", "2.1", "1.1", "--study", str(ran))
    assert code == 0 and "2 coding(s) added" in out
    code, out, _ = fqda("matrix", "2", "--format", "csv", "--study", str(ran))
    lines = out.splitlines()
    assert lines[0] == "case,group,2.1,2.1 state,2.2,2.2 state"
    assert [line.split(",")[0] for line in lines[1:]] == ["P1", "P2", "P3", "P10"]
    assert lines[2].startswith("P2,Managers,“I prefer to talk face to face.")
    code, out, _ = fqda("matrix", "2", "--study", str(ran))
    assert "Structures" not in out and "2.1" in out and "1× I prefer to talk" in out


def test_quotes_in_every_format(ran: Path) -> None:
    code, out, _ = fqda("quotes", "2.1", "--group", "Nurses", "--format", "json",
                        "--study", str(ran))
    assert [(q["text"], q["attribution"], q["ref"]) for q in json.loads(out)] == [
        ("Enough staff. When we are short, handover is the first thing cut.", "— Nurses, P3",
         "P3:4"),
        ("Too few of us. Staffing is the whole story.", "— Nurses, P10", "P10:4")]
    code, out, _ = fqda("quotes", "2.1", "--format", "markdown", "--limit", "1",
                        "--study", str(ran))
    assert out.splitlines() == ["## 2.1 Staffing", "",
                                "> Hardly. We are two nurses short most nights.", ">",
                                "> — Managers, P1 [P1:4]"]
    code, out, _ = fqda("quotes", "2.1", "--where", "area=Urban", "--format", "csv",
                        "--study", str(ran))
    assert out.splitlines()[1].startswith("2.1,\"Enough staff.")


def test_case_and_theme_views(ran: Path) -> None:
    code, out, _ = fqda("case", "P3", "--format", "json", "--study", str(ran))
    rows = json.loads(out)
    assert [(r["subtopic"], r["state"]) for r in rows] == [
        ("1.1 Handover notes", "empty"), ("1.2 Talking in person", "coded"),
        ("2.1 Staffing", "coded"), ("2.2 Time", "empty")]
    assert rows[1]["evidence"] == [{"ref": "P3:2", "role": "participant",
                                    "text": "A proper conversation at the bedside."}]
    code, out, _ = fqda("theme", "2", "--study", str(ran))
    assert "  1 of 2 Managers" in out and "  2 of 2 Nurses" in out


def test_codings_import_and_export(ran: Path, tmp_path: Path) -> None:
    (tmp_path / "new.csv").write_text("case,segment,subtopic,coder\nP3,2,2.2,zz\n")
    code, out, _ = fqda("codings", "import", str(tmp_path / "new.csv"), "--dry-run",
                        "--study", str(ran))
    assert "would import 1 coding(s); nothing changed" in out
    code, out, _ = fqda("codings", "import", str(tmp_path / "new.csv"), "--study", str(ran))
    assert "1 coding(s) imported" in out
    code, out, _ = fqda("codings", "export", "-o", str(tmp_path / "all.csv"),
                        "--study", str(ran))
    assert "9 coding(s) written" in out
    rows = (tmp_path / "all.csv").read_text().splitlines()
    assert rows[0] == "case,source,start,end,subtopic,coder,memo,ref"
    assert any(r.startswith("P3,P3.txt,") and r.endswith(",2.2,zz,,P3:2") for r in rows)


@pytest.mark.parametrize(("args", "message"), [
    (("code", "P77:2", "1.1"), "error: no case or source called P77"),
    (("code", "P1:12", "1.1"), "error: P1:12: P1 has segments 1 to 4"),
    (("code", "P1:2", "5.5"), "error: unknown sub-topic 5.5"),
    (("matrix", "7"), "error: no theme 7; the themes are 1, 2"),
    (("case", "P99"), "error: no case P99"),
])
def test_user_errors_are_one_line_exit_1_and_change_nothing(ran: Path, args: tuple[str, ...],
                                                            message: str) -> None:
    with fq.open_study(ran) as s:
        before = snapshot(s)
    code, out, err = fqda(*args, "--study", str(ran))
    assert code == 1
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    with fq.open_study(ran) as s:
        assert snapshot(s) == before


def test_duplicate_code_in_codebook_lists_every_problem(ran: Path, tmp_path: Path) -> None:
    with fq.open_study(ran) as s:
        before = snapshot(s)
    bad = tmp_path / "dup.yaml"
    bad.write_text('themes:\n  - code: "1"\n    label: A\n    subtopics:\n'
                   '      - {code: "1.1", label: X}\n      - {code: "1.1", label: Y}\n')
    code, _, err = fqda("codebook", "import", str(bad), "--study", str(ran))
    assert code == 1
    assert err.splitlines() == [f"error: {bad}: 1 problem(s) in the codebook",
                                f"  {bad}:6: duplicate sub-topic code 1.1 (first on line 5)"]
    with fq.open_study(ran) as s:
        assert snapshot(s) == before


def test_missing_study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = fqda("matrix", "1")
    assert code == 1
    assert err.startswith(f"error: no study found in {tmp_path}")


def test_usage_error_exits_2(ran: Path) -> None:
    code, _, _ = fqda("show", "--study", str(ran))
    assert code == 2


def test_version_and_help_with_examples() -> None:
    code, out, _ = fqda("--version")
    assert out.strip() == f"fqda {fq.__version__}"
    for command in ("run", "ingest", "show", "code", "matrix", "case", "theme", "quotes"):
        code, out, _ = fqda(command, "--help")
        assert code == 0 and "Example:" in out, command


def test_example_study_runs(tmp_path: Path) -> None:
    """The bundled example study, as `make example` runs it, on a copy."""
    repo = DATA.parent.parent
    target = tmp_path / "example"
    target.mkdir()
    for name in ("transcripts", "codebooks"):
        shutil.copytree(repo / name, target / name)
    for name in ("cases.csv", "codings.csv", "summaries.csv", "fqda.yaml"):
        shutil.copy(repo / name, target / name)
    code, out, err = fqda("run", "--study", str(target))
    assert code == 0, err
    assert "0 failed" in err
    with fq.open_study(target) as s:
        groups = [c.group for c in s.matrix("2").cases]
        assert groups[0] == "Council chief executive" and groups[-1] == "Frontline practitioner"
        assert all(s.matrix(t.code).cells for t in s.codebook.themes)
        assert {q.group for q in s.quotes("2.3")} >= {"Council chief executive",
                                                       "Voluntary-sector leader"}


def test_console_script_builds_only_the_command_it_runs(
    ran: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import framework_qda.cli as cli

    monkeypatch.setattr("sys.argv", ["fqda", "quotes", "2.1", "--limit", "1", "-f", "csv",
                                     "--study", str(ran)])
    built: list[list[str]] = []
    real = cli.typer.main.get_group

    def spy(typer_instance: object) -> object:
        group = real(typer_instance)  # type: ignore[arg-type]
        built.append(sorted(group.commands))  # type: ignore[attr-defined]
        return group

    monkeypatch.setattr(cli.typer.main, "get_group", spy)
    assert cli.dispatch() == 0
    assert built == [["quotes"]]
    assert capsys.readouterr().out.splitlines()[1].startswith(
        "2.1,Hardly. We are two nurses short most nights.")
    # The app is whole again for whatever runs next.
    assert len(cli.app.registered_commands) > 10


# Output buffered as usual, whatever this test run's environment says.
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def _console_script(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``fqda`` as a user runs it (main() leaves without teardown)."""
    return subprocess.run([sys.executable, "-m", "framework_qda", *args],
                          capture_output=True, text=True, check=False, env=BUFFERED)


def test_the_console_script_keeps_exit_statuses_and_all_its_output(ran: Path) -> None:
    done = _console_script("quotes", "2.1", "-f", "csv", "--study", str(ran))
    assert done.returncode == 0
    every = fqda("quotes", "2.1", "-f", "csv", "--study", str(ran))[1]
    assert done.stdout == every  # flushed to the last line before leaving
    missing = _console_script("case", "P99", "--study", str(ran))
    assert missing.returncode == 1
    assert "error: no case P99" in missing.stderr
    assert _console_script("quotes", "--no-such-option").returncode == 2


def test_a_reader_that_went_away_gets_no_traceback(ran: Path) -> None:
    """``fqda quotes 2.1 | head -1`` when head has already gone: status 1, nothing said."""
    child = subprocess.Popen(
        [sys.executable, "-m", "framework_qda", "quotes", "2.1", "-f", "csv",
         "--study", str(ran)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=BUFFERED)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before a byte is written
    said = child.stderr.read().decode()
    assert child.wait() == 1
    assert "Traceback" not in said and "Exception ignored" not in said


def test_leaving_early_still_runs_the_exit_hooks_a_user_installed(tmp_path: Path) -> None:
    """Coverage and similar tools hook ``atexit``; skipping teardown must not skip them."""
    mark = tmp_path / "hook-ran"
    code = ("import atexit, pathlib, framework_qda.cli as cli; "
            f"atexit.register(pathlib.Path({str(mark)!r}).write_text, 'yes'); cli.main()")
    done = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True,
                          text=True, check=False, env=BUFFERED)
    assert done.returncode == 0
    assert mark.read_text() == "yes"


def test_paths_typed_are_read_from_the_current_folder_wherever_the_study_is(
        ran: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside a subfolder (the study found by walking up) and with --study elsewhere."""
    monkeypatch.chdir(ran / "transcripts")
    code, out, err = fqda("ingest", "P1.txt")
    assert code == 0, err
    assert "1 unchanged" in out
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    (elsewhere / "more.csv").write_text("case,segment,subtopic\nP1,2,2.2\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    code, out, err = fqda("codings", "import", "more.csv", "--study", str(ran))
    assert code == 0, err
    assert "1 coding(s) imported" in out


def test_run_leaves_the_untouched_codebook_template_alone(tmp_path: Path) -> None:
    root = tmp_path / "new"
    assert fqda("init", str(root))[0] == 0
    (root / "codebooks" / "codes.csv").write_text("tag,description\nWaiting,Time spent\n",
                                                  encoding="utf-8")
    code, _, err = fqda("run", "--study", str(root))
    assert code == 0, err
    with fq.open_study(root) as s:
        assert [sub.label for sub in s.codebook.subtopics] == ["Waiting"]


def test_run_says_what_it_is_working_on_before_each_long_step(study_dir: Path) -> None:
    """What the progress line shows between the step lines (a run of 140 cases was
    17 seconds of a silent terminal after the last transcript)."""
    heard: list[str] = []
    finished: list[str] = []
    with fq.open_study(study_dir) as s:
        s.run(begin=heard.append, step=lambda name, what: finished.append(name))
    assert heard[0] == "transcripts" and heard[-4:] == [
        "the workbook", "the CSV tables", "the quote bank", "the HTML matrices"]
    assert heard.index("suggestions") < heard.index("the workbook")
    assert finished[-1] == "export"


def test_long_exports_show_what_they_are_doing_on_a_terminal_only(
        ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import threading

    from rich.console import Console
    from rich.live import Live

    # piped (as every test's runner is): the result and nothing else, and no
    # spinner drawn for no one (Rich's redrawing thread is not started)
    started: list[object] = []
    with monkeypatch.context() as m:
        m.setattr(Live, "start", lambda self, *a, **k: started.append(self))
        threads = threading.active_count()
        code, out, err = fqda("export", "excel", "-o", ran / "w.xlsx", "--study", ran)
    assert code == 0 and err == "" and out.startswith("workbook written to")
    assert started == [] and threading.active_count() == threads
    # on a terminal: a spinner naming the step while it runs
    screen = io.StringIO()
    use_consoles(monkeypatch, err=Console(file=screen, force_terminal=True, width=80))
    code, out, _ = fqda("export", "excel", "-o", ran / "w.xlsx", "--study", ran)
    assert code == 0
    assert "the workbook…" in screen.getvalue()


def test_an_export_says_where_it_wrote_without_making_a_rich_console(ran: Path,
                                                                      tmp_path: Path) -> None:
    # A long way down: the line that names it is one line, as a log or a script
    # that reads it needs, not folded at the console's width.
    target = tmp_path / ("a-folder-with-a-long-name-" * 6) / "w.xlsx"
    target.parent.mkdir()
    code = ("import sys\n"
            "from framework_qda.cli import dispatch\n"
            "status = dispatch()\n"
            "print('rich.console' in sys.modules, file=sys.stderr)\n"
            "sys.exit(status)\n")
    done = subprocess.run([sys.executable, "-c", code, "export", "excel", "-o", str(target),
                           "--study", str(ran)], capture_output=True, text=True, check=False,
                          env={**BUFFERED, "COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"workbook written to {target}\n"
    assert done.stderr == "False\n"
    # Through Rich's console (a test's, or once anything else was printed) it is
    # the same single line.
    code_, out, _ = fqda("export", "excel", "-o", target, "--study", ran, columns=80)
    assert code_ == 0 and out == f"workbook written to {target}\n"
