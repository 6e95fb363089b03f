"""What a store counts for listings that may be long (part of
:class:`~framework_qda.store.protocol.StudyStore`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from framework_qda.model import Case


class CountStore(Protocol):
    """Rows counted where they are stored, so a long listing can be summed up first."""

    def passage_counts(self, subtopics: Sequence[str], speaker: str | None = None
                       ) -> list[tuple[str, str, int]]:
        """``(case id, sub-topic code, passages)`` of the accepted codings of
        ``subtopics``, each coded span once; ``speaker``: only turns with that role
        or speaker label (ASCII letters without case), None: every speaker's."""

    def coded_cells_of(self, subtopics: Sequence[str]) -> set[tuple[str, str]]:
        """The (case id, sub-topic code) pairs of ``subtopics`` with an accepted coding."""

    def case_index(self, groups: Sequence[str] = ()) -> list[Case]:
        """The cases not withdrawn, in matrix row order with no attribute to order by,
        each with its id and group only (attributes empty)."""

    def cases_named(self, ids: Sequence[str]) -> dict[str, Case]:
        """The cases with these ids, attributes and all."""

    def case_index_of(self, ids: Collection[str], groups: Sequence[str] = ()) -> list[Case]:
        """The cases among ``ids`` of :meth:`case_index`, in its order."""
