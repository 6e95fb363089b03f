"""Search snippets: the fast cut of each word equals cutting it at every match."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framework_qda.render.queries import snippet
from framework_qda.search import Passage


def _every_match_cut(passage: Passage, words: int = 30) -> list[tuple[str, bool]]:
    """The snippet as first written: every word cut at every match's ends."""
    import re

    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", passage.text)]
    first = 0
    if passage.matches:
        hit = passage.matches[0][0]
        first = next((i for i, (_, e) in enumerate(spans) if e > hit), 0)
        first = max(0, min(first - words // 3, len(spans) - words))
    window = spans[first:first + words] if passage.matches else spans
    pieces: list[tuple[str, bool]] = [("… ", False)] if first > 0 else []
    for i, (s, e) in enumerate(window):
        cuts = sorted({s, e, *(min(max(p, s), e) for m in passage.matches for p in m)})
        for a, b in zip(cuts, cuts[1:], strict=False):
            pieces.append((passage.text[a:b],
                           any(ms <= a and b <= me for ms, me in passage.matches)))
        if i < len(window) - 1:
            pieces.append((" ", False))
    if passage.matches and first + words < len(spans):
        pieces.append((" …", False))
    return pieces


@st.composite
def passages(draw: st.DrawFn) -> Passage:
    text = draw(st.text(alphabet=st.sampled_from(list("ab c\n.")), min_size=1, max_size=120))
    points = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    matches = tuple((a, b) for a, b in zip(points[::2], points[1::2], strict=False) if a < b)
    return Passage("S1:1", "P1", "G", "P1", "participant", text, (), matches)


@given(passages(), st.integers(3, 40))
def test_the_same_pieces_as_cutting_at_every_match(passage: Passage, words: int) -> None:
    assert snippet(passage, words) == _every_match_cut(passage, words)


def test_a_match_inside_a_word_is_marked_alone() -> None:
    text = "the handover sheet was late"
    start = text.index("hand")
    passage = Passage("S1:1", "P1", "G", "P1", "participant", text, (),
                      ((start, start + 4),))
    assert "".join(f"**{t}**" if hit else t for t, hit in snippet(passage)) == (
        "the **hand**over sheet was late")
