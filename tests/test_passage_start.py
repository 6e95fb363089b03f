"""The Disagreements sheet shows the start of each passage, made single-spaced
from the passage's start only; it must be what making the whole passage
single-spaced and then cutting it shows."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from framework_qda.cell_text import single_spaced
from framework_qda.export.agreement_sheets import PASSAGE_START, _passage_start

# Words, runs of white space (a long one), line breaks and a no-break space.
TEXT = st.lists(st.sampled_from(["ab", "word", " ", "\n", "\t", "\u00a0", " " * 300,
                                 "x" * 40]), max_size=120).map("".join)


def whole(passage: str) -> str:
    text = " ".join(passage.split())
    if len(text) > PASSAGE_START:
        text = text[:PASSAGE_START].rsplit(" ", 1)[0] + " …"
    return text


@given(TEXT)
@example("")
@example("ab " * 300)
@example(" " * 700 + "ab")
@example("ab" + " " * 700 + "cd")
def test_the_start_shown_is_that_of_the_whole_passage(passage: str) -> None:
    assert _passage_start(passage) == whole(passage)


# Every kind of white space Python splits on, and text that only breaks lines.
ANY = st.lists(st.sampled_from(["ab", "é", " ", "  ", "\n", "\n\n", "\r", "\t", "\x0b", "\x0c",
                                "\x1c", "\x85", "\u00a0", "\u2028", "\u3000", "\u200b",
                                "\x00", "\ufffe"]), max_size=40).map("".join)


@given(st.one_of(ANY, st.text()))
@example("a\nb")
@example("\na")
@example("a\n")
@example("a \nb")
def test_single_spaced_is_the_words_joined_by_one_space(text: str) -> None:
    assert single_spaced(text) == " ".join(text.split())
