"""The team and exchange: history and undo, blinding, agreement, consensus, merge, projects.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError
from framework_qda.study_core import coder_identity
from framework_qda.study_interpretation import Interpretation

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.agreement import Agreement
    from framework_qda.cell_disagreements import CellDisagreements
    from framework_qda.coders import Disagreements
    from framework_qda.consensus import Resolution
    from framework_qda.export.agreement_sheets import CoderComparison
    from framework_qda.history import Action
    from framework_qda.merge import MergeReport
    from framework_qda.project import ProjectReport
    from framework_qda.pseudonyms import Replacer
    from framework_qda.store_copy import StoreCopy
    from framework_qda.versions import CellVersions


class Team(Interpretation):
    """The team and exchange of ``Study``."""

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

    def grant(self, roles: Sequence[str]) -> None:
        """Let these coders' server roles work on the study (a study on PostgreSQL)."""
        self.store.grant_coders(roles)

    def blind_coders(self) -> list[str]:
        return self.store.blind_coders()

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
        another did not, in matrix row order (see :func:`cell_disagreements.cell_disagreements`)."""
        from framework_qda.cell_disagreements import cell_disagreements

        self._not_blind("the disagreements")
        if theme is not None:
            theme = self._theme(theme)[1]
        return cell_disagreements(self.store, self.codebook, coders, theme,
                                  [c.id for c in self.cases()])

    def resolve(self, ref: str, subtopic: str, keep: str, coders: Sequence[str] = (),
                who: str | None = None) -> Resolution:
        """Record the agreed coding of a passage into the ``consensus`` layer."""
        from framework_qda.consensus import resolve

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

    def copy_store(self, to: str) -> tuple[StoreCopy, str]:
        """Copy the whole study, history included, into the empty store ``to``: a
        ``postgresql://host/db?schema=NAME`` address, or a SQLite file that does not
        exist yet (relative to the study).  Returns what was copied and where.
        The study itself is only read; point ``store:`` in ``fqda.yaml`` at the
        copy to work there."""
        from framework_qda.store import open_store, same_server_store
        from framework_qda.store_copy import copy_store
        from framework_qda.study_core import STORE_DIR, STORE_NAME, store_address

        here = store_address(self.root, self.config)
        on_server = to.startswith(("postgresql://", "postgres://"))
        if (same_server_store(here, to) if on_server and here else
                not on_server and not here
                and self.path(to).resolve() == (self.root / STORE_DIR / STORE_NAME).resolve()):
            raise FqdaError("that is the store this study is in already; copy it to another "
                            "(see `fqda store copy --help`)")
        if on_server:
            target = open_store("", to)
            where = target.path
        else:
            where = str(self.path(to))
            try:
                self.path(to).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FqdaError(f"{where}: cannot make its folder ({exc.strerror})") from None
            target = open_store(self.path(to))
        try:
            return copy_store(self.store, target, where), where
        finally:
            target.close()

    def _comparison(self) -> CoderComparison | None:
        """The coders' agreement and disagreements for the workbook, when the study
        has two coders or more (besides consensus) and no coder is blinded."""
        from framework_qda.coders import both
        from framework_qda.export.agreement_sheets import CoderComparison

        if self.store.layer is not None:
            return None
        found = both(self.store, self.codebook)
        return None if found is None else CoderComparison(*found)
