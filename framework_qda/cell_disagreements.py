"""Matrix-level disagreements: the (case, sub-topic) cells one coder found
evidence for and another did not, the disagreement a Framework matrix rests on.

The coders and codings compared are chosen as in :mod:`framework_qda.coders`
(:func:`~framework_qda.coders.scope`); the items are
:func:`framework_qda.agreement.cell_items`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from framework_qda import agreement as ag
from framework_qda.agreement import CONSENSUS
from framework_qda.coders import scope
from framework_qda.errors import FqdaError
from framework_qda.model import Codebook, Source
from framework_qda.store import StudyStore

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class CellDisagreement:
    """A matrix cell (case, sub-topic) that one coder found evidence for and
    another did not: the disagreement a Framework matrix rests on."""

    case_id: str
    group: str
    subtopic: str
    label: str
    definition: str
    coded_by: tuple[str, ...]
    not_coded_by: tuple[str, ...]
    refs: tuple[tuple[str, tuple[str, ...]], ...]
    """(coder, refs of their evidence in the cell) of each coder who coded it."""
    consensus: str
    """``coded`` when the consensus layer holds evidence in the cell, ``not coded``
    when it only holds agreed removals there, else empty."""

    @property
    def mark(self) -> str:
        """The cell's marker in a matrix: ``[coded by hb, not jk]``."""
        agreed = f"; consensus: {self.consensus}" if self.consensus else ""
        return (f"[coded by {', '.join(self.coded_by)}, not {', '.join(self.not_coded_by)}"
                f"{agreed}]")


@dataclass(frozen=True)
class CellDisagreements:
    coders: tuple[str, ...]
    rows: tuple[CellDisagreement, ...]

    def marks(self) -> dict[tuple[str, str], str]:
        """Each disagreeing cell's marker, keyed by (case id, sub-topic)."""
        return {(d.case_id, d.subtopic): d.mark for d in self.rows}

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{
            "case": d.case_id, "group": d.group, "subtopic": d.subtopic, "label": d.label,
            "definition": d.definition, "coded_by": ", ".join(d.coded_by),
            "not_coded_by": ", ".join(d.not_coded_by),
            "evidence": "; ".join(f"{c}: {' '.join(r)}" for c, r in d.refs),
            "consensus": d.consensus,
        } for d in self.rows], columns=["case", "group", "subtopic", "label", "definition",
                                        "coded_by", "not_coded_by", "evidence", "consensus"])


def cell_disagreements(store: StudyStore, codebook: Codebook, coders: Sequence[str] = (),
                       theme: str | None = None, order: Sequence[str] = ()
                       ) -> CellDisagreements:
    """Every (case, sub-topic) cell where the compared coders differ on whether
    the case has evidence for the sub-topic (anywhere in its sources), in
    matrix row order (``order``: case ids; others after, by id), then codebook
    order.  A coder who coded nothing in a case at all still counts as finding
    no evidence there, as in the matrix-level agreement figure."""
    sc = scope(store, codebook, coders, theme)
    if len(sc.coders) < 2:
        raise FqdaError("disagreements need two coders; the study has codings by "
                        + (", ".join(sc.coders) or "no one") + " in scope")
    sizes = store.source_sizes()
    case_of = {k: v[0] for k, v in sizes.items()}
    items = [i for i in ag.cell_items(sc.coders, sc.subtopics, sc.codings, case_of)
             if len(set(i.pattern)) > 1]
    row = {c: n for n, c in enumerate(order)}
    position = {s: n for n, s in enumerate(sc.subtopics)}
    items.sort(key=lambda i: (row.get(ag.cell_case(i), len(row)), ag.cell_case(i),
                              position[i.subtopic]))
    sources = {s.id: s for s in store.sources()}
    groups = {c.id: c.group for c in store.cases()}
    evidence: dict[tuple[str, str, str], list[str]] = {}
    for c in sc.codings:
        key = (case_of[c.source_id], c.subtopic, c.coder)
        ref = _ref(store, sources[c.source_id], c.start, c.end)
        if ref not in evidence.setdefault(key, []):
            evidence[key].append(ref)
    decided: dict[tuple[str, str], set[str]] = {}
    for sid, _, _, code, status in store.consensus_decisions(CONSENSUS):
        decided.setdefault((case_of[sid], code), set()).add(status)
    rows = []
    for i in items:
        case = ag.cell_case(i)
        sub = codebook.subtopic(i.subtopic)
        coded = tuple(c for c, yes in zip(sc.coders, i.pattern, strict=True) if yes)
        verdict = decided.get((case, i.subtopic), set())
        rows.append(CellDisagreement(
            case_id=case, group=groups.get(case, ""), subtopic=i.subtopic, label=sub.label,
            definition=sub.definition, coded_by=coded,
            not_coded_by=tuple(c for c in sc.coders if c not in coded),
            refs=tuple((c, tuple(evidence.get((case, i.subtopic, c), []))) for c in coded),
            consensus="coded" if "accepted" in verdict else "not coded" if verdict else ""))
    return CellDisagreements(sc.coders, tuple(rows))


def _ref(store: StudyStore, source: Source, start: int, end: int) -> str:
    from framework_qda.targets import span_ref

    return span_ref(store, source, start, end)
