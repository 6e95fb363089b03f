"""The cases file (``cases.csv`` or ``.xlsx``): one row per case."""

from __future__ import annotations

from pathlib import Path

from framework_qda.errors import InputError, ValidationError
from framework_qda.model import Case, check_case_id, shown
from framework_qda.refs import case_id as codable_case_id
from framework_qda.tabular import read_table

CASE_COLUMNS = ("case", "id", "case_id")
GROUP_COLUMNS = ("group", "sample group", "sample_group")


def read_cases(path: Path, data: bytes | None = None) -> list[Case]:
    """Cases in file order: a case id column, a group column, then attributes.

    Every problem (missing id, duplicate id) is reported at once.
    """
    table = read_table(path, data)
    keys = [h.casefold() for h in table.header]
    id_key = next((k for k in CASE_COLUMNS if k in keys), None)
    if id_key is None:
        raise InputError(path, "has no `case` column; the first row must name the columns, "
                         "e.g. case,group,area", 1)
    group_key = next((k for k in GROUP_COLUMNS if k in keys), None)
    attrs = [(h, h.casefold()) for h in table.header
             if h and h.casefold() not in (id_key, group_key)]
    problems: list[str] = []
    seen: dict[str, int] = {}
    cases: list[Case] = []
    for line, row in table.rows:
        case_id = codable_case_id(row.get(id_key, ""))
        if not case_id:
            problems.append(f"{path}:{line}: the case id is empty")
            continue
        problem = check_case_id(case_id)
        if problem is not None:
            problems.append(f"{path}:{line}: the case id {shown(case_id)!r} {problem}; "
                            "a case id is typed in refs like P07:12, so rename it")
            continue
        if case_id in seen:
            problems.append(f"{path}:{line}: case {case_id} is listed twice (first on line "
                            f"{seen[case_id]})")
            continue
        seen[case_id] = line
        cases.append(Case(case_id, row.get(group_key, "") if group_key else "",
                          tuple((h, row.get(k, "")) for h, k in attrs)))
    if problems:
        raise ValidationError(f"{path}: {len(problems)} problem(s); nothing was imported",
                              problems)
    return cases
