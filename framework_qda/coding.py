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
Each target becomes a :class:`Span` of a source's text, and a coding is
stored as that span.  Every change is one transaction: when any
target or code is wrong, nothing is applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from framework_qda.errors import ConflictError, FqdaError, UnknownReference
from framework_qda.model import Coding, Segment, Source, ref_number, span_hash
from framework_qda.refs import case_id
from framework_qda.store import NewCoding, Store

_REF = re.compile(
    r"^(?P<src>[^:\s]+):(?:L(?P<l1>\d+)(?:-(?P<l2>\d+))?"
    r"|(?P<first>\d+)(?:\.(?P<sent>\d+)|-(?P<last>\d+))?)$"
)
_LOOKS_LIKE_CODE = re.compile(r"^\d")
QUOTE_REFS_SHOWN = 10


@dataclass(frozen=True)
class Span:
    """A stretch of one source's text that a coding can cover.

    ``start``/``end`` are code points into the normalised text, end exclusive.
    """

    source: Source
    start: int
    end: int
    ref: str
    """How the researcher would name it: ``P07:12``, ``P07:12.2`` or ``P07:12@340-388``."""

    @property
    def text(self) -> str:
        return self.source.text[self.start:self.end]


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


def resolve_source(store: Store, name: str) -> Source:
    """The source a ref prefix or source name names, or the only source of case ``name``."""
    source = store.source_by_name(name)
    if source is not None:
        return source
    typed = name
    if case_id(name) != name:
        source = store.source_by_name(case_id(name))
        if source is not None:
            return source
        name = case_id(name)  # ``Interview 10`` is case Interview_10
    sources = store.sources(name)
    if len(sources) == 1:
        return sources[0]
    if len(sources) > 1:
        prefixes = store.ref_prefixes()
        names = ", ".join(f"{prefixes[s.id]}:1" for s in sources)
        raise UnknownReference(f"case {name} has {len(sources)} sources; name the one you "
                               f"mean before the colon ({names})")
    if store.case(name) is not None:
        raise UnknownReference(f"case {name} has no transcript yet; run `fqda ingest` first")
    raise UnknownReference(f"no case or source called {typed}; `fqda status` lists the cases")


class Lookup:
    """Sources and their segments, each read once per action.

    A bulk import names the same few sources on thousands of rows; reading
    a source's segments once instead of per row keeps it linear.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sources: dict[str, Source] = {}
        self._segments: dict[int, list[Segment]] = {}

    def source(self, name: str) -> Source:
        if name not in self._sources:
            self._sources[name] = resolve_source(self.store, name)
        return self._sources[name]

    def segments(self, source_id: int) -> list[Segment]:
        if source_id not in self._segments:
            self._segments[source_id] = self.store.segments(source_id)
        return self._segments[source_id]


def parse_target(store: Store, text: str, lookup: Lookup | None = None) -> list[Span]:
    """The spans a segment, range, line range or sentence reference names.

    Raises :class:`UnknownReference` saying what is wrong and what exists.
    """
    m = _REF.match(text.strip())
    if m is None and ":" in text:
        # ``Interview 10:12``: a case id typed as the file name had it.
        before, _, after = text.strip().rpartition(":")
        m = _REF.match(f"{case_id(before)}:{after}")
    if m is None:
        raise UnknownReference(
            f"{text!r} is not a segment reference; write CASE:N, CASE:N-M, CASE:N.S "
            "(a sentence) or CASE:Lfirst-last (lines), e.g. P07:12-14")
    name = m.group("src")
    lookup = lookup or Lookup(store)
    source = lookup.source(name)
    segments = lookup.segments(source.id)
    if not segments:
        raise UnknownReference(f"{text}: {name} has no segments; re-ingest it")
    if m.group("l1"):
        first, last = ref_number(m.group("l1")), ref_number(m.group("l2") or m.group("l1"))
        if last < first:
            raise UnknownReference(f"{text}: the range runs backwards; "
                                   f"write {name}:L{last}-{first}")
        hit = [s for s in segments if s.line_first <= last and s.line_last >= first]
        if not hit:
            raise UnknownReference(f"{text}: {name} has lines {segments[0].line_first} to "
                                   f"{segments[-1].line_last}; `fqda show {source.case_id}` "
                                   "lists them")
        return [Span(source, s.start, s.end, s.ref) for s in hit]
    first = ref_number(m.group("first"))
    last = ref_number(m.group("last")) if m.group("last") else first
    if last < first:
        raise UnknownReference(f"{text}: the range runs backwards; write {name}:{last}-{first}")
    if first < 1 or last > len(segments):
        raise UnknownReference(f"{text}: {name} has segments 1 to {len(segments)}; "
                               f"`fqda show {source.case_id}` lists them")
    if m.group("sent"):
        number = ref_number(m.group("sent"))
        sentences = store.sentences(source.id, first)
        if not 1 <= number <= len(sentences):
            raise UnknownReference(f"{text}: {name}:{first} has sentences 1 to {len(sentences)}")
        start, end = sentences[number - 1]
        return [Span(source, start, end, f"{segments[first - 1].ref}.{number}")]
    return [Span(source, s.start, s.end, s.ref) for s in segments[first - 1:last]]


def find_quote(store: Store, quote: str, scope: Sequence[str] = ()) -> Span:
    """The one place ``quote`` occurs, in the sources of the cases or sources in ``scope``.

    Words must match exactly (case and punctuation count); any run of white
    space matches any other, since transcripts break lines inside a turn,
    and white space before or after the words is part of the quote.  Whole
    words are looked for first ("the" must not match inside "other"); a
    quote found only inside words (``ing the rota``) is taken where it stands.
    Several matches raise an error listing their refs (never the text).
    """
    spans, where = quote_spans(store, quote, scope)
    if not spans:
        raise UnknownReference(f"the quote is not in {where}; check the words (case and "
                               "punctuation count) or find them with `fqda show`")
    spans = [Span(s.source, s.start, s.end, span_ref(store, s.source, s.start, s.end))
             for s in spans]
    if len(spans) > 1:
        shown = ", ".join(s.ref for s in spans[:QUOTE_REFS_SHOWN])
        extra = len(spans) - QUOTE_REFS_SHOWN
        more = f" and {extra} more" if extra > 0 else ""
        raise UnknownReference(f"the quote occurs {len(spans)} times in {where} ({shown}{more}); "
                               "quote more words or name the segment instead")
    return spans[0]


def quote_spans(store: Store, quote: str, scope: Sequence[str] = ()) -> tuple[list[Span], str]:
    """Every place ``quote`` occurs (as :func:`find_quote` matches it), in text order,
    without refs; and how the places searched are named in a message."""
    words = quote.split()
    if not words:
        raise UnknownReference("--quote is empty; give the exact words to code")
    body = (r"\s+" if quote[:1].isspace() else "") + r"\s+".join(re.escape(w) for w in words) \
        + (r"\s+" if quote[-1:].isspace() else "")
    whole = re.compile(r"(?<!\w)" * words[0][0].isalnum() * (not quote[:1].isspace())
                       + body + r"(?!\w)" * words[-1][-1].isalnum() * (not quote[-1:].isspace()))
    sources: list[Source] = []
    for name in scope:
        one = store.source_by_name(name)
        found = [one] if one is not None else store.sources(name)
        if not found:
            resolve_source(store, name)  # raises the right message
        sources.extend(found)
    where = ", ".join(scope) if scope else "the study"
    searched = sources or store.sources()
    spans = [Span(src, m.start(), m.end(), "")
             for src in searched for m in whole.finditer(src.text)]
    if not spans:
        inside = re.compile(body)
        spans = [Span(src, m.start(), m.end(), "")
                 for src in searched for m in inside.finditer(src.text)]
    turns: dict[int, list[tuple[int, int]]] = {}
    for span in spans:
        if span.source.id not in turns:
            turns[span.source.id] = [(g.start, g.end) for g in store.segments(span.source.id)]
    return [within_turns(s, turns[s.source.id]) for s in spans], where


def within_turns(span: Span, turns: Sequence[tuple[int, int]]) -> Span:
    """The span without a speaker's label or line breaks at its edges.

    Other tools highlight raw text, so a quote often begins with its turn's
    label (``MODERATOR: Could you…``) or ends on the next one's: an edge that
    lies outside every turn moves to the nearest edge of the turn words it
    covers, so the coding is the speaker's words, as a segment is.  ``turns``
    are the source's segments as (start, end), in order.
    """
    from bisect import bisect_right

    start, end = span.start, span.end
    starts = [t[0] for t in turns]
    i = bisect_right(starts, start) - 1  # the last turn starting at or before
    if (i < 0 or start >= turns[i][1]) and i + 1 < len(turns) and turns[i + 1][0] < end:
        start = turns[i + 1][0]
    j = bisect_right(starts, end - 1) - 1  # the turn holding the last character
    if j >= 0 and end > turns[j][1] and turns[j][1] > start:
        end = turns[j][1]
    return span if (start, end) == (span.start, span.end) else Span(span.source, start, end,
                                                                      span.ref)


def span_ref(store: Store, source: Source, start: int, end: int,
             segments: Sequence[Segment] | None = None) -> str:
    """A person's name for a span: the segment, the sentence, or segment@offsets.
    ``segments``: the source's segments, when the caller has read them already."""
    prefix = store.ref_prefixes().get(source.id, source.name)
    for seg in store.segments(source.id) if segments is None else segments:
        if seg.start <= start < seg.end:
            if (seg.start, seg.end) == (start, end):
                return seg.ref
            sentences = store.sentences(source.id, seg.number)
            if (start, end) in sentences:
                return f"{seg.ref}.{sentences.index((start, end)) + 1}"
            return f"{seg.ref}@{start}-{end}"
    return f"{prefix}@{start}-{end}"


@dataclass(frozen=True)
class Targets:
    """A command line's words sorted into what to code and what to code it to."""

    refs: list[str]
    subtopics: list[str]
    scope: list[str]
    """Cases or sources a ``--quote`` is looked for in."""


def sort_targets(store: Store, words: Sequence[str], subtopics: Sequence[str] = (),
                 quote: str = "") -> Targets:
    """Sort ``P07:12``-style refs, sub-topic codes and (with a quote) case names apart.

    ``subtopics`` are always taken as codes; among ``words`` a known code is a
    code, a word with a colon a reference, and a case or source name the
    scope of ``quote``.
    """
    codes = set(store.subtopic_ids())
    refs: list[str] = []
    subs = list(subtopics)
    scope: list[str] = []
    for word in words:
        if ":" in word:
            refs.append(word)
        elif word in codes or (_LOOKS_LIKE_CODE.match(word) and not _is_place(store, word)):
            subs.append(word)
        elif _is_place(store, word):
            if not quote:
                raise UnknownReference(f"{word}: name a segment (e.g. {word}:12) or give "
                                       "--quote with the words to code")
            scope.append(word)
        else:
            refs.append(word)  # parse_target says why it is not a reference
    return Targets(refs, subs, scope)


def _is_place(store: Store, name: str) -> bool:
    return store.source_by_name(name) is not None or store.case(name) is not None


def resolve_spans(store: Store, targets: Targets, quote: str = "") -> list[Span]:
    """Every span the targets name, in the order given; raises on the first bad one."""
    spans = [span for ref in targets.refs for span in parse_target(store, ref)]
    if quote:
        spans.append(find_quote(store, quote, targets.scope))
    if not spans:
        raise UnknownReference("name at least one segment (e.g. P07:12) or give --quote")
    return spans


def subtopic_ids(store: Store, codes: Sequence[str]) -> list[int]:
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


def check_overlaps(store: Store, planned: Sequence[tuple[Span, str]],
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


def code_spans(store: Store, spans: Sequence[Span], codes: Sequence[str], coder: str,
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
        added = store.insert_codings(new)
    report.ids = [i for i in added if i is not None]
    report.added = len(report.ids)
    report.existing = len(added) - report.added
    return report


def unique(planned: Iterable[tuple[Span, str]]) -> list[tuple[Span, str]]:
    seen: dict[tuple[int, int, int, str], tuple[Span, str]] = {}
    for span, code in planned:
        seen.setdefault((span.source.id, span.start, span.end, code), (span, code))
    return list(seen.values())


def code_targets(store: Store, words: Sequence[str], subtopics: Sequence[str], coder: str,
                 memo: str = "", quote: str = "") -> CodingReport:
    """``fqda code``: code the segments, sentences, lines or quote named to sub-topics."""
    targets = sort_targets(store, words, subtopics, quote)
    spans = resolve_spans(store, targets, quote)
    report = code_spans(store, spans, targets.subtopics, coder, memo)
    report.not_participant = not_participant(store, spans)
    return report


def not_participant(store: Store, spans: Sequence[Span]) -> list[str]:
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


def uncode_targets(store: Store, words: Sequence[str], subtopics: Sequence[str],
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


def undo_codings(store: Store, ids: Sequence[int]) -> None:
    """Take away codings an action just added (an interactive session's undo)."""
    with store.atomic():
        store.delete_codings(ids)
