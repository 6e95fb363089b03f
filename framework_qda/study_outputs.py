"""Outputs: the workbook, CSV tables, the quote bank and the HTML matrices.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.collector import collector_paused
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.matrix import Matrix
from framework_qda.model import (
    Evidence,
)
from framework_qda.study_core import WORKBOOK
from framework_qda.study_team import Team

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.pseudonyms import Replacer


class Outputs(Team):
    """Outputs of ``Study``."""

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
        # Every case's attributes are read only to check the columns asked for.
        known = {n for c in self.store.cases() for n, _ in c.attributes} if attributes else set()
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

        # A large study's workbook is hundreds of thousands of objects, none in a cycle.
        with collector_paused():
            return (self.pseudonymised(write) if pseudonymise else write(None))[0]
