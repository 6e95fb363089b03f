"""Mapping and interpretation: matrices, cases, themes, quotes, search, co-occurrence."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated

import typer

import framework_qda as fq
from framework_qda import render
from framework_qda.cli.common import (
    CodersOpt,
    FormatOpt,
    StudyOpt,
    _coders,
    app,
    emit,
    err,
    handled,
    opened,
    out,
)


@app.command()
@handled
def matrix(
    theme: str,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    full: Annotated[bool, typer.Option(help="Whole cell text, not a glimpse.")] = False,
    suggested: Annotated[bool, typer.Option("--suggested", help="Also show rule suggestions "
                                            "awaiting review, marked (never evidence).")]
    = False,
    disagreements: Annotated[bool, typer.Option(
        "--disagreements", help="Mark each cell where coders differ on whether the case "
        "has evidence ([coded by hb, not jk]).")] = False,
    coders: CodersOpt = "",
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Print one theme's framework matrix: cases by sample group × sub-topics.

    \b
    Example: fqda matrix 2 --format csv
    Example: fqda matrix 1 --disagreements --coders hb,jk
    """
    with opened(study) as s:
        m = s.matrix(theme, group or [], suggested)
        marks = (s.cell_disagreements(_coders(coders), theme).marks()
                 if disagreements or coders else None)
    if fmt == "table":
        out.print(render.matrix_table(m, full, marks))
    else:
        emit(render.matrix_rows(m, full=True, states=True, marks=marks), fmt,
             m.theme.heading)


@app.command("case")
@handled
def case_cmd(
    case_id: Annotated[str, typer.Argument(metavar="CASE")],
    theme: Annotated[str | None, typer.Option(help="Only this theme.")] = None,
    evidence: Annotated[bool | None, typer.Option(
        "--evidence/--no-evidence", help="Show the evidence under summaries too (default: "
        "in markdown, csv and json; not in the terminal table).")] = None,
    fmt: FormatOpt = "table",
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Within-case: a case's attributes, then each sub-topic's summary or evidence.

    --format markdown gives a case profile for a report's appendix.

    \b
    Example: fqda case P7 --theme 2 --format markdown
    """
    with opened(study) as s:
        profile = s.case_profile(case_id, theme, pseudonymise)
    if fmt == "table":
        out.print(render.case_view(profile, bool(evidence)))
    elif fmt == "markdown":
        sys.stdout.write(render.case_markdown(profile, evidence is not False))
    else:
        emit(render.case_rows(profile, evidence=evidence is not False), fmt)


@app.command("theme")
@handled
def theme_cmd(
    code_: Annotated[str, typer.Argument(metavar="THEME")],
    subtopic: Annotated[str | None, typer.Option(help="Only this sub-topic.")] = None,
    by: Annotated[str, typer.Option(help="group, or any case attribute.")] = "group",
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    evidence: Annotated[bool, typer.Option(help="Show the evidence under summaries too.")]
    = False,
    limit: Annotated[int | None, typer.Option(help="At most this many cells (a case under a "
                                              "sub-topic); 0: every one (default: every "
                                              f"one up to {render.LONG_LISTING}).")] = None,
    fmt: FormatOpt = "table",
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Within-theme: each sub-topic across the sample, case by case within each group,
    with a line per group such as "4 of 6 Council chief executive cases".

    Over 500 cells (cases under a sub-topic), a terminal gets the group lines
    alone; csv, json and markdown the first 500 and a note on standard error.  --limit 0 lists every
    one, --limit N the first N, --group G one group's.

    \b
    Example: fqda theme 2 --subtopic 2.3 --by area
    """
    with opened(study) as s:
        # the first cells are read, and every group counted in the store
        view = s.theme_view(code_, by, subtopic, pseudonymise, group or [],
                            limit=render.LONG_LISTING if limit is None else limit)
    if limit is None and view.rows > render.LONG_LISTING and fmt == "table":
        for line in render.theme_summary(view):
            out.print(line, soft_wrap=True)
        return
    if fmt == "table":
        out.print(render.theme_view(view, evidence))
    elif fmt == "markdown":
        sys.stdout.write(render.theme_markdown(view, evidence))
    else:
        emit(render.theme_rows(view), fmt)
    if view.listed < view.rows:
        what = f"cells of theme {view.theme.code}"
        if fmt == "table":
            out.print(f"(the first {view.listed:,} of {view.rows:,} {what}; --limit 0 "
                      "shows all)", soft_wrap=True)
        else:
            err.print(render.cut_short(view.listed, view.rows, what), soft_wrap=True)



@app.command()
@handled
def quotes(
    code_: Annotated[str | None, typer.Argument(metavar="[CODE]",
                                                help="A sub-topic or theme code.")] = None,
    theme: Annotated[str | None, typer.Option(help="Every quote of this theme.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every quote of the study, in codebook "
                                       "order, never cut short.")] = False,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    where: Annotated[list[str] | None, typer.Option(help="ATTR=VALUE filter.")] = None,
    speaker: Annotated[str, typer.Option(help="participant (the default), interviewer, "
                                         "other, a speaker's label, or any.")]
    = "participant",
    min_words: Annotated[int, typer.Option(help="Shortest quote in words.")] = 0,
    max_words: Annotated[int, typer.Option(help="Longest quote in words (0: any).")] = 0,
    limit: Annotated[int | None, typer.Option(help="At most this many; 0: every one (default: "
                                              f"every one up to {render.LONG_LISTING}).")]
    = None,
    fmt: FormatOpt = "table",
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Verbatim quotes for a sub-topic (or a theme), attributed by the template
    `attribution` in fqda.yaml (default '— {group}, {case}').

    More than 500 quotes are counted by sample group instead of listed in a
    terminal; csv, json and markdown get the first 500 and a note on standard
    error.  --limit 0 (or --all) lists every one, --limit N the first N.

    Participants' words unless --speaker says otherwise; words of another speaker
    are attributed to their role ('— Interviewer, P7').  csv and json keep the
    source's exact text, with its source and character offsets (start, end);
    table and markdown fold white space.

    \b
    Example: fqda quotes 2.3 --group "Voluntary-sector leader" --format markdown
    Example: fqda quotes --all --format csv
    Example: fqda quotes --theme 2 --format json
    """
    if sum((code_ is not None, theme is not None, all_)) != 1:
        raise fq.FqdaError("give a sub-topic or theme code, --theme T or --all (one of them)")
    code_ = theme if theme is not None else code_
    name = code_ or "the study"
    if all_ and limit is None:  # asked for every quote: a file of them all, however long
        limit = 0
    filters: dict[str, str] = {}
    for item in where or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise fq.FqdaError(f"--where {item!r}: write ATTRIBUTE=VALUE, e.g. area=Rural")
        filters[key.strip()] = value.strip()
    with opened(study) as s:
        codebook = s.codebook
        count = None if limit == 0 else s.quote_count(
            code_, groups=group or [], where=filters, speaker=speaker, min_words=min_words,
            max_words=max_words)
        if limit is None and count is not None and count.total > render.LONG_LISTING:
            if fmt == "table":
                for line in render.quote_summary(count, _heading(codebook, code_)):
                    out.print(line, soft_wrap=True)
                return
            limit = render.LONG_LISTING
        found = s.quotes(code_, pseudonymise=pseudonymise, groups=group or [], where=filters,
                         speaker=speaker,
                         min_words=min_words, max_words=max_words, limit=limit or 0)
        if not found and speaker != "any":
            others = len(s.quotes(code_, groups=group or [], where=filters, speaker="any",
                                  min_words=min_words, max_words=max_words))
            if others:
                err.print(f"no quotes from --speaker {speaker} for {name}; {others} coded "
                          "passage(s) are other speakers' words: --speaker any shows them")
    total = count.total if count is not None and count.total > len(found) else None
    if fmt == "markdown":
        sys.stdout.write(render.quotes_markdown(found, codebook))
    elif fmt == "table" and found:
        shown = f"{len(found)} quote(s)" if total is None else \
            f"{len(found)} of {total:,} quote(s)"
        out.print(render.quote_table(found, f"{shown} for {name}" + (
            "" if total is None else " (--limit 0 shows all)")))
    else:
        emit(render.quote_rows(found, exact=fmt in ("csv", "json")), fmt, f"quotes {name}")
    if total is not None and fmt != "table":
        err.print(render.cut_short(len(found), total, f"quotes for {name}"), soft_wrap=True)


def _heading(codebook: fq.Codebook, code: str | None) -> str:
    """A sub-topic's or theme's heading (``1.1 Handover notes``), or ``the study``."""
    if code is not None:
        for find in (codebook.subtopic, codebook.theme):
            with contextlib.suppress(KeyError):
                return find(code).heading
    return "the study"


@app.command()
@handled
def search(
    words: Annotated[str, typer.Argument(help="Words (all must occur), \"a phrase\", "
                                         "prefix*, OR, NOT; or a pattern with --regex.")],
    regex: Annotated[bool, typer.Option(help="WORDS is a Python regular expression "
                                        "(case-insensitive).")] = False,
    case: Annotated[str | None, typer.Option(help="Only this case (or source).")] = None,
    coded: Annotated[bool, typer.Option("--coded", help="Only coded segments.")] = False,
    uncoded: Annotated[bool, typer.Option("--uncoded", help="Only segments not coded "
                                          "yet.")] = False,
    speaker: Annotated[str | None, typer.Option(help="participant, interviewer or a "
                                                "speaker's label.")] = None,
    full: Annotated[bool, typer.Option(help="The whole segment, not a snippet.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 100,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Find segments by their words, with the matches highlighted and refs to code them.

    Shows the first 100 in matrix row order unless --limit says otherwise; when
    there are more, the table's title says how many, and in csv, json and
    markdown a note on standard error.

    \b
    Example: fqda search "budget*" --uncoded --speaker participant
    """
    if coded and uncoded:
        raise fq.FqdaError("give --coded or --uncoded, not both")
    with opened(study) as s:
        found = s.search(words, regex=regex, case=case, speaker=speaker, limit=limit,
                         coded=True if coded else False if uncoded else None)
    if fmt == "table":
        if not found:
            err.print("nothing found")
            return
        more = f" (the first {limit} of {found.total:,}; --limit 0 shows all)" \
            if found.total > len(found) else ""
        out.print(render.passage_table(found, f"{len(found)} segment(s){more}", full))
        return
    if fmt == "markdown":
        sys.stdout.write(render.passages_markdown(found))
    else:
        emit(render.passage_rows(found, exact=fmt in ("csv", "json")), fmt)
    if found.total > len(found):
        err.print(render.cut_short(len(found), found.total, "segments found"), soft_wrap=True)


@app.command()
@handled
def cooccur(
    codes: Annotated[list[str] | None, typer.Argument(metavar="[A B]", help="Two sub-topics: "
                                                      "list the segments coded to both.")]
    = None,
    theme: Annotated[str | None, typer.Option(help="Only this theme's sub-topics.")] = None,
    count: Annotated[str, typer.Option(help="What the table counts: segments coded to "
                                       "both, or cases with codings of both.")] = "segments",
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Co-occurrence: sub-topic × sub-topic counts of segments (or, with --count cases,
    of cases) coded to both; with two codes, the segments coded to both.

    \b
    Example: fqda cooccur --theme 2

    \b
    Example: fqda cooccur --count cases

    \b
    Example: fqda cooccur 2.3 3.1
    """
    if count not in render.COUNTS:
        raise fq.FqdaError(f"--count {count}: use segments or cases")
    if codes and len(codes) != 2:
        raise fq.FqdaError("give two sub-topic codes (fqda cooccur 2.3 3.1), or none")
    with opened(study) as s:
        if codes:
            found = s.cooccurring(codes[0], codes[1])
        else:
            co = s.cooccurrence(theme)
    if codes and fmt == "table" and not found:
        err.print("no segment is coded to both")
    elif codes and fmt == "table":
        out.print(render.passage_table(found, f"coded to both {codes[0]} and {codes[1]}",
                                       full=True))
    elif codes and fmt == "markdown":
        sys.stdout.write(render.passages_markdown(found))
    elif codes:
        emit(render.passage_rows(found, exact=fmt in ("csv", "json")), fmt)
    elif fmt == "table":
        out.print(render.cooccur_table(co, count))
    else:
        emit(render.cooccur_rows(co), fmt)
