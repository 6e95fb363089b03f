"""What the library asks of a study store, whichever database holds it.

:class:`StudyStore` is the seam between the library and a backend: a typed
Protocol of domain operations (cases, sources, the codebook, codings,
summaries, search, history, coders' layers, exchange, names, checks), each
taking and giving plain values (:mod:`framework_qda.model`,
:mod:`framework_qda.store.rows`), never a connection, a driver's row or a query
language.  The library types against it; ``store/`` holds one implementation
per backend (:class:`framework_qda.store.Store` on SQLite,
:class:`framework_qda.store.postgres.PostgresStore` on PostgreSQL), and mypy
checks that both keep every promise here (``store/__init__.py``).

Every change runs inside ``with store.atomic():`` (one transaction; a block that
raises leaves the store as it was); reads outside one see committed rows only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from framework_qda.model import (
    Case,
    Codebook,
    Coding,
    Evidence,
    Segment,
    Source,
)
from framework_qda.store.protocol_counts import CountStore
from framework_qda.store.protocol_search import SearchStore
from framework_qda.store.protocol_team import (
    ExchangeStore,
    HistoryStore,
    IntegrityStore,
    NameStore,
    TeamStore,
    TransferStore,
)
from framework_qda.store.rows import (
    CellSentence,
    ChangeRecord,
    NewCoding,
    NewSource,
    SegmentRow,
    SubtopicUse,
    SuggestionRow,
    SummaryRow,
)


class CaseStore(Protocol):
    """The cases and their sample groups and attributes."""

    def cases(self) -> list[Case]:
        """Every case, in the order the cases file listed them."""

    def cases_in_order(self, groups: Sequence[str] = (), by: Sequence[str] = ()) -> list[Case]:
        """The cases not withdrawn, in matrix row order (``model.order_cases``)."""

    def case(self, case_id: str) -> Case | None: ...
    def upsert_cases(self, cases: Sequence[Case]) -> tuple[int, int]:
        """Insert new cases and update existing ones; returns (added, updated)."""

    def add_cases(self, ids: Sequence[str]) -> None:
        """Add cases the study does not have yet, with no group or attributes, after the
        existing ones in the order given: what :meth:`upsert_cases` does for new ids, in
        one statement (a survey file brings a case per answer). An id the study has already
        fails, and the caller's transaction with it."""


class SourceStore(Protocol):
    """Transcripts and other sources, with their segments (speaker turns) and sentences."""

    def sources(self, case_id: str | None = None) -> list[Source]:
        """Sources of one case (or all), in ingest order."""

    def source_by_name(self, name: str) -> Source | None:
        """The source a user names ``name``: its ref prefix (``P7``, ``P7_followup``), its
        name (``P7_followup.docx``), or any other of its forms no other source shares (see
        :mod:`framework_qda.refs`)."""

    def source_named(self, name: str) -> Source | None:
        """The source whose stored name is exactly ``name``."""

    def project_source_at(self, path: str) -> Source | None:
        """The source a REFI-QDA project brought (it has the project's GUID) whose stored path
        is exactly ``path`` (``transcripts/Anna.docx.txt``)."""

    def source_shas(self) -> dict[str, str]:
        """Every source's name and stored hash, in one query (a survey file asks about each of
        its rows)."""

    def source_files(self) -> dict[str, tuple[str, str]]:
        """Every source's name with its stored hash and path, in one query."""

    def source_paths(self, names: Iterable[str]) -> dict[str, tuple[int, str, str]]:
        """``(id, stored path, format)`` of the sources with these names."""

    def rename_sources(self, renames: Sequence[tuple[int, str, str]]) -> None:
        """Give sources new names and stored paths: ``(id, name, path)`` each."""

    def ref_prefixes(self, source_id: int | None = None) -> dict[int, str]:
        """What stands before the colon in each source's segment refs (rules in
        :mod:`framework_qda.refs`); only ``source_id``'s when given."""

    def source_refs(self) -> dict[str, int]:
        """Every name a ref may put before its colon, with its source's id: each prefix, each
        name, each form of a name no other source shares."""

    def put_source(
        self,
        *,
        case_id: str,
        name: str,
        path: str,
        format: str,
        sha256: str,
        text: str,
        metadata: Mapping[str, object],
        segments: Sequence[SegmentRow],
        sentences: Iterable[tuple[int, int, int, int]],
    ) -> int:
        """Store a source with its segments and sentences, replacing an older version."""

    def source_batches(self) -> AbstractContextManager[Callable[[Sequence[NewSource]], list[int]]]:
        """A function that stores batches of new sources, one statement per table for each
        batch; it returns their ids, in order."""

    def source_texts(self, source_id: int | None = None) -> Iterator[tuple[int, str, str]]:
        """``(id, name, text)`` of every source (or one), in ingest order, streamed."""

    def segments(
        self, source_id: int, first: int | None = None, last: int | None = None
    ) -> list[Segment]:
        """Segments of a source in order, optionally only numbers first..last."""

    def segment_spans(
        self, source_id: int | None = None
    ) -> Iterator[tuple[int, int, int, int, str]]:
        """``(source_id, number, start, end, role)`` of every segment (or one source's), in
        source then segment order, streamed."""

    def segment_bounds(self) -> list[tuple[int, int, int, int]]:
        """``(source_id, number, start, end)`` of every segment, in source then segment
        order."""

    def segment_count(self, source_id: int) -> int: ...
    def speaker_sources(self, other_than: str = "") -> dict[str, int]:
        """In how many sources (other than the one named) each speaker label speaks, by its
        case-folded label."""

    def sentences(self, source_id: int, segment: int) -> list[tuple[int, int]]:
        """(start, end) of each sentence of one segment, in order."""


class CodebookStore(Protocol):
    """The working analytical framework: themes, sub-topics, their evolution."""

    def codebook(self) -> Codebook:
        """The stored framework, themes and sub-topics in codebook order."""

    def subtopic_ids(self) -> dict[str, int]: ...
    def theme_ids(self) -> dict[str, int]: ...
    def subtopic_use(self) -> dict[str, SubtopicUse]:
        """For every sub-topic code: its codings, the cases they fall in, its summaries."""

    def save_codebook(
        self, cb: Codebook, subtopics: Mapping[str, int], themes: Mapping[str, int]
    ) -> None:
        """Make the stored framework equal to ``cb``: each code in ``subtopics`` /
        ``themes`` continues that stored row; every other stored row is deleted."""

    def put_meta(self, key: str, value: str) -> None: ...
    def meta(self, key: str) -> str: ...
    def rename_theme(self, code: str, label: str) -> None: ...
    def rename_subtopic(self, code: str, label: str) -> None: ...
    def move_subtopic(self, sub_id: int, theme_id: int, code: str) -> None:
        """Give a sub-topic a new theme and code, placed last in that theme."""

    def move_codings(self, from_id: int, to_id: int) -> tuple[int, int]:
        """Re-point codings to another sub-topic; returns (moved, collapsed duplicates)."""

    def summary_rows(self, sub_id: int) -> dict[str, SummaryRow]:
        """The summaries of one sub-topic, keyed by case id (whoever wrote them)."""

    def move_summary(self, case_id: str, from_id: int, to_id: int) -> None:
        """Re-point one cell's summary to another sub-topic (its links follow by cascade)."""

    def join_summary(
        self,
        case_id: str,
        from_id: int,
        to_id: int,
        text: str,
        state: str,
        author: str,
        evidence_hash: str,
    ) -> None:
        """Give the target cell the joined text and take over the source's links; the source
        summary is then deleted."""

    def move_summary_versions(self, from_id: int, to_id: int, heading: str) -> None:
        """Coders' versions of one sub-topic's summaries go to another's cells; where the
        coder has a version there already, theirs is appended under ``heading``."""

    def delete_subtopic(self, sub_id: int) -> tuple[int, int]:
        """Delete a sub-topic with its codings and summaries (coders' versions too); returns
        (codings, summaries)."""

    def log_change(
        self, who: str, action: str, subject: str, detail: str, now_code: str = ""
    ) -> None:
        """Record a change; ``now_code`` is the code the subject's codings went to (merge
        target, new code after a move), which makes old codes resolvable."""

    def code_aliases(self) -> dict[str, str]:
        """Old sub-topic codes -> the code their codings are under now (chains followed)."""

    def codebook_changes(self) -> list[ChangeRecord]:
        """Every recorded change of the framework, oldest first."""


class CodingStore(Protocol):
    """Codings (indexing) and suggestions, with where a coding session stands."""

    def codings_at(self, codings: Sequence[NewCoding]) -> list[tuple[int, str] | None]:
        """For each coding, the row its span and sub-topic already hold, as (id, status):
        the same coder's first, else any coder's suggestion; None when there is none."""

    def insert_codings(self, codings: Sequence[NewCoding]) -> list[int]:
        """Insert codings as new rows; their ids, in order."""

    def accept_into(self, rows: Sequence[tuple[int, NewCoding]]) -> None:
        """Each stored row becomes the accepted coding given (coder, origin, memo, now)."""

    def codings(self, status: str | None = "accepted") -> list[Coding]:
        """Codings in source order, then offset order, then codebook order."""

    def evidence(
        self,
        subtopics: Sequence[str] | None = None,
        case_id: str | None = None,
        status: str = "accepted",
        cases: Sequence[str] | None = None,
    ) -> list[Evidence]:
        """Coded passages, verbatim, in case/source/offset order (only ``cases``' when
        given: the first rows of a long listing)."""

    def coded_cells(self) -> set[tuple[str, str]]:
        """Every (case id, sub-topic code) with at least one accepted coding."""

    def move_coding(self, coding_id: int, start: int, end: int) -> None: ...
    def delete_codings(self, ids: Sequence[int]) -> None: ...
    def source_codings(self, source_id: int) -> list[Coding]: ...
    def overlapping_codings(
        self, source_id: int, start: int, end: int, status: str | None = "accepted"
    ) -> list[Coding]:
        """Codings of a source whose span shares at least one character with start..end."""

    def coded_segments(self, source_id: int, coder: str | None = None) -> set[int]:
        """Numbers of a source's segments that hold an accepted coding (by ``coder``)."""

    def set_coding_status(self, ids: Sequence[int], status: str, coder: str) -> None:
        """Accept or reject codings (a decision: the deciding coder is recorded)."""

    def suggestions(
        self, case_id: str | None = None, subtopics: Sequence[str] | None = None
    ) -> list[SuggestionRow]:
        """Pending suggestions in case, source, offset and codebook order."""

    def session_cursor(self, case_id: str, coder: str) -> tuple[int, int] | None:
        """Where an interactive coding session of this case and coder stopped."""

    def put_session_cursor(self, case_id: str, coder: str, cursor: tuple[int, int] | None) -> None:
        """Remember (or, with None, forget) where a coding session stands."""

    def coding_spans(
        self, source_id: int | None = None
    ) -> Iterator[tuple[int, int, int, str, str]]:
        """``(source_id, start, end, status, code)`` of every coding (or one source's), in
        source order, streamed: what a pass over all sources needs in one query instead of
        one per source."""

    def withdraw_suggestions(self, spans: Sequence[tuple[int, int, int, int]], coder: str) -> int:
        """Delete pending suggestions made by ``coder`` (the rules) on these ``(source_id,
        start, end, subtopic_id)`` spans; returns how many went."""

    def insert_suggestions(self, codings: Sequence[NewCoding]) -> int:
        """Insert new suggestions in one statement; returns how many were new."""


class SummaryStore(Protocol):
    """Charting: each cell's summary and the evidence it links to."""

    def summaries(self) -> dict[tuple[str, str], SummaryRow]:
        """Every summary, keyed by (case id, sub-topic code)."""

    def summary(self, case_id: str, subtopic_id: int) -> SummaryRow | None: ...
    def put_summary(
        self,
        case_id: str,
        subtopic_id: int,
        text: str,
        state: str,
        author: str,
        evidence_hash: str,
        *,
        evidence: Sequence[tuple[str, ...]] = (),
        links: Sequence[tuple[int, int]] | None = None,
        origin: str = "human",
    ) -> None:
        """Write a cell's summary (a new one: any acceptance of an earlier draft is cleared).
        ``links`` (source id, segment) replace the old ones when given; ``None`` keeps
        them."""

    def source_links(self, source_id: int) -> list[tuple[str, int, int, int, int, int]]:
        """(case, sub-topic id, segment, position, start, end) of every summary link to a
        source's segments."""

    def source_case(self, source_id: int) -> str: ...
    def source_names(self, source_id: int) -> set[str]:
        """Every spelling a reference may use for a source (case-folded): its name and its ref
        prefix."""

    def replace_source_links(
        self,
        case_id: str,
        subtopic_id: int,
        source_id: int,
        rows: Sequence[tuple[int, int, int, int]],
        keep_segments: Sequence[int] = (),
    ) -> None:
        """A summary's links to one source become ``rows`` (segment, position, start, end);
        links to ``keep_segments`` are left as they are."""

    def set_summary_text(self, case_id: str, subtopic_id: int, text: str) -> None:
        """Rewrite a summary's text (its references renumbered): not a new summary, so its
        author, time and provenance stay."""

    def set_summary_evidence(
        self,
        case_id: str,
        subtopic_id: int,
        evidence_hash: str,
        evidence: Sequence[tuple[str, ...]],
    ) -> None:
        """Record again what a summary rests on (the same words under new refs)."""

    def accept_summary(self, case_id: str, subtopic_id: int, who: str) -> None:
        """A person accepts a machine draft: it becomes a summary, still the machine's words,
        with who accepted it and when."""

    def delete_summary(self, case_id: str, subtopic_id: int) -> None:
        """Remove a cell's summary (its links go with it)."""

    def summary_links(self) -> dict[tuple[str, str], list[str]]:
        """The refs each summary cites, keyed by (case id, sub-topic code), in typed order."""

    def cell_sentences(self, case_id: str, subtopic: str) -> list[CellSentence]:
        """Sentences of the accepted codings of one cell, clipped to each coded span, in
        source and offset order."""


class StudyStore(
    CaseStore,
    SourceStore,
    CodebookStore,
    CodingStore,
    SummaryStore,
    SearchStore,
    CountStore,
    HistoryStore,
    TeamStore,
    ExchangeStore,
    NameStore,
    IntegrityStore,
    TransferStore,
    Protocol,
):
    """One study's store, opened (and migrated) for one command."""

    path: str
    """Where the store is (a file for SQLite)."""
    read_only: bool
    """The store cannot be written: reading works, and any change is refused in one line."""
    layer: str | None
    """A coder whose study is blind: what views read is only that coder's."""
    command: str
    """What the user asked for, recorded with every change it makes."""
    label: str
    """What the library is doing, recorded when no command line was set."""
    actor: str
    """Who is acting; when empty, ``identify()`` is asked once per change."""
    identify: Callable[[], str]
    database_errors: tuple[type[Exception], ...]
    """What the backend raises when the store itself fails (not one file's input)."""

    def close(self) -> None: ...

    def atomic(self) -> AbstractContextManager[None]:
        """Run a block in one transaction (nested blocks become savepoints)."""

    def snapshot(self) -> AbstractContextManager[None]:
        """Read in one transaction that takes no write lock: every read in the block
        sees the store as one moment left it, even while another command writes."""
