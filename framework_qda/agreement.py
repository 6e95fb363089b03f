"""Inter-coder agreement, computed from units and codings handed in (pure).

A *unit* is a stretch of text that coders either coded to a sub-topic or
did not: a segment (speaker turn), a stored sentence, or a single character.
A coder *codes unit u to sub-topic s* when one of their accepted codings of s
overlaps u (for characters: covers it).  Each (unit, sub-topic) pair is a
yes/no item rated by every coder compared.

Which units count (the *universe*): by default the units that at least one
compared coder coded to at least one sub-topic in scope.  Text that no coder
indexed at all is left out, because counting it as agreement on absence
inflates every figure; with ``include_uncoded`` every unit of the sources that
every compared coder coded counts.  Within the universe, a unit that neither
coder coded to s counts as agreeing that s is absent there.

Per sub-topic and pooled over sub-topics: percent agreement (share of items
on which all coders agree), Cohen's kappa (exactly two coders) and
Krippendorff's alpha (nominal, two or more; the ``krippendorff`` package).
A figure that is undefined is a :class:`Figure` with no value and a reason.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd

UNITS = ("segment", "sentence", "character")
CONSENSUS = "consensus"

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
class Figure:
    """One agreement figure, or why it is undefined."""

    value: float | None
    reason: str = ""

    def text(self, digits: int = 3) -> str:
        if self.value is None:
            return f"n/a ({self.reason})"
        return f"{self.value:.{digits}f}"


@dataclass(frozen=True)
class Tally:
    """Agreement over one set of items: a sub-topic's, or all pooled (``overall``)."""

    subtopic: str
    items: int
    """How many items (units, characters, or cells) were compared."""
    coded: tuple[int, ...]
    """Per coder, how many of the items they coded."""
    percent: Figure
    kappa: Figure
    alpha: Figure
    counts: tuple[tuple[Pattern, int], ...]
    """How many items had each pattern (for two coders, the 2x2 table)."""


@dataclass(frozen=True)
class OverlapRow:
    """Span overlap of two coders' codings of one sub-topic (or ``overall``)."""

    subtopic: str
    coder_a: str
    coder_b: str
    a_codings: int
    a_matched: int
    b_codings: int
    b_matched: int

    def share(self, matched: int, total: int) -> Figure:
        if not total:
            return Figure(None, "no codings")
        return Figure(matched / total)


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


@dataclass(frozen=True)
class Agreement:
    coders: tuple[str, ...]
    unit: str
    universe: str
    """The rule used for which units count, in words."""
    subtopics: tuple[Tally, ...]
    overall: Tally
    cells: tuple[Tally, ...]
    """Matrix level: per sub-topic, over (case, sub-topic) cells."""
    cells_overall: Tally
    overlap_threshold: float | None
    overlap: tuple[OverlapRow, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per sub-topic and overall, for text units and for matrix cells."""
        import pandas as pd

        rows = []
        for level, tallies in (("text", (*self.subtopics, self.overall)),
                               ("matrix", (*self.cells, self.cells_overall))):
            for t in tallies:
                row: dict[str, object] = {"level": level, "subtopic": t.subtopic,
                                          "items": t.items}
                for coder, n in zip(self.coders, t.coded, strict=True):
                    row[f"coded_by_{coder}"] = n
                for name in ("percent", "kappa", "alpha"):
                    fig: Figure = getattr(t, name)
                    row[name] = fig.value
                    row[f"{name}_note"] = fig.reason
                rows.append(row)
        return pd.DataFrame(rows)


def figures(counts: Mapping[Pattern, int], coders: int) -> tuple[Figure, Figure, Figure]:
    """Percent agreement, Cohen's kappa and Krippendorff's alpha from pattern counts."""
    n = sum(counts.values())
    if coders < 2:
        few = "agreement needs at least two coders"
        return Figure(None, few), Figure(None, few), Figure(None, few)
    if n == 0:
        none = "no units to compare"
        return Figure(None, none), Figure(None, none), Figure(None, none)
    agree = sum(c for p, c in counts.items() if len(set(p)) == 1)
    percent = Figure(float(Fraction(agree, n)))
    return percent, _kappa(counts, coders, n), _alpha(counts, coders)


def _kappa(counts: Mapping[Pattern, int], coders: int, n: int) -> Figure:
    if coders != 2:
        return Figure(None, "Cohen's kappa compares exactly two coders")
    both = counts.get((True, True), 0)
    only_a = counts.get((True, False), 0)
    only_b = counts.get((False, True), 0)
    neither = counts.get((False, False), 0)
    observed = Fraction(both + neither, n)
    a, b = Fraction(both + only_a, n), Fraction(both + only_b, n)
    expected = a * b + (1 - a) * (1 - b)
    if expected == 1:
        return Figure(None, "expected agreement is 1: both coders gave every unit the same "
                            "value")
    return Figure(float((observed - expected) / (1 - expected)))


def _alpha(counts: Mapping[Pattern, int], coders: int) -> Figure:
    ones = sum(c * sum(p) for p, c in counts.items())
    zeros = sum(c * (coders - sum(p)) for p, c in counts.items())
    if not ones or not zeros:
        return Figure(None, "expected disagreement is 0: every unit got the same value")
    if coders == 2:
        return Figure(_two_coder_alpha(counts, ones, zeros))
    import krippendorff
    import numpy as np

    patterns = [p for p, c in counts.items() if c]
    table = np.array([[coders - sum(p), sum(p)] for p in patterns], dtype=np.int64)
    repeats = np.array([counts[p] for p in patterns], dtype=np.int64)
    value = krippendorff.alpha(value_counts=np.repeat(table, repeats, axis=0),
                               level_of_measurement="nominal")
    return Figure(float(value))


def _two_coder_alpha(counts: Mapping[Pattern, int], ones: int, zeros: int) -> float:
    """Krippendorff's alpha (nominal, yes/no) of two coders who rated every unit,
    as the ``krippendorff`` package computes it, without importing numpy (about
    50 ms of start-up for a few sums).

    With two values per unit every coincidence is a whole number: a unit the
    coders disagree on adds 1 to o(yes, no) and to o(no, yes), so the package's
    observed disagreement is exactly twice the disagreeing units and its
    expected one exactly twice ``ones * zeros / (n - 1)``, ``n`` the values;
    the float operations left are the package's own, so the figure is the same
    to the last bit (a property test holds it to the package's).
    """
    disagreeing = sum(c for p, c in counts.items() if p[0] != p[1])
    expected = float(ones) * float(zeros) / (float(ones) + float(zeros) - 1)
    return 1 - (2.0 * disagreeing) / (expected + expected)


def tally(name: str, items: Iterable[Item], coders: int) -> Tally:
    counts: Counter[Pattern] = Counter()
    for item in items:
        counts[item.pattern] += item.weight
    return tally_counts(name, counts, coders)


def tally_counts(name: str, counts: Mapping[Pattern, int], coders: int) -> Tally:
    """:func:`tally` from how many items had each pattern."""
    percent, kappa, alpha = figures(counts, coders)
    coded = tuple(sum(c for p, c in counts.items() if p[i]) for i in range(coders))
    return Tally(name, sum(counts.values()), coded, percent, kappa, alpha,
                 tuple(sorted(counts.items(), reverse=True)))


# -- items --------------------------------------------------------------------
Columns = Mapping[int, tuple[Sequence[int], Sequence[int]]]
"""Each source's units as their starts and their ends (sorted, non-overlapping)."""

Coded = dict[str, list[set[int]]]
"""One source's units (by index) each coder coded, per sub-topic coded there."""


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
    counts, differing, _ = column_counts(coders, subtopics, codings, _columns(units),
                                         include_uncoded)
    return counts, differing


def column_counts(coders: Sequence[str], subtopics: Sequence[str],
                  codings: Sequence[CodingLike], columns: Columns,
                  include_uncoded: bool = False
                  ) -> tuple[dict[str, Counter[Pattern]], list[Item], list[int]]:
    """:func:`unit_counts` of units given as :data:`Columns`, and beside the
    differing items the index of each one's unit (a caller holding segments
    knows its number from it).  The differing items are in source and text
    order, then codebook order: the order disagreements are listed in."""
    m = len(coders)
    counts: dict[str, Counter[Pattern]] = {s: Counter() for s in subtopics}
    hit_count = dict.fromkeys(subtopics, 0)
    universe_size = 0
    differing: list[Item] = []
    where: list[int] = []
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
        for start, _, u, s, pattern in rows:
            differing.append(Item(s, source, start, ends[u], pattern, 1))
            where.append(u)
    # A unit of the universe no one coded to s agrees on its absence: the
    # universe's size less the units coded, summed over sources at once.
    none: Pattern = (False,) * m
    for s in subtopics:
        if universe_size > hit_count[s]:
            counts[s][none] += universe_size - hit_count[s]
    return counts, differing, where


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


def overlaps(coders: Sequence[str], subtopics: Sequence[str], codings: Sequence[CodingLike],
             threshold: float) -> list[OverlapRow]:
    """For each pair of coders and sub-topic, how many of each one's codings the
    other matched: a coding of A matches one of B of the same sub-topic and
    source when the characters they share are at least ``threshold`` of the
    shorter of the two."""
    rows: list[OverlapRow] = []
    by: dict[tuple[str, str], list[CodingLike]] = {}
    for c in codings:
        by.setdefault((c.coder, c.subtopic), []).append(c)
    for i, a in enumerate(coders):
        for b in coders[i + 1:]:
            total = [0, 0, 0, 0]
            for s in subtopics:
                mine, theirs = by.get((a, s), []), by.get((b, s), [])
                am = sum(any(_matches(x, y, threshold) for y in theirs) for x in mine)
                bm = sum(any(_matches(y, x, threshold) for x in mine) for y in theirs)
                rows.append(OverlapRow(s, a, b, len(mine), am, len(theirs), bm))
                for k, v in enumerate((len(mine), am, len(theirs), bm)):
                    total[k] += v
            rows.append(OverlapRow("overall", a, b, *total))
    return rows


def _matches(x: CodingLike, y: CodingLike, threshold: float) -> bool:
    if x.source_id != y.source_id:
        return False
    shared = min(x.end, y.end) - max(x.start, y.start)
    return shared > 0 and shared >= threshold * min(x.end - x.start, y.end - y.start)
