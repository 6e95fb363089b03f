"""Familiarisation: cases, transcripts read in, their segments, and the names register.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.files import write_file
from framework_qda.model import (
    Segment,
)

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.ingest import IngestOptions, IngestReport
    from framework_qda.leak_check import Leak
    from framework_qda.store import NameEntry

from framework_qda.study_core import (
    StudyCore,
)


class Familiarisation(StudyCore):
    """Familiarisation of ``Study``."""

    # -- cases -------------------------------------------------------------
    def import_cases(self, path: Path | str, data: bytes | None = None) -> tuple[int, int]:
        """Import a cases file; returns (added, updated).  With ``data`` the table is
        those bytes (standard input), and ``path`` only names it in messages."""
        from framework_qda.cases import read_cases

        cases = read_cases(self.path(path) if data is None else Path(path), data)
        self._as(None, f"cases import {path}")
        with self.store.atomic():
            return self.store.upsert_cases(cases)

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
        from framework_qda.targets import resolve_source

        source = resolve_source(self.store, name)
        return self.store.segments(source.id, first, last)

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
        from framework_qda.pseudonyms import register_csv

        target = self.path(path)
        write_file(target, register_csv(self.store.names()), "the names register",
                   private=True)
        return target

    def check_outputs(self, paths: Sequence[Path | str]) -> list[Leak]:
        """Every place in these files where a name of the register, or an unreviewed
        candidate, still stands."""
        from framework_qda.leak_check import check_files

        return check_files([self.path(p) for p in paths], self.store.names())

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
