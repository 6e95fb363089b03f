"""Commands over the whole study: make one, run the pipeline, its state and history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import framework_qda as fq
from framework_qda import render
from framework_qda.cli.common import (
    FormatOpt,
    StudyOpt,
    _labelled,
    _shown,
    app,
    emit,
    err,
    handled,
    opened,
    out,
    rich_console,
)


@app.command()
@handled
def init(directory: Annotated[Path, typer.Argument(help="Folder to make the study in.")]
         = Path(".")) -> None:
    """Make a study folder: transcripts/, codebooks/ (with a commented template),
    matrices/, cases.csv, fqda.yaml and a .gitignore; existing files are kept.

    \b
    Example: fqda init my-study
    """
    from framework_qda.scaffold import NEXT_STEPS

    root = fq.init_study(directory)
    out.print(f"study ready in {root}")
    out.print("next:")
    for step in NEXT_STEPS:
        out.print(f"  {step}", soft_wrap=True)


@app.command()
@handled
def run(
    prefer: Annotated[str | None, typer.Option(help="When codings.csv or summaries.csv "
                                               "conflicts with work done in the study since "
                                               "it was last applied: 'study' keeps the "
                                               "study's, 'file' applies the file's.")] = None,
    study: StudyOpt = None,
) -> None:
    """The whole pipeline: cases, codebook, transcripts, codings, suggestions, summaries,
    then the workbook, the CSV tables and the quote bank.  Each step is reported on
    stderr as it finishes.

    Hand-written files are applied only when they changed since the last run, and
    never over what was done in the study since: such rows are reported as
    conflicts (exit 1) until --prefer says which side wins.

    \b
    Example: fqda run
    """
    if prefer not in (None, "file", "study"):
        raise fq.FqdaError(f"--prefer takes file or study, not {prefer!r}")
    from rich.progress import Progress

    with opened(study) as s, Progress(console=rich_console(err), transient=True) as bar:
        task = bar.add_task("ingesting", total=None)

        def step(name: str, what: str) -> None:
            bar.console.print(f"{name:>10}  {what}", markup=False, highlight=False,
                              emoji=False)

        report = s.run(progress=lambda p: bar.update(task, description=p.name, advance=1),
                       step=step, prefer=prefer,  # type: ignore[arg-type]
                       begin=lambda what: bar.update(task, description=what))
    failed = report.ingest.failed if report.ingest else []
    for f in failed:
        err.print(_labelled("failed:", "red", f.message))
    for conflict in report.conflicts:
        err.print(_labelled("conflict:", "red", conflict))
    for path in report.written:
        out.print(f"written: {_shown(path)}", markup=False, highlight=False)
    if failed or report.conflicts:
        raise typer.Exit(1)


@app.command()
@handled
def status(
    section: Annotated[str | None, typer.Option(help="themes, cases, gaps or stale "
                                                "(default: all, as tables).")] = None,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Charting progress: cells by state per theme, per case, the gaps and stale cells.

    In the overview a section longer than 40 rows is summed up in one line (the
    gaps: how many cases and cells of each kind, and the first cases); --section
    shows it whole.  The overview is counted without a row per cell, so it stays
    quick on 10,000 cases.

    \b
    Example: fqda status --section gaps --format csv
    """
    names = render.STATUS_TITLES
    if section is not None and section not in names:
        raise fq.FqdaError(f"unknown section {section!r}; use one of {', '.join(names)}")
    if section is None and fmt != "table":
        raise fq.FqdaError(f"--format {fmt} shows one section: add --section "
                           f"{'|'.join(names)}")
    overview = None
    with opened(study) as s:
        if section is None:  # counted first: a long section is one line, never built
            overview = s.charting_overview()
            sizes = render.overview_sizes(overview)
        if overview is None or any(0 < sizes[n] <= render.STATUS_ROWS
                                   for n in ("cases", "gaps")):
            report = s.charting_status()
            sizes = render.status_sizes(report)
        else:
            from framework_qda.matrix import ChartingStatus

            report = ChartingStatus(overview.themes, [], [], overview.stale)
    shown = [section] if section is not None else \
        [n for n in names if 0 < sizes[n] <= render.STATUS_ROWS]
    sections = render.status_sections(report, shown)
    for name, title in names.items():
        if name in sections:
            emit(sections[name][1], fmt, title)
        elif section is None:
            line = render.gaps_elided(title, overview) if name == "gaps" and sizes[name] \
                and overview is not None else render.status_elided(name, title, sizes[name])
            out.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command()
@handled
def check(study: StudyOpt = None) -> None:
    """Check the whole store against its own text: each coding still covers the words
    it was made on, every segment, sentence and summary link lies inside its source,
    the search index matches.  One line per problem; exit 1 if there is any.

    \b
    Example: fqda check
    """
    with opened(study) as s:
        problems = s.check()
    for line in problems:
        out.print(line, soft_wrap=True)
    if problems:
        err.print(_labelled("error:", "red", f"{len(problems)} problem(s) found"))
        raise typer.Exit(1)
    out.print("no problems found")


@app.command()
@handled
def history(
    case: Annotated[str | None, typer.Option(help="Only changes to this case.")] = None,
    subtopic: Annotated[str | None, typer.Option(help="Only changes to this sub-topic "
                                                 "(with --case: one cell).")] = None,
    coder: Annotated[str | None, typer.Option(help="Only this coder's changes.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many actions (0: all).")] = 0,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """What changed in the study, who changed it and when, newest first.

    Every change to cases, the framework, codings and summaries is recorded with
    the row before and after (--format json shows them).

    \b
    Example: fqda history --case P7 --subtopic 2.3
    """
    with opened(study) as s:
        actions = s.history(case, subtopic, coder, limit)
    emit(render.history_rows(actions, detail=fmt == "json"), fmt, "history")


@app.command()
@handled
def undo(
    coder: Annotated[str | None, typer.Option(help="Whose last change (default: yours: "
                                              "$FQDA_CODER, then git user.name).")] = None,
    study: StudyOpt = None,
) -> None:
    """Revert your last change to the study (refused when later work depends on it).

    The undo is itself recorded in `fqda history`.

    \b
    Example: fqda undo
    """
    with opened(study) as s:
        action = s.undo(coder)
    out.print(f"undid #{action.id} ({action.command or 'a change'}): {action.summary()}",
              markup=False, highlight=False)
