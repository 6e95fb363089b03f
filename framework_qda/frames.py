"""What makes the library's tables behave like ordinary pandas.

Every ``to_frame()`` goes through here so that they agree: a missing value is
``NA`` (never ``""``), indexes are named (``group``, ``case``, ``subtopic``),
the sample group is an *ordered* categorical in the study's own order (so
``groupby("group", observed=True)`` and ``sort_index()`` keep it), and a case
attribute whose values are all numbers is a number column.  pandas is imported
here only when a frame is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from framework_qda.model import Case

if TYPE_CHECKING:
    import pandas as pd


def ordered(values: Sequence[str], order: Iterable[str] | None = None) -> pd.Categorical:
    """``values`` as an ordered categorical whose categories are ``order`` (default:
    the order the values first appear in, which is the study's row order)."""
    import pandas as pd

    categories = list(dict.fromkeys(order if order is not None else values))
    return pd.Categorical(list(values), categories=categories, ordered=True)  # type: ignore[return-value]


def text_or_na(values: Iterable[str]) -> list[object]:
    """Text with ``""`` as NA."""
    import pandas as pd

    return [v if v else pd.NA for v in values]


def typed(values: Sequence[str]) -> pd.Series:
    """A column of attribute values: numbers when every given value is one (blank
    ones NA), otherwise text with blanks NA."""
    import pandas as pd

    given = [v.strip() for v in values]
    numbers = pd.to_numeric(pd.Series([v or None for v in given], dtype="object"),
                            errors="coerce")
    if all((not v) or pd.notna(n) for v, n in zip(given, numbers, strict=True)) and any(given):
        whole = numbers.dropna()
        if len(whole) and (whole == whole.round()).all():
            return numbers.astype("Int64")
        return numbers.astype("Float64")
    return pd.Series(text_or_na(values), dtype="string")


def cases_frame(cases: Sequence[Case]) -> pd.DataFrame:
    """One row per case (index ``case``, in row order): ``group`` as an ordered
    categorical, then each attribute, typed (see :func:`typed`)."""
    import pandas as pd

    names = list(dict.fromkeys(name for c in cases for name, _ in c.attributes))
    frame = pd.DataFrame({"group": ordered([c.group for c in cases])},
                         index=pd.Index([c.id for c in cases], name="case"))
    for name in names:
        frame[name] = pd.Series(typed([c.attribute(name) for c in cases]).array,
                                index=frame.index)
    return frame


def group_case_index(cases: Sequence[Case]) -> pd.MultiIndex:
    """The (group, case) index of a matrix, the group level ordered as the rows are."""
    import pandas as pd

    groups = ordered([c.group for c in cases])
    return pd.MultiIndex.from_arrays(
        [pd.CategoricalIndex(groups), pd.Index([c.id for c in cases])],
        names=["group", "case"])
