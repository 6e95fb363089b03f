"""Bring another copy's coder layers into this study (``fqda merge``).

A coder may work in a copy of the study (a git clone, a copied folder).  Their
codings and summaries come in as their layer, matched by stable identities:
a source by its name and the sha256 of its bytes or of its normalised text (a
source renamed on one side is found by its text alone when that is unique),
a sub-topic by its GUID, then its code.  A coding that is already in its
coder's layer is not added again, so merging twice adds nothing.  What cannot
be matched is reported, never guessed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.errors import FqdaError
from framework_qda.model import Source, span_hash
from framework_qda.store import StudyStore
from framework_qda.store.rows import CopyContents, CopySource

STORE = Path(".fqda") / "study.db"


@dataclass
class MergeReport:
    coders: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    summaries_added: int = 0
    summaries_present: int = 0
    summaries_beside: int = 0
    """Their summaries of cells that hold a different summary here: kept as their
    versions beside the cell's own (``fqda chart versions`` shows both)."""
    unmatched: list[str] = field(default_factory=list)
    """One line for each thing that did not come in, and why."""
    renamed: list[str] = field(default_factory=list)
    """One line for each sub-topic matched by its GUID under another code or label
    in the copy (renamed or moved on one side): its work came in under this
    study's code."""


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def merge_copy(store: StudyStore, folder: Path, coder: str | None = None) -> MergeReport:
    """Merge another study folder's layers (only ``coder``'s, when given).
    The caller holds the transaction."""
    copy = store.read_copy(folder / STORE)
    report = MergeReport()
    here = {s.name: s for s in store.sources()}
    by_text: dict[str, list[int]] = {}
    for s in here.values():
        by_text.setdefault(_text_hash(s.text), []).append(s.id)
    source_id: dict[str, int | None] = {
        name: _match_source(other, here, by_text, report) for name, other in
        sorted(copy.sources.items())}
    guids, ids = store.subtopic_guids(), store.subtopic_ids()
    labels = {s.code: s.label for s in store.codebook().subtopics}
    codes = {i: code for code, i in ids.items()}
    missing: dict[str, int] = {}
    renamed: dict[tuple[str, str], int] = {}

    def subtopic(guid: str, code: str) -> int | None:
        found = guids.get(guid) if guid else None
        found = found if found is not None else ids.get(code)
        if found is None:
            missing[code] = missing.get(code, 0) + 1
        elif (codes[found], labels[codes[found]]) != (code, copy.labels.get(code, "")):
            renamed[(code, codes[found])] = renamed.get((code, codes[found]), 0) + 1
        return found

    lost: dict[str, int] = {}
    coders: set[str] = set()
    for c in copy.codings:
        if coder is not None and c.coder != coder:
            continue
        sid, sub = source_id.get(c.source), subtopic(c.guid, c.code)
        if sid is None:
            lost[c.source] = lost.get(c.source, 0) + 1
            continue
        if sub is None:
            continue
        coders.add(c.coder)
        if store.put_layer_coding(sid, c.start, c.end, sub, c.coder, "import", "accepted",
                                  c.memo, c.text_hash or span_hash("")):
            report.codings_added += 1
        else:
            report.codings_present += 1
    for name, n in sorted(lost.items()):
        report.unmatched.append(f"{n} coding(s) of {name} not merged: that source does not "
                                "match one here")
    _merge_summaries(store, copy, coder, report, subtopic, coders,
                     f"merged from {os.path.normpath(folder)}")
    by_label = {label.casefold(): code for code, label in labels.items()}
    for code, n in sorted(missing.items()):
        alike = by_label.get(copy.labels.get(code, "").casefold())
        hint = (f"; {alike} here has the same label (renamed on one side? make the codes "
                "agree, then merge again)" if alike else "")
        report.unmatched.append(f"sub-topic {code} is not in this study's framework (by GUID "
                                f"or code): {n} coding(s) or summaries not merged{hint}")
    for (theirs, mine), n in sorted(renamed.items()):
        report.renamed.append(
            f"sub-topic {theirs} {copy.labels.get(theirs, '')!r} in the copy is {mine} "
            f"{labels[mine]!r} here (the same GUID): {n} coding(s) or summaries merged "
            f"into {mine}")
    report.coders = sorted(coders)
    return report


def _match_source(other: CopySource, here: dict[str, Source], by_text: dict[str, list[int]],
                  report: MergeReport) -> int | None:
    mine = here.get(other.name)
    text = _text_hash(other.text)
    if mine is not None:
        if mine.sha256 == other.sha256 or _text_hash(mine.text) == text:
            return mine.id
        report.unmatched.append(f"source {other.name}: its text differs from this study's; "
                                "its codings were not merged (ingest the same file on both "
                                "sides first)")
        return None
    same = by_text.get(text, [])
    if len(same) == 1:
        return same[0]
    report.unmatched.append(f"source {other.name} is not in this study"
                            + (" (its text matches several sources here)" if same else ""))
    return None


def _merge_summaries(store: StudyStore, copy: CopyContents, coder: str | None, report: MergeReport,
                     subtopic: Callable[[str, str], int | None], coders: set[str],
                     came_from: str) -> None:
    """Each of the copy's summaries (and the versions it keeps) comes in as its
    coder's: into an empty cell as the cell's summary, else beside the cell's own
    as their version; a summary here is never written over."""
    from framework_qda import charting
    from framework_qda.errors import UnknownReference

    known = {c.id for c in store.cases()}
    codes = {i: code for code, i in store.subtopic_ids().items()}
    for m in copy.summaries:
        who = m.accepted_by or m.author
        if coder is not None and coder not in (m.author, m.accepted_by):
            continue
        sub = subtopic(m.guid, m.code)
        if sub is None:
            continue
        if m.case_id not in known:
            report.unmatched.append(f"summary {m.case_id} × {m.code} not merged: no case "
                                    f"{m.case_id} here")
            continue
        code = codes[sub]
        have = store.summary(m.case_id, sub)
        if have is not None and have.text == m.text and have.state == m.state:
            # the same words here (whoever they are recorded as): nothing to settle
            report.summaries_present += 1
            continue
        try:
            with store.atomic():
                if have is None:
                    charting.write_summary(store, m.case_id, code, m.text, m.state, who)
                    report.summaries_added += 1
                else:
                    charting.resolve_links(store, m.case_id, m.text, f"{m.case_id} × {code}")
                    kept = store.put_summary_version(
                        m.case_id, sub, who, m.text, m.state, m.author,
                        "machine" if m.accepted_by else "human", m.accepted_by, came_from)
                    if kept == "present":
                        report.summaries_present += 1
                    else:
                        report.summaries_beside += 1
        except UnknownReference:
            report.unmatched.append(f"summary {m.case_id} × {code} not merged: a reference "
                                    "in it names no passage here")
            continue
        coders.add(who)


def merge_table(store: StudyStore, path: Path, coder: str) -> MergeReport:
    """Merge a codings CSV/XLSX (the ``fqda codings export`` format) as ``coder``'s
    layer.  A row that names no source, passage or sub-topic here is reported.
    The caller holds the transaction."""
    from framework_qda.codings_table import _row_spans
    from framework_qda.tabular import read_table
    from framework_qda.targets import Lookup

    if not coder:
        raise FqdaError("say whose codings these are: --coder NAME")
    table = read_table(path)
    ids, aliases = store.subtopic_ids(), store.code_aliases()
    lookup = Lookup(store)
    report = MergeReport(coders=[coder])
    for line, row in table.rows:
        code = row.get("subtopic", "")
        code = code if code in ids else aliases.get(code, code)
        if code not in ids:
            report.unmatched.append(f"{path.name}:{line}: sub-topic {code or '(empty)'} is "
                                    "not in this study's framework")
            continue
        try:
            spans = _row_spans(lookup, row)
        except FqdaError as exc:
            report.unmatched.append(f"{path.name}:{line}: {exc}")
            continue
        for span in spans:
            if store.put_layer_coding(span.source.id, span.start, span.end, ids[code], coder,
                                      "import", "accepted", row.get("memo", ""),
                                      span_hash(span.text)):
                report.codings_added += 1
            else:
                report.codings_present += 1
    return report
