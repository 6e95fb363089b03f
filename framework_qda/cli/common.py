"""What every command shares: the apps, the consoles, error handling, the study opened.

Nothing printed is read as Rich markup; errors are one red line on stderr and
exit code 1; tracebacks never show local variables (participants' words).
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
store_app = typer.Typer(help="Where the study's store is: copy it to a server and back.",
                        no_args_is_help=True)
app.add_typer(store_app, name="store")

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
        except Exception as exc:
            from framework_qda.store import failure

            said = failure(exc)
            if said is None:
                raise
            err.print(_labelled("error:", "red", said), soft_wrap=True)
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
    error is not a terminal: a pipe or a log gets only the result, and no
    thread is started to redraw a spinner no one sees)."""
    if not err.is_terminal:
        yield
        return
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




CodersOpt = Annotated[str, typer.Option("--coders", help="Coders to compare, comma-separated "
                                        "(default: everyone but consensus).")]
UnitOpt = Annotated[str, typer.Option("--unit", help="segment (a speaker turn), sentence, "
                                      "or character.")]


def _coders(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]

