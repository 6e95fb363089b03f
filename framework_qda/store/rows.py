"""What the store gives back and takes, whichever database holds the study: plain
frozen rows, no connection and no SQL (every backend returns these)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from framework_qda.model import Role


@dataclass(frozen=True)
class SubtopicUse:
    """What rests on a sub-topic."""

    codings: int = 0
    """Accepted codings."""
    cases: int = 0
    """Cases the accepted codings are in."""
    summaries: int = 0
    suggestions: int = 0
    """Codings not (yet) accepted: suggested or rejected."""


@dataclass(frozen=True)
class ChangeRecord:
    """One recorded change of the framework."""

    at: str
    who: str
    action: str
    subject: str
    detail: str


@dataclass(frozen=True)
class NewCoding:
    """A coding to insert; the span must already be checked against the source."""

    source_id: int
    start: int
    end: int
    subtopic_id: int
    coder: str
    origin: str
    status: str
    memo: str
    text_hash: str
    matched: str = ""
    """For a suggestion, the words its rule matched (``; ``-separated)."""


@dataclass(frozen=True)
class SuggestionRow:
    """A stored suggestion, with where it is and what made the rule fire."""

    id: int
    source_id: int
    case_id: str
    start: int
    end: int
    subtopic: str
    matched: str
    segment: int
    """Number of the segment the suggestion starts in (0 if none)."""


@dataclass(frozen=True)
class NoteRow:
    """A note (memo) on a source, a passage of it, or the project."""

    guid: str
    source_id: int | None
    start: int | None
    end: int | None
    name: str
    text: str
    author: str
    created_at: str


@dataclass(frozen=True)
class ActionRow:
    """One user action: everything one transaction changed."""

    id: int
    at: str
    who: str
    command: str
    undoes: int | None
    """The action this one reverted (``fqda undo``), if it is an undo."""
    undone_by: int | None
    """The undo that reverted this action, if one did."""


@dataclass(frozen=True)
class ChangeRow:
    """One row's change: ``before`` is None for an insert, ``after`` for a delete."""

    id: int
    action_id: int
    table: str
    key: tuple[Any, ...]
    case_id: str | None
    subtopic_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class AppliedInput:
    """A hand-written file as it was when last applied."""

    path: str
    sha256: str
    rows: dict[str, str]
    """Each row's key and its content, as the file held them then."""
    action_id: int
    """The newest action of the history when the file was applied: later actions
    are what the researcher did in the study since."""


@dataclass(frozen=True)
class LayerCoding:
    """An accepted coding as agreement sees it."""

    id: int
    source_id: int
    start: int
    end: int
    subtopic: str
    coder: str
    memo: str


@dataclass(frozen=True)
class SummaryVersion:
    """A coder's version of a cell's summary, kept beside the cell's own
    (migration 0018)."""

    case_id: str
    subtopic: str
    coder: str
    text: str
    state: str
    author: str
    updated_at: str
    origin: str
    accepted_by: str
    came_from: str
    """Where it came from, in words: ``merged from ../jk-copy``, ``replaced by the
    consensus``."""


@dataclass(frozen=True)
class CopySource:
    name: str
    sha256: str
    text: str


@dataclass(frozen=True)
class CopyCoding:
    source: str
    start: int
    end: int
    guid: str
    code: str
    coder: str
    origin: str
    memo: str
    text_hash: str


@dataclass(frozen=True)
class CopySummary:
    case_id: str
    guid: str
    code: str
    text: str
    state: str
    author: str
    accepted_by: str


@dataclass(frozen=True)
class CopyContents:
    """What another copy of the study holds, read without changing it."""

    sources: dict[str, CopySource]
    codings: list[CopyCoding]
    summaries: list[CopySummary]
    labels: dict[str, str]
    """Each of the copy's sub-topic codes and its label."""


@dataclass(frozen=True)
class NameEntry:
    """A real name or phrase, the pseudonym that replaces it, and where it applies."""

    real: str
    pseudonym: str
    case_id: str = ""
    """The case whose text it applies to; ``""`` for the whole study."""
    kind: str = "name"
    """``name``, ``speaker``, ``attribute``, ``email``, ``phone``, ``postcode``, ``url``,
    ``listed`` or ``entity``: what found it."""
    status: str = "candidate"
    """``candidate`` (found, not reviewed), ``accepted`` or ``rejected``."""
    count: int = 0
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PassageRow:
    """A segment as search and co-occurrence read it."""

    source_id: int
    number: int
    ref: str
    case_id: str
    source: str
    speaker: str
    role: Role
    line_first: int
    line_last: int
    text: str
    """The segment's verbatim text (``source.text[start:end]``)."""
    matches: tuple[tuple[int, int], ...]
    """What the query matched: ``(start, end)`` offsets into ``text`` (none without one)."""
    coded: tuple[str, ...]
    """Sub-topic codes of accepted codings overlapping the segment, sorted, unique."""


@dataclass(frozen=True)
class SegmentHit:
    """A segment a search found, before its text is read."""

    source_id: int
    number: int
    case_id: str
    body: str = ""
    """The index's copy of the text (only from :meth:`SearchRows.segment_bodies`)."""


@dataclass(frozen=True)
class SegmentRow:
    """A segment as ingest produces it, before it has a source id."""

    number: int
    start: int
    end: int
    speaker: str
    role: Role
    line_first: int
    line_last: int
    timestamp: str = ""


class NewSource(NamedTuple):
    """A source to add under a name the study does not have yet (a tuple: a survey
    makes one per answer, and a frozen dataclass costs several times more to build)."""

    case_id: str
    name: str
    path: str
    format: str
    sha256: str
    text: str
    metadata: Mapping[str, object]
    segments: Sequence[SegmentRow]
    sentences: Sequence[tuple[int, int, int, int]]
    """``(segment, number, start, end)``."""


@dataclass(frozen=True)
class SummaryRow:
    case_id: str
    subtopic: str
    text: str
    state: str
    """``summarised``, ``not-applicable`` or ``draft`` (stale is computed, never stored)."""
    author: str
    updated_at: str
    evidence_hash: str
    evidence: tuple[tuple[str, ...], ...] = ()
    """(ref, passage hash, words) of the evidence the summary was written against
    (summaries written before the words were kept have (ref, passage hash))."""
    origin: str = "human"
    """``human`` (a person wrote it) or ``machine`` (the draft writer did)."""
    accepted_by: str = ""
    """Who accepted a machine draft as a summary (empty for a person's own)."""
    accepted_at: str = ""

    @property
    def provenance(self) -> str:
        """Who wrote the summary, in words: ``written by ann, 2026-12-02``, ``machine draft,
        not accepted``, ``machine draft accepted by ann, 2026-12-02``."""
        if self.origin == "machine":
            if self.accepted_by:
                return f"machine draft accepted by {self.accepted_by}, {self.accepted_at[:10]}"
            return f"machine draft ({self.updated_at[:10]}), not accepted"
        return f"written by {self.author or 'unknown'}, {self.updated_at[:10]}"


@dataclass(frozen=True)
class CellSentence:
    """One sentence of coded text under a cell, clipped to the coded span."""

    ref: str
    text: str
    role: str
    order: int
    """Position in source order, so drafts can keep the participant's sequence."""

