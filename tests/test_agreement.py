"""Agreement figures on small examples worked out by hand (framework_qda.agreement)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework_qda.agreement import figures, overlaps, tally, text_items

T, F = True, False


@dataclass(frozen=True)
class C:
    source_id: int
    start: int
    end: int
    subtopic: str
    coder: str


def test_kappa_and_alpha_of_a_two_by_two_table_worked_by_hand() -> None:
    #            B yes  B no
    #   A yes      4     1
    #   A no       2     3        10 items
    # percent = (4 + 3) / 10 = 0.7
    # kappa: pA = 5/10, pB = 6/10, pe = .5*.6 + .5*.4 = .5; (.7 - .5) / (1 - .5) = 0.4
    # alpha: 20 values, 11 yes and 9 no; disagreeing pairs o(yes,no) + o(no,yes) = 3 + 3;
    #   Do = 6/20, De = 2*11*9 / (20*19) = 198/380; 1 - Do/De = 1 - 19/33 = 14/33
    percent, kappa, alpha = figures({(T, T): 4, (T, F): 1, (F, T): 2, (F, F): 3}, 2)
    assert percent.value == pytest.approx(0.7)
    assert kappa.value == pytest.approx(0.4)
    assert alpha.value == pytest.approx(14 / 33)


def test_alpha_of_three_coders_worked_by_hand() -> None:
    # units: all three yes; all three no; yes yes no; yes no no
    # 12 values, 6 yes and 6 no.  A unit with 3 values weighs each ordered pair 1/(3-1):
    # (yes,yes,no) gives o(yes,no) = 2/2 and o(no,yes) = 2/2, so does (yes,no,no).
    # Do = 4/12 = 1/3, De = 2*6*6 / (12*11) = 6/11, alpha = 1 - (1/3)/(6/11) = 7/18
    counts = {(T, T, T): 1, (F, F, F): 1, (T, T, F): 1, (T, F, F): 1}
    percent, kappa, alpha = figures(counts, 3)
    assert percent.value == pytest.approx(0.5)  # all three agree on 2 of 4
    assert kappa.value is None and "exactly two coders" in kappa.reason
    assert alpha.value == pytest.approx(7 / 18)


def test_a_subtopic_one_coder_never_used() -> None:
    #            B yes  B no
    #   A yes      0     2
    #   A no       0     8
    # kappa: po = .8, pA = .2, pB = 0, pe = .2*0 + .8*1 = .8, (.8 - .8)/.2 = 0
    # alpha: 20 values, 2 yes; Do = 4/20, De = 2*2*18/(20*19) = 72/380; 1 - 76/72 = -1/18
    percent, kappa, alpha = figures({(T, F): 2, (F, F): 8}, 2)
    assert percent.value == pytest.approx(0.8)
    assert kappa.value == pytest.approx(0.0)
    assert alpha.value == pytest.approx(-1 / 18)


def test_complete_agreement() -> None:
    percent, kappa, alpha = figures({(T, T): 3, (F, F): 2}, 2)
    assert (percent.value, kappa.value, alpha.value) == (1.0, 1.0, 1.0)


def test_complete_agreement_on_one_value_is_defined_as_not_applicable() -> None:
    # both coders said yes to every unit: expected agreement is 1, kappa's 0/0
    percent, kappa, alpha = figures({(T, T): 4}, 2)
    assert percent.value == 1.0
    assert kappa.value is None and kappa.text() == (
        "n/a (expected agreement is 1: both coders gave every unit the same value)")
    assert alpha.value is None and alpha.text().startswith("n/a (expected disagreement is 0")


def test_one_coder_only_and_no_units() -> None:
    for fig in figures({(T,): 3, (F,): 1}, 1):
        assert fig.text() == "n/a (agreement needs at least two coders)"
    for fig in figures({}, 2):
        assert fig.text() == "n/a (no units to compare)"


UNITS = {1: [(0, 10), (10, 20), (20, 30), (30, 40), (40, 50), (50, 60), (60, 70),
             (70, 80), (80, 90), (90, 100)]}
CODED = [C(1, 0, 10, "s", "a"), C(1, 20, 25, "s", "a"), C(1, 0, 10, "s", "b"),
         C(1, 30, 40, "s", "b")]


def test_text_neither_coder_indexed_is_left_out_unless_asked_for() -> None:
    # units 0 (both), 2 (a only), 3 (b only); units 1 and 4-9 nobody coded.
    # Default universe {0, 2, 3}:  both 1, a only 1, b only 1, neither 0
    #   po = 1/3, pA = pB = 2/3, pe = 4/9 + 1/9 = 5/9, kappa = (1/3 - 5/9)/(4/9) = -0.5
    # With uncoded text, 10 units:  both 1, a only 1, b only 1, neither 7
    #   po = .8, pA = pB = .2, pe = .04 + .64 = .68, kappa = .12/.32 = 0.375
    default = tally("s", text_items(["a", "b"], ["s"], CODED, UNITS, {1: 100}), 2)
    assert default.items == 3
    assert default.kappa.value == pytest.approx(-0.5)
    everything = tally("s", text_items(["a", "b"], ["s"], CODED, UNITS, {1: 100},
                                       include_uncoded=True), 2)
    assert everything.items == 10
    assert everything.kappa.value == pytest.approx(0.375)


def test_a_coding_counts_for_every_unit_it_overlaps() -> None:
    wide = [C(1, 5, 25, "s", "a"), C(1, 10, 20, "s", "b")]
    items = text_items(["a", "b"], ["s"], wide, UNITS, {1: 100})
    assert [(i.start, i.pattern) for i in items] == [(0, (T, F)), (10, (T, T)), (20, (T, F))]


def test_character_units_and_span_overlap() -> None:
    # a codes 0-10, b codes 5-15: 5 characters a only, 5 both, 5 b only
    spans = [C(1, 0, 10, "s", "a"), C(1, 5, 15, "s", "b")]
    t = tally("s", text_items(["a", "b"], ["s"], spans, None, {1: 40}), 2)
    assert dict(t.counts) == {(T, F): 5, (T, T): 5, (F, T): 5}
    assert t.percent.value == pytest.approx(5 / 15)
    # they share 5 characters, half of the shorter coding (10)
    half = overlaps(["a", "b"], ["s"], spans, 0.5)[0]
    assert (half.a_matched, half.b_matched) == (1, 1)
    more = overlaps(["a", "b"], ["s"], spans, 0.6)[0]
    assert (more.a_matched, more.b_matched, more.a_codings) == (0, 0, 1)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 50000))
def test_two_coder_alpha_is_the_packages_to_the_last_bit(both: int, only_a: int, only_b: int,
                                                         neither: int) -> None:
    # The two-coder figure is computed without numpy; it must be the package's.
    import krippendorff
    import numpy as np

    counts = {(T, T): both, (T, F): only_a, (F, T): only_b, (F, F): neither}
    alpha = figures(counts, 2)[2]
    table = np.repeat(np.array([[0, 2], [1, 1], [1, 1], [2, 0]]),
                      [both, only_a, only_b, neither], axis=0)
    if alpha.value is None:
        assert 2 * both + only_a + only_b == 0 or 2 * neither + only_a + only_b == 0
        return
    expected = float(krippendorff.alpha(value_counts=table, level_of_measurement="nominal"))
    assert alpha.value == expected
