"""Framework matrices: codings + summaries -> one table per theme.

Pure computation: nothing here reads the store or writes files.  Rows are
cases in :func:`framework_qda.model.order_cases` order; columns are the
theme's sub-topics in codebook order; a cell is identified by
(case, sub-topic), so the same cell appears in every matrix that has both.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from framework_qda.model import Case, Cell, CellState, Evidence, Subtopic, Theme

if TYPE_CHECKING:
    import pandas as pd

CellKey = tuple[str, str]


@dataclass(frozen=True)
class SummaryState:
    """What the store holds for a cell's summary (see ``store.SummaryRow``)."""

    text: str
    state: str
    evidence_hash: str


def evidence_hash(evidence: Iterable[Evidence]) -> str:
    """Fingerprint of the evidence under a cell; a summary records it when written."""
    h = hashlib.sha1()
    for e in sorted(evidence, key=lambda e: (e.ref, e.text)):
        h.update(f"{e.ref}\x1f{e.text}\x1e".encode())
    return h.hexdigest()[:16]


def build_cells(
    cases: Sequence[Case],
    subtopics: Sequence[Subtopic],
    evidence: Iterable[Evidence],
    summaries: Mapping[CellKey, SummaryState],
) -> dict[CellKey, Cell]:
    """Every (case, sub-topic) cell with its state, summary and evidence."""
    by_cell: dict[CellKey, list[Evidence]] = defaultdict(list)
    for e in evidence:
        by_cell[(e.case_id, e.subtopic)].append(e)
    cells: dict[CellKey, Cell] = {}
    for case in cases:
        for sub in subtopics:
            key = (case.id, sub.code)
            ev = tuple(by_cell.get(key, ()))
            summary = summaries.get(key)
            cells[key] = Cell(case.id, sub.code, _state(ev, summary),
                              summary.text if summary else "", ev)
    return cells


def _state(evidence: Sequence[Evidence], summary: SummaryState | None) -> CellState:
    if summary is not None and summary.state == "not-applicable":
        return "not-applicable"
    if summary is not None and summary.text:
        if summary.evidence_hash and summary.evidence_hash != evidence_hash(evidence):
            return "stale"
        return "draft" if summary.state == "draft" else "summarised"
    return "coded" if evidence else "empty"


def cell_text(cell: Cell, with_evidence: bool = True) -> str:
    """What a cell reads as in a matrix: the summary, then the evidence quotes."""
    parts: list[str] = []
    if cell.state == "not-applicable":
        parts.append("n/a" + (f": {cell.summary}" if cell.summary else ""))
    elif cell.summary:
        parts.append(cell.summary)
    if with_evidence or not cell.summary:
        parts.extend(f"“{' '.join(e.text.split())}” [{e.ref}]" for e in cell.evidence)
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Matrix:
    """One framework matrix: a theme's sub-topics across the ordered cases."""

    theme: Theme
    cases: tuple[Case, ...]
    cells: Mapping[CellKey, Cell]

    @property
    def subtopics(self) -> tuple[Subtopic, ...]:
        return self.theme.subtopics

    def cell(self, case_id: str, code: str) -> Cell:
        return self.cells[(case_id, code)]

    def row(self, case_id: str) -> list[Cell]:
        """Within-case: one case's cells, in sub-topic order."""
        return [self.cells[(case_id, s.code)] for s in self.subtopics]

    def column(self, code: str) -> list[Cell]:
        """Within-theme: one sub-topic's cells, in row order."""
        return [self.cells[(c.id, code)] for c in self.cases]

    def to_frame(self, content: str = "text") -> pd.DataFrame:
        """The matrix as a DataFrame indexed by (group, case).

        ``content`` is ``text`` (summary, then evidence), ``summary``,
        ``state`` or ``count`` (number of evidence passages).
        """
        import pandas as pd

        def value(cell: Cell) -> object:
            if content == "state":
                return cell.state
            if content == "count":
                return len(cell.evidence)
            if content == "summary":
                return cell.summary
            return cell_text(cell)

        index = pd.MultiIndex.from_tuples(
            [(c.group, c.id) for c in self.cases], names=["group", "case"]
        )
        data = {s.heading: [value(self.cells[(c.id, s.code)]) for c in self.cases]
                for s in self.subtopics}
        return pd.DataFrame(data, index=index)


def build_matrix(
    theme: Theme, cases: Sequence[Case], cells: Mapping[CellKey, Cell]
) -> Matrix:
    """Assemble a theme's matrix from ordered cases and the study's cells."""
    return Matrix(theme, tuple(cases), {
        (c.id, s.code): cells[(c.id, s.code)] for c in cases for s in theme.subtopics
    })
