"""The SQLite store's file: making a new one whole, refusing an empty or damaged one,
and splitting a migration script into statements (for :mod:`framework_qda.store.database`)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from pathlib import Path

from framework_qda.errors import FqdaError, StoreUnusable, StudyBusy
from framework_qda.files import private_file

EMPTY = "the store is empty: your study's data is gone; restore .fqda/study.db from a backup"


def prepare(path: Path) -> bool:
    """Make sure ``path`` is a store to open; returns whether it is read-only.

    A new store is built whole beside its place and linked into it, so a
    store file is never seen empty while it is made: an empty ``study.db`` is
    a study whose data was lost (a failed copy, a sync), refused, never
    silently begun again.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        _create(path)
        return False
    except OSError as exc:
        raise FqdaError(f"{path}: cannot open the study store ({exc.strerror})") from None
    if size == 0:
        raise StoreUnusable(f"{path}: {EMPTY}")
    if not (os.access(path, os.R_OK)):
        raise FqdaError(f"{path}: cannot open the study store (no permission to read it)")
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return True
    try:
        private_file(path)
    except OSError as exc:
        raise FqdaError(f"{path}: cannot open the study store ({exc.strerror})") from None
    return False


def _create(path: Path) -> None:
    """A new, valid (not empty) store file at ``path``, unless another process's
    got there first; only the owner can read it."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as exc:
        raise FqdaError(f"{path}: cannot create the study store ({exc.strerror})") from None
    os.close(fd)
    try:
        conn = sqlite3.connect(name, isolation_level=None)
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS migrations"
                         " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        finally:
            conn.close()
        with suppress(FileExistsError):  # another fqda made it at this moment: use that
            os.link(name, path)
    except (OSError, sqlite3.Error) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise FqdaError(f"{path}: cannot create the study store ({why})") from None
    finally:
        for leftover in (name, name + "-journal"):
            with suppress(OSError):
                os.unlink(leftover)


def unusable(path: str, exc: sqlite3.DatabaseError) -> FqdaError:
    """One line for a store SQLite cannot use."""
    text = str(exc)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreUnusable(f"{path}: the study store is damaged ({text}); restore "
                             ".fqda/study.db from a backup (`fqda check` says what is wrong "
                             "once it opens)")
    if "locked" in text or "busy" in text:
        return StudyBusy(f"{path}: another fqda command is using this study; try again")
    return StoreUnusable(f"{path}: cannot open the study store ({text})")


def statements(script: str) -> list[str]:
    """Split a migration script into statements.

    ``sqlite3.complete_statement`` knows where a statement ends, trigger
    bodies (``BEGIN … END;``) included; ``--`` comments are dropped (our DDL
    has no ``--`` inside literals).
    """
    found: list[str] = []
    current = ""
    for line in script.splitlines():
        current += line.split("--", 1)[0] + "\n"
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip():
        found.append(current.strip())
    return found
