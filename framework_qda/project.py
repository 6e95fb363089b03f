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

Sources, their codings and notes are stored by :mod:`framework_qda.project_sources`;
the marks an export leaves are in :mod:`framework_qda.project_marks`.  Export is
:mod:`framework_qda.project_export`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.config import StudyConfig
from framework_qda.errors import FqdaError, InputError
from framework_qda.model import Case, Codebook, Subtopic, Theme, normal_guid
from framework_qda.offsets import Selection, Text, detect
from framework_qda.project_marks import SEGMENTS_MARK, SUMMARY_MARK, _guid, general_guid
from framework_qda.project_sources import (
    _plan_sources,
    _quoted,
    _store_codings,
    _store_notes,
    _store_sources,
)
from framework_qda.refi.reading import RefiProject, read_project
from framework_qda.store import StudyStore

__all__ = ["SEGMENTS_MARK", "SUMMARY_MARK", "ProjectReport", "_guid", "general_guid",
           "import_project"]


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


# -- import -------------------------------------------------------------------
def import_project(store: StudyStore, config: StudyConfig, path: Path, who: str,
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


def _merged_cases(store: StudyStore, cases: list[tuple[Case, str]]) -> list[Case]:
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


def _save_codebook(store: StudyStore, incoming: Codebook, report: ProjectReport) -> dict[str, int]:
    """Merge the project's framework into the study's; incoming sub-topic code -> row id."""
    from framework_qda.codebook_changes import log_import
    from framework_qda.codebook_matching import save_codebook

    stored = store.codebook()
    merged, final = _merge_codebook(stored, incoming) if stored.themes else (
        incoming, {s.code: s.code for s in incoming.subtopics})
    if _shape(merged) != _shape(stored):
        changes = save_codebook(store, merged)
        log_import(store, changes, report.project, "import")
        report.codes_added = list(changes.added)
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


def _written_against(record: dict[str, object]) -> tuple[str, list[tuple[str, ...]]] | None:
    """The evidence fingerprint and snapshot a summary record carries, if well formed."""
    recorded, snap = record.get("evidence_hash"), record.get("evidence")
    if not isinstance(recorded, str) or not recorded or not isinstance(snap, list) \
            or not all(isinstance(e, list) and all(isinstance(x, str) for x in e)
                       for e in snap):
        return None
    return recorded, [tuple(e) for e in snap]


def _store_summaries(store: StudyStore, summaries: list[tuple[dict[str, object], str]],
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
