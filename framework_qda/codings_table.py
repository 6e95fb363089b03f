"""Codings in bulk: a table (CSV or XLSX) in, a CSV out, in the same columns.

Columns: ``case`` and/or ``source`` (a source's name, e.g. ``P7_followup.docx``,
or its ref prefix, ``P7_followup``), then where the coding is — ``segment``
(``12``, ``12-14``, ``12.2`` for a sentence, ``L120-135`` for lines), or
``start`` and ``end`` (code points into the normalised text, end exclusive),
or ``quote`` (exact words, found in the case's sources) — then ``subtopic``
and optional ``coder`` and ``memo``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from framework_qda.coding import (
    CodingReport,
    Lookup,
    Span,
    check_overlaps,
    find_quote,
    new_coding,
    parse_target,
    span_ref,
    unique,
)
from framework_qda.errors import FqdaError, InputError, UnknownReference, ValidationError
from framework_qda.files import replacing_text
from framework_qda.formulas import csv_row
from framework_qda.model import Source
from framework_qda.refs import case_id
from framework_qda.store import Store
from framework_qda.tabular import Table, read_table

CODINGS_COLUMNS = ["case", "source", "start", "end", "subtopic", "coder", "memo", "ref"]


def import_codings(
    store: Store, path: Path, coder: str = "", dry_run: bool = False,
    lines: Collection[int] | None = None, data: bytes | None = None,
) -> CodingReport:
    """Import codings from CSV/XLSX, all or nothing (origin ``import``).

    Every bad row is reported at once as ``file:line: message`` and nothing
    is imported; with ``dry_run`` the report says what would be added and
    nothing changes.  ``lines`` limits the import to the rows starting on
    those lines (what ``fqda run`` found new in the file).  With ``data`` the
    table is those bytes and ``path`` only names it.
    """
    table = read_table(path, data)
    keys = {h.casefold() for h in table.header}
    if "subtopic" not in keys or not ({"case", "source"} & keys):
        raise InputError(path, "needs columns case (or source), segment or start,end or "
                         "quote, and subtopic", 1)
    # Refs become offsets inside the transaction that stores them: a re-ingest
    # committing in between would otherwise move the words under them.
    with store.atomic():
        return _import_rows(store, path, table, coder, dry_run, lines)


def _import_rows(store: Store, path: Path, table: Table, coder: str, dry_run: bool,
                 lines: Collection[int] | None) -> CodingReport:
    sub_ids = store.subtopic_ids()
    # A file written before a merge or move still names the old codes.
    aliases = store.code_aliases()
    lookup = Lookup(store)
    problems: list[tuple[int, str]] = []
    planned: list[tuple[Span, str, str, str, int]] = []
    # Keep one copy of each source's text (quote rows find theirs afresh) so
    # memory stays flat however many rows a file has.
    sources: dict[int, Source] = {}
    for line, row in table.rows:
        if lines is not None and line not in lines:
            continue
        try:
            code = row.get("subtopic", "")
            code = code if code in sub_ids else aliases.get(code, code)
            if code not in sub_ids:
                raise UnknownReference(f"unknown sub-topic {code or '(empty)'}")
            who, memo = row.get("coder") or coder, row.get("memo", "")
            spans = [replace(s, source=sources.setdefault(s.source.id, s.source))
                     for s in _row_spans(lookup, row)]
            planned.extend((span, code, who, memo, line) for span in spans)
        except FqdaError as exc:
            problems.append((line, f"{path}:{line}: {exc}"))
    pairs = [(span, code) for span, code, *_ in planned]
    for i, message in check_overlaps(store, unique(pairs)):
        span, code = unique(pairs)[i]
        line = next(p[4] for p in planned if p[0] == span and p[1] == code)
        problems.append((line, f"{path}:{line}: {message}"))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise ValidationError(f"{path}: {len(problems)} problem(s); no coding was imported",
                              [p for _, p in problems])
    report = CodingReport(dry_run=dry_run, refs=[span.ref for span, *_ in planned],
                          planned=[(line, (span.source.id, span.start, span.end,
                                           sub_ids[code], span.ref, code))
                                   for span, code, _, _, line in planned])
    new = [new_coding(span, sub_ids[code], who, "import", memo)
           for span, code, who, memo, _ in planned]
    if dry_run:
        have = {(c.source_id, c.start, c.end, c.subtopic)
                for span, *_ in planned
                for c in store.overlapping_codings(span.source.id, span.start, span.end)}
        report.existing = sum((s.source.id, s.start, s.end, c) in have for s, c, *_ in planned)
        report.added = len(new) - report.existing
        return report
    report.added, report.existing = store.add_codings(new)
    return report


def _row_spans(lookup: Lookup, row: dict[str, str]) -> list[Span]:
    store = lookup.store
    name = row.get("source") or row.get("case", "")
    source = lookup.source(name)
    if row.get("case") and source.case_id != case_id(row["case"]):
        raise UnknownReference(f"source {source.name} belongs to case {source.case_id}, "
                               f"not {row['case']}")
    prefix = store.ref_prefixes(source.id)[source.id]
    if row.get("segment"):
        return parse_target(store, f"{prefix}:{row['segment']}", lookup)
    if row.get("start") or row.get("end"):
        try:
            start, end = int(row.get("start", "")), int(row.get("end", ""))
        except ValueError:
            raise InputError(source.path, "give a segment number or whole-number start and "
                             "end offsets") from None
        if not 0 <= start < end <= len(source.text):
            raise UnknownReference(f"offsets {start}-{end} fall outside {source.name}, which "
                                   f"has {len(source.text)} characters")
        if row.get("quote") and source.text[start:end] != row["quote"]:
            raise UnknownReference(f"offsets {start}-{end} of {source.name} do not hold this "
                                   "row's quote; correct the offsets or the quote, or leave "
                                   "one of them out")
        return [Span(source, start, end, span_ref(store, source, start, end))]
    if row.get("quote"):
        return [find_quote(store, row["quote"], [prefix])]
    raise UnknownReference("say where: fill segment, start and end, or quote")


def export_codings(store: Store, path: Path) -> int:
    """Write every accepted coding as CSV (:func:`codings_csv`); returns the row count."""
    text, count = codings_csv(store)
    with replacing_text(path, "the codings", "check the folder is writable",
                        newline="") as f:
        f.write(text)
    return count


def codings_csv(store: Store) -> tuple[str, int]:
    """Every accepted coding as CSV in the import format, and the row count.

    Every row has the same columns: where the coding is as its source and
    offsets (exact, whatever was coded), then, as an extra column ``ref``
    that import does not read, the ref a person would type (``P7:12``,
    ``P7:12.2``, ``P7:12-14``, ``P7:12@3164-3185``).  Quotes are not
    written: offsets are exact, and the file stays free of participants'
    words.
    """
    sources = {s.id: s for s in store.sources()}
    prefixes = store.ref_prefixes()
    refs: dict[int, tuple[dict[tuple[int, int], str], list[tuple[int, int, str]]]] = {}

    def ref(source_id: int, start: int, end: int) -> str:
        if source_id not in refs:
            exact: dict[tuple[int, int], str] = {}
            found = store.segments(source_id)
            for seg in found:
                exact[(seg.start, seg.end)] = seg.ref
                for i, sentence in enumerate(store.sentences(source_id, seg.number), 1):
                    exact.setdefault(sentence, f"{seg.ref}.{i}")
            refs[source_id] = exact, [(seg.start, seg.end, seg.ref) for seg in found]
        exact, segs = refs[source_id]
        if (start, end) in exact:
            return exact[(start, end)]
        first = next((seg_ref for seg_start, _, seg_ref in segs if seg_start == start), None)
        last = next((seg_ref for _, seg_end, seg_ref in segs if seg_end == end), None)
        if first and last:
            return f"{first}-{last.rsplit(':', 1)[1]}"
        within = next((seg_ref for seg_start, seg_end, seg_ref in segs
                       if seg_start <= start < seg_end), None)
        prefix = prefixes.get(source_id, sources[source_id].name)
        return f"{within or prefix}@{start}-{end}"

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CODINGS_COLUMNS)
    count = 0
    for c in store.codings():
        source = sources[c.source_id]
        writer.writerow(csv_row([source.case_id, source.name, c.start, c.end, c.subtopic,
                                 c.coder, c.memo, ref(c.source_id, c.start, c.end)]))
        count += 1
    return out.getvalue(), count
