"""The ``fqda`` command line: a thin Typer layer over :mod:`framework_qda`.

One module per Framework stage registers its commands on the app
(:mod:`framework_qda.cli.common`); each command parses its options, calls one
library function and renders what it returns.  No logic, no SQL.
"""

from __future__ import annotations

import os
import sys

import typer

# Each stage's module registers its commands on the app when imported, and
# ``fqda --help`` lists them in this order: the order of the Framework method.
# isort: off
from framework_qda.cli import study, familiarisation, framework  # noqa: F401
from framework_qda.cli import indexing, charting, interpretation  # noqa: F401
from framework_qda.cli import team, output  # noqa: F401
# isort: on
from framework_qda.cli.common import _ARGV, app

__all__ = ["app", "dispatch", "leave", "main"]


def main() -> None:
    """The ``fqda`` console script: run the command, then leave at once (:func:`leave`)."""
    # numpy (the agreement figures', pandas') starts a BLAS thread per core when
    # imported, about 50 ms of CPU on two cores for sums over a few rows; one
    # thread does them as fast.  A setting of the user's own wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _tolerant_output()
    # What importing made (modules, classes, functions) lives as long as the
    # process: kept out of the cyclic collector, which would otherwise walk it
    # again on each of its passes while a command reads 10,000 cases.
    from framework_qda.collector import one_command

    one_command()
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
