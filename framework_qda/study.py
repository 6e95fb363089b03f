"""A study folder and its store: the facade that the CLI and notebooks call.

Every method is one user action: it reads or changes the store (changes in
one transaction) and returns data; it never prints, prompts or exits.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.config import CONFIG_NAME, StudyConfig, load_config
from framework_qda.errors import FqdaError, StudyNotFound, UnknownReference
from framework_qda.files import private_folder, write_file
from framework_qda.matrix import Matrix, SummaryState, build_cells, build_matrix
from framework_qda.model import (
    Case,
    Cell,
    Codebook,
    Evidence,
    Quote,
    Segment,
    order_cases,
)
from framework_qda.query import (
    CaseProfile,
    Comparison,
    Cooccurrence,
    ThemeView,
    compare,
    cooccurrence,
    covered_cells,
    select_quotes,
    within_case,
    within_theme,
)
from framework_qda.refs import case_id as codable_case_id
from framework_qda.scaffold import CODEBOOK_TEMPLATE, GITIGNORE, SETTINGS_TEMPLATE
from framework_qda.store import Store
from framework_qda.store.codebook import ChangeRecord, SubtopicUse

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    import pandas as pd

    from framework_qda.agreement import Agreement
    from framework_qda.charting import ChartingStatus, EditFn, RowCharting
    from framework_qda.codebook_changes import CodebookChange
    from framework_qda.coders import CellDisagreements, Disagreements, Resolution
    from framework_qda.coding import CodingReport
    from framework_qda.export.agreement_sheets import CoderComparison
    from framework_qda.export.charting import ChartImport
    from framework_qda.history import Action
    from framework_qda.ingest import IngestOptions, IngestReport
    from framework_qda.inputs import InputOutcome, Prefer
    from framework_qda.merge import MergeReport
    from framework_qda.project import ProjectReport
    from framework_qda.pseudonyms import Leak, Replacer
    from framework_qda.quote_bank import ThemePassages
    from framework_qda.review_queue import BulkReport, Decision, QueueFilter, QueueItem
    from framework_qda.search import Passage
    from framework_qda.session import CodingSession, SuggestionReview
    from framework_qda.store import NameEntry
    from framework_qda.suggestion import SuggestReport
    from framework_qda.versions import CellVersions

STORE_DIR = ".fqda"
CONFIG_CACHE = "config.json"
STORE_NAME = "study.db"
CASES_HEADER = "case,group\n"
WORKBOOK = "matrices/framework.xlsx"
CHARTING_WORKBOOK = "matrices/charting.xlsx"


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


def coder_identity(explicit: str | None = None) -> str:
    """Who is coding: ``explicit``, else ``$FQDA_CODER``, else git's user.name, else the login."""
    if explicit:
        return explicit
    if os.environ.get("FQDA_CODER"):
        return os.environ["FQDA_CODER"]
    import getpass  # only writers ask who is coding; readers start without these
    import subprocess

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


class Study:
    """An open study folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        private_folder(root / STORE_DIR)
        self.config: StudyConfig = load_config(root, root / STORE_DIR / CONFIG_CACHE)
        self.store = Store(root / STORE_DIR / STORE_NAME)
        self.store.identify = self._who
        self._blind()

    def _blind(self) -> None:
        """Where blinding is on for the coder this session acts as, every view
        (matrices, cases, themes, quotes, status, exports, suggestions) reads only
        that coder's codings and summaries: the store filters what it reads."""
        blind = self.store.blind_coders()
        self.store.layer = self._who() if blind and self._who() in blind else None

    def _who(self) -> str:
        """Who this session acts as, for the history (asked once, only by writers)."""
        if not hasattr(self, "_identity"):
            self._identity = coder_identity()
        return self._identity

    @property
    def command(self) -> str:
        """What the user asked for, as recorded in the history with what it changed
        (``fqda`` sets the command line; a notebook may set its own words)."""
        return self.store.command

    @command.setter
    def command(self, value: str) -> None:
        self.store.command = value

    def _as(self, who: str | None, label: str) -> str:
        """Record what follows as ``who``'s (default: the coder) doing ``label``
        (when no command line was set); returns who."""
        self.store.actor = coder_identity(who)
        self.store.label = label
        return self.store.actor

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
    def import_cases(self, path: Path | str, data: bytes | None = None) -> tuple[int, int]:
        """Import a cases file; returns (added, updated).  With ``data`` the table is
        those bytes (standard input), and ``path`` only names it in messages."""
        from framework_qda.cases import read_cases

        cases = read_cases(self.path(path) if data is None else Path(path), data)
        self._as(None, f"cases import {path}")
        with self.store.atomic():
            return self.store.upsert_cases(cases)

    def cases(self) -> list[Case]:
        """Cases in matrix row order (see :func:`order_cases`), withdrawn ones left out."""
        groups = self.config.groups or self.store.codebook().groups
        return order_cases([c for c in self.store.cases() if not c.withdrawn], groups,
                           self.config.order_by)

    def cases_frame(self) -> pd.DataFrame:
        """The cases as a DataFrame (index ``case``, row order): ``group`` as an ordered
        categorical, then each attribute, numbers as numbers, blanks NA."""
        from framework_qda.frames import cases_frame

        return cases_frame(self.cases())

    def case_key(self, case_id: str) -> str:
        """The stored id a typed case id names: itself, or its codable form
        (``Interview 10`` for ``Interview_10``, see :func:`refs.case_id`)."""
        codable = codable_case_id(case_id)
        if codable == case_id or self.store.case(case_id) is not None:
            return case_id
        return codable

    def case(self, case_id: str) -> Case:
        case = self.store.case(self.case_key(case_id))
        if case is None:
            raise UnknownReference(f"no case {case_id}; `fqda status` lists the cases")
        return case

    # -- transcripts -------------------------------------------------------
    def ingest(
        self, paths: Sequence[Path | str] = (), *, case: str | None = None, model: str = "",
        force: bool = False, progress: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest transcript files or folders (default: ``transcripts/``);
        :meth:`ingest_files` takes every option of ``fqda ingest``."""
        from framework_qda.ingest import IngestOptions

        return self.ingest_files(paths, IngestOptions(case, model, force), progress)

    def segments(self, name: str, first: int | None = None, last: int | None = None
                 ) -> list[Segment]:
        """The numbered segments of a case's source (or a named source)."""
        from framework_qda.coding import resolve_source

        source = resolve_source(self.store, name)
        return self.store.segments(source.id, first, last)

    # -- framework ---------------------------------------------------------
    @property
    def codebook(self) -> Codebook:
        return self.store.codebook()

    def import_codebook(self, path: Path | str) -> dict[str, list[str]]:
        """Make the study's framework equal to a codebook file (YAML, CSV, XLSX, REFI-QDA),
        matching sub-topics by GUID, then code, so codings and summaries stay.

        Returns the codes ``added``, ``changed``, ``recoded``, ``removed`` and ``warnings``.
        """
        from framework_qda.codebook_changes import import_file

        return import_file(self.store, self.path(path), self.root,
                           self._as(None, f"codebook import {path}"))

    # -- indexing ----------------------------------------------------------
    def code(self, refs: Sequence[str], subtopics: Sequence[str] = (),
             coder: str | None = None, memo: str = "", quote: str = "") -> CodingReport:
        """Code segments, ranges, lines, a sentence or a quote to sub-topics (see coding.py).

        Codes may also stand among ``refs``; a case named there is where ``quote`` is found.
        """
        from framework_qda.coding import code_targets

        who = self._as(coder, "code " + " ".join([*refs, *subtopics]))
        return code_targets(self.store, refs, subtopics, who, memo, quote)

    def uncode(self, refs: Sequence[str], subtopics: Sequence[str] = (), quote: str = "",
               every: bool = False, coder: str | None = None,
               all_coders: bool = False) -> CodingReport:
        """Remove the accepted codings inside the targets named (all sub-topics with
        ``every``): your own layer's, ``coder``'s, or every layer's with
        ``all_coders`` (see :func:`framework_qda.coding.uncode_targets`)."""
        from framework_qda.coding import uncode_targets

        who = self._as(None, "uncode " + " ".join([*refs, *subtopics]))
        return uncode_targets(self.store, refs, subtopics, quote, every, acting=who,
                              coder=coder, all_coders=all_coders)

    def import_codings(self, path: Path | str, coder: str | None = None,
                       dry_run: bool = False, data: bytes | None = None,
                       in_order: bool = False) -> CodingReport:
        """Import a codings table (see :func:`import_codings`); with ``data`` the table
        is those bytes (standard input), and ``path`` only names it in messages."""
        from framework_qda.codings_table import import_codings

        who = self._as(coder, f"codings import {path}")
        return import_codings(self.store, self.path(path) if data is None else Path(path),
                              who, dry_run, data=data, in_order=in_order)

    def export_codings(self, path: Path | str) -> int:
        """Write every accepted coding as CSV (see :func:`codings_csv`); the row count."""
        from framework_qda.codings_table import export_codings

        return export_codings(self.store, self.path(path))

    def codings_csv(self) -> tuple[str, int]:
        """What :meth:`export_codings` writes, as text, and its row count."""
        from framework_qda.codings_table import codings_csv

        return codings_csv(self.store)

    # -- charting ----------------------------------------------------------
    def set_summary(self, case_id: str, subtopic: str, text: str = "", *,
                    not_applicable: bool = False, author: str | None = None,
                    replace: bool = False) -> Cell:
        """Write a cell's summary (or mark it not applicable; empty text removes the
        summary); returns the new cell.

        References typed in the text (``[P07:12]``) become links; an unknown one
        raises :class:`UnknownReference` and nothing is written.  A person's
        summary is written over (or removed) only with ``replace``, else
        :class:`ConflictError`; the earlier text stays in the history.
        """
        case_id = self.case_key(case_id)
        from framework_qda import charting

        self.case(case_id)
        charting.subtopic_id(self.store, subtopic)
        who = self._as(author, f"chart {case_id} {subtopic}")
        with self.store.atomic():
            charting.set_cell(self.store, case_id, subtopic, text, not_applicable, who, replace)
        return self.cells([subtopic])[(case_id, subtopic)]

    def import_summaries(self, path: Path | str, author: str | None = None) -> int:
        """Fill empty (or drafted) summaries from a CSV (``case,subtopic,summary``);
        returns how many.  Human summaries already in the study are never overwritten.
        """
        from framework_qda import charting
        from framework_qda.tabular import read_table

        table = read_table(self.path(path))
        who = self._as(author, f"summaries import {path}")
        with self.store.atomic():
            return charting.import_table(self.store, str(table.path), table.rows, who)

    # -- matrices and queries ---------------------------------------------
    def cells(self, subtopics: Sequence[str] | None = None, case_id: str | None = None,
              suggested: bool = False, cases: Sequence[Case] | None = None
              ) -> dict[tuple[str, str], Cell]:
        """Every (case, sub-topic) cell, for all sub-topics or those given.

        Only one case's cells when ``case_id`` is given (a within-case view of
        a 1,000-case study must not read every case's evidence).  With
        ``suggested``, rule suggestions awaiting review ride along in each
        cell's ``suggestions`` (display only: never evidence).  ``cases``,
        when the caller has read them already, saves reading them again.
        """
        case_id = self.case_key(case_id) if case_id else case_id
        cb = self.codebook
        subs = [s for s in cb.subtopics if subtopics is None or s.code in subtopics]
        summaries = {k: SummaryState(v.text, v.state, v.evidence_hash, v.provenance)
                     for k, v in self.store.summaries().items()}
        evidence = self.store.evidence([s.code for s in subs], case_id)
        if cases is None:  # callers that already read the cases pass them
            cases = ([c for c in self.store.cases() if not c.withdrawn] if case_id is None
                     else [self.case(case_id)])
        pending = (self.store.evidence([s.code for s in subs], case_id, status="suggested")
                   if suggested else [])
        return build_cells(cases, subs, evidence, summaries, pending)

    def _theme(self, code: str) -> tuple[Codebook, str]:
        cb = self.codebook
        if not cb.themes:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        try:
            return cb, cb.theme(code).code
        except KeyError:
            codes = ", ".join(t.code for t in cb.themes)
            raise UnknownReference(f"no theme {code}; the themes are {codes}") from None

    def matrix(self, theme: str, groups: Sequence[str] = (), suggested: bool = False
               ) -> Matrix:
        """One theme's framework matrix (optionally only some sample groups; with
        ``suggested``, suggestions awaiting review shown in the cells, marked)."""
        cb, code = self._theme(theme)
        t = cb.theme(code)
        ordered = self.cases()
        cases = self._filter_groups(ordered, groups)
        return build_matrix(t, cases, self.cells([s.code for s in t.subtopics], cases=ordered,
                                                  suggested=suggested))

    def matrices(self, themes: Sequence[str] = (), groups: Sequence[str] = (),
                 suggested: bool = False) -> list[Matrix]:
        cb = self.codebook
        wanted = [self._theme(t)[1] for t in themes] if themes else [t.code for t in cb.themes]
        ordered = self.cases()
        cells = self.cells(suggested=suggested, cases=ordered)
        cases = self._filter_groups(ordered, groups)
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

    def case_profile(self, case_id: str, theme: str | None = None,
                     pseudonymise: bool = False) -> CaseProfile:
        """Within-case: every theme's sub-topics for one case (with ``pseudonymise``, the
        register's names replaced in the copy shown)."""
        case_id = self.case_key(case_id)
        case = self.case(case_id)
        cb = self.codebook
        if theme is not None:
            theme = self._theme(theme)[1]
        cells = self.cells(case_id=case.id)
        if pseudonymise:
            names = self._replacer()
            case, cells = names.case(case), {k: names.cell(c) for k, c in cells.items()}
        return within_case(case, cb, cells, theme)

    def theme_view(self, theme: str, by: str = "group", subtopic: str | None = None,
                   pseudonymise: bool = False) -> ThemeView:
        """Within-theme: each sub-topic across the sample, grouped by ``by`` (with
        ``pseudonymise``, the register's names replaced in the copy shown)."""
        cb, code = self._theme(theme)
        t = cb.theme(code)
        # read only the evidence shown: one sub-topic's when one is asked for
        codes = [s.code for s in t.subtopics if s.code == subtopic] or [
            s.code for s in t.subtopics]
        cases = self.cases()
        cells = self.cells(codes, cases=cases)
        if pseudonymise:
            names = self._replacer()
            cases, cells = [names.case(c) for c in cases], {k: names.cell(c)
                                                             for k, c in cells.items()}
        return within_theme(t, cases, cells, by, subtopic)

    def quotes(
        self, code: str | None, *, groups: Sequence[str] = (),
        where: dict[str, str] | None = None,
        speaker: str | None = "participant", min_words: int = 0, max_words: int = 0,
        limit: int = 0, pseudonymise: bool = False,
    ) -> list[Quote]:
        """Verbatim quotes coded to a sub-topic (or every sub-topic of a theme, or, with
        ``code`` None, of the study), in codebook, then case row order.

        Participants' words by default: ``speaker`` ``interviewer``, ``other``,
        a speaker's label, or ``any`` (every speaker; a quote that is not a
        participant's is attributed to the speaker's role)."""
        cb = self.codebook
        if code is None:
            codes = [s.code for s in cb.subtopics]
        elif code in {s.code for s in cb.subtopics}:
            codes = [code]
        elif code in {t.code for t in cb.themes}:
            codes = [s.code for s in cb.theme(code).subtopics]
        else:
            raise UnknownReference(f"no sub-topic or theme {code}; `fqda codebook show` "
                                   "lists them")
        evidence = self.store.evidence(codes)
        ordered = self.cases()
        order = {c.id: i for i, c in enumerate(ordered)}
        rank = {c: i for i, c in enumerate(codes)}
        evidence.sort(key=lambda e: (rank[e.subtopic], order.get(e.case_id, 0)))
        cases = {c.id: c for c in ordered}
        quotes = select_quotes(evidence, cases, self.config.attribution, groups=groups,
                               where=where, speaker=speaker, min_words=min_words,
                               max_words=max_words, limit=limit)
        if pseudonymise:
            names = self._replacer()
            quotes = [names.quote(q) for q in quotes]
        return quotes

    def evidence(self) -> list[Evidence]:
        """Every accepted coding as verbatim evidence, in row and codebook order."""
        order = {c.id: i for i, c in enumerate(self.cases())}
        position = {s.code: i for i, s in enumerate(self.codebook.subtopics)}
        ev = self.store.evidence()
        ev.sort(key=lambda e: (order.get(e.case_id, 0), position.get(e.subtopic, 0)))
        return ev

    def compare(self, by: str = "group", theme: str | None = None) -> Comparison:
        """Groups (or values of an attribute) × sub-topics: cases where each came up."""
        cb = self.codebook
        subs = list(cb.theme(self._theme(theme)[1]).subtopics) if theme else list(cb.subtopics)
        # counts need no evidence text: which cells are coded, and their summaries
        summaries = {k: (v.text, v.state) for k, v in self.store.summaries().items()}
        covered = covered_cells(self.store.coded_cells(), summaries)
        return compare(subs, self.cases(), covered, by)

    def search(
        self, words: str, *, regex: bool = False, case: str | None = None,
        coded: bool | None = None, speaker: str | None = None, limit: int = 0,
    ) -> list[Passage]:
        """Segments whose text matches ``words`` (full-text) or a regular expression.

        ``case`` keeps one case (or source); ``coded`` True/False keeps coded or
        uncoded segments only; ``speaker`` a role (``participant``) or a speaker's
        label; ``limit`` the first so many.  Passages come in row order with the
        offsets of what matched.
        """
        from framework_qda.search import choose, compile_pattern, find_passages, fts_query
        from framework_qda.store.search import MARK_CLOSE, MARK_OPEN

        if case is not None:
            case = self.case_key(case) if self.store.source_by_name(case) is None else case
            self._case_or_source(case)
        cases = self.cases()
        which = None if coded is None else self.store.coded_keys
        if regex:
            pattern = compile_pattern(words)
            keys = choose(self.store.segment_bodies(case_id=case, speaker=speaker), cases,
                          coded=which, want_coded=bool(coded), pattern=pattern, limit=limit)
            return find_passages(self.store.passages(keys), cases, pattern=pattern)
        query = fts_query(words)
        keys = choose(self.store.search_hits(query, case_id=case, speaker=speaker), cases,
                      coded=which, want_coded=bool(coded), limit=limit)
        return find_passages(self.store.passages(keys, match=query), cases,
                             marks=(MARK_OPEN, MARK_CLOSE))

    def _case_or_source(self, name: str) -> None:
        if self.store.case(name) is None and self.store.source_by_name(name) is None:
            raise UnknownReference(f"no case or source called {name}; `fqda status` lists "
                                   "the cases")

    def cooccurrence(self, theme: str | None = None) -> Cooccurrence:
        """Sub-topic × sub-topic counts of segments and of cases coded to both."""
        cb = self.codebook
        subs = list(cb.theme(self._theme(theme)[1]).subtopics) if theme else list(cb.subtopics)
        return cooccurrence(subs, self.store.segment_codes())

    def cooccurring(self, first: str, second: str) -> list[Passage]:
        """The segments coded to both sub-topics, in row order."""
        known = {s.code for s in self.codebook.subtopics}
        for code in (first, second):
            if code not in known:
                raise UnknownReference(f"unknown sub-topic {code}; `fqda codebook show` "
                                       "lists them")
        from framework_qda.search import find_passages

        return find_passages(self.store.passages(coded_to=[first, second]), self.cases())

    def _export_parts(self, themes: Sequence[str], groups: Sequence[str],
                      attributes: Sequence[str], suggested: bool = False,
                      names: Replacer | None = None
                      ) -> tuple[list[Matrix], list[Evidence], list[str]]:
        """What every export writes: matrices, their evidence, and attribute columns
        (with the register's names replaced, given ``names``)."""
        matrices = self.matrices(themes, groups, suggested)
        if names is not None:
            matrices = [Matrix(m.theme, tuple(names.case(c) for c in m.cases),
                               {k: names.cell(c) for k, c in m.cells.items()})
                        for m in matrices]
        if not matrices:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        known = {n for c in self.store.cases() for n, _ in c.attributes}
        unknown = [a for a in attributes if a not in known and a != "group"]
        if unknown:
            raise UnknownReference(f"no case attribute {', '.join(unknown)}; the cases file "
                                   f"has {', '.join(sorted(known)) or 'no attributes'}")
        columns = list(dict.fromkeys(a for a in (*self.config.order_by, *attributes)
                                     if a != "group"))
        # Row order, then sheet and column order: each cell's passages are adjacent,
        # and so are each case's passages on one theme.
        evidence = [e for c in matrices[0].cases for m in matrices for s in m.subtopics
                    for e in m.cell(c.id, s.code).evidence]
        return matrices, evidence, columns

    def export_csv(self, folder: Path | str | None = None, themes: Sequence[str] = (),
                   groups: Sequence[str] = (), attributes: Sequence[str] = (),
                   bom: bool = False, pseudonymise: bool = False) -> list[Path]:
        """Write tidy tables (default folder ``matrices/csv``): ``cells.csv`` (long),
        ``evidence.csv`` and one ``theme-<code>.csv`` per theme; returns the files.
        With ``pseudonymise`` see :meth:`pseudonymised`."""
        from framework_qda.export.tabular import DEFAULT_FOLDER, write_tables

        def write(names: Replacer | None) -> list[Path]:
            matrices, evidence, columns = self._export_parts(themes, groups, attributes,
                                                             names=names)
            return write_tables(self.path(folder or DEFAULT_FOLDER), matrices, evidence,
                                columns, bom)

        return self.pseudonymised(write) if pseudonymise else write(None)

    def export_quotes(self, path: Path | str | None = None, fmt: str | None = None,
                      themes: Sequence[str] = (), groups: Sequence[str] = (),
                      speaker: str | None = "participant", pseudonymise: bool = False
                      ) -> Path:
        """Write a quote bank (``markdown`` or ``docx``; default from the file's suffix,
        else ``matrices/quotes.md``): a contents list, then each coded passage once
        under theme, sub-topic and sample group, attributed (participants' words
        unless ``speaker`` says otherwise; see :meth:`quotes` and
        :mod:`framework_qda.quote_bank`).  Word's paper is the ``paper`` setting."""
        from framework_qda.export.quotes import DEFAULT_PATHS, quote_format, write_quote_bank

        fmt = quote_format(fmt, path)
        target = self.path(path or DEFAULT_PATHS[fmt])

        def write(names: Replacer | None) -> list[Path]:
            bank = self.quote_passages(themes, groups, speaker)
            if names is not None:
                from framework_qda.quote_bank import map_quotes

                bank = map_quotes(bank, names.quote)
            return [write_quote_bank(target, fmt, bank, self.codebook.title or self.root.name,
                                     groups, self.config.paper)]

        return (self.pseudonymised(write) if pseudonymise else write(None))[0]

    def export_html(self, path: Path | str | None = None, themes: Sequence[str] = (),
                    groups: Sequence[str] = (), pseudonymise: bool = False) -> Path:
        """Write every framework matrix (or those of ``themes``) to one self-contained
        HTML page (default ``matrices/framework.html``; see
        :mod:`framework_qda.export.html`).  With ``pseudonymise`` see
        :meth:`pseudonymised`."""
        from framework_qda.export.html import DEFAULT_PATH, write_html

        target = self.path(path or DEFAULT_PATH)

        def write(names: Replacer | None) -> list[Path]:
            matrices, _, _ = self._export_parts(themes, groups, (), names=names)
            return [write_html(target, matrices, self.codebook.title or self.root.name)]

        return (self.pseudonymised(write) if pseudonymise else write(None))[0]

    def quote_bank(self, fmt: str = "markdown", themes: Sequence[str] = (),
                   groups: Sequence[str] = (), speaker: str | None = "participant") -> bytes:
        """The quote bank :meth:`export_quotes` writes, as bytes (for standard output)."""
        from framework_qda.export.quotes import quote_bank_bytes, quote_format

        fmt = quote_format(fmt, None)
        return quote_bank_bytes(fmt, self.quote_passages(themes, groups, speaker),
                                self.codebook.title or self.root.name, groups,
                                self.config.paper)

    def quote_passages(self, themes: Sequence[str] = (), groups: Sequence[str] = (),
                       speaker: str | None = "participant") -> list[ThemePassages]:
        """The quote bank's entries: per theme and sub-topic, each coded passage once
        (overlapping codings joined), by sample group in row order."""
        from framework_qda.quote_bank import arrange

        cb = self.codebook
        if not cb.themes:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        wanted = [cb.theme(self._theme(t)[1]) for t in themes] if themes else list(cb.themes)
        codes = [s.code for t in wanted for s in t.subtopics]
        ordered = self.cases()
        evidence = self.store.evidence(codes)
        cases = {c.id: c for c in ordered}
        found = select_quotes((e for e in evidence if e.case_id in cases), cases,
                              self.config.attribution, groups=groups, speaker=speaker)
        return arrange(wanted, found, [c.id for c in ordered])

    # -- charting: editor, drafts, workbook, status --------------------------
    def _chart_cells(self, case_id: str | None, theme: str | None
                     ) -> dict[tuple[str, str], Cell]:
        codes = None
        if theme is not None:
            cb, code = self._theme(theme)
            codes = [s.code for s in cb.theme(code).subtopics]
        if case_id is not None:
            self.case(case_id)
        return {k: c for k, c in self.cells(codes).items() if case_id in (None, k[0])}

    def chart_row(self, case_id: str, theme: str, edit: EditFn, author: str | None = None,
                  everything: bool = False) -> RowCharting:
        """Chart a case's cells of one theme, one by one, through ``edit`` (an editor
        or a prompt that the caller supplies); see :func:`charting.chart_row`."""
        case_id = self.case_key(case_id)
        from framework_qda import charting

        cb, code = self._theme(theme)
        return charting.chart_row(self.store, self.case(case_id), cb.theme(code),
                                  self._chart_cells(case_id, code), self.store.summaries(),
                                  edit, self._as(author, f"chart {case_id} --theme {theme}"),
                                  everything)

    def draft_summaries(self, theme: str | None = None, case_id: str | None = None
                        ) -> list[tuple[str, str]]:
        """Machine drafts for coded cells; never over a human summary.  Returns the cells."""
        case_id = self.case_key(case_id) if case_id else case_id
        from framework_qda import charting

        self._as(None, "chart draft")
        with self.store.atomic():
            return charting.draft(self.store, self.codebook, self._chart_cells(case_id, theme),
                                  self.store.summaries())

    def accept_drafts(self, case_id: str | None = None, theme: str | None = None, *,
                      stale: bool = False, author: str | None = None, every: bool = False
                      ) -> list[tuple[str, str]]:
        """Accept machine drafts as summaries (and, with ``stale``, confirm stale ones)
        in the scope named: a case, a theme, both, or ``every`` cell of the study.
        Each records who accepted it and when.  Returns the cells accepted."""
        case_id = self.case_key(case_id) if case_id else case_id
        from framework_qda import charting

        if case_id is None and theme is None and not every:
            raise FqdaError("name what to accept: a case (fqda chart accept P7), a theme "
                            "(--theme 2), or every draft in the study (--all)")
        who = self._as(author, "chart accept")
        with self.store.atomic():
            return charting.accept(self.store, self._chart_cells(case_id, theme),
                                   self.store.summaries(), who, stale)

    def summary_links(self) -> dict[tuple[str, str], list[str]]:
        """The segments each summary cites, keyed by (case, sub-topic)."""
        return self.store.summary_links()

    def charting_status(self) -> ChartingStatus:
        """Cells by state per theme and per case, the gaps, and the stale cells.

        Evidence is read only under summaries (to tell stale from
        summarised); other cells only learn whether they are coded.
        """
        from framework_qda import charting

        rows = self.store.summaries()
        codes = sorted({code for _, code in rows})
        evidence = [e for e in self.store.evidence(codes) if (e.case_id, e.subtopic) in rows
                    ] if codes else []
        return charting.status_from_index(self.codebook, self.cases(), self.store.coded_cells(),
                                          rows, evidence)

    def export_charting(self, path: Path | str | None = None, themes: Sequence[str] = (),
                        groups: Sequence[str] = ()) -> Path:
        """Write the charting workbook (default ``matrices/charting.xlsx``)."""
        from framework_qda.export.charting import write_charting_workbook

        matrices = self.matrices(themes, groups)
        if not matrices:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        return write_charting_workbook(self.path(path or CHARTING_WORKBOOK), matrices,
                                       self.store.summaries(), paper=self.config.paper)

    def import_charting(self, path: Path | str, prefer: str | None = None,
                        dry_run: bool = False, author: str | None = None) -> ChartImport:
        """Bring a charting workbook's edits back, in one transaction; see
        :func:`framework_qda.export.charting.import_charting`."""
        from framework_qda.export.charting import import_charting

        return import_charting(self.store, self.path(path),
                               self._as(author, f"chart import {path}"), prefer,
                               dry_run)

    # -- evolving the framework (see framework_qda.codebook_changes) ---------
    def codebook_use(self) -> dict[str, SubtopicUse]:
        """Codings, cases and summaries resting on each sub-topic, by code."""
        return self.store.subtopic_use()

    def rename_subtopic(self, code: str, label: str, who: str | None = None) -> CodebookChange:
        """Relabel a sub-topic (or theme); codings and summaries are untouched."""
        from framework_qda import codebook_changes as cc

        return cc.rename(self.store, code, label, self._as(who, f"codebook rename {code}"),
                         self.root)

    def merge_subtopics(self, source: str, target: str, who: str | None = None
                        ) -> CodebookChange:
        """Fold ``source`` into ``target``: codings move, summaries move or are joined."""
        from framework_qda import codebook_changes as cc

        return cc.merge(self.store, source, target,
                        self._as(who, f"codebook merge {source} --into {target}"), self.root)

    def move_subtopic(self, code: str, theme: str, who: str | None = None) -> CodebookChange:
        """Move a sub-topic to another theme under that theme's next free code."""
        from framework_qda import codebook_changes as cc

        return cc.move(self.store, code, theme, self._as(who, f"codebook move {code} {theme}"),
                       self.root)

    def remove_subtopic(self, code: str, force: bool = False, who: str | None = None
                        ) -> CodebookChange:
        """Remove a sub-topic; refused while work rests on it unless ``force``."""
        from framework_qda import codebook_changes as cc

        return cc.remove(self.store, code, self._as(who, f"codebook remove {code}"), force,
                         self.root)

    # -- pseudonymisation (see framework_qda.pseudonyms) -----------------------------
    def _replacer(self) -> Replacer:
        from framework_qda.pseudonyms import replacer

        return replacer(self.store)

    def pseudonymised(self, write: Callable[[Replacer], list[Path]]) -> list[Path]:
        """Run ``write`` with the register's names replaced, then check what it wrote
        with :meth:`check_outputs`: a leak removes the files and raises.  The names
        replaced are listed, per output file, in ``.fqda/pseudonymised/``."""
        from framework_qda.pseudonyms import check_files, report_csv

        names = self._replacer()
        written = write(names)
        leaks = check_files(written, self.store.names())
        if leaks:
            for p in written:
                p.unlink(missing_ok=True)
            raise FqdaError(f"the pseudonymised output still holds {len(leaks)} name(s) of "
                            "the register, so it was removed: "
                            + "; ".join(leak.describe() for leak in leaks[:10]))
        from framework_qda.files import write_file

        folder = self.root / STORE_DIR / "pseudonymised"
        for p in written:
            write_file(folder / f"{p.name}.csv", report_csv(names, p), "the report of "
                       "names replaced", private=True)
        return written

    def scan_names(self, listed: Path | str | None = None, model: str = "") -> list[NameEntry]:
        """Find candidates for the names register (see
        :func:`framework_qda.pseudonyms.scan`) and keep them for review; decisions
        already made stay.  Returns the candidates found."""
        from framework_qda.pseudonyms import scan

        names: list[str] = []
        if listed is not None:
            try:
                names = self.path(listed).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise FqdaError(f"{listed}: cannot read the list of names "
                                f"({exc.strerror})") from None
        found = scan(self.store, names, model or self.config.model)
        self._as(None, "pseudonymise scan")
        with self.store.atomic():
            self.store.put_names(found, keep_decided=True)
        return found

    def names(self, status: str | None = None) -> list[NameEntry]:
        """The names register (only entries with ``status``, when given)."""
        return self.store.names(status)

    def decide_name(self, real: str, accept: bool, pseudonym: str | None = None,
                    case_id: str = "") -> None:
        """Accept (with ``pseudonym``, or the one proposed) or reject a register entry;
        a name not yet in the register is added, accepted."""
        from framework_qda.store import NameEntry as Entry

        if case_id:
            self.case(case_id)
        self._as(None, f"pseudonymise {'accept' if accept else 'reject'} {real}")
        with self.store.atomic():
            if not self.store.decide_name(real, case_id, "accepted" if accept else "rejected",
                                          pseudonym):
                if not accept:  # never to be taken for a name to hide
                    self.store.put_names([Entry(real, "", case_id, "listed", "rejected")])
                    return
                if not pseudonym:
                    raise UnknownReference(
                        f"{real!r} is not in the names register; add it with its pseudonym: "
                        f"fqda pseudonymise accept {real!r} --as '[pseudonym]'")
                self.store.put_names([Entry(real, pseudonym, case_id, "listed", "accepted")])

    def import_names(self, path: Path | str) -> int:
        """Add or update register entries from a CSV (``real,pseudonym[,case,kind,status]``)."""
        from framework_qda.pseudonyms import read_register

        entries = read_register(self.path(path))
        known = {c.id for c in self.store.cases()}
        unknown = sorted({e.case_id for e in entries if e.case_id and e.case_id not in known})
        if unknown:
            raise UnknownReference(f"{path}: no case {', '.join(unknown)}; nothing was imported")
        self._as(None, f"pseudonymise import {path}")
        with self.store.atomic():
            self.store.put_names(entries)
        return len(entries)

    def export_names(self, path: Path | str) -> Path:
        """Write the register as CSV, to a path the user names (it holds real names:
        keep it with the team, never with the shared outputs)."""
        from framework_qda.files import write_file
        from framework_qda.pseudonyms import register_csv

        target = self.path(path)
        write_file(target, register_csv(self.store.names()), "the names register",
                   private=True)
        return target

    def check_outputs(self, paths: Sequence[Path | str]) -> list[Leak]:
        """Every place in these files where a name of the register, or an unreviewed
        candidate, still stands."""
        from framework_qda.pseudonyms import check_files

        return check_files([self.path(p) for p in paths], self.store.names())

    # -- history ---------------------------------------------------------------
    def history(self, case_id: str | None = None, subtopic: str | None = None,
                coder: str | None = None, limit: int = 0) -> list[Action]:
        """What was changed, by whom and when, newest first: every change to cases,
        the framework, codings and summaries (see :mod:`framework_qda.history`).
        Give a case and a sub-topic for one cell's history."""
        case_id = self.case_key(case_id) if case_id else case_id
        from framework_qda.history import history

        return history(self.store, case_id=case_id, subtopic=subtopic, who=coder, limit=limit)

    def undo(self, coder: str | None = None) -> Action:
        """Revert the coder's last change (see :func:`framework_qda.history.undo`);
        the framework's codebook file is rewritten when the change was to it."""
        from framework_qda.codebook_changes import undo

        who = coder_identity(coder) if coder else self._who()
        self._as(coder, "undo")
        return undo(self.store, who, self.root)

    def codebook_log(self) -> list[ChangeRecord]:
        """Every recorded change of the framework, oldest first."""
        return self.store.codebook_changes()

    def export_codebook(self, path: Path | str, fmt: str | None = None) -> Path:
        """Write the study's framework as yaml, csv, xlsx or qdc (GUIDs kept)."""
        from framework_qda.codebook import write_codebook

        cb = self.codebook
        if not cb.themes:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        return write_codebook(cb, self.path(path), fmt)

    def import_project(self, path: Path | str, group_variable: str | None = None,
                       model: str = "") -> ProjectReport:
        """Bring in a REFI-QDA project (.qdpx, or .qde beside its sources folder) in
        one transaction; see :mod:`framework_qda.project`.  Importing it again
        changes nothing."""
        from framework_qda.project import import_project

        who = self._as(None, f"import project {path}")
        return import_project(self.store, self.config, self.path(path), who, group_variable,
                              model, self.root)

    def export_project(self, path: Path | str, pseudonymise: bool = False) -> Path:
        """Write the whole study as a REFI-QDA project (.qdpx), GUIDs kept.  With
        ``pseudonymise`` see :meth:`pseudonymised`: every selection still covers
        the same words, replaced."""
        from framework_qda.project_export import export_project

        target = self.path(path)
        if target.suffix.lower() != ".qdpx":
            raise FqdaError(f"{target}: a REFI-QDA project is written as .qdpx")
        title = self.store.codebook().title or self.root.name

        def write(names: Replacer | None) -> list[Path]:
            export_project(self.store, target, title, names)
            return [target]

        return (self.pseudonymised(write) if pseudonymise else write(None))[0]
    def codebook_bytes(self, fmt: str = "yaml") -> bytes:
        """The study's framework as :meth:`export_codebook` writes it, as bytes, for a
        pipe: without the byte-order mark a CSV file has for spreadsheets."""
        from framework_qda.codebook import codebook_bytes

        cb = self.codebook
        if not cb.themes:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        return codebook_bytes(cb, Path("codebook." + fmt), fmt).removeprefix(
            "\ufeff".encode())

    def ingest_files(
        self, paths: Sequence[Path | str] = (), options: IngestOptions | None = None,
        progress: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest transcripts and survey tables (default: ``transcripts/``) with
        all of ``fqda ingest``'s options; see :func:`framework_qda.ingest.ingest_files`."""
        from framework_qda.ingest import IngestOptions, ingest_files

        targets = [self.path(p) for p in paths] or [self.root / "transcripts"]
        self._as(None, "ingest")
        layer, self.store.layer = self.store.layer, None  # re-ingest moves every layer
        try:
            return ingest_files(self.store, self.config, targets, options or IngestOptions(),
                                progress, root=self.root)
        finally:
            self.store.layer = layer

    # -- several coders ----------------------------------------------------
    def blind(self, on: bool, coder: str | None = None) -> str:
        """Turn blinding on or off for a coder (default: who this session acts as);
        returns the coder.  While on, that coder's views show only their own
        codings and summaries."""
        who = self._as(coder, f"blind {'on' if on else 'off'}")
        with self.store.atomic():
            self.store.set_blind(who, on)
        self._blind()
        return who

    def blind_coders(self) -> list[str]:
        return self.store.blind_coders()

    def _not_blind(self, what: str) -> None:
        if self.store.layer is not None:
            raise FqdaError(f"blinding is on for {self.store.layer}: {what} would show other "
                            f"coders' codings; `fqda blind off --coder \"{self.store.layer}\"` "
                            "first")

    def agreement(self, coders: Sequence[str] = (), theme: str | None = None,
                  unit: str = "segment", include_uncoded: bool = False,
                  overlap: float | None = None) -> Agreement:
        """Agreement between coders (default: every coder but ``consensus``): per
        sub-topic and overall, percent, Cohen's kappa and Krippendorff's alpha, at
        the level of ``unit`` and of the matrix cells; see framework_qda.agreement."""
        from framework_qda.coders import compute

        if theme is not None:
            theme = self._theme(theme)[1]
        return compute(self.store, self.codebook, coders, theme, unit, include_uncoded,
                       overlap)

    def disagreements(self, coders: Sequence[str] = (), theme: str | None = None,
                      unit: str = "segment") -> Disagreements:
        """Every passage where the coders differ, with both codings and definitions."""
        from framework_qda.coders import disagreements

        self._not_blind("the disagreements")
        if theme is not None:
            theme = self._theme(theme)[1]
        return disagreements(self.store, self.codebook, coders, theme, unit)

    def cell_disagreements(self, coders: Sequence[str] = (), theme: str | None = None
                           ) -> CellDisagreements:
        """Every matrix cell (case, sub-topic) where one coder found evidence and
        another did not, in matrix row order (see :func:`coders.cell_disagreements`)."""
        from framework_qda.coders import cell_disagreements

        self._not_blind("the disagreements")
        if theme is not None:
            theme = self._theme(theme)[1]
        return cell_disagreements(self.store, self.codebook, coders, theme,
                                  [c.id for c in self.cases()])

    def resolve(self, ref: str, subtopic: str, keep: str, coders: Sequence[str] = (),
                who: str | None = None) -> Resolution:
        """Record the agreed coding of a passage into the ``consensus`` layer."""
        from framework_qda.coders import resolve

        self._not_blind("resolving")
        self._as(who, f"resolve {ref} {subtopic} --keep {keep}")
        with self.store.atomic():
            return resolve(self.store, ref, subtopic, keep, coders)

    def summary_versions(self, case_id: str | None = None, subtopic: str | None = None
                         ) -> list[CellVersions]:
        """Every coder's summary of a cell (``case_id`` and ``subtopic``), or of each
        cell that holds a coder's version beside its own (see framework_qda.versions)."""
        from framework_qda.versions import versions

        self._not_blind("other coders' summaries")
        return versions(self.store, self.case_key(case_id) if case_id else None, subtopic)

    def resolve_summary(self, case_id: str, subtopic: str, keep: str = "",
                        text: str | None = None, who: str | None = None) -> CellVersions:
        """Settle the cell's summary as the consensus: ``keep`` a coder's version, or
        the agreed ``text``; every coder's own summary stays as their version."""
        from framework_qda.versions import settle

        self._not_blind("resolving")
        case_id = self.case(case_id).id
        self._as(who, f"resolve {case_id} {subtopic} --summary")
        with self.store.atomic():
            return settle(self.store, case_id, subtopic, keep, text)

    def merge(self, other: Path | str, coder: str | None = None) -> MergeReport:
        """Bring another copy's codings and summaries in as their coders' layers:
        ``other`` is a study folder (every layer, or only ``coder``'s) or a codings
        CSV/XLSX (then ``coder`` says whose); one transaction."""
        from framework_qda.merge import merge_copy, merge_table

        path = self.path(other)
        self._as(None, f"merge {other}")
        layer, self.store.layer = self.store.layer, None
        try:
            with self.store.atomic():
                if path.is_dir():
                    if path.resolve() == self.root.resolve():
                        raise FqdaError(f"{other} is this study; merge another copy")
                    return merge_copy(self.store, path, coder)
                if not path.is_file():
                    raise FqdaError(f"{other}: no such study folder or codings file")
                return merge_table(self.store, path, coder or "")
        finally:
            self.store.layer = layer

    def coding_session(self, case_id: str, coder: str | None = None) -> CodingSession:
        """An interactive coding session of one case, resuming where the coder stopped."""
        case_id = self.case_key(case_id)
        from framework_qda.session import CodingSession

        return CodingSession(self.store, case_id, self._as(coder, f"code --interactive {case_id}"))

    def suggest(self, theme: str | None = None, case: str | None = None,
                any_speaker: bool = False,
                progress: Callable[[str], None] | None = None) -> SuggestReport:
        """Run the codebook's keywords and patterns; store new suggestions for review."""
        from framework_qda.suggestion import suggest

        self._as(None, "suggest")
        return suggest(self.store, theme, case, None if any_speaker else ("participant",),
                       progress)

    def review(self, case: str | None = None, theme: str | None = None,
               coder: str | None = None, where: QueueFilter | None = None
               ) -> SuggestionReview:
        """A review of the pending suggestions (of one case, one theme; those
        ``where`` picks from the review queue)."""
        from framework_qda.session import SuggestionReview

        codes = [s.code for s in self.codebook.theme(self._theme(theme)[1]).subtopics] \
            if theme else None
        only = {i.id for i in self.review_queue(where)} if where is not None else None
        return SuggestionReview(self.store, self._as(coder, "review"), case, codes, only)

    def review_queue(self, where: QueueFilter | None = None) -> list[QueueItem]:
        """The pending suggestions ``where`` picks, in review order."""
        from framework_qda.review_queue import QueueFilter, review_queue

        return review_queue(self.store, where or QueueFilter())

    def decide_suggestions(self, items: Sequence[QueueItem], decision: Decision,
                           coder: str | None = None) -> BulkReport:
        """Accept or reject these suggestions as one action of the history."""
        from framework_qda.review_queue import decide

        return decide(self.store, items, decision, self._as(coder, f"review {decision}"))

    def undo_review(self, coder: str | None = None, action_id: int | None = None) -> Action:
        """Undo the coder's last review decision (or review action ``action_id``)."""
        from framework_qda.review_queue import undo_review

        who = coder_identity(coder) if coder else self._who()
        self._as(coder, "review undo")
        return undo_review(self.store, who, action_id)

    # -- output ------------------------------------------------------------
    def export_excel(self, path: Path | str | None = None, themes: Sequence[str] = (),
                     groups: Sequence[str] = (), attributes: Sequence[str] = (),
                     suggested: bool = False, pseudonymise: bool = False) -> Path:
        """Write the framework workbook (default ``matrices/framework.xlsx``).

        Attribute columns are ``order_by`` from ``fqda.yaml``, then ``attributes``.
        With ``suggested``, suggestions awaiting review appear in the matrix
        cells marked "(suggested, not reviewed)"; they are never on the
        Evidence sheet.
        """
        from dataclasses import replace

        from framework_qda.export.excel import write_workbook

        def write(names: Replacer | None) -> list[Path]:
            matrices, evidence, columns = self._export_parts(themes, groups, attributes,
                                                             suggested, names)
            book = replace(self.codebook, themes=tuple(m.theme for m in matrices))
            return [write_workbook(self.path(path or WORKBOOK), matrices, evidence, book,
                                   matrices[0].cases, title=book.title or self.root.name,
                                   attributes=columns, paper=self.config.paper,
                                   coders=None if names is not None else self._comparison())]

        return (self.pseudonymised(write) if pseudonymise else write(None))[0]

    def _comparison(self) -> CoderComparison | None:
        """The coders' agreement and disagreements for the workbook, when the study
        has two coders or more (besides consensus) and no coder is blinded."""
        from framework_qda.coders import both
        from framework_qda.export.agreement_sheets import CoderComparison

        if self.store.layer is not None:
            return None
        found = both(self.store, self.codebook)
        return None if found is None else CoderComparison(*found)

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
                     f"{len(changes['added'])} new, {len(changes['changed'])} changed")
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
