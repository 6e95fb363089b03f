"""What ingesting asked for and what came of it: options, each file's outcome, the report."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    path: str
    status: str
    """``added``, ``updated``, ``unchanged``, ``skipped`` or ``failed``."""
    case_id: str = ""
    segments: int = 0
    message: str = ""
    table: str = ""
    """For one row of a survey table: the table's path (``path`` is ``table:line``)."""


@dataclass(frozen=True)
class IngestOptions:
    """How to ingest: what the ``fqda ingest`` options say."""

    case: str | None = None
    """Case id for every file (instead of the file-name pattern)."""
    model: str = ""
    """An installed spaCy pipeline for sentences (default: the study's, else blank)."""
    force: bool = False
    """Re-ingest a changed file even when codings on vanished text must be dropped."""
    new_cases: bool = False
    """Create cases the study does not have yet (with an empty sample group)."""
    id_column: str = ""
    """Survey tables: the column holding the case id."""
    columns: tuple[str, ...] = ()
    """Survey tables: the open-ended answer columns."""
    jobs: int = 1
    """Worker processes reading and segmenting files (0: one per core); the
    files are stored by this process, in order, the same rows as one job."""


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    def summarised(self) -> list[FileOutcome]:
        """The outcomes as a person reads them: each run of survey rows of one
        table with the same status and nothing to say is one outcome
        (``survey.csv:2-100001``, ``R1 … R100000 (100,000 cases)``); a row
        that failed or has a note stays its own line.

        A table of 100,000 answers is otherwise 100,000 lines of report,
        and laying them out as a terminal table took several times longer
        than ingesting them.
        """
        shown: list[FileOutcome] = []
        run: list[FileOutcome] = []

        def close() -> None:
            if len(run) == 1:
                shown.append(run[0])
            elif run:
                first, last = run[0], run[-1]
                lines = f"{first.path.rsplit(':', 1)[-1]}-{last.path.rsplit(':', 1)[-1]}"
                shown.append(FileOutcome(
                    f"{first.table}:{lines}", first.status,
                    f"{first.case_id} … {last.case_id} ({len(run):,} cases)",
                    sum(f.segments for f in run), table=first.table))
            run.clear()

        for outcome in self.files:
            plain = outcome.table and not outcome.message and outcome.status != "failed"
            if run and not (plain and (outcome.table, outcome.status)
                            == (run[0].table, run[0].status)):
                close()
            if plain:
                run.append(outcome)
            else:
                shown.append(outcome)
        close()
        return shown
