"""Rows for agreement, disagreements and merge reports (formatting only)."""

from __future__ import annotations

from framework_qda.agreement import Agreement, Figure, Tally
from framework_qda.cell_disagreements import CellDisagreements
from framework_qda.coders import Disagreements
from framework_qda.merge import MergeReport
from framework_qda.versions import CellVersions

Rows = list[dict[str, object]]


def _fig(f: Figure, exact: bool) -> object:
    if exact:  # csv and json: the number itself, or empty with the reason beside it
        return "" if f.value is None else round(f.value, 6)
    return f.text()


def agreement_rows(a: Agreement, exact: bool = False) -> Rows:
    """One row per sub-topic and overall, for text units then matrix cells."""
    rows: Rows = []
    for level, tallies in ((a.unit, (*a.subtopics, a.overall)),
                           ("matrix cell", (*a.cells, a.cells_overall))):
        for t in tallies:
            rows.append(_row(level, t, a.coders, exact))
    return rows


def _row(level: str, t: Tally, coders: tuple[str, ...], exact: bool) -> dict[str, object]:
    row: dict[str, object] = {"level": level, "subtopic": t.subtopic, "items": t.items}
    for coder, n in zip(coders, t.coded, strict=True):
        row[f"coded by {coder}"] = n
    for name, fig in (("percent", t.percent), ("kappa", t.kappa), ("alpha", t.alpha)):
        if exact:
            row[name] = _fig(fig, True)
            row[f"{name} note"] = fig.reason
        else:
            row[name] = (f"{100 * fig.value:.1f}%" if name == "percent" and fig.value is not None
                         else fig.text())
    return row


def agreement_notes(a: Agreement) -> list[str]:
    lines = [f"coders: {', '.join(a.coders) or 'none'}; unit: {a.unit}",
             f"units counted: {a.universe}"]
    if a.overlap_threshold is not None:
        lines.append(f"span overlap: codings of the same sub-topic match when they share at "
                     f"least {a.overlap_threshold:g} of the shorter one")
    return lines


def overlap_rows(a: Agreement) -> Rows:
    rows: Rows = []
    for o in a.overlap:
        rows.append({
            "subtopic": o.subtopic,
            "coder": o.coder_a, "matched": f"{o.a_matched}/{o.a_codings}",
            "share": o.share(o.a_matched, o.a_codings).text(),
            "other coder": o.coder_b, "other matched": f"{o.b_matched}/{o.b_codings}",
            "other share": o.share(o.b_matched, o.b_codings).text(),
        })
    return rows


def disagreement_rows(d: Disagreements, text: bool = True) -> Rows:
    rows: Rows = []
    for x in d.rows:
        row: dict[str, object] = {
            "ref": x.ref, "subtopic": x.subtopic, "label": x.label,
            "coded by": ", ".join(x.coded_by), "not by": ", ".join(x.not_coded_by),
            "codings": "; ".join(f"{c} {r}" + (f" ({m})" if m else "")
                                 for c, r, m in x.codings),
            "definition": x.definition,
            "consensus": x.consensus,
        }
        if text:
            row["text"] = x.text
        rows.append(row)
    return rows


def cell_disagreement_rows(d: CellDisagreements) -> Rows:
    """One row per matrix cell where the coders differ, with each coder's evidence."""
    return [{
        "case": x.case_id, "group": x.group, "subtopic": x.subtopic, "label": x.label,
        "coded by": ", ".join(x.coded_by), "not by": ", ".join(x.not_coded_by),
        "evidence": "; ".join(f"{c} {' '.join(refs)}" for c, refs in x.refs),
        "definition": x.definition, "consensus": x.consensus,
    } for x in d.rows]


def version_rows(cells: list[CellVersions]) -> Rows:
    """One row per coder's summary of each cell; the cell's own is marked shown."""
    return [{
        "case": c.case_id, "subtopic": c.subtopic, "coder": v.coder,
        "shown": "yes" if v.shown else "", "state": v.state, "summary": v.text,
        "provenance": v.provenance,
    } for c in cells for v in c.versions]


def merge_lines(r: MergeReport) -> list[str]:
    lines = [f"merged {', '.join(r.coders) or 'no coder'}: {r.codings_added} coding(s) added, "
             f"{r.codings_present} already here; {r.summaries_added} summary(ies) added, "
             f"{r.summaries_present} already here"
             + (f", {r.summaries_beside} kept as their version beside this study's "
                "(`fqda chart versions` shows both)" if r.summaries_beside else "")]
    if r.renamed:
        lines.append(f"matched under another name ({len(r.renamed)}):")
        lines.extend(f"  {u}" for u in r.renamed)
    if r.unmatched:
        lines.append(f"not merged ({len(r.unmatched)}):")
        lines.extend(f"  {u}" for u in r.unmatched)
    return lines
