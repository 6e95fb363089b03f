"""Mapping and interpretation: within a case, within a theme, quotes, comparison, search.

Part of ``Study`` (``study.py``): each method is one user action.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.model import (
    Case,
    Evidence,
    Quote,
    Theme,
)
from framework_qda.study_charting import Charting

# Modules that only some commands need are imported inside the methods that
# use them, so read-only commands start fast.
if TYPE_CHECKING:
    from framework_qda.query import CaseProfile, Comparison, Cooccurrence, ThemeView
    from framework_qda.quote_bank import ThemePassages
    from framework_qda.quote_selection import QuoteCount
    from framework_qda.search import Found, Passage


class Interpretation(Charting):
    """Mapping and interpretation of ``Study``."""

    def case_profile(self, case_id: str, theme: str | None = None,
                     pseudonymise: bool = False) -> CaseProfile:
        """Within-case: every theme's sub-topics for one case (with ``pseudonymise``, the
        register's names replaced in the copy shown)."""
        from framework_qda.query import within_case

        case_id = self.case_key(case_id)
        case = self.case(case_id)
        cb = self.codebook
        if theme is not None:
            theme = self._theme(theme)[1]
        cells = self.cells(case_id=case.id)
        if pseudonymise:
            names = self._replacer()
            case, cells = names.case(case), {k: names.cell(c) for k, c in cells.items()}
        return within_case(case, cb, cells, theme)

    def theme_view(self, theme: str, by: str = "group", subtopic: str | None = None,
                   pseudonymise: bool = False, groups: Sequence[str] = (),
                   limit: int = 0) -> ThemeView:
        """Within-theme: each sub-topic across the sample, grouped by ``by`` (with
        ``pseudonymise``, the register's names replaced in the copy shown).

        ``groups`` keeps those sample groups' cases; ``limit`` reads only the first
        so many cells, the groups' counts still those of every case
        (:attr:`ThemeView.rows` against :attr:`ThemeView.listed`)."""
        from framework_qda.query import within_theme

        cb, code = self._theme(theme)
        t = cb.theme(code)
        # read only the evidence shown: one sub-topic's when one is asked for
        codes = [s.code for s in t.subtopics if s.code == subtopic] or [
            s.code for s in t.subtopics]
        # the first cells of a listing by group need only each case's place and group
        lean = limit and by == "group" and not pseudonymise
        cases = self._filter_groups(self._case_index() if lean else self.cases(), groups)
        if limit:
            return self._first_of_theme(t, cases, codes, by, subtopic, limit, pseudonymise)
        cells = self.cells(codes, cases=cases)
        if pseudonymise:
            names = self._replacer()
            cases, cells = [names.case(c) for c in cases], {k: names.cell(c)
                                                             for k, c in cells.items()}
        return within_theme(t, cases, cells, by, subtopic)

    def _first_of_theme(self, t: Theme, cases: list[Case], codes: list[str], by: str,
                        subtopic: str | None, limit: int, pseudonymise: bool) -> ThemeView:
        """:meth:`theme_view` with only the first ``limit`` cells read, counted first."""
        from framework_qda.query import first_of_theme

        summaries = {k: (v.text, v.state) for k, v in self.store.summaries().items()
                     if k[1] in codes}
        names = self._replacer() if pseudonymise else None
        if names is not None:
            cases = [names.case(c) for c in cases]
        first, view = first_of_theme(t, cases, self.store.coded_cells_of(codes), summaries,
                                     limit, by, subtopic)
        wanted = set(first)
        ids = {case_id for case_id, _ in first}
        cells = {k: c for k, c in self.cells(codes, cases=[c for c in cases if c.id in ids]
                                             ).items() if k in wanted}
        if names is not None:
            cells = {k: names.cell(c) for k, c in cells.items()}
        return view(cells)

    def quotes(
        self, code: str | None, *, groups: Sequence[str] = (),
        where: dict[str, str] | None = None,
        speaker: str | None = "participant", min_words: int = 0, max_words: int = 0,
        limit: int = 0, pseudonymise: bool = False,
    ) -> list[Quote]:
        """Verbatim quotes coded to a sub-topic (or every sub-topic of a theme, or, with
        ``code`` None, of the study), in codebook, then case row order.

        Participants' words by default: ``speaker`` ``interviewer``, ``other``,
        a speaker's label, or ``any`` (every speaker; a quote that is not a
        participant's is attributed to the speaker's role)."""
        from framework_qda.quote_selection import kept_cases, select_quotes

        codes = self._quote_codes(code)
        # The first few of a long listing need only the passages of the first
        # cases in row order: their counts say which cases those are, and only
        # those cases are read whole.
        first = None if not limit or min_words or max_words or not _countable(speaker) \
            else _first_cases(self.store.passage_counts(codes, _speaker(speaker)),
                              kept_cases(self._quote_cases(where), groups, where), codes,
                              limit)
        lean = first is not None and self._lean(where)
        if first is not None and lean:
            # the first cases, already chosen by group, read whole; the filters
            # were checked against every case by kept_cases()
            named = self.store.cases_named(first)
            ordered = [named[c.id] for c in self._case_index() if c.id in named]
            groups = ()
        else:
            ordered = self.cases()
        evidence = self.store.evidence(codes, cases=first)
        order = {c.id: i for i, c in enumerate(ordered)}
        rank = {c: i for i, c in enumerate(codes)}
        evidence.sort(key=lambda e: (rank[e.subtopic], order.get(e.case_id, 0)))
        cases = {c.id: c for c in ordered}
        # a withdrawn case's codings stay in the store, and out of every listing
        quotes = select_quotes((e for e in evidence if e.case_id in cases), cases,
                               self.config.attribution, groups=groups,
                               where=where, speaker=speaker, min_words=min_words,
                               max_words=max_words, limit=limit)
        if pseudonymise:
            names = self._replacer()
            quotes = [names.quote(q) for q in quotes]
        return quotes

    def quote_count(
        self, code: str | None, *, groups: Sequence[str] = (),
        where: dict[str, str] | None = None, speaker: str | None = "participant",
        min_words: int = 0, max_words: int = 0,
    ) -> QuoteCount:
        """How many quotes :meth:`quotes` gives with the same filters, by sample group
        and sub-topic, counted in the store (read whole only when a word limit or
        a speaker label with other than ASCII letters is asked for)."""
        from framework_qda.quote_selection import count_quotes, kept_cases

        codes = self._quote_codes(code)
        cases = kept_cases(self._quote_cases(where), groups, where)
        if min_words or max_words or not _countable(speaker):
            found = self.quotes(code, groups=groups, where=where, speaker=speaker,
                                min_words=min_words, max_words=max_words)
            counted: dict[tuple[str, str], int] = {}
            for q in found:
                counted[(q.case_id, q.subtopic)] = counted.get((q.case_id, q.subtopic), 0) + 1
            return count_quotes(((k[0], k[1], n) for k, n in counted.items()), cases, codes)
        return count_quotes(self.store.passage_counts(codes, _speaker(speaker)), cases, codes)

    def _lean(self, where: dict[str, str] | None) -> bool:
        """Whether a quote listing may order and count cases by id and group alone: no
        attribute filter, and an attribution of the quote's own fields."""
        from framework_qda.quote_selection import BASE_FIELDS, template_fields

        return not where and template_fields(self.config.attribution) <= BASE_FIELDS

    def _quote_cases(self, where: dict[str, str] | None) -> list[Case]:
        """The cases, in row order, as a quote listing counts them."""
        return self._case_index() if self._lean(where) else self.cases()

    def _quote_codes(self, code: str | None) -> list[str]:
        """The sub-topic codes a quote listing covers: one, a theme's, or all."""
        cb = self.codebook
        if code is None:
            return [s.code for s in cb.subtopics]
        if code in {s.code for s in cb.subtopics}:
            return [code]
        if code in {t.code for t in cb.themes}:
            return [s.code for s in cb.theme(code).subtopics]
        raise UnknownReference(f"no sub-topic or theme {code}; `fqda codebook show` "
                               "lists them")

    def evidence(self) -> list[Evidence]:
        """Every accepted coding as verbatim evidence, in row and codebook order."""
        order = {c.id: i for i, c in enumerate(self.cases())}
        position = {s.code: i for i, s in enumerate(self.codebook.subtopics)}
        ev = self.store.evidence()
        ev.sort(key=lambda e: (order.get(e.case_id, 0), position.get(e.subtopic, 0)))
        return ev

    def compare(self, by: str = "group", theme: str | None = None) -> Comparison:
        """Groups (or values of an attribute) × sub-topics: cases where each came up."""
        from framework_qda.query import compare, covered_cells

        cb = self.codebook
        subs = list(cb.theme(self._theme(theme)[1]).subtopics) if theme else list(cb.subtopics)
        # counts need no evidence text: which cells are coded, and their summaries
        summaries = {k: (v.text, v.state) for k, v in self.store.summaries().items()}
        covered = covered_cells(self.store.coded_cells(), summaries)
        return compare(subs, self.cases(), covered, by)

    def search(
        self, words: str, *, regex: bool = False, case: str | None = None,
        coded: bool | None = None, speaker: str | None = None, limit: int = 0,
    ) -> Found:
        """Segments whose text matches ``words`` (full-text) or a regular expression.

        ``case`` keeps one case (or source); ``coded`` True/False keeps coded or
        uncoded segments only; ``speaker`` a role (``participant``) or a speaker's
        label; ``limit`` the first so many (``total`` of the list returned says how
        many matched).  Passages come in row order with the offsets of what matched.
        """
        from framework_qda.search import Found, compile_pattern, find_passages, matched, parse_query

        if case is not None:
            case = self.case_key(case) if self.store.source_by_name(case) is None else case
            self._case_or_source(case)
        which = None if coded is None else self.store.coded_keys
        if regex:
            cases = self._case_index()  # passages need only each case's place and group
            pattern = compile_pattern(words)
            keys = matched(self.store.segment_bodies(case_id=case, speaker=speaker), cases,
                           coded=which, want_coded=bool(coded), pattern=pattern)
            return Found(find_passages(self.store.passages(keys[:limit] if limit else keys),
                                       cases, pattern=pattern), len(keys))
        query = parse_query(words)
        hits = list(self.store.search_hits(query, case_id=case, speaker=speaker))
        cases = self._case_index_of({h.case_id for h in hits})  # only the cases found
        keys = matched(hits, cases, coded=which, want_coded=bool(coded))
        return Found(find_passages(self.store.passages(keys[:limit] if limit else keys,
                                                       match=query), cases), len(keys))

    def cooccurrence(self, theme: str | None = None) -> Cooccurrence:
        """Sub-topic × sub-topic counts of segments and of cases coded to both."""
        from framework_qda.query import cooccurrence

        cb = self.codebook
        subs = list(cb.theme(self._theme(theme)[1]).subtopics) if theme else list(cb.subtopics)
        return cooccurrence(subs, self.store.segment_codes())

    def cooccurring(self, first: str, second: str) -> list[Passage]:
        """The segments coded to both sub-topics, in row order."""
        known = {s.code for s in self.codebook.subtopics}
        for code in (first, second):
            if code not in known:
                raise UnknownReference(f"unknown sub-topic {code}; `fqda codebook show` "
                                       "lists them")
        from framework_qda.search import find_passages

        return find_passages(self.store.passages(coded_to=[first, second]), self.cases())

    def quote_passages(self, themes: Sequence[str] = (), groups: Sequence[str] = (),
                       speaker: str | None = "participant") -> list[ThemePassages]:
        """The quote bank's entries: per theme and sub-topic, each coded passage once
        (overlapping codings joined), by sample group in row order."""
        from framework_qda.quote_bank import arrange
        from framework_qda.quote_selection import select_quotes

        cb = self.codebook
        if not cb.themes:
            raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
        wanted = [cb.theme(self._theme(t)[1]) for t in themes] if themes else list(cb.themes)
        codes = [s.code for t in wanted for s in t.subtopics]
        ordered = self.cases()
        evidence = self.store.evidence(codes)
        cases = {c.id: c for c in ordered}
        found = select_quotes((e for e in evidence if e.case_id in cases), cases,
                              self.config.attribution, groups=groups, speaker=speaker)
        return arrange(wanted, found, [c.id for c in ordered])


def _speaker(speaker: str | None) -> str | None:
    """The speaker filter as the store counts it: None for every speaker."""
    from framework_qda.quote_selection import ANY_SPEAKER

    return None if speaker is None or speaker.casefold() == ANY_SPEAKER else speaker


def _countable(speaker: str | None) -> bool:
    """Whether the store can count this speaker filter as :func:`select_quotes` keeps
    it (SQL compares only ASCII letters without case)."""
    return speaker is None or speaker.isascii()


def _first_cases(counts: Sequence[tuple[str, str, int]], cases: Sequence[Case],
                 codes: Sequence[str], limit: int) -> list[str]:
    """The cases whose passages make the first ``limit`` quotes, walking sub-topics in
    codebook order and cases in row order, as the listing does."""
    per_cell = {(case_id, code): n for case_id, code, n in counts}
    needed: dict[str, None] = {}
    total = 0
    for code in codes:
        for c in cases:
            n = per_cell.get((c.id, code), 0)
            if n:
                needed[c.id] = None
                total += n
                if total >= limit:
                    return list(needed)
    return list(needed)
