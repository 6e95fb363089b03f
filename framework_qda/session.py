"""Interactive indexing as a state machine: the coding session (the suggestion
review, built on its steps and views, is :mod:`framework_qda.review`).

The command line only prompts and renders; everything a session decides —
which segment comes next, what an answer means, what is saved — is here, so
it can be tested without a terminal.  Every answer is saved at once (one
transaction each), so quitting, or losing the terminal, loses nothing.

A coding session walks a case's participant segments (every segment when
the case has no speaker roles) that the coder has not coded yet.  It
remembers where it stood per case and coder, and the next session resumes
there; once it reaches the end it forgets, so the next one starts again at
the first segment still uncoded (those that were skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from framework_qda.coding import code_spans, undo_codings
from framework_qda.errors import FqdaError, UnknownReference
from framework_qda.model import Segment
from framework_qda.store import StudyStore
from framework_qda.targets import Span

StepKind = Literal["coded", "skipped", "back", "undone", "memo", "ask-memo", "help", "quit",
                   "error", "accepted", "rejected", "changed", "ask-subtopic"]

CODING_HELP = """\
2.3 3.1   code this segment to those sub-topics (memo, if any, goes with them)
.2 2.3    code only sentence 2 of this turn to 2.3 (.2-3: sentences 2 to 3);
          the turn stays in view to code more of it
n         on to the next segment (once part of this one is coded)
s         skip it for now (the next session shows it again)
b         back to the previous participant segment
u         undo your last answer (removes the codes it added)
m [text]  a memo for this segment's codes
? 2.3     what 2.3 is for: its definition, what it includes and excludes
?         this help
q         quit (the next session resumes here)"""

CODING_PROMPT = "codes, .N codes, n, s, b, u, m, ? [code] or q"

@dataclass(frozen=True)
class Step:
    """What an answer did, for the prompt loop to show."""

    kind: StepKind
    message: str = ""


@dataclass(frozen=True)
class SessionView:
    """What the researcher sees: the segment at hand, in context."""

    segment: Segment | None
    """None when every segment has been seen."""
    before: tuple[Segment, ...] = ()
    after: tuple[Segment, ...] = ()
    codes: tuple[str, ...] = ()
    """Sub-topics already coded on this segment (by anyone)."""
    position: int = 0
    """1-based place of the segment among those the session walks."""
    total: int = 0
    remaining: int = 0
    """Segments still uncoded by this coder."""
    memo: str = ""
    matched: str = ""
    """For a suggestion under review: the words its rule matched."""
    subtopic: str = ""
    """For a suggestion under review: the sub-topic suggested."""
    sentences: tuple[str, ...] = ()
    """The segment's sentences when it has more than one (``.2 2.3`` codes the second)."""


def answer_words(answer: str) -> tuple[str, str]:
    head, _, rest = answer.strip().partition(" ")
    return head.lower(), rest.strip()


def segment_context(store: StudyStore, seg: Segment, before: int, after: int
             ) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    near = store.segments(seg.source_id, max(1, seg.number - before), seg.number + after)
    return (tuple(s for s in near if s.number < seg.number),
            tuple(s for s in near if s.number > seg.number))


class CodingSession:
    """``fqda code --interactive``: one case, one coder, one segment at a time."""

    def __init__(self, store: StudyStore, case_id: str, coder: str, before: int = 2,
                 after: int = 1) -> None:
        if store.case(case_id) is None and store.source_by_name(case_id) is None:
            raise UnknownReference(f"no case {case_id}; `fqda status` lists the cases")
        one = store.source_by_name(case_id)
        sources = [one] if one is not None else store.sources(case_id)
        if not sources:
            raise UnknownReference(f"case {case_id} has no transcript yet; run `fqda ingest`")
        self.store, self.case_id, self.coder = store, case_id, coder
        self.sources = {s.id: s for s in sources}
        self.context = (before, after)
        every = [seg for s in sources for seg in store.segments(s.id)]
        said = [seg for seg in every if seg.role == "participant"]
        self.walk: list[Segment] = said or every
        self.history: list[tuple[int, list[int]]] = []
        self.memo = ""
        self.index = self._resume()

    # -- state ------------------------------------------------------------
    def _coded(self) -> set[tuple[int, int]]:
        return {(sid, n) for sid in self.sources
                for n in self.store.coded_segments(sid, self.coder)}

    def _next_uncoded(self, start: int) -> int:
        coded = self._coded()
        for i in range(start, len(self.walk)):
            seg = self.walk[i]
            if (seg.source_id, seg.number) not in coded:
                return i
        return len(self.walk)

    def _resume(self) -> int:
        cursor = self.store.session_cursor(self.case_id, self.coder)
        start = 0
        if cursor is not None:
            start = next((i for i, s in enumerate(self.walk)
                          if (s.source_id, s.number) >= cursor), 0)
        return self._next_uncoded(start)

    def _save(self) -> None:
        """Remember where the session stands (forgotten once it reaches the end)."""
        seg = self.current
        self.store.put_session_cursor(self.case_id, self.coder,
                                      (seg.source_id, seg.number) if seg else None)

    @property
    def current(self) -> Segment | None:
        return self.walk[self.index] if self.index < len(self.walk) else None

    @property
    def done(self) -> bool:
        return self.current is None

    def view(self) -> SessionView:
        seg = self.current
        walked = {(s.source_id, s.number) for s in self.walk}
        remaining = len(walked - self._coded())
        if seg is None:
            return SessionView(None, total=len(self.walk), remaining=remaining)
        before, after = segment_context(self.store, seg, *self.context)
        codes = tuple(dict.fromkeys(
            c.subtopic for c in self.store.overlapping_codings(seg.source_id, seg.start,
                                                               seg.end)))
        text = self.sources[seg.source_id].text
        said = tuple(text[a:b] for a, b in self.store.sentences(seg.source_id, seg.number))
        return SessionView(seg, before, after, codes, self.index + 1, len(self.walk),
                           remaining, self.memo, sentences=said if len(said) > 1 else ())

    # -- answers ----------------------------------------------------------
    def answer(self, text: str) -> Step:
        """Act on one answer; errors come back as an ``error`` step, nothing changed."""
        head, rest = answer_words(text)
        try:
            if head in ("q", "quit"):
                return Step("quit", "stopped; the next session resumes here")
            if head in ("?", "h", "help"):
                return self.define(rest) if rest else Step("help", CODING_HELP)
            if head == "u":
                return self.undo()
            if head == "b":
                return self.back()
            if head == "m":
                return self.set_memo(rest) if rest else Step("ask-memo")
            if self.done:
                return Step("error", "every segment has been seen; `b` goes back, `q` quits")
            if head in ("s", "n"):
                return self.skip()
            if not head:
                return Step("error", "type sub-topic codes, or ? for help")
            if head.startswith("."):
                return self.code_sentences(head[1:], rest.split())
            return self.code(text.split())
        except FqdaError as exc:
            return Step("error", str(exc))

    def code(self, codes: list[str]) -> Step:
        seg = self.current
        if seg is None:
            return Step("error", "every segment has been seen")
        span = Span(self.sources[seg.source_id], seg.start, seg.end, seg.ref)
        with self.store.atomic():
            report = code_spans(self.store, [span], codes, self.coder, self.memo)
            self.history.append((self.index, report.ids))
            self.memo = ""
            self.index = self._next_uncoded(self.index + 1)
            self._save()
        extra = f" ({report.existing} already there)" if report.existing else ""
        return Step("coded", f"{seg.ref} coded to {' '.join(codes)}{extra}")

    def code_sentences(self, which: str, codes: list[str]) -> Step:
        """Code sentences ``which`` (``2`` or ``2-3``) of the segment at hand; the
        segment stays in view so the rest of the turn can be coded too."""
        seg = self.current
        if seg is None:
            return Step("error", "every segment has been seen")
        sentences = self.store.sentences(seg.source_id, seg.number)
        first, dash, last = which.partition("-")
        if not (first.isdigit() and (last.isdigit() or not dash)):
            return Step("error", f".{which}: write .N or .N-M, e.g. .2 2.3 or .2-3 2.3")
        a, b = int(first), int(last or first)
        if not 1 <= a <= b <= len(sentences):
            where = (f"sentences 1 to {len(sentences)}" if len(sentences) > 1
                     else "one sentence; code it whole")
            return Step("error", f"{seg.ref} has {where}")
        if not codes:
            return Step("error", f"which sub-topics? e.g. .{which} 2.3")
        part = f"{seg.ref}.{a}" + (f"-{b}" if b > a else "")
        span = Span(self.sources[seg.source_id], sentences[a - 1][0], sentences[b - 1][1], part)
        with self.store.atomic():
            report = code_spans(self.store, [span], codes, self.coder, self.memo)
            self.history.append((self.index, report.ids))
            self.memo = ""
            self._save()
        extra = f" ({report.existing} already there)" if report.existing else ""
        return Step("coded", f"{part} coded to {' '.join(codes)}{extra}; code more of this "
                    "turn, or n for the next")

    def define(self, code: str) -> Step:
        """What a sub-topic is for, from the codebook: the coder's reminder mid-session."""
        sub = next((s for s in self.store.codebook().subtopics if s.code == code.strip()), None)
        if sub is None:
            return Step("error", f"no sub-topic {code.strip()}; `?` lists the help, the "
                        "framework is shown above")
        lines = [sub.heading]
        lines += [f"{name}: {' '.join(value.split())}" for name, value in (
            ("definition", sub.definition), ("includes", sub.include),
            ("excludes", sub.exclude), ("example", sub.example)) if value.strip()]
        if len(lines) == 1:
            lines.append("(the codebook gives no definition for it)")
        return Step("help", "\n".join(lines))

    def skip(self) -> Step:
        seg = self.current
        coded = seg is not None and (seg.source_id, seg.number) in self._coded()
        with self.store.atomic():
            self.history.append((self.index, []))
            self.memo = ""
            self.index = self._next_uncoded(self.index + 1)
            self._save()
        return Step("skipped", f"{seg.ref if seg else ''} {'done' if coded else 'skipped'}")

    def back(self) -> Step:
        if self.index == 0:
            return Step("error", "this is the first segment")
        with self.store.atomic():
            self.index -= 1
            self.memo = ""
            self._save()
        return Step("back", f"back to {self.walk[self.index].ref}")

    def undo(self) -> Step:
        if not self.history:
            return Step("error", "nothing to undo in this session")
        index, ids = self.history.pop()
        with self.store.atomic():
            undo_codings(self.store, ids)
            self.index = index
            self._save()
        ref = self.walk[index].ref
        return Step("undone", f"undone: {ref} has {len(ids)} fewer coding(s)")

    def set_memo(self, text: str) -> Step:
        if self.done:
            return Step("error", "every segment has been seen")
        self.memo = text.strip()
        return Step("memo", "memo kept; it is saved with the codes you give this segment")
