"""Familiarisation: cases, transcripts in, reading them, and the names register."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

import framework_qda as fq
from framework_qda import render
from framework_qda.cli.common import (
    STDIN_NAME,
    FormatOpt,
    StudyOpt,
    _labelled,
    _read_stdin,
    _shown,
    app,
    cases_app,
    emit,
    err,
    handled,
    names_app,
    opened,
    out,
    rich_console,
)


@cases_app.command("import")
@handled
def cases_import(file: Annotated[Path, typer.Argument(help="CSV/XLSX file, or - for "
                                                       "standard input.")],
                 study: StudyOpt = None) -> None:
    """Import cases: a case column, a group column, then any attributes.

    \b
    Example: fqda cases import cases.csv
    """
    data = _read_stdin(file)
    with opened(study) as s:
        added, updated = s.import_cases(STDIN_NAME if data is not None else file, data)
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
    new_cases: Annotated[bool, typer.Option("--new-cases", help="Create cases the study "
                                            "does not have (empty sample group).")] = False,
    id_column: Annotated[str, typer.Option("--id-column", help="Survey tables: the case id "
                                           "column (default: case, id, or the first).")] = "",
    columns: Annotated[str, typer.Option("--columns", help="Survey tables: answer columns, "
                                         "comma-separated, e.g. q1,q3.")] = "",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Processes reading and "
                                      "segmenting files (default 0: one per core).")] = 0,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Read transcripts into the study: speaker turns, segments, sentences.

    Reads .txt .md (incl. Otter.ai exports) .docx .odt .vtt .srt .sbv .pdf;
    a .csv/.xlsx survey table named here gives one source per row (case).

    \b
    Example: fqda ingest transcripts/P7.txt

    \b
    Example: fqda ingest survey.csv --id-column id --columns q1,q3 --new-cases

    \b
    Example: fqda ingest --format csv
    """
    if fmt not in render.FORMATS:
        raise fq.FqdaError(f"unknown format {fmt!r}; use one of {', '.join(render.FORMATS)}")
    from rich.progress import Progress

    from framework_qda.ingest import IngestOptions

    options = IngestOptions(case=case, model=model, force=force, new_cases=new_cases,
                            id_column=id_column, jobs=jobs,
                            columns=tuple(c.strip() for c in columns.split(",") if c.strip()))
    with opened(study) as s, Progress(console=rich_console(err), transient=True) as bar:
        task = bar.add_task("ingesting", total=None)
        report = s.ingest_files(paths or [], options,
                                progress=lambda p: bar.update(task, description=p.name,
                                                              advance=1))
    rows, tally = render.ingest_rows(report, _shown), render.ingest_tally(report)
    if fmt != "table":  # every file (each survey row too), for a script to read
        sys.stdout.write(render.to_text(render.ingest_records(report), fmt))
        err.print(tally, markup=False, highlight=False)
    else:
        if rows:
            out.print(render.rich_table(rows, "ingest"))
        out.print(tally)
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
    """Print a transcript's numbered segments (ids such as P7:12 are what you code).

    \b
    Example: fqda show P7 --from 10 --to 20
    """
    with opened(study) as s:
        emit(render.segment_rows(s.segments(case, start, end)), fmt, case)


@names_app.command("scan")
@handled
def names_scan(
    names: Annotated[Path | None, typer.Option(help="A file of names to look for, one a "
                                               "line.")] = None,
    model: Annotated[str, typer.Option(help="An installed spaCy pipeline with an entity "
                                       "recogniser.")] = "",
    study: StudyOpt = None,
) -> None:
    """Find candidates for the names register: speaker labels, case attributes, recurring
    capitalised words, e-mail addresses, phone numbers, postcodes, web addresses.

    Candidates await review (fqda pseudonymise list / accept / reject); decisions
    already made stay.

    \b
    Example: fqda pseudonymise scan --names staff-names.txt
    """
    with opened(study) as s:
        found = s.scan_names(names, model)
        waiting = len(s.names("candidate"))
    emit(render.name_rows(found), "table", "candidates found")
    out.print(f"{len(found)} found; {waiting} await review", highlight=False)


@names_app.command("list")
@handled
def names_list(
    status: Annotated[str | None, typer.Option(help="candidate, accepted or rejected.")]
    = None,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """The names register: real names, their pseudonyms, and what is still to review.

    \b
    Example: fqda pseudonymise list --status candidate
    """
    with opened(study) as s:
        entries = s.names(status)
    emit(render.name_rows(entries), fmt, "names register")


@names_app.command("accept")
@handled
def names_accept(
    real: Annotated[str, typer.Argument(help="The real name or phrase.")],
    as_: Annotated[str | None, typer.Option("--as", help="Its pseudonym (default: the one "
                                            "proposed).")] = None,
    case: Annotated[str, typer.Option(help="Only in this case's text.")] = "",
    study: StudyOpt = None,
) -> None:
    """Accept a name for replacement (or add one): every pseudonymised output replaces it.

    \b
    Example: fqda pseudonymise accept Sarah --as "[P7's manager]"
    """
    with opened(study) as s:
        s.decide_name(real, True, as_, case)
    out.print(f"{real} will be replaced", markup=False, highlight=False)


@names_app.command("reject")
@handled
def names_reject(
    real: Annotated[str, typer.Argument(help="The candidate that is not a name to hide.")]
    = "",
    case: Annotated[str, typer.Option(help="The case the entry is for.")] = "",
    remaining: Annotated[bool, typer.Option("--remaining", help="Every candidate still "
                                            "awaiting review, once you have accepted the "
                                            "names.")] = False,
    study: StudyOpt = None,
) -> None:
    """Reject a candidate: it is left as it is in outputs and no longer blocks them.

    \b
    Example: fqda pseudonymise reject Council
    """
    if bool(real) == remaining:
        raise fq.FqdaError("name the candidate to reject, or give --remaining")
    with opened(study) as s:
        names = [e.real for e in s.names("candidate")] if remaining else [real]
        for name in names:
            s.decide_name(name, False, None, case)
    out.print(f"{', '.join(names) or 'nothing'}: not replaced", markup=False,
              highlight=False)


@names_app.command("import")
@handled
def names_import(file: Path, study: StudyOpt = None) -> None:
    """Add entries to the register from a CSV: real,pseudonym[,case,kind,status].

    \b
    Example: fqda pseudonymise import names.csv
    """
    with opened(study) as s:
        n = s.import_names(file)
    out.print(f"{n} register entries imported", highlight=False)


@names_app.command("export")
@handled
def names_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write it (it "
                                         "holds real names: keep it with the team).")],
    study: StudyOpt = None,
) -> None:
    """Write the names register as CSV.

    \b
    Example: fqda pseudonymise export -o ../private/names.csv
    """
    with opened(study) as s:
        path = s.export_names(output)
    out.print(f"register written to {_shown(path)}", highlight=False)


@names_app.command("check")
@handled
def names_check(
    files: Annotated[list[Path], typer.Argument(help="Output files to check (xlsx, docx, "
                                                "csv, md, html, qdpx, …).")],
    study: StudyOpt = None,
) -> None:
    """Check output files for every name of the register and every unreviewed candidate;
    exit 1 listing where one stands.

    \b
    Example: fqda pseudonymise check matrices/framework.xlsx matrices/quotes.md
    """
    with opened(study) as s:
        leaks = s.check_outputs(files)
    for leak in leaks:
        err.print(_labelled("leak:", "red", leak.describe()))
    if leaks:
        raise typer.Exit(1)
    out.print(f"no name of the register in {len(files)} file(s)", highlight=False)
