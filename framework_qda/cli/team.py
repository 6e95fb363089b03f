"""A team of coders: comparing, agreement, disagreements, blind coding and merging."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

import framework_qda as fq
from framework_qda import render
from framework_qda.cli.common import (
    CodersOpt,
    FormatOpt,
    StudyOpt,
    UnitOpt,
    _coders,
    app,
    emit,
    handled,
    opened,
    out,
    store_app,
    working,
)


@app.command()
@handled
def compare(
    by: Annotated[str, typer.Option(help="group, or any case attribute.")] = "group",
    theme: Annotated[str | None, typer.Option(help="Only this theme's sub-topics.")] = None,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Groups × sub-topics: in how many cases of each group each sub-topic came up
    (shaded from none to all in a terminal).

    \b
    Example: fqda compare --by group --theme 2
    """
    with opened(study) as s:
        comparison = s.compare(by, theme)
    if fmt == "table":
        out.print(render.compare_table(comparison))
    else:
        emit(render.compare_rows(comparison), fmt)


@app.command()
@handled
def agreement(
    coders: CodersOpt = "",
    theme: Annotated[str | None, typer.Option(help="Only this theme's sub-topics.")] = None,
    unit: UnitOpt = "segment",
    include_uncoded: Annotated[bool, typer.Option(
        "--include-uncoded", help="Count text no one coded (as agreement on absence) in "
        "the sources every coder coded; by default it is left out.")] = False,
    overlap: Annotated[float | None, typer.Option(
        help="Also match codings of different extents: a share of the shorter coding "
        "they must share (for example 0.6).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    study: StudyOpt = None,
) -> None:
    """Agreement between coders: percent, Cohen's kappa and Krippendorff's alpha,
    per sub-topic and overall, over text units and over matrix cells.

    \b
    Example: fqda agreement --coders hb,jk --theme 1 --overlap 0.6
    """
    from framework_qda.render.agreement import agreement_notes, agreement_rows, overlap_rows

    if fmt not in ("table", "csv", "json"):
        raise fq.FqdaError(f"unknown format {fmt!r}; use table, csv or json")
    with opened(study) as s:
        a = s.agreement(_coders(coders), theme, unit, include_uncoded, overlap)
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps({
            "coders": list(a.coders), "unit": a.unit, "units_counted": a.universe,
            "figures": agreement_rows(a, exact=True),
            "overlap_threshold": a.overlap_threshold, "overlap": overlap_rows(a),
        }, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        emit(agreement_rows(a, exact=True), fmt)
        return
    for line in agreement_notes(a):
        out.print(line, markup=False, highlight=False)
    emit(agreement_rows(a), fmt, "agreement")
    if a.overlap_threshold is not None:
        emit(overlap_rows(a), fmt, "span overlap")


@app.command()
@handled
def disagreements(
    coders: CodersOpt = "",
    theme: Annotated[str | None, typer.Option(help="Only this theme's sub-topics.")] = None,
    unit: UnitOpt = "segment",
    cells: Annotated[bool, typer.Option(
        "--cells", help="Matrix cells instead of passages: each (case, sub-topic) one "
        "coder found evidence for and another did not.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="table, markdown, csv or json.")] = "table",
    study: StudyOpt = None,
) -> None:
    """Every passage where the coders differ, with their codings, the sub-topic's
    definition and the refs: the agenda of a consensus meeting.  With --cells,
    every matrix cell where they differ on whether the case has evidence.

    \b
    Example: fqda disagreements --coders hb,jk --format markdown
    Example: fqda disagreements --cells --theme 2
    """
    from framework_qda.render.agreement import cell_disagreement_rows, disagreement_rows

    with opened(study) as s:
        if cells:
            emit(cell_disagreement_rows(s.cell_disagreements(_coders(coders), theme)), fmt,
                 "cells where the coders differ")
            return
        found = s.disagreements(_coders(coders), theme, unit)
    emit(disagreement_rows(found, text=fmt != "table"), fmt, "disagreements")


@app.command()
@handled
def resolve(
    ref: Annotated[str, typer.Argument(help="The passage (P07:12, P07:12.2, P07:12-14); "
                                       "with --summary, the case.")],
    subtopic: Annotated[str, typer.Argument(help="The sub-topic code.")],
    keep: Annotated[str, typer.Option(help="A coder's name (their codings there, or their "
                                      "summary), both, or none.")] = "",
    summary: Annotated[bool, typer.Option(
        "--summary", help="Settle the cell's summary instead: --keep a coder's, or "
        "--text the agreed words.")] = False,
    text: Annotated[str | None, typer.Option(help="With --summary: the agreed summary "
                                             "(n/a for not applicable).")] = None,
    coders: CodersOpt = "",
    coder: Annotated[str | None, typer.Option(help="Who records it (for the history).")]
    = None,
    study: StudyOpt = None,
) -> None:
    """Record the agreed coding of a passage in the consensus layer; every coder's
    own codings stay as they were.  With --summary, make a cell's summary the
    consensus; every coder's own summary stays as their version.

    \b
    Example: fqda resolve P7:12 2.3 --keep both
    Example: fqda resolve P7 2.3 --summary --text "Funding comes in short grants [P7:12]"
    """
    with opened(study) as s:
        if summary:
            cell = s.resolve_summary(ref, subtopic, keep, text, coder)
            shown = next(v for v in cell.versions if v.shown)
            out.print(f"consensus summary for {cell.case_id} × {cell.subtopic}: "
                      + (f"kept {keep}'s" if keep else "the agreed text")
                      + f" ({len(cell.versions) - 1} coder version(s) kept)",
                      markup=False, highlight=False)
            out.print(shown.text or "n/a", markup=False, highlight=False)
            return
        if text is not None:
            raise fq.FqdaError("--text is for --summary; a passage takes --keep")
        if not keep:
            raise fq.FqdaError("say what was agreed: --keep CODER, both or none")
        r = s.resolve(ref, subtopic, keep, _coders(coders), coder)
    what = ", ".join(r.coded) if r.coded else "not coded"
    out.print(f"consensus for {r.ref} × {r.subtopic}: {what} (kept {r.kept})",
              markup=False, highlight=False)


@app.command()
@handled
def blind(
    state: Annotated[str, typer.Argument(help="on or off.")],
    coder: Annotated[str | None, typer.Option(help="Whose views (default: yours: "
                                              "$FQDA_CODER, then git user.name).")] = None,
    study: StudyOpt = None,
) -> None:
    """Blind a coder: while on, their views show only their own codings and summaries.

    \b
    Example: fqda blind on --coder jk
    """
    if state not in ("on", "off"):
        raise fq.FqdaError(f"say on or off, not {state!r}")
    with opened(study) as s:
        who = s.blind(state == "on", coder)
    out.print(f"blinding is {state} for {who}", markup=False, highlight=False)


@app.command()
@handled
def merge(
    other: Annotated[Path, typer.Argument(help="Another copy of the study (a folder) or a "
                                          "codings CSV/XLSX.")],
    coder: Annotated[str | None, typer.Option(help="For a file: whose codings; for a "
                                              "folder: only this coder's layer.")] = None,
    study: StudyOpt = None,
) -> None:
    """Bring another copy's codings and summaries in as their coders' layers.

    \b
    Example: fqda merge jk-codings.csv --coder jk
    """
    from framework_qda.render.agreement import merge_lines

    with opened(study) as s, working("the merge"):
        report = s.merge(other, coder)
    for line in merge_lines(report):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@store_app.command("copy")
@handled
def store_copy(
    to: Annotated[str, typer.Option(
        "--to", help="An empty store: postgresql://host/db?schema=NAME, or a SQLite file "
        "that does not exist yet.")],
    study: StudyOpt = None,
) -> None:
    """Copy the whole study (its history too) into another store, exactly: from the
    .fqda/ file to the team's PostgreSQL server, or back. The study is only read;
    set store: in fqda.yaml (or FQDA_STORE) to the copy to work there.

    \b
    Example: fqda store copy --to backup/study-copy.db
    """
    if "://" not in to:
        to = str(Path(to).absolute())
    with opened(study) as s:
        copied, where = s.copy_store(to)
    out.print(f"copied {copied.rows} rows into {where}", markup=False, highlight=False)
    for table, count in copied.counts:
        if count:
            out.print(f"  {table:<16} {count:>8}", markup=False, highlight=False)


@store_app.command("grant")
@handled
def store_grant(
    roles: Annotated[list[str], typer.Argument(help="Coders' roles on the server.")],
    study: StudyOpt = None,
) -> None:
    """Let coders work on a study kept on a PostgreSQL server: each connects as their
    own role, named as they code (a blind coder's role can then change only their
    own layer). Run it as the role that made the study.

    \b
    Example: fqda store grant ana ben
    """
    with opened(study) as s:
        s.grant(roles)
    out.print(f"granted {', '.join(roles)} the study", markup=False, highlight=False)
