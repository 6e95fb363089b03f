"""Targets: every way a researcher names text to code, made into spans of a
source's text.

- ``P07:12`` one segment, ``P07:12-14`` a run of segments;
- ``P07:L120-135`` every segment that overlaps lines 120 to 135;
- ``P07:12.2`` the second sentence of segment 12;
- ``--quote "exact words"``: the one place those words occur (in a case's
  sources when a case is named, else anywhere in the study).

Before the colon stands a case id (when the case has one source) or the
source's ref prefix (``P7_followup``, see :mod:`framework_qda.refs`); a
source's name (``P7_followup.docx``) is accepted too when it is typeable.
Each target becomes a :class:`Span`; coding and uncoding them is
:mod:`framework_qda.coding`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from framework_qda.errors import UnknownReference
from framework_qda.model import Segment, Source, ref_number
from framework_qda.refs import case_id
from framework_qda.store import StudyStore

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


def resolve_source(store: StudyStore, name: str) -> Source:
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

    def __init__(self, store: StudyStore) -> None:
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


def parse_target(store: StudyStore, text: str, lookup: Lookup | None = None) -> list[Span]:
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


def find_quote(store: StudyStore, quote: str, scope: Sequence[str] = ()) -> Span:
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


def quote_spans(store: StudyStore, quote: str, scope: Sequence[str] = ()) -> tuple[list[Span], str]:
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


def span_ref(store: StudyStore, source: Source, start: int, end: int,
             segments: Sequence[Segment] | None = None) -> str:
    """A person's name for a span: the segment, the sentence, or segment@offsets.
    ``segments``: the source's segments, when the caller has read them already."""
    for seg in store.segments(source.id) if segments is None else segments:
        if seg.start <= start < seg.end:
            if (seg.start, seg.end) == (start, end):
                return seg.ref
            sentences = store.sentences(source.id, seg.number)
            if (start, end) in sentences:
                return f"{seg.ref}.{sentences.index((start, end)) + 1}"
            return f"{seg.ref}@{start}-{end}"
    # Only this source's prefix: asking for every source's, once per span,
    # made naming the spans of a large study quadratic.
    prefix = store.ref_prefixes(source.id).get(source.id, source.name)
    return f"{prefix}@{start}-{end}"


@dataclass(frozen=True)
class Targets:
    """A command line's words sorted into what to code and what to code it to."""

    refs: list[str]
    subtopics: list[str]
    scope: list[str]
    """Cases or sources a ``--quote`` is looked for in."""


def sort_targets(store: StudyStore, words: Sequence[str], subtopics: Sequence[str] = (),
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


def _is_place(store: StudyStore, name: str) -> bool:
    return store.source_by_name(name) is not None or store.case(name) is not None


def resolve_spans(store: StudyStore, targets: Targets, quote: str = "") -> list[Span]:
    """Every span the targets name, in the order given; raises on the first bad one."""
    spans = [span for ref in targets.refs for span in parse_target(store, ref)]
    if quote:
        spans.append(find_quote(store, quote, targets.scope))
    if not spans:
        raise UnknownReference("name at least one segment (e.g. P07:12) or give --quote")
    return spans
