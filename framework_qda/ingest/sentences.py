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
_SMALL_DOC = 200


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
    """Trimmed (start, end) of each sentence of ``doc``, read from token arrays.

    Reading ``doc.sents`` (or ``doc.text``) builds a Python object per token;
    the arrays give the same boundaries several times faster, which matters
    at corpus scale.  ``text`` is the text the doc was made from.
    """
    from spacy.attrs import IDX, LENGTH, SENT_START

    if len(doc) == 0:
        return []
    rows = doc.to_array([IDX, LENGTH, SENT_START])
    if len(doc) < _SMALL_DOC:
        # numpy's fixed cost outweighs its speed on a survey answer's few tokens.
        table = rows.tolist()
        firsts = [i for i, row in enumerate(table) if i == 0 or row[2] == 1]
        lasts = [f - 1 for f in firsts[1:]] + [len(table) - 1]
        begins = [table[i][0] for i in firsts]
        ends = [table[i][0] + table[i][1] for i in lasts]
    else:
        import numpy as np

        starts = np.flatnonzero(rows[:, 2] == 1)
        if not len(starts) or starts[0] != 0:
            starts = np.concatenate(([0], starts))
        stops = np.concatenate((starts[1:], [len(rows)])) - 1
        begins = rows[starts, 0].tolist()
        ends = (rows[stops, 0] + rows[stops, 1]).tolist()
    spans: list[tuple[int, int]] = []
    for start, end in zip(begins, ends, strict=True):
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
    The whole text is segmented in one pass (as spaCy alone would be) and
    each sentence is clipped to the segments it overlaps, so a sentence
    never crosses a turn and speaker labels are never part of one.
    """
    return next(iter(sources_sentences(nlp, [(text, segments)])))


def sources_sentences(
    nlp: Language, sources: Iterable[tuple[str, Sequence[tuple[int, int, int]]]],
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[tuple[int, int, int, int]]]:
    """:func:`segment_sentences` for a stream of (text, segments), through ``nlp.pipe``."""
    def pairs() -> Iterator[tuple[str, Sequence[tuple[int, int, int]]]]:
        for text, segments in sources:
            if len(text) >= nlp.max_length:
                # A blank pipeline needs little memory per character; a
                # long transcript is still one document.
                nlp.max_length = len(text) + 1
            yield text, segments

    for doc, (text, segments) in nlp.pipe(((t, (t, s)) for t, s in pairs()),
                                          as_tuples=True, batch_size=batch_size):
        yield _clip(text, _doc_sentences(doc, text), segments)


def answers_sentences(
    nlp: Language, sources: Iterable[tuple[str, Sequence[tuple[int, int, int]]]],
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[tuple[int, int, int, int]]]:
    """:func:`sources_sentences`, the same rows, with each segment piped on its own
    where that provably changes nothing.

    Meant for texts that are mostly labels around short answers (survey rows):
    the labels are never part of a sentence, so tokenizing them is waste.
    With the rule-based sentencizer alone, a segment's sentences do not
    depend on the text around it when (a) it starts and ends at a white-space
    boundary, so spaCy's tokenizer, which splits on white space first, cuts
    it into the same tokens, and (b) its first token is a word (neither
    punctuation nor a sentence-final character): the sentencizer decides at
    each token from what it has seen since the last word, so whatever came
    before, a sentence starts (or goes on, and is clipped) exactly at that
    word.  A row where any segment fails (a) or (b), or any other pipeline
    or tokenizer, is segmented whole, as :func:`sources_sentences` does.
    """
    from spacy.pipeline import Sentencizer
    from spacy.tokenizer import Tokenizer

    sentencizer = nlp.get_pipe("sentencizer") if nlp.pipe_names == ["sentencizer"] else None
    # Languages with their own word segmenter (Chinese, Japanese …) do not
    # split on white space first: only spaCy's own tokenizer qualifies.
    if not isinstance(sentencizer, Sentencizer) or not isinstance(nlp.tokenizer, Tokenizer):
        yield from sources_sentences(nlp, sources, batch_size)
        return
    punct_chars = sentencizer.punct_chars

    def pieces() -> Iterator[tuple[str, tuple[int, str, Sequence[tuple[int, int, int]], int]]]:
        for i, (text, segments) in enumerate(sources):
            if not segments:
                yield "", (i, text, segments, -1)
            for k, (_, start, end) in enumerate(segments):
                yield text[start:end], (i, text, segments, k)

    row: list[tuple[int, int, int, int]] = []
    alone = True
    current = -1
    text: str = ""
    segments: Sequence[tuple[int, int, int]] = ()
    for doc, (i, piece_text, piece_segments, k) in nlp.pipe(pieces(), as_tuples=True,
                                                            batch_size=batch_size):
        if i != current:
            if current >= 0:
                yield row if alone else _whole(nlp, text, segments)
            current, text, segments, row, alone = i, piece_text, piece_segments, [], True
        if k < 0 or not alone:
            continue
        number, start, end = segments[k]
        if not (start < end and (start == 0 or text[start - 1].isspace())
                and (end == len(text) or text[end].isspace())
                and not text[start].isspace() and not text[end - 1].isspace()
                and len(doc) and not doc[0].is_punct and doc[0].text not in punct_chars):
            alone = False
            continue
        body = text[start:end]
        count = 0
        for sent in doc.sents:
            a, b = sent.start_char, sent.end_char
            while a < b and body[a].isspace():
                a += 1
            while b > a and body[b - 1].isspace():
                b -= 1
            if b > a:
                count += 1
                row.append((number, count, start + a, start + b))
    if current >= 0:
        yield row if alone else _whole(nlp, text, segments)


def _whole(nlp: Language, text: str, segments: Sequence[tuple[int, int, int]]
           ) -> list[tuple[int, int, int, int]]:
    return next(iter(sources_sentences(nlp, [(text, segments)])))


def _clip(text: str, sentences: list[tuple[int, int]],
          segments: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
    rows: list[tuple[int, int, int, int]] = []
    counts: dict[int, int] = {}
    j = 0
    for start, end in sentences:
        while j < len(segments) and segments[j][2] <= start:
            j += 1
        k = j
        while k < len(segments) and segments[k][1] < end:
            number, seg_start, seg_end = segments[k]
            a, b = max(start, seg_start), min(end, seg_end)
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                counts[number] = counts.get(number, 0) + 1
                rows.append((number, counts[number], a, b))
            k += 1
    return rows
