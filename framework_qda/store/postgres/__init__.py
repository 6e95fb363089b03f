"""The study store on a PostgreSQL server, for a team coding one study.

:class:`PostgresStore` is the second implementation of
:class:`~framework_qda.store.protocol.StudyStore`: the shared row modules'
questions and changes (``store/cases.py`` … ``store/summaries.py``) over a
psycopg connection (``connection.py``), with what PostgreSQL spells otherwise in
``dialect.py``, its transactions and locks in ``database.py`` and its schema in
``schema.py``.
"""

from __future__ import annotations

from framework_qda.store.cases import CaseRows
from framework_qda.store.codebook import CodebookRows
from framework_qda.store.codings import CodingRows
from framework_qda.store.counts import CountRows
from framework_qda.store.exchange import ExchangeRows
from framework_qda.store.history import HistoryRows
from framework_qda.store.inputs import InputRows
from framework_qda.store.integrity import IntegrityRows
from framework_qda.store.layers import LayerRows
from framework_qda.store.names import NameRows
from framework_qda.store.postgres.database import PgDatabase, StoreAddress
from framework_qda.store.postgres.dialect import PostgresRows
from framework_qda.store.search import SearchRows
from framework_qda.store.summaries import SummaryRows
from framework_qda.store.transfer import TransferRows


class PostgresStore(PostgresRows, CodingRows, CountRows, CaseRows, CodebookRows, SummaryRows,
                    SearchRows, HistoryRows, InputRows, IntegrityRows, NameRows, LayerRows,
                    ExchangeRows, TransferRows, PgDatabase):
    """A study's schema on a PostgreSQL server, opened and migrated."""


__all__ = ["PostgresStore", "StoreAddress"]
