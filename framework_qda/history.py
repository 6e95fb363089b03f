"""The study's history: who changed what, when, and putting the last change back.

Every transaction the library runs is an *action* (one user command: ``fqda
code …``, one file of ``fqda ingest``, a codebook import); the store files a
before and after copy of every row the action changed (cases, themes,
sub-topics, codings, summaries and their links, the notes and sets a project
brought; sources without their text).  :func:`history` reads that back with
the changes described in the researcher's words, and :func:`undo` reverts a
coder's last action, refusing when later work rests on what it would take away.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.store import ActionRow, ChangeRow, StudyStore

ChangeKind = Literal["added", "changed", "removed"]

_NOUNS = {"cases": "case", "themes": "theme", "subtopics": "sub-topic", "codings": "coding",
          "summaries": "summary", "summary_links": "summary reference", "sources": "source",
          "names": "register entry", "notes": "note", "sets": "set",
          "summary_versions": "summary version"}


@dataclass(frozen=True)
class Change:
    """One row that an action added, changed or removed, in the researcher's words."""

    kind: ChangeKind
    noun: str
    """``case``, ``theme``, ``sub-topic``, ``coding``, ``suggestion``, ``summary``,
    ``summary reference`` or ``source``."""
    subject: str
    """What it is: ``P7:12 → 2.3``, ``P7 × 2.3``, ``2.3 Pooled budgets``, ``P7``."""
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    what: str = ""
    """For a change: the fields that differ, e.g. ``status suggested → accepted``."""

    def describe(self) -> str:
        tail = f" ({self.what})" if self.what else ""
        return f"{self.noun} {self.kind}: {self.subject}{tail}"


@dataclass(frozen=True)
class Action:
    """One user action and every change it made."""

    id: int
    at: str
    who: str
    command: str
    undoes: int | None
    undone_by: int | None
    changes: tuple[Change, ...]

    def summary(self) -> str:
        """``3 codings added, 1 summary changed`` (summary references are implied
        by their summaries and not counted)."""
        counts: dict[tuple[str, str], int] = {}
        for c in self.changes:
            if c.noun != "summary reference":
                counts[(c.noun, c.kind)] = counts.get((c.noun, c.kind), 0) + 1
        parts = [f"{n} {_plural(noun, n)} {kind}" for (noun, kind), n in counts.items()]
        return ", ".join(parts) or "summary references changed"


def _plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    return "summaries" if noun == "summary" else noun + "s"


# Fields that change with every write and say nothing a reader wants to see.
_QUIET = {"updated_at", "created_at", "evidence_hash", "evidence", "text_hash", "position"}


class _Namer:
    """Names rows the way a researcher types them, from the store as it is now."""

    def __init__(self, store: StudyStore) -> None:
        self.store = store
        self.prefixes = store.ref_prefixes()
        self.codes = {v: k for k, v in store.subtopic_ids().items()}
        self.themes = {v: k for k, v in store.theme_ids().items()}
        self._starts: dict[int, tuple[list[int], list[int]]] = {}

    def code(self, subtopic_id: Any) -> str:
        return self.codes.get(subtopic_id, f"(removed sub-topic #{subtopic_id})")

    def ref(self, source_id: int, start: int) -> str:
        if source_id not in self._starts:
            spans = list(self.store.segment_spans(source_id))
            self._starts[source_id] = ([s[2] for s in spans], [s[1] for s in spans])
        starts, numbers = self._starts[source_id]
        prefix = self.prefixes.get(source_id, f"source #{source_id}")
        i = bisect.bisect_right(starts, start) - 1
        return f"{prefix}:{numbers[i]}" if i >= 0 else f"{prefix}@{start}"

    def subject(self, table: str, row: dict[str, Any]) -> str:
        if table == "codings":
            return f"{self.ref(row['source_id'], row['start'])} → {self.code(row['subtopic_id'])}"
        if table == "summary_versions":
            return f"{row['case_id']} × {self.code(row['subtopic_id'])} by {row['coder']}"
        if table in ("summaries", "summary_links"):
            subject = f"{row['case_id']} × {self.code(row['subtopic_id'])}"
            if table == "summary_links":
                subject += f" cites {self.prefixes.get(row['source_id'], '?')}:{row['segment']}"
            return subject
        if table in ("subtopics", "themes"):
            return f"{row['code']} {row['label']}"
        if table == "sources":
            return f"{row['name']} (case {row['case_id']})"
        if table == "names":
            return f"{row['real']} → {row['pseudonym']}" + (
                f" (case {row['case_id']})" if row["case_id"] else "")
        if table == "notes":
            where = self.prefixes.get(row["source_id"], "") if row["source_id"] else ""
            return f"{row['name'] or 'untitled'}" + (f" on {where}" if where else "")
        if table == "sets":
            return str(row["name"])
        return str(row.get("id", ""))


def _change(namer: _Namer, row: ChangeRow) -> Change:
    shown = row.after if row.after is not None else row.before
    assert shown is not None
    kind: ChangeKind = ("added" if row.before is None else
                        "removed" if row.after is None else "changed")
    if row.table == "codings" and row.before is not None and row.after is not None:
        # A coding is evidence while accepted: uncoding rejects it, review accepts it.
        was, now = row.before.get("status"), row.after.get("status")
        if was == "accepted" and now != "accepted":
            kind = "removed"
        elif now == "accepted" and was != "accepted":
            kind = "added"
    what = ""
    if row.before is not None and row.after is not None:
        diffs = []
        for k, new in row.after.items():
            old = row.before.get(k)
            if old == new or k in _QUIET:
                continue
            if k == "text":
                diffs.append("text edited")
            elif k == "start" or k == "end":
                if "moved" not in diffs:
                    diffs.append("moved")
            elif k == "subtopic_id":
                diffs.append(f"sub-topic {namer.code(old)} → {namer.code(new)}")
            else:
                diffs.append(f"{k} {old or '(none)'} → {new or '(none)'}")
        what = ", ".join(diffs)
    noun = _NOUNS.get(row.table, row.table)
    statuses = {copy.get("status") for copy in (row.before, row.after) if copy is not None}
    if row.table == "codings" and "accepted" not in statuses:
        noun = "suggestion" if "suggested" in statuses else "rejected suggestion"
    return Change(kind, noun, namer.subject(row.table, shown), row.before, row.after, what)


def _actions(store: StudyStore, rows: Sequence[ActionRow], case_id: str | None = None,
             subtopic_id: int | None = None) -> list[Action]:
    """The actions with their changes (only those to the case and sub-topic, when given:
    a filtered history shows what happened to that case or cell, not all else the
    same command did)."""
    namer = _Namer(store)
    by_action: dict[int, list[Change]] = {}
    for row in store.changes([a.id for a in rows]):
        if (case_id is not None and row.case_id != case_id) or (
                subtopic_id is not None and row.subtopic_id != subtopic_id):
            continue
        by_action.setdefault(row.action_id, []).append(_change(namer, row))
    return [Action(a.id, a.at, a.who, a.command, a.undoes, a.undone_by,
                   tuple(by_action.get(a.id, ()))) for a in rows]


def history(store: StudyStore, *, case_id: str | None = None, subtopic: str | None = None,
            who: str | None = None, limit: int = 0) -> list[Action]:
    """The study's actions, newest first, with their changes; only those touching a
    case, a sub-topic or one cell (both), or by one coder, when given."""
    sub_id = None
    if subtopic is not None:
        ids = store.subtopic_ids()
        if subtopic not in ids:
            raise UnknownReference(f"unknown sub-topic {subtopic}; `fqda codebook show` "
                                   "lists them")
        sub_id = ids[subtopic]
    if case_id is not None and store.case(case_id) is None:
        raise UnknownReference(f"no case {case_id}; `fqda status` lists the cases")
    return _actions(store, store.actions(case_id=case_id, subtopic_id=sub_id, who=who,
                                         limit=limit), case_id, sub_id)


def undo(store: StudyStore, who: str, action_id: int | None = None) -> Action:
    """Revert ``who``'s last action (not itself an undo, not undone already), or the
    action ``action_id`` (the caller has checked it may be undone), in one
    transaction recorded as an action of its own; returns the action reverted.

    Refused, with nothing changed, when a later action by anyone changed a row
    this one wrote (undo that first), when the action re-ingested a transcript
    (its old text is not kept: restore the file and ingest it), or when a row
    put back would contradict the study as it is now.
    """
    row = store.last_undoable(who) if action_id is None else store.action(action_id)
    if row is None:
        raise FqdaError(f"{who} has nothing to undo; `fqda history --coder \"{who}\"` lists "
                        "their changes")
    changes = store.changes([row.id])
    label = f"#{row.id} ({row.command or 'a change'})"
    if any(c.table == "sources" for c in changes):
        raise FqdaError(f"cannot undo {label}: it ingested a transcript, whose earlier text "
                        "is not kept; restore the old file and run `fqda ingest` again")
    keys = {(c.table, _key(list(c.key))) for c in changes}
    for c in changes:  # a row whose key an update changed is known by both keys
        for copy in (c.before, c.after):
            if copy is not None and c.table in _KEYS:
                keys.add((c.table, _key([copy[k] for k in _KEYS[c.table]])))
    later = store.later_actions_on(row.id, sorted(keys))
    if later:
        first = store.action(later[0])
        by = f" by {first.who}" if first and first.who else ""
        cmd = f" ({first.command})" if first and first.command else ""
        raise FqdaError(f"cannot undo {label}: later work depends on it — #{later[0]}{by}{cmd} "
                        "changed the same rows; undo that first")
    if not store.revert_action(row.id, changes):
        raise FqdaError(f"cannot undo {label}: the study has changed since in a way that "
                        "depends on it (a row it would put back or take away is still "
                        "needed); `fqda history` shows what came after")
    return _actions(store, [row])[0]


def _key(values: list[Any]) -> str:
    """A row key as the store's triggers write it (SQLite's ``json_array``)."""
    import json

    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


_KEYS = {"names": ("real", "case_id"), "cases": ("id",), "themes": ("id",),
         "subtopics": ("id",), "codings": ("id",), "notes": ("guid",), "sets": ("guid",),
         "summaries": ("case_id", "subtopic_id"),
         "summary_versions": ("case_id", "subtopic_id", "coder"),
         "summary_links": ("case_id", "subtopic_id", "source_id", "segment")}
