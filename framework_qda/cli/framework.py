"""The working analytical framework: the codebook in, out and changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from framework_qda import render
from framework_qda.cli.common import (
    STDIO,
    FormatOpt,
    StudyOpt,
    _labelled,
    _shown,
    _write_stdout,
    codebook_app,
    emit,
    err,
    handled,
    opened,
    out,
)


@codebook_app.command("import")
@handled
def codebook_import(
    file: Annotated[Path, typer.Argument(help="A .yaml, .csv, .xlsx, REFI-QDA .qdc, "
                                         ".qdpx or .qde codebook.")],
    study: StudyOpt = None,
) -> None:
    """Make the study's framework equal to a codebook file; sub-topics are matched by
    GUID, then code, so codings and summaries stay (a kept GUID under a new code is a
    change of code).

    \b
    Example: fqda codebook import codebooks/framework.yaml
    """
    with opened(study) as s:
        changes = s.import_codebook(file)
        total = len(s.codebook.subtopics)
    for warning in changes.warnings:
        err.print(_labelled("warning:", "yellow", warning), soft_wrap=True)
    out.print(f"{total} sub-topics: " + ", ".join(
        f"{n} {k}" for k, n in changes.counts().items()), highlight=False)
    for old_new in changes.recoded:
        out.print(f"  code {old_new}", markup=False, highlight=False)


@codebook_app.command("show")
@handled
def codebook_show(fmt: FormatOpt = "table", study: StudyOpt = None) -> None:
    """Show the framework as a tree, with the codings and cases under each sub-topic.

    \b
    Example: fqda codebook show --format csv
    """
    with opened(study) as s:
        cb = s.codebook
        use = s.codebook_use()
    if fmt == "table":
        if not cb.themes:
            err.print("no codebook yet; run `fqda codebook import FILE`")
            return
        out.print(render.codebook_tree(cb, use))
    else:
        emit(render.codebook_rows(cb, use), fmt, cb.title)


@codebook_app.command("export")
@handled
def codebook_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; - for "
                                         "standard output.")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="yaml, csv, xlsx or qdc "
                                            "(default: from the file's suffix; yaml for "
                                            "-).")] = None,
    study: StudyOpt = None,
) -> None:
    """Write the study's framework as YAML, CSV, XLSX or REFI-QDA .qdc (GUIDs kept stable).

    \b
    Example: fqda codebook export --format qdc -o matrices/framework.qdc
    Example: fqda codebook export -o - --format csv
    """
    with opened(study) as s:
        if output == STDIO:
            _write_stdout(s.codebook_bytes(fmt or "yaml"), binary=fmt == "xlsx")
            return
        path = s.export_codebook(output, fmt)
    out.print(f"codebook written to {_shown(path)}", highlight=False)


@codebook_app.command("diff")
@handled
def codebook_diff(
    old: Annotated[Path, typer.Argument(help="The earlier codebook file (any format).")],
    new: Annotated[Path, typer.Argument(help="The later codebook file (any format).")],
    fmt: FormatOpt = "table",
) -> None:
    """What changed between two codebook files: added, removed, renamed, changed.

    \b
    Example: fqda codebook diff old/framework.yaml codebooks/framework.yaml
    """
    from framework_qda.codebook_changes import diff_files

    differences = diff_files(old, new)
    if not differences and fmt == "table":
        out.print("no differences")
        return
    emit(render.difference_rows(differences), fmt, f"{old} → {new}")


def _report_change(change: Any) -> None:
    out.print(f"{change.action} {change.subject}: {change.detail}", markup=False,
              highlight=False)
    if change.file:
        out.print(f"codebook file updated: {change.file}", markup=False, highlight=False)


@codebook_app.command("rename")
@handled
def codebook_rename(
    code_: Annotated[str, typer.Argument(metavar="CODE", help="A sub-topic (or theme) code.")],
    label: Annotated[str, typer.Argument(help="The new label.")],
    study: StudyOpt = None,
) -> None:
    """Give a sub-topic (or theme) a new label; codings and summaries stay.

    \b
    Example: fqda codebook rename 2.3 "Pooled and aligned budgets"
    """
    with opened(study) as s:
        _report_change(s.rename_subtopic(code_, label))


@codebook_app.command("merge")
@handled
def codebook_merge(
    code_: Annotated[str, typer.Argument(metavar="CODE", help="The sub-topic to fold in.")],
    into: Annotated[str, typer.Option("--into", help="The sub-topic that remains.")],
    study: StudyOpt = None,
) -> None:
    """Merge one sub-topic into another: codings move (duplicates collapse); summaries
    move, or are joined and marked stale where both cells had one.

    \b
    Example: fqda codebook merge 2.4 --into 2.3
    """
    with opened(study) as s:
        _report_change(s.merge_subtopics(code_, into))


@codebook_app.command("move")
@handled
def codebook_move(
    code_: Annotated[str, typer.Argument(metavar="CODE", help="The sub-topic to move.")],
    to_theme: Annotated[str, typer.Option("--to-theme", help="The theme to move it to.")],
    study: StudyOpt = None,
) -> None:
    """Move a sub-topic to another theme; it gets that theme's next free code.

    \b
    Example: fqda codebook move 2.3 --to-theme 3
    """
    with opened(study) as s:
        _report_change(s.move_subtopic(code_, to_theme))


@codebook_app.command("remove")
@handled
def codebook_remove(
    code_: Annotated[str, typer.Argument(metavar="CODE", help="The sub-topic to remove.")],
    force: Annotated[bool, typer.Option(help="Also delete the codings and summaries that "
                                        "rest on it (they are counted).")] = False,
    study: StudyOpt = None,
) -> None:
    """Remove a sub-topic; refused while codings or summaries rest on it, unless --force.

    \b
    Example: fqda codebook remove 2.4 --force
    """
    with opened(study) as s:
        _report_change(s.remove_subtopic(code_, force))


@codebook_app.command("log")
@handled
def codebook_log(fmt: FormatOpt = "table", study: StudyOpt = None) -> None:
    """Every change of the framework: what, when and by whom.

    \b
    Example: fqda codebook log --format csv
    """
    with opened(study) as s:
        changes = s.codebook_log()
    emit(render.change_rows(changes), fmt, "codebook changes")
