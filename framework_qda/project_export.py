"""A study written as a REFI-QDA project (the import is :mod:`framework_qda.project`).

Export writes the study with the GUIDs it was imported with (else GUIDs
derived from the study's own keys, the same on every export): sources with
their segments carried in the description, cases with attributes, the
framework, accepted codings with coder and memo, each cell's summary as a note
linked to its passages (recording the evidence it was written against), the
notes and sets a project brought.  Pseudonymised, the register's names are
replaced in everything participants' words reach, with every offset moved to
fit (:func:`_pseudonymised`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError
from framework_qda.model import Codebook, Coding, Source, normal_guid
from framework_qda.project_marks import SEGMENTS_MARK, SUMMARY_MARK, _guid, general_guid
from framework_qda.refi.reading import RefiSet
from framework_qda.refi.writing import (
    OutCase,
    OutCoding,
    OutNote,
    OutProject,
    OutSelection,
    OutSource,
)
from framework_qda.store import StudyStore

if TYPE_CHECKING:
    from framework_qda.pseudonyms import Replacer, Rewritten


def export_project(store: StudyStore, path: Path, name: str, names: Replacer | None = None
                   ) -> OutProject:
    """Build the study as a project and write it to ``path`` (.qdpx); with ``names``,
    pseudonymised (see :func:`_pseudonymised`)."""
    from framework_qda.refi.writing import write_archive

    cb = store.codebook()
    if not cb.themes:
        raise FqdaError("the study has no codebook yet; run `fqda codebook import FILE`")
    sources = store.sources()
    if not sources:
        raise FqdaError("the study has no sources yet; run `fqda ingest`")
    users: dict[str, str] = store.exchange_guids("user")
    cases_g, sources_g = store.exchange_guids("case"), store.exchange_guids("source")
    coding_g, selection_g = store.exchange_guids("coding"), store.exchange_guids("selection")

    def user(who: str) -> str:
        if who not in users:
            users[who] = _guid("user", who)
        return users[who]

    from framework_qda.refi.codebook import valid_guid

    sub_guid = {s.code: s.guid or _guid("code", s.code) for s in cb.subtopics}
    parents = {s.code: valid_guid(t.guid, t.code) for t in cb.themes for s in t.subtopics
               if s.guid and normal_guid(s.guid) == general_guid(valid_guid(t.guid, t.code))}
    code_ref = {**sub_guid, **parents}  # what a coding of each sub-topic points at
    src_guid = {s.id: sources_g.get(str(s.id)) or _guid("source", s.name) for s in sources}
    out = OutProject(name, cb, parent_codes=parents)
    codings = store.codings("accepted")
    by_source: dict[int, dict[tuple[int, int], list[Coding]]] = {}
    for c in codings:
        by_source.setdefault(c.source_id, {}).setdefault((c.start, c.end), []).append(c)
    coding_guid: dict[int, str] = {}
    notes: list[OutNote] = []
    for s in sources:
        selections = []
        for (start, end), group in sorted(by_source.get(s.id, {}).items()):
            out_codings = []
            first = group[0]
            for c in group:
                cg = coding_g.get(str(c.id)) or _guid("coding", f"{s.name}:{start}:{end}:"
                                                      f"{c.subtopic}")
                coding_guid[c.id] = cg
                note = ""
                if c.memo:
                    note = _guid("memo", cg)
                    notes.append(OutNote(note, f"Memo: {s.name} {start}-{end}", c.memo,
                                         user=user(c.coder), created=c.created_at))
                out_codings.append(OutCoding(cg, code_ref[c.subtopic], user(c.coder),
                                             c.created_at, note))
            selections.append(OutSelection(
                selection_g.get(str(first.id)) or _guid("selection", f"{s.name}:{start}:{end}"),
                start, end, _selection_name(s.text[start:end]), user(first.coder),
                first.created_at, tuple(out_codings)))
        segs = [[g.start, g.end, g.speaker, g.role, g.line_first, g.line_last, g.timestamp]
                for g in store.segments(s.id)]
        description = SEGMENTS_MARK + json.dumps(segs, ensure_ascii=False)
        out.sources.append(OutSource(src_guid[s.id], s.name, s.text, description,
                                     tuple(selections)))
    _export_notes(store, out, src_guid, notes, user)
    _export_cases(store, out, cases_g, src_guid)
    _export_summaries(store, out, cb, sub_guid, coding_guid, codings, sources, notes, user)
    out.notes = notes
    out.users = sorted(((g, n) for n, g in users.items()), key=lambda x: x[1])
    out.sets = _export_sets(store, out)
    if names is not None:
        out = _pseudonymised(out, names)
    write_archive(path, out)
    return out


def _export_sets(store: StudyStore, out: OutProject) -> list[RefiSet]:
    """The kept sets, each with the members the export still has."""
    from framework_qda.refi.codebook import valid_guid

    have = {"code": {normal_guid(valid_guid(x.guid, x.code)) for t in out.codebook.themes
                     for x in (t, *t.subtopics)},
            "source": {normal_guid(s.guid) for s in out.sources},
            "note": {normal_guid(n.guid) for n in out.notes}}
    return [RefiSet(guid, name, description,
                    tuple((k, g) for k, g in members if normal_guid(g) in have.get(k, set())))
            for guid, name, description, members in store.sets()]


def _pseudonymised(p: OutProject, names: Replacer) -> OutProject:
    """The project with the register's names replaced in everything participants'
    words reach: each source's text (with every selection's and segment's offsets
    moved onto the replaced text, so each still covers the same words, replaced),
    speaker labels, source, selection and case names, case attributes, memos, notes and
    summaries (and the words a summary was written against, with their
    fingerprints taken again, so a stale cell stays stale and no other turns so).
    Each thing is replaced with the entries of its own case, and study-wide ones.
    GUIDs are kept: they carry no words."""
    case_of = {g: c.name for c in p.cases for g in c.sources}
    case_name = {c.name: names.text(c.name, c.name) for c in p.cases}
    note_case: dict[str, str] = {}
    sources = []
    for src in p.sources:
        case_id = case_of.get(src.guid, "")
        rw = names.rewritten(src.text, case_id)
        selections = []
        for sel in src.selections:
            start, end = rw.start(sel.start), rw.end(sel.end)
            selections.append(replace(sel, start=start, end=end,
                                      name=_selection_name(rw.text[start:end])))
            for g in (*sel.notes, *(c.note for c in sel.codings if c.note)):
                note_case[g] = case_id
        for g in src.notes:
            note_case[g] = case_id
        sources.append(replace(src, name=names.text(src.name, case_id), text=rw.text,
                               description=_moved_segments(src.description, rw, names,
                                                           case_id),
                               selections=tuple(selections)))
    notes = []
    for n in p.notes:
        case_id = note_case.get(n.guid, "")
        description = n.description
        if description.startswith(SUMMARY_MARK):
            record = json.loads(description[len(SUMMARY_MARK):])
            case_id = str(record.get("case", ""))
            record = _replaced_record(record, names, case_id)
            record["case"] = case_name.get(case_id, case_id)
            description = SUMMARY_MARK + json.dumps(record, ensure_ascii=False)
        notes.append(replace(n, name=names.text(n.name, case_id),
                             text=names.text(n.text, case_id), description=description))
    cases = [replace(c, name=case_name[c.name],
                     values=tuple((v, names.text(x, c.name)) for v, x in c.values))
             for c in p.cases]
    sets = [replace(st, name=names.text(st.name), description=names.text(st.description))
            for st in p.sets]
    return OutProject(names.text(p.name), _replaced_codebook(p.codebook, names), p.users,
                      p.variables, cases, sources, notes, p.links, sets, p.parent_codes)


def _replaced_codebook(cb: Codebook, names: Replacer) -> Codebook:
    """The framework with study-wide names replaced in its words (an example is
    often a participant's quote); codes, GUIDs and rules are kept."""
    def words(x: str) -> str:
        return names.text(x)

    return replace(cb, title=words(cb.title), themes=tuple(
        replace(t, label=words(t.label), definition=words(t.definition), subtopics=tuple(
            replace(x, label=words(x.label), definition=words(x.definition),
                    include=words(x.include), exclude=words(x.exclude),
                    example=words(x.example)) for x in t.subtopics))
        for t in cb.themes))


def _moved_segments(description: str, rw: Rewritten, names: Replacer, case_id: str) -> str:
    """A source's carried segments with offsets on the replaced text, speakers replaced."""
    if not description.startswith(SEGMENTS_MARK):
        return names.text(description, case_id)
    rows = json.loads(description[len(SEGMENTS_MARK):])
    for r in rows:
        r[0], r[1], r[2] = rw.start(r[0]), rw.end(r[1]), names.text(r[2], case_id)
    return SEGMENTS_MARK + json.dumps(rows, ensure_ascii=False)


def _replaced_record(record: dict[str, object], names: Replacer, case_id: str
                     ) -> dict[str, object]:
    """A summary record with the words it was written against replaced and its
    fingerprint taken again over them (dropped when the record has no words)."""
    from framework_qda.evidence import words_hash
    from framework_qda.model import span_hash

    out = dict(record)
    snap = out.pop("evidence", None)
    recorded = out.pop("evidence_hash", None)
    if isinstance(snap, list) and isinstance(recorded, str) and \
            recorded.startswith("w1:") and all(isinstance(e, list) and len(e) == 3
                                               for e in snap):
        words = [names.text(str(e[2]), case_id) for e in snap]
        out["evidence"] = [[names.text(str(e[0]), case_id), span_hash(w), w]
                           for e, w in zip(snap, words, strict=True)]
        out["evidence_hash"] = words_hash(words)
    return out


def _selection_name(words: str) -> str:
    flat = " ".join(words.split())
    return flat if len(flat) <= 60 else flat[:59].rstrip() + "…"


def _export_notes(store: StudyStore, out: OutProject, src_guid: dict[int, str],
                  notes: list[OutNote], user: Callable[[str], str]) -> None:
    by_guid = {s.guid: i for i, s in enumerate(out.sources)}
    for n in store.notes():
        notes.append(OutNote(n.guid, n.name, n.text, created=n.created_at))
        if n.source_id is None or n.source_id not in src_guid:
            continue
        i = by_guid[src_guid[n.source_id]]
        src = out.sources[i]
        if n.start is None or n.end is None:
            out.sources[i] = OutSource(src.guid, src.name, src.text, src.description,
                                       src.selections, (*src.notes, n.guid))
        else:
            sel = OutSelection(_guid("note-selection", n.guid), n.start, n.end,
                               _selection_name(src.text[n.start:n.end]), "", "", (),
                               (n.guid,))
            out.sources[i] = OutSource(src.guid, src.name, src.text, src.description,
                                       (*src.selections, sel), src.notes)


def _export_cases(store: StudyStore, out: OutProject, cases_g: dict[str, str],
                  src_guid: dict[int, str]) -> None:
    cases = store.cases()
    names: list[str] = ["group"] if any(c.group for c in cases) else []
    for c in cases:
        names.extend(k for k, _ in c.attributes if k not in names)
    kept = store.exchange_guids("variable")
    variables = {n: kept.get(n) or _guid("variable", n) for n in names}
    out.variables = [(g, n) for n, g in variables.items()]
    for c in cases:
        values = ([("group", c.group)] if c.group else []) + list(c.attributes)
        out.cases.append(OutCase(
            cases_g.get(c.id) or _guid("case", c.id), c.id,
            tuple((variables[k], v) for k, v in values),
            tuple(src_guid[s.id] for s in store.sources(c.id))))


def _export_summaries(store: StudyStore, out: OutProject, cb: Codebook, sub_guid: dict[str, str],
                      coding_guid: dict[int, str], codings: Sequence[Coding],
                      sources: Sequence[Source], notes: list[OutNote],
                      user: Callable[[str], str]) -> None:
    case_of = {s.id: s.case_id for s in sources}
    evidence: dict[tuple[str, str], list[str]] = {}
    for c in codings:
        evidence.setdefault((case_of[c.source_id], c.subtopic), []).append(coding_guid[c.id])
    sel_of = {cg: next(s.guid for src in out.sources for s in src.selections
                       if any(x.guid == cg for x in s.codings))
              for cgs in evidence.values() for cg in cgs} if evidence else {}
    labels = {s.code: s.label for s in cb.subtopics}
    for (case_id, code), row in sorted(store.summaries().items()):
        guid = _guid("summary", f"{case_id}:{sub_guid[code]}")
        record = {"case": case_id, "subtopic": sub_guid[code], "code": code,
                  "state": row.state, "author": row.author, "origin": row.origin,
                  "accepted_by": row.accepted_by,
                  # What the summary was written against: a stale cell stays stale.
                  "evidence_hash": row.evidence_hash,
                  "evidence": [list(e) for e in row.evidence]}
        notes.append(OutNote(guid, f"{case_id} × {code} {labels.get(code, '')}".strip(),
                             row.text, SUMMARY_MARK + json.dumps(record, ensure_ascii=False),
                             user(row.author or row.accepted_by or "unknown"), row.updated_at))
        for cg in dict.fromkeys(sel_of[g] for g in evidence.get((case_id, code), [])):
            out.links.append((_guid("summary-link", f"{guid}:{cg}"), guid, cg,
                              "Summary of the cell"))
