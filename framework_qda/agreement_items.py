"""The items coders rate, made from the units and codings handed in (pure).

An item is a unit of text (a segment, a stored sentence, or for characters a
run of them) and a sub-topic, or at matrix level a (case, sub-topic) cell;
each compared coder says yes or no to it (see :mod:`framework_qda.agreement`
for which units count and the figures computed from the items).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

Pattern = tuple[bool, ...]
"""Whether each compared coder (in order) coded an item."""


class CodingLike(Protocol):
    @property
    def source_id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def subtopic(self) -> str: ...
    @property
    def coder(self) -> str: ...


@dataclass(frozen=True)
class Item:
    """One stretch of text rated for one sub-topic: a unit, or for characters
    a run of characters with the same pattern."""

    subtopic: str
    source_id: int
    start: int
    end: int
    pattern: Pattern
    weight: int


Columns = Mapping[int, tuple[Sequence[int], Sequence[int]]]
"""Each source's units as their starts and their ends (sorted, non-overlapping)."""

Coded = dict[str, list[set[int]]]
"""One source's units (by index) each coder coded, per sub-topic coded there."""

Differing = tuple[str, int, int, int, Pattern, int]
"""An item on which the coders differ, as :func:`column_counts` lists it: an
:class:`Item`'s sub-topic, source, start, end and pattern, then its unit's index."""


def _columns(units: Mapping[int, Sequence[tuple[int, int]]]
             ) -> dict[int, tuple[list[int], list[int]]]:
    return {source: ([a for a, _ in found], [b for _, b in found])
            for source, found in units.items()}


def text_items(coders: Sequence[str], subtopics: Sequence[str],
               codings: Sequence[CodingLike], units: Mapping[int, Sequence[tuple[int, int]]]
               | None, sizes: Mapping[int, int], include_uncoded: bool = False
               ) -> list[Item]:
    """Every (unit, sub-topic) item in the universe, with each coder's yes or no.

    ``units`` holds each source's units as sorted, non-overlapping (start,
    end); None means every character is a unit.  ``sizes`` is each source's
    length in characters.  Codings of other coders or sub-topics are ignored.
    """
    items: list[Item] = []
    if units is not None:
        none: Pattern = (False,) * len(coders)
        for source, coded, universe in _coded_units(coders, subtopics, codings,
                                                    _columns(units), include_uncoded):
            spans = units.get(source, [])
            for s in subtopics:
                mine = coded.get(s)
                items.extend(Item(s, source, spans[u][0], spans[u][1],
                                  none if mine is None
                                  else tuple(u in layer for layer in mine), 1)
                             for u in universe)
        return items
    layers, sources = _layers(coders, subtopics, codings, include_uncoded)
    for source in sources:
        items.extend(_character_items(source, coders, subtopics, layers, sizes[source],
                                      include_uncoded))
    return items


def unit_counts(coders: Sequence[str], subtopics: Sequence[str],
                codings: Sequence[CodingLike], units: Mapping[int, Sequence[tuple[int, int]]],
                include_uncoded: bool = False
                ) -> tuple[dict[str, Counter[Pattern]], list[Item]]:
    """What :func:`text_items` finds for units, counted: per sub-topic how many
    items had each pattern, and the items on which the coders differ.  The
    items no one coded are only counted, not made (they are most of them: a
    unit coded to one sub-topic is an item of every other)."""
    counts, differing = column_counts(coders, subtopics, codings, _columns(units),
                                      include_uncoded)
    return counts, [Item(s, source, a, b, pattern, 1)
                    for s, source, a, b, pattern, _ in differing]


def column_counts(coders: Sequence[str], subtopics: Sequence[str],
                  codings: Sequence[CodingLike], columns: Columns,
                  include_uncoded: bool = False
                  ) -> tuple[dict[str, Counter[Pattern]], list[Differing]]:
    """:func:`unit_counts` of units given as :data:`Columns`, the differing items
    as tuples with their unit's index (a caller holding segments knows its
    number from it; tens of thousands of them are read once, not kept).  They
    are in source and text order, then codebook order: the order disagreements
    are listed in."""
    m = len(coders)
    counts: dict[str, Counter[Pattern]] = {s: Counter() for s in subtopics}
    hit_count = dict.fromkeys(subtopics, 0)
    universe_size = 0
    differing: list[Differing] = []
    everyone: Pattern = (True,) * m
    for source, coded, universe in _coded_units(coders, subtopics, codings, columns,
                                                include_uncoded):
        universe_size += len(universe)
        starts, ends = columns.get(source, ((), ()))
        # (start, sub-topic's position, unit, ...): sorted, the source's rows
        # are in the order listed, as one sort of the whole list would put them.
        rows: list[tuple[int, int, int, str, Pattern]] = []
        for k, s in enumerate(subtopics):
            layers = coded.get(s)
            if layers is None:
                continue
            hit = set().union(*layers)
            hit_count[s] += len(hit)
            found = counts[s]
            # Units every coder coded are only counted: no item is made for them.
            agreed = set.intersection(*layers)
            if agreed:
                found[everyone] += len(agreed)
            for u in hit.difference(agreed):
                pattern = tuple([u in layer for layer in layers])
                found[pattern] += 1
                rows.append((starts[u], k, u, s, pattern))
        rows.sort()
        differing.extend((s, source, start, ends[u], pattern, u)
                         for start, _, u, s, pattern in rows)
    # A unit of the universe no one coded to s agrees on its absence: the
    # universe's size less the units coded, summed over sources at once.
    none: Pattern = (False,) * m
    for s in subtopics:
        if universe_size > hit_count[s]:
            counts[s][none] += universe_size - hit_count[s]
    return counts, differing


def _layers(coders: Sequence[str], subtopics: Sequence[str], codings: Sequence[CodingLike],
            include_uncoded: bool
            ) -> tuple[dict[tuple[int, str, int], list[tuple[int, int]]], list[int]]:
    """Each coder's coded spans by (source, sub-topic, coder's index), and the
    sources in the universe, in order."""
    wanted, scope = set(coders), set(subtopics)
    index = {c: i for i, c in enumerate(coders)}
    spans: dict[tuple[int, str, int], list[tuple[int, int]]] = {}
    by_source: dict[int, set[str]] = {}
    for c in codings:
        if c.coder in wanted and c.subtopic in scope:
            spans.setdefault((c.source_id, c.subtopic, index[c.coder]), []).append(
                (c.start, c.end))
            by_source.setdefault(c.source_id, set()).add(c.coder)
    return spans, sorted(s for s, who in by_source.items()
                         if not include_uncoded or who == wanted)


def _coded_units(coders: Sequence[str], subtopics: Sequence[str],
                 codings: Sequence[CodingLike], columns: Columns, include_uncoded: bool
                 ) -> Iterator[tuple[int, Coded, Sequence[int]]]:
    """Per source in the universe, in order: which of its units each coder coded
    (:data:`Coded`), and the indexes of its units in the universe, in order."""
    scope = set(subtopics)
    index = {c: i for i, c in enumerate(coders)}
    m = len(coders)
    by_source: dict[int, Coded] = {}
    who: dict[int, set[int]] = {}  # with include_uncoded: who coded each source
    # Each coding is placed as it is read (two bisections): most sources have
    # no coding of most sub-topics, and nothing is made for those.  Codings
    # come a source at a time: its dictionary and units are found once a run.
    source: int | None = None
    coded: Coded = {}
    starts: Sequence[int] = ()
    ends: Sequence[int] = ()
    for c in codings:
        i = index.get(c.coder)
        if i is None or c.subtopic not in scope:
            continue
        if c.source_id != source:
            source = c.source_id
            coded = by_source.setdefault(source, {})
            starts, ends = columns.get(source, ((), ()))
        layers = coded.get(c.subtopic)
        if layers is None:
            layers = coded[c.subtopic] = [set() for _ in range(m)]
        layers[i].update(range(bisect.bisect_right(ends, c.start),
                               bisect.bisect_left(starts, c.end)))
        if include_uncoded:
            who.setdefault(source, set()).add(i)
    for source in sorted(by_source):
        if include_uncoded and len(who[source]) < len(index):
            continue  # not every compared coder coded this source
        coded = by_source[source]
        yield source, coded, (range(len(columns.get(source, ((), ()))[0])) if include_uncoded
                              else sorted(set().union(*(layer for layers in coded.values()
                                                        for layer in layers))))


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans joined where they overlap or touch, in order."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _inside(merged: Sequence[tuple[int, int]], starts: Sequence[int], point: int) -> bool:
    i = bisect.bisect_right(starts, point) - 1
    return i >= 0 and point < merged[i][1]


def _character_items(source: int, coders: Sequence[str], subtopics: Sequence[str],
                     spans: Mapping[tuple[int, str, int], list[tuple[int, int]]], size: int,
                     include_uncoded: bool) -> list[Item]:
    layers = {(s, i): merge_spans(spans.get((source, s, i), []))
              for s in subtopics for i in range(len(coders))}
    universe = [(0, size)] if include_uncoded else merge_spans(
        x for layer in layers.values() for x in layer)
    u_starts = [a for a, _ in universe]
    items: list[Item] = []
    for s in subtopics:
        mine = [layers[(s, i)] for i in range(len(coders))]
        starts = [[a for a, _ in m] for m in mine]
        points = sorted({p for m in [universe, *mine] for x in m for p in x})
        run: Item | None = None
        for a, b in zip(points, points[1:], strict=False):
            if not _inside(universe, u_starts, a):
                continue
            pattern = tuple(_inside(m, st, a) for m, st in zip(mine, starts, strict=True))
            if run is not None and run.end == a and run.pattern == pattern:
                run = Item(s, source, run.start, b, pattern, run.weight + b - a)
            else:
                if run is not None:
                    items.append(run)
                run = Item(s, source, a, b, pattern, b - a)
        if run is not None:
            items.append(run)
    return items


def cell_items(coders: Sequence[str], subtopics: Sequence[str], codings: Sequence[CodingLike],
               case_of: Mapping[int, str], include_uncoded: bool = False) -> list[Item]:
    """Matrix level: one item per (case, sub-topic) cell; a coder says yes when
    they coded the sub-topic anywhere in the case.  The item's ``source_id`` is
    0 and its span empty; :func:`cell_case` gives its case."""
    return [_CellItem(s, 0, 0, 0, pattern, 1, case)
            for case, s, pattern in _cells(coders, subtopics, codings, case_of,
                                           include_uncoded)]


def cell_counts(coders: Sequence[str], subtopics: Sequence[str],
                codings: Sequence[CodingLike], case_of: Mapping[int, str],
                include_uncoded: bool = False) -> dict[str, Counter[Pattern]]:
    """Per sub-topic, how many of :func:`cell_items` had each pattern, without
    making the items (a tally needs only the counts)."""
    counts: dict[str, Counter[Pattern]] = {s: Counter() for s in subtopics}
    for _, s, pattern in _cells(coders, subtopics, codings, case_of, include_uncoded):
        counts[s][pattern] += 1
    return counts


def _cells(coders: Sequence[str], subtopics: Sequence[str], codings: Sequence[CodingLike],
           case_of: Mapping[int, str], include_uncoded: bool
           ) -> list[tuple[str, str, Pattern]]:
    """(case, sub-topic, pattern) of every cell of :func:`cell_items`, in order."""
    scope = set(subtopics)
    index = {c: i for i, c in enumerate(coders)}
    # Who coded each (source, sub-topic) first, as one bit per coder: a source
    # has many codings, and its case is then looked up once per pair.
    by_source: dict[tuple[int, str], int] = {}
    for c in codings:
        i = index.get(c.coder)
        if i is not None and c.subtopic in scope:
            key = (c.source_id, c.subtopic)
            by_source[key] = by_source.get(key, 0) | 1 << i
    found: dict[tuple[str, str], int] = {}
    coders_in: dict[str, int] = {}
    for (source, s), bits in by_source.items():
        case = case_of[source]
        found[(case, s)] = found.get((case, s), 0) | bits
        coders_in[case] = coders_in.get(case, 0) | bits
    if include_uncoded:
        everyone = sum(1 << i for i in set(index.values()))
        keys = [(case, s) for case in sorted(coders_in) if coders_in[case] == everyone
                for s in subtopics]
    else:
        keys = sorted(found)
    # A handful of patterns, each made once.
    patterns: dict[int, Pattern] = {}
    cells = []
    for case, s in keys:
        bits = found.get((case, s), 0)
        if bits not in patterns:
            patterns[bits] = tuple(bool(bits >> i & 1) for i in range(len(coders)))
        cells.append((case, s, patterns[bits]))
    return cells


@dataclass(frozen=True)
class _CellItem(Item):
    case_id: str = ""


def cell_case(item: Item) -> str:
    return item.case_id if isinstance(item, _CellItem) else ""
