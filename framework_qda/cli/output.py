"""Output: the workbook, CSV tables, quote bank, HTML matrices and REFI-QDA projects."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import framework_qda as fq
from framework_qda.cli.common import (
    STDIO,
    StudyOpt,
    _labelled,
    _shown,
    _write_stdout,
    err,
    export_app,
    handled,
    import_app,
    opened,
    out,
    say,
    working,
)


@export_app.command("excel")
@handled
def export_excel(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Workbook to write "
                                                "(default: matrices/framework.xlsx).")] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Only this theme.")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    attribute: Annotated[list[str] | None, typer.Option(help="Also show this case attribute "
                                                        "as a column (after fqda.yaml's "
                                                        "order_by).")] = None,
    suggested: Annotated[bool, typer.Option("--suggested", help="Also show rule suggestions "
                                            "awaiting review, marked (never evidence).")]
    = False,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Write the framework matrices to an Excel workbook, one sheet per theme.

    Each matrix cell holds the summary, then the evidence with refs; the
    Evidence, Codebook, Cases, Coverage and Key sheets follow.

    \b
    Example: fqda export excel -o matrices/framework.xlsx --theme 2 --group "Frontline practitioner"
    """
    with opened(study) as s, working("the workbook"):
        path = s.export_excel(output, theme or [], group or [], attribute or [], suggested,
                              pseudonymise)
    say(f"workbook written to {_shown(path)}")


@export_app.command("csv")
@handled
def export_csv(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Folder to write "
                                                "(default: matrices/csv).")] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Only this theme.")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    attribute: Annotated[list[str] | None, typer.Option(help="Also this case attribute "
                                                        "as a column.")] = None,
    bom: Annotated[bool, typer.Option(help="Start each file with a UTF-8 byte-order mark "
                                      "(Excel needs it to read UTF-8).")] = False,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Write tidy CSV tables: cells.csv (one row per cell), evidence.csv, theme-N.csv.

    \b
    Example: fqda export csv -o matrices/csv --bom
    """
    with opened(study) as s, working("the CSV tables"):
        paths = s.export_csv(output, theme or [], group or [], attribute or [], bom,
                             pseudonymise)
    for path in paths:
        say(f"written {_shown(path)}")


@import_app.command("project")
@handled
def import_project(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project: .qdpx, or .qde beside "
                                         "its sources folder.")],
    group_variable: Annotated[str | None, typer.Option(
        "--group-variable", help="The case variable that holds the sample group "
        "(default: one named group).")] = None,
    new: Annotated[bool, typer.Option("--new", help="Make the --study folder a new study "
                                      "first.")] = False,
    study: StudyOpt = None,
) -> None:
    """Import a project from NVivo, ATLAS.ti, MAXQDA or QualCoder: sources (each also a
    file in transcripts/), cases and variables, the codebook, codings with their coders,
    memos and notes, sets. All or nothing; importing it again changes nothing.

    \b
    Example: fqda import project study.qdpx
    """
    if new:
        fq.init_study(study or Path.cwd())
    with opened(study) as s:
        r = s.import_project(file, group_variable)
    for warning in r.warnings:
        err.print(_labelled("warning:", "yellow", warning), soft_wrap=True)
    from framework_qda.render.project import project_import_lines

    for line in project_import_lines(r):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    for line in r.missing:
        err.print(_labelled("not imported:", "yellow", line), soft_wrap=True)


@export_app.command("project")
@handled
def export_project(
    output: Annotated[Path, typer.Option("-o", "--output", help="The .qdpx to write.")],
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names in sources, speakers, "
                                               "attributes, memos and summaries (offsets "
                                               "follow); refused if the check finds one")
                            ] = False,
    study: StudyOpt = None,
) -> None:
    """Write the whole study as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA
    or QualCoder: sources, cases with attributes, codebook, accepted codings with their
    coders, and each cell's summary as a note linked to its codings.

    \b
    Example: fqda export project -o study.qdpx
    """
    with opened(study) as s, working("the project"):
        path = s.export_project(output, pseudonymise)
    say(f"written {_shown(path)}")


@export_app.command("quotes")
@handled
def export_quotes(
    file: Annotated[Path | None, typer.Argument(help="File to write (.md or .docx); the "
                                                "same as -o.", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write "
                                                "(default: matrices/quotes.md or .docx); - "
                                                "for standard output.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="markdown or docx "
                                            "(default: from the file's suffix).")] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Only this theme.")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    speaker: Annotated[str, typer.Option(help="participant (the default), interviewer, "
                                         "other, a speaker's label, or any.")]
    = "participant",
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Write a quote bank: a contents list, then each coded passage once under its theme,
    sub-topic and sample group, attributed; Word's paper is fqda.yaml's paper setting.

    \b
    Example: fqda export quotes matrices/quotes.docx --theme 2
    Example: fqda export quotes --format docx --theme 2 --group "Council chief executive"
    Example: fqda export quotes -o - --theme 2
    """
    if file is not None and output is not None:
        raise fq.FqdaError("name the file once: as the argument or with -o")
    output = output if file is None else file
    with opened(study) as s:
        if output == STDIO:
            if pseudonymise:
                raise fq.FqdaError("a pseudonymised quote bank is written to a file, so that "
                                   "it can be checked for leaks: name one with -o")
            data = s.quote_bank(fmt or "markdown", theme or [], group or [], speaker)
            _write_stdout(data, binary=(fmt or "").casefold() in ("docx", "word"))
            return
        with working("the quote bank"):
            path = s.export_quotes(output, fmt, theme or [], group or [], speaker, pseudonymise)
    say(f"quote bank written to {_shown(path)}")


@export_app.command("html")
@handled
def export_html(
    file: Annotated[Path | None, typer.Argument(help="The .html file to write (default: "
                                                "matrices/framework.html).",
                                                show_default=False)] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Only this theme.")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Write every framework matrix to one self-contained HTML page (no network, no
    server): click a cell for its summary and evidence; filter by group; search.

    \b
    Example: fqda export html matrices/framework.html
    Example: fqda export html share/matrices.html --pseudonymise --theme 2
    """
    with opened(study) as s, working("the HTML matrices"):
        path = s.export_html(file, theme or [], group or [], pseudonymise)
    say(f"matrices written to {_shown(path)}")
