"""Golden output of the interpretation commands on the fixture study, rendered
on a 100-column console without colour.

To accept new output after a deliberate change:  UPDATE_GOLDEN=1 pytest tests/test_golden.py
then read the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _interpretation import build
from rich.console import Console
from typer.testing import CliRunner

import framework_qda.cli as cli
from tests._cli import use_consoles

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

COMMANDS: list[tuple[str, list[str]]] = [
    ("case_C1", ["case", "C1"]),
    ("case_C3_evidence", ["case", "C3", "--theme", "1", "--evidence"]),
    ("case_C1_markdown", ["case", "C1", "--format", "markdown"]),
    ("theme_2", ["theme", "2"]),
    ("theme_1_by_area", ["theme", "1", "--by", "area", "--subtopic", "1.1"]),
    ("theme_1_markdown", ["theme", "1", "--format", "markdown"]),
    ("compare", ["compare"]),
    ("compare_theme_2_csv", ["compare", "--theme", "2", "--format", "csv"]),
    ("quotes_1_2", ["quotes", "1.2"]),
    ("quotes_2_markdown", ["quotes", "2", "--format", "markdown"]),
    ("quotes_1_2_rural_csv", ["quotes", "1.2", "--where", "area=Rural", "--format", "csv"]),
    ("search_pooled", ["search", "pooled"]),
    ("search_uncoded_markdown", ["search", "pooled OR years", "--uncoded",
                                 "--format", "markdown"]),
    ("search_regex_json", ["search", r"\bcut\b", "--regex", "--format", "json"]),
    ("cooccur", ["cooccur"]),
    ("cooccur_1_2_2_1", ["cooccur", "1.2", "2.1"]),
]


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("golden") / "study")


@pytest.mark.parametrize(("name", "args"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_golden(name: str, args: list[str], study_dir: Path,
                monkeypatch: pytest.MonkeyPatch) -> None:
    # a fixed-width, colourless console whatever terminal the tests run in
    use_consoles(monkeypatch,
                 out=Console(width=100, height=50, color_system=None, no_color=True),
                 err=Console(width=100, height=50, color_system=None, stderr=True))
    result = CliRunner().invoke(cli.app, [*args, "--study", str(study_dir)],
                                env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        path.write_text(result.stdout, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 to write it"
    assert result.stdout == path.read_text(encoding="utf-8")
