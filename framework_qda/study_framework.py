"""Identifying a framework: the codebook read in, changed, logged and written out.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError
from framework_qda.model import CodebookImport
from framework_qda.store.rows import ChangeRecord, SubtopicUse
from framework_qda.study_familiarisation import Familiarisation

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.codebook_changes import CodebookChange


class FrameworkStage(Familiarisation):
    """Identifying a framework of ``Study``."""

    def import_codebook(self, path: Path | str) -> CodebookImport:
        """Make the study's framework equal to a codebook file (YAML, CSV, XLSX, REFI-QDA),
        matching sub-topics by GUID, then code, so codings and summaries stay.

        Returns the codes added, changed, recoded and removed, and any warnings.
        """
        from framework_qda.codebook_changes import import_file

        return import_file(self.store, self.path(path), self.root,
                           self._as(None, f"codebook import {path}"))

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
    def codebook_bytes(self, fmt: str = "yaml") -> bytes:
        """The study's framework as :meth:`export_codebook` writes it, as bytes, for a
        pipe: without the byte-order mark a CSV file has for spreadsheets."""
        from framework_qda.codebook import codebook_bytes

        cb = self.codebook
        if not cb.themes:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        return codebook_bytes(cb, Path("codebook." + fmt), fmt).removeprefix(
            "\ufeff".encode())
