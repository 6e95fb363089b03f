"""A REFI-QDA project's text sources coming into a study: each matched to the
study's or segmented anew, then stored (with its file under ``transcripts/``),
with the codings of its passages and the notes on them.  The import that runs
these steps is :func:`framework_qda.project.import_project`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.coding import record_codings
from framework_qda.config import StudyConfig
from framework_qda.model import Case, span_hash
from framework_qda.offsets import Selection, Text, on_word_boundaries, place
from framework_qda.project_marks import SEGMENTS_MARK
from framework_qda.refi.reading import RefiProject, RefiSource
from framework_qda.store import NewCoding, NoteRow, SegmentRow, StudyStore

if TYPE_CHECKING:
    from framework_qda.project import ProjectReport


def _quoted(name: str) -> str:
    """A selection's name when it is its words (ATLAS.ti), else ""."""
    return name if len(name.split()) >= 3 else ""


@dataclass
class _SourcePlan:
    src: RefiSource
    name: str
    case_id: str
    text: str
    existing: int | None
    segments: list[SegmentRow]
    sentences: list[tuple[int, int, int, int]]


def _plan_sources(store: StudyStore, config: StudyConfig, project: RefiProject,
                  texts: dict[str, Text], case_of: dict[str, str], model: str,
                  report: ProjectReport) -> list[_SourcePlan]:
    """Each text source matched to the study's (GUID, then name) or segmented anew."""
    from framework_qda.ingest import _segments
    from framework_qda.ingest.readers import Transcript
    from framework_qda.ingest.sentences import load_pipeline, segment_sentences

    by_guid = {g: int(k) for k, g in store.exchange_guids("source").items()}
    plans: list[_SourcePlan] = []
    taken: set[str] = set()
    nlp = None
    for s in project.sources:
        if s.guid not in texts:
            continue
        text = texts[s.guid].text
        name = s.name.strip() or s.guid
        n = 2
        while name in taken:
            name = f"{s.name} ({n})"
            n += 1
        taken.add(name)
        old = None
        if s.guid in by_guid:
            old = next((x for x in store.sources() if x.id == by_guid[s.guid]), None)
        old = old or store.source_named(name)
        if old is not None:
            if old.text != text:
                report.missing.append(f"source {name}: the study holds other text under this "
                                      "name; the project's codings of it were not imported")
                continue
            plans.append(_SourcePlan(s, old.name, old.case_id, text, old.id, [], []))
            continue
        if not text.strip():
            report.missing.append(f"source {name}: its text is empty; not imported")
            continue
        segments = _carried_segments(s.description, text) or _segments(
            Transcript(text, "qdpx", line_paragraphs=Path(name).suffix.lower() in
                       (".docx", ".odt", ".pdf")), config)
        if not segments:
            report.missing.append(f"source {name}: no text to segment; not imported")
            continue
        nlp = nlp or load_pipeline(model or config.model)
        sentences = list(segment_sentences(nlp, text, [(g.number, g.start, g.end)
                                                      for g in segments]))
        plans.append(_SourcePlan(s, name, case_of[s.guid], text, None, segments, sentences))
    return plans


def _carried_segments(description: str, text: str) -> list[SegmentRow]:
    """The segments an export of this module wrote into a source's description."""
    at = description.find(SEGMENTS_MARK)
    if at < 0:
        return []
    try:
        rows = json.loads(description[at + len(SEGMENTS_MARK):].split("\n", 1)[0])
        segments = [SegmentRow(i + 1, int(r[0]), int(r[1]), str(r[2]), r[3], int(r[4]),
                               int(r[5]), str(r[6])) for i, r in enumerate(rows)]
    except (ValueError, TypeError, IndexError):
        return []
    last = 0
    for g in segments:
        if not (last <= g.start < g.end <= len(text)) or g.role not in (
                "participant", "interviewer", "other"):
            return []
        last = g.end
    return segments


def _store_sources(store: StudyStore, plans: list[_SourcePlan], report: ProjectReport,
                   root: Path | None, written: list[Path]) -> dict[str, tuple[int, str]]:
    """Store new sources; the study's id and name of every planned one, by project GUID.

    With the study folder ``root``, a new source's text (UTF-8, ``\n`` line
    endings) is also a file under ``transcripts/``, named after the source
    (``Anna.docx`` -> ``Anna.docx.txt``; a free name like ``Anna (2).txt``
    when the folder holds another file of that name), which the source's path
    names, so the study's transcripts are files as they are for an ingest, and
    a later ``fqda ingest`` finds them unchanged.  Files made are listed in
    ``written``."""
    from framework_qda.files import place_new_file, safe_file_name

    known = {c.id for c in store.cases()}
    ids: dict[str, tuple[int, str]] = {}
    # A file another source already stands on is never shared, even with the same words.
    taken: set[Path] = {root / x.path for x in store.sources()} if root is not None else set()
    for p in plans:
        if p.existing is not None:
            ids[p.src.guid] = (p.existing, p.name)
            report.sources_present.append(p.name)
            continue
        if p.case_id not in known:
            store.upsert_cases([Case(p.case_id)])
            known.add(p.case_id)
            report.cases_added += 1
        meta = {"project": report.project, "project_name": p.src.name}
        if p.src.description and not p.src.description.startswith(SEGMENTS_MARK):
            meta["description"] = p.src.description.split(SEGMENTS_MARK, 1)[0].strip()
        data, stored = p.text.encode("utf-8"), p.name
        if root is not None:
            file, made = place_new_file(root / "transcripts", root, safe_file_name(p.name),
                                        data, "a transcript from the project", taken)
            if made:
                written.append(file)
            stored = file.relative_to(root).as_posix()
        sid = store.put_source(
            case_id=p.case_id, name=p.name, path=stored, format="qdpx",
            sha256=hashlib.sha256(data).hexdigest(), text=p.text, metadata=meta,
            segments=p.segments, sentences=p.sentences)
        ids[p.src.guid] = (sid, p.name)
        report.sources_added.append(p.name)
    store.put_exchange_guids("source", [(str(i), g) for g, (i, _) in ids.items()])
    return ids


def _linked(project: RefiProject) -> dict[str, list[str]]:
    """Target GUID -> GUIDs of the notes linked to it."""
    out: dict[str, list[str]] = {}
    for origin, target, _ in project.links:
        out.setdefault(target, []).append(origin)
    return out


def _store_codings(store: StudyStore, project: RefiProject, texts: dict[str, Text],
                   ids: dict[str, tuple[int, str]], lands: dict[str, str],
                   sub_ids: dict[str, int], notes: dict[str, str], who: str,
                   report: ProjectReport) -> None:
    linked = _linked(project)
    theme_codes = 0
    for s in project.sources:
        if s.guid not in ids:
            continue
        sid, name = ids[s.guid]
        text = texts[s.guid]
        for sel in s.selections:
            if not sel.codings:
                continue
            span = place(text, Selection(sel.start, sel.end, _quoted(sel.name)),
                         report.convention)
            if isinstance(span, str):
                report.missing.append(f"source {name}: selection {sel.start}-{sel.end} "
                                      f"({len(sel.codings)} coding(s)) not imported: {span}")
                continue
            if not on_word_boundaries(text, span):
                report.off_word_boundaries += 1
            words = text.text[span[0]:span[1]]
            shared = [x for x in (sel.description,
                                  *(notes.get(g, "") for g in (*sel.notes,
                                                               *linked.get(sel.guid, ()))))
                      if x]
            for c in sel.codings:
                code = lands.get(c.code_guid)
                if code is None or code not in sub_ids:
                    theme_codes += code == ""
                    if code is None:
                        report.missing.append(f"source {name}: a coding to code {c.code_guid}"
                                              ", which the code book does not have, skipped")
                    continue
                memo = "\n\n".join([*shared, *(notes[g] for g in (*c.notes,
                                                                  *linked.get(c.guid, ()))
                                               if g in notes and notes[g])])
                report.memos += bool(memo)
                coder = project.users.get(c.user) or project.users.get(sel.user) or who
                new = NewCoding(sid, span[0], span[1], sub_ids[code], coder, "import",
                                "accepted", memo, span_hash(words))
                (cid,) = record_codings(store, [new])
                if cid is None:
                    report.codings_present += 1
                    cid = store.coding_ids_at(sid, span[0], span[1], sub_ids[code])
                else:
                    report.codings_added += 1
                if cid is not None:
                    store.put_exchange_guids("coding", [(str(cid), c.guid)])
                    store.put_exchange_guids("selection", [(str(cid), sel.guid)])
    if theme_codes:
        report.missing.append(f"{theme_codes} coding(s) at a code that has codes below it "
                              "(a theme of the framework, which holds no codings) not imported")


def _store_notes(store: StudyStore, project: RefiProject, ids: dict[str, tuple[int, str]],
                 texts: dict[str, Text], notes: dict[str, str], report: ProjectReport) -> None:
    """Notes that are no coding's memo: on a source, a passage of one, or the project."""
    linked = _linked(project)
    used: set[str] = set()
    rows: list[NoteRow] = []
    by_guid = {n.guid: n for n in project.notes}
    for s in project.sources:
        for sel in s.selections:
            if sel.codings:
                used.update(sel.notes, linked.get(sel.guid, ()))
                for c in sel.codings:
                    used.update(c.notes, linked.get(c.guid, ()))
    for s in project.sources:
        sid = ids.get(s.guid, (None, ""))[0]
        for g in (*s.notes, *linked.get(s.guid, ())):
            if g in notes and g not in used and sid is not None:
                n = by_guid[g]
                rows.append(NoteRow(g, sid, None, None, n.name, n.text,
                                    project.users.get(n.user, ""), n.created))
                used.add(g)
        for sel in s.selections:
            if sel.codings or sid is None:
                continue
            span = place(texts[s.guid], Selection(sel.start, sel.end, _quoted(sel.name)),
                         report.convention)
            start, end = span if isinstance(span, tuple) else (None, None)
            if sel.description:
                rows.append(NoteRow(sel.guid, sid, start, end, sel.name, sel.description,
                                    project.users.get(sel.user, ""), sel.created))
            for g in (*sel.notes, *linked.get(sel.guid, ())):
                if g in notes and g not in used:
                    n = by_guid[g]
                    rows.append(NoteRow(g, sid, start, end, n.name, n.text,
                                        project.users.get(n.user, ""), n.created))
                    used.add(g)
    for n in project.notes:
        if n.guid in notes and n.guid not in used:
            rows.append(NoteRow(n.guid, None, None, None, n.name, n.text,
                                project.users.get(n.user, ""), n.created))
    report.notes_added = store.add_notes(rows)
