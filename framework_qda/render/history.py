"""The study's record as rows: its history (one row per action, or per change for
json) and its names register."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from framework_qda.render.tables import Rows

if TYPE_CHECKING:
    from framework_qda.history import Action
    from framework_qda.store import NameEntry

_SHOWN = 3  # changes named per action in a table; the rest are counted


def history_rows(actions: Sequence[Action], detail: bool = False) -> Rows:
    """One row per action, newest first: when, who, the command, what it changed.

    ``detail`` (json) adds every change with the row before and after.
    """
    rows: Rows = []
    for a in actions:
        state = (f"undone by #{a.undone_by}" if a.undone_by else
                 f"undoes #{a.undoes}" if a.undoes else "")
        row: dict[str, object] = {"id": a.id, "when": a.at, "who": a.who,
                                  "command": a.command, "changed": a.summary(),
                                  "state": state}
        if detail:
            row["changes"] = [{"kind": c.kind, "what": c.noun, "subject": c.subject,
                               "fields": c.what, "before": c.before, "after": c.after}
                              for c in a.changes]
        else:
            named = [c.describe() for c in a.changes if c.noun != "summary reference"]
            more = len(named) - _SHOWN
            row["details"] = "; ".join(named[:_SHOWN]) + (f"; and {more} more"
                                                          if more > 0 else "")
        rows.append(row)
    return rows


def name_rows(entries: Sequence[NameEntry]) -> Rows:
    """The names register, one row per entry."""
    return [{"real": e.real, "pseudonym": e.pseudonym, "case": e.case_id or "(all)",
             "kind": e.kind, "status": e.status, "found": e.count,
             "where": ", ".join(e.refs)} for e in entries]
