"""Pseudonymisation: a names register, candidates found in the study, and replacement
in outputs; the leak check of any file is :mod:`framework_qda.leak_check`.

The register (real name or phrase -> pseudonym, study-wide or for one case's
text) lives in the store, inside ``.fqda/``, which no export ever includes.
Replacement happens on the copies an export formats, never on the stored
sources, so offsets, summaries and references are untouched.  A real name is
matched case-insensitively as a whole word, with its possessive kept
(``Sarah's`` -> ``[P7's manager]'s``); longer names win over the shorter ones
inside them (``Sarah Jones`` before ``Sarah``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from framework_qda.errors import FqdaError, InputError
from framework_qda.model import Case, Cell, Evidence, Quote
from framework_qda.store import NameEntry, StudyStore

# Speaker labels that name a role, not a person.
_ROLE_WORDS = {"interviewer", "participant", "moderator", "respondent", "facilitator",
               "speaker", "interviewee", "researcher", "host", "guest", "int", "ivr", "ive",
               "q", "a", "i", "p", "r", "m", "unknown"}
_CAPITALISED = re.compile(r"(?<![\w’'])([A-Z][a-z]+(?:[-’'][A-Z]?[a-z]+)?)(?![\w])")
_PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "url": re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.I),
    "phone": re.compile(r"(?<![\w])(?:\+?\d[\d ()-]{8,}\d)(?![\w])"),
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
}
_PSEUDONYMS = {"email": "[email]", "url": "[web address]", "phone": "[phone number]",
               "postcode": "[postcode]", "name": "[name]", "listed": "[name]",
               "entity": "[name]"}
MAX_REFS = 5


# -- replacing ------------------------------------------------------------------------
@dataclass
class Replacer:
    """Replaces the accepted names of the register in text of a given case."""

    entries: Sequence[NameEntry]
    used: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(case, real, pseudonym) -> how many times it was replaced."""

    def __post_init__(self) -> None:
        self._patterns: dict[str, tuple[re.Pattern[str], dict[str, NameEntry]] | None] = {}

    def _pattern(self, case_id: str) -> tuple[re.Pattern[str], dict[str, NameEntry]] | None:
        if case_id not in self._patterns:
            mine = {e.real.casefold(): e for e in self.entries if e.case_id == ""}
            mine.update({e.real.casefold(): e for e in self.entries if e.case_id == case_id})
            if not mine:
                self._patterns[case_id] = None
            else:
                words = sorted(mine, key=len, reverse=True)
                alternation = "|".join(re.escape(w) for w in words)
                self._patterns[case_id] = (
                    re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", re.IGNORECASE), mine)
        return self._patterns[case_id]

    def text(self, text: str, case_id: str = "") -> str:
        """``text`` with every accepted name that applies to ``case_id`` replaced."""
        found = self._pattern(case_id)
        if not text or found is None:
            return text
        pattern, by_word = found

        def swap(m: re.Match[str]) -> str:
            entry = by_word[m.group(0).casefold()]
            self.used[(case_id, entry.real, entry.pseudonym)] += 1
            return entry.pseudonym

        return pattern.sub(swap, text)

    def rewritten(self, text: str, case_id: str = "") -> Rewritten:
        """``text`` with the names replaced, and a map from its offsets to the new
        text's, for outputs that carry positions (a REFI-QDA project's selections)."""
        found = self._pattern(case_id)
        if not text or found is None:
            return Rewritten(text, [])
        pattern, by_word = found
        parts: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        at = shift = 0
        for m in pattern.finditer(text):
            entry = by_word[m.group(0).casefold()]
            self.used[(case_id, entry.real, entry.pseudonym)] += 1
            parts.append(text[at:m.start()])
            parts.append(entry.pseudonym)
            new_start = m.start() + shift
            shift += len(entry.pseudonym) - (m.end() - m.start())
            spans.append((m.start(), m.end(), new_start, m.end() + shift))
            at = m.end()
        parts.append(text[at:])
        return Rewritten("".join(parts), spans)

    def case(self, case: Case) -> Case:
        return replace(case, attributes=tuple((k, self.text(v, case.id))
                                              for k, v in case.attributes))

    def evidence(self, e: Evidence) -> Evidence:
        return replace(e, text=self.text(e.text, e.case_id),
                       speaker=self.text(e.speaker, e.case_id),
                       memo=self.text(e.memo, e.case_id))

    def cell(self, cell: Cell) -> Cell:
        return replace(cell, summary=self.text(cell.summary, cell.case_id),
                       evidence=tuple(self.evidence(e) for e in cell.evidence),
                       suggestions=tuple(self.evidence(e) for e in cell.suggestions))

    def quote(self, q: Quote) -> Quote:
        return replace(q, text=self.text(q.text, q.case_id),
                       speaker=self.text(q.speaker, q.case_id),
                       attribution=self.text(q.attribution, q.case_id),
                       attributes=tuple((k, self.text(v, q.case_id))
                                        for k, v in q.attributes))


class Rewritten:
    """A text with names replaced, and where each old offset stands in it.

    An offset inside a replaced name moves to the start of its pseudonym when it
    starts a span and to its end when it ends one, so a span cut inside a name
    covers the whole pseudonym and never a piece of the real name.
    """

    def __init__(self, text: str, spans: list[tuple[int, int, int, int]]) -> None:
        self.text = text
        self._spans = spans
        """(old start, old end, new start, new end) of each replaced name, in order."""
        self._starts = [s[0] for s in spans]

    def _at(self, offset: int, ending: bool) -> int:
        from bisect import bisect_right

        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        old_start, old_end, new_start, new_end = self._spans[i]
        if offset == old_start:
            return new_start
        if offset < old_end:
            return new_end if ending else new_start
        return offset + new_end - old_end

    def start(self, offset: int) -> int:
        """Where a span starting at ``offset`` starts in the new text."""
        return self._at(offset, False)

    def end(self, offset: int) -> int:
        """Where a span ending at ``offset`` ends in the new text."""
        return self._at(offset, True)


def replacer(store: StudyStore) -> Replacer:
    """A replacer for the register's accepted entries.

    Raises :class:`FqdaError` while candidates await review: an output made
    then could carry a name nobody has decided about.
    """
    waiting = store.names("candidate")
    if waiting:
        shown = ", ".join(e.real for e in waiting[:5])
        raise FqdaError(f"{len(waiting)} name candidate(s) await review ({shown}"
                        f"{' …' if len(waiting) > 5 else ''}); accept or reject them with "
                        "`fqda pseudonymise accept|reject NAME` first")
    return Replacer(store.names("accepted"))


# -- finding candidates ------------------------------------------------------------------
@dataclass
class _Found:
    real: str
    kind: str
    pseudonym: str
    count: int = 0
    refs: list[str] = field(default_factory=list)

    def saw(self, ref: str) -> None:
        self.count += 1
        if ref not in self.refs and len(self.refs) < MAX_REFS:
            self.refs.append(ref)


def scan(store: StudyStore, listed: Sequence[str] = (), model: str = "") -> list[NameEntry]:
    """Candidates for the register from what the study knows: speaker labels that are
    not roles, case attribute values found in the transcripts, capitalised words
    that recur mid-sentence and never appear in lower case, e-mail addresses, phone
    numbers, postcodes, web addresses, the names in ``listed``, and, with ``model``
    (an installed spaCy pipeline with an entity recogniser), its people, places and
    organisations.  Study-wide entries, each with a count and up to five refs.
    """
    found: dict[str, _Found] = {}
    lower_words: Counter[str] = Counter()
    capitalised: dict[str, _Found] = {}
    case_ids = {c.id.casefold() for c in store.cases()}
    prefixes = store.ref_prefixes()
    texts: list[tuple[str, str]] = []  # (ref, segment text)
    for source_id, _name, text in store.source_texts():
        for sid, number, start, end, _role in store.segment_spans(source_id):
            texts.append((f"{prefixes.get(sid, '?')}:{number}", text[start:end]))
    for seg in _speakers(store):
        label, ref, role = seg
        if label.casefold() in _ROLE_WORDS or label.casefold() in case_ids \
                or not re.search(r"[A-Za-z]{2}", label) or re.fullmatch(r"[A-Z]?\d+", label):
            continue
        found.setdefault(label.casefold(), _Found(label, "speaker", f"[{role}]")).saw(ref)
    for ref, text in texts:
        lower_words.update(w for w in re.findall(r"\b[a-z][a-z'’-]+\b", text))
        for m in _CAPITALISED.finditer(text):
            if _sentence_start(text, m.start()):
                continue
            word = m.group(1)
            capitalised.setdefault(word, _Found(word, "name", _PSEUDONYMS["name"])).saw(ref)
        for kind, pattern in _PATTERNS.items():
            for m in pattern.finditer(text):
                found.setdefault(m.group(0).casefold(),
                                 _Found(m.group(0), kind, _PSEUDONYMS[kind])).saw(ref)
    from spacy.lang.en.stop_words import STOP_WORDS

    for word, entry in capitalised.items():
        if entry.count < 2 or word.casefold() in STOP_WORDS or lower_words[word.lower()]:
            continue
        found.setdefault(word.casefold(), entry)
    for case in store.cases():
        for attr, value in case.attributes:
            value = value.strip()
            if not re.search(r"[A-Z][a-z]", value) or value.casefold() in found:
                continue
            hits = [ref for ref, text in texts if re.search(
                rf"(?<![\w]){re.escape(value)}(?![\w])", text, re.IGNORECASE)]
            if hits:
                entry = _Found(value, "attribute", f"[{attr}]")
                for ref in hits:
                    entry.saw(ref)
                found[value.casefold()] = entry
    for name in listed:
        name = name.strip()
        if not name or name.casefold() in found:
            continue
        entry = _Found(name, "listed", _PSEUDONYMS["listed"])
        pattern = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])", re.IGNORECASE)
        for ref, text in texts:
            for _ in pattern.finditer(text):
                entry.saw(ref)
        found[name.casefold()] = entry
    if model:
        _entities(model, texts, found)
    return [NameEntry(f.real, f.pseudonym, "", f.kind, "candidate", f.count, tuple(f.refs))
            for _, f in sorted(found.items())]


def _speakers(store: StudyStore) -> Iterator[tuple[str, str, str]]:
    """(label, first ref, role) of each speaker of each source."""
    prefixes = store.ref_prefixes()
    for source in store.sources():
        seen: set[str] = set()
        for seg in store.segments(source.id):
            if seg.speaker and seg.speaker not in seen:
                seen.add(seg.speaker)
                yield seg.speaker, f"{prefixes.get(source.id, source.name)}:{seg.number}", \
                    seg.role if seg.role != "other" else "speaker"


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?\n:;…—–-"


def _entities(model: str, texts: Sequence[tuple[str, str]], found: dict[str, _Found]) -> None:
    from framework_qda.ingest.sentences import load_pipeline

    nlp = load_pipeline(model)
    if "ner" not in nlp.pipe_names:
        raise FqdaError(f"the spaCy pipeline {model} has no entity recogniser (ner); name "
                        "one that has, or scan without --model")
    labels = {"PERSON": "[name]", "GPE": "[place]", "LOC": "[place]", "FAC": "[place]",
              "ORG": "[organisation]", "NORP": "[group]"}
    for (ref, _), doc in zip(texts, nlp.pipe(t for _, t in texts), strict=True):
        for ent in doc.ents:
            if ent.label_ in labels:
                found.setdefault(ent.text.casefold(),
                                 _Found(ent.text, "entity", labels[ent.label_])).saw(ref)


# -- the register as a CSV -----------------------------------------------------------------
REGISTER_COLUMNS = ("real", "pseudonym", "case", "kind", "status")


def read_register(path: Path) -> list[NameEntry]:
    """Entries from a CSV with columns ``real,pseudonym`` (and optional ``case``,
    ``kind``, ``status``; status defaults to accepted: a list typed by a person)."""
    from framework_qda.tabular import read_table

    table = read_table(path)
    keys = {h.casefold() for h in table.header}
    if not {"real", "pseudonym"} <= keys:
        raise InputError(path, "needs columns real and pseudonym (and optionally case, "
                         "kind, status)", 1)
    entries: list[NameEntry] = []
    problems: list[str] = []
    for line, row in table.rows:
        real, pseudonym = row.get("real", "").strip(), row.get("pseudonym", "").strip()
        status = (row.get("status") or "accepted").strip()
        if not real or not pseudonym:
            problems.append(f"{path}:{line}: give both the real name and its pseudonym")
            continue
        if status not in ("accepted", "rejected", "candidate"):
            problems.append(f"{path}:{line}: status is accepted, rejected or candidate, "
                            f"not {status}")
            continue
        entries.append(NameEntry(real, pseudonym, row.get("case", "").strip(),
                                 row.get("kind", "").strip() or "listed", status))
    if problems:
        from framework_qda.errors import ValidationError

        raise ValidationError(f"{path}: nothing was imported", problems)
    return entries


def _csv(rows: Iterable[Sequence[object]]) -> str:
    import csv
    import io

    from framework_qda.formulas import csv_row

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(csv_row(list(r)) for r in rows)
    return out.getvalue()


def register_csv(entries: Iterable[NameEntry]) -> str:
    """The register as CSV, in the columns :func:`read_register` reads."""
    return _csv([REGISTER_COLUMNS, *([e.real, e.pseudonym, e.case_id, e.kind, e.status]
                                     for e in entries)])


def report_csv(names: Replacer, output: Path) -> str:
    """What a pseudonymised output had replaced: per case, each real name, its
    pseudonym and how often."""
    return _csv([("output", "case", "real", "pseudonym", "replaced"),
                 *((output.name, case, real, pseudonym, n)
                   for (case, real, pseudonym), n in sorted(names.used.items()))])
