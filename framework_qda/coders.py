"""Several coders on one study: agreement, disagreements and the consensus layer.

The figures are computed by :mod:`framework_qda.agreement` from the units and
codings read here; this module only chooses what is compared and names
passages the way a researcher does.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from framework_qda import agreement as ag
from framework_qda.agreement import CONSENSUS, UNITS, Agreement, Item
from framework_qda.collector import collector_paused
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.model import Codebook, Segment, Source
from framework_qda.store import StudyStore
from framework_qda.store.rows import LayerCoding

if TYPE_CHECKING:
    import pandas as pd

@dataclass(frozen=True)
class Scope:
    coders: tuple[str, ...]
    subtopics: tuple[str, ...]
    codings: tuple[LayerCoding, ...]


def scope(store: StudyStore, codebook: Codebook, coders: Sequence[str] = (),
          theme: str | None = None) -> Scope:
    """The coders and sub-topics compared, and every layer's accepted codings of them.

    Without ``coders``: everyone with an accepted coding in scope but the
    consensus layer, in name order."""
    if theme is not None:
        try:
            subs = tuple(s.code for s in codebook.theme(theme).subtopics)
        except KeyError:
            raise UnknownReference(f"no theme {theme}; the themes are "
                                   + ", ".join(t.code for t in codebook.themes)) from None
    else:
        subs = tuple(s.code for s in codebook.subtopics)
    codings = tuple(store.layer_codings(list(subs)))
    present = sorted({c.coder for c in codings})
    if coders:
        unknown = [c for c in coders if c not in present]
        if unknown:
            raise UnknownReference(
                f"no codings by {', '.join(unknown)} in scope; the coders are "
                + (", ".join(present) or "none yet"))
        if len(set(coders)) != len(coders):
            raise FqdaError("name each coder once in --coders")
        chosen = tuple(coders)
    else:
        chosen = tuple(c for c in present if c != CONSENSUS)
    return Scope(chosen, subs, codings)


def universe_rule(include_uncoded: bool) -> str:
    if include_uncoded:
        return ("every unit of the sources that every compared coder coded (text no one "
                "coded counts as agreement on absence)")
    return ("units that at least one compared coder coded to a sub-topic in scope (text "
            "no one coded is left out)")


def compute(store: StudyStore, codebook: Codebook, coders: Sequence[str] = (),
            theme: str | None = None, unit: str = "segment", include_uncoded: bool = False,
            overlap: float | None = None) -> Agreement:
    if unit not in UNITS:
        raise FqdaError(f"unknown unit {unit}; use {', '.join(UNITS)}")
    if overlap is not None and not 0 < overlap <= 1:
        raise FqdaError("--overlap is a share of the shorter coding: a number above 0, "
                        "at most 1 (for example 0.6)")
    sc = scope(store, codebook, coders, theme)
    sizes = store.source_sizes()
    counts, _ = _compared(store, sc, unit, sizes, include_uncoded)
    return _agreement(sc, counts, {k: v[0] for k, v in sizes.items()}, unit, include_uncoded,
                      overlap)


SegmentSpans = dict[int, tuple[list[int], list[int], list[int]]]
"""Each source's segments as their starts, ends and numbers, in text order."""


def _segment_spans(store: StudyStore) -> SegmentSpans:
    """Every segment's span and number, in one read."""
    spans: SegmentSpans = {}
    # A source's rows come together: columns are made by zip, not row by row.
    for sid, rows in groupby(store.segment_bounds(), key=itemgetter(0)):
        _, numbers, starts, ends = zip(*rows, strict=True)
        if list(starts) != sorted(starts):
            # Numbered out of text order: put them in text order.
            numbers, starts, ends = zip(*sorted(zip(numbers, starts, ends, strict=True),
                                                key=itemgetter(1)), strict=True)
        spans[sid] = (list(starts), list(ends), list(numbers))
    return spans


def _compared(store: StudyStore, sc: Scope, unit: str, sizes: dict[int, tuple[str, int]],
              include_uncoded: bool = False
              ) -> tuple[dict[str, Counter[ag.Pattern]], list[Item]]:
    """Per sub-topic how many items had each pattern (weighted: characters count
    for characters), and the items on which the coders differ."""
    if unit != "character":
        return ag.unit_counts(sc.coders, sc.subtopics, sc.codings, store.unit_spans(unit),
                              include_uncoded)
    items = ag.text_items(sc.coders, sc.subtopics, sc.codings, None,
                          {k: v[1] for k, v in sizes.items()}, include_uncoded)
    counts: dict[str, Counter[ag.Pattern]] = {s: Counter() for s in sc.subtopics}
    for i in items:
        counts[i.subtopic][i.pattern] += i.weight
    return counts, [i for i in items if len(set(i.pattern)) > 1]


def _agreement(sc: Scope, counts: dict[str, Counter[ag.Pattern]], case_of: dict[int, str],
               unit: str, include_uncoded: bool, overlap: float | None) -> Agreement:
    # The cells are only tallied: counted, not made.
    cells = ag.cell_counts(sc.coders, sc.subtopics, sc.codings, case_of, include_uncoded)
    m = len(sc.coders)
    pooled: Counter[ag.Pattern] = Counter()
    for found in counts.values():
        pooled.update(found)
    pooled_cells: Counter[ag.Pattern] = Counter()
    for found in cells.values():
        pooled_cells.update(found)
    return Agreement(
        coders=sc.coders, unit=unit, universe=universe_rule(include_uncoded),
        subtopics=tuple(ag.tally_counts(s, counts[s], m) for s in sc.subtopics),
        overall=ag.tally_counts("overall", pooled, m),
        cells=tuple(ag.tally_counts(s, cells[s], m) for s in sc.subtopics),
        cells_overall=ag.tally_counts("overall", pooled_cells, m),
        overlap_threshold=overlap,
        overlap=tuple(ag.overlaps(sc.coders, sc.subtopics, sc.codings, overlap))
        if overlap is not None else (),
    )


# -- disagreements -------------------------------------------------------------
@dataclass(frozen=True)
class Disagreement:
    """A passage where the coders differ about one sub-topic."""

    ref: str
    case_id: str
    subtopic: str
    label: str
    definition: str
    coded_by: tuple[str, ...]
    not_coded_by: tuple[str, ...]
    codings: tuple[tuple[str, str, str], ...]
    """(coder, ref of their coding, its memo) of each coding there."""
    text: str
    consensus: str
    """``coded`` or ``not coded`` once resolved (``fqda resolve``), else empty."""


@dataclass(frozen=True)
class Disagreements:
    coders: tuple[str, ...]
    unit: str
    rows: tuple[Disagreement, ...]

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{
            "ref": d.ref, "case": d.case_id, "subtopic": d.subtopic, "label": d.label,
            "definition": d.definition, "coded_by": ", ".join(d.coded_by),
            "not_coded_by": ", ".join(d.not_coded_by),
            "codings": "; ".join(f"{c}: {r}" + (f" ({m})" if m else "")
                                 for c, r, m in d.codings),
            "text": d.text, "consensus": d.consensus,
        } for d in self.rows], columns=["ref", "case", "subtopic", "label", "definition",
                                        "coded_by", "not_coded_by", "codings", "text",
                                        "consensus"])


def disagreements(store: StudyStore, codebook: Codebook, coders: Sequence[str] = (),
                  theme: str | None = None, unit: str = "segment") -> Disagreements:
    """Every unit (for characters: every stretch) where the compared coders differ,
    in source and text order, then codebook order."""
    if unit not in UNITS:
        raise FqdaError(f"unknown unit {unit}; use {', '.join(UNITS)}")
    sc = scope(store, codebook, coders, theme)
    if len(sc.coders) < 2:
        raise FqdaError("disagreements need two coders; the study has codings by "
                        + (", ".join(sc.coders) or "no one") + " in scope")
    sizes = store.source_sizes()
    _, differing = _compared(store, sc, unit, sizes)
    position = {s: n for n, s in enumerate(sc.subtopics)}
    differing.sort(key=lambda i: (i.source_id, i.start, position[i.subtopic]))
    return _disagreements(store, codebook, sc,
                          [(i.subtopic, i.source_id, i.start, i.end, i.pattern, None)
                           for i in differing], unit, {k: v[0] for k, v in sizes.items()})


def both(store: StudyStore, codebook: Codebook) -> tuple[Agreement, Disagreements] | None:
    """:func:`compute` and :func:`disagreements` with their defaults, sharing the
    work they have in common (the codings read, the items compared); None when
    fewer than two coders are in scope."""
    # Comparing coders makes some hundred thousand objects that all live on
    # until it returns, and no cycles (on 1,000 transcripts the collector's
    # passes over them were a fifth of the CPU).
    with collector_paused():
        sc = scope(store, codebook)
        if len(sc.coders) < 2:
            return None
        return _both(store, codebook, sc)


def _both(store: StudyStore, codebook: Codebook, sc: Scope
          ) -> tuple[Agreement, Disagreements]:
    # Segments need no text lengths (characters do): only each source's case.
    case_of = store.source_cases()
    # The segments are read once: they are the units compared and what refs name.
    segments = _segment_spans(store)
    # Compared as the columns they were read in (no (start, end) pair per
    # segment), the differing items come in the order they are listed in, and
    # each is a whole segment whose number is known, not looked up.
    counts, differing = ag.column_counts(sc.coders, sc.subtopics, sc.codings,
                                         {sid: (a, b) for sid, (a, b, _) in segments.items()})
    places: list[Place] = [(s, sid, a, b, pattern, segments[sid][2][u])
                           for s, sid, a, b, pattern, u in differing]
    return (_agreement(sc, counts, case_of, "segment", False, None),
            _disagreements(store, codebook, sc, places, "segment", case_of, segments))


Place = tuple[str, int, int, int, ag.Pattern, int | None]
"""An item on which the coders differ: its sub-topic, source, start, end and
pattern, and the number of the segment it is when that is known."""


def _disagreements(store: StudyStore, codebook: Codebook, sc: Scope, items: Sequence[Place],
                   unit: str, case_of: dict[int, str], segments: SegmentSpans | None = None
                   ) -> Disagreements:
    """The rows of :class:`Disagreements` from the items on which the coders differ,
    in the order listed (``case_of``: each source's case; ``segments``: every
    segment's span, when read already)."""
    # Every source's whole text is read only if a span is not a whole segment
    # (sentences, stretches, a coding across segments): a segment's words come
    # from its copy in the search index, as the Evidence sheet's do.
    sources: dict[int, Source] = {}

    def source_of(source_id: int) -> Source:
        if not sources:
            sources.update((s.id, s) for s in store.sources())
        return sources[source_id]

    # Codings and decisions by place, and each source's segments read once: a
    # study of a thousand transcripts has tens of thousands of items and codings.
    compared = set(sc.coders)
    at: dict[tuple[int, str], list[LayerCoding]] = {}
    for c in sc.codings:
        if c.coder in compared:
            at.setdefault((c.source_id, c.subtopic), []).append(c)
    decided: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
    for sid, a, b, code, status in store.consensus_decisions(CONSENSUS):
        decided.setdefault((sid, code), []).append((a, b, status))
    # Most refs name a whole segment: its number, from one read of every
    # segment's span; sentences and stretches take span_ref's way, reading a
    # source's segments once.
    prefixes = store.ref_prefixes()
    spans = _segment_spans(store) if segments is None else segments
    read_segments: dict[int, tuple[list[int], list[Segment]]] = {}

    def whole(source_id: int, start: int, end: int) -> int | None:
        """The number of the segment that is exactly ``start``..``end``, if one is."""
        starts, ends, numbers = spans.get(source_id, ([], [], []))
        n = bisect_right(starts, start) - 1
        return numbers[n] if n >= 0 and starts[n] == start and ends[n] == end else None

    def ref(source_id: int, start: int, end: int) -> str:
        """The ref of a span."""
        number = whole(source_id, start, end)
        if number is not None:
            return f"{prefixes.get(source_id, '')}:{number}"
        from framework_qda.targets import span_ref  # only for a span that is not a segment

        source = source_of(source_id)
        if source.id not in read_segments:
            read = store.segments(source.id)
            read_segments[source.id] = ([s.start for s in read], read)
        starts, read = read_segments[source.id]
        # The segment holding ``start`` (sorted, non-overlapping), found by
        # bisection instead of span_ref's scan of the whole source.
        n = bisect_right(starts, start) - 1
        if n >= 0 and read[n].start <= start < read[n].end:
            return span_ref(store, source, start, end, read[n:n + 1])
        return span_ref(store, source, start, end, read)

    numbers = [whole(sid, a, b) if n is None else n for _, sid, a, b, _, n in items]
    # The keys in any order, repeated or not: the store sorts and dedupes them.
    texts = store.segment_texts([(i[1], n) for i, n in zip(items, numbers, strict=True)
                                 if n is not None])

    subtopics = {s.code: s for s in codebook.subtopics}
    # Who coded and who did not, once per pattern (there are a handful).
    who: dict[ag.Pattern, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    # A coding is named once, however many of the units it covers differ; most
    # are a whole segment, named in one pass with no call per coding (there are
    # as many codings as rows), and the others by coding() when first needed.
    named: dict[int, tuple[str, str, str]] = {}
    for c in sc.codings:
        if c.coder in compared:
            starts, ends, segment_numbers = spans.get(c.source_id, ([], [], []))
            n = bisect_right(starts, c.start) - 1
            if n >= 0 and starts[n] == c.start and ends[n] == c.end:
                named[c.id] = (c.coder, f"{prefixes.get(c.source_id, '')}:{segment_numbers[n]}",
                               c.memo)

    def coding(c: LayerCoding) -> tuple[str, str, str]:
        found = named.get(c.id)
        if found is None:
            found = named[c.id] = (c.coder, ref(c.source_id, c.start, c.end), c.memo)
        return found

    # Tens of thousands of rows: each item's dictionaries are looked up once,
    # by one (source, sub-topic) key, and a whole segment's ref is made here.
    rows = []
    for (s, sid, start, end, pattern, _), number in zip(items, numbers, strict=True):
        key = (sid, s)
        if number is None:
            text, where = None, ref(sid, start, end)
        else:
            text, where = texts.get((sid, number)), f"{prefixes.get(sid, '')}:{number}"
        there = tuple([named.get(c.id) or coding(c) for c in at.get(key, ())
                       if c.start < end and start < c.end])
        consensus = ""
        if key in decided:
            verdict = [status for a, b, status in decided[key] if a < end and start < b]
            consensus = "coded" if "accepted" in verdict else "not coded" if verdict else ""
        sub = subtopics[s]
        if pattern not in who:
            who[pattern] = (
                tuple(c for c, yes in zip(sc.coders, pattern, strict=True) if yes),
                tuple(c for c, yes in zip(sc.coders, pattern, strict=True) if not yes))
        coded_by, not_coded_by = who[pattern]
        rows.append(Disagreement(
            ref=where, case_id=case_of[sid], subtopic=s, label=sub.label,
            definition=sub.definition, coded_by=coded_by, not_coded_by=not_coded_by,
            codings=there, text=source_of(sid).text[start:end] if text is None else text,
            consensus=consensus))
    return Disagreements(sc.coders, unit, tuple(rows))
