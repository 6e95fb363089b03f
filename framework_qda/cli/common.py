"""What every command shares: the apps, the consoles, error handling, the study opened.

Nothing printed is read as Rich markup; errors are one red line on stderr and
exit code 1; tracebacks never show local variables (participants' words).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer

import framework_qda as fq
from framework_qda import render
from framework_qda.study import Study

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

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

_FORCING = ("FORCE_COLOR", "FORCE_TERMINAL", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
"""What Rich reads to treat a stream that is not a terminal as one."""


class _Console:
    """Rich's console for standard output or error, made when first used.

    Importing ``rich.console`` is about 12 ms of a command's start; an export,
    which prints one plain line (:func:`say`), or a command run in a pipe
    with nothing to say, needs none of it.  Anything asked of this object is
    asked of the console, made then.
    """

    def __init__(self, stderr: bool) -> None:
        self.stderr = stderr
        self.console: Console | None = None

    def made(self) -> Console:
        if self.console is None:
            from rich.console import Console

            # Nothing printed is read as Rich markup or emoji codes: the words
            # printed come from researchers' files (``[bold]``, ``:warning:``,
            # ``a:b:1`` stay as typed); what is styled on purpose is styled with
            # ``style=`` or Text, never markup.
            self.console = Console(stderr=self.stderr, markup=False, emoji=False,
                                   highlight=False)
        return self.console

    @property
    def is_terminal(self) -> bool:
        """Rich's answer; a stream that is not a terminal, with nothing in the
        environment that makes Rich say otherwise, is answered without Rich."""
        if self.console is None and not any(name in os.environ for name in _FORCING):
            stream = sys.stderr if self.stderr else sys.stdout
            try:
                if not stream.isatty():
                    return False
            except (AttributeError, ValueError):  # no such method, or closed
                return False
        return self.made().is_terminal

    def __getattr__(self, name: str) -> Any:
        return getattr(self.made(), name)


out = cast("Console", _Console(stderr=False))
err = cast("Console", _Console(stderr=True))


def rich_console(console: Console) -> Console:
    """The console itself, for Rich's own objects (a progress bar) to be given."""
    return console.made() if isinstance(console, _Console) else console


def say(line: str) -> None:
    """One plain line on standard output, as ``out.print`` gives it, without
    making Rich's console when nothing has needed it yet."""
    if isinstance(out, _Console) and out.console is None:
        # As Rich does with the text it prints: characters that move the cursor
        # (a carriage return in a file name) are taken out.
        sys.stdout.write(line.translate(_CURSOR_MOVES) + "\n")
        sys.stdout.flush()
    else:
        out.print(line, soft_wrap=True)


_CURSOR_MOVES = dict.fromkeys((7, 8, 11, 12, 13))


def _labelled(label: str, style: str, text: str) -> Text:
    """``label text`` with only the label styled."""
    from rich.text import Text

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
        for console in (out, err):
            if isinstance(console, _Console):
                # Made afresh for each command, from the environment it runs in
                # (the terminal's width, COLUMNS), as a command run alone is.
                console.console = None
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

