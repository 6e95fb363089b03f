"""``fqda review`` as a state machine: walk the pending suggestions and accept,
reject, change or skip each.  Like the coding session (:mod:`framework_qda.session`),
whose steps and views it shares, it decides everything and the command line
only prompts; every answer is saved at once, in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from framework_qda.coding import check_overlaps, code_spans
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.model import natural_key
from framework_qda.session import SessionView, Step, StepKind, answer_words, segment_context
from framework_qda.store import StudyStore
from framework_qda.store.rows import SuggestionRow
from framework_qda.targets import Span

REVIEW_HELP = """\
a         accept: the suggestion becomes a coding
r         reject it (it is not suggested again)
c 2.4     change it: code the segment to 2.4 instead, and reject the suggestion
s         skip it for now
?         this help
q         quit"""


@dataclass
class ReviewTally:
    """What a review decided, answer by answer."""

    accepted: int = 0
    rejected: int = 0
    changed: int = 0
    skipped: int = 0


class SuggestionReview:
    """``fqda review``: walk pending suggestions; accept, reject, change or skip each."""

    def __init__(self, store: StudyStore, coder: str, case: str | None = None,
                 subtopics: list[str] | None = None, only: Collection[int] | None = None
                 ) -> None:
        """``only``: the ids of the suggestions to walk (a review queue's filter)."""
        if case is not None and store.case(case) is None:
            raise UnknownReference(f"no case {case}; `fqda status` lists the cases")
        self.store, self.coder = store, coder
        # Cases in natural order (P2 before P10); the store keeps offsets in order within.
        self.items: list[SuggestionRow] = sorted(
            (r for r in store.suggestions(case, subtopics) if only is None or r.id in only),
            key=lambda r: natural_key(r.case_id))
        self.index = 0
        self.tally = ReviewTally()

    @property
    def current(self) -> SuggestionRow | None:
        return self.items[self.index] if self.index < len(self.items) else None

    @property
    def done(self) -> bool:
        return self.current is None

    @property
    def left(self) -> int:
        """Suggestions still pending: skipped ones and those not reached."""
        return self.tally.skipped + len(self.items) - self.index

    def view(self) -> SessionView:
        item = self.current
        if item is None:
            return SessionView(None, total=len(self.items))
        seg = self.store.segments(item.source_id, item.segment, item.segment)[0]
        before, after = segment_context(self.store, seg, 1, 1)
        return SessionView(seg, before, after, position=self.index + 1,
                           total=len(self.items), remaining=len(self.items) - self.index,
                           matched=item.matched, subtopic=item.subtopic)

    def answer(self, text: str) -> Step:
        head, rest = answer_words(text)
        item = self.current
        try:
            if head in ("q", "quit"):
                return Step("quit", "stopped; the suggestions left stay for the next review")
            if head in ("?", "h", "help"):
                return Step("help", REVIEW_HELP)
            if item is None:
                return Step("error", "no suggestion left; q quits")
            if head == "a":
                return self._accept(item)
            if head == "r":
                with self.store.atomic():
                    self.store.set_coding_status([item.id], "rejected", self.coder)
                self.tally.rejected += 1
                return self._next("rejected", f"{item.subtopic} rejected")
            if head == "c":
                return self._change(item, rest) if rest else Step("ask-subtopic")
            if head == "s":
                self.tally.skipped += 1
                return self._next("skipped", "skipped")
            return Step("error", "answer a, r, c CODE, s, ? or q")
        except FqdaError as exc:
            return Step("error", str(exc))

    def _span(self, item: SuggestionRow) -> Span:
        source = next(s for s in self.store.sources(item.case_id) if s.id == item.source_id)
        return Span(source, item.start, item.end,
                    self.store.segments(item.source_id, item.segment, item.segment)[0].ref)

    def _accept(self, item: SuggestionRow) -> Step:
        span = self._span(item)
        problems = check_overlaps(self.store, [(span, item.subtopic)])
        if problems:
            return Step("error", problems[0][1])
        with self.store.atomic():
            self.store.set_coding_status([item.id], "accepted", self.coder)
        self.tally.accepted += 1
        return self._next("accepted", f"{span.ref} coded to {item.subtopic}")

    def _change(self, item: SuggestionRow, codes: str) -> Step:
        span = self._span(item)
        with self.store.atomic():
            self.store.set_coding_status([item.id], "rejected", self.coder)
            code_spans(self.store, [span], codes.split(), self.coder)
        self.tally.changed += 1
        return self._next("changed", f"{span.ref} coded to {codes} instead of {item.subtopic}")

    def change(self, codes: str) -> Step:
        """The second half of ``c``: the sub-topic(s) to code to instead."""
        item = self.current
        if item is None:
            return Step("error", "no suggestion left")
        try:
            return self._change(item, codes)
        except FqdaError as exc:
            return Step("error", str(exc))

    def _next(self, kind: StepKind, message: str) -> Step:
        self.index += 1
        return Step(kind, message)
