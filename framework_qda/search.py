"""Search over segment text: what a researcher types becomes a :class:`SearchQuery`
(or a regular expression), and the rows the store finds become :class:`Passage` s in
matrix row order with the offsets of what matched.

Pure: the store runs the query (see ``store/search.py``); nothing here touches it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError
from framework_qda.model import Case, Role, SearchQuery, SearchTerm

if TYPE_CHECKING:
    from framework_qda.store import PassageRow
    from framework_qda.store.rows import SegmentHit


@dataclass(frozen=True)
class Passage:
    """A segment found by search or co-occurrence, with what it is coded to."""

    ref: str
    case_id: str
    group: str
    speaker: str
    role: Role
    text: str
    """The segment's verbatim text."""
    coded: tuple[str, ...]
    """Sub-topic codes of accepted codings on the segment."""
    matches: tuple[tuple[int, int], ...] = ()
    """What the search matched: (start, end) offsets into ``text``, in order."""
    source: str = ""
    line_first: int = 0
    line_last: int = 0


_TOKEN = re.compile(r'"[^"]*"?|\S+')
_OPERATORS = ("AND", "OR", "NOT")


def parse_query(words: str) -> SearchQuery:
    """What a researcher typed, read as a search in no database's query language.

    Every word must occur (any order); ``"a phrase"`` keeps words together;
    a trailing ``*`` matches a prefix; ``OR`` and ``NOT`` work between words.
    Punctuation is never read as query syntax.  The store turns the result into
    its own index's language (``store/search.py``).
    """
    parts: list[SearchTerm | str] = []
    for token in _TOKEN.findall(words):
        if token in _OPERATORS:
            if parts and parts[-1] not in _OPERATORS:  # "a OR OR b" is "a OR b"
                parts.append(token)
            continue
        phrase = token.startswith('"')
        body = token.strip('"') if phrase else token.rstrip("*")
        if re.search(r"\w", body):
            parts.append(SearchTerm(body, phrase=phrase,
                                    prefix=token.endswith("*") and not phrase))
    while parts and parts[0] in _OPERATORS:
        parts.pop(0)
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    if not parts:
        raise FqdaError("give some words to search for, e.g. fqda search \"pooled budget\"")
    return SearchQuery(tuple(parts))


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A researcher's regular expression (case-insensitive unless it says ``(?-i:…)``)."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise FqdaError(f"--regex {pattern!r} is not a valid regular expression ({exc})") from None


class Found(list[Passage]):
    """Passages found, the first so many of them: ``total`` says how many matched."""

    def __init__(self, passages: Iterable[Passage] = (), total: int = 0) -> None:
        super().__init__(passages)
        self.total = max(total, len(self))
        """How many segments matched, listed or not."""


def choose(
    hits: Iterable[SegmentHit], cases: Sequence[Case], *,
    coded: Callable[[list[tuple[int, int]]], set[tuple[int, int]]] | None = None,
    want_coded: bool = True, pattern: re.Pattern[str] | None = None, limit: int = 0,
) -> list[tuple[int, int]]:
    """The ``(source_id, number)`` of the hits to show, in row order (sample group,
    case, source, segment).

    ``pattern`` keeps hits whose text it finds; ``coded`` (which of these keys
    are coded?) keeps the coded ones, or with ``want_coded=False`` the uncoded
    ones; ``limit`` keeps the first so many (see :func:`matched` for how many
    there are).
    """
    keys = matched(hits, cases, coded=coded, want_coded=want_coded, pattern=pattern)
    return keys[:limit] if limit else keys


def matched(
    hits: Iterable[SegmentHit], cases: Sequence[Case], *,
    coded: Callable[[list[tuple[int, int]]], set[tuple[int, int]]] | None = None,
    want_coded: bool = True, pattern: re.Pattern[str] | None = None,
) -> list[tuple[int, int]]:
    """Every hit :func:`choose` would keep, in row order."""
    order = {c.id: i for i, c in enumerate(cases)}
    kept = sorted((order.get(h.case_id, len(order)), h.source_id, h.number) for h in hits
                  if pattern is None or pattern.search(h.body) is not None)
    keys = [(sid, n) for _, sid, n in kept]
    if coded is not None:
        marked = coded(keys)
        keys = [k for k in keys if (k in marked) == want_coded]
    return keys


def find_passages(
    rows: Iterable[PassageRow],
    cases: Sequence[Case],
    *,
    pattern: re.Pattern[str] | None = None,
) -> list[Passage]:
    """Passages in row order (sample group, case, source, segment).

    The matches are those the store's index found (``PassageRow.matches``);
    ``pattern`` finds them with a regular expression instead (segments with no
    match are dropped).
    """
    order = {c.id: i for i, c in enumerate(cases)}
    by_id = {c.id: c for c in cases}
    found: list[tuple[tuple[int, int, int], Passage]] = []
    for r in rows:
        matches = r.matches
        if pattern is not None:
            matches = tuple(m.span() for m in pattern.finditer(r.text) if m.end() > m.start())
            if not matches:
                continue
        case = by_id.get(r.case_id, Case(r.case_id))
        found.append(((order.get(r.case_id, len(order)), r.source_id, r.number), Passage(
            r.ref, r.case_id, case.group, r.speaker, r.role, r.text, r.coded, matches,
            r.source, r.line_first, r.line_last)))
    found.sort(key=lambda kv: kv[0])
    return [p for _, p in found]
