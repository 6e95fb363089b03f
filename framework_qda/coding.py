"""Indexing: applying the framework to transcripts.

Users name segments as ``P07:12`` or ranges ``P07:12-14``; before the colon
stands a case id (when the case has one source) or a source's name.  A
coding is stored as a span of the source text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.errors import InputError, UnknownReference, ValidationError
from framework_qda.model import Segment, Source, span_hash
from framework_qda.store import NewCoding, Store
from framework_qda.tabular import read_table

_REF = re.compile(r"^(?P<src>[^:\s]+):(?P<first>\d+)(?:-(?P<last>\d+))?$")
CODINGS_COLUMNS = ["case", "source", "segment", "start", "end", "subtopic", "coder", "memo"]


@dataclass(frozen=True)
class SegmentRef:
    source: Source
    first: int
    last: int


@dataclass
class CodingReport:
    """What a coding action did (or, for a dry run, would do)."""

    added: int = 0
    existing: int = 0
    refs: list[str] = field(default_factory=list)
    dry_run: bool = False


def resolve_source(store: Store, name: str) -> Source:
    """The source named ``name``, or the only source of case ``name``."""
    source = store.source_by_name(name)
    if source is not None:
        return source
    sources = store.sources(name)
    if len(sources) == 1:
        return sources[0]
    if len(sources) > 1:
        names = ", ".join(s.name for s in sources)
        raise UnknownReference(f"case {name} has {len(sources)} sources ({names}); "
                               "name the source before the colon")
    if store.case(name) is not None:
        raise UnknownReference(f"case {name} has no transcript yet; run `fqda ingest` first")
    raise UnknownReference(f"no case or source called {name}; `fqda status` lists the cases")


def parse_ref(store: Store, text: str) -> SegmentRef:
    """Parse ``P07:12`` or ``P07:12-14`` and check the segments exist."""
    m = _REF.match(text.strip())
    if m is None:
        raise UnknownReference(f"{text!r} is not a segment reference; write CASE:N or CASE:N-M, "
                               "e.g. P07:12-14")
    source = resolve_source(store, m.group("src"))
    first = int(m.group("first"))
    last = int(m.group("last") or first)
    if last < first:
        raise UnknownReference(f"{text}: the range runs backwards; write {m.group('src')}:"
                               f"{last}-{first}")
    count = store.segment_count(source.id)
    if first < 1 or last > count:
        raise UnknownReference(f"{text}: {m.group('src')} has segments 1 to {count}; "
                               f"`fqda show {source.case_id}` lists them")
    return SegmentRef(source, first, last)


def _subtopic_ids(store: Store, codes: Sequence[str]) -> list[int]:
    ids = store.subtopic_ids()
    unknown = [c for c in codes if c not in ids]
    if unknown:
        raise UnknownReference(
            f"unknown sub-topic {', '.join(unknown)}; `fqda codebook show` lists the codes"
        )
    return [ids[c] for c in codes]


def code_segments(
    store: Store, refs: Sequence[str], subtopics: Sequence[str], coder: str, memo: str = ""
) -> CodingReport:
    """Code whole segments to one or more sub-topics, all in one transaction."""
    if not refs or not subtopics:
        raise UnknownReference("name at least one segment and one sub-topic, e.g. P07:12 2.3")
    parsed = [parse_ref(store, r) for r in refs]
    sub_ids = _subtopic_ids(store, subtopics)
    new: list[NewCoding] = []
    report = CodingReport()
    for ref in parsed:
        for seg in store.segments(ref.source.id, ref.first, ref.last):
            report.refs.append(seg.ref)
            for sid in sub_ids:
                new.append(_new(seg.source_id, seg.start, seg.end, seg.text, sid, coder,
                                "manual", memo))
    with store.atomic():
        report.added, report.existing = store.add_codings(new)
    return report


def _new(source_id: int, start: int, end: int, text: str, subtopic_id: int, coder: str,
         origin: str, memo: str) -> NewCoding:
    return NewCoding(source_id, start, end, subtopic_id, coder, origin, "accepted", memo,
                     span_hash(text))


def import_codings(
    store: Store, path: Path, coder: str = "", dry_run: bool = False
) -> CodingReport:
    """Import codings from CSV/XLSX, all or nothing.

    Columns: ``case`` (or ``source``), then either ``segment`` (``12`` or
    ``12-14``) or ``start`` and ``end`` (code-point offsets, end exclusive),
    then ``subtopic``, and optional ``coder`` and ``memo``.  Every bad row is
    reported at once as ``file:line: message`` and nothing is imported.
    """
    table = read_table(path)
    keys = {h.casefold() for h in table.header}
    if "subtopic" not in keys or not ({"case", "source"} & keys):
        raise InputError(path, "needs columns case (or source), segment or start,end, and "
                         "subtopic", 1)
    sub_ids = store.subtopic_ids()
    problems: list[str] = []
    new: list[NewCoding] = []
    report = CodingReport(dry_run=dry_run)
    for line, row in table.rows:
        try:
            new.extend(_row_codings(store, row, sub_ids, coder, report))
        except (UnknownReference, InputError) as exc:
            problems.append(f"{path}:{line}: {exc}")
    if problems:
        raise ValidationError(f"{path}: {len(problems)} problem(s); no coding was imported",
                              problems)
    if dry_run:
        report.added = len(new)
        return report
    with store.atomic():
        report.added, report.existing = store.add_codings(new)
    return report


def _row_codings(store: Store, row: dict[str, str], sub_ids: dict[str, int], coder: str,
                 report: CodingReport) -> list[NewCoding]:
    code = row.get("subtopic", "")
    if code not in sub_ids:
        raise UnknownReference(f"unknown sub-topic {code or '(empty)'}")
    name = row.get("source") or row.get("case", "")
    source = resolve_source(store, name)
    if row.get("case") and source.case_id != row["case"]:
        raise UnknownReference(f"source {source.name} belongs to case {source.case_id}, "
                               f"not {row['case']}")
    who = row.get("coder") or coder
    memo = row.get("memo", "")
    if row.get("segment"):
        ref = parse_ref(store, f"{source.name}:{row['segment']}")
        segs: list[Segment] = store.segments(source.id, ref.first, ref.last)
        report.refs.extend(s.ref for s in segs)
        return [_new(s.source_id, s.start, s.end, s.text, sub_ids[code], who, "import", memo)
                for s in segs]
    try:
        start, end = int(row.get("start", "")), int(row.get("end", ""))
    except ValueError:
        raise InputError(source.path, "give a segment number or whole-number start and end "
                         "offsets") from None
    if not 0 <= start < end <= len(source.text):
        raise UnknownReference(f"offsets {start}-{end} fall outside {source.name}, which has "
                               f"{len(source.text)} characters")
    report.refs.append(f"{source.name}@{start}-{end}")
    return [_new(source.id, start, end, source.text[start:end], sub_ids[code], who, "import",
                 memo)]


def export_codings(store: Store, path: Path) -> int:
    """Write every accepted coding as CSV in the import format; returns the row count.

    A coding that covers exactly one segment is written with its segment
    number; any other span with its offsets.
    """
    rows: list[list[str]] = []
    segment_at: dict[tuple[int, int, int], int] = {}
    sources = {s.id: s for s in store.sources()}
    for source in sources.values():
        for seg in store.segments(source.id):
            segment_at[(source.id, seg.start, seg.end)] = seg.number
    for c in store.codings():
        source = sources[c.source_id]
        number = segment_at.get((c.source_id, c.start, c.end))
        rows.append([
            source.case_id, source.name, str(number or ""),
            "" if number else str(c.start), "" if number else str(c.end),
            c.subtopic, c.coder, c.memo,
        ])
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CODINGS_COLUMNS)
        writer.writerows(rows)
    tmp.replace(path)
    return len(rows)
