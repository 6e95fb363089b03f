"""The study folder, its store and what every stage reads: cases, the codebook, cells.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self

from framework_qda.config import StudyConfig, load_config
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.files import private_folder, write_file
from framework_qda.matrix import SummaryState, build_cells
from framework_qda.model import (
    Case,
    Cell,
    Codebook,
)
from framework_qda.refs import case_id as codable_case_id
from framework_qda.store import open_store

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    import pandas as pd

    from framework_qda.pseudonyms import Replacer


STORE_DIR = ".fqda"
CONFIG_CACHE = "config.json"
STORE_NAME = "study.db"
WORKBOOK = "matrices/framework.xlsx"
CHARTING_WORKBOOK = "matrices/charting.xlsx"


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


def store_address(root: Path, config: StudyConfig) -> str:
    """Where the study at ``root`` keeps its store when not in its ``.fqda/`` file:
    ``$FQDA_STORE``, else ``store:`` in ``fqda.yaml`` ("" for the file)."""
    return os.environ.get("FQDA_STORE") or config.store


_FEW_CASES = 500
"""Cells of at most this many cases read their evidence case by case, not the whole
study's (one query per 500 ids)."""


class StudyCore:
    """An open study folder: what every stage of ``Study`` rests on."""

    def __init__(self, root: Path) -> None:
        self.root = root
        private_folder(root / STORE_DIR)
        self.config: StudyConfig = load_config(root, root / STORE_DIR / CONFIG_CACHE)
        self.store = open_store(root / STORE_DIR / STORE_NAME, store_address(root, self.config))
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def path(self, relative: Path | str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    def cases(self) -> list[Case]:
        """Cases in matrix row order (see :func:`order_cases`), withdrawn ones left out."""
        groups = self.config.groups or self.store.codebook().groups
        return self.store.cases_in_order(groups, self.config.order_by)

    def _case_index(self) -> list[Case]:
        """The cases of :meth:`cases`, in the same order, with their id and group only
        (what a listing needs to order 10,000 cases); :meth:`cases` itself when
        ``order_by`` in fqda.yaml orders rows by attributes."""
        if self.config.order_by:
            return self.cases()
        return self.store.case_index(self.config.groups or self.store.codebook().groups)

    def _case_index_of(self, ids: Collection[str]) -> list[Case]:
        """The cases of :meth:`_case_index` among ``ids``, in the same order."""
        if self.config.order_by:
            wanted = set(ids)
            return [c for c in self.cases() if c.id in wanted]
        return self.store.case_index_of(ids, self.config.groups or self.store.codebook().groups)

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

    # -- framework ---------------------------------------------------------
    @property
    def codebook(self) -> Codebook:
        return self.store.codebook()

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
        # a few cases' cells (the first rows of a long listing) read only their evidence
        few = None if cases is None or case_id is not None or len(cases) > _FEW_CASES \
            else [c.id for c in cases]
        evidence = self.store.evidence([s.code for s in subs], case_id, cases=few)
        if cases is None:  # callers that already read the cases pass them
            cases = ([c for c in self.store.cases() if not c.withdrawn] if case_id is None
                     else [self.case(case_id)])
        pending = (self.store.evidence([s.code for s in subs], case_id, status="suggested",
                                       cases=few) if suggested else [])
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

    @staticmethod
    def _filter_groups(cases: list[Case], groups: Sequence[str]) -> list[Case]:
        if not groups:
            return cases
        wanted = {g.casefold() for g in groups}
        kept = [c for c in cases if c.group.casefold() in wanted]
        if not kept:
            raise UnknownReference(f"no case is in group {', '.join(groups)}")
        return kept

    def _case_or_source(self, name: str) -> None:
        if self.store.case(name) is None and self.store.source_by_name(name) is None:
            raise UnknownReference(f"no case or source called {name}; `fqda status` lists "
                                   "the cases")

    # -- pseudonymisation (see framework_qda.pseudonyms) -----------------------------
    def _replacer(self) -> Replacer:
        from framework_qda.pseudonyms import replacer

        return replacer(self.store)

    def pseudonymised(self, write: Callable[[Replacer], list[Path]]) -> list[Path]:
        """Run ``write`` with the register's names replaced, then check what it wrote
        with :meth:`check_outputs`: a leak removes the files and raises.  The names
        replaced are listed, per output file, in ``.fqda/pseudonymised/``."""
        from framework_qda.leak_check import check_files
        from framework_qda.pseudonyms import report_csv

        names = self._replacer()
        written = write(names)
        leaks = check_files(written, self.store.names())
        if leaks:
            for p in written:
                p.unlink(missing_ok=True)
            raise FqdaError(f"the pseudonymised output still holds {len(leaks)} name(s) of "
                            "the register, so it was removed: "
                            + "; ".join(leak.describe() for leak in leaks[:10]))

        folder = self.root / STORE_DIR / "pseudonymised"
        for p in written:
            write_file(folder / f"{p.name}.csv", report_csv(names, p), "the report of "
                       "names replaced", private=True)
        return written

    def _not_blind(self, what: str) -> None:
        if self.store.layer is not None:
            raise FqdaError(f"blinding is on for {self.store.layer}: {what} would show other "
                            f"coders' codings; `fqda blind off --coder \"{self.store.layer}\"` "
                            "first")
