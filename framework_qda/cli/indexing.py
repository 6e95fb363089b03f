"""Indexing: coding segments by hand or in bulk, rule suggestions and their review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import framework_qda as fq
from framework_qda import render
from framework_qda.cli.common import (
    STDIN_NAME,
    STDIO,
    FormatOpt,
    StudyOpt,
    _read_stdin,
    _shown,
    _write_stdout,
    app,
    codings_app,
    emit,
    err,
    handled,
    opened,
    out,
    rich_console,
)


@app.command()
@handled
def code(
    targets: Annotated[list[str] | None, typer.Argument(
        help="Segments (P7:12, P7:12-14), lines (P7:L20-25), a sentence (P7:12.2) "
        "or, with --quote, a case; then sub-topic codes (2.3 3.1).")] = None,
    quote: Annotated[str, typer.Option(help="Exact words to code, found in the case named "
                                       "(or anywhere in the study).")] = "",
    memo: Annotated[str, typer.Option(help="A note kept with the coding.")] = "",
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Walk the case's "
                                              "uncoded participant segments one by one.")]
    = False,
    coder: Annotated[str | None, typer.Option(help="Who codes (default: $FQDA_CODER, "
                                              "then git user.name).")] = None,
    study: StudyOpt = None,
) -> None:
    """Code segments, lines, a sentence or a quote to sub-topics, or a whole case interactively.

    \b
    Example: fqda code P7:12-14 2.3 3.1

    \b
    Example: fqda code P7 --quote "on the outside of the pooled fund" 2.3 --memo "funding"

    \b
    Example: fqda code --interactive P7
    """
    if interactive:
        _code_interactively(targets or [], coder, study)
        return
    with opened(study) as s:
        report = s.code(targets or [], [], coder, memo, quote)
    if report.not_participant:
        err.print(f"warning: {', '.join(report.not_participant)} "
                  f"{'is not' if len(report.not_participant) == 1 else 'are not'} "
                  "participant speech; coded all the same, but quotes leave such "
                  "passages out unless --speaker any", style="yellow", markup=False,
                  highlight=False, soft_wrap=True)
    out.print(f"{report.added} coding(s) added, {report.existing} already there "
              f"({', '.join(report.refs)})", markup=False, highlight=False)


def _code_interactively(targets: list[str], coder: str | None, study: Path | None) -> None:
    """The prompt loop of an interactive coding session: show, ask, pass the answer on."""
    from framework_qda.session import CODING_PROMPT

    if len(targets) != 1:
        raise fq.FqdaError("name one case to code interactively, e.g. fqda code --interactive P7")
    with opened(study) as s:
        session = s.coding_session(targets[0], coder)
        codebook = s.codebook
        out.print(render.framework_lines(codebook), markup=False, highlight=False)
        while True:
            view = session.view()
            if view.segment is None:
                out.print(render.session_end(view, targets[0]), markup=False, highlight=False)
                return
            out.print(render.session_panel(view, codebook))
            answer = _ask(CODING_PROMPT)
            step = session.answer("q" if answer is None else answer)
            if step.kind == "ask-memo":
                step = session.set_memo(_ask("memo") or "")
            style = "red" if step.kind == "error" else "green"
            err.print(step.message, style=style, markup=False, highlight=False)
            if step.kind == "help":
                out.print(render.framework_lines(codebook), markup=False, highlight=False)
            if step.kind == "quit":
                return


def _ask(label: str) -> str | None:
    """One line from the researcher; None at end of input (treated as quit)."""
    try:
        answer: str = typer.prompt(label, default="", show_default=False)
    except typer.Abort:
        return None
    return answer


@codings_app.command("import")
@handled
def codings_import(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX file, or - for standard input.")],
    dry_run: Annotated[bool, typer.Option(help="Check and report; change nothing.")] = False,
    coder: Annotated[str | None, typer.Option(help="Coder for rows without one.")] = None,
    in_order: Annotated[bool, typer.Option(
        "--in-order", help="Each source's quotes are listed in text order (as Taguette "
        "exports highlights): place a repeated quote between its neighbours.")] = False,
    study: StudyOpt = None,
) -> None:
    """Import codings (CSV/XLSX), all or nothing: case, then segment (12, 12-14, 12.2,
    L120-135) or start,end offsets or quote, then subtopic (code or label), coder, memo.
    A Taguette highlights export (document, tag, content) imports as it is.

    \b
    Example: fqda codings import codings.csv --dry-run
    """
    data = _read_stdin(file)
    with opened(study) as s:
        report = s.import_codings(STDIN_NAME if data is not None else file, coder, dry_run,
                                  data, in_order)
    if dry_run:
        there = f" ({report.existing} already there)" if report.existing else ""
        out.print(f"would import {report.added} coding(s); nothing changed{there}")
    else:
        out.print(f"{report.added} coding(s) imported, {report.existing} already there")


@codings_app.command("export")
@handled
def codings_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write; - for "
                                         "standard output.")],
    study: StudyOpt = None,
) -> None:
    """Write every accepted coding to CSV, in the format `codings import` reads:
    case, source, start, end, subtopic, coder, memo, and the segment's ref.

    \b
    Example: fqda codings export -o codings.csv
    Example: fqda codings export -o -
    """
    with opened(study) as s:
        if output == STDIO:
            _write_stdout(s.codings_csv()[0])
            return
        n = s.export_codings(output)
    out.print(f"{n} coding(s) written to {_shown(output)}")


@app.command()
@handled
def uncode(
    targets: Annotated[list[str], typer.Argument(
        help="What to take codes off (as for `fqda code`), then sub-topic codes.")],
    quote: Annotated[str, typer.Option(help="Exact words whose codings to remove.")] = "",
    all_: Annotated[bool, typer.Option("--all", help="Remove every sub-topic's codings "
                                       "there.")] = False,
    coder: Annotated[str | None, typer.Option(
        help="Whose layer to take them off (consensus too); default: yours ($FQDA_CODER, "
        "then git user.name), or the only coder's.")] = None,
    all_coders: Annotated[bool, typer.Option(
        "--all-coders", help="Take them off every coder's layer.")] = False,
    study: StudyOpt = None,
) -> None:
    """Remove codings inside segments, lines, a sentence or a quote (all or nothing).
    Only one coder's layer is touched unless --all-coders says otherwise; what other
    coders coded there is reported and left.

    \b
    Example: fqda uncode P7:12-14 2.3 --coder jk
    """
    with opened(study) as s:
        report = s.uncode(targets, [], quote, all_, coder, all_coders)
    out.print(f"{report.removed} coding(s) removed ({', '.join(report.refs)})", markup=False,
              highlight=False)
    if report.kept_by or set(report.removed_by) - {report.acting}:
        out.print("removed: " + ", ".join(f"{n} by {c}" for c, n in report.removed_by.items()),
                  markup=False, highlight=False)
    if report.kept_by:
        out.print("left as they were: " + ", ".join(f"{n} by {c}" for c, n in
                                                    report.kept_by.items())
                  + " (--coder NAME or --all-coders removes them)", markup=False,
                  highlight=False)


@app.command()
@handled
def suggest(
    theme: Annotated[str | None, typer.Option(help="Only this theme's sub-topics.")] = None,
    case: Annotated[str | None, typer.Option(help="Only this case.")] = None,
    any_speaker: Annotated[bool, typer.Option("--any-speaker", help="Search every turn, "
                                              "not only participants'.")] = False,
    study: StudyOpt = None,
) -> None:
    """Run the codebook's keywords and patterns; store suggestions for `fqda review`.

    Suggestions are never evidence until accepted. Running again adds nothing new.

    \b
    Example: fqda suggest --theme 2 --case P7
    """
    from rich.progress import Progress

    with opened(study) as s, Progress(console=rich_console(err), transient=True) as bar:
        task = bar.add_task("suggesting", total=None)
        report = s.suggest(theme, case, any_speaker,
                           progress=lambda name: bar.update(task, description=name, advance=1))
    if not report.rules:
        out.print("no sub-topic has keywords or patterns; add them to the codebook")
        return
    if report.added:
        emit(render.suggest_rows(report), "table", "new suggestions")
    out.print(f"{report.added} new suggestion(s) from {report.rules} sub-topics' rules over "
              f"{report.segments} segment(s); {report.known} already decided or pending",
              highlight=False)
    if report.withdrawn:
        out.print(f"{report.withdrawn} pending suggestion(s) withdrawn: the rules no longer "
                  "make them", highlight=False)


@app.command()
@handled
def review(
    case: Annotated[list[str] | None, typer.Option(help="Only this case's suggestions.")] = None,
    theme: Annotated[str | None, typer.Option(help="Only this theme's.")] = None,
    subtopic: Annotated[list[str] | None, typer.Option(
        help="Only this sub-topic's (whose rule made them); a theme code: its sub-topics'.")
    ] = None,
    keyword: Annotated[list[str] | None, typer.Option(
        help="Only those where the rule matched this word (any inflection).")] = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group's.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List them (--format csv or json "
                                        "adds the words, source and offsets).")] = False,
    accept: Annotated[bool, typer.Option("--accept", help="Accept all of them at once.")
                      ] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject all of them at once.")
                      ] = False,
    undo_: Annotated[bool, typer.Option("--undo", help="Put back your last review decision "
                                        "(or --action N's) as it was.")] = False,
    action: Annotated[int | None, typer.Option(help="With --undo: the review action to undo "
                                               "(its # in `fqda history`).")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept or reject without "
                                      "asking.")] = False,
    fmt: FormatOpt = "table",
    coder: Annotated[str | None, typer.Option(help="Who decides (default: $FQDA_CODER, "
                                              "then git user.name).")] = None,
    study: StudyOpt = None,
) -> None:
    """Walk the suggestions: a accept, r reject, c CODE change, s skip, ? help, q quit.

    The filters pick the suggestions (each one narrows); --list shows them, --accept
    or --reject decides them all in one step (after showing how many and asking,
    unless --yes), and --undo puts the last review decision back.

    \b
    Example: fqda review --case P7
    Example: fqda review --list --keyword trust --format csv
    Example: fqda review --reject --subtopic 4.2 --keyword community --yes
    Example: fqda review --undo
    """
    from framework_qda.review_queue import QueueFilter

    if sum((list_, accept, reject, undo_)) > 1:
        raise fq.FqdaError("give one of --list, --accept, --reject and --undo")
    if action is not None and not undo_:
        raise fq.FqdaError("--action names the review action --undo puts back")
    where = QueueFilter(tuple(subtopic or ()) + ((theme,) if theme else ()),
                        tuple(keyword or ()), tuple(case or ()), tuple(group or ()))
    if undo_:
        with opened(study) as s:
            done = s.undo_review(coder, action)
        out.print(f"undid #{done.id} ({done.command or 'a review'}): {done.summary()}",
                  markup=False, highlight=False)
        return
    if list_:
        with opened(study) as s:
            items = s.review_queue(where)
        if fmt == "table" and items:
            out.print(render.rich_table(render.queue_rows(items, exact=False),
                                        render.queue_counts(items) + " pending"))
        else:
            emit(render.queue_rows(items), fmt, "pending suggestions")
        return
    if accept or reject:
        verb = "accept" if accept else "reject"
        with opened(study) as s:
            items = s.review_queue(where)
            if not items:
                out.print("no pending suggestion matches; nothing changed")
                return
            if not yes:
                try:
                    sure = typer.confirm(f"{verb} {render.queue_counts(items)}?",
                                         default=False, err=True)
                except typer.Abort:
                    sure = False
                if not sure:
                    out.print("nothing changed")
                    return
            report = s.decide_suggestions(items, "accepted" if accept else "rejected", coder)
        made = f" as #{report.action}" if report.action else ""
        out.print(f"{report.decided} suggestion(s) {verb}ed{made}; `fqda review --undo` puts "
                  "them back", markup=False, highlight=False)
        if report.refused:
            err.print(f"{len(report.refused)} left pending: "
                      + "; ".join(m for _, m in report.refused[:3])
                      + (" …" if len(report.refused) > 3 else ""),
                      markup=False, highlight=False)
        return
    with opened(study) as s:
        walk = s.review(coder=coder, where=where)
        codebook = s.codebook
        while not walk.done:
            out.print(render.review_panel(walk.view(), codebook))
            answer = _ask("a, r, c CODE, s, ? or q")
            step = walk.answer("q" if answer is None else answer)
            if step.kind == "ask-subtopic":
                step = walk.change(_ask("code it to") or "")
            err.print(step.message, style="red" if step.kind == "error" else "green",
                      markup=False, highlight=False)
            if step.kind == "quit":
                break
    t = walk.tally
    out.print(f"{t.accepted} accepted, {t.rejected} rejected, {t.changed} changed, "
              f"{t.skipped} skipped; {walk.left} left for review",
              highlight=False)
