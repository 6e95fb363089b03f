"""Indexing: applying the framework to transcripts, and taking codings off again.

A researcher names what to code as a *target*:

- ``P07:12`` one segment, ``P07:12-14`` a run of segments;
- ``P07:L120-135`` every segment that overlaps lines 120 to 135;
- ``P07:12.2`` the second sentence of segment 12;
- ``--quote "exact words"``: the one place those words occur (in a case's
  sources when a case is named, else anywhere in the study).

Before the colon stands a case id (when the case has one source) or the
source's ref prefix (``P7_followup``, see :mod:`framework_qda.refs`); a
source's name (``P7_followup.docx``) is accepted too when it is typeable.
Each target becomes a span of a source's text (:mod:`framework_qda.targets`),
and a coding is stored as that span.  Every change is one transaction: when any
target or code is wrong, nothing is applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from framework_qda.errors import ConflictError, FqdaError, UnknownReference
from framework_qda.model import Coding, Segment, span_hash
from framework_qda.store import NewCoding, StudyStore
from framework_qda.targets import (
    Span,
    find_quote,
    parse_target,
    resolve_spans,
    sort_targets,
    span_ref,
)


@dataclass
class CodingReport:
    """What a coding action did (or, for a dry run, would do)."""

    added: int = 0
    existing: int = 0
    removed: int = 0
    refs: list[str] = field(default_factory=list)
    dry_run: bool = False
    ids: list[int] = field(default_factory=list)
    """Ids of the codings this action added (what an undo takes away)."""
    planned: list[tuple[int, tuple[int, int, int, int, str, str]]] = field(default_factory=list)
    """For an import: (line, (source id, start, end, sub-topic id, ref, code)) of each
    coding the file's rows name."""
    not_participant: list[str] = field(default_factory=list)
    """Refs of what was coded that is not participant speech, with the speaker's role
    (``P7:13 (interviewer)``): coded all the same, but quotes leave it out by default."""
    removed_by: dict[str, int] = field(default_factory=dict)
    """For an uncode: how many codings were taken off each coder's layer."""
    kept_by: dict[str, int] = field(default_factory=dict)
    """For an uncode: other coders' codings there that were left as they were."""
    acting: str = ""
    """For an uncode: who took them off (the history's who)."""


def subtopic_ids(store: StudyStore, codes: Sequence[str]) -> list[int]:
    """Store ids of sub-topic codes; raises naming every unknown code."""
    if not codes:
        raise UnknownReference("name at least one sub-topic code, e.g. 2.3")
    ids = store.subtopic_ids()
    unknown = [c for c in codes if c not in ids]
    if unknown:
        raise UnknownReference(
            f"unknown sub-topic {', '.join(unknown)}; `fqda codebook show` lists the codes"
        )
    return [ids[c] for c in codes]


def new_coding(span: Span, subtopic_id: int, coder: str, origin: str, memo: str = "",
               status: str = "accepted", matched: str = "") -> NewCoding:
    return NewCoding(span.source.id, span.start, span.end, subtopic_id, coder, origin, status,
                     memo, span_hash(span.text), matched)


def check_overlaps(store: StudyStore, planned: Sequence[tuple[Span, str]],
                   coder: str | None = None) -> list[tuple[int, str]]:
    """Problems with codings about to be added, as (index into ``planned``, message).

    A problem is a span that partly overlaps another coding of the same
    sub-topic, stored or planned: neither holds the other, so the two would
    quote the same words twice as different evidence.  Equal spans are no
    problem (they count as already there), nor is a span inside another (a
    key sentence highlighted within a coded turn).  ``planned`` holds (span,
    sub-topic code).  With ``coder``, stored codings count only in that coder's
    layer: two coders marking different extents of a passage is what
    agreement measures, not a problem.
    """
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[int, str], list[Span]] = {}
    for i, (span, code) in enumerate(planned):
        for other in seen.get((span.source.id, code), []):
            if crosses(span.start, span.end, other.start, other.end):
                problems.append((i, f"{span.ref} and {other.ref} partly overlap and are both "
                                    f"coded to {code}; code the whole stretch once"))
        seen.setdefault((span.source.id, code), []).append(span)
        for c in store.overlapping_codings(span.source.id, span.start, span.end):
            if c.subtopic == code and crosses(span.start, span.end, c.start, c.end) \
                    and coder in (None, c.coder):
                there = span_ref(store, span.source, c.start, c.end)
                problems.append((i, f"{span.ref} partly overlaps {there}, already coded to "
                                    f"{code}; remove that first (`fqda uncode {there} {code}`) "
                                    "or code the whole stretch once"))
    return problems


def crosses(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Whether two spans share text while neither lies inside the other."""
    overlap = start < other_end and other_start < end
    nested = (start <= other_start and other_end <= end) or \
        (other_start <= start and end <= other_end)
    return overlap and not nested


def code_spans(store: StudyStore, spans: Sequence[Span], codes: Sequence[str], coder: str,
               memo: str = "", origin: str = "manual") -> CodingReport:
    """Code each span to each sub-topic, all in one transaction.

    Raises :class:`ConflictError` (nothing applied) when a span overlaps a
    different span already coded to the same sub-topic.
    """
    ids = subtopic_ids(store, codes)
    planned = [(span, code) for span in spans for code in codes]
    problems = [p for _, p in check_overlaps(store, unique(planned), coder)]
    if problems:
        raise ConflictError("nothing was coded: " + "; ".join(dict.fromkeys(problems)))
    report = CodingReport(refs=list(dict.fromkeys(s.ref for s in spans)))
    code_id = dict(zip(codes, ids, strict=True))
    new = [new_coding(span, code_id[code], coder, origin, memo)
           for span, code in unique(planned)]
    with store.atomic():
        added = record_codings(store, new)
    report.ids = [i for i in added if i is not None]
    report.added = len(report.ids)
    report.existing = len(added) - report.added
    return report


def record_codings(store: StudyStore, codings: Sequence[NewCoding]) -> list[int | None]:
    """Store codings; for each, its id, or None when it was there already.

    Codings are per coder (a coder's layer): another coder's coding of the same
    span is not this one.  An accepted coding of a span that holds a suggestion,
    or the coder's own rejected coding, of the same sub-topic turns that row into
    the accepted coding (the researcher has decided); a suggestion never touches
    an existing row.  Call inside ``store.atomic()``.
    """
    ids: list[int | None] = []
    for c in codings:  # one at a time: a batch may hold the same span twice
        (held,) = store.codings_at([c])
        if held is None:
            ids += store.insert_codings([c])
        elif c.status == "accepted" and held[1] != "accepted":
            store.accept_into([(held[0], c)])
            ids.append(held[0])
        else:
            ids.append(None)
    return ids


def unique(planned: Iterable[tuple[Span, str]]) -> list[tuple[Span, str]]:
    seen: dict[tuple[int, int, int, str], tuple[Span, str]] = {}
    for span, code in planned:
        seen.setdefault((span.source.id, span.start, span.end, code), (span, code))
    return list(seen.values())


def code_targets(store: StudyStore, words: Sequence[str], subtopics: Sequence[str], coder: str,
                 memo: str = "", quote: str = "") -> CodingReport:
    """``fqda code``: code the segments, sentences, lines or quote named to sub-topics."""
    targets = sort_targets(store, words, subtopics, quote)
    spans = resolve_spans(store, targets, quote)
    report = code_spans(store, spans, targets.subtopics, coder, memo)
    report.not_participant = not_participant(store, spans)
    return report


def not_participant(store: StudyStore, spans: Sequence[Span]) -> list[str]:
    """The spans that hold words of a speaker who is not a participant, as
    ``P7:13 (interviewer)``, in the order given."""
    segments: dict[int, list[Segment]] = {}
    found: dict[str, None] = {}
    for span in spans:
        if span.source.id not in segments:
            segments[span.source.id] = store.segments(span.source.id)
        roles = dict.fromkeys(s.role for s in segments[span.source.id]
                              if s.start < span.end and span.start < s.end
                              and s.role != "participant")
        if roles:
            found.setdefault(f"{span.ref} ({', '.join(roles)})", None)
    return list(found)


def uncode_targets(store: StudyStore, words: Sequence[str], subtopics: Sequence[str],
                   quote: str = "", every: bool = False, *, acting: str = "",
                   coder: str | None = None, all_coders: bool = False) -> CodingReport:
    """``fqda uncode``: remove the accepted codings inside the targets named.

    Only the sub-topics given are removed, or every sub-topic with ``every``.
    A removed coding is marked rejected rather than deleted, so no rule
    proposes it again.  When a target (a segment, a range, a
    sentence, a quote) holds no such coding, nothing is removed.

    Whose codings: ``coder``'s layer when named (``consensus`` is a layer like
    any other), every layer with ``all_coders``; otherwise the ``acting``
    coder's own.  A study that holds one coder's codings only is that coder's
    to change.  Another coder's coding is never taken off unless asked for:
    the report says whose were removed and whose stay (``removed_by``,
    ``kept_by``).  A blind session (``store.layer``) only reaches its own layer.
    """
    if coder is not None and all_coders:
        raise FqdaError("give --coder NAME or --all-coders, not both")
    if store.layer is not None and (all_coders or coder not in (None, store.layer)):
        raise FqdaError(f"blinding is on for {store.layer}: uncode reaches only your own "
                        f"codings; `fqda blind off --coder \"{store.layer}\"` lifts it")
    targets = sort_targets(store, words, subtopics, quote)
    if not every:
        subtopic_ids(store, targets.subtopics)
    elif targets.subtopics:
        raise UnknownReference("give sub-topic codes or --all, not both")
    named = [(ref, parse_target(store, ref)) for ref in targets.refs]
    if quote:
        span = find_quote(store, quote, targets.scope)
        named.append((span.ref, [span]))
    if not named:
        raise UnknownReference("name at least one segment (e.g. P07:12) or give --quote")
    layers = store.layer_coders()
    if store.layer is not None:
        whose: str | None = store.layer
    elif all_coders:
        whose = None
    elif coder is not None:
        whose = coder
    else:
        whose = layers[0] if len(layers) == 1 else acting
    gone: dict[int, Coding] = {}
    kept: dict[int, Coding] = {}
    missing: list[str] = []
    for ref, spans in named:
        inside = [c for span in spans
                  for c in store.overlapping_codings(span.source.id, span.start, span.end)
                  if span.start <= c.start and c.end <= span.end
                  and (every or c.subtopic in targets.subtopics)]
        mine = [c for c in inside if whose is None or c.coder == whose]
        if not mine:
            missing.append(ref)
        gone.update((c.id, c) for c in mine)
        kept.update((c.id, c) for c in inside if c.id not in gone)
    if missing:
        what = "any sub-topic" if every else ", ".join(targets.subtopics)
        message = (f"nothing was removed: {', '.join(missing)} "
                   f"{'is' if len(missing) == 1 else 'are'} not coded to {what}")
        others = sorted({c.coder for c in kept.values()})
        if whose is not None and others:
            message += (f" by {whose}; it is coded there by {', '.join(others)}: say whose "
                        "with --coder NAME, or --all-coders")
        raise UnknownReference(message)
    with store.atomic():
        # Rejected, not deleted: the researcher has decided these words are not
        # this sub-topic, so no rule proposes them again (fqda code takes them back).
        for c in gone.values():
            store.set_coding_status([c.id], "rejected", c.coder)
    return CodingReport(removed=len(gone), refs=[ref for ref, _ in named],
                        removed_by=_by_coder(gone.values()), kept_by=_by_coder(kept.values()),
                        acting=acting)


def _by_coder(codings: Iterable[Coding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in codings:
        counts[c.coder] = counts.get(c.coder, 0) + 1
    return dict(sorted(counts.items()))


def undo_codings(store: StudyStore, ids: Sequence[int]) -> None:
    """Take away codings an action just added (an interactive session's undo)."""
    with store.atomic():
        store.delete_codings(ids)
