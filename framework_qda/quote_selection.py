"""Quotes chosen for a report: verbatim evidence filtered by group, attribute,
speaker and length, each attributed by the study's template (``— {group},
{case}``).  Pure, like the rest of :mod:`framework_qda.query`, which offers
:func:`select_quotes` too."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.model import Case, Evidence, Quote, natural_key, voice

ANY_SPEAKER = "any"
"""The ``speaker`` filter that keeps every speaker's words."""
_BASE_FIELDS = ("group", "case", "speaker", "ref", "subtopic")
BASE_FIELDS = frozenset(_BASE_FIELDS)
"""The fields of an attribution template that every quote has, whatever its case."""


def template_fields(template: str) -> set[str]:
    """The fields an attribution template names (``{"{"}`` when it is malformed)."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError:
        return {"{"}


def _field(name: str) -> str:
    return name.casefold().replace(" ", "_")


def check_template(template: str, cases: Iterable[Case]) -> None:
    """Raise :class:`FqdaError` when an attribution template is malformed or
    names a field that neither the quote nor any case has."""
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        names = ["{"]
    if all(n in _BASE_FIELDS for n in names):  # the usual template: no case need be read
        return
    known = set(_BASE_FIELDS) | {_field(k) for c in cases for k, _ in c.attributes}
    bad = [n for n in names if n not in known]
    if bad:
        raise FqdaError(
            f"fqda.yaml: the attribution template {template!r} uses "
            f"{', '.join('{' + n + '}' for n in bad)}, which is not a field; use "
            + ", ".join("{" + n + "}" for n in sorted(known, key=natural_key))
        )


def attribute(template: str, evidence: Evidence, case: Case) -> str:
    """Fill an attribution template such as ``— {group}, {case}``.

    Fields: ``group``, ``case``, ``speaker``, ``ref``, ``subtopic`` and every
    case attribute (lower case, spaces as ``_``); a missing value is empty.
    Words that are not a participant's are attributed to the speaker's role,
    not the case's group: ``{group}`` becomes ``Interviewer``, and where the
    template has no ``{group}`` the role is added as ``[interviewer]``.
    """
    who = voice(evidence.role)
    fields: dict[str, str] = {_field(k): v for k, v in case.attributes}
    fields.update(group=who or case.group or "no group", case=case.id,
                  speaker=evidence.speaker, ref=evidence.ref, subtopic=evidence.subtopic)
    try:
        line = template.format_map(_Missing(fields))
    except (ValueError, IndexError, AttributeError):
        raise FqdaError(f"fqda.yaml: the attribution template {template!r} is not valid; "
                        "write it like '— {group}, {case}'") from None
    if who and who.casefold() not in line.casefold():
        line = f"{line} [{who.lower()}]".strip()
    return line


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _check_filters(cases: Iterable[Case], groups: Sequence[str],
                   where: Mapping[str, str]) -> None:
    """A mistyped group or attribute gives an error, not an empty quote bank."""
    if not groups and not where:
        return
    cases = list(cases)
    have = {c.group.casefold(): c.group for c in cases}
    for g in groups:
        if g.casefold() not in have:
            raise UnknownReference(f"no case is in group {g!r}; the groups are "
                                   + ", ".join(sorted(have.values(), key=natural_key)))
    names = {k for c in cases for k, _ in c.attributes} | {"group"}
    for key in where:
        if key not in names:
            raise UnknownReference(f"--where {key}=…: no case has an attribute {key!r}; "
                                   "they have " + ", ".join(sorted(names, key=natural_key)))


def _kept(case: Case, groups: Set[str], where: Mapping[str, str] | None) -> bool:
    """Whether ``case`` is in one of ``groups`` (case-folded; none: any) and has the
    attribute values of ``where``."""
    if groups and case.group.casefold() not in groups:
        return False
    return not where or all(case.attribute(k).casefold() == v.casefold()
                            for k, v in where.items())


def kept_cases(cases: Iterable[Case], groups: Sequence[str] = (),
               where: Mapping[str, str] | None = None) -> list[Case]:
    """The cases a quote listing keeps (see :func:`select_quotes`), in the order given;
    a mistyped group or attribute is an error."""
    cases = list(cases)
    _check_filters(cases, groups, where or {})
    wanted = {g.casefold() for g in groups}
    return [c for c in cases if _kept(c, wanted, where)]


def select_quotes(
    evidence: Iterable[Evidence],
    cases: Mapping[str, Case],
    template: str,
    *,
    groups: Sequence[str] = (),
    where: Mapping[str, str] | None = None,
    speaker: str | None = "participant",
    min_words: int = 0,
    max_words: int = 0,
    limit: int = 0,
) -> list[Quote]:
    """Verbatim quotes, attributed, filtered as a report writer asks.

    ``groups`` keeps those sample groups (case-insensitive); ``where`` keeps
    cases whose attributes equal the values given; ``speaker`` keeps a role
    (``participant``, the default: a quote is the speaker's, so an interviewer's
    question is no participant's quote) or a speaker label, and ``any`` (or
    None) keeps every speaker; word limits count words of the quote;
    ``limit`` keeps the first so many.  The order of ``evidence`` is kept.
    The text is exactly the source's; only display folds white space.
    """
    check_template(template, cases.values())
    _check_filters(cases.values(), groups, where or {})
    wanted = {g.casefold() for g in groups}
    wanted_speaker = "" if speaker is None or speaker.casefold() == ANY_SPEAKER \
        else speaker.casefold()
    quotes: list[Quote] = []
    seen: set[tuple[str, str, str]] = set()
    for e in evidence:
        case = cases[e.case_id]
        if not _kept(case, wanted, where):
            continue
        if wanted_speaker and wanted_speaker not in (e.role, e.speaker.casefold()):
            continue
        if min_words or max_words:  # splitting every quote into words costs
            words = len(e.text.split())
            if words < min_words or (max_words and words > max_words):
                continue
        if (e.subtopic, e.ref, e.text) in seen:
            continue
        seen.add((e.subtopic, e.ref, e.text))
        quotes.append(Quote(e.text, e.ref, case.id, case.group, e.subtopic, e.speaker,
                            attribute(template, e, case), case.attributes, e.role,
                            e.source, e.start, e.end))
        if limit and len(quotes) >= limit:
            break
    return quotes


@dataclass(frozen=True)
class QuoteCount:
    """How many quotes a listing has, without their text: what a terminal shows
    first when there are more than a screenful."""

    total: int
    by_group: tuple[tuple[str, int, int], ...]
    """Each sample group of the cases kept, in row order: (group, cases with a quote,
    quotes)."""
    by_subtopic: tuple[tuple[str, int], ...]
    """Each sub-topic asked for, in codebook order: (code, quotes)."""
    by_group_subtopic: Mapping[tuple[str, str], int]
    """(group, code) -> quotes."""

    @property
    def cases(self) -> int:
        """Cases with at least one quote."""
        return sum(n for _, n, _ in self.by_group)


def count_quotes(counts: Iterable[tuple[str, str, int]], cases: Sequence[Case],
                 codes: Sequence[str]) -> QuoteCount:
    """Sum ``(case id, code, quotes)`` rows up by group and sub-topic, for ``cases``
    (already filtered, in row order) and ``codes``."""
    group_of = {c.id: c.group or "no group" for c in cases}
    wanted = set(codes)
    per_case: dict[str, int] = {}
    cells: dict[tuple[str, str], int] = {}
    for case_id, code, n in counts:
        group = group_of.get(case_id)
        if group is None or code not in wanted or not n:
            continue
        per_case[case_id] = per_case.get(case_id, 0) + n
        cells[(group, code)] = cells.get((group, code), 0) + n
    groups: dict[str, list[int]] = {}
    for c in cases:
        tally = groups.setdefault(group_of[c.id], [0, 0])
        if c.id in per_case:
            tally[0] += 1
            tally[1] += per_case[c.id]
    by_code = {code: 0 for code in codes}
    for (_, code), n in cells.items():
        by_code[code] += n
    return QuoteCount(sum(per_case.values()),
                      tuple((g, n, q) for g, (n, q) in groups.items()),
                      tuple(by_code.items()), cells)
