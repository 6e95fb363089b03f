"""The ``fqda`` command line: a thin Typer layer over :mod:`framework_qda`.

Each command parses its options, calls one library function and renders
what it returns.  No logic, no SQL.  Errors become one red line on stderr
and exit code 1; tracebacks never show local variables (participants' words).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

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
names_app = typer.Typer(help="Pseudonymisation: the names register, candidates, leak check.",
                        no_args_is_help=True)
app.add_typer(names_app, name="pseudonymise")
import_app = typer.Typer(help="Bring a whole project in from another program.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")

# Nothing printed is read as Rich markup or emoji codes: the words printed come
# from researchers' files (``[bold]``, ``:warning:``, ``a:b:1`` stay as typed);
# what is styled on purpose is styled with ``style=`` or Text, never markup.
out = Console(markup=False, emoji=False, highlight=False)
err = Console(stderr=True, markup=False, emoji=False, highlight=False)


def _labelled(label: str, style: str, text: str) -> Text:
    """``label text`` with only the label styled."""
    return Text.assemble((label, style), " ", text)
F = TypeVar("F", bound=Callable[..., Any])

StudyOpt = Annotated[Path | None, typer.Option("--study", help="The study folder (default: "
                                               "found by walking up from here).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f",
                                        help="table, csv, json or markdown.")]


def handled(fn: F) -> F:
    """Turn library errors into one red line on stderr and exit code 1.

    Paths typed on the command line are taken from the current folder, as with
    any other tool, wherever the study is (found by walking up, or named by
    ``--study``); the library reads a relative path from the study's folder.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _CALL[:] = [(fn.__name__, kwargs)]
        kwargs = {k: v if k == "study" else _from_here(v) for k, v in kwargs.items()}
        try:
            return fn(*args, **kwargs)
        except fq.FqdaError as exc:

            lines = str(exc).splitlines() or [type(exc).__name__]
            err.print(_labelled("error:", "red", lines[0]), soft_wrap=True)
            for line in lines[1:]:
                err.print(line, markup=False, emoji=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _from_here(value: Any) -> Any:
    """A path (or list of paths) the user typed, made absolute from the current folder."""
    if isinstance(value, list):
        return [_from_here(v) for v in value]
    if isinstance(value, Path) and not value.is_absolute() and value != STDIO:
        return Path.cwd() / value
    return value


def _shown(path: Path | str) -> str:
    """A path as a message shows it: from the current folder when it is below it."""
    import os

    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner on standard error while ``what`` is under way (nothing when standard
    error is not a terminal: a pipe or a log gets only the result)."""
    with err.status(f"{what}…", spinner="dots"):
        yield


@contextmanager
def opened(study: Path | None) -> Iterator[Study]:
    s = fq.open_study(study or Path.cwd())
    s.command = _command_line()  # recorded in the history with what the command changes
    try:
        yield s
    finally:
        s.close()


def _command_line() -> str:
    """The command as the user typed it; when not run as ``fqda`` (a test's runner),
    the command's name and the options it was given."""
    if _ARGV:
        return " ".join(["fqda", *_ARGV])
    if not _CALL:
        return ""
    name, params = _CALL[-1]
    words = ["fqda", name.removesuffix("_cmd").replace("_", " ")]
    words += [f"{k}={v}" for k, v in params.items()
              if v not in (None, False, "", [], ()) and k != "study"]
    return " ".join(words)


_CALL: list[tuple[str, dict[str, Any]]] = []
_ARGV: list[str] = []


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


STDIO = Path("-")  # `-o -` writes to standard output; a file `-` reads standard input
STDIN_NAME = "standard input"


def _read_stdin(file: Path) -> bytes | None:
    """The bytes of standard input when ``file`` is ``-``, else None (read the file)."""
    return sys.stdin.buffer.read() if file == STDIO else None


def _write_stdout(data: bytes | str, binary: bool = False) -> None:
    """Write an export to standard output (``-o -``); a binary one never to a terminal."""
    if binary and sys.stdout.isatty():
        raise fq.FqdaError("will not write a binary file to the terminal; redirect it "
                           "(> file) or name a file with -o")
    sys.stdout.flush()
    if isinstance(data, str):
        sys.stdout.write(data)
    else:
        sys.stdout.buffer.write(data)
    sys.stdout.flush()


def version_callback(value: bool) -> None:
    if value:
        out.print(f"fqda {fq.__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Print the version.")] = False,
) -> None:
    """fqda: ingest transcripts, code them against a framework, chart framework matrices.

    \b
    Example: fqda run   (the whole pipeline on the study you stand in)
    """


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
    with opened(study) as s, Progress(console=err, transient=True) as bar:
        task = bar.add_task("ingesting", total=None)
        report = s.ingest_files(paths or [], options,
                                progress=lambda p: bar.update(task, description=p.name,
                                                              advance=1))
    # segments: those written now (an unchanged or failed file wrote none: blank, not 0)
    rows: render.Rows = [{"file": f.path if f.table else _shown(f.path), "status": f.status,
                          "case": f.case_id,
                          "segments": f.segments if f.status in ("added", "updated") else "",
                          "note": f.message}
                         for f in report.summarised()]
    tally = ", ".join(f"{report.count(k)} {k}" for k in
                      ("added", "updated", "unchanged", "skipped", "failed"))
    if fmt != "table":  # every file (each survey row too), for a script to read
        sys.stdout.write(render.to_text([
            {"file": f.path, "table": f.table, "status": f.status, "case": f.case_id,
             "segments_written": f.segments, "note": f.message} for f in report.files], fmt))
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
    for warning in changes.pop("warnings", []):
        err.print(_labelled("warning:", "yellow", warning), soft_wrap=True)
    out.print(f"{total} sub-topics: " + ", ".join(
        f"{len(v)} {k}" for k, v in changes.items()), highlight=False)
    for old_new in changes.get("recoded", []):
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
    evidence: Annotated[bool, typer.Option(help="Show the evidence under summaries too.")]
    = False,
    fmt: FormatOpt = "table",
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Within-theme: each sub-topic across the sample, case by case within each group,
    with a line per group such as "4 of 6 Council chief executive cases".

    \b
    Example: fqda theme 2 --subtopic 2.3 --by area
    """
    with opened(study) as s:
        view = s.theme_view(code_, by, subtopic, pseudonymise)
    if fmt == "table":
        out.print(render.theme_view(view, evidence))
    elif fmt == "markdown":
        sys.stdout.write(render.theme_markdown(view, evidence))
    else:
        emit(render.theme_rows(view), fmt)


@app.command()
@handled
def quotes(
    code_: Annotated[str | None, typer.Argument(metavar="[CODE]",
                                                help="A sub-topic or theme code.")] = None,
    theme: Annotated[str | None, typer.Option(help="Every quote of this theme.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every quote of the study, in codebook "
                                       "order.")] = False,
    group: Annotated[list[str] | None, typer.Option(help="Only this sample group.")] = None,
    where: Annotated[list[str] | None, typer.Option(help="ATTR=VALUE filter.")] = None,
    speaker: Annotated[str, typer.Option(help="participant (the default), interviewer, "
                                         "other, a speaker's label, or any.")]
    = "participant",
    min_words: Annotated[int, typer.Option(help="Shortest quote in words.")] = 0,
    max_words: Annotated[int, typer.Option(help="Longest quote in words (0: any).")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 0,
    fmt: FormatOpt = "table",
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace the names "
                                               "register's names (see fqda pseudonymise); "
                                               "a leak check runs on the result.")] = False,
    study: StudyOpt = None,
) -> None:
    """Verbatim quotes for a sub-topic (or a theme), attributed by the template
    `attribution` in fqda.yaml (default '— {group}, {case}').

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
    filters: dict[str, str] = {}
    for item in where or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise fq.FqdaError(f"--where {item!r}: write ATTRIBUTE=VALUE, e.g. area=Rural")
        filters[key.strip()] = value.strip()
    with opened(study) as s:
        found = s.quotes(code_, pseudonymise=pseudonymise, groups=group or [], where=filters,
                         speaker=speaker,
                         min_words=min_words, max_words=max_words, limit=limit)
        codebook = s.codebook
        if not found and speaker != "any":
            others = len(s.quotes(code_, groups=group or [], where=filters, speaker="any",
                                  min_words=min_words, max_words=max_words))
            if others:
                err.print(f"no quotes from --speaker {speaker} for {name}; {others} coded "
                          "passage(s) are other speakers' words: --speaker any shows them")
    if fmt == "markdown":
        sys.stdout.write(render.quotes_markdown(found, codebook))
    elif fmt == "table" and found:
        out.print(render.quote_table(found, f"{len(found)} quote(s) for {name}"))
    else:
        emit(render.quote_rows(found, exact=fmt in ("csv", "json")), fmt, f"quotes {name}")


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
    out.print(f"workbook written to {_shown(path)}", highlight=False)


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

    with opened(study) as s, Progress(console=err, transient=True) as bar:
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

    Shows the first 100 in matrix row order unless --limit says otherwise.

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
        more = f" (the first {limit}; --limit 0 shows all)" if len(found) == limit else ""
        out.print(render.passage_table(found, f"{len(found)} segment(s){more}", full))
    elif fmt == "markdown":
        sys.stdout.write(render.passages_markdown(found))
    else:
        emit(render.passage_rows(found, exact=fmt in ("csv", "json")), fmt)


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


@app.command()
@handled
def status(
    section: Annotated[str | None, typer.Option(help="themes, cases, gaps or stale "
                                                "(default: all, as tables).")] = None,
    fmt: FormatOpt = "table",
    study: StudyOpt = None,
) -> None:
    """Charting progress: cells by state per theme, per case, the gaps and stale cells.

    In the overview a section longer than a screen is summed up in one line;
    --section shows it whole.

    \b
    Example: fqda status --section gaps --format csv
    """
    with opened(study) as s:
        report = s.charting_status()
    sections = render.status_sections(report)
    if section is not None and section not in sections:
        raise fq.FqdaError(f"unknown section {section!r}; use one of {', '.join(sections)}")
    if section is None and fmt != "table":
        raise fq.FqdaError(f"--format {fmt} shows one section: add --section "
                           f"{'|'.join(sections)}")
    for name, (title, rows) in sections.items():
        if section is None and (not rows or len(rows) > render.STATUS_ROWS):
            out.print(render.status_elided(name, title, len(rows)), markup=False,
                      highlight=False, soft_wrap=True)
        elif section in (None, name):
            emit(rows, fmt, title)


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

    with opened(study) as s, Progress(console=err, transient=True) as bar:
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
        out.print(f"written {path}", highlight=False)


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
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    from framework_qda.render.project import project_import_lines

    for line in project_import_lines(r):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    for line in r.missing:
        err.print(f"[yellow]not imported:[/yellow] {line}", highlight=False, soft_wrap=True)


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
    out.print(f"written {path}", highlight=False)


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
    out.print(f"quote bank written to {_shown(path)}", highlight=False)


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
    out.print(f"matrices written to {_shown(path)}", highlight=False)


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


# -- several coders ------------------------------------------------------------
CodersOpt = Annotated[str, typer.Option("--coders", help="Coders to compare, comma-separated "
                                        "(default: everyone but consensus).")]
UnitOpt = Annotated[str, typer.Option("--unit", help="segment (a speaker turn), sentence, "
                                      "or character.")]


def _coders(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


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


def main() -> None:
    """The ``fqda`` console script: run the command, then leave at once (:func:`leave`)."""
    _tolerant_output()
    leave(dispatch())


def _tolerant_output() -> None:
    """A terminal whose encoding cannot show a character (``LANG=C``,
    ``PYTHONIOENCODING=ascii``) gets a stand-in for it, never a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower() not in (
                "utf-8", "utf8"):
            reconfigure(errors="replace")


def dispatch() -> int:
    """Run the command named in ``sys.argv``; returns its exit status.

    Typer turns every registered command into a click command on each run
    (about 1 ms each).  When the first argument names a command or group,
    only that one is built, so a read-only command starts fast; anything
    else (``--help``, ``--version``, a typo) gets the whole app.
    """
    sys.argv[1:] = [_argument(a) for a in sys.argv[1:]]
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    _ARGV[:] = sys.argv[1:]
    commands = [c for c in app.registered_commands
                if (c.name or typer.main.get_command_name(c.callback.__name__ if c.callback
                                                           else "")) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    every = app.registered_commands, app.registered_groups
    if commands or groups:
        app.registered_commands, app.registered_groups = commands, groups
    try:
        app()
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        print(done.code, file=sys.stderr)  # sys.exit("message") prints it, status 1
        return 1
    finally:
        app.registered_commands, app.registered_groups = every
        _ARGV.clear()
    return 0


def _argument(arg: str) -> str:
    """An argument as text.  Under a locale that is not UTF-8 (``LANG=C``) Python
    keeps the bytes it could not decode as lone surrogates, which no file name
    lookup or store query can use: read them as UTF-8 (a byte that is not UTF-8
    becomes U+FFFD, so a name with it is simply not found)."""
    if not any("\udc80" <= c <= "\udcff" for c in arg):
        return arg
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def leave(status: int) -> None:
    """Exit with ``status`` without tearing the interpreter down.

    The command has finished: the study is closed and every file it wrote
    was moved into place.  What is left is Python unwinding its modules and
    objects one by one, 15-20 ms that a read-only command would otherwise
    add to a start-up of about 0.15 s.  Output is flushed first; when the
    reader went away (``fqda quotes 2.1 | head -1``) the status is 1 and
    nothing more is said, as click does when a write fails that way.
    """
    import atexit
    import os

    atexit._run_exitfuncs()  # what the user's own tools hooked in (coverage) still runs
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            status = status or 1
    os._exit(status)


if __name__ == "__main__":
    main()
