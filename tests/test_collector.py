"""The garbage collector paused for a workbook or a survey, and what happens after.

Each case runs in a fresh interpreter: freezing objects (what the command
line does) would otherwise reach into the test run itself.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_AFTER_BLOCK = """
import gc, json, sys
from framework_qda import collector
if sys.argv[1] == "command line":
    collector.one_command()
kept = []
with collector.collector_paused():
    paused = gc.isenabled()
    kept.extend([i] for i in range(60_000))  # long-lived, no cycles: a workbook's rows
    before = gc.get_stats()[0]["collections"]
made = [[i] for i in range(10)]  # the first objects made after the block
print(json.dumps({"paused": paused, "enabled": gc.isenabled(),
                  "walks": gc.get_stats()[0]["collections"] - before,
                  "young": gc.get_count()[0]}))
"""


def _after_block(mode: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _AFTER_BLOCK, mode], capture_output=True,
                          text=True, check=True)
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_a_library_session_gets_its_collector_back_as_it_was() -> None:
    found = _after_block("library")
    assert found["paused"] is False
    assert found["enabled"] is True
    # What the block left alive is walked once the collector runs again: it
    # stays the collector's to free, whatever a notebook does with it next.
    assert found["walks"] == 1


def test_the_command_line_freezes_what_the_block_left_instead_of_walking_it() -> None:
    found = _after_block("command line")
    assert found["paused"] is False
    assert found["enabled"] is True  # still collecting what is made after
    assert found["walks"] == 0
    assert isinstance(found["young"], int) and found["young"] < 100


@pytest.mark.parametrize("mode", ["library", "command line"])
def test_a_collector_switched_off_by_the_user_stays_off(mode: str) -> None:
    code = _AFTER_BLOCK.replace("kept = []", "gc.disable()\nkept = []")
    done = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                          check=True)
    found = json.loads(done.stdout)
    assert found["enabled"] is False
    assert found["walks"] == 0
