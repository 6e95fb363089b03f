"""An editor that exits with an error never costs the summary typed in it."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app

runner = CliRunner()

FAILING = '''
import sys
from pathlib import Path
target = Path(sys.argv[-1])
target.write_text("Kept even so [P1:2]\\n" + target.read_text(encoding="utf-8"),
                  encoding="utf-8")
sys.exit(3)
'''


def test_a_failing_editor_keeps_what_was_typed_and_says_where(study: fq.Study,
                                                              tmp_path: Path) -> None:
    script = tmp_path / "fail.py"
    script.write_text(FAILING, encoding="utf-8")
    before = study.cells(["1.1"])[("P1", "1.1")]
    result = runner.invoke(app, ["chart", "P1", "--theme", "1", "--study", str(study.root)],
                           env={"NO_COLOR": "1", "COLUMNS": "300", "FQDA_CODER": "tester",
                                "VISUAL": f'"{sys.executable}" "{script}"'})
    assert result.exit_code == 1
    kept = study.root / ".fqda" / "chart-P1-1.1.txt"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "exited with status 3" in lines[0]
    assert str(kept) in lines[0] and "Kept even so" not in lines[0]
    assert kept.read_text(encoding="utf-8").startswith("Kept even so [P1:2]\n")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert study.cells(["1.1"])[("P1", "1.1")] == before  # nothing half-saved
