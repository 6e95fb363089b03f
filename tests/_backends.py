"""Running a test's studies on the backend the test is parametrised with.

On PostgreSQL each study folder a test opens gets a schema of its own on the test
server (:class:`Schemas`, in place of ``store:`` in its ``fqda.yaml``), dropped
when the test ends.  Studies built once and copied (the session's run, a module's
study) are built on SQLite (:func:`on_sqlite`); a test on PostgreSQL copies that
store into its folder's schema (:func:`on_backend`), as ``fqda store copy`` does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ACTIVE: list[Schemas] = []
_SHARED: list[bool] = []


class Schemas:
    """The schemas one test's study folders are stored in."""

    def __init__(self, server: str, prefix: str) -> None:
        self.server = server
        self.prefix = prefix
        self.made: set[str] = set()

    def address(self, root: Path, config: object) -> str:
        if _SHARED:
            return ""
        name = f"{self.prefix}_{hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:10]}"
        self.made.add(name)
        joiner = "&" if "?" in self.server else "?"
        return f"{self.server}{joiner}schema={name}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            for name in sorted(self.made):
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@contextmanager
def active(schemas: Schemas) -> Iterator[None]:
    _ACTIVE.append(schemas)
    try:
        yield
    finally:
        _ACTIVE.remove(schemas)


@contextmanager
def on_sqlite() -> Iterator[None]:
    """Build a shared study in its folder's SQLite file, whatever the test's backend."""
    _SHARED.append(True)
    try:
        yield
    finally:
        _SHARED.pop()


def on_backend(folder: Path) -> Path:
    """``folder``'s study on the test's backend: on PostgreSQL its SQLite store is
    copied into the folder's schema, which the study then uses; the file stays,
    unread, for the tests that share it."""
    if _ACTIVE:
        from framework_qda.store import open_store
        from framework_qda.store_copy import copy_store

        address = _ACTIVE[-1].address(folder, None)
        source, target = open_store(folder / ".fqda" / "study.db"), open_store("", address)
        try:
            copy_store(source, target, address)
        finally:
            source.close()
            target.close()
    return folder
