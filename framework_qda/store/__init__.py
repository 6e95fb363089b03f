"""The study store: the only code in the package that speaks SQL.

:class:`StudyStore` (``protocol.py``) is what the library asks of a store;
``Store`` is its SQLite implementation, one connection with a method per question
or change.  Wrap each user action in ``with store.atomic():``.
"""

from __future__ import annotations

from pathlib import Path

from framework_qda.errors import FqdaError
from framework_qda.store.cases import CaseRows
from framework_qda.store.codebook import CodebookRows
from framework_qda.store.codings import CodingRows
from framework_qda.store.counts import CountRows
from framework_qda.store.database import Database, now
from framework_qda.store.exchange import ExchangeRows
from framework_qda.store.history import HistoryRows
from framework_qda.store.inputs import InputRows
from framework_qda.store.integrity import IntegrityRows
from framework_qda.store.layers import LayerRows
from framework_qda.store.names import NameRows
from framework_qda.store.protocol import StudyStore
from framework_qda.store.rows import (
    ActionRow,
    AppliedInput,
    ChangeRow,
    NameEntry,
    NewCoding,
    NoteRow,
    PassageRow,
    SegmentRow,
    SummaryRow,
)
from framework_qda.store.search import SearchRows
from framework_qda.store.summaries import SummaryRows
from framework_qda.store.transfer import TransferRows


class Store(CodingRows, CountRows, CaseRows, CodebookRows, SummaryRows, SearchRows,
            HistoryRows, InputRows, IntegrityRows, NameRows, LayerRows, ExchangeRows, TransferRows,
            Database):
    """The study database (``.fqda/study.db``), opened and migrated."""


def open_store(path: Path | str, address: str = "") -> StudyStore:
    """The study's store, opened and migrated: the SQLite file at ``path``, or the
    schema on a PostgreSQL server that ``address`` names
    (``postgresql://host/db?schema=NAME``).  Returning each here is where mypy
    checks that both backends keep every promise of :class:`StudyStore`."""
    if not address:
        return Store(path)
    try:
        from framework_qda.store.postgres import PostgresStore, StoreAddress
    except ImportError:
        raise FqdaError("store: a PostgreSQL store needs psycopg; install it with "
                        "pip install 'framework-qda[postgresql]'") from None
    return PostgresStore(StoreAddress(address), str(path))


def same_server_store(a: str, b: str) -> bool:
    """Whether two ``postgresql://`` addresses name the same study (server, port,
    database and schema; who connects does not matter)."""
    from urllib.parse import parse_qsl, urlsplit

    def place(address: str) -> tuple[object, ...]:
        parts = urlsplit(address)
        schema = [v for k, v in parse_qsl(parts.query) if k == "schema"]
        return (parts.hostname or "localhost", parts.port or 5432, parts.path,
                schema[-1] if schema else "")

    return place(a) == place(b)


def failure(exc: BaseException) -> str | None:
    """One line for an error the store's database raised (``None`` for any other):
    the server's or SQLite's own words, never the rows or values involved."""
    import sqlite3
    import sys

    if isinstance(exc, sqlite3.Error):
        words = str(exc)
    elif "psycopg" in sys.modules and isinstance(exc, sys.modules["psycopg"].Error):
        diag = getattr(exc, "diag", None)
        words = (getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__)
    else:
        return None
    first = (words.strip().splitlines() or [type(exc).__name__])[0]
    if getattr(exc, "sqlstate", None) == "42501":  # the server refused this role the change
        return f"the study's server refused this change: {first}; nothing of it was saved"
    return f"the study's store failed ({first}); the change under way was not saved"


__all__ = [
    "ActionRow", "AppliedInput", "ChangeRow", "NameEntry", "NewCoding", "NoteRow",
    "PassageRow", "SegmentRow", "Store", "StudyStore", "failure", "open_store",
    "same_server_store", "SummaryRow", "now",
]
