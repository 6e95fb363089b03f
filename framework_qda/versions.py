"""Several coders' summaries of one cell: seeing them side by side, and settling
one (or an agreed new text) into the cell as the consensus.

A cell (case, sub-topic) has one summary that matrices, exports and charting
show: whoever charted it here, or the consensus once settled.  Every other
coder's summary of the cell is kept beside it as that coder's *version*
(``store.summary_versions``, migration 0018): a merge brings another copy's
summaries in that way when the cell here already holds one, and a summary
replaced by someone else's words (a ``--replace``, a consensus) is kept as its
coder's version first.  Nothing a coder wrote is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from framework_qda.agreement import CONSENSUS
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.store import StudyStore


@dataclass(frozen=True)
class Version:
    """One coder's summary of a cell."""

    coder: str
    text: str
    state: str
    """``summarised`` or ``not-applicable``."""
    provenance: str
    """Who wrote it and when, and where it came from."""
    shown: bool
    """Whether it is the cell's summary (what matrices and exports show)."""


@dataclass(frozen=True)
class CellVersions:
    case_id: str
    subtopic: str
    label: str
    versions: tuple[Version, ...]
    """The cell's own summary first (when it has one), then each coder's, by name."""

    @property
    def differ(self) -> bool:
        """Whether the coders' words or states differ."""
        return len({(v.text, v.state) for v in self.versions}) > 1


def _written(author: str, at: str, origin: str, accepted_by: str) -> str:
    if origin == "machine" and accepted_by:
        return f"machine draft accepted by {accepted_by}"
    return f"written by {author or 'unknown'}, {at[:10]}"


def versions(store: StudyStore, case_id: str | None = None, code: str | None = None
             ) -> list[CellVersions]:
    """The summaries of one cell (``case_id`` and ``code``), or of every cell (of one
    case, one sub-topic) that has a coder's version beside its own, in case and
    codebook order."""
    ids = store.subtopic_ids()
    if code is not None and code not in ids:
        raise UnknownReference(f"unknown sub-topic {code}; `fqda codebook show` lists them")
    kept = store.summary_versions(case_id, ids[code] if code is not None else None)
    cells: dict[tuple[str, str], list[Version]] = {}
    for v in kept:
        cells.setdefault((v.case_id, v.subtopic), []).append(Version(
            v.coder, v.text, v.state,
            _written(v.author, v.updated_at, v.origin, v.accepted_by)
            + (f"; {v.came_from}" if v.came_from else ""), False))
    if case_id is not None and code is not None:
        cells.setdefault((case_id, code), [])
    labels = {s.code: s.label for s in store.codebook().subtopics}
    order = {s: n for n, s in enumerate(labels)}
    out = []
    for (case, sub), theirs in sorted(cells.items(), key=lambda kv: (kv[0][0],
                                                                      order[kv[0][1]])):
        own = store.summary(case, ids[sub])
        mine = [] if own is None or own.state == "draft" else [Version(
            own.accepted_by or own.author, own.text, own.state,
            f"agreed by the coders, {own.updated_at[:10]}" if own.author == CONSENSUS
            else own.provenance, True)]
        out.append(CellVersions(case, sub, labels[sub], tuple(mine + theirs)))
    return out


def settle(store: StudyStore, case_id: str, code: str, keep: str = "", text: str | None = None,
           ) -> CellVersions:
    """Make the cell's summary the consensus: ``keep`` a coder's version of it, or
    an agreed new ``text`` (``n/a`` for not applicable).  The summary the cell
    held is kept first as its coder's version, so every original stays.  The
    caller holds the transaction."""
    from framework_qda import charting

    if bool(keep) == (text is not None):
        raise FqdaError("say which summary the coders agreed on: --keep CODER, or --text "
                        "with the agreed words")
    (cell,) = versions(store, case_id, code)
    if text is None:
        chosen = next((v for v in cell.versions if v.coder == keep), None)
        if chosen is None:
            raise UnknownReference(
                f"{keep} has no summary of {case_id} × {code}; keep one of "
                + (", ".join(v.coder for v in cell.versions) or "(no one has summarised it)"))
        words, state = chosen.text, chosen.state
    else:
        state, words = charting.read_cell_text(text)
        if not words and state == "summarised":
            raise FqdaError("the agreed summary is empty; give its words, or n/a")
    sid = store.subtopic_ids()[code]
    own = store.summary(case_id, sid)
    if own is not None and own.state != "draft" and own.author != CONSENSUS:
        store.put_summary_version(case_id, sid, own.accepted_by or own.author, own.text,
                                  own.state, own.author, own.origin, own.accepted_by,
                                  "replaced by the consensus")
    charting.write_summary(store, case_id, code, words, state, CONSENSUS)
    (after,) = versions(store, case_id, code)
    return after
