"""Rule-based suggestions: sub-topics' keywords and token patterns run with spaCy.

A suggestion is a coding with status ``suggested`` and origin ``rule``,
holding the words that matched.  It is never evidence: matrices, quotes and
exports read accepted codings only, until a researcher accepts it
(``fqda review``).

Matching runs on spaCy's blank English tokenizer, so it needs no trained
model.  Keywords match case-insensitively, in their written form and in
regular English inflections (``budget`` also matches ``budgets``,
``fund`` matches ``funded``/``funding``), made by a small rule rather than a
lemma table: spaCy's lookup tables (``spacy-lookups-data``) are a ~100 MB
download.  For the same reason a pattern's ``LEMMA`` constraint is matched as
the inflections of its lower-case form.  By default only participants' turns
are searched.  A sub-topic's ``exclude_keywords`` are phrases (inflected the
same way) inside which its matches do not count: ``trust`` with ``hospital
trust`` excluded suggests "I trust her" but not "the hospital trusts".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from math import prod
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from framework_qda.errors import UnknownReference, ValidationError
from framework_qda.model import Codebook, Subtopic, span_hash
from framework_qda.store import NewCoding, StudyStore

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

RULE_CODER = "rule"
MAX_VARIANTS = 256
_VOWELS = set("aeiou")


@dataclass
class SuggestReport:
    """What a suggestion pass did."""

    added: int = 0
    """New suggestions stored."""
    known: int = 0
    """Matches already suggested, accepted or rejected before (not stored again)."""
    segments: int = 0
    """Segments searched."""
    rules: int = 0
    """Sub-topics that carry keywords or patterns."""
    by_subtopic: dict[str, int] = field(default_factory=dict)
    """New suggestions per sub-topic code."""
    withdrawn: int = 0
    """Pending suggestions the rules no longer make (a keyword removed, an exclusion
    added), taken out of the review queue; decided ones are never touched."""


def inflections(word: str) -> set[str]:
    """The lower-case word with its regular English plural, -ed and -ing forms."""
    w = word.lower()
    forms = {w}
    if not w.isalpha() or len(w) < 3:
        return forms
    if w.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(w + "es")
    elif w[-1] == "y" and w[-2] not in _VOWELS:
        forms.update({w[:-1] + "ies", w[:-1] + "ied"})
    else:
        forms.add(w + "s")
    stem = w
    if len(w) <= 4 and w[-1] not in _VOWELS | set("wxy") and w[-2] in _VOWELS \
            and w[-3] not in _VOWELS:
        stem = w + w[-1]  # stop -> stopped, plan -> planning
    if w.endswith("e"):
        forms.update({w + "d", (w[:-2] + "ying") if w.endswith("ie") else w[:-1] + "ing"})
    else:
        forms.update({stem + "ed", stem + "ing"})
    return forms


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def keyword_variants(nlp: Language, keyword: str) -> list[list[str]]:
    """A keyword or phrase as lists of words: every mix of its words' inflections.

    Function words (``the``, ``up``) stay as written.  A long phrase whose
    mixes would pass :data:`MAX_VARIANTS` inflects only its last content word.
    """
    from itertools import product

    stop = _stop_words()
    words = [t.text.lower() for t in nlp.make_doc(keyword)]
    forms = [[w] if w in stop else sorted(inflections(w)) for w in words]
    if prod(len(f) for f in forms) > MAX_VARIANTS:
        last = max((i for i, w in enumerate(words) if w not in stop), default=len(words) - 1)
        forms = [f if i == last else [words[i]] for i, f in enumerate(forms)]
    return [list(v) for v in product(*forms)]


def _blank_lemma(pattern: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A user pattern with each LEMMA constraint matched as inflections of its LOWER form."""
    out: list[dict[str, Any]] = []
    for token in pattern:
        token = {str(k).upper(): v for k, v in token.items()}
        lemma = token.pop("LEMMA", None)
        if isinstance(lemma, str):
            token["LOWER"] = {"IN": sorted(inflections(lemma))}
        elif isinstance(lemma, dict) and isinstance(lemma.get("IN"), list):
            token["LOWER"] = {"IN": sorted({f for v in lemma["IN"] for f in inflections(str(v))})}
        elif lemma is not None:
            token["LEMMA"] = lemma
        out.append(token)
    return out


@dataclass
class Rules:
    """The codebook's rules compiled for spaCy, keyed by sub-topic code.

    Keywords go to a PhraseMatcher on lower-case text (a hash lookup per
    token, so their number costs little); token patterns to a Matcher.
    """

    phrases: PhraseMatcher
    patterns: Matcher
    count: int
    """How many sub-topics have rules."""
    exclusions: PhraseMatcher | None = None
    """Each sub-topic's ``exclude_keywords``: a match inside one does not count."""

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        # An empty matcher warns on every call: ask only those holding rules.
        found = list(self.phrases(doc)) if len(self.phrases) else []
        if len(self.patterns):
            found.extend(self.patterns(doc))
        if found and self.exclusions is not None:
            fences: dict[int, list[tuple[int, int]]] = {}
            for key, first, last in self.exclusions(doc):
                fences.setdefault(key, []).append((first, last))
            if fences:
                found = [m for m in found
                         if not any(a <= m[1] and m[2] <= b for a, b in fences.get(m[0], ()))]
        return sorted(found, key=lambda m: (m[1], m[2]))


def build_rules(nlp: Language, subtopics: Iterable[Subtopic]) -> Rules:
    """Compile every sub-topic's keywords and patterns.

    Every malformed pattern is reported at once in a :class:`ValidationError`.
    """
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    fences = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher = Matcher(nlp.vocab, validate=True)
    problems: list[str] = []
    count = 0
    for sub in subtopics:
        docs = [Doc(nlp.vocab, words=v) for k in sub.keywords if k.strip()
                for v in keyword_variants(nlp, k)]
        patterns = []
        for i, raw in enumerate(getattr(sub, "patterns", ()) or (), 1):
            if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
                problems.append(f"sub-topic {sub.code}: pattern {i} must be a list of token "
                                "dicts, e.g. [{LOWER: pooled}, {LEMMA: budget}]")
                continue
            patterns.append(_blank_lemma(raw))
        if not docs and not patterns:
            continue
        count += 1
        if docs:
            phrases.add(sub.code, docs)
        excluded = [Doc(nlp.vocab, words=v) for k in sub.exclude_keywords if k.strip()
                    for v in keyword_variants(nlp, k)]
        if excluded:
            fences.add(sub.code, excluded)
        for pattern in patterns:
            try:
                matcher.add(sub.code, [pattern])
            except (ValueError, TypeError, KeyError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid"
                problems.append(f"sub-topic {sub.code}: a pattern is not valid for spaCy's "
                                f"Matcher ({first[:160]})")
    if problems:
        raise ValidationError("the codebook's suggestion rules have problems; fix them in "
                              "the codebook and import it again", problems)
    return Rules(phrases, matcher, count, fences if len(fences) else None)


def _rule_subtopics(cb: Codebook, theme: str | None) -> list[Subtopic]:
    if theme is None:
        return list(cb.subtopics)
    try:
        return list(cb.theme(theme).subtopics)
    except KeyError:
        codes = ", ".join(t.code for t in cb.themes) or "none yet"
        raise UnknownReference(f"no theme {theme}; the themes are {codes}") from None


def _source_ids(store: StudyStore, case: str) -> list[int]:
    if store.case(case) is None and store.source_by_name(case) is None:
        raise UnknownReference(f"no case {case}; `fqda status` lists the cases")
    one = store.source_by_name(case)
    return [one.id] if one is not None else [s.id for s in store.sources(case)]


_Span = tuple[int, int, str, str]
"""A held coding: (start, end, status, sub-topic code)."""


def _by_source(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """Consecutive rows grouped by their first column (a source id)."""
    for sid, group in groupby(rows, key=itemgetter(0)):
        yield sid, list(group)


def _source_rows(store: StudyStore, source_id: int | None
                 ) -> Iterator[tuple[int, str, str, list[tuple[int, int, int, int, str]],
                                 list[_Span]]]:
    """Each source (or one) with its segments and held codings, in ingest order.

    Three streamed queries for all sources, merged by source id, instead of
    four or five per source: at 100,000 survey answers the per-source
    queries cost more than matching the rules.
    """
    segments = _by_source(store.segment_spans(source_id))
    codings = _by_source(store.coding_spans(source_id))
    seg_sid, seg_rows = next(segments, (None, []))
    cod_sid, cod_rows = next(codings, (None, []))
    for sid, name, text in store.source_texts(source_id):
        segs: list[tuple[int, int, int, int, str]] = []
        held: list[_Span] = []
        while seg_sid is not None and seg_sid <= sid:
            if seg_sid == sid:
                segs = seg_rows
            seg_sid, seg_rows = next(segments, (None, []))
        while cod_sid is not None and cod_sid <= sid:
            if cod_sid == sid:
                held = [(start, end, status, code) for _, start, end, status, code in cod_rows]
            cod_sid, cod_rows = next(codings, (None, []))
        yield sid, name, text, segs, held


def suggest(
    store: StudyStore,
    theme: str | None = None,
    case: str | None = None,
    roles: Sequence[str] | None = ("participant",),
    progress: Callable[[str], None] | None = None,
) -> SuggestReport:
    """Run every sub-topic's rules over the segments and store new suggestions.

    Limited to one theme's sub-topics and one case (or source) when given;
    to segments whose role is in ``roles`` (every role when None).  A match
    on a segment already suggested, accepted or rejected for that sub-topic
    (or holding an accepted coding of it) is not stored again, so running
    twice adds nothing.  A pending suggestion of a rule on a segment searched
    that the rules no longer make is withdrawn.  All of it is one transaction.
    """
    from framework_qda.ingest.sentences import load_pipeline

    nlp = load_pipeline("")
    subtopics = _rule_subtopics(store.codebook(), theme)
    rules = build_rules(nlp, subtopics)
    report = SuggestReport(rules=rules.count)
    if not rules.count:
        return report
    ids = store.subtopic_ids()
    ruled = {s.code for s in store.codebook().subtopics if theme is None
             or s.theme_code == theme or s.code == theme}
    new: list[NewCoding] = []
    stale: list[tuple[int, int, int, int]] = []
    scopes: list[int | None] = [None] if case is None else list(_source_ids(store, case))
    strings = nlp.vocab.strings
    for scope in scopes:
        for sid, name, text, segs, held in _source_rows(store, scope):
            if progress is not None:
                progress(name)
            for _, _, start, end, role in segs:
                if roles is not None and role not in roles:
                    continue
                report.segments += 1
                body = text[start:end]
                doc = nlp.make_doc(body)
                found = rules(doc)
                words: dict[str, dict[str, None]] = {}
                for match_id, first, last in found:
                    words.setdefault(strings[match_id], {})[doc[first:last].text] = None
                stale.extend((sid, start, end, ids[code]) for a, b, status, code in held
                             if status == "suggested" and a == start and b == end
                             and code in ruled and code not in words)
                if not found:
                    continue
                taken = _held_codes(held, start, end)
                for code, matched in words.items():
                    if code in taken:
                        report.known += 1
                        continue
                    new.append(NewCoding(sid, start, end, ids[code], RULE_CODER, "rule",
                                         "suggested", "", span_hash(body), "; ".join(matched)))
                    report.by_subtopic[code] = report.by_subtopic.get(code, 0) + 1
    with store.atomic():
        report.withdrawn = store.withdraw_suggestions(stale, RULE_CODER)
        report.added = store.insert_suggestions(new)
    return report


def _held_codes(held: Sequence[_Span], start: int, end: int) -> set[str]:
    """Sub-topics a segment must not be suggested for again: any earlier decision on
    exactly this span, or an accepted coding that overlaps it."""
    return {code for c_start, c_end, status, code in held
            if (c_start, c_end) == (start, end)
            or (status == "accepted" and c_start < end and start < c_end)}
