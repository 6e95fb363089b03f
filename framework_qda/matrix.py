"""Framework matrices: codings + summaries -> one table per theme.

Pure computation: nothing here reads the store or writes files.  Rows are
cases in :func:`framework_qda.model.order_cases` order; columns are the
theme's sub-topics in codebook order; a cell is identified by
(case, sub-topic), so the same cell appears in every matrix that has both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, get_args

from framework_qda.cell_state import STATES as STATES
from framework_qda.cell_state import rendering, shown_summary
from framework_qda.cell_text import single_spaced
from framework_qda.evidence import WORDS_HASH as WORDS_HASH
from framework_qda.evidence import EvidenceChange as EvidenceChange
from framework_qda.evidence import Written as Written
from framework_qda.evidence import describe_change as describe_change
from framework_qda.evidence import evidence_hash as evidence_hash
from framework_qda.evidence import evidence_holds
from framework_qda.evidence import snapshot as snapshot
from framework_qda.model import (
    Case,
    Cell,
    CellState,
    Codebook,
    Evidence,
    Role,
    Subtopic,
    Theme,
    voice,
)

if TYPE_CHECKING:
    import pandas as pd

CellKey = tuple[str, str]
@dataclass(frozen=True)
class SummaryState:
    """What the store holds for a cell's summary (see ``store.SummaryRow``)."""

    text: str
    state: str
    evidence_hash: str
    provenance: str = ""
    """Who wrote it (see ``SummaryRow.provenance``)."""


def build_cells(
    cases: Sequence[Case],
    subtopics: Sequence[Subtopic],
    evidence: Iterable[Evidence],
    summaries: Mapping[CellKey, SummaryState],
    suggestions: Iterable[Evidence] = (),
) -> dict[CellKey, Cell]:
    """Every (case, sub-topic) cell with its state, summary and evidence.

    ``suggestions`` (suggested codings) are attached for display only.
    """
    by_cell: dict[CellKey, list[Evidence]] = defaultdict(list)
    for e in evidence:
        by_cell[(e.case_id, e.subtopic)].append(e)
    suggested: dict[CellKey, list[Evidence]] = defaultdict(list)
    for e in suggestions:
        suggested[(e.case_id, e.subtopic)].append(e)
    cells: dict[CellKey, Cell] = {}
    for case in cases:
        for sub in subtopics:
            key = (case.id, sub.code)
            ev = tuple(by_cell.get(key, ()))
            summary = summaries.get(key)
            cells[key] = Cell(case.id, sub.code, _state(ev, summary),
                              summary.text if summary else "", ev,
                              tuple(suggested.get(key, ())),
                              summary.provenance if summary else "")
    return cells


def _state(evidence: Sequence[Evidence], summary: SummaryState | None) -> CellState:
    if summary is not None and summary.state == "not-applicable":
        return "not-applicable"
    if summary is not None and summary.text:
        if summary.evidence_hash and not evidence_holds(summary.evidence_hash, evidence):
            return "stale"
        return "draft" if summary.state == "draft" else "summarised"
    return "coded" if evidence else "empty"


def speech_tag(role: Role) -> str:
    """``[interviewer] `` before words that are not a participant's; else empty."""
    who = voice(role)
    return f"[{who.lower()}] " if who else ""


_SPEECH_TAGS: dict[str, str] = {role: speech_tag(role) for role in get_args(Role)}


def evidence_line(evidence: Evidence) -> str:
    """A passage as a cell quotes it: ``“words” [P07:12]``, tagged when not a participant's."""
    # The tag is looked up, not made: a workbook quotes tens of thousands of passages.
    tag = _SPEECH_TAGS.get(evidence.role)
    if tag is None:
        tag = speech_tag(evidence.role)
    return f"{tag}“{single_spaced(evidence.text)}” [{evidence.ref}]"


def cell_text(cell: Cell, with_evidence: bool = True,
              speakers: Container[Role] | None = None) -> str:
    """What a cell reads as in a matrix: the summary (with its state's marker, so a
    draft reads ``(draft) …``), then the evidence quotes.

    ``speakers`` quotes only those roles' passages; the others are named by ref
    on one line, so a reader knows they are there (the workbook quotes participants).
    """
    parts: list[str] = []
    summary = shown_summary(cell)
    if summary:
        parts.append(summary)
    if with_evidence or not cell.summary:
        quoted = [e for e in cell.evidence if speakers is None or e.role in speakers]
        parts.extend(evidence_line(e) for e in quoted)
        left = [e for e in cell.evidence if speakers is not None and e.role not in speakers]
        if left:
            refs = ", ".join(f"{e.ref} ({voice(e.role).lower() or e.role})" for e in left)
            parts.append(f"(also coded, not quoted here: {refs})")
    parts.extend(f"(suggested, not reviewed) {evidence_line(e)}" for e in cell.suggestions)
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
        """The matrix as a DataFrame indexed by (group, case), one column per
        sub-topic (the column index is named ``subtopic``).

        ``content`` is ``text`` (summary, then evidence), ``summary``,
        ``state`` or ``count`` (number of evidence passages).  An empty cell is
        NA; ``group`` is an ordered categorical in the study's order (see
        :mod:`framework_qda.frames`; :meth:`Study.cases_frame` has the cases'
        attributes, typed, to join on ``case``).
        """
        import pandas as pd

        from framework_qda.frames import group_case_index, text_or_na

        def value(cell: Cell) -> str:
            if content == "state":
                return cell.state
            if content == "summary":
                return cell.summary
            return cell_text(cell)

        if content == "count":
            data: dict[str, list[object]] = {
                s.heading: [len(self.cells[(c.id, s.code)].evidence) for c in self.cases]
                for s in self.subtopics}
        else:
            data = {s.heading: text_or_na(value(self.cells[(c.id, s.code)])
                                          for c in self.cases) for s in self.subtopics}
        frame = pd.DataFrame(data, index=group_case_index(self.cases))
        frame.columns = pd.Index(list(data), name="subtopic")
        return frame


def build_matrix(
    theme: Theme, cases: Sequence[Case], cells: Mapping[CellKey, Cell]
) -> Matrix:
    """Assemble a theme's matrix from ordered cases and the study's cells."""
    return Matrix(theme, tuple(cases), {
        (c.id, s.code): cells[(c.id, s.code)] for c in cases for s in theme.subtopics
    })


# -- staleness and progress ------------------------------------------------------
@dataclass(frozen=True)
class CaseProgress:
    case: Case
    counts: Mapping[CellState, int]

    @property
    def done(self) -> int:
        """Cells a human has dealt with: summarised or marked not applicable."""
        return sum(n for s, n in self.counts.items() if rendering(s).charted)

    @property
    def to_chart(self) -> int:
        """Cells with evidence (or a summary): the ones that need charting."""
        return sum(n for s, n in self.counts.items() if rendering(s).to_chart)


@dataclass(frozen=True)
class StaleCell:
    cell: Cell
    change: EvidenceChange


class Gap(NamedTuple):
    """A cell with evidence but no human summary: where charting has work left.

    A tuple, not a :class:`Cell`: a 1,000-case study has tens of thousands
    of them, and ``fqda status`` only lists where they are."""

    case_id: str
    subtopic: str
    state: CellState
    """``coded`` (nothing written yet) or ``draft`` (a draft awaits a human)."""


@dataclass(frozen=True)
class ChartingStatus:
    """Where charting stands: per theme, per case, the gaps and the stale cells."""

    themes: list[tuple[Theme, dict[CellState, int]]]
    cases: list[CaseProgress]
    gaps: list[Gap]
    """Cells with evidence but no human summary (``coded`` or ``draft``), in row order."""
    stale: list[StaleCell]


def charting_status(codebook: Codebook, cases: Sequence[Case], cells: Mapping[CellKey, Cell],
                    written: Mapping[CellKey, Written]) -> ChartingStatus:
    """Count cells by state for every theme and case; list gaps and stale cells.

    ``cases`` in row order; ``written`` holds, per summarised cell, what its
    summary was written against (to say what changed under a stale one).
    """
    themes: list[tuple[Theme, dict[CellState, int]]] = []
    for t in codebook.themes:
        counts: dict[CellState, int] = dict.fromkeys(STATES, 0)
        for c in cases:
            for s in t.subtopics:
                counts[cells[(c.id, s.code)].state] += 1
        themes.append((t, counts))
    progress: list[CaseProgress] = []
    gaps: list[Gap] = []
    stale: list[StaleCell] = []
    for c in cases:
        mine: dict[CellState, int] = dict.fromkeys(STATES, 0)
        for s in codebook.subtopics:
            cell = cells[(c.id, s.code)]
            mine[cell.state] += 1
            if rendering(cell.state).is_gap:
                gaps.append(Gap(cell.case_id, cell.subtopic, cell.state))
            w = written.get((c.id, s.code))
            if rendering(cell.state).outdated and w is not None:
                stale.append(StaleCell(cell, describe_change(w[0], w[1], cell.evidence)))
        progress.append(CaseProgress(c, mine))
    return ChartingStatus(themes, progress, gaps, stale)
