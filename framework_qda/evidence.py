"""What a summary rests on: fingerprints of the evidence under a cell, and what changed.

Pure: evidence in, hashes and descriptions out.  A summary records, when it is
written, a hash over the words of its cell's passages and a snapshot of them
(ref, passage hash, words); a later look at the cell compares the words now
with those, so a cell is stale only when the words under it changed, and
says which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from framework_qda.model import Evidence, span_hash

Written = tuple[tuple[tuple[str, ...], ...], str]
"""What a summary was written against: (ref, passage hash, words) of each passage, and
the evidence hash."""

WORDS_HASH = "w1:"
"""Marks an evidence hash taken over the passages' words alone (see :func:`evidence_hash`)."""


def evidence_hash(evidence: Iterable[Evidence]) -> str:
    """Fingerprint of the words under a cell; a summary records it when written.

    Only the words count, not where they stand: re-ingesting a transcript
    with lines added above a coded passage renumbers its segment but leaves
    the summary resting on the same words, so the cell does not turn stale.
    """
    return words_hash(e.text for e in evidence)


def words_hash(words: Iterable[str]) -> str:
    """:func:`evidence_hash` of passages given by their words alone."""
    h = hashlib.sha1()
    for digest in sorted(span_hash(w) for w in words):
        h.update(digest.encode() + b"\x1e")
    return WORDS_HASH + h.hexdigest()[:16]


def _ref_hash(evidence: Iterable[Evidence]) -> str:
    """The fingerprint summaries recorded before :data:`WORDS_HASH`: refs and words."""
    h = hashlib.sha1()
    for e in sorted(evidence, key=lambda e: (e.ref, e.text)):
        h.update(f"{e.ref}\x1f{e.text}\x1e".encode())
    return h.hexdigest()[:16]


def evidence_holds(recorded: str, evidence: Sequence[Evidence]) -> bool:
    """Whether the evidence now is what a summary with hash ``recorded`` was written on."""
    if recorded.startswith(WORDS_HASH):
        return recorded == evidence_hash(evidence)
    return recorded == _ref_hash(evidence)


def snapshot(evidence: Iterable[Evidence]) -> list[tuple[str, str, str]]:
    """(ref, passage hash, words) of each piece of evidence, to describe later changes."""
    return sorted((e.ref, span_hash(e.text), e.text) for e in evidence)


_WORDS_SHOWN = 8


def _quoted(ref: str, words: str) -> str:
    """``P7:12 “the first words …”``, or the ref alone when the words are not known."""
    if not words:
        return ref
    parts = words.split()
    return f"{ref} “{' '.join(parts[:_WORDS_SHOWN])}{' …' if len(parts) > _WORDS_SHOWN else ''}”"


@dataclass(frozen=True)
class EvidenceChange:
    """How a cell's evidence differs from what its summary was written against.

    Passages are compared by their words, not their refs: each entry is a ref
    and the first words of the passage (``P7:12 “we put the money …”``).
    """

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    """``P7:12 “old words” → “new words”``: a passage at the same place whose words differ."""
    known: bool = True
    """False when the summary predates evidence snapshots: only the fact is known."""

    def describe(self) -> str:
        if not self.known:
            return "the evidence changed after the summary was written"
        parts = [f"{label} {', '.join(refs)}" for label, refs in
                 (("new evidence", self.added), ("evidence gone", self.removed),
                  ("text changed", self.changed)) if refs]
        return "; ".join(parts) or "the evidence moved"


def describe_change(written: Sequence[tuple[str, ...]], written_hash: str,
                    evidence: Sequence[Evidence]) -> EvidenceChange:
    """Compare the evidence a summary was written against with the cell's evidence now:
    which words are new, which are gone, and which passages' words changed."""
    if not written and written_hash not in ("", evidence_hash([]), _ref_hash([])):
        return EvidenceChange(known=False)
    gone: list[tuple[str, str, str]] = []
    left = [(e.ref, span_hash(e.text), e.text) for e in evidence]
    for entry in written:
        ref, digest, words = entry[0], entry[1], entry[2] if len(entry) > 2 else ""
        match = next((i for i, x in enumerate(left) if x[1] == digest), None)
        if match is None:
            gone.append((ref, digest, words))
        else:
            del left[match]
    new_refs = {x[0] for x in left}
    changed = [(g, next(x for x in left if x[0] == g[0])) for g in gone if g[0] in new_refs]
    paired = {g[0] for g, _ in changed}
    return EvidenceChange(
        added=tuple(_quoted(x[0], x[2]) for x in left if x[0] not in paired),
        removed=tuple(_quoted(g[0], g[2]) for g in gone if g[0] not in paired),
        changed=tuple(f"{_quoted(old[0], old[2])} → “{' '.join(new[2].split()[:_WORDS_SHOWN])}"
                      f"{' …' if len(new[2].split()) > _WORDS_SHOWN else ''}”"
                      for old, new in changed),
    )
