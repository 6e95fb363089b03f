"""A study folder and its store: the facade that the CLI and notebooks call.

Every method is one user action: it reads or changes the store (changes in
one transaction) and returns data; it never prints, prompts or exits.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.cases import read_cases
from framework_qda.codebook import read_codebook
from framework_qda.coding import (
    CodingReport,
    code_segments,
    export_codings,
    import_codings,
    resolve_source,
)
from framework_qda.config import CONFIG_NAME, StudyConfig, load_config
from framework_qda.errors import FqdaError, StudyNotFound, UnknownReference
from framework_qda.ingest import IngestReport, ingest_paths
from framework_qda.matrix import Matrix, SummaryState, build_cells, build_matrix, evidence_hash
from framework_qda.model import Case, Cell, Codebook, Evidence, Quote, Segment, order_cases
from framework_qda.query import (
    CaseProfile,
    ThemeView,
    select_quotes,
    within_case,
    within_theme,
)
from framework_qda.store import Store
from framework_qda.tabular import read_table

STORE_DIR = ".fqda"
STORE_NAME = "study.db"
CASES_HEADER = "case,group\n"
WORKBOOK = "matrices/framework.xlsx"


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
    """Make a study folder (safe on an existing one: nothing is overwritten)."""
    root = Path(path).resolve()
    for sub in ("transcripts", "codebooks", "matrices", STORE_DIR):
        (root / sub).mkdir(parents=True, exist_ok=True)
    cases = root / "cases.csv"
    if not cases.exists():
        cases.write_text(CASES_HEADER, encoding="utf-8")
    config = root / CONFIG_NAME
    if not config.exists():
        config.write_text(
            "# framework-qda study settings (all optional; see README)\n"
            "# groups: [First group, Second group]   # order of sample groups in matrices\n"
            "# attribution: '— {group}, {case}'     # how quotes are attributed\n",
            encoding="utf-8",
        )
    Study(root).close()
    return root


def open_study(path: Path | str = ".") -> Study:
    """Open the study that ``path`` is in (walking up like git)."""
    return Study(find_study(path))


def coder_identity(explicit: str | None = None) -> str:
    """Who is coding: ``explicit``, else ``$FQDA_CODER``, else git's user.name, else the login."""
    if explicit:
        return explicit
    if os.environ.get("FQDA_CODER"):
        return os.environ["FQDA_CODER"]
    try:
        out = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                             timeout=5, check=False)
        if out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@dataclass
class RunReport:
    """What ``fqda run`` did, step by step."""

    steps: list[tuple[str, str]] = field(default_factory=list)
    ingest: IngestReport | None = None
    workbook: Path | None = None


class Study:
    """An open study folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config: StudyConfig = load_config(root)
        (root / STORE_DIR).mkdir(exist_ok=True)
        self.store = Store(root / STORE_DIR / STORE_NAME)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def path(self, relative: Path | str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    # -- cases -------------------------------------------------------------
    def import_cases(self, path: Path | str) -> tuple[int, int]:
        """Import a cases file; returns (added, updated)."""
        cases = read_cases(self.path(path))
        with self.store.atomic():
            return self.store.upsert_cases(cases)

    def cases(self) -> list[Case]:
        """Cases in matrix row order (see :func:`order_cases`)."""
        groups = self.config.groups or self.store.codebook().groups
        return order_cases(self.store.cases(), groups, self.config.order_by)

    def case(self, case_id: str) -> Case:
        case = self.store.case(case_id)
        if case is None:
            raise UnknownReference(f"no case {case_id}; `fqda status` lists the cases")
        return case

    # -- transcripts -------------------------------------------------------
    def ingest(
        self, paths: Sequence[Path | str] = (), *, case: str | None = None, model: str = "",
        force: bool = False, progress: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest transcript files or folders (default: ``transcripts/``)."""
        targets = [self.path(p) for p in paths] or [self.root / "transcripts"]
        return ingest_paths(self.store, self.config, targets, case=case, model=model,
                            force=force, progress=progress)

    def segments(self, name: str, first: int | None = None, last: int | None = None
                 ) -> list[Segment]:
        """The numbered segments of a case's source (or a named source)."""
        source = resolve_source(self.store, name)
        return self.store.segments(source.id, first, last)

    # -- framework ---------------------------------------------------------
    @property
    def codebook(self) -> Codebook:
        return self.store.codebook()

    def import_codebook(self, path: Path | str) -> dict[str, list[str]]:
        """Make the study's framework equal to a codebook file, matching by code."""
        cb = read_codebook(self.path(path))
        with self.store.atomic():
            return self.store.save_codebook(cb)

    # -- indexing ----------------------------------------------------------
    def code(self, refs: Sequence[str], subtopics: Sequence[str], coder: str | None = None,
             memo: str = "") -> CodingReport:
        return code_segments(self.store, refs, subtopics, coder_identity(coder), memo)

    def import_codings(self, path: Path | str, coder: str | None = None,
                       dry_run: bool = False) -> CodingReport:
        return import_codings(self.store, self.path(path), coder_identity(coder), dry_run)

    def export_codings(self, path: Path | str) -> int:
        return export_codings(self.store, self.path(path))

    # -- charting ----------------------------------------------------------
    def set_summary(self, case_id: str, subtopic: str, text: str = "", *,
                    not_applicable: bool = False, author: str | None = None) -> Cell:
        """Write a cell's summary (or mark it not applicable); returns the new cell."""
        self.case(case_id)
        ids = self.store.subtopic_ids()
        if subtopic not in ids:
            raise UnknownReference(f"unknown sub-topic {subtopic}; `fqda codebook show` lists them")
        evidence = self.store.evidence([subtopic], case_id)
        with self.store.atomic():
            self.store.put_summary(case_id, ids[subtopic], text.strip(),
                                   "not-applicable" if not_applicable else "summarised",
                                   coder_identity(author), evidence_hash(evidence))
        return self.cells()[(case_id, subtopic)]

    def import_summaries(self, path: Path | str, author: str | None = None) -> int:
        """Fill empty summaries from a CSV (``case,subtopic,summary``); returns how many.

        Summaries already in the study are never overwritten.
        """
        table = read_table(self.path(path))
        ids = self.store.subtopic_ids()
        have = self.store.summaries()
        known = {c.id for c in self.store.cases()}
        problems = [f"{table.path}:{line}: unknown case {row.get('case')} or sub-topic "
                    f"{row.get('subtopic')}" for line, row in table.rows
                    if row.get("case") not in known or row.get("subtopic") not in ids]
        if problems:
            from framework_qda.errors import ValidationError
            raise ValidationError(f"{table.path}: nothing was imported", problems)
        who = coder_identity(author)
        added = 0
        with self.store.atomic():
            for _, row in table.rows:
                key = (row["case"], row["subtopic"])
                if key in have or not row.get("summary"):
                    continue
                ev = self.store.evidence([row["subtopic"]], row["case"])
                self.store.put_summary(row["case"], ids[row["subtopic"]], row["summary"],
                                       "summarised", row.get("author") or who, evidence_hash(ev))
                added += 1
        return added

    # -- matrices and queries ---------------------------------------------
    def cells(self, subtopics: Sequence[str] | None = None) -> dict[tuple[str, str], Cell]:
        """Every (case, sub-topic) cell, for all sub-topics or those given."""
        cb = self.codebook
        subs = [s for s in cb.subtopics if subtopics is None or s.code in subtopics]
        summaries = {k: SummaryState(v.text, v.state, v.evidence_hash)
                     for k, v in self.store.summaries().items()}
        evidence = self.store.evidence([s.code for s in subs])
        return build_cells(self.store.cases(), subs, evidence, summaries)

    def _theme(self, code: str) -> tuple[Codebook, str]:
        cb = self.codebook
        if not cb.themes:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        try:
            return cb, cb.theme(code).code
        except KeyError:
            codes = ", ".join(t.code for t in cb.themes)
            raise UnknownReference(f"no theme {code}; the themes are {codes}") from None

    def matrix(self, theme: str, groups: Sequence[str] = ()) -> Matrix:
        """One theme's framework matrix (optionally only some sample groups)."""
        cb, code = self._theme(theme)
        t = cb.theme(code)
        cases = self._filter_groups(self.cases(), groups)
        return build_matrix(t, cases, self.cells([s.code for s in t.subtopics]))

    def matrices(self, themes: Sequence[str] = (), groups: Sequence[str] = ()) -> list[Matrix]:
        cb = self.codebook
        wanted = [self._theme(t)[1] for t in themes] if themes else [t.code for t in cb.themes]
        cells = self.cells()
        cases = self._filter_groups(self.cases(), groups)
        return [build_matrix(cb.theme(code), cases, cells) for code in wanted]

    @staticmethod
    def _filter_groups(cases: list[Case], groups: Sequence[str]) -> list[Case]:
        if not groups:
            return cases
        wanted = {g.casefold() for g in groups}
        kept = [c for c in cases if c.group.casefold() in wanted]
        if not kept:
            raise UnknownReference(f"no case is in group {', '.join(groups)}")
        return kept

    def case_profile(self, case_id: str, theme: str | None = None) -> CaseProfile:
        """Within-case: every theme's sub-topics for one case."""
        case = self.case(case_id)
        cb = self.codebook
        if theme is not None:
            theme = self._theme(theme)[1]
        return within_case(case, cb, self.cells(), theme)

    def theme_view(self, theme: str, by: str = "group", subtopic: str | None = None) -> ThemeView:
        """Within-theme: each sub-topic across the sample, grouped by ``by``."""
        cb, code = self._theme(theme)
        t = cb.theme(code)
        return within_theme(t, self.cases(), self.cells([s.code for s in t.subtopics]), by,
                            subtopic)

    def quotes(
        self, code: str, *, groups: Sequence[str] = (), where: dict[str, str] | None = None,
        speaker: str | None = None, min_words: int = 0, max_words: int = 0, limit: int = 0,
    ) -> list[Quote]:
        """Verbatim quotes coded to a sub-topic (or every sub-topic of a theme)."""
        cb = self.codebook
        if code in {s.code for s in cb.subtopics}:
            codes = [code]
        else:
            codes = [s.code for s in cb.theme(self._theme(code)[1]).subtopics]
        evidence = self.store.evidence(codes)
        order = {c.id: i for i, c in enumerate(self.cases())}
        evidence.sort(key=lambda e: (codes.index(e.subtopic), order.get(e.case_id, 0)))
        cases = {c.id: c for c in self.store.cases()}
        return select_quotes(evidence, cases, self.config.attribution, groups=groups,
                             where=where, speaker=speaker, min_words=min_words,
                             max_words=max_words, limit=limit)

    def evidence(self) -> list[Evidence]:
        """Every accepted coding as verbatim evidence, in row and codebook order."""
        order = {c.id: i for i, c in enumerate(self.cases())}
        position = {s.code: i for i, s in enumerate(self.codebook.subtopics)}
        ev = self.store.evidence()
        ev.sort(key=lambda e: (order.get(e.case_id, 0), position.get(e.subtopic, 0)))
        return ev

    # -- output ------------------------------------------------------------
    def export_excel(self, path: Path | str | None = None, themes: Sequence[str] = (),
                     groups: Sequence[str] = ()) -> Path:
        """Write the framework workbook (default ``matrices/framework.xlsx``)."""
        from framework_qda.export.excel import write_workbook

        target = self.path(path or WORKBOOK)
        matrices = self.matrices(themes, groups)
        if not matrices:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        keep = {c.id for c in matrices[0].cases}
        evidence = [e for e in self.evidence() if e.case_id in keep]
        return write_workbook(target, matrices, evidence, self.codebook, matrices[0].cases,
                              attributes=self.config.order_by)

    def run(self, progress: Callable[[Path], None] | None = None) -> RunReport:
        """The whole pipeline on this study: cases, codebook, ingest, codings, export.

        Safe to run again: unchanged inputs change nothing.
        """
        report = RunReport()
        cases = self.root / "cases.csv"
        if cases.exists():
            added, updated = self.import_cases(cases)
            report.steps.append(("cases", f"{added} added, {updated} updated from cases.csv"))
        books = sorted((self.root / "codebooks").glob("*.y*ml"))
        if books:
            book = self.root / "codebooks" / "framework.yaml"
            book = book if book.exists() else books[0]
            changes = self.import_codebook(book)
            report.steps.append(("codebook", f"{book.relative_to(self.root)}: "
                                 f"{len(self.codebook.subtopics)} sub-topics, "
                                 f"{len(changes['added'])} new, {len(changes['changed'])} changed"))
        report.ingest = self.ingest(progress=progress)
        ing = report.ingest
        report.steps.append(("ingest", f"{ing.count('added')} added, {ing.count('updated')} "
                             f"updated, {ing.count('unchanged')} unchanged, "
                             f"{ing.count('skipped')} skipped, {len(ing.failed)} failed"))
        codings = self.root / "codings.csv"
        if codings.exists():
            rep = self.import_codings(codings)
            report.steps.append(("codings", f"{rep.added} added, {rep.existing} already "
                                 "present from codings.csv"))
        summaries = self.root / "summaries.csv"
        if summaries.exists():
            n = self.import_summaries(summaries)
            report.steps.append(("summaries", f"{n} added from summaries.csv"))
        report.workbook = self.export_excel()
        report.steps.append(("export", str(report.workbook.relative_to(self.root))))
        return report
