"""Row heights and note sizes count wrapped lines without making them; the count
must be the number of lines the word-by-word wrapping makes."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from framework_qda.export.cells import line_count, wrapped_lines

# Short words, runs of spaces, line breaks and words longer than a line.
TEXT = st.text(alphabet=st.sampled_from(list("ab  \nc")), max_size=80).map(
    lambda t: t.replace("c", "c" * 13))


@given(TEXT, st.sampled_from([3, 4, 5, 8, 10, 20, 44, 80]))
@example("", 10)
@example("   ", 3)
@example("abcd     ", 3)
@example("ab  cd", 4)
@example("ab " + "c" * 40 + " ab", 5)
def test_as_many_lines_as_the_wrapping_makes(text: str, width: int) -> None:
    assert line_count(text, width) == len(wrapped_lines(text, width))
