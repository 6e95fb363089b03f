"""The quote bank's entries: each coded passage once, under theme, sub-topic and group.

A report appendix quotes a passage once.  Codings of one source whose spans
overlap (the same turn coded to three sub-topics, or a turn and a sentence
inside it) are one *passage*: the words of their spans joined, with every
sub-topic they were coded to.  A passage is shown under the first of its
sub-topics in codebook order; each other sub-topic it was coded to lists it
as coded there and shown elsewhere.  Within a sub-topic, passages are grouped
by sample group and come in matrix row order.  Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from framework_qda.model import Quote, Subtopic, Theme


@dataclass(frozen=True)
class Passage:
    """One passage of a source, quoted once however many codings cover it."""

    quote: Quote
    """The passage's words (the union of its codings' spans), reference and attribution;
    its ``subtopic`` is the one it is shown under."""
    codes: tuple[str, ...]
    """Every sub-topic it was coded to, in codebook order (the first is ``quote.subtopic``)."""


@dataclass(frozen=True)
class GroupPassages:
    """One sample group's passages under a sub-topic, in row order."""

    group: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class SubtopicPassages:
    """A sub-topic's part of the bank."""

    subtopic: Subtopic
    groups: tuple[GroupPassages, ...]
    """The passages shown here, by sample group."""
    elsewhere: tuple[Passage, ...]
    """Passages also coded here but shown under an earlier sub-topic."""

    @property
    def shown(self) -> int:
        return sum(len(g.passages) for g in self.groups)


@dataclass(frozen=True)
class ThemePassages:
    theme: Theme
    subtopics: tuple[SubtopicPassages, ...]


def _ref_number(ref: str) -> tuple[str, str]:
    prefix, _, number = ref.rpartition(":")
    return prefix, number


def _joined_ref(refs: Sequence[str]) -> str:
    """``P7:12`` for one segment, ``P7:12-14`` for a passage over several."""
    unique = list(dict.fromkeys(refs))
    if len(unique) == 1:
        return unique[0]
    first_prefix, first = _ref_number(unique[0])
    last_prefix, last = _ref_number(unique[-1])
    if first_prefix == last_prefix and first.isdigit() and last.isdigit():
        return f"{unique[0]}-{last}"
    return "; ".join(unique)


def _merge(group: list[Quote], position: Mapping[str, int]) -> Passage:
    """One passage from quotes of one source whose spans overlap, sorted by start."""
    first = group[0]
    text, end = first.text, first.end
    for q in group[1:]:
        if q.end > end:  # the words past what is joined so far
            text += q.text[max(0, end - q.start):]
            end = q.end
    codes = tuple(sorted(dict.fromkeys(q.subtopic for q in group),
                         key=lambda c: position.get(c, len(position))))
    refs = sorted((q for q in group), key=lambda q: (q.start, q.end))
    ref = _joined_ref([q.ref for q in refs])
    attribution = first.attribution.replace(first.ref, ref) if ref != first.ref \
        else first.attribution
    return Passage(replace(first, text=text, ref=ref, subtopic=codes[0], end=end,
                           attribution=attribution), codes)


def passages(quotes: Iterable[Quote], subtopics: Sequence[Subtopic]) -> list[Passage]:
    """The quotes as passages: overlapping spans of one source joined, each once.

    Quotes without offsets (``end`` 0) join only with the same words at the same
    reference.  The order of first appearance is kept.
    """
    position = {s.code: i for i, s in enumerate(subtopics)}
    by_source: dict[tuple[str, str], list[tuple[int, Quote]]] = {}
    loose: dict[tuple[str, str, str], list[tuple[int, Quote]]] = {}
    for i, q in enumerate(quotes):
        if q.end > q.start:
            by_source.setdefault((q.case_id, q.source), []).append((i, q))
        else:
            loose.setdefault((q.case_id, q.ref, q.text), []).append((i, q))
    found: list[tuple[int, Passage]] = []
    for items in by_source.values():
        items.sort(key=lambda iq: (iq[1].start, -iq[1].end))
        run: list[tuple[int, Quote]] = []
        end = -1
        for i, q in items:
            if run and q.start >= end:
                found.append((min(j for j, _ in run), _merge([x for _, x in run], position)))
                run = []
            run.append((i, q))
            end = max(end, q.end)
        if run:
            found.append((min(j for j, _ in run), _merge([x for _, x in run], position)))
    for items in loose.values():
        found.append((items[0][0], _merge([q for _, q in items], position)))
    found.sort(key=lambda ip: ip[0])
    return [p for _, p in found]


def arrange(themes: Sequence[Theme], quotes: Iterable[Quote], case_order: Sequence[str]
            ) -> list[ThemePassages]:
    """The bank: per theme and sub-topic, each passage once, grouped by sample group.

    ``case_order`` is the matrix row order (sample group first), which orders
    the groups and the passages within each.
    """
    subs = [s for t in themes for s in t.subtopics]
    rank = {c: i for i, c in enumerate(case_order)}
    found = passages(quotes, subs)
    found.sort(key=lambda p: (rank.get(p.quote.case_id, len(rank)), p.quote.source,
                              p.quote.start))
    home: dict[str, list[Passage]] = {}
    also: dict[str, list[Passage]] = {}
    for p in found:
        home.setdefault(p.codes[0], []).append(p)
        for code in p.codes[1:]:
            also.setdefault(code, []).append(p)
    out: list[ThemePassages] = []
    for theme in themes:
        entries = []
        for sub in theme.subtopics:
            groups: dict[str, list[Passage]] = {}
            for p in home.get(sub.code, []):
                groups.setdefault(p.quote.group, []).append(p)
            entries.append(SubtopicPassages(
                sub, tuple(GroupPassages(g, tuple(ps)) for g, ps in groups.items()),
                tuple(also.get(sub.code, ()))))
        out.append(ThemePassages(theme, tuple(entries)))
    return out


def map_quotes(bank: Sequence[ThemePassages], change: Callable[[Quote], Quote]
               ) -> list[ThemePassages]:
    """The bank with ``change`` applied to every passage's quote (pseudonymising)."""
    memo: dict[int, Passage] = {}

    def passage(p: Passage) -> Passage:
        if id(p) not in memo:
            memo[id(p)] = Passage(change(p.quote), p.codes)
        return memo[id(p)]

    return [ThemePassages(t.theme, tuple(
        SubtopicPassages(s.subtopic, tuple(GroupPassages(g.group, tuple(
            passage(p) for p in g.passages)) for g in s.groups),
            tuple(passage(p) for p in s.elsewhere)) for s in t.subtopics)) for t in bank]


def count(bank: Sequence[ThemePassages]) -> int:
    """How many passages the bank shows."""
    return sum(s.shown for t in bank for s in t.subtopics)
