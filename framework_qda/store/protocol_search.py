"""What search and co-occurrence ask of a study store (part of
:class:`~framework_qda.store.protocol.StudyStore`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from framework_qda.model import SearchQuery
from framework_qda.store.rows import PassageRow, SegmentHit


class SearchStore(Protocol):
    """Full-text search over segments, and the reads behind co-occurrence."""

    def search_hits(
        self, query: SearchQuery, *, case_id: str | None = None, speaker: str | None = None
    ) -> list[SegmentHit]:
        """Every segment the query finds, as keys only, so the caller can order and cut them
        before reading text."""

    def segment_bodies(
        self, *, case_id: str | None = None, speaker: str | None = None
    ) -> Iterator[SegmentHit]:
        """Every segment with its text, read from the index's copy (no source is loaded), for
        a scan with a regular expression."""

    def segment_texts(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """The text of each of these ``(source_id, number)`` segments, from the index's copy
        (no source's whole text is loaded)."""

    def coded_keys(self, keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which of these ``(source_id, number)`` segments an accepted coding overlaps."""

    def passages(
        self,
        keys: Sequence[tuple[int, int]] | None = None,
        *,
        match: SearchQuery | None = None,
        coded_to: Sequence[str] = (),
    ) -> list[PassageRow]:
        """Segments with their verbatim text and the codes coded on them, in source order."""

    def segment_codes(self) -> list[tuple[str, int, int, str]]:
        """``(case_id, source_id, segment, code)`` for every accepted coding overlapping a
        segment, one row per distinct combination."""
