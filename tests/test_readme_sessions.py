"""The terminal sessions shown in the README are what the commands print."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, copy_example

SESSION = re.compile(r"```sh\n(\$ fqda .*?)```", re.S)


def sessions() -> list[list[tuple[str, list[str]]]]:
    """Each README block of ``$ fqda …`` lines, as (command, the lines it prints)."""
    found = []
    for block in SESSION.findall((REPO / "README.md").read_text(encoding="utf-8")):
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        found.append(steps)
    return found


def test_the_readme_sessions_run_as_shown_on_the_example_study(tmp_path: Path) -> None:
    blocks = sessions()
    assert blocks, "the README shows no terminal session"
    root = tmp_path / "example"
    copy_example(root)
    env = {"PATH": "/usr/bin:/bin", "FQDA_CODER": "alice", "NO_COLOR": "1", "HOME": str(tmp_path)}

    def fqda(args: list[str]) -> str:
        done = subprocess.run([sys.executable, "-m", "framework_qda", *args],
                              cwd=root, capture_output=True, text=True, env={
                                  **env, "PYTHONPATH": str(REPO)}, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    fqda(["run"])
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
    for steps in blocks:
        for command, shown in steps:
            printed = fqda(shlex.split(command)[1:]).splitlines()
            assert [stamp.sub("WHEN", ln) for ln in printed] == [
                stamp.sub("WHEN", ln) for ln in shown], command
