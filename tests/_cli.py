"""The one way tests run a command line: ``fqda(*args)`` → (exit code, stdout, stderr).

Run in-process through Typer's runner with a fixed terminal (no colour, 200
columns), a coder name, and no editor, so no test depends on the machine's
environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from framework_qda.cli import app

if TYPE_CHECKING:
    import pytest
    from rich.console import Console

runner = CliRunner()


def fqda(*args: str | Path, coder: str = "tester", columns: int = 200,
         env: dict[str, str] | None = None, input: str | None = None) -> tuple[int, str, str]:
    """Run ``fqda ARGS…``; its exit code, standard output and standard error."""
    result = runner.invoke(app, [str(a) for a in args], input=input, env={
        "NO_COLOR": "1", "COLUMNS": str(columns), "FQDA_CODER": coder, "VISUAL": "",
        "EDITOR": "", **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def use_consoles(monkeypatch: pytest.MonkeyPatch, **consoles: Console) -> None:
    """Print through these consoles (``out=``, ``err=``) in every command module."""
    import sys

    for name, module in list(sys.modules.items()):
        if name == "framework_qda.cli" or name.startswith("framework_qda.cli."):
            for attr, console in consoles.items():
                if hasattr(module, attr):
                    monkeypatch.setattr(module, attr, console)
