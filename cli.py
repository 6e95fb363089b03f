"""The ``fqda`` command line: a thin Typer layer over :mod:`framework_qda`.

Each command parses its options, calls one library function and renders
what it returns.  No logic, no SQL.  Errors become one red line on stderr
and exit code 1; tracebacks never show local variables (participants' words).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

import framework_qda as fq
from framework_qda import render
from framework_qda.study import Study

app = typer.Typer(
    help="The Framework method of qualitative analysis, from the command line.",
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)
cases_app = typer.Typer(help="Cases and their sample groups.", no_args_is_help=True)
codebook_app = typer.Typer(help="The working analytical framework.", no_args_is_help=True)
codings_app = typer.Typer(help="Bulk import and export of codings.", no_args_is_help=True)
export_app = typer.Typer(help="Write matrices and quotes to files.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(codebook_app, name="codebook")
app.add_typer(codings_app, name="codings")
app.add_typer(export_app, name="export")

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

StudyOpt = Annotated[Path | None, typer.Option("--study", help="The study folder (default: "
                                               "found by walking up from here).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f",
                                        help="table, csv, json or markdown.")]


def handled(fn: F) -> F:
    """Turn library errors into one red line on stderr and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except fq.FqdaError as exc:
            lines = str(exc).splitlines() or [type(exc).__name__]
            err.print(f"[red]error:[/red] {lines[0]}", markup=True, highlight=False, soft_wrap=True)
            for line in lines[1:]:
                err.print(line, markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def opened(study: Path | None) -> Iterator[Study]:
    s = fq.open_study(study or Path.cwd())
    try:
        yield s
    finally:
        s.close()


def emit(rows: render.Rows, fmt: str, title: str = "") -> None:
    if fmt not in render.FORMATS:
        raise fq.FqdaError(f"unknown format {fmt!r}; use one of {', '.join(render.FORMATS)}")
    if fmt == "table":
        if not rows:
            err.print("nothing to show")
            return
        out.print(render.rich_table(rows, title))
    else:
        sys.stdout.write(render.to_text(rows, fmt))


def version_callback(value: bool) -> None:
    if value:
        out.print(f"fqda {fq.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Print the version.")] = False,
) -> None:
    """fqda: ingest transcripts, code them against a framework, chart framework matrices.

    Example: fqda run   (the whole pipeline on the study you stand in)
    """


@app.command()
@handled
def init(directory: Annotated[Path, typer.Argument(help="Folder to make the study in.")]
         = Path(".")) -> None:
    """Make a study folder: transcripts/, codebooks/, matrices/, cases.csv, fqda.yaml.

    Example: fqda init my-study
    """
    root = fq.init_study(directory)
    out.print(f"study ready in {root}")


@cases_app.command("import")
@handled
def cases_import(file: Path, study: StudyOpt = None) -> None:
    """Import cases: a case column, a group column, then any attributes.

    Example: fqda cases import cases.csv
    """
    with opened(study) as s:
        added, updated = s.import_cases(file)
    out.print(f"{added} case(s) added, {updated} updated")


@app.command()
@handled
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders "
                                                       "(default: transcripts/).")] = None,
    case: Annotated[str | None, typer.Option(help="Case id for these files.")] = None,
    model: Annotated[str, typer.Option(help="An installed spaCy pipeline to split "
                                       "sentences (default: blank English).")] = "",
    force: Annotated[bool, typer.Option(help="Re-ingest even when codings would be "
                                        "dropped (they are listed).")] = False,
    study: StudyOpt = None,
) -> None:
    """Read transcripts into the study: speaker turns, segments, sentences.

    Example: fqda ingest transcripts/P07.txt
    """
    from rich.progress import Progress

    with opened(study) as s, Progress(console=err, transient=True) as bar:
        task = bar.add_task("ingesting", total=None)
        report = s.ingest(paths or [], case=case, model=model, force=force,
                          progress=lambda p: bar.update(task, description=p.name, advance=1))
    rows: render.Rows = [{"file": f.path, "status": f.status, "case": f.case_id,
                          "segments": f.segments, "note": f.message} for f in report.files]
    if rows:
        out.print(render.rich_table(rows, "ingest"))
    out.print(", ".join(f"{report.count(k)} {k}" for k in
                        ("added", "updated", "unchanged", "skipped", "failed")))
    if report.failed:
        raise typer.Exit(1)


@app.command()
@handled
def show(
    case: Annotated[str, typer.Argument(help="A case id or source name.")],
    start: Annotated[int | None, typer.Option("--from", help="First segment.")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last segment.")] = None,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Print a transcript's numbered segments (ids such as P07:12 are what you code).

    Example: fqda show P07 --from 10 --to 20
    """
    with opened(study) as s:
        emit(render.segment_rows(s.segments(case, start, end)), fmt, case)


@codebook_app.command("import")
@handled
def codebook_import(file: Path, study: StudyOpt = None) -> None:
    """Make the study's framework equal to a codebook file (matched by code).

    Example: fqda codebook import codebooks/framework.yaml
    """
    with opened(study) as s:
        changes = s.import_codebook(file)
        total = len(s.codebook.subtopics)
    out.print(f"{total} sub-topics: " + ", ".join(
        f"{len(v)} {k}" for k, v in changes.items()))


@codebook_app.command("show")
@handled
def codebook_show(fmt: FormatOpt = "table", study: StudyOpt = None) -> None:
    """List themes and sub-topics with their codes.

    Example: fqda codebook show
    """
    with opened(study) as s:
        cb = s.codebook
    emit([{"theme": t.heading, "code": sub.code, "label": sub.label,
           "definition": sub.definition} for t in cb.themes for sub in t.subtopics], fmt,
         cb.title)


@app.command()
@handled
def code(
    targets: Annotated[list[str], typer.Argument(help="Segments (P07:12, P07:12-14) "
                                                 "then sub-topic codes (2.3).")],
    memo: Annotated[str, typer.Option(help="A note kept with the coding.")] = "",
    coder: Annotated[str | None, typer.Option(help="Who codes (default: $FQDA_CODER, "
                                              "then git user.name).")] = None,
    study: StudyOpt = None,
) -> None:
    """Code segments to sub-topics.

    Example: fqda code P07:12-14 2.3 3.1
    """
    refs = [t for t in targets if ":" in t]
    subtopics = [t for t in targets if ":" not in t]
    with opened(study) as s:
        report = s.code(refs, subtopics, coder, memo)
    out.print(f"{report.added} coding(s) added, {report.existing} already there "
              f"({', '.join(report.refs)})")


@codings_app.command("import")
@handled
def codings_import(
    file: Path,
    dry_run: Annotated[bool, typer.Option(help="Check and report; change nothing.")] = False,
    coder: Annotated[str | None, typer.Option(help="Coder for rows without one.")] = None,
    study: StudyOpt = None,
) -> None:
    """Import codings from CSV: case,segment,subtopic,coder,memo or case,start,end,subtopic,….

    Example: fqda codings import codings.csv --dry-run
    """
    with opened(study) as s:
        report = s.import_codings(file, coder, dry_run)
    if dry_run:
        out.print(f"would import {report.added} coding(s); nothing changed")
    else:
        out.print(f"{report.added} coding(s) imported, {report.existing} already there")


@codings_app.command("export")
@handled
def codings_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write.")],
    study: StudyOpt = None,
) -> None:
    """Write every accepted coding to CSV, in the format `codings import` reads.

    Example: fqda codings export -o codings.csv
    """
    with opened(study) as s:
        n = s.export_codings(output)
    out.print(f"{n} coding(s) written to {output}")


@app.command()
@handled
def chart(
    case: str,
    subtopic: str,
    text: Annotated[str, typer.Option(help="The summary to write in the cell.")] = "",
    na: Annotated[bool, typer.Option("--na", help="Mark the topic not applicable "
                                     "(not asked or not relevant).")] = False,
    study: StudyOpt = None,
) -> None:
    """Write a cell's summary (the researcher's words, with refs such as [P07:12]).

    Example: fqda chart P07 2.3 --text "Sees pooled budgets as 'the only way' [P07:12]"
    """
    if not text and not na:
        raise fq.FqdaError("give the summary with --text, or --na for not applicable")
    with opened(study) as s:
        cell = s.set_summary(case, subtopic, text, not_applicable=na)
    out.print(f"{case} × {subtopic}: {cell.state}")


@app.command()
@handled
def matrix(
    theme: str,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    full: Annotated[bool, typer.Option(help="Whole cell text, not a glimpse.")] = False,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Print one theme's framework matrix: cases by sample group × sub-topics.

    Example: fqda matrix 2 --format csv
    """
    with opened(study) as s:
        m = s.matrix(theme, group or [])
    emit(render.matrix_rows(m, full or fmt != "table"), fmt, m.theme.heading)


@app.command("case")
@handled
def case_cmd(
    case_id: Annotated[str, typer.Argument(metavar="CASE")],
    theme: Annotated[str | None, typer.Option(help="Only this theme.")] = None,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Within-case: one case's summaries and evidence, theme by theme.

    Example: fqda case P07 --theme 2
    """
    with opened(study) as s:
        profile = s.case_profile(case_id, theme)
    c = profile.case
    title = f"{c.id} · {c.group}" + "".join(f" · {k}: {v}" for k, v in c.attributes)
    emit(render.case_rows(profile), fmt, title)


@app.command("theme")
@handled
def theme_cmd(
    code_: Annotated[str, typer.Argument(metavar="THEME")],
    subtopic: Annotated[str | None, typer.Option(help="Only this sub-topic.")] = None,
    by: Annotated[str, typer.Option(help="group, or any case attribute.")] = "group",
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Within-theme: each sub-topic across the sample, grouped by sample group.

    Example: fqda theme 2 --subtopic 2.3
    """
    with opened(study) as s:
        view = s.theme_view(code_, by, subtopic)
    if fmt == "table":
        for line in render.theme_summary_lines(view):
            out.print(line, markup=False, highlight=False)
    emit(render.theme_rows(view), fmt, view.theme.heading)


@app.command()
@handled
def quotes(
    code_: Annotated[str, typer.Argument(metavar="CODE", help="A sub-topic or theme code.")],
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    where: Annotated[list[str] | None, typer.Option(help="ATTR=VALUE filter.")] = None,
    speaker: Annotated[str | None, typer.Option(help="participant, interviewer or a "
                                                "speaker's label.")] = None,
    min_words: Annotated[int, typer.Option(help="Shortest quote in words.")] = 0,
    max_words: Annotated[int, typer.Option(help="Longest quote in words (0: any).")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 0,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Verbatim quotes for a sub-topic, attributed to the speaker's sample group.

    Example: fqda quotes 2.3 --group "Voluntary-sector leader" --format markdown
    """
    filters: dict[str, str] = {}
    for item in where or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise fq.FqdaError(f"--where {item!r}: write ATTRIBUTE=VALUE, e.g. area=Rural")
        filters[key.strip()] = value.strip()
    with opened(study) as s:
        found = s.quotes(code_, groups=group or [], where=filters, speaker=speaker,
                         min_words=min_words, max_words=max_words, limit=limit)
    emit(render.quote_rows(found), fmt, f"quotes {code_}")


@export_app.command("excel")
@handled
def export_excel(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Workbook to write "
                                                "(default: matrices/framework.xlsx).")] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Only this theme.")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    study: StudyOpt = None,
) -> None:
    """Write the framework matrices to an Excel workbook, one sheet per theme.

    Example: fqda export excel -o matrices/framework.xlsx
    """
    with opened(study) as s:
        path = s.export_excel(output, theme or [], group or [])
    out.print(f"workbook written to {path}")


@app.command()
@handled
def run(study: StudyOpt = None) -> None:
    """The whole pipeline on a study: cases, codebook, ingest, codings, export.

    Example: fqda run
    """
    with opened(study) as s:
        report = s.run()
    for step, what in report.steps:
        out.print(f"{step:>10}  {what}", markup=False, highlight=False)
    if report.ingest and report.ingest.failed:
        for f in report.ingest.failed:
            err.print(f"[red]failed:[/red] {f.message}", highlight=False)
    out.print(f"workbook written to {report.workbook}", highlight=False)


if __name__ == "__main__":
    app()
