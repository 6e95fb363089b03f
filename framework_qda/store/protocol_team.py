"""What the library asks of a study store for history, coders, exchange, names and
checks: the rest of :class:`framework_qda.store.protocol.StudyStore`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from framework_qda.store.rows import (
    ActionRow,
    AppliedInput,
    ChangeRow,
    CopyContents,
    LayerCoding,
    NameEntry,
    NoteRow,
    SummaryVersion,
)


class HistoryStore(Protocol):
    """What every command changed, for history and undo, and the input files applied."""

    def actions(
        self,
        *,
        case_id: str | None = None,
        subtopic_id: int | None = None,
        who: str | None = None,
        limit: int = 0,
    ) -> list[ActionRow]:
        """Actions that changed something, newest first; only those touching the case, the
        sub-topic (or both: one cell), or by ``who``, when given."""

    def action(self, action_id: int) -> ActionRow | None: ...
    def changes(self, action_ids: Sequence[int]) -> list[ChangeRow]:
        """The row changes of these actions, in the order they were made."""

    def last_undoable(self, who: str) -> ActionRow | None:
        """``who``'s newest action that is neither an undo nor undone already."""

    def later_actions_on(self, action_id: int, keys: Sequence[tuple[str, str]]) -> list[int]:
        """Actions after ``action_id`` that changed any of these (table, JSON key) rows and
        were not themselves undone, oldest first."""

    def revert_action(self, action_id: int, changes: Sequence[ChangeRow]) -> bool:
        """Put back every row ``changes`` (one action's) touched, newest first, in one
        transaction recorded as an undo of ``action_id``.  False, with nothing changed,
        when the result would break the study's integrity (a coding left on a removed sub-
        topic, say)."""

    def applied_input(self, path: str) -> AppliedInput | None: ...
    def put_applied_input(self, path: str, sha256: str, rows: dict[str, str]) -> None:
        """Record a file as applied now (the caller holds the transaction)."""

    def coding_removed(
        self, source_id: int, start: int, end: int, subtopic_id: int
    ) -> tuple[int, str] | None:
        """The action that last removed (deleted or rejected) this coding, as (action id,
        who), when that is the latest thing that happened to it and was not undone."""

    def summary_changed_since(
        self, action_id: int, case_id: str, subtopic_id: int
    ) -> tuple[int, str] | None:
        """The latest action after ``action_id`` that wrote or removed this cell's summary
        (not an undone one), as (action id, who)."""


class TeamStore(Protocol):
    """Coders' layers, blind coding and coders' versions of summaries."""

    def blind_coders(self) -> list[str]: ...
    def set_blind(self, coder: str, on: bool) -> None: ...
    def grant_coders(self, roles: Sequence[str]) -> None:
        """Let these server roles read and write the study (each coder's own role,
        named as they code); refused where the store has no roles (a file)."""

    def layer_coders(self) -> list[str]:
        """Every coder with an accepted coding (the consensus layer too), by name."""

    def layer_codings(self, codes: Sequence[str] | None = None) -> list[LayerCoding]:
        """Every coder's accepted codings (of ``codes``), in source and offset order."""

    def unit_spans(self, unit: str) -> dict[int, list[tuple[int, int]]]:
        """Each source's segments (``segment``) or stored sentences (``sentence``) as (start,
        end), in text order."""

    def source_cases(self) -> dict[int, str]:
        """Each source's case id."""

    def source_sizes(self) -> dict[int, tuple[str, int]]:
        """Each source's (case id, length of its text in characters)."""

    def consensus_decisions(self, coder: str) -> list[tuple[int, int, int, str, str]]:
        """``(source_id, start, end, code, status)`` of one coder's accepted and rejected
        codings (for the consensus layer: what was agreed, and where the agreement was that
        nothing is coded)."""

    def put_layer_coding(
        self,
        source_id: int,
        start: int,
        end: int,
        subtopic_id: int,
        coder: str,
        origin: str,
        status: str,
        memo: str,
        text_hash: str,
    ) -> bool:
        """Store a coding in a coder's layer unless that coder already has a row for the span
        and sub-topic (whatever its status: a removal stands); returns whether it was new."""

    def set_layer_status(
        self, source_id: int, start: int, end: int, subtopic_id: int, coder: str, status: str
    ) -> None: ...
    def subtopic_guids(self) -> dict[str, int]: ...
    def summary_versions(
        self, case_id: str | None = None, subtopic_id: int | None = None
    ) -> list[SummaryVersion]:
        """Coders' versions of cells' summaries (of one case, one cell), in case, codebook and
        coder order."""

    def put_summary_version(
        self,
        case_id: str,
        subtopic_id: int,
        coder: str,
        text: str,
        state: str,
        author: str,
        origin: str,
        accepted_by: str,
        came_from: str,
    ) -> str:
        """Keep a coder's version of a cell's summary: ``added``, ``present`` (the same words
        and state already kept) or ``changed`` (their earlier version, which the history
        keeps, replaced)."""

    @staticmethod
    def read_copy(path: Path) -> CopyContents:
        """Read another copy's store (``.fqda/study.db``) without changing it."""


class ExchangeStore(Protocol):
    """What a REFI-QDA project exchange keeps beside the study: GUIDs, notes, sets."""

    def exchange_guids(self, kind: str) -> dict[str, str]:
        """Local key -> GUID for one kind (``source``, ``case``, ``coding`` …)."""

    def put_exchange_guids(self, kind: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Remember GUIDs for local keys; a key that has one keeps it."""

    def notes(self) -> list[NoteRow]: ...
    def add_notes(self, notes: Sequence[NoteRow]) -> int:
        """Store notes not already stored (by GUID); returns how many were new."""

    def sets(self) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
        """(GUID, name, description, members as (kind, GUID)) of every kept set."""

    def add_sets(self, sets: Sequence[tuple[str, str, str, Sequence[tuple[str, str]]]]) -> int:
        """Keep sets not already kept (by GUID); returns how many were new."""

    def coding_ids_at(
        self, source_id: int, start: int, end: int, subtopic_id: int
    ) -> int | None: ...


class NameStore(Protocol):
    """The pseudonymisation register."""

    def names(self, status: str | None = None) -> list[NameEntry]:
        """The register, study-wide entries first, then by case and name."""

    def put_names(self, entries: Sequence[NameEntry], keep_decided: bool = False) -> int:
        """Add or update entries; returns how many rows changed.  With ``keep_decided`` an
        entry already accepted or rejected keeps its decision and pseudonym (only its count
        and refs follow the new scan)."""

    def decide_name(self, real: str, case_id: str, status: str, pseudonym: str | None) -> int:
        """Accept or reject a register entry (matched case-insensitively); returns rows."""


class TransferStore(Protocol):
    """Moving a study between stores (``fqda store copy``)."""

    def is_empty(self) -> bool:
        """Whether the store holds no study yet (no case, source, framework or action)."""

    def table_rows(self) -> Iterator[tuple[str, list[str], list[tuple[Any, ...]]]]:
        """``(table, columns, rows)`` of every table of the study, parents first."""

    def table_batches(self) -> Iterator[tuple[str, list[str], Iterator[list[tuple[Any, ...]]]]]:
        """``(table, columns, batches)`` of every table, parents first: each table's
        rows in bounded lists (at least one), read as they are needed."""

    def put_table_rows(self, table: str, columns: Sequence[str],
                       rows: Sequence[tuple[Any, ...]], first: bool = True) -> None:
        """Insert rows of one table as they are, into an empty store, in
        :meth:`table_batches`'s order, inside one transaction (``first``: the
        table's first batch)."""

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows, sorted: two stores whose dumps are equal hold the same study."""


class IntegrityStore(Protocol):
    """What `fqda check` asks of the store."""

    def store_damage(self) -> list[str]:
        """What the database's own check finds wrong with the store ([] when it is sound)."""

    def coding_texts(self) -> Iterator[tuple[int, str, int, int, str, str, str]]:
        """``(id, source name, start, end, code, stored hash, text at the span)`` of every
        coding whose span lies inside its source, streamed."""

    def codings_outside(self) -> Iterator[tuple[int, str, int, int, str]]:
        """``(id, source name, start, end, code)`` of codings not inside their source."""

    def segments_outside(self) -> Iterator[tuple[str, int, int, int]]:
        """``(source name, number, start, end)`` of segments not inside their source."""

    def sentences_outside(self) -> Iterator[tuple[str, int, int, int, int]]:
        """``(source name, segment, number, start, end)`` of sentences not inside their
        segment (or whose segment is gone)."""

    def links_outside(self) -> Iterator[tuple[str, str, str, int, int, int]]:
        """``(case, sub-topic code, source name, segment, start, end)`` of summary links whose
        span is not inside their source."""

    def index_mismatches(self) -> Iterator[tuple[str, int, str]]:
        """``(source name, segment, what)`` where the search index differs from the segments:
        ``missing``, ``different`` (its copy of the text), or ``extra`` (an index row with
        no segment; the name is then the row's key)."""
