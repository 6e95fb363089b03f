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


def sentence_spans(
    nlp: Language, texts: Iterable[str], batch_size: int = BATCH_SIZE
) -> Iterator[list[tuple[int, int]]]:
    """For each text, its sentences as (start, end) code-point offsets into it.

    Streams through ``nlp.pipe`` so memory does not grow with the corpus.
    """
    for doc in nlp.pipe(texts, batch_size=batch_size):
        spans: list[tuple[int, int]] = []
        for sent in doc.sents:
            start, end = sent.start_char, sent.end_char
            # spaCy keeps trailing white space out of start_char but may leave
            # a leading newline in: trim both so spans are clean to quote.
            while start < end and doc.text[start].isspace():
                start += 1
            while end > start and doc.text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        yield spans


def segment_sentences(
    nlp: Language, text: str, segments: Sequence[tuple[int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Sentences of each segment as ``(segment, number, start, end)`` in source offsets.

    ``segments`` holds ``(number, start, end)`` into ``text``.
    """
    rows: list[tuple[int, int, int, int]] = []
    bodies = (text[s:e] for _, s, e in segments)
    for (number, start, _), spans in zip(segments, sentence_spans(nlp, bodies), strict=True):
        rows.extend((number, i + 1, start + a, start + b) for i, (a, b) in enumerate(spans))
    return rows
