"""The interpretation fixture study (tests/data/interpretation), built through the
library: six cases in three sample groups, two themes, codings, two summaries and
one not-applicable cell.  Shared by test_queries, test_search and test_golden."""

from __future__ import annotations

import shutil
from pathlib import Path

import framework_qda as fq

DATA = Path(__file__).parent / "data" / "interpretation"


def build(target: Path) -> Path:
    """Copy the fixture study to ``target`` and fill its store; returns the folder."""
    shutil.copytree(DATA, target)
    with fq.open_study(target) as s:
        s.import_cases("cases.csv")
        s.import_codebook("codebooks/framework.yaml")
        report = s.ingest()
        assert not report.failed, [f.message for f in report.failed]
        s.import_codings("codings.csv", coder="hb")
        s.set_summary("C1", "1.1", "Pooled falls budget; 'the only way' [C1:2]", author="hb")
        s.set_summary("C3", "1.1", "Sceptical: accountability for pooled money [C3:2]",
                      author="jk")
        s.set_summary("C10", "2.1", "", not_applicable=True, author="jk")
    return target
