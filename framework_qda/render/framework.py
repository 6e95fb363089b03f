"""The working framework (codebook): tree, rows, change log, differences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from framework_qda.model import Codebook

if TYPE_CHECKING:
    from rich.tree import Tree

    from framework_qda.codebook_diff import Difference
    from framework_qda.store.rows import ChangeRecord, SubtopicUse
from framework_qda.render.tables import Rows


def codebook_rows(cb: Codebook, use: Mapping[str, SubtopicUse]) -> Rows:
    """One row per sub-topic, in codebook order, with the work resting on it."""
    return [{"theme": t.heading, "code": s.code, "label": s.label,
             "codings": use[s.code].codings if s.code in use else 0,
             "cases": use[s.code].cases if s.code in use else 0,
             "summaries": use[s.code].summaries if s.code in use else 0,
             "definition": s.definition} for t in cb.themes for s in t.subtopics]


def codebook_tree(cb: Codebook, use: Mapping[str, SubtopicUse]) -> Tree:
    """Themes and their sub-topics as a tree: ``2.3 Label  12 codings · 5 cases``."""
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text(cb.title or "Codebook", style="bold"))
    for t in cb.themes:
        branch = tree.add(Text(t.heading, style="bold"))
        for s in t.subtopics:
            u = use.get(s.code)
            line = Text(s.heading)
            counts = f"  {_count(u.codings, 'coding')} · {_count(u.cases, 'case')}" \
                if u and u.codings else "  no codings"
            if u and u.summaries:
                counts += f" · {_count(u.summaries, 'summary', 'summaries')}"
            line.append(counts, style="dim")
            branch.add(line)
    return tree


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def change_rows(changes: Sequence[ChangeRecord]) -> Rows:
    return [{"when": c.at, "who": c.who, "what": c.action, "code": c.subject,
             "detail": c.detail} for c in changes]


def difference_rows(differences: Sequence[Difference]) -> Rows:
    return [{"change": d.kind, "code": d.code, "detail": d.detail} for d in differences]
