"""Charting: the researcher's summaries in the matrix cells, linked to their evidence.

A summary is written against the evidence a cell holds at that moment; the
store keeps a fingerprint of that evidence, so when re-ingesting, uncoding or
a codebook merge later changes it the cell reads ``stale`` (computed in
:mod:`framework_qda.matrix`) until the summary is saved again or confirmed.
References typed into a summary (``[P07:12]``, ``[P07:12, P07:14]``,
``[P07:12-14]``) are checked against the case's segments and stored as links.

Nothing here prints or prompts.  The editor flow, cell by cell through an
``edit`` callback the command line supplies, is :mod:`framework_qda.cell_editor`;
machine drafts are :mod:`framework_qda.drafts`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from framework_qda.cell_editor import (
    CellOutcome,
    EditFn,
    RowCharting,
    chart_row,
    read_template,
)
from framework_qda.cell_state import rendering
from framework_qda.citations import ref_items
from framework_qda.errors import ConflictError, UnknownReference
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
from framework_qda.model import Case, Cell, CellState, Codebook, Evidence
from framework_qda.refs import case_id as codable_case_id
from framework_qda.store import StudyStore, SummaryRow

__all__ = ["STATES", "CellOutcome", "ChartingStatus", "EditFn", "EvidenceChange", "RowCharting",
           "chart_row", "read_template", "ref_items"]

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


def resolve_links(store: StudyStore, case_id: str, text: str, where: str = "") -> list[Link]:
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


def subtopic_id(store: StudyStore, code: str) -> int:
    ids = store.subtopic_ids()
    if code not in ids:
        raise UnknownReference(f"unknown sub-topic {code}; `fqda codebook show` lists them")
    return ids[code]


def write_summary(store: StudyStore, case_id: str, code: str, text: str, state: str,
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


def _guard_human(store: StudyStore, case_id: str, code: str, text: str, not_applicable: bool,
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


def _keep_version(store: StudyStore, case_id: str, code: str, author: str, text: str,
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


def set_cell(store: StudyStore, case_id: str, code: str, text: str, not_applicable: bool,
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


def apply_text(store: StudyStore, case_id: str, code: str, text: str, author: str,
               replace: bool = False) -> str:
    """A human's text for a cell as typed in the editor or a workbook: ``n/a``
    (optionally ``n/a: note``) marks the topic not applicable, empty text removes
    the summary, anything else is the summary.  See :func:`set_cell`."""
    m = _NOT_APPLICABLE.match(normalise(text))
    if m:
        return set_cell(store, case_id, code, m.group("note") or "", True, author, replace)
    return set_cell(store, case_id, code, text, False, author, replace)


def accept(store: StudyStore, cells: Mapping[CellKey, Cell], rows: Mapping[CellKey, SummaryRow],
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


def import_table(store: StudyStore, path: str, rows: Sequence[tuple[int, Mapping[str, str]]],
                 author: str) -> int:
    """Fill empty or drafted cells from ``(line, {case, subtopic, summary[, author]})``
    rows; returns how many.  Human summaries are never overwritten.  Every bad row
    (unknown case, sub-topic or reference) is reported at once, as ``file:line``.
    The caller holds the transaction.
    """
    return apply_rows(store, path, [(line, row, False) for line, row in rows], author)


def apply_rows(store: StudyStore, path: str,
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
    is_gap = {s: rendering(s).is_gap for s in STATES}  # asked once per cell below
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
            if is_gap[state]:
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
