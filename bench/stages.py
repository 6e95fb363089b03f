"""Work timed inside the benchmark's child processes.

Each function runs in a fresh process started by ``run.py`` (so it pays its
own imports, as a user's command does) and writes what it measured as JSON:
``{"stages": {name: {"seconds", "cpu", "rss_mb"}}, "notes": {name: text}}``.
"""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    import resource

    # ru_maxrss is in KiB on Linux: the peak so far of this process.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(record: dict[str, Any], stage: str, fn: Callable[[], Any]) -> Any:
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    record[stage] = {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                     "rss_mb": _rss_mb()}
    return value


def child_pipeline(study_dir: Path, result: Path) -> None:
    """The pipeline through the library API, one stage at a time."""
    record: dict[str, Any] = {}
    notes: dict[str, str] = {}
    start = time.perf_counter()
    from framework_qda import Study

    record["import"] = {"seconds": time.perf_counter() - start, "rss_mb": _rss_mb()}
    study = Study(study_dir)

    def setup() -> None:
        study.import_cases("cases.csv")
        study.import_codebook("codebooks/framework.yaml")

    _timed(record, "setup", setup)
    report = _timed(record, "ingest", study.ingest)
    bad = [f for f in report.files if f.status not in ("added", "updated", "unchanged")]
    notes["ingest"] = f"{report.count('added')} added" + (f", {len(bad)} not ingested"
                                                          if bad else "")
    if bad:
        # Fast because it skipped files is not fast: the stage fails.
        record["ingest"]["incomplete"] = len(bad)
    suggest = getattr(study, "suggest", None)
    if suggest is not None:
        found = _timed(record, "suggest", suggest)
        notes["suggest"] = _describe(found)
    codings = _timed(record, "import codings",
                     lambda: study.import_codings("codings.csv", coder="bench"))
    notes["import codings"] = f"{codings.added} codings"
    _timed(record, "matrix build", study.matrices)
    target = study_dir / "matrices" / "framework.xlsx"
    _timed(record, "matrix + excel", lambda: study.export_excel(target))
    first_case = study.cases()[0].id
    _timed(record, "query quotes", lambda: study.quotes("1.1"))
    _timed(record, "query case", lambda: study.case_profile(first_case))
    _timed(record, "query theme", lambda: study.theme_view("1"))
    search = getattr(study, "search", None)
    if search is not None:
        _timed(record, "query search", lambda: search("handover sheet"))
    study.close()
    result.write_text(json.dumps({"stages": record, "notes": notes}), encoding="utf-8")


def child_survey(study_dir: Path, survey_csv: Path, result: Path) -> None:
    """Survey ingest (and suggest) through the library API."""
    record: dict[str, Any] = {}
    notes: dict[str, str] = {}
    from framework_qda import FqdaError, Study

    study = Study(study_dir)
    study.import_codebook("codebooks/framework.yaml")
    try:
        report = _timed(record, "survey ingest", lambda: study.ingest([survey_csv]))
    except FqdaError as exc:
        record.pop("survey ingest", None)
        notes["survey ingest"] = f"not available: {exc}"
    else:
        segments = sum(f.segments for f in report.files)
        if report.failed or segments == 0:
            record.pop("survey ingest", None)
            why = report.failed[0].message if report.failed else "no segments"
            notes["survey ingest"] = f"not available: {why}"
        else:
            notes["survey ingest"] = f"{segments} answers"
            suggest = getattr(study, "suggest", None)
            if suggest is not None:
                notes["survey suggest"] = _describe(_timed(record, "survey suggest", suggest))
    study.close()
    result.write_text(json.dumps({"stages": record, "notes": notes}), encoding="utf-8")


def _describe(value: object) -> str:
    for attr in ("added", "suggested", "count"):
        n = getattr(value, attr, None)
        if isinstance(n, int):
            return f"{n} suggestions"
    return ""


def child_cells(workbook: Path, target: Path) -> None:
    """Every cell value of the exported workbook, sheet by sheet, pickled, with
    each cell's link and note so the baseline writes the same content."""
    from openpyxl import load_workbook

    wb = load_workbook(workbook)
    sheets = []
    for ws in wb.worksheets:
        rows: list[list[object]] = []
        links: list[tuple[int, int, str]] = []
        notes: list[tuple[int, int, str]] = []
        for r, row in enumerate(ws.iter_rows()):
            rows.append([cell.value for cell in row])
            for c, cell in enumerate(row):
                link = cell.hyperlink
                if link is not None:
                    url = (f"internal:{link.location}" if link.location
                           else str(link.target))
                    links.append((r, c, url))
                if cell.comment is not None:
                    notes.append((r, c, cell.comment.text))
        sheets.append((ws.title, rows, links, notes))
    wb.close()
    with target.open("wb") as f:
        pickle.dump(sheets, f)


_TURN_WORDS = ("the budget was tight so we planned the winter rota with the care home "
               "staff and kept the handover sheet on the ward")


def long_transcript(path: Path, turns: int) -> None:
    """One interview of ``turns`` alternating turns of about 25 words, seeded."""
    import random

    rng = random.Random(turns)
    words = _TURN_WORDS.split()
    with path.open("w", encoding="utf-8") as out:
        for i in range(turns):
            who = "Interviewer" if i % 2 == 0 else "Participant"
            out.write(f"{who}: " + " ".join(rng.choice(words) for _ in range(25)) + ".\n\n")


def child_turns(study_dir: Path, result: Path) -> None:
    """Ingest of the study's one long transcript through the library API."""
    record: dict[str, Any] = {}
    from framework_qda import Study

    study = Study(study_dir)
    report = _timed(record, "turns ingest", study.ingest)
    segments = sum(f.segments for f in report.files)
    study.close()
    result.write_text(json.dumps({"stages": record, "notes": {"turns ingest":
                                  f"{segments} segments"}}), encoding="utf-8")
