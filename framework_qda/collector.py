"""Python's cyclic garbage collector paused for work that makes many long-lived
objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
