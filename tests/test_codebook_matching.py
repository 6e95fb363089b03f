"""The rule a re-imported codebook meets the stored one by, without a store."""

from __future__ import annotations

import pytest

from framework_qda.codebook_matching import plan_import
from framework_qda.errors import ConflictError
from framework_qda.model import Codebook, Subtopic, Theme


def framework(*subs: tuple[str, str, str]) -> Codebook:
    """One theme "1" holding sub-topics given as (code, label, guid)."""
    return Codebook(themes=(Theme("1", "Access", guid="t-1", subtopics=tuple(
        Subtopic(code, label, "1", guid=guid) for code, label, guid in subs)),))


STORED = framework(("1.1", "Waiting lists", "a"), ("1.2", "Transport", "b"))
IDS = {"1.1": 11, "1.2": 12}


def test_a_kept_guid_under_a_new_code_is_a_recoding_not_a_removal() -> None:
    plan = plan_import(STORED, IDS, {"1": 1}, {"1.1": 3},
                       framework(("1.2", "Waiting lists", "{A}"), ("1.1", "Transport", "B")))
    assert dict(plan.subtopics) == {"1.2": 11, "1.1": 12}  # braces and case don't matter
    assert plan.changes.recoded == ("1.1 -> 1.2", "1.2 -> 1.1")
    assert (plan.changes.added, plan.changes.changed, plan.changes.removed) == ((), (), ())


def test_without_guids_the_code_decides_and_new_words_are_a_change() -> None:
    plan = plan_import(STORED, IDS, {"1": 1}, {},
                       framework(("1.1", "Waiting times", ""), ("1.3", "Cost", "")))
    assert dict(plan.subtopics) == {"1.1": 11}
    assert plan.changes.changed == ("1.1",)
    assert plan.changes.added == ("1.3",)
    assert plan.changes.removed == ("1.2",)
    assert dict(plan.themes) == {"1": 1}


def test_dropping_what_codings_or_summaries_rest_on_is_refused_naming_it() -> None:
    with pytest.raises(ConflictError, match=r"rest on: 1\.2; keep them"):
        plan_import(STORED, IDS, {"1": 1}, {"1.2": 1}, framework(("1.1", "Waiting lists", "a")))
