"""Words from a user's files are printed as they are: never as terminal markup or
emoji, and never a traceback on a terminal that cannot show them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import framework_qda as fq
from tests._cli import fqda as run_fqda
from tests.conftest import REPO

WORDS = "[bold]x[/bold] and :warning: at a:b:1 [red]"


def fqda(*args: str) -> tuple[int, str, str]:
    return run_fqda(*args, columns=300)


@pytest.fixture
def marked(tmp_path: Path) -> Path:
    root = tmp_path / "study"
    fq.init_study(root)
    (root / "cases.csv").write_text(
        'case,group\nP1,"[bold]G[/bold] :warning:"\n', encoding="utf-8")
    (root / "codebooks" / "framework.yaml").write_text(
        "themes:\n  - code: '1'\n    label: '[blue]T[/blue] :smile:'\n    subtopics:\n"
        "      - code: '1.1'\n        label: 'a:b:1 [i]L[/i]'\n        keywords: [warning]\n",
        encoding="utf-8")
    (root / "transcripts" / "P1.txt").write_text(
        f"Interviewer: [dim]asked[/dim] :thumbs_up:\n\nDana: {WORDS} the warning\n",
        encoding="utf-8")
    s = fq.open_study(root)
    s.import_cases(root / "cases.csv")
    s.import_codebook(root / "codebooks" / "framework.yaml")
    s.ingest()
    s.code(["P1:2"], ["1.1"], memo=":warning: [b]m[/b]")
    s.set_summary("P1", "1.1", f"{WORDS} [P1:2]")
    s.close()
    return root


@pytest.mark.parametrize("args", [
    ("show", "P1"), ("search", "warning"), ("quotes", "1.1"), ("matrix", "1"),
    ("matrix", "1", "--full"), ("case", "P1"), ("theme", "1"), ("codebook", "show"),
    ("status",), ("history",),
])
def test_participant_text_is_never_markup_or_emoji(marked: Path, args: tuple[str, ...]
                                                   ) -> None:
    code, out, err = fqda(*args, "--study", str(marked))
    assert code == 0, err
    assert "🅱" not in out and "⚠" not in out and "😄" not in out and "👍" not in out
    flat = " ".join(out.split())
    if args[0] in ("show", "search", "quotes", "case", "theme") or "--full" in args:
        assert "[bold]x[/bold]" in flat and ":warning:" in flat and "a:b:1" in flat
    if args[0] == "show":
        assert "[dim]asked[/dim] :thumbs_up:" in flat
    if args[0] == "codebook":
        assert "[blue]T[/blue] :smile:" in flat and "a:b:1 [i]L[/i]" in flat
    assert "\\[" not in out  # no escaping shows through either


def test_an_error_naming_user_text_is_not_markup(marked: Path) -> None:
    code, out, err = fqda("show", "[bold]P9[/bold]:warning:", "--study", str(marked))
    assert code == 1
    assert "[bold]P9[/bold]" in err and "⚠" not in err and err.startswith("error: ")


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0",
                                  "PYTHONCOERCECLOCALE": "0"}])
def test_a_terminal_that_cannot_show_the_words_gets_no_traceback(
        marked: Path, env: dict[str, str]) -> None:
    (marked / "transcripts" / "P1.txt").write_text(
        "Interviewer: naïve café — “quoted” 😀?\n\nDana: Ça va — 日本語\n", encoding="utf-8")
    s = fq.open_study(marked)
    s.ingest(force=True)
    s.close()
    for args in (["show", "P1"], ["matrix", "1", "--full"], ["quotes", "1.1"],
                 ["show", "P1", "--format", "csv"], ["show", "Pé"]):
        done = subprocess.run(
            [sys.executable, "-m", "framework_qda", *args, "--study", str(marked)],
            capture_output=True, cwd=REPO, timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO), **env})
        assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
        assert done.returncode == (1 if args[1] == "Pé" else 0), done.stderr
        if args[1] == "P1":
            assert b"Dana" in done.stdout
