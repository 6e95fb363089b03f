"""A whole study in and out of REFI-QDA projects (NVivo, ATLAS.ti, MAXQDA, QualCoder).

Import (one transaction, after everything is read and checked):

- the code tree becomes the framework as a ``.qdc`` does (``refi/codebook.py``);
  into a study that has one, codes are matched by GUID, then name, and the
  rest are added;
- each text source (a plain text, or the text the project carries for a
  document, a PDF or a media transcript) becomes a source named as in the
  project; a source the study already holds (by GUID, then name) with the
  same text is reused, one with other text is left alone and reported;
- cases and their variables become cases with attributes (the sample group
  from ``group_variable``, else a variable named ``group``); a source no case
  names belongs to the case its name gives (``case_pattern``);
- each coding of a text selection becomes an accepted coding with its coder
  (the project's user) and origin ``import``; offsets are converted with the
  convention detected from the text (``offsets.py``) and a selection that does
  not fit is reported, never stored;
- notes on a coding or selection become the coding's memo; notes on a source
  or the project are kept in ``notes``; a note this module wrote for a cell
  summary becomes that summary again, stale if it was stale;
- codings on a code with codes below it (a theme) go to the theme's
  ``<theme>: general`` sub-topic; sets are kept in ``sets``, and ATLAS.ti's
  ``variable: value`` document groups give their cases that attribute;
- with the study folder, each new source's text is a file under
  ``transcripts/`` too.

Export is :mod:`framework_qda.project_export`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.config import StudyConfig
from framework_qda.errors import FqdaError, InputError
from framework_qda.model import Case, Codebook, Subtopic, Theme, span_hash
from framework_qda.offsets import Selection, Text, detect, on_word_boundaries, place
from framework_qda.refi.reading import (
    RefiProject,
    RefiSource,
    read_project,
)
from framework_qda.store import NewCoding, NoteRow, SegmentRow, Store
from framework_qda.store.codebook import normal_guid

if TYPE_CHECKING:
    pass

SUMMARY_MARK = "framework-qda summary "
SEGMENTS_MARK = "framework-qda segments "
_NS = uuid.UUID("3c1f6f0e-8d2b-4c51-9a77-2e0d5b8c4f13")


@dataclass
class ProjectReport:
    """What an import did, and what it could not keep."""

    project: str
    origin: str
    convention: str = ""
    scores: dict[str, int] = field(default_factory=dict)
    sources_added: list[str] = field(default_factory=list)
    sources_present: list[str] = field(default_factory=list)
    cases_added: int = 0
    cases_updated: int = 0
    codes: int = 0
    codes_added: list[str] = field(default_factory=list)
    selections: int = 0
    codings_added: int = 0
    codings_present: int = 0
    memos: int = 0
    notes_added: int = 0
    summaries_added: int = 0
    off_word_boundaries: int = 0
    general: list[str] = field(default_factory=list)
    """Sub-topics made to hold the codings on a code that has codes below it (a theme)."""
    sets: list[str] = field(default_factory=list)
    """Names of the project's sets (code and document groups), all kept."""
    sets_added: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """What the project names but the study could not take, one line each."""


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


# -- import -------------------------------------------------------------------
def import_project(store: Store, config: StudyConfig, path: Path, who: str,
                   group_variable: str | None = None, model: str = "",
                   root: Path | None = None) -> ProjectReport:
    """Import the project at ``path``; with the study folder ``root``, each new
    source's text is also written to ``transcripts/`` (see :func:`_store_sources`)
    and removed again if the import fails."""
    from framework_qda.refi.codebook import project_codebook

    project = read_project(path)
    report = ProjectReport(project.name, project.origin)
    incoming, warnings, lands = project_codebook(project.codebook, str(path), project.name)
    report.warnings.extend(warnings)
    report.codes = len(lands)
    texts = {s.guid: Text(s.raw) for s in project.sources if s.raw is not None}
    items = [(texts[s.guid], Selection(x.start, x.end, _quoted(x.name)))
             for s in project.sources if s.guid in texts for x in s.selections]
    report.selections = len(items)
    report.convention, report.scores = detect(items)
    for s in project.sources:
        if s.raw is None:
            codings = sum(len(x.codings) for x in s.selections)
            report.missing.append(f"source {s.name}: {s.missing}" + (
                f" ({len(s.selections)} selection(s), {codings} coding(s) not imported)"
                if s.selections else ""))
        if s.other_selections:
            report.missing.append(f"source {s.name}: {s.other_selections} selection(s) of "
                                  "pictures, pages or media times not imported (no text)")
    incoming, lands, report.general = _coded_parents(project, incoming, lands)
    cases, case_of = _cases(project, config, group_variable, {
        g: k for k, g in store.exchange_guids("case").items() if store.case(k) is not None})
    summaries, notes = _split_notes(project)
    plans = _plan_sources(store, config, project, texts, case_of, model, report)
    written: list[Path] = []
    try:
        with store.atomic():
            report.cases_added, report.cases_updated = store.upsert_cases(
                _merged_cases(store, cases))
            store.put_exchange_guids("case", [(c.id, g) for c, g in cases if g])
            sub_ids = _save_codebook(store, incoming, report)
            store.put_exchange_guids("variable", [(v.name, v.guid) for v in project.variables])
            store.put_exchange_guids("user", [(n, g) for g, n in project.users.items() if n])
            ids = _store_sources(store, plans, report, root, written)
            _store_codings(store, project, texts, ids, lands, sub_ids, notes, who, report)
            _store_notes(store, project, ids, texts, notes, report)
            _store_summaries(store, summaries, incoming, report)
            report.sets_added = [st.name for st in project.sets
                                 if store.add_sets([(st.guid, st.name, st.description,
                                                     st.members)])]
            report.sets = [st.name for st in project.sets]
    except BaseException:
        for f in written:  # all or nothing: no file of a refused import stays
            f.unlink(missing_ok=True)
        raise
    return report


def general_guid(theme_guid: str) -> str:
    """The GUID of the sub-topic holding codings on a theme's own code."""
    return _guid("general", normal_guid(theme_guid))


def _coded_parents(project: RefiProject, incoming: Codebook, lands: dict[str, str]
                   ) -> tuple[Codebook, dict[str, str], list[str]]:
    """A code with codes below it becomes a theme, and a theme holds no codings; a
    project may still have coded it (NVivo and ATLAS.ti allow it).  Each such theme
    gets a last sub-topic "<theme>: general" for those passages (its GUID derived
    from the theme's, so importing again finds it), and an export writes its
    codings back onto the theme's own code."""
    from framework_qda.codebook_changes import next_code

    coded = {c.code_guid for s in project.sources for x in s.selections for c in x.codings
             if lands.get(c.code_guid) == ""}
    if not coded:
        return incoming, lands, []
    lands = dict(lands)
    made: list[str] = []
    themes = []
    for t in incoming.themes:
        if normal_guid(t.guid) not in {normal_guid(g) for g in coded}:
            themes.append(t)
            continue
        code = next_code(Codebook(themes=(t,)), t)
        general = Subtopic(code, f"{t.label}: general", t.code,
                           f"Passages coded to {t.label} itself in the project "
                           f"{project.name}, not to one of the codes below it.",
                           guid=general_guid(t.guid))
        themes.append(Theme(t.code, t.label, t.definition, (*t.subtopics, general), t.guid))
        for g in coded:
            if normal_guid(g) == normal_guid(t.guid):
                lands[g] = code
        made.append(f"{code} {general.label}")
    return Codebook(incoming.title, tuple(themes), incoming.groups), lands, made


def _quoted(name: str) -> str:
    """A selection's name when it is its words (ATLAS.ti), else ""."""
    return name if len(name.split()) >= 3 else ""


def _set_values(project: RefiProject) -> dict[str, list[tuple[str, str]]]:
    """Variables ATLAS.ti keeps as document groups named ``variable: value``
    (``gender: female``): source GUID -> its (variable, value) pairs, for variables
    the project does not also have as variables."""
    declared = {v.name.casefold() for v in project.variables}
    out: dict[str, list[tuple[str, str]]] = {}
    for st in project.sets:
        name, colon, value = st.name.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name or not value or name.casefold() in declared:
            continue
        for kind, guid in st.members:
            if kind == "source":
                out.setdefault(guid, []).append((name, value))
    return out


def _cases(project: RefiProject, config: StudyConfig, group_variable: str | None,
           by_guid: dict[str, str]) -> tuple[list[tuple[Case, str]], dict[str, str]]:
    """The project's cases as the study's (a case the study knows by its GUID keeps
    the study's id, though the project renamed it), and each source's case."""
    names = {v.guid: v.name for v in project.variables}
    by_set = _set_values(project)
    known = {n.casefold() for n in names.values()} | {
        n.casefold() for pairs in by_set.values() for n, _ in pairs}
    if group_variable and group_variable.casefold() not in known:
        have = ", ".join(sorted({*names.values(), *(n for pairs in by_set.values()
                                                    for n, _ in pairs)})) or "none"
        raise InputError(project.name, f"has no variable {group_variable!r} to take the sample "
                         f"group from (its variables: {have})")
    group = (group_variable or "group").casefold()
    order = [v.guid for v in project.variables]
    out: list[tuple[Case, str]] = []
    case_of: dict[str, str] = {}
    for c in project.cases:
        case_id = by_guid.get(c.guid) or " ".join((c.name or c.guid).split())
        values = dict(c.values)
        grp = next((values[g] for g in order if g in values and names[g].casefold() == group),
                   "")
        attrs = tuple((names[g], values[g]) for g in order
                      if g in values and names[g].casefold() != group)
        out.append((Case(case_id, grp, attrs), c.guid))
        for sg in c.sources:
            case_of.setdefault(sg, case_id)
    for s in project.sources:
        if s.guid not in case_of:
            case_of[s.guid] = config.case_for(Path(s.name).stem)
    # Values from document groups go to the case of each source in the group.
    grouped: dict[str, dict[str, str]] = {}
    for s in project.sources:
        if s.raw is None:  # not imported: no case for it
            continue
        for name, value in by_set.get(s.guid, ()):
            grouped.setdefault(case_of[s.guid], {}).setdefault(name, value)
    if grouped:
        index = {case.id: i for i, (case, _) in enumerate(out)}
        for case_id, pairs in grouped.items():
            grp = next((v for k, v in pairs.items() if k.casefold() == group), "")
            extra = [(k, v) for k, v in pairs.items() if k.casefold() != group]
            if case_id in index:
                case, guid = out[index[case_id]]
                out[index[case_id]] = (Case(case.id, case.group or grp,
                                           (*case.attributes, *extra)), guid)
            else:
                out.append((Case(case_id, grp, tuple(extra)), ""))
    return out, case_of


def _merged_cases(store: Store, cases: list[tuple[Case, str]]) -> list[Case]:
    """Project cases over the study's: values the project gives win, the rest stay."""
    out = []
    for case, _ in cases:
        old = store.case(case.id)
        if old is None:
            out.append(case)
            continue
        attrs = dict(old.attributes)
        attrs.update(case.attributes)
        out.append(Case(case.id, case.group or old.group, tuple(attrs.items())))
    return out


def _split_notes(project: RefiProject) -> tuple[list[tuple[dict[str, object], str]],
                                                dict[str, str]]:
    """Summary notes (their record and text), and every other note's text by GUID."""
    summaries = []
    notes: dict[str, str] = {}
    for n in project.notes:
        if n.description.startswith(SUMMARY_MARK):
            try:
                record = json.loads(n.description[len(SUMMARY_MARK):])
            except ValueError:
                record = None
            if isinstance(record, dict):
                summaries.append(({str(k): v if k == "evidence" else str(v)
                                   for k, v in record.items()}, n.text))
                continue
        notes[n.guid] = n.text
    return summaries, notes


@dataclass
class _SourcePlan:
    src: RefiSource
    name: str
    case_id: str
    text: str
    existing: int | None
    segments: list[SegmentRow]
    sentences: list[tuple[int, int, int, int]]


def _plan_sources(store: Store, config: StudyConfig, project: RefiProject,
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


def _save_codebook(store: Store, incoming: Codebook, report: ProjectReport) -> dict[str, int]:
    """Merge the project's framework into the study's; incoming sub-topic code -> row id."""
    from framework_qda.codebook_changes import log_import

    stored = store.codebook()
    merged, final = _merge_codebook(stored, incoming) if stored.themes else (
        incoming, {s.code: s.code for s in incoming.subtopics})
    if _shape(merged) != _shape(stored):
        changes = store.save_codebook(merged)
        log_import(store, changes, report.project, "import")
        report.codes_added = changes["added"]
    ids = store.subtopic_ids()
    return {code: ids[final[code]] for code in final}


def _shape(cb: Codebook) -> list[object]:
    return [(t.code, t.label, t.definition, normal_guid(t.guid) if t.guid else "",
             [(s.code, s.label, s.definition, s.include, s.exclude, s.example, s.keywords,
               s.patterns, s.exclude_keywords, normal_guid(s.guid)) for s in t.subtopics])
            for t in cb.themes]


def _merge_codebook(stored: Codebook, incoming: Codebook) -> tuple[Codebook, dict[str, str]]:
    """The study's framework with the project's codes it lacks added; every incoming
    sub-topic code -> the code it has in the result."""
    from framework_qda.codebook_changes import next_code

    subs_by_guid = {normal_guid(s.guid): s for s in stored.subtopics if s.guid}
    subs_by_label = {s.label.casefold(): s for s in stored.subtopics}
    themes = {t.code: list(t.subtopics) for t in stored.themes}
    theme_rows = {t.code: t for t in stored.themes}
    by_guid = {normal_guid(t.guid): t for t in stored.themes if t.guid}
    by_label = {t.label.casefold(): t for t in stored.themes}
    final: dict[str, str] = {}
    for t in incoming.themes:
        target = by_guid.get(normal_guid(t.guid)) if t.guid else None
        target = target or by_label.get(t.label.casefold())
        for s in t.subtopics:
            found = (subs_by_guid.get(normal_guid(s.guid)) if s.guid else None) \
                or subs_by_label.get(s.label.casefold())
            if found is not None:
                final[s.code] = found.code
                continue
            if target is None:
                code = t.code if t.code not in themes else str(
                    max((int(c) for c in themes if c.isdigit()), default=0) + 1)
                target = Theme(code, t.label, t.definition, (), t.guid)
                theme_rows[code], themes[code] = target, []
                by_label[t.label.casefold()] = target
            holder = Theme(target.code, target.label, subtopics=tuple(themes[target.code]))
            code = next_code(Codebook(themes=(holder,)), holder)
            new = Subtopic(code, s.label, target.code, s.definition, s.include, s.exclude,
                           s.example, s.keywords, s.guid, patterns=s.patterns,
                           exclude_keywords=s.exclude_keywords)
            themes[target.code].append(new)
            final[s.code] = code
    merged = tuple(Theme(tr.code, tr.label, tr.definition, tuple(themes[c]), tr.guid)
                   for c, tr in theme_rows.items())
    return Codebook(stored.title, merged, stored.groups), final


def _store_sources(store: Store, plans: list[_SourcePlan], report: ProjectReport,
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


def _store_codings(store: Store, project: RefiProject, texts: dict[str, Text],
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
                (cid,) = store.insert_codings([new])
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


def _store_notes(store: Store, project: RefiProject, ids: dict[str, tuple[int, str]],
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


def _written_against(record: dict[str, object]) -> tuple[str, list[tuple[str, ...]]] | None:
    """The evidence fingerprint and snapshot a summary record carries, if well formed."""
    recorded, snap = record.get("evidence_hash"), record.get("evidence")
    if not isinstance(recorded, str) or not recorded or not isinstance(snap, list) \
            or not all(isinstance(e, list) and all(isinstance(x, str) for x in e)
                       for e in snap):
        return None
    return recorded, [tuple(e) for e in snap]


def _store_summaries(store: Store, summaries: list[tuple[dict[str, object], str]],
                     incoming: Codebook, report: ProjectReport) -> None:
    from framework_qda import charting

    by_guid = {normal_guid(s.guid): s.code for s in store.codebook().subtopics if s.guid}
    ids = store.subtopic_ids()
    for full, text in summaries:
        record = {k: v for k, v in full.items() if isinstance(v, str)}
        case_id = record.get("case", "")
        code = by_guid.get(normal_guid(record.get("subtopic", ""))) or record.get("code", "")
        state = record.get("state", "summarised")
        if code not in ids or store.case(case_id) is None or state not in (
                "summarised", "not-applicable", "draft"):
            report.missing.append(f"summary of {case_id} × {record.get('code', '?')}: its "
                                  "case or sub-topic is not in the study; not imported")
            continue
        old = store.summary(case_id, ids[code])
        if old is not None:
            if (old.text, old.state) != (charting.normalise(text), state):
                report.missing.append(f"summary of {case_id} × {code}: the study has its own;"
                                      " kept the study's")
            continue
        try:
            with store.atomic():
                charting.write_summary(store, case_id, code, text, state,
                                       record.get("author", ""),
                                       record.get("origin", "human"))
                if record.get("accepted_by"):
                    store.accept_summary(case_id, ids[code], record["accepted_by"])
                written = _written_against(full)
                if written is not None:
                    # Written against other evidence than the cell holds: it stays stale.
                    store.set_summary_evidence(case_id, ids[code], *written)
        except FqdaError as exc:
            report.missing.append(f"summary of {case_id} × {code} not imported: {exc}")
            continue
        report.summaries_added += 1
