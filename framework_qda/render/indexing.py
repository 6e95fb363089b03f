"""Indexing: the interactive coding panel, suggestions and their review."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from framework_qda.model import Codebook, Segment

if TYPE_CHECKING:
    from rich.console import RenderableType

    from framework_qda.review_queue import QueueItem
    from framework_qda.session import SessionView
    from framework_qda.suggestion import SuggestReport
from framework_qda.render.tables import Rows, brief, fold


def framework_lines(codebook: Codebook) -> str:
    """The framework at hand, one theme per line: ``2 Structures: 2.1 Partnership boards …``."""
    lines = []
    for theme in codebook.themes:
        subs = "  ".join(f"{s.code} {brief(s.label, 4)}" for s in theme.subtopics)
        lines.append(f"{theme.code} {theme.label}: {subs}")
    return "\n".join(lines)


def _turn(seg: Segment, words: int = 0) -> str:
    body = fold(seg.text) if not words else brief(seg.text, words)
    return f"{seg.ref}  {seg.speaker + ': ' if seg.speaker else ''}{body}"


def session_panel(view: SessionView, codebook: Codebook) -> RenderableType:
    """The segment at hand in a panel, neighbours dimmed above and below, codes so far."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    assert view.segment is not None
    seg = view.segment
    parts: list[RenderableType] = [Text(_turn(s, 40), style="dim") for s in view.before]
    if view.sentences:  # numbered, so part of the turn can be coded (.2 2.3)
        said = " ".join(f"[{i}] {fold(t)}" for i, t in enumerate(view.sentences, 1))
        body = Text(f"▶ {seg.ref}  {seg.speaker + ': ' if seg.speaker else ''}{said}",
                    style="bold")
    else:
        body = Text("▶ " + _turn(seg), style="bold")
    if view.matched:
        body.highlight_words(view.matched.split("; "), style="bold yellow")
    parts.append(body)
    parts.extend(Text(_turn(s, 40), style="dim") for s in view.after)
    labels = {s.code: s.label for s in codebook.subtopics}
    if view.subtopic:
        parts.append(Text(f"suggested: {view.subtopic} {labels.get(view.subtopic, '')} "
                          f"(matched: {view.matched})", style="cyan"))
    if view.codes:
        parts.append(Text("coded: " + ", ".join(f"{c} {labels.get(c, '')}" for c in view.codes),
                          style="green"))
    if view.memo:
        parts.append(Text(f"memo: {view.memo}", style="magenta"))
    title = f"{seg.ref} · {view.position}/{view.total}"
    subtitle = (f"{view.remaining} suggestion(s) to go" if view.subtopic
                else f"{view.remaining} uncoded")
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left")


def review_panel(view: SessionView, codebook: Codebook) -> RenderableType:
    """A suggestion under review: its segment with the matched words picked out."""
    return session_panel(view, codebook)


def session_end(view: SessionView, case: str) -> str:
    """What to say when a coding session has seen every segment."""
    if view.total == 0:
        return f"{case} has no segments to code"
    if view.remaining:
        return (f"every segment of {case} has been seen; {view.remaining} skipped one(s) are "
                "still uncoded and come back in the next session")
    return f"all {view.total} segments of {case} are coded"


def suggest_rows(report: SuggestReport) -> Rows:
    """New suggestions per sub-topic, in codebook order."""
    return [{"subtopic": code, "new suggestions": n} for code, n in report.by_subtopic.items()]


def queue_rows(items: Sequence[QueueItem], exact: bool = True) -> Rows:
    """Pending suggestions, one row each.  ``exact`` (csv, json) adds the words they
    cover as in the source, the source and its offsets (end exclusive), and the
    suggestion's id; the terminal's table shows a short excerpt instead."""
    rows: Rows = []
    for i in items:
        if exact:
            rows.append({"ref": i.ref, "subtopic": i.subtopic, "matched": i.matched,
                         "case": i.case_id, "group": i.group, "text": i.text,
                         "source": i.source, "start": i.start, "end": i.end, "id": i.id})
        else:  # the ref names the case
            rows.append({"ref": i.ref, "subtopic": i.subtopic, "matched": i.matched,
                         "group": i.group, "words": brief(fold(i.text), 8)})
    return rows


def queue_counts(items: Sequence[QueueItem]) -> str:
    """``43 suggestions (1.2: 22, 2.1: 21)``: how many, per sub-topic in queue order."""
    per: dict[str, int] = {}
    for i in items:
        per[i.subtopic] = per.get(i.subtopic, 0) + 1
    parts = ", ".join(f"{code}: {n}" for code, n in per.items())
    noun = "suggestion" if len(items) == 1 else "suggestions"
    return f"{len(items)} {noun} ({parts})" if per else f"0 {noun}"
