"""Familiarisation's reports as rows: what ``fqda ingest`` did, file by file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from framework_qda.render.tables import Rows

if TYPE_CHECKING:
    from framework_qda.ingest import IngestReport

INGEST_STATUSES = ("added", "updated", "unchanged", "skipped", "failed")


def ingest_rows(report: IngestReport, shown: Callable[[str], str]) -> Rows:
    """One row per file (a survey table once, with its rows' tally), for a person.

    A file's path is shown as ``shown`` gives it (from the current folder); the
    segments column is blank for a file that wrote none (unchanged, failed).
    """
    return [{"file": f.path if f.table else shown(f.path), "status": f.status,
             "case": f.case_id,
             "segments": f.segments if f.status in ("added", "updated") else "",
             "note": f.message}
            for f in report.summarised()]


def ingest_records(report: IngestReport) -> Rows:
    """Every file, each survey row too, with the segments it wrote: for a script."""
    return [{"file": f.path, "table": f.table, "status": f.status, "case": f.case_id,
             "segments_written": f.segments, "note": f.message} for f in report.files]


def ingest_tally(report: IngestReport) -> str:
    """``3 added, 0 updated, 11 unchanged, 0 skipped, 0 failed``."""
    return ", ".join(f"{report.count(k)} {k}" for k in INGEST_STATUSES)
