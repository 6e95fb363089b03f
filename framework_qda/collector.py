"""Python's cyclic garbage collector paused for work that makes many long-lived
objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_ONE_COMMAND = False
"""Whether this process runs one command and ends (see :func:`one_command`)."""


def one_command() -> None:
    """Say that this process runs one command and ends (the command line does).

    What exists now (modules, classes, functions) lives until the end, and
    so does what a paused block leaves behind it: both are moved out of the
    collector's reach (``gc.freeze``) instead of being walked again.  A
    library user's long session never calls this, so nothing of theirs is
    ever kept from the collector.
    """
    global _ONE_COMMAND
    _ONE_COMMAND = True
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of the block.

    A survey file becomes about ten small long-lived objects per row, a
    workbook of a large study hundreds of thousands (passages, cells, rows,
    disagreements); as they pile up, the collector walks all of them again
    and again without finding anything to free (over a second of ingesting
    100,000 survey answers; about half a second of a 1,000-transcript
    workbook).  Reference counting still frees everything as usual; cycles
    made in the block (none are expected) wait for the next collection after it.

    Once the collector runs again, the first object made sets off a walk of
    everything the block left alive (7 ms after a workbook of 100
    transcripts).  Under :func:`one_command` that is work for nothing: the
    process is about to end, so those objects are frozen instead.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if _ONE_COMMAND:
                gc.freeze()
            gc.enable()
