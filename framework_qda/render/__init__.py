"""Turning query results into rows, and rows into csv / json / markdown / Rich output.

Formatting only: every function takes computed results and returns text or
a Rich renderable; nothing prints. One module per part of the method; the
names are gathered here so callers write ``render.case_view(...)``.
"""

from __future__ import annotations

from framework_qda.render.charting import (
    STATUS_ROWS,
    STATUS_TITLES,
    chart_import_rows,
    chart_outcome_rows,
    status_elided,
    status_sections,
    status_sizes,
)
from framework_qda.render.familiarisation import ingest_records, ingest_rows, ingest_tally
from framework_qda.render.framework import (
    change_rows,
    codebook_rows,
    codebook_tree,
    difference_rows,
)
from framework_qda.render.history import history_rows, name_rows
from framework_qda.render.indexing import (
    framework_lines,
    queue_counts,
    queue_rows,
    review_panel,
    session_end,
    session_panel,
    suggest_rows,
)
from framework_qda.render.listings import (
    LONG_LISTING,
    cut_short,
    quote_summary,
    theme_summary,
)
from framework_qda.render.queries import (
    COUNTS,
    case_markdown,
    case_rows,
    case_view,
    compare_rows,
    compare_table,
    cooccur_rows,
    cooccur_table,
    group_line,
    passage_rows,
    passage_table,
    passages_markdown,
    quote_rows,
    quote_table,
    quotes_markdown,
    share_style,
    snippet,
    theme_markdown,
    theme_rows,
    theme_view,
)
from framework_qda.render.tables import (
    FORMATS,
    Rows,
    brief,
    fold,
    matrix_rows,
    matrix_table,
    rich_table,
    segment_rows,
    to_text,
)

__all__ = [
    "ingest_records",
    "ingest_rows",
    "ingest_tally",
    "COUNTS",
    "LONG_LISTING",
    "STATUS_ROWS",
    "cut_short",
    "quote_summary",
    "theme_summary",
    "status_elided",
    "FORMATS",
    "Rows",
    "brief",
    "case_markdown",
    "case_rows",
    "case_view",
    "change_rows",
    "chart_import_rows",
    "chart_outcome_rows",
    "codebook_rows",
    "codebook_tree",
    "compare_rows",
    "compare_table",
    "cooccur_rows",
    "cooccur_table",
    "difference_rows",
    "fold",
    "framework_lines",
    "group_line",
    "history_rows",
    "matrix_rows",
    "name_rows",
    "matrix_table",
    "passage_rows",
    "passage_table",
    "passages_markdown",
    "queue_counts",
    "queue_rows",
    "quote_rows",
    "quote_table",
    "quotes_markdown",
    "review_panel",
    "rich_table",
    "segment_rows",
    "session_end",
    "session_panel",
    "share_style",
    "snippet",
    "STATUS_TITLES",
    "status_sections",
    "status_sizes",
    "suggest_rows",
    "theme_markdown",
    "theme_rows",
    "theme_view",
    "to_text",
]
