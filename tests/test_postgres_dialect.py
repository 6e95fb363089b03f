"""What the PostgreSQL store rewrites of the SQL the row modules share with SQLite,
and how it reads a search; no server needed."""

from __future__ import annotations

import pytest

pytest.importorskip("psycopg")

from framework_qda.search import parse_query  # noqa: E402
from framework_qda.store.postgres.connection import translate  # noqa: E402
from framework_qda.store.postgres.dialect import tsquery  # noqa: E402
from framework_qda.store.postgres.highlight import marked_terms, spans  # noqa: E402


@pytest.mark.parametrize(("sqlite", "postgresql"), [
    ("SELECT a FROM t WHERE b = ? AND c LIKE 'x%'",
     "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%'"),
    ("SELECT x.rowid % 4294967296 FROM segment_text x",
     "SELECT x.rowid %% 4294967296 FROM segment_text x"),
    ("SELECT '?' , \"what?\" FROM t -- is it?\nWHERE a = ?",
     "SELECT '?' , \"what?\" FROM t \nWHERE a = %s"),
    ("INSERT OR IGNORE INTO sets (guid) VALUES (?)",
     "INSERT INTO sets (guid) VALUES (%s) ON CONFLICT DO NOTHING"),
    ("SELECT group_concat(st.code, ' ') FROM st", "SELECT string_agg(st.code, ' ') FROM st"),
    ('SELECT max(x.start, c.start), min(x."end", c."end"), MAX(id) FROM t',
     'SELECT GREATEST(x.start, c.start), LEAST(x."end", c."end"), MAX(id) FROM t'),
    ("SELECT 1 WHERE a IS NOT b AND c IS NOT NULL",
     "SELECT 1 WHERE a IS DISTINCT FROM b AND c IS NOT NULL"),
    ("SELECT 1 FROM t WHERE code IN () OR code NOT IN ( )",
     "SELECT 1 FROM t WHERE code = ANY('{}') OR code <> ALL('{}')"),
])
def test_the_few_spellings_sqlite_and_postgresql_do_not_share(sqlite: str,
                                                               postgresql: str) -> None:
    assert translate(sqlite) == postgresql


@pytest.mark.parametrize(("typed", "query"), [
    ("pooled budget", "('pooled') & ('budget')"),
    ('"pooled budget" staff', "('pooled' <-> 'budget') & ('staff')"),
    ("budg* OR carers", "('budg':*) | ('carers')"),
    ("handover NOT ward", "('handover') & !('ward')"),
    ("co-production don't", "('co' <-> 'production') & ('don' <-> 't')"),
])
def test_a_search_reads_as_fts5_reads_it(typed: str, query: str) -> None:
    assert tsquery(parse_query(typed)) == query


def test_a_phrase_is_marked_where_it_occurs_whole_and_nothing_after_not() -> None:
    words = [(0, 3, ("the",)), (4, 9, ("sheet",)), (10, 13, ("the",)), (14, 19, ("ward",))]
    assert spans(words, [(("the", "sheet"), False)]) == ((0, 9),)
    assert spans(words, [(("ward",), False), (("the",), False)]) == (
        (0, 3), (10, 13), (14, 19))
    assert spans(words, [(("she",), True)]) == ((4, 9),)
    assert [t.text for t in marked_terms(parse_query("sheet NOT ward OR the"))] == [
        "sheet", "the"]
