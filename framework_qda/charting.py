"""Charting: the researcher's summaries in the matrix cells, linked to their evidence.

A summary is written against the evidence a cell holds at that moment; the
store keeps a fingerprint of that evidence, so when re-ingesting, uncoding or
a codebook merge later changes it the cell reads ``stale`` (computed in
:mod:`framework_qda.matrix`) until the summary is saved again or confirmed.
References typed into a summary (``[P07:12]``, ``[P07:12, P07:14]``,
``[P07:12-14]``) are checked against the case's segments and stored as links.

Nothing here prints or prompts: the editor flow takes an ``edit`` callback
that the command line supplies (an editor or a terminal prompt).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.cell_state import rendering
from framework_qda.citations import ref_items
from framework_qda.errors import ConflictError, EditorFailed, FqdaError, UnknownReference
from framework_qda.matrix import (
    STATES,
    CaseProgress,
    CellKey,
    ChartingStatus,
    EvidenceChange,
    Gap,
    StaleCell,
    SummaryState,
    build_cells,
    describe_change,
    evidence_hash,
    snapshot,
)
from framework_qda.matrix import charting_status as matrix_status
from framework_qda.model import Case, Cell, CellState, Codebook, Evidence, Subtopic, Theme
from framework_qda.refs import case_id as codable_case_id
from framework_qda.store import Store, SummaryRow

__all__ = ["STATES", "ChartingStatus", "EvidenceChange", "ref_items"]

DRAFT_AUTHOR = "fqda draft"
_NOT_APPLICABLE = re.compile(r"^n/a(?:\s*[:—–-]\s*(?P<note>.*))?$", re.IGNORECASE | re.DOTALL)
_MAX_RANGE = 500


# -- references and links ---------------------------------------------------
@dataclass(frozen=True)
class Link:
    """A segment that a summary cites."""

    ref: str
    source_id: int
    segment: int


def resolve_links(store: Store, case_id: str, text: str, where: str = "") -> list[Link]:
    """Check every reference in ``text`` against the case's segments.

    Raises :class:`UnknownReference` naming every reference that is not a
    segment of one of the case's transcripts; ``where`` says whose summary.
    """
    mine = {s.id for s in store.sources(case_id)}
    prefixes = store.ref_prefixes()
    # Every name a ref may use for one of the case's sources, its prefix first.
    by_name: dict[str, int] = {}
    for name, ref_id in store.source_refs().items():
        if ref_id in mine:
            by_name.setdefault(name.casefold(), ref_id)
    counts: dict[int, int] = {}
    links: list[Link] = []
    problems: list[str] = []
    for item, src, first, last in ref_items(text):
        if first < 0 or src is None:
            problems.append(f"[{item}] is not a segment reference (write {case_id}:12 or "
                            f"{case_id}:12-14)")
            continue
        sid = by_name.get(src.casefold())
        if sid is None:
            problems.append(f"[{item}]: case {case_id} has no transcript called {src}")
            continue
        if sid not in counts:
            counts[sid] = store.segment_count(sid)
        if first < 1 or last > counts[sid] or last < first or last - first > _MAX_RANGE:
            problems.append(f"[{item}]: {src} has segments 1 to {counts[sid]}")
            continue
        prefix = prefixes.get(sid, src)
        links.extend(Link(f"{prefix}:{n}", sid, n) for n in range(first, last + 1))
    if problems:
        whose = f" in the summary of {where}" if where else ""
        raise UnknownReference(f"unknown reference{whose}: " + "; ".join(problems)
                               + f". `fqda show {case_id}` lists the segments")
    return links


# -- writing summaries -------------------------------------------------------
def normalise(text: str) -> str:
    """Line endings folded to ``\\n`` and outer white space removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def subtopic_id(store: Store, code: str) -> int:
    ids = store.subtopic_ids()
    if code not in ids:
        raise UnknownReference(f"unknown sub-topic {code}; `fqda codebook show` lists them")
    return ids[code]


def write_summary(store: Store, case_id: str, code: str, text: str, state: str,
                  author: str, origin: str = "human") -> None:
    """Store a summary written against the cell's present evidence, with its links.

    ``origin`` is ``human`` (a person wrote it) or ``machine`` (a draft).  The
    caller holds the transaction.  Raises :class:`UnknownReference` for a
    reference that is not one of the case's segments (nothing is written).
    """
    sid = subtopic_id(store, code)
    text = normalise(text)
    links = resolve_links(store, case_id, text, f"{case_id} × {code}")
    evidence = store.evidence([code], case_id)
    store.put_summary(case_id, sid, text, state, author, evidence_hash(evidence),
                      evidence=snapshot(evidence),
                      links=[(link.source_id, link.segment) for link in links], origin=origin)


def _guard_human(store: Store, case_id: str, code: str, text: str, not_applicable: bool,
                 replace: bool) -> None:
    """Refuse to write over a person's summary unless ``replace`` says so."""
    if replace:
        return
    old = store.summary(case_id, subtopic_id(store, code))
    if old is None or old.state == "draft":
        return
    wanted = "not-applicable" if not_applicable else "summarised"
    if old.state == wanted and old.text == normalise(text):
        return
    by = f" by {old.author}" if old.author else ""
    raise ConflictError(
        f"{case_id} × {code} already has a summary{by} ({old.updated_at[:10]}); pass --replace "
        "to write over it (the earlier text stays in `fqda history`)")


def _keep_version(store: Store, case_id: str, code: str, author: str, text: str,
                  state: str) -> None:
    """Before a person's summary is replaced by someone else's words, keep it as its
    coder's version beside the cell (``fqda chart versions``): another coder's
    summary is never lost to a ``--replace``."""
    sid = subtopic_id(store, code)
    old = store.summary(case_id, sid)
    if old is None or old.state == "draft" or (old.text, old.state) == (text, state):
        return
    who = old.accepted_by or old.author
    if who and who != author:
        store.put_summary_version(case_id, sid, who, old.text, old.state, old.author,
                                  old.origin, old.accepted_by, f"replaced by {author}")


def set_cell(store: Store, case_id: str, code: str, text: str, not_applicable: bool,
             author: str, replace: bool = False) -> str:
    """Write a human's summary, mark the topic not applicable (``text`` is then an
    optional note), or, given empty text, remove the summary.  Returns what the
    stored summary now is: ``summarised``, ``not-applicable`` or ``cleared``.

    A person's summary (not a machine draft) is only written over, or removed,
    with ``replace``; otherwise :class:`ConflictError` and nothing changes.
    """
    if normalise(text):  # a wrong reference is the first thing to hear about
        resolve_links(store, case_id, normalise(text), f"{case_id} × {code}")
    _guard_human(store, case_id, code, text, not_applicable, replace)
    _keep_version(store, case_id, code, author, normalise(text),
                  "not-applicable" if not_applicable else "summarised")
    if not_applicable:
        write_summary(store, case_id, code, text, "not-applicable", author)
        return "not-applicable"
    if not normalise(text):
        store.delete_summary(case_id, subtopic_id(store, code))
        return "cleared"
    write_summary(store, case_id, code, text, "summarised", author)
    return "summarised"


def read_cell_text(text: str) -> tuple[str, str]:
    """A cell's text as typed: (state, words): ``n/a`` (optionally ``n/a: note``)
    is ``not-applicable`` with the note, anything else ``summarised``."""
    m = _NOT_APPLICABLE.match(normalise(text))
    if m:
        return "not-applicable", m.group("note") or ""
    return "summarised", normalise(text)


def apply_text(store: Store, case_id: str, code: str, text: str, author: str,
               replace: bool = False) -> str:
    """A human's text for a cell as typed in the editor or a workbook: ``n/a``
    (optionally ``n/a: note``) marks the topic not applicable, empty text removes
    the summary, anything else is the summary.  See :func:`set_cell`."""
    m = _NOT_APPLICABLE.match(normalise(text))
    if m:
        return set_cell(store, case_id, code, m.group("note") or "", True, author, replace)
    return set_cell(store, case_id, code, text, False, author, replace)


def accept(store: Store, cells: Mapping[CellKey, Cell], rows: Mapping[CellKey, SummaryRow],
           author: str, stale: bool = False) -> list[CellKey]:
    """Make drafts human summaries; with ``stale``, confirm stale summaries still hold
    (they are saved again against the present evidence).  Returns the cells changed.

    A draft whose evidence changed since it was drafted is left alone: draft it again.
    """
    done: list[CellKey] = []
    for key, cell in cells.items():
        row = rows.get(key)
        if row is None:
            continue
        if row.state == "draft" and cell.state == "draft":
            # The machine still wrote it; a person vouches for it from now on.
            store.accept_summary(key[0], subtopic_id(store, key[1]), author)
            done.append(key)
        elif stale and row.state != "draft" and cell.state == "stale":
            write_summary(store, key[0], key[1], row.text, row.state, author, row.origin)
            if row.accepted_by and row.state == "summarised":
                store.accept_summary(key[0], subtopic_id(store, key[1]), row.accepted_by)
            done.append(key)
    return done


def import_table(store: Store, path: str, rows: Sequence[tuple[int, Mapping[str, str]]],
                 author: str) -> int:
    """Fill empty or drafted cells from ``(line, {case, subtopic, summary[, author]})``
    rows; returns how many.  Human summaries are never overwritten.  Every bad row
    (unknown case, sub-topic or reference) is reported at once, as ``file:line``.
    The caller holds the transaction.
    """
    return apply_rows(store, path, [(line, row, False) for line, row in rows], author)


def apply_rows(store: Store, path: str,
               rows: Sequence[tuple[int, Mapping[str, str], bool]], author: str) -> int:
    """Write summaries from ``(line, {case, subtopic, summary[, author]}, replace)`` rows;
    returns how many.  A row without ``replace`` only fills an empty or drafted
    cell.  Every bad row is reported at once, as ``file:line``, and nothing is
    written.  The caller holds the transaction."""
    from framework_qda.errors import ValidationError

    ids = store.subtopic_ids()
    aliases = store.code_aliases()  # a file written before a merge or move
    have = store.summaries()
    known = {c.id for c in store.cases()}
    problems: list[str] = []
    added = 0
    for line, row, replace in rows:
        case_id = codable_case_id(row.get("case", ""))
        code, text = row.get("subtopic", ""), row.get("summary", "")
        code = code if code in ids else aliases.get(code, code)
        if case_id not in known or code not in ids:
            problems.append(f"{path}:{line}: unknown case {case_id} or sub-topic {code}")
            continue
        old = have.get((case_id, code))
        if not normalise(text or "") or (not replace and old is not None
                                         and old.state != "draft"):
            continue
        try:
            with store.atomic():
                apply_text(store, case_id, code, text, row.get("author") or author, replace)
        except UnknownReference as exc:
            problems.append(f"{path}:{line}: {exc}")
            continue
        added += 1
    if problems:
        raise ValidationError(f"{path}: nothing was imported", problems)
    return added


# -- machine drafts ------------------------------------------------------------
def draft_text(sentences: Sequence[tuple[str, str, str]], subtopic: Subtopic,
               max_sentences: int = 3, max_words: int = 80) -> str:
    """An extractive draft: the cell's key sentences, quoted, each with its ref.

    ``sentences`` are (ref, text, role) in source order.  A sentence scores by
    how many of its content words recur across the cell's evidence and by the
    sub-topic's own words (label, definition, keywords); the interviewer's
    words are used only when there is nothing else.  Deterministic: ties go
    to the earlier sentence, and the chosen ones keep source order.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    def words(text: str) -> list[str]:
        return [w for w in re.findall(r"[a-z][a-z'’]+", text.lower())
                if w not in STOP_WORDS and len(w) > 2]

    pool = [s for s in sentences if s[2] != "interviewer"] or list(sentences)
    pool = [s for s in pool if len(s[1].split()) >= 4] or pool
    if not pool:
        return ""
    topic = set(words(" ".join([subtopic.label, subtopic.definition, *subtopic.keywords])))
    spread = Counter(w for s in pool for w in set(words(s[1])))
    scored = []
    for i, (_, text, _) in enumerate(pool):
        own = set(words(text))
        score = (sum(spread[w] - 1 for w in own) + 3 * len(own & topic)) / (1 + len(own)) ** 0.5
        scored.append((-score, i))
    chosen: list[int] = []
    budget = max_words
    for _, i in sorted(scored):
        n = len(pool[i][1].split())
        if len(chosen) == max_sentences or (chosen and n > budget):
            continue
        chosen.append(i)
        budget -= n
    # Sentences from one segment share a quote; an ellipsis marks words left out.
    quotes: list[tuple[str, str]] = []
    last = -2
    for i in sorted(chosen):
        ref, text, _ = pool[i]
        # Square brackets inside a quote would read as references in the summary.
        quote = " ".join(text.split()).replace("[", "(").replace("]", ")")
        if quotes and quotes[-1][0] == ref:
            joint = " " if i == last + 1 else " … "
            quotes[-1] = (ref, quotes[-1][1] + joint + quote)
        else:
            quotes.append((ref, quote))
        last = i
    return " ".join(f"“{q}” [{ref}]" for ref, q in quotes)


def draft(store: Store, codebook: Codebook, cells: Mapping[CellKey, Cell],
          rows: Mapping[CellKey, SummaryRow]) -> list[CellKey]:
    """Draft summaries for ``coded`` cells (and re-draft stale drafts).

    A draft never replaces a human summary or a not-applicable mark: only
    cells with no summary, or whose summary is itself a draft, are written.
    """
    subs = {s.code: s for s in codebook.subtopics}
    done: list[CellKey] = []
    for key, cell in cells.items():
        row = rows.get(key)
        if row is not None and row.state != "draft":
            continue
        if cell.state not in ("coded", "stale"):
            continue
        sentences = [(s.ref, s.text, s.role) for s in store.cell_sentences(*key)]
        # A source read without sentence boundaries still drafts, passage by passage.
        sentences = sentences or [(e.ref, e.text, e.role) for e in cell.evidence]
        text = draft_text(sentences, subs[key[1]])
        if text:
            write_summary(store, key[0], key[1], text, "draft", DRAFT_AUTHOR, "machine")
            done.append(key)
    return done


# -- the editor flow -----------------------------------------------------------
EditFn = Callable[[str], "str | None"]


@dataclass(frozen=True)
class CellOutcome:
    """What charting one cell did."""

    case_id: str
    subtopic: str
    before: CellState
    after: str
    """The state written (``summarised``, ``not-applicable``), or ``before`` if not saved."""
    saved: bool


EDITOR_HELP = (
    "# Lines starting with '#' are ignored. Save an empty text (or quit without",
    "# saving) to leave the cell as it is; write n/a to mark the topic not applicable.",
)
"""The template's lines about the editor; a prompt in the terminal gets
:data:`INLINE_HELP` instead."""
INLINE_HELP = ("# Type the summary on one line; Enter alone leaves the cell as it is, "
               "n/a marks the topic not applicable.",)


def cell_template(case: Case, subtopic: Subtopic, cell: Cell, change: EvidenceChange | None,
                  error: str = "", text: str | None = None, inline: bool = False) -> str:
    """The editor text for one cell, like a ``git commit`` message: the summary on top,
    then the evidence as ``#`` comment lines (numbered quotes with their refs)."""
    body = text if text is not None else (
        "n/a" + (f": {cell.summary}" if cell.summary else "")
        if cell.state == "not-applicable" else cell.summary)
    lines = [body, ""]
    if error:
        lines += [f"# ERROR: {error}", "#"]
    lines += [
        f"# {case.id} ({case.group or 'no group'}) × {subtopic.heading} — now {cell.state}",
        "# Summarise what this person said, in their words, citing segments as "
        f"[{cell.refs[0] if cell.refs else case.id + ':12'}].",
        *(INLINE_HELP if inline else EDITOR_HELP),
    ]
    if subtopic.definition:
        lines.append(f"# Sub-topic: {' '.join(subtopic.definition.split())}")
    if change is not None:
        lines.append(f"# STALE: {change.describe()}.")
    lines.append("#")
    if not cell.evidence:
        lines.append("# No evidence is coded to this cell.")
    for n, e in enumerate(cell.evidence, 1):
        who = f"{e.speaker}: " if e.speaker else ""
        quote = [ln.strip() for ln in e.text.splitlines() if ln.strip()] or [""]
        lines.append(f"# ({n}) [{e.ref}] {who}{quote[0]}")
        lines.extend(f"#     {ln}" for ln in quote[1:])
    return "\n".join(lines) + "\n"


def read_template(text: str) -> str:
    """The summary in an edited template: every line starting with ``#`` dropped."""
    kept = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")
            if not ln.lstrip().startswith("#")]
    return "\n".join(kept).strip()


@dataclass
class RowCharting:
    """The cells of one case in one theme that the editor flow goes through."""

    case: Case
    theme: Theme
    outcomes: list[CellOutcome] = field(default_factory=list)


def chart_row(store: Store, case: Case, theme: Theme, cells: Mapping[CellKey, Cell],
              rows: Mapping[CellKey, SummaryRow], edit: EditFn, author: str,
              everything: bool = False, inline: bool = False) -> RowCharting:
    """Go through a case's cells of one theme, asking ``edit`` for each summary.

    ``edit`` gets the template and returns the edited text, or ``None`` to leave
    the cell alone.  An unknown reference asks again, with the error shown.
    Each saved cell is its own transaction, so stopping half-way keeps the rest.
    Empty cells are skipped unless ``everything``; ``inline``: ``edit`` is a prompt
    in the terminal, and the template says how to answer it, not how to save a file.
    """
    result = RowCharting(case, theme)
    for sub in theme.subtopics:
        key = (case.id, sub.code)
        cell = cells[key]
        if cell.state == "empty" and not everything:
            continue
        row = rows.get(key)
        change = evidence_change(row, cell.evidence) if cell.state == "stale" and row else None
        error, text = "", None
        while True:
            template = cell_template(case, sub, cell, change, error, text, inline)
            try:
                edited = edit(template)
            except EditorFailed as exc:
                raise _kept(store, case.id, sub.code, exc, template) from None
            body = read_template(edited) if edited is not None else ""
            if not body:
                result.outcomes.append(CellOutcome(case.id, sub.code, cell.state, cell.state,
                                                   False))
                break
            try:
                with store.atomic():
                    # The editor showed the summary there was: saving is replacing it.
                    after = apply_text(store, case.id, sub.code, body, author, replace=True)
            except UnknownReference as exc:
                error, text = str(exc), body
                continue
            result.outcomes.append(CellOutcome(case.id, sub.code, cell.state, after, True))
            break
    return result


def _kept(store: Store, case_id: str, code: str, exc: EditorFailed, template: str
          ) -> FqdaError:
    """Keep what was typed in an editor that failed (as git keeps a failed commit
    message) in ``.fqda/chart-<case>-<sub-topic>.txt``, the owner's only, and say where."""
    from framework_qda.files import write_file

    where = f"{case_id} × {code}"
    typed = exc.text if exc.text is not None and exc.text != template else None
    if typed is None or not read_template(typed):
        return FqdaError(f"{exc} while charting {where}; nothing was typed there, and the "
                         "cells before it are saved")
    safe = re.sub(r"[^\w.-]+", "_", f"chart-{case_id}-{code}")
    path = Path(store.path).parent / f"{safe}.txt"
    try:
        write_file(path, typed, "what was typed", private=True)
    except FqdaError as failed:
        return FqdaError(f"{exc} while charting {where}, and what was typed could not be "
                         f"kept: {failed}")
    return FqdaError(f"{exc} while charting {where}; what you typed is kept in {path} (the "
                     "summary was not saved: copy it back with `fqda chart` and save)")


def fingerprint(state: str, text: str) -> str:
    """A short hash of a cell's summary as a human sees it (state and text)."""
    return hashlib.sha1(f"{state}\x1f{normalise(text)}".encode()).hexdigest()[:16]


def charting_status(codebook: Codebook, cases: Sequence[Case], cells: Mapping[CellKey, Cell],
                    rows: Mapping[CellKey, SummaryRow]) -> ChartingStatus:
    """Where charting stands; see :func:`framework_qda.matrix.charting_status`."""
    return matrix_status(codebook, cases, cells,
                         {k: (r.evidence, r.evidence_hash) for k, r in rows.items()})


def status_from_index(codebook: Codebook, cases: Sequence[Case], coded: Set[CellKey],
                      rows: Mapping[CellKey, SummaryRow], evidence: Iterable[Evidence]
                      ) -> ChartingStatus:
    """The same as :func:`charting_status`, without a cell for every (case, sub-topic).

    ``coded`` holds the cells with accepted codings; ``evidence`` need only
    hold the passages under summarised cells (it tells stale from
    summarised).  A 1,000-case study has tens of thousands of cells, and
    ``fqda status`` only counts them: a full cell is built where there is a
    summary, a :class:`Gap` tuple for each gap, nothing for empty cells.
    """
    summaries = {k: SummaryState(r.text, r.state, r.evidence_hash, r.provenance)
                 for k, r in rows.items()}
    charted = _codes_by_case(summaries)
    full = build_cells([c for c in cases if c.id in charted], codebook.subtopics, evidence,
                       summaries)
    by_theme: dict[str, dict[CellState, int]] = {t.code: dict.fromkeys(STATES, 0)
                                                 for t in codebook.themes}
    # each sub-topic with its theme's counts, in codebook order (the order of gaps)
    subs = [(s.code, by_theme[t.code]) for t in codebook.themes for s in t.subtopics]
    coded_codes = _codes_by_case(coded)
    none: set[str] = set()
    progress: list[CaseProgress] = []
    gaps: list[Gap] = []
    stale: list[StaleCell] = []
    for case in cases:
        mine: dict[CellState, int] = dict.fromkeys(STATES, 0)
        mine_charted = charted.get(case.id, none)
        mine_coded = coded_codes.get(case.id, none)
        for code, counts in subs:
            state: CellState
            if code in mine_charted:
                cell = full[(case.id, code)]
                state = cell.state
                if rendering(state).outdated:
                    row = rows[(case.id, code)]
                    stale.append(StaleCell(cell, describe_change(
                        row.evidence, row.evidence_hash, cell.evidence)))
            elif code in mine_coded:
                state = "coded"
            else:
                state = "empty"
            if rendering(state).is_gap:
                gaps.append(Gap(case.id, code, state))
            mine[state] += 1
            counts[state] += 1
        progress.append(CaseProgress(case, mine))
    return ChartingStatus([(t, by_theme[t.code]) for t in codebook.themes], progress, gaps,
                          stale)


def _codes_by_case(keys: Iterable[CellKey]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for case_id, code in keys:
        found.setdefault(case_id, set()).add(code)
    return found


def evidence_change(row: SummaryRow, evidence: Sequence[Evidence]) -> EvidenceChange:
    """How the cell's evidence differs from what ``row`` was written against."""
    return describe_change(row.evidence, row.evidence_hash, evidence)
