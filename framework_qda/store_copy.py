"""Moving a study to another store: from the laptop's SQLite file to the team's
PostgreSQL server, and back (``fqda store copy``).

The copy is exact: every row of every table, with its ids, its history and its
provenance, so a dump of the two stores compares equal.  It is written in one
transaction of the target, which must hold no study yet; the source is only read,
in one snapshot, so a copy taken while others work is of one moment, and in
batches, so a study of any size is never held in memory whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from framework_qda.errors import FqdaError
from framework_qda.store import StudyStore


@dataclass(frozen=True)
class StoreCopy:
    """What a copy wrote: each table's row count, in the order written."""

    counts: tuple[tuple[str, int], ...]

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.counts)


def copy_store(source: StudyStore, target: StudyStore, where: str) -> StoreCopy:
    """Copy every row of ``source`` into the empty ``target`` (named ``where`` in
    messages); nothing is written unless all of it is."""
    if not target.is_empty():
        raise FqdaError(f"{where} already holds a study; copy into an empty store "
                        "(a new schema, or a file that does not exist yet)")
    counts: list[tuple[str, int]] = []
    with source.snapshot(), target.atomic():
        for table, columns, batches in source.table_batches():
            written = 0
            for i, rows in enumerate(batches):
                target.put_table_rows(table, columns, rows, first=i == 0)
                written += len(rows)
            counts.append((table, written))
    return StoreCopy(tuple(counts))
