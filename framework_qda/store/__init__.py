"""The study store: the only code in the package that speaks SQL.

``Store`` is one SQLite connection with a method per question or change the
rest of the library needs.  Wrap each user action in ``with store.atomic():``.
"""

from __future__ import annotations

from framework_qda.store.cases import CaseRows
from framework_qda.store.codebook import CodebookRows
from framework_qda.store.codings import CodingRows
from framework_qda.store.database import Database, now
from framework_qda.store.exchange import ExchangeRows
from framework_qda.store.history import HistoryRows
from framework_qda.store.inputs import InputRows
from framework_qda.store.integrity import IntegrityRows
from framework_qda.store.layers import LayerRows
from framework_qda.store.names import NameRows
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


class Store(CodingRows, CaseRows, CodebookRows, SummaryRows, SearchRows, HistoryRows,
            InputRows, IntegrityRows, NameRows, LayerRows, ExchangeRows, Database):
    """The study database (``.fqda/study.db``), opened and migrated."""


__all__ = [
    "ActionRow", "AppliedInput", "ChangeRow", "NameEntry", "NewCoding", "NoteRow",
    "PassageRow", "SegmentRow", "Store", "SummaryRow", "now",
]
