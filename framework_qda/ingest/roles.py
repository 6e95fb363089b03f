"""Who is the interviewer when every speaker is named (``Sara Jones``, ``Tom Reid``).

Labels such as ``Interviewer`` or ``P01`` say a role; names do not.  When
no speaker of a file has a role by its label or by ``fqda.yaml``'s
``roles`` (which always win), the study decides:

1. a speaker who speaks in other sources of the study while the others
   speak in none is the interviewer (the same interviewer meets many
   participants; a participant is met once);
2. else the speaker who asks the questions: the most turns with a ``?``
   (two at least), at least twice the share of anyone else's, and a fifth
   of their turns;
3. else the roles stay as the labels say (everyone a participant).

The decision is reported per file, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from framework_qda.store import SegmentRow


def named_interviewer(
    roles: Mapping[str, str], segments: Sequence[SegmentRow], text: str,
    elsewhere: Mapping[str, int], configured: set[str],
) -> tuple[str, str] | None:
    """The speaker to make the interviewer and why, or ``None`` (see the module docstring)."""
    speakers = sorted({s.speaker for s in segments if s.speaker})
    if len(speakers) < 2 or "interviewer" in roles.values() or configured & set(speakers):
        return None
    if any(roles.get(s) != "participant" for s in speakers):
        return None
    seen = {s: elsewhere.get(s.casefold(), 0) for s in speakers}
    met = [s for s in speakers if seen[s] > 0]
    if len(met) == 1:
        others = ", ".join(s for s in speakers if s != met[0])
        return met[0], (f"speaks in {seen[met[0]]} other source(s) of the study, "
                        f"{others} in none")
    turns = {s: 0 for s in speakers}
    asks = {s: 0 for s in speakers}
    for seg in segments:
        if seg.speaker:
            turns[seg.speaker] += 1
            asks[seg.speaker] += "?" in text[seg.start:seg.end]
    share = {s: asks[s] / turns[s] for s in speakers}
    ranked = sorted(speakers, key=lambda s: share[s], reverse=True)
    top, rest = ranked[0], ranked[1:]
    if asks[top] >= 2 and share[top] >= 0.2 and all(share[top] >= 2 * share[s] for s in rest):
        return top, f"asks the questions ({asks[top]} of {turns[top]} turns)"
    return None


class Elsewhere(Mapping[str, int]):
    """In how many other sources of the study each speaker speaks (by its
    case-folded label), asked of the store the first time it is looked at.

    Only a file whose speakers are all named needs it (rule 1 above), and
    the question reads every segment of the study: asked for every file, it
    made ingest quadratic in the number of files.
    """

    def __init__(self, ask: Callable[[], Mapping[str, int]]) -> None:
        self._ask = ask
        self._found: Mapping[str, int] | None = None

    def _counts(self) -> Mapping[str, int]:
        if self._found is None:
            self._found = self._ask()
        return self._found

    def __getitem__(self, speaker: str) -> int:
        return self._counts()[speaker]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts())

    def __len__(self) -> int:
        return len(self._counts())
