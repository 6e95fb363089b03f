"""Charting: summaries of cells, matrices, drafts, status and the charting workbook.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError
from framework_qda.matrix import Matrix, build_matrix
from framework_qda.model import (
    Cell,
)
from framework_qda.study_core import CHARTING_WORKBOOK
from framework_qda.study_indexing import Indexing

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.cell_editor import EditFn, RowCharting
    from framework_qda.charting import ChartingStatus
    from framework_qda.charting_overview import ChartingOverview
    from framework_qda.export.charting import ChartImport


class Charting(Indexing):
    """Charting of ``Study``."""

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
                  everything: bool = False, inline: bool = False) -> RowCharting:
        """Chart a case's cells of one theme, one by one, through ``edit`` (an editor,
        or with ``inline`` a prompt, that the caller supplies); see
        :func:`framework_qda.cell_editor.chart_row`."""
        case_id = self.case_key(case_id)
        from framework_qda.cell_editor import chart_row

        cb, code = self._theme(theme)
        return chart_row(self.store, self.case(case_id), cb.theme(code),
                                  self._chart_cells(case_id, code), self.store.summaries(),
                                  edit, self._as(author, f"chart {case_id} --theme {theme}"),
                                  everything, inline)

    def draft_summaries(self, theme: str | None = None, case_id: str | None = None
                        ) -> list[tuple[str, str]]:
        """Machine drafts for coded cells; never over a human summary.  Returns the cells."""
        case_id = self.case_key(case_id) if case_id else case_id
        from framework_qda.drafts import draft

        self._as(None, "chart draft")
        with self.store.atomic():
            return draft(self.store, self.codebook, self._chart_cells(case_id, theme),
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

    def charting_overview(self) -> ChartingOverview:
        """What :meth:`charting_status` counts, without a row per case or gap: cells by
        state per theme, the gaps per state and the cases that have them, the stale
        cells (the overview of ``fqda status``)."""
        from framework_qda.charting_overview import charting_overview

        rows = self.store.summaries()
        codes = sorted({code for _, code in rows})
        evidence = [e for e in self.store.evidence(codes) if (e.case_id, e.subtopic) in rows
                    ] if codes else []
        return charting_overview(self.codebook, self._case_index(), self.store.coded_cells(),
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
