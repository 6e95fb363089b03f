"""pandas that feels like pandas: NA, named indexes, the study's group order, typed attributes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import framework_qda as fq
from tests.conftest import copy_example

ORDER = ["Council chief executive", "Health-service manager", "Voluntary-sector leader",
         "Frontline practitioner"]  # codebooks/framework.yaml; not alphabetical


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> fq.Study:
    root = tmp_path_factory.mktemp("frames") / "example"
    copy_example(root)
    s = fq.open_study(root)
    s.run()
    return s


def test_a_notebook_groups_a_matrix_in_the_studys_order(example: fq.Study) -> None:
    frame = example.matrix("2").to_frame("count")
    sizes = frame.groupby("group", observed=True).size()
    assert list(sizes.index) == ORDER
    assert list(frame.sort_index().index.get_level_values("group").unique()) == ORDER
    assert frame.index.names == ["group", "case"] and frame.columns.name == "subtopic"


def test_an_empty_cell_is_na_not_an_empty_string(example: fq.Study) -> None:
    charted = example.matrix("1").to_frame("summary")   # every cell summarised
    uncharted = example.matrix("2").to_frame("summary")  # none
    assert charted.notna().all().all() and uncharted.isna().all().all()
    assert not (uncharted.fillna("x") == "").any().any()


def test_case_attributes_are_typed_columns(example: fq.Study, tmp_path: Path) -> None:
    cases = example.cases_frame()
    assert cases.index.name == "case" and list(cases.columns[:2]) == ["group", "area"]
    assert str(cases["years_in_role"].dtype) == "Int64"
    assert cases.loc["P1", "years_in_role"] == 6
    assert cases["years_in_role"].mean() > 0
    assert list(cases["group"].cat.categories) == ORDER
    joined = example.matrix("2").to_frame("count").join(cases[["area"]], on="case")
    assert set(joined["area"]) == {"Urban", "Rural"}


def test_within_case_and_within_theme_are_frames_too(example: fq.Study) -> None:
    profile = example.case_profile("P7").to_frame()
    assert profile.index.names == ["theme", "subtopic"]
    assert set(profile.columns) == {"state", "summary", "passages"}
    assert profile.loc[("2", "2.3"), "passages"] >= 1
    view = example.theme_view("2", subtopic="2.3").to_frame()
    assert view.index.names == ["subtopic", "group", "case"]
    groups = list(dict.fromkeys(view.index.get_level_values("group")))
    assert groups == [g for g in ORDER if g in groups]
    assert isinstance(view["summary"].iloc[0], str) or pd.isna(view["summary"].iloc[0])


def test_compare_keeps_the_group_order(example: fq.Study) -> None:
    frame = example.compare().to_frame()
    assert list(frame.index) == ORDER and frame.index.name == "group"
    assert list(frame.groupby(level=0, observed=True).size().index) == ORDER
