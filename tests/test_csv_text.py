"""csv output is written by string methods; it must read back as the csv module reads."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from framework_qda.formulas import csv_row, csv_unsafe
from framework_qda.render.tables import to_text

# Words with the characters that decide quoting: commas, quotes, line breaks,
# curly quotes and spaces at either end.
TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\n“”é;\t=\'-')), max_size=12)


@given(st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=6))
def test_the_same_bytes_as_the_csv_module(records: list[tuple[str, str, str]]) -> None:
    rows: list[dict[str, object]] = [{"case": a, "summary": b, "text": c}
                                     for a, b, c in records]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(["case", "summary", "text"])
    writer.writerows(csv_row(r) for r in records)  # formula-like fields protected
    assert to_text(rows, "csv") == expected.getvalue()
    assert [[csv_unsafe(v) for v in r]
            for r in csv.reader(io.StringIO(to_text(rows, "csv")))][1:] == [
        list(r) for r in records]


def test_a_passage_list_becomes_one_quoted_field() -> None:
    rows: list[dict[str, object]] = [
        {"case": "P1", "evidence": [{"ref": "P1:4", "text": 'She said "no", twice.\nThen left.'}]}]
    assert to_text(rows, "csv") == (
        'case,evidence\nP1,"“She said ""no"", twice.\nThen left.” [P1:4]"\n')


def test_a_carriage_return_is_quoted_so_the_record_survives() -> None:
    rows: list[dict[str, object]] = [{"case": "P1", "summary": "one\rtwo"}]
    assert list(csv.reader(io.StringIO(to_text(rows, "csv"), newline=""))) == [
        ["case", "summary"], ["P1", "one\rtwo"]]
