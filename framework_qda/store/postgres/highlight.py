"""What a search matched in a passage, on PostgreSQL, as SQLite's FTS5 marks it.

``ts_headline`` marks every word that matches any word of the query, even a
word of a phrase standing alone ("the" everywhere, for ``"the sheet"``).  FTS5
marks each occurrence of a phrase as one span, and a term after ``NOT`` nowhere.
So the PostgreSQL store reads each passage's words as the server's parser and
stemmer see them (``ts_debug``, in the passage's query, :data:`WORDS_SQL`), the
query's terms likewise, and marks here what FTS5 would mark.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from framework_qda.model import SearchQuery, SearchTerm

WORDS_SQL = ("(SELECT json_agg(json_build_array(alias, token, lexemes))"
             " FROM ts_debug('fqda', {text}))")
"""SQL for the words of ``{text}``: ``[alias, token, lexemes]`` each, in order."""

_COMPOUND = ("asciihword", "hword", "numhword")  # a hyphenated whole, its parts follow


def words(debug: object, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """``(start, end, lexemes)`` of each word of ``text`` the index keeps, from
    ``ts_debug``'s rows (JSON); a hyphenated word counts as its parts, as FTS5's
    tokenizer splits it.  ``debug`` is the JSON's text, or the rows psycopg read it
    into."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    pos = 0
    rows: Any = json.loads(debug) if isinstance(debug, str) else (debug or [])
    for alias, token, lexemes in rows:
        at = text.find(token, pos)
        if at < 0:
            continue
        if alias in _COMPOUND:
            continue  # its parts come next, each found from here
        pos = at + len(token)
        if lexemes:
            out.append((at, pos, tuple(lexemes)))
    return out


def marked_terms(query: SearchQuery) -> list[SearchTerm]:
    """The terms FTS5 marks: every one but those after ``NOT``."""
    out: list[SearchTerm] = []
    negated = False
    for part in query.parts:
        if isinstance(part, str):
            negated = part == "NOT"
            continue
        if not negated:
            out.append(part)
        negated = False
    return out


def spans(found: list[tuple[int, int, tuple[str, ...]]],
          terms: Sequence[tuple[tuple[str, ...], bool]]) -> tuple[tuple[int, int], ...]:
    """Where each term (its words' lexemes, and whether its last word is a prefix)
    occurs among ``found``, one span per occurrence, overlapping ones joined."""
    hits: list[tuple[int, int]] = []
    for lexemes, prefix in terms:
        n = len(lexemes)
        if not n:
            continue
        for i in range(len(found) - n + 1):
            if all(_fits(found[i + k][2], lexemes[k], prefix and k == n - 1) for k in range(n)):
                hits.append((found[i][0], found[i + n - 1][1]))
    joined: list[tuple[int, int]] = []
    for start, end in sorted(hits):
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return tuple(joined)


def _fits(lexemes: tuple[str, ...], wanted: str, prefix: bool) -> bool:
    return any(x.startswith(wanted) if prefix else x == wanted for x in lexemes)
