"""Charting: summarising each case's data into the matrix cells."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

import framework_qda as fq
from framework_qda import render
from framework_qda.cli.common import (
    FormatOpt,
    StudyOpt,
    _shown,
    app,
    emit,
    handled,
    opened,
    out,
    working,
)


class _ChartGroup(typer.core.TyperGroup):
    """`fqda chart P7 …` is short for `fqda chart edit P7 …`: anything that is not
    a sub-command's name goes to `edit`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["edit", *args]
        return super().parse_args(ctx, args)


chart_app = typer.Typer(
    cls=_ChartGroup, no_args_is_help=True,
    help="Charting: summaries in the matrix cells, linked to their evidence.\n\n"
         "fqda chart P7 --theme 2 is short for fqda chart edit P7 --theme 2 "
         "(likewise fqda chart P7 2.3 --text ..., fqda chart --draft).",
)
app.add_typer(chart_app, name="chart")


def _editor(template: str) -> str | None:
    """Open $VISUAL/$EDITOR on the template; None when it was closed without saving.

    An editor that exits with an error raises :class:`EditorFailed` with what the
    file held, so the library can keep it (click's own editor call deletes it).
    """
    import os
    import subprocess
    import tempfile

    from framework_qda.errors import EditorFailed

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="fqda-chart-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(template)
        before = os.stat(name).st_mtime_ns
        status = subprocess.call(f'{editor} "{name}"', shell=True)  # as click runs it
        try:
            with open(name, encoding="utf-8") as f:
                edited: str | None = f.read()
        except (OSError, UnicodeDecodeError):
            edited = None
        saved = os.stat(name).st_mtime_ns != before if os.path.exists(name) else False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    if status != 0:
        raise EditorFailed(status, edited)
    return edited if saved else None


def _prompt(template: str) -> str | None:
    """Show the template's comment lines and ask for the summary on one line."""
    from framework_qda.charting import read_template

    for line in template.splitlines():
        if line.startswith("#"):
            out.print(line, markup=False, highlight=False, soft_wrap=True)

    current = read_template(template)
    if current:
        out.print(f"current: {current}", markup=False, highlight=False, soft_wrap=True)
    answer: str = typer.prompt("summary (Enter leaves the cell as it is)", default="",
                               show_default=False)
    return answer or None


@chart_app.command("edit")
@handled
def chart_edit(
    case: Annotated[str | None, typer.Argument(help="The case to chart.")] = None,
    subtopic: Annotated[str | None, typer.Argument(help="One sub-topic (with --text/--na).")]
    = None,
    theme: Annotated[str | None, typer.Option(help="Chart this theme's cells of the case.")]
    = None,
    text: Annotated[str | None, typer.Option(help="Write this summary in the cell (empty "
                                             "text removes the summary).")] = None,
    na: Annotated[bool, typer.Option("--na", help="Mark the topic not applicable.")] = False,
    draft: Annotated[bool, typer.Option("--draft", help="Draft summaries for coded cells "
                                        "(never over a human summary).")] = False,
    inline: Annotated[bool, typer.Option("--inline", help="Prompt in the terminal instead "
                                         "of opening $VISUAL/$EDITOR.")] = False,
    everything: Annotated[bool, typer.Option("--all", help="Also go through empty cells.")]
    = False,
    replace: Annotated[bool, typer.Option("--replace", help="With --text/--na: write over a "
                                          "person's summary (the earlier text stays in "
                                          "`fqda history`).")] = False,
    author: Annotated[str | None, typer.Option(help="Who writes (default: $FQDA_CODER, then "
                                               "git user.name).")] = None,
    study: StudyOpt = None,
) -> None:
    """Write summaries: in $VISUAL/$EDITOR cell by cell, directly, or as machine drafts.

    A summary keeps the participant's language and cites segments as [P7:12]
    (or [P7:12, P7:14]); cited segments become links.  In the editor the
    evidence is shown as '#' lines; save to write, quit without saving to skip.

    \b
    Example: fqda chart P7 --theme 2
    Example: fqda chart P7 2.3 --text "Funding is a patchwork of little grants [P7:12]"
    Example: fqda chart P7 2.4 --na
    Example: fqda chart --draft --theme 2
    """
    import os

    with opened(study) as s:
        if draft:
            done = s.draft_summaries(theme, case)
            out.print(f"{len(done)} cell(s) drafted; review them with `fqda chart CASE --theme T` "
                      "or accept them with `fqda chart accept`", highlight=False)
            return
        if case is None:
            raise fq.FqdaError("name a case: fqda chart P7 --theme 2, or fqda chart --draft")
        if subtopic is not None:
            if text is None and not na:
                raise fq.FqdaError("give the summary with --text, or --na for not applicable")
            cell = s.set_summary(case, subtopic, text or "", not_applicable=na, author=author,
                                 replace=replace)
            out.print(f"{case} × {subtopic}: {cell.state}", highlight=False)
            return
        if theme is None:
            raise fq.FqdaError("name the theme to chart: fqda chart P7 --theme 2")
        use_editor = not inline and bool(os.environ.get("VISUAL") or os.environ.get("EDITOR"))
        result = s.chart_row(case, theme, _editor if use_editor else _prompt, author,
                             everything, inline=not use_editor)
    emit(render.chart_outcome_rows(result.outcomes), "table",
         f"{case} · {result.theme.heading}")


@chart_app.command("draft")
@handled
def chart_draft(
    theme: Annotated[str | None, typer.Option(help="Only this theme.")] = None,
    case: Annotated[str | None, typer.Option(help="Only this case.")] = None,
    study: StudyOpt = None,
) -> None:
    """Draft summaries for coded cells from their key sentences (same as chart --draft).

    \b
    Example: fqda chart draft --theme 2
    """
    with opened(study) as s:
        done = s.draft_summaries(theme, case)
    out.print(f"{len(done)} cell(s) drafted", highlight=False)


@chart_app.command("versions")
@handled
def chart_versions(
    case: Annotated[str | None, typer.Argument(help="This case's cells.")] = None,
    subtopic: Annotated[str | None, typer.Argument(help="This sub-topic's cell.")] = None,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Every coder's summary of a cell side by side (without a cell: each cell that
    has another coder's version beside its own), ready to settle with
    `fqda resolve CASE SUBTOPIC --summary`.

    \b
    Example: fqda chart versions P7 2.3
    """
    from framework_qda.render.agreement import version_rows

    with opened(study) as s:
        found = s.summary_versions(case, subtopic)
    emit(version_rows(found), fmt, "summaries by coder")


@chart_app.command("accept")
@handled
def chart_accept(
    case: Annotated[str | None, typer.Argument(help="This case's drafts.")] = None,
    theme: Annotated[str | None, typer.Option(help="This theme's drafts.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every draft in the study.")] = False,
    stale: Annotated[bool, typer.Option("--stale", help="Also confirm that stale summaries "
                                        "still hold for their changed evidence.")] = False,
    author: Annotated[str | None, typer.Option(help="Who accepts (default: $FQDA_CODER, "
                                               "then git user.name).")] = None,
    study: StudyOpt = None,
) -> None:
    """Accept machine drafts as summaries: one case's, one theme's, or --all; lists them.

    Each accepted summary records who accepted it and when (`fqda history`).

    \b
    Example: fqda chart accept P7 --theme 2
    """
    with opened(study) as s:
        done = s.accept_drafts(case, theme, stale=stale, author=author, every=every)
    for case_id, code in done:
        out.print(f"accepted {case_id} × {code}", highlight=False, markup=False)
    out.print(f"{len(done)} cell(s) accepted", highlight=False)


@chart_app.command("export")
@handled
def chart_export(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Workbook to write "
                                                "(default: matrices/charting.xlsx).")] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Only this theme.")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    study: StudyOpt = None,
) -> None:
    """Write the charting workbook: a sheet per theme, editable summaries, evidence beside.

    \b
    Example: fqda chart export -o matrices/charting.xlsx
    """
    with opened(study) as s, working("the charting workbook"):
        path = s.export_charting(output, theme or [], group or [])
    shown = _shown(path)
    out.print(f"charting workbook written to {shown}; edit it, then `fqda chart import {shown}`",
              highlight=False)


@chart_app.command("import")
@handled
def chart_import(
    file: Path,
    prefer: Annotated[str | None, typer.Option(help="For cells changed in both the workbook "
                                               "and the study: file or study.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; "
                                          "change nothing.")] = False,
    author: Annotated[str | None, typer.Option(help="Who edited the workbook.")] = None,
    study: StudyOpt = None,
) -> None:
    """Bring edited summaries back from a charting workbook, all in one transaction.

    \b
    Example: fqda chart import matrices/charting.xlsx --prefer file
    """
    with opened(study) as s:
        report = s.import_charting(file, prefer, dry_run, author)
    emit(render.chart_import_rows(report.changes), "table", str(file))
    verb = "would change" if dry_run else "changed"
    out.print(f"{report.applied if not dry_run else len(report.changes)} cell(s) {verb}",
              highlight=False)
