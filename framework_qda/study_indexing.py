"""Indexing: coding text by hand, from a table, in a session, or by suggestion and review.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.study_framework import FrameworkStage

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.coding import CodingReport
    from framework_qda.history import Action
    from framework_qda.review import SuggestionReview
    from framework_qda.review_queue import BulkReport, Decision, QueueFilter, QueueItem
    from framework_qda.session import CodingSession
    from framework_qda.suggestion import SuggestReport


class Indexing(FrameworkStage):
    """Indexing of ``Study``."""

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
        from framework_qda.review import SuggestionReview

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
        from framework_qda.study_core import coder_identity

        who = coder_identity(coder) if coder else self._who()
        self._as(coder, "review undo")
        return undo_review(self.store, who, action_id)
