"""Codings in bulk: a table (CSV or XLSX) in, a CSV out, in the same columns.

Columns: ``case`` and/or ``source`` (a source's name, e.g. ``P7_followup.docx``,
or its ref prefix, ``P7_followup``), then where the coding is — ``segment``
(``12``, ``12-14``, ``12.2`` for a sentence, ``L120-135`` for lines), or
``start`` and ``end`` (code points into the normalised text, end exclusive),
or ``quote`` (exact words, found in the case's sources) — then ``subtopic``
and optional ``coder`` and ``memo``.

``subtopic`` holds a code (``2.3``) or a sub-topic's label, matched without
regard to case.  The columns other tools write for the same things are read
as these: ``document`` as ``source``, ``tag``/``code`` as ``subtopic`` and
``content``/``text``/``highlight`` as ``quote`` — so a highlights export from
Taguette (``id, document, tag, content``) imports as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from framework_qda.coding import CodingReport, check_overlaps, new_coding, record_codings, unique
from framework_qda.errors import FqdaError, InputError, UnknownReference, ValidationError
from framework_qda.files import replacing_text
from framework_qda.formulas import csv_row
from framework_qda.model import Source
from framework_qda.refs import case_id
from framework_qda.store import StudyStore
from framework_qda.tabular import Table, read_table
from framework_qda.targets import Lookup, Span, find_quote, parse_target, quote_spans, span_ref

CODINGS_COLUMNS = ["case", "source", "start", "end", "subtopic", "coder", "memo", "ref"]
# Other tools' names for our columns (a column of our own name wins).
_ALIASES = {"document": "source", "tag": "subtopic", "code": "subtopic",
            "content": "quote", "text": "quote", "highlight": "quote"}


def import_codings(
    store: StudyStore, path: Path, coder: str = "", dry_run: bool = False,
    lines: Collection[int] | None = None, data: bytes | None = None,
    in_order: bool = False,
) -> CodingReport:
    """Import codings from CSV/XLSX, all or nothing (origin ``import``).

    Every bad row is reported at once as ``file:line: message`` and nothing
    is imported; with ``dry_run`` the report says what would be added and
    nothing changes.  ``lines`` limits the import to the rows starting on
    those lines (what ``fqda run`` found new in the file).  With ``data`` the
    table is those bytes and ``path`` only names it.

    ``in_order`` says the file lists each source's quotes in the order their
    words stand in it (as Taguette writes its highlights): a quote that occurs
    several times is then placed at its one occurrence between the rows before
    and after it, and is still an error when there is no such single place.
    Rows whose quotes occur once must then stand in text order, or the file is
    refused, so the rule is never applied to a file it does not fit.
    """
    table = _our_columns(read_table(path, data))
    keys = {h.casefold() for h in table.header}
    if "subtopic" not in keys or not ({"case", "source"} & keys):
        raise InputError(path, "needs columns case (or source), segment or start,end or "
                         "quote, and subtopic", 1)
    # Refs become offsets inside the transaction that stores them: a re-ingest
    # committing in between would otherwise move the words under them.
    with store.atomic():
        return _import_rows(store, path, table, coder, dry_run, lines, in_order)


def _our_columns(table: Table) -> Table:
    """The table with other tools' column names read as ours (see the module's doc)."""
    have = {h.casefold() for h in table.header}
    rename = {k: v for k, v in _ALIASES.items() if k in have and v not in have}
    if not rename:
        return table
    return Table(table.path, [rename.get(h.casefold(), h) for h in table.header],
                 [(line, {rename.get(k, k): v for k, v in row.items()})
                  for line, row in table.rows])


def _import_rows(store: StudyStore, path: Path, table: Table, coder: str, dry_run: bool,
                 lines: Collection[int] | None, in_order: bool = False) -> CodingReport:
    sub_ids = store.subtopic_ids()
    # A file written before a merge or move still names the old codes; a
    # sub-topic may be named by its label, when no other has the same one.
    aliases = store.code_aliases()
    labels: dict[str, list[str]] = {}
    for sub in store.codebook().subtopics:
        labels.setdefault(sub.label.casefold(), []).append(sub.code)
    aliases.update({label: codes[0] for label, codes in labels.items()
                    if len(codes) == 1 and label not in sub_ids})
    lookup = Lookup(store)
    problems: list[tuple[int, str]] = []
    planned: list[tuple[Span, str, str, str, int]] = []
    # Keep one copy of each source's text (quote rows find theirs afresh) so
    # memory stays flat however many rows a file has.
    sources: dict[int, Source] = {}
    ordered = _QuoteOrder() if in_order else None
    for line, row in table.rows:
        if lines is not None and line not in lines:
            continue
        try:
            code = row.get("subtopic", "")
            code = code if code in sub_ids else aliases.get(
                code, aliases.get(code.strip().casefold(), code))
            if code not in sub_ids:
                raise UnknownReference(f"unknown sub-topic {code or '(empty)'}")
            who, memo = row.get("coder") or coder, row.get("memo", "")
            if ordered is not None and _only_a_quote(row):
                candidates = _quote_candidates(lookup, row)
                ordered.add(line, row.get("id") or str(line),
                            [replace(s, source=sources.setdefault(s.source.id, s.source))
                             for s in candidates], (code, who, memo))
                continue
            spans = [replace(s, source=sources.setdefault(s.source.id, s.source))
                     for s in _row_spans(lookup, row)]
            planned.extend((span, code, who, memo, line) for span in spans)
        except FqdaError as exc:
            problems.append((line, f"{path}:{line}: {exc}"))
    if ordered is not None:
        for line, span_or_error, (code, who, memo) in ordered.placed():
            if isinstance(span_or_error, str):
                problems.append((line, f"{path}:{line}: {span_or_error}"))
            else:
                span = replace(span_or_error, ref=span_ref(
                    store, span_or_error.source, span_or_error.start, span_or_error.end))
                planned.append((span, code, who, memo, line))
        planned.sort(key=lambda p: p[4])
    pairs = [(span, code) for span, code, *_ in planned]
    for i, message in check_overlaps(store, unique(pairs)):
        span, code = unique(pairs)[i]
        line = next(p[4] for p in planned if p[0] == span and p[1] == code)
        problems.append((line, f"{path}:{line}: {message}"))
    if problems:
        problems.sort(key=lambda p: p[0])
        hint = ("; if the file lists each source's quotes in the order they stand in it (as "
                "Taguette does), --in-order places the repeated ones"
                if not in_order and any(" times in " in p for _, p in problems) else "")
        raise ValidationError(f"{path}: {len(problems)} problem(s); no coding was "
                              f"imported{hint}", [p for _, p in problems])
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
    added = sum(i is not None for i in record_codings(store, new))
    report.added, report.existing = added, len(new) - added
    return report


def _only_a_quote(row: dict[str, str]) -> bool:
    return bool(row.get("quote")) and not (row.get("segment") or row.get("start")
                                           or row.get("end"))


def _quote_candidates(lookup: Lookup, row: dict[str, str]) -> list[Span]:
    """Every place a row's quote occurs in its source (an error when it occurs nowhere)."""
    name = row.get("source") or row.get("case", "")
    source = lookup.source(name)
    if row.get("case") and source.case_id != case_id(row["case"]):
        raise UnknownReference(f"source {source.name} belongs to case {source.case_id}, "
                               f"not {row['case']}")
    prefix = lookup.store.ref_prefixes(source.id)[source.id]
    spans, where = quote_spans(lookup.store, row["quote"], [prefix])
    if not spans:
        raise UnknownReference(f"the quote is not in {where}; check the words (case and "
                               "punctuation count) or find them with `fqda show`")
    return spans


class _QuoteOrder:
    """Quote rows of a file that lists each source's quotes in text order.

    A quote that occurs once is an anchor.  A run of rows with the same quote
    that occurs several times is placed at its occurrences between the anchors
    before and after the run, one each, when there are exactly as many there
    as the run has highlights (rows sharing an ``id`` are one highlight with
    several codes).
    """

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, list[Span], tuple[str, str, str]]] = []

    def add(self, line: int, key: str, candidates: list[Span],
            what: tuple[str, str, str]) -> None:
        self.rows.append((line, key, candidates, what))

    def placed(self) -> list[tuple[int, Span | str, tuple[str, str, str]]]:
        by_source: dict[int, list[int]] = {}
        for i, (_, _, candidates, _) in enumerate(self.rows):
            by_source.setdefault(candidates[0].source.id, []).append(i)
        place: dict[int, Span | str] = {}
        for indexes in by_source.values():
            refused = self._out_of_order(indexes)
            if refused:
                place.update(dict.fromkeys(indexes, refused))
            else:
                place.update(self._place(indexes))
        return [(line, place[i], what) for i, (line, _, _, what) in enumerate(self.rows)]

    def _spans(self, i: int) -> list[Span]:
        return self.rows[i][2]

    def _out_of_order(self, indexes: list[int]) -> str:
        anchors = [i for i in indexes if len(self._spans(i)) == 1]
        for a, b in zip(anchors, anchors[1:], strict=False):
            if self._spans(b)[0].start < self._spans(a)[0].start:
                return (f"the quotes of {self._spans(a)[0].source.name} are not in the order "
                        f"of their words (line {self.rows[a][0]} stands after line "
                        f"{self.rows[b][0]} in the text), so --in-order cannot place its "
                        "repeated quotes; import without it")
        return ""

    def _place(self, indexes: list[int]) -> dict[int, Span | str]:
        place: dict[int, Span | str] = {}
        low, n = 0, 0
        while n < len(indexes):
            spans = self._spans(indexes[n])
            if len(spans) == 1:
                place[indexes[n]], low = spans[0], spans[0].start
                n += 1
                continue
            where = [(s.start, s.end) for s in spans]
            run = [indexes[n]]
            while (n + len(run) < len(indexes) and
                   [(s.start, s.end) for s in self._spans(indexes[n + len(run)])] == where):
                run.append(indexes[n + len(run)])
            n += len(run)
            high = next((self._spans(j)[0].start for j in indexes[n:]
                         if len(self._spans(j)) == 1), None)
            fit = [s for s in spans if s.start >= low and (high is None or s.start <= high)]
            keys = list(dict.fromkeys(self.rows[i][1] for i in run))
            if len(fit) == len(keys):
                at = dict(zip(keys, fit, strict=True))
                for i in run:
                    place[i] = at[self.rows[i][1]]
                low = fit[-1].start
                continue
            for i in run:
                place[i] = (f"the quote occurs {len(spans)} times in {spans[0].source.name}, "
                            f"{len(fit)} of them between the rows before and after it for "
                            f"{len(keys)} highlight(s); quote more words or name the segment "
                            "instead")
        return place


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


def export_codings(store: StudyStore, path: Path) -> int:
    """Write every accepted coding as CSV (:func:`codings_csv`); returns the row count."""
    text, count = codings_csv(store)
    with replacing_text(path, "the codings", "check the folder is writable",
                        newline="") as f:
        f.write(text)
    return count


def codings_csv(store: StudyStore) -> tuple[str, int]:
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
