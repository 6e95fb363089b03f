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
The items themselves are made by :mod:`framework_qda.agreement_items`, whose
functions are named here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from framework_qda.agreement_items import CodingLike as CodingLike
from framework_qda.agreement_items import Item as Item
from framework_qda.agreement_items import Pattern as Pattern
from framework_qda.agreement_items import cell_case as cell_case
from framework_qda.agreement_items import cell_counts as cell_counts
from framework_qda.agreement_items import cell_items as cell_items
from framework_qda.agreement_items import column_counts as column_counts
from framework_qda.agreement_items import merge_spans as merge_spans
from framework_qda.agreement_items import text_items as text_items
from framework_qda.agreement_items import unit_counts as unit_counts

if TYPE_CHECKING:
    import pandas as pd

UNITS = ("segment", "sentence", "character")
CONSENSUS = "consensus"


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
