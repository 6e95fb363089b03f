"""Sentence boundaries with spaCy.

The default pipeline is a blank English one with the rule-based
sentencizer: it needs no downloaded model.  A study or a command may name an
installed trained pipeline instead (``--model en_core_web_sm``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from framework_qda.errors import FqdaError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

BATCH_SIZE = 256


@lru_cache(maxsize=4)
def load_pipeline(model: str = "") -> Language:
    """The spaCy pipeline to segment with: ``model`` if given, else blank English.

    Raises :class:`FqdaError` naming the install command when ``model`` is not
    installed.  Components a segmenter does not need are disabled.
    """
    import spacy

    if not model or model == "blank":
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return nlp
    try:
        nlp = spacy.load(model, exclude=["ner", "textcat", "textcat_multilabel"])
    except OSError:
        raise FqdaError(
            f"the spaCy pipeline {model!r} is not installed; install it with "
            f"`python -m spacy download {model}`, or leave out --model to use the "
            "built-in blank English pipeline"
        ) from None
    if not (nlp.has_pipe("sentencizer") or nlp.has_pipe("parser") or nlp.has_pipe("senter")):
        nlp.add_pipe("sentencizer")
    return nlp


def _doc_sentences(doc: Doc, text: str) -> list[tuple[int, int]]:
    """Trimmed (start, end) of each sentence of ``doc``; ``text`` is the text
    the doc was made from.

    ``doc.sents`` makes one span per sentence and reads its character offsets
    from the tokens' C structs: several times cheaper than copying every
    token's offset, length and sentence flag out to an array and then to
    Python numbers (a turn has about 15 tokens per sentence).
    """
    if len(doc) == 0:
        return []
    if not doc.has_annotation("SENT_START"):
        bounds = [(0, doc[-1].idx + len(doc[-1]))]  # nothing set a sentence: one
    else:
        bounds = [(sent.start_char, sent.end_char) for sent in doc.sents]
    spans: list[tuple[int, int]] = []
    for start, end in bounds:
        # spaCy keeps white-space tokens inside sentences: trim both ends so
        # spans are clean to quote.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        spans.append((start, end))
    return spans


def segment_sentences(
    nlp: Language, text: str, segments: Sequence[tuple[int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Sentences of each segment as ``(segment, number, start, end)`` in source offsets.

    ``segments`` holds ``(number, start, end)`` into ``text``, in text order.
    Each segment (a speaker's turn, or a paragraph) is segmented on its own,
    so a sentence never crosses a turn, a speaker label is never part of
    one, and a turn starts a sentence whatever the turn before it ended with.
    """
    return next(iter(sources_sentences(nlp, [(text, segments)])))


def sources_sentences(
    nlp: Language, sources: Iterable[tuple[str, Sequence[tuple[int, int, int]]]],
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[tuple[int, int, int, int]]]:
    """:func:`segment_sentences` for a stream of (text, segments): every turn of
    every source is one document through one ``nlp.pipe``, and one list of
    rows comes out per source, in order.

    A turn is a few hundred tokens where a transcript is tens of thousands,
    so spaCy works on short documents (several times faster for the same
    tokens) and only a batch of turns is held at once, not a whole file's
    documents.
    """
    def pieces() -> Iterator[tuple[str, tuple[int | None, int, bool, str]]]:
        for text, segments in sources:
            if not segments:
                yield "", (None, 0, True, "")
            last = len(segments) - 1
            for k, (number, start, end) in enumerate(segments):
                if end - start >= nlp.max_length:
                    nlp.max_length = end - start + 1
                piece = text[start:end]
                yield piece, (number, start, k == last, piece)

    rows: list[tuple[int, int, int, int]] = []
    for doc, (number, start, last, piece) in nlp.pipe(pieces(), as_tuples=True,
                                                      batch_size=batch_size):
        if number is not None:
            count = 0
            for a, b in _doc_sentences(doc, piece):
                if b > a:
                    count += 1
                    rows.append((number, count, start + a, start + b))
        if last:
            yield rows
            rows = []
