"""A study folder and its store: the facade that the CLI and notebooks call.

Every method is one user action: it reads or changes the store (changes in
one transaction) and returns data; it never prints, prompts or exits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.config import CONFIG_NAME
from framework_qda.errors import FqdaError, StudyNotFound
from framework_qda.files import write_file
from framework_qda.scaffold import CODEBOOK_TEMPLATE, GITIGNORE, SETTINGS_TEMPLATE
from framework_qda.study_core import (  # noqa: F401  (re-exported)
    CHARTING_WORKBOOK,
    CONFIG_CACHE,
    STORE_DIR,
    STORE_NAME,
    WORKBOOK,
    coder_identity,
)
from framework_qda.study_outputs import Outputs

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.ingest import IngestReport
    from framework_qda.inputs import InputOutcome, Prefer

CASES_HEADER = "case,group\n"


def find_study(start: Path | str = ".") -> Path:
    """The study folder at or above ``start`` (holding ``fqda.yaml`` or ``.fqda/``)."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / STORE_DIR).is_dir():
            return folder
    raise StudyNotFound(
        f"no study found in {here} or any folder above it; run `fqda init` to make one, "
        "or pass --study PATH"
    )


def init_study(path: Path | str = ".") -> Path:
    """Make a study folder a newcomer can fill in: transcripts/, codebooks/ with a
    commented template, matrices/, a cases.csv header, a commented fqda.yaml and a
    .gitignore for the store.  Safe on an existing folder: nothing is overwritten."""
    root = Path(path).resolve()
    try:
        for sub in ("transcripts", "codebooks", "matrices"):
            (root / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FqdaError(f"{root}: cannot make the study folder ({exc.strerror})") from None
    codebooks = root / "codebooks"
    files = [(root / "cases.csv", CASES_HEADER, "the cases file"),
             (root / CONFIG_NAME, SETTINGS_TEMPLATE, "the study settings"),
             (root / ".gitignore", GITIGNORE, "the .gitignore")]
    if not any(codebooks.iterdir()):
        files.append((codebooks / "framework.yaml", CODEBOOK_TEMPLATE, "the codebook"))
    for target, text, what in files:
        if not target.exists() and not target.is_symlink():
            write_file(target, text, what, "choose another folder")
    Study(root).close()
    return root


def open_study(path: Path | str = ".") -> Study:
    """Open the study that ``path`` is in (walking up like git)."""
    return Study(find_study(path))




@dataclass
class RunReport:
    """What ``fqda run`` did, step by step."""

    steps: list[tuple[str, str]] = field(default_factory=list)
    """(step, what it did), in the order done."""
    ingest: IngestReport | None = None
    inputs: list[InputOutcome] = field(default_factory=list)
    """What became of each hand-written file (cases, codebook, codings, summaries)."""
    written: list[Path] = field(default_factory=list)
    """The output files written: the workbook, the CSV tables, the quote bank."""

    @property
    def workbook(self) -> Path | None:
        return self.written[0] if self.written else None

    @property
    def conflicts(self) -> list[str]:
        """Rows of hand-written files left unapplied because they conflict with the study."""
        return [c for o in self.inputs for c in o.conflicts]


class Study(Outputs):
    """An open study folder: one method per user action, grouped by the stage of the
    Framework method it belongs to (``study_core.py`` … ``study_outputs.py``)."""

    def run(self, progress: Callable[[Path], None] | None = None,
            step: Callable[[str, str], None] | None = None, prefer: Prefer = None,
            begin: Callable[[str], None] | None = None) -> RunReport:
        """The whole pipeline on this study, in the method's order:

        1. ``cases.csv``, when it changed since the last run;
        2. the codebook in ``codebooks/`` (``framework.*``, else the one file
           there), when it changed;
        3. every transcript under ``transcripts/`` (unchanged files are left);
        4. ``codings.csv`` and 6. ``summaries.csv``: only rows new or changed in
           the file since it was last applied, and none that would undo what was
           done in the study since (conflicts are reported and that file is
           not applied until ``prefer`` says which side wins);
        5. the codebook's keyword and pattern suggestions (for review);
        7. the outputs: ``matrices/framework.xlsx``, the CSV tables in
           ``matrices/csv/``, the quote bank ``matrices/quotes.md`` and the
           clickable matrices ``matrices/framework.html``.

        Running it again on an unchanged folder changes nothing in the study.
        ``begin`` hears what is starting (for a progress line), ``step`` each step
        as it finishes.
        """
        from framework_qda import inputs

        report = RunReport()

        def start(what: str) -> None:
            if begin is not None:
                begin(what)

        def done(name: str, what: str) -> None:
            report.steps.append((name, what))
            if step is not None:
                step(name, what)

        cases = self.root / "cases.csv"
        if cases.exists():
            sha, _, same = inputs.unchanged(self.store, self.root, cases)
            if same:
                done("cases", "cases.csv unchanged since last applied")
            else:
                added, updated = self.import_cases(cases)
                inputs.record(self.store, self.root, cases, sha)
                done("cases", f"{added} added, {updated} updated from cases.csv")
        book, why = inputs.codebook_file(self.root, self.store.meta("codebook_file"))
        if book is not None:
            rel = inputs.relative(self.root, book)
            sha, _, same = inputs.unchanged(self.store, self.root, book)
            if same:
                done("codebook", f"{rel} unchanged since last applied")
            else:
                changes = self.import_codebook(book)
                inputs.record(self.store, self.root, book, inputs.sha_of(book))
                done("codebook", f"{rel}: {len(self.codebook.subtopics)} sub-topics, "
                     f"{len(changes.added)} new, {len(changes.changed)} changed")
        elif why:
            done("codebook", why)
        start("transcripts")
        report.ingest = self.ingest(progress=progress)
        ing = report.ingest
        done("ingest", f"{ing.count('added')} added, {ing.count('updated')} "
             f"updated, {ing.count('unchanged')} unchanged, "
             f"{ing.count('skipped')} skipped, {len(ing.failed)} failed")
        codings = self.root / "codings.csv"
        if codings.exists():
            start("codings.csv")
            outcome = inputs.apply_codings(self.store, self.root, codings,
                                           self._as(None, "run: codings.csv"), prefer)
            report.inputs.append(outcome)
            done("codings", outcome.message)
        if self.codebook.subtopics:
            start("suggestions")
            found = self.suggest()
            done("suggest", f"{len(self.store.suggestions())} suggestions "
                 f"left for review ({found.added} new)")
        summaries = self.root / "summaries.csv"
        if summaries.exists():
            start("summaries.csv")
            outcome = inputs.apply_summaries(self.store, self.root, summaries,
                                             self._as(None, "run: summaries.csv"), prefer)
            report.inputs.append(outcome)
            done("summaries", outcome.message)
        if self.codebook.subtopics:
            start("the workbook")
            report.written.append(self.export_excel())
            start("the CSV tables")
            report.written.extend(self.export_csv())
            start("the quote bank")
            report.written.append(self.export_quotes())
            start("the HTML matrices")
            report.written.append(self.export_html())
            folders = sorted({inputs.relative(self.root, p.parent) for p in report.written})
            done("export", f"{len(report.written)} files in {', '.join(folders)}")
        return report

    def check(self) -> list[str]:
        """Every way the store disagrees with its own text, one line each ([] when
        none): codings over other words than they were made on, spans outside their
        source, a search index out of step; see :mod:`framework_qda.integrity`."""
        from framework_qda.integrity import check_store

        return check_store(self.store)
