"""The consensus layer: recording what the coders agreed for a passage
(``fqda resolve``).  The coders' own codings stay as they are; the agreed
codings are the ``consensus`` coder's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from framework_qda import agreement as ag
from framework_qda.agreement import CONSENSUS
from framework_qda.errors import UnknownReference
from framework_qda.model import Source, span_hash
from framework_qda.store import StudyStore

KEEP_ALL, KEEP_NONE = "both", "none"


def _ref(store: StudyStore, source: Source, start: int, end: int) -> str:
    from framework_qda.targets import span_ref

    return span_ref(store, source, start, end)


@dataclass(frozen=True)
class Resolution:
    ref: str
    subtopic: str
    kept: str
    coded: tuple[str, ...]
    """Refs of the consensus codings now there (empty: agreed not coded)."""


def resolve(store: StudyStore, ref: str, subtopic: str, keep: str,
            coders: Sequence[str] = ()) -> Resolution:
    """Record in the consensus layer what the coders agreed for one passage and
    sub-topic: one coder's codings there (``keep`` a coder's name), both
    (``both``: their union), or none (``none``).  The coders' own codings stay
    as they are.  The caller holds the transaction."""
    from framework_qda.targets import parse_target

    ids = store.subtopic_ids()
    if subtopic not in ids:
        raise UnknownReference(f"unknown sub-topic {subtopic}; `fqda codebook show` lists them")
    spans = parse_target(store, ref)
    sid = ids[subtopic]
    coded: list[str] = []
    for span in spans:
        here = [c for c in store.overlapping_codings(span.source.id, span.start, span.end)
                if c.subtopic == subtopic]
        layers = sorted({c.coder for c in here if c.coder != CONSENSUS} | set(coders))
        if keep in (KEEP_ALL, KEEP_NONE):
            chosen = layers
        elif keep in layers or keep in coders:
            chosen = [keep]
        else:
            raise UnknownReference(
                f"{keep} has no coding of {subtopic} at {span.ref}; keep one of "
                + ", ".join([*layers, KEEP_ALL, KEEP_NONE]))
        wanted = [] if keep == KEEP_NONE else ag.merge_spans(
            (c.start, c.end) for c in here if c.coder in chosen)
        for c in store.overlapping_codings(span.source.id, span.start, span.end, status=None):
            if c.coder == CONSENSUS and c.subtopic == subtopic \
                    and (c.start, c.end) not in wanted and c.status == "accepted":
                store.set_layer_status(c.source_id, c.start, c.end, sid, CONSENSUS,
                                       "rejected")
        for a, b in wanted:
            text_hash = span_hash(span.source.text[a:b])
            if not store.put_layer_coding(span.source.id, a, b, sid, CONSENSUS, "manual",
                                          "accepted", f"resolved: kept {keep}", text_hash):
                store.set_layer_status(span.source.id, a, b, sid, CONSENSUS, "accepted")
            coded.append(_ref(store, span.source, a, b))
        if not wanted:  # agreed not coded here: a rejected consensus coding says so
            text_hash = span_hash(span.text)
            if not store.put_layer_coding(span.source.id, span.start, span.end, sid,
                                          CONSENSUS, "manual", "rejected",
                                          f"resolved: kept {keep}", text_hash):
                store.set_layer_status(span.source.id, span.start, span.end, sid, CONSENSUS,
                                       "rejected")
    return Resolution(", ".join(s.ref for s in spans), subtopic, keep, tuple(coded))
