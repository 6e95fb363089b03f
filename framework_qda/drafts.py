"""Machine drafts of cell summaries: the cell's key sentences, quoted with their
refs, written as ``draft`` summaries that a researcher accepts or rewrites; a
draft never replaces a human summary.  The summaries themselves are
:mod:`framework_qda.charting`'s."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from framework_qda.charting import DRAFT_AUTHOR, write_summary
from framework_qda.matrix import CellKey
from framework_qda.model import Cell, Codebook, Subtopic
from framework_qda.store import StudyStore, SummaryRow


def draft_text(sentences: Sequence[tuple[str, str, str]], subtopic: Subtopic,
               max_sentences: int = 3, max_words: int = 80) -> str:
    """An extractive draft: the cell's key sentences, quoted, each with its ref.

    ``sentences`` are (ref, text, role) in source order.  A sentence scores by
    how many of its content words recur across the cell's evidence and by the
    sub-topic's own words (label, definition, keywords); the interviewer's
    words are used only when there is nothing else.  Deterministic: ties go
    to the earlier sentence, and the chosen ones keep source order.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    def words(text: str) -> list[str]:
        return [w for w in re.findall(r"[a-z][a-z'’]+", text.lower())
                if w not in STOP_WORDS and len(w) > 2]

    pool = [s for s in sentences if s[2] != "interviewer"] or list(sentences)
    pool = [s for s in pool if len(s[1].split()) >= 4] or pool
    if not pool:
        return ""
    topic = set(words(" ".join([subtopic.label, subtopic.definition, *subtopic.keywords])))
    spread = Counter(w for s in pool for w in set(words(s[1])))
    scored = []
    for i, (_, text, _) in enumerate(pool):
        own = set(words(text))
        score = (sum(spread[w] - 1 for w in own) + 3 * len(own & topic)) / (1 + len(own)) ** 0.5
        scored.append((-score, i))
    chosen: list[int] = []
    budget = max_words
    for _, i in sorted(scored):
        n = len(pool[i][1].split())
        if len(chosen) == max_sentences or (chosen and n > budget):
            continue
        chosen.append(i)
        budget -= n
    # Sentences from one segment share a quote; an ellipsis marks words left out.
    quotes: list[tuple[str, str]] = []
    last = -2
    for i in sorted(chosen):
        ref, text, _ = pool[i]
        # Square brackets inside a quote would read as references in the summary.
        quote = " ".join(text.split()).replace("[", "(").replace("]", ")")
        if quotes and quotes[-1][0] == ref:
            joint = " " if i == last + 1 else " … "
            quotes[-1] = (ref, quotes[-1][1] + joint + quote)
        else:
            quotes.append((ref, quote))
        last = i
    return " ".join(f"“{q}” [{ref}]" for ref, q in quotes)


def draft(store: StudyStore, codebook: Codebook, cells: Mapping[CellKey, Cell],
          rows: Mapping[CellKey, SummaryRow]) -> list[CellKey]:
    """Draft summaries for ``coded`` cells (and re-draft stale drafts).

    A draft never replaces a human summary or a not-applicable mark: only
    cells with no summary, or whose summary is itself a draft, are written.
    """
    subs = {s.code: s for s in codebook.subtopics}
    done: list[CellKey] = []
    for key, cell in cells.items():
        row = rows.get(key)
        if row is not None and row.state != "draft":
            continue
        if cell.state not in ("coded", "stale"):
            continue
        sentences = [(s.ref, s.text, s.role) for s in store.cell_sentences(*key)]
        # A source read without sentence boundaries still drafts, passage by passage.
        sentences = sentences or [(e.ref, e.text, e.role) for e in cell.evidence]
        text = draft_text(sentences, subs[key[1]])
        if text:
            write_summary(store, key[0], key[1], text, "draft", DRAFT_AUTHOR, "machine")
            done.append(key)
    return done
