"""The domain: frozen dataclasses with no I/O.

Offsets are Unicode code points into a source's normalised text, end
exclusive (the REFI-QDA convention): ``source.text[start:end]`` is the span.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, assert_never

Role = Literal["interviewer", "participant", "other"]
Origin = Literal["manual", "rule", "import"]
Status = Literal["accepted", "suggested", "rejected"]
CellState = Literal["empty", "coded", "draft", "summarised", "stale", "not-applicable"]
"""Every state a cell can be in, in the order a researcher moves a cell along; what
each means for a reader is in :mod:`framework_qda.cell_state`."""

def voice(role: Role) -> str:
    """Who speaks, as a quote shows it when the words are not a participant's
    (``Interviewer``); empty for a participant, whose case and group say it."""
    match role:
        case "participant":
            return ""
        case "interviewer":
            return "Interviewer"
        case "other":
            return "Other speaker"
        case _:
            assert_never(role)


_NATURAL = re.compile(r"(\d+)")
_LETTERS_THEN_NUMBER = re.compile(r"(\D+)(\d{1,30})")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``P2`` before ``P10`` (digits compare as numbers;
    a run of more than 30 digits compares by its length, then as text, since
    Python refuses to turn thousands of digits into a number)."""
    # Most ids are letters then a number (P0001): the same key, made without
    # splitting (10,000 cases are sorted on every read-only command).
    simple = _LETTERS_THEN_NUMBER.fullmatch(text)
    if simple is not None and not simple[1].isdigit():
        return ((1, simple[1].casefold()), (0, int(simple[2])))
    parts = _NATURAL.split(text)
    return tuple((0, int(p)) if p.isdigit() and len(p) <= 30
                 else (0, 10 ** 31 + len(p)) if p.isascii() and p.isdigit()
                 else (1, p.casefold()) for p in parts if p != "")


MAX_CASE_ID = 100
"""Characters in a case id."""
_CASE_ID_FORBIDDEN = {"/": "a slash", "\\": "a backslash", ":": "a colon",
                      "[": "a bracket", "]": "a bracket", ",": "a comma", ";": "a semicolon"}


def check_case_id(case_id: str) -> str | None:
    """What is wrong with ``case_id`` as a case id, or ``None`` when it is fine.

    A case id is what people type in refs (``P07:12``), sheet names, file
    names and summaries (``[P07:12]``), so it may not be empty or longer than
    :data:`MAX_CASE_ID` characters, start or end with white space, or contain
    a control character (tab, newline …), ``/``, ``\\``, ``:``, ``[``, ``]``,
    ``,`` or ``;``.  Every way a case id comes in (the cases file, ``--case``,
    a file name, a survey's id column) asks this one function.
    """
    if not case_id:
        return "is empty"
    if len(case_id) > MAX_CASE_ID:
        return f"is over {MAX_CASE_ID} characters"
    if case_id != case_id.strip():
        return "starts or ends with white space"
    for ch in case_id:
        if ch in _CASE_ID_FORBIDDEN:
            return f"contains {_CASE_ID_FORBIDDEN[ch]} ({ch})"
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return f"contains a control character (U+{ord(ch):04X})"
    return None


@dataclass(frozen=True)
class Case:
    """One participant or interview: a row of every matrix."""

    id: str
    group: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    """Further columns of the cases file, in file order."""

    @property
    def withdrawn(self) -> bool:
        """Whether the case is withdrawn (its ``withdrawn`` attribute says yes):
        it is in no matrix or query, and keeps its row in the cases table."""
        # (looked for without a dict per case: every read-only command asks every
        # case; the last of a repeated name counts, as in attribute())
        for name, value in reversed(self.attributes):
            if name == "withdrawn":
                return value.strip().casefold() in ("yes", "y", "true", "1", "x")
        return False

    def attribute(self, name: str) -> str:
        """The value of one attribute (``group`` included), or ``""``."""
        if name == "group":
            return self.group
        return dict(self.attributes).get(name, "")


@dataclass(frozen=True)
class Source:
    """One ingested file of one case."""

    id: int
    case_id: str
    name: str
    """Unique name of the source in the study (the file's stem)."""
    path: str
    format: str
    sha256: str
    text: str
    """Normalised text: decoded, BOM removed, line endings folded to ``\\n``."""


@dataclass(frozen=True)
class Segment:
    """A speaker turn (or a paragraph where there are no speakers)."""

    source_id: int
    number: int
    """1-based position in its source; what users type after the colon (``P07:12``)."""
    start: int
    end: int
    text: str
    speaker: str
    role: Role
    line_first: int
    line_last: int
    ref: str
    """How users name the segment, e.g. ``P07:12``."""
    case_id: str = ""
    timestamp: str = ""


@dataclass(frozen=True)
class Subtopic:
    """A column of a theme's matrix."""

    code: str
    label: str
    theme_code: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    keywords: tuple[str, ...] = ()
    guid: str = ""
    line: int | None = None
    """Line in the codebook file it was read from, for error messages."""
    patterns: tuple[object, ...] = ()
    """spaCy Matcher token patterns for suggestions: each a list of token dicts."""
    exclude_keywords: tuple[str, ...] = ()
    """Phrases that cancel a rule's match inside them (``hospital trust`` keeps
    ``trust`` from suggesting this sub-topic there)."""

    @property
    def heading(self) -> str:
        return f"{self.code} {self.label}"


@dataclass(frozen=True)
class Theme:
    """One matrix of the framework: an ordered set of sub-topics."""

    code: str
    label: str
    definition: str = ""
    subtopics: tuple[Subtopic, ...] = ()
    guid: str = ""
    line: int | None = None

    @property
    def heading(self) -> str:
        return f"{self.code} {self.label}"


@dataclass(frozen=True)
class Codebook:
    """The working analytical framework, in the codebook's order."""

    title: str = ""
    themes: tuple[Theme, ...] = ()
    groups: tuple[str, ...] = ()
    """Declared order of sample groups (may be empty)."""

    @property
    def subtopics(self) -> tuple[Subtopic, ...]:
        return tuple(s for t in self.themes for s in t.subtopics)

    def theme(self, code: str) -> Theme:
        """The theme with this code (``"2"``) or label; raises ``KeyError``."""
        for t in self.themes:
            if t.code == code or t.label.casefold() == code.casefold():
                return t
        raise KeyError(code)

    def subtopic(self, code: str) -> Subtopic:
        """The sub-topic with this code (``"2.3"``); raises ``KeyError``."""
        for s in self.subtopics:
            if s.code == code:
                return s
        raise KeyError(code)


@dataclass(frozen=True)
class Coding:
    """A span of a source assigned to a sub-topic."""

    id: int
    source_id: int
    start: int
    end: int
    subtopic: str
    coder: str = ""
    origin: Origin = "manual"
    status: Status = "accepted"
    created_at: str = ""
    memo: str = ""
    text_hash: str = ""


@dataclass(frozen=True)
class Evidence:
    """One coded passage under a cell, quoted verbatim from its source."""

    ref: str
    """Where it is, e.g. ``P07:12``."""
    text: str
    speaker: str
    role: Role
    case_id: str
    subtopic: str
    source: str = ""
    line_first: int = 0
    line_last: int = 0
    coder: str = ""
    memo: str = ""
    start: int = 0
    """Offsets of the passage in its source's normalised text (end exclusive)."""
    end: int = 0


@dataclass(frozen=True)
class Cell:
    """The meeting of a case and a sub-topic, the same in every matrix."""

    case_id: str
    subtopic: str
    state: CellState
    summary: str = ""
    evidence: tuple[Evidence, ...] = ()
    suggestions: tuple[Evidence, ...] = ()
    """Rule suggestions awaiting review, only when asked for; never evidence, and
    they play no part in the cell's state."""
    provenance: str = ""
    """Who wrote the summary: ``written by ann, 2026-12-02``, ``machine draft
    accepted by ann, …`` (empty without a summary)."""

    @property
    def refs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in self.evidence:
            seen.setdefault(e.ref, None)
        return tuple(seen)


@dataclass(frozen=True)
class Quote:
    """A verbatim quote ready for a report, attributed to its speaker's group (or, when
    the speaker is not a participant, to their role)."""

    text: str
    ref: str
    case_id: str
    group: str
    subtopic: str
    speaker: str
    attribution: str
    """Who said it, e.g. ``— Voluntary-sector leader, P7``; words that are not a
    participant's name the speaker's role instead of the group (``— Interviewer, P7``)."""
    attributes: tuple[tuple[str, str], ...] = field(default=())
    role: Role = "participant"
    source: str = ""
    """The source file it comes from, and its offsets there (end exclusive)."""
    start: int = 0
    end: int = 0

    @property
    def words(self) -> int:
        return len(self.text.split())


def order_cases(
    cases: Iterable[Case], group_order: Sequence[str] = (), by: Sequence[str] = ()
) -> list[Case]:
    """Cases in matrix row order.

    Rows are ordered by sample group (declared order first, then any other
    group in order of first appearance), then by each attribute in ``by``,
    then by case id in natural order (``P2`` before ``P10``).
    """
    cases = list(cases)
    rank: dict[str, int] = {g: i for i, g in enumerate(group_order)}
    for c in cases:
        rank.setdefault(c.group, len(rank))
    if not by:
        # Ids of letters then a number (most studies') sort by flat keys, the same
        # order as natural_key's nested ones at half the cost (10,000 cases).
        simple = [_LETTERS_THEN_NUMBER.fullmatch(c.id) for c in cases]
        if all(m is not None and not m[1].isdigit() for m in simple):
            keyed = sorted(((rank[c.group], m[1].casefold(), int(m[2]), i)
                            for i, (c, m) in enumerate(zip(cases, simple, strict=True))
                            if m is not None))
            return [cases[k[3]] for k in keyed]

    def key(c: Case) -> tuple[object, ...]:
        return (rank[c.group], *(natural_key(c.attribute(a)) for a in by), natural_key(c.id))

    return sorted(cases, key=key)


def span_hash(text: str) -> str:
    """A short fingerprint of coded text, to notice when it later changes."""
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def shown(text: str) -> str:
    """``text`` as it can be printed: bytes that were not UTF-8 (in a file name
    or an argument, which Python keeps as surrogates) as ``\\xe9`` escapes."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


REF_NUMBER_MAX = 10 ** 15
"""What a number in a ref of more digits stands for: beyond any segment or line."""


def ref_number(digits: str) -> int:
    """A number typed in a ref (``P07:12``); thousands of digits are simply too
    large (Python refuses to convert them, SQLite to store them)."""
    return int(digits) if len(digits) <= 15 else REF_NUMBER_MAX


@dataclass(frozen=True)
class CodebookImport:
    """What importing a codebook file changed: codes ``added``, ``changed`` (label,
    definition or rules), ``recoded`` (``"old -> new"``, a kept GUID under a new code)
    and ``removed``, with any ``warnings`` from reading the file."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    recoded: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """How many codes each kind of change touched, in the order a report gives them."""
        return {"added": len(self.added), "changed": len(self.changed),
                "recoded": len(self.recoded), "removed": len(self.removed)}


@dataclass(frozen=True)
class SearchTerm:
    """One word or phrase of a search, as the researcher typed it (no quotes)."""

    text: str
    phrase: bool = False
    """Typed in double quotes: its words must occur together, in order."""
    prefix: bool = False
    """Typed with a trailing ``*``: any word starting so matches."""


@dataclass(frozen=True)
class SearchQuery:
    """A full-text search in no database's language: terms that must all occur,
    with ``"OR"`` and ``"NOT"`` between two of them where typed.  Each store
    backend turns it into its own index's query (``store/search.py``)."""

    parts: tuple[SearchTerm | str, ...]

    def __str__(self) -> str:
        return " ".join(p if isinstance(p, str) else
                        ('"' + p.text + '"' if p.phrase else p.text + "*" * p.prefix)
                        for p in self.parts)


def normal_guid(guid: str) -> str:
    """A GUID without braces, in lower case (REFI-QDA allows both forms and cases)."""
    return guid.strip().strip("{}").strip().lower()
