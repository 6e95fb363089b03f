"""Speaker turns: normalised text -> segments with offsets and line numbers.

A turn starts at a line ``Label: words`` (optionally after a ``[00:01:23]``
timestamp; ``Interviewer 1:``, ``Interviewer1 :``, ``I:``, ``P1:``,
``MODERATOR:`` and Markdown's ``**Name:**`` all count) or at a bracketed
label ``[id1] words`` / ``[P2] words``.  A label counts as a speaker when it recurs in the file,
looks like a known role (``Interviewer``, ``I``, ``R``, ``P1``,
``MODERATOR``) or is named in the study's ``roles`` settings, so a
sentence such as ``The problem was: money`` does not start a turn.  A
bracketed label must also contain a digit or be a known role, so
``[laughs]`` is not a speaker.  Lines that start no turn continue the
current one.  A text with no speakers is cut into paragraphs at blank lines
(or, for word-processor files, one paragraph per line).

Think-aloud sessions label only the moderator.  When the labelled turns of a
file are the interviewer's, save a few (no known participant label such as
``R:`` or ``P1:``, and other labelled turns fewer than a quarter of the
unlabelled paragraphs), a labelled turn runs to the end of its paragraph,
and the other paragraphs (unlabelled, or with a stray label such as
``Heat map: nice``) become participant turns with no speaker label, one
segment per paragraph so a participant's thinking aloud can be coded
finely.  Numbered task headings such as ``3 Submit a query`` or ``1.a Was
the…`` that are not indented with a tab become segments with the role
``other``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from framework_qda.ingest.chunks import pieces
from framework_qda.store import SegmentRow

_TS = r"(?:\[(?P<ts>\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?)\][ \t]*)?"
# French typography puts a (narrow) no-break space before the colon.
# Markdown transcripts embolden labels: **Name:** or **Name**: (the stars
# stay in the text but not in the label or the turn).
_LABEL_LINE = re.compile(
    rf"^[ \t]*{_TS}(?:\*\*|__)?(?P<label>[^\W\d_][\w.'’ -]{{0,39}}?)(?:\*\*|__)?"
    r"[ \t\u00a0\u202f]*:(?:\*\*|__)?(?:[ \t\u00a0]+|$)"
)
_BRACKET_LINE = re.compile(rf"^[ \t]*{_TS}\[(?P<label>[^\W\d_][\w.'’ -]{{0,29}})\][ \t]*:?[ \t]*")
_KNOWN = re.compile(
    r"(?i)(interviewer|interviewee|moderator|facilitator|respondent|participant|researcher|"
    r"speaker|i|r|q|a|p|int|resp)\s*\d*(\s+\d+)?"
)
_TASK_HEADING = re.compile(
    r"^ *(?:\d{1,2}(?:\.[a-z0-9]{1,4})*|[a-z]{1,4}\.[a-z0-9]{1,4})\.?[ \t]+\S", re.I
)


@dataclass
class _Block:
    speaker: str
    role: str
    start: int
    last_line: int
    ts: str = ""
    preamble: bool = False


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of ``text`` (split at ``\\n``) and the offset where each starts."""
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return lines, starts


_Cand = tuple[re.Match[str], bool, str, str]
"""A line's possible speaker label: the match, whether it is bracketed, the
label as spelled and case-folded (worked out once: every step asks)."""


def _candidate(line: str) -> _Cand | None:
    """A line's possible speaker label (see :data:`_Cand`)."""
    if ":" not in line and "[" not in line:
        return None  # what most lines of a turn are: neither pattern can match
    m = _LABEL_LINE.match(line)
    bracket = False
    if m is None:
        m = _BRACKET_LINE.match(line)
        if m is None or m.end() >= len(line.rstrip()):
            return None
        bracket = True
    label = m.group("label").strip()
    if len(label.split()) > 4 or label.lower().startswith(("http", "www")):
        return None
    return m, bracket, label, label.casefold()


_ROLE_LETTERS = frozenset("iraqp")
_ROLE_WORDS = ("interviewer", "interviewee", "moderator", "facilitator", "respondent",
               "participant", "researcher")
_SPEECH_END = re.compile(r"[.!?…\"”’)]\s*$")


def _label(cand: _Cand | None) -> str:
    return cand[3] if cand else ""


def _speakers(lines: list[str], cands: list[_Cand | None],
              named: Callable[[str], bool], line_paragraphs: bool) -> set[str]:
    """The labels that are speakers (see the module docstring)."""
    counts = Counter(_label(c) for c in cands if c)
    brackets = {_label(c) for c in cands if c and c[1]}
    rests: dict[str, list[str]] = {}
    for line, c in zip(lines, cands, strict=True):
        if c:
            rests.setdefault(_label(c), []).append(line[c[0].end():].strip())
    found = set()
    for label, n in counts.items():
        known = _KNOWN.fullmatch(label) is not None or named(label)
        if len(label) == 1 and label not in _ROLE_LETTERS and not named(label):
            continue  # ``T: 0115 …``, ``E: a@b.org``: contact lines, not speakers
        if label in brackets:
            if n >= 2 and (known or any(ch.isdigit() for ch in label)):
                found.add(label)
        elif n >= 2 or known:
            found.add(label)
    strong = {label for label in found if named(label) or (
        _KNOWN.fullmatch(label) and (len(label) > 1 or counts[label] >= 2))}
    if found and not strong:
        # Nothing says this file is a transcript: its labels must look like
        # speech (a sentence after them somewhere, not only headings such as
        # ``Appendix: Research methods``) and start a fair share of its paragraphs.
        found = {label for label in found
                 if any(_SPEECH_END.search(r) or len(r.split()) > 6 for r in rests[label])}
        paragraphs = sum(1 for i, line in enumerate(lines) if line.strip() and (
            line_paragraphs or i == 0 or not lines[i - 1].strip()))
        if 5 * sum(counts[label] for label in found) < paragraphs:
            found = set()
    return found


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]


def _near_misses(cands: list[_Cand | None],
                 speakers: set[str]) -> dict[str, str]:
    """Labels that are a typing slip away from a speaker's (``Particpant``): label -> speaker."""
    alias: dict[str, str] = {}
    for cand in cands:
        label = _label(cand)
        if not cand or cand[1] or label in speakers or label in alias or len(label) < 5:
            continue
        limit = 1 if len(label) <= 7 else 2
        near = [s for s in speakers if len(s) >= 5 and label[0] == s[0]
                and _distance(label, s, limit) <= limit]
        if len(near) == 1:
            alias[label] = near[0]
    return alias


def find_turns(
    text: str, role_of: Callable[[str], str], *, line_paragraphs: bool = False,
    named: Callable[[str], bool] = lambda label: False, notes: list[str] | None = None,
) -> list[SegmentRow]:
    """Segments of a transcript: one per speaker turn, or per paragraph.

    Each segment's span covers the spoken words only (not the label), with
    surrounding white space trimmed; ``text[start:end]`` is the turn.
    ``line_paragraphs`` says each line is a paragraph of its own (the text of
    a word-processor file) rather than a wrapped line of one.  ``named``
    says a label is a speaker the study's settings name (so it counts even
    when it occurs once).  ``notes`` collects what a researcher should be
    told: labels read as a near-miss of a speaker's, labels not taken for
    speakers.
    """
    lines, starts = split_lines(text)
    cands = [_candidate(line) for line in lines]
    role_of = _remembered(role_of)
    speakers = _speakers(lines, cands, named, line_paragraphs)
    notes = notes if notes is not None else []
    if not speakers:
        labelled = [i + 1 for i, c in enumerate(cands) if c and not c[1]]
        if len(labelled) >= 2:
            notes.append(f"{len(labelled)} line(s) that look labelled (first at line "
                         f"{labelled[0]}) are not speaker turns: the labels are single "
                         "letters, headings or too rare; the text is cut into paragraphs")
        return _paragraphs(text, lines, starts, line_paragraphs)
    alias = _near_misses(cands, speakers)
    spelling = {c[3]: c[2] for c in reversed(cands) if c and c[3] in speakers}
    think_aloud = _is_think_aloud(lines, cands, speakers, role_of, line_paragraphs)
    blocks: list[_Block] = []
    current: _Block | None = None
    for i, cand in enumerate(cands):
        line = lines[i]
        key = alias.get(_label(cand), _label(cand))
        if cand and key in speakers and \
                (not think_aloud or role_of(spelling[key]) == "interviewer"):
            m = cand[0]
            speaker = cand[2]
            if key != cand[3]:
                notes.append(f"line {i + 1}: a label one slip from {spelling[key]!r} is read "
                             f"as {spelling[key]!r}")
                speaker = spelling[key]
            current = _Block(speaker, role_of(speaker), starts[i] + m.end(), i, m.group("ts") or "")
            blocks.append(current)
        elif not line.strip():
            if (think_aloud and not line_paragraphs) or (current and current.preamble):
                current = None
        elif think_aloud and (current is None or line_paragraphs):
            heading = not line.startswith("\t") and _TASK_HEADING.match(line) is not None
            current = _Block("", "other" if heading else "participant", starts[i], i)
            blocks.append(current)
            if heading:
                current = None
        elif current is not None and not (current.preamble and line_paragraphs):
            current.last_line = i
        else:
            # Words before the first label (a title, a date) are no one's
            # turn but must still be found: paragraphs with the role ``other``.
            current = _Block("", "other", starts[i], i, preamble=True)
            blocks.append(current)
    return _segments(text, lines, starts, blocks)


def _remembered(role_of: Callable[[str], str]) -> Callable[[str], str]:
    """``role_of``, asked once per label (a file has a few labels and many turns)."""
    known: dict[str, str] = {}

    def role(label: str) -> str:
        found = known.get(label)
        if found is None:
            found = known[label] = role_of(label)
        return found

    return role


def _is_think_aloud(lines: list[str], cands: list[_Cand | None],
                    speakers: set[str], role_of: Callable[[str], str],
                    line_paragraphs: bool) -> bool:
    """Whether only the moderator speaks in labelled turns (see the module docstring)."""
    others = 0
    interviewer = 0
    unlabelled = 0
    for i, cand in enumerate(cands):
        label = cand[2] if cand else ""
        if label.casefold() in speakers:
            if role_of(label) == "interviewer":
                interviewer += 1
            elif _KNOWN.fullmatch(label):
                return False  # ``R:``, ``P1:``: the participant is labelled
            else:
                others += 1
        elif lines[i].strip() and (line_paragraphs or i == 0 or not lines[i - 1].strip()):
            unlabelled += 1
    # A stray ``Heat map: nice`` said twice must not turn a session into an
    # interview, and an interview's multi-paragraph answers must not turn it
    # into a think-aloud session: labelled non-moderators must be rare.
    return interviewer > 0 and unlabelled > 0 and 4 * others <= unlabelled


def _segments(text: str, lines: list[str], starts: list[int],
              blocks: list[_Block]) -> list[SegmentRow]:
    segments: list[SegmentRow] = []
    for b in blocks:
        end = _trim_end(text, b.start, starts[b.last_line] + len(lines[b.last_line]))
        begin = _trim_start(text, b.start, end)
        if end <= begin:
            continue
        segments.append(SegmentRow(
            number=len(segments) + 1, start=begin, end=end, speaker=b.speaker,
            role=b.role,  # type: ignore[arg-type]
            line_first=bisect_right(starts, begin), line_last=bisect_right(starts, end - 1),
            timestamp=b.ts,
        ))
    return segments


def _trim_start(text: str, begin: int, end: int) -> int:
    while begin < end and text[begin].isspace():
        begin += 1
    return begin


def _trim_end(text: str, begin: int, end: int) -> int:
    while end > begin and text[end - 1].isspace():
        end -= 1
    return end


def _paragraphs(text: str, lines: list[str], starts: list[int],
                line_paragraphs: bool) -> list[SegmentRow]:
    segments: list[SegmentRow] = []
    first: int | None = None
    for i, line in enumerate([*lines, ""]):
        if line.strip():
            if first is None:
                first = i
            if not line_paragraphs:
                continue
            i += 1  # this line alone is the paragraph
        if first is not None:
            for begin, end in pieces(text, starts[first], starts[i - 1] + len(lines[i - 1])):
                segments.append(SegmentRow(
                    len(segments) + 1, begin, end, "", "other",
                    bisect_right(starts, begin), bisect_right(starts, end - 1)))
            first = None
    return segments
