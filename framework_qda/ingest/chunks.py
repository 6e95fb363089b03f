"""Long unlabelled text cut into readable segments.

Speech-recognition output often has no speakers and no paragraph breaks: a
whole interview is one line.  A paragraph longer than :data:`MAX_WORDS`
words is cut into groups of whole sentences: a group ends at the first
sentence end after :data:`TARGET_WORDS` words; a sentence that alone runs
past :data:`MAX_WORDS` words (text with no punctuation) is cut at the word
where the limit falls.  Pieces never overlap and together cover every word.
"""

from __future__ import annotations

import re

TARGET_WORDS = 120
MAX_WORDS = 200

_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each readable piece of ``text[start:end]`` (see above).

    Each piece starts at a word and ends after one, so it is trimmed.
    """
    words = [m.span() for m in _WORD.finditer(text, start, end)]
    if len(words) <= MAX_WORDS:
        return [(words[0][0], words[-1][1])] if words else []
    result: list[tuple[int, int]] = []
    first = 0
    for i, (a, b) in enumerate(words):
        count = i - first + 1
        ends_sentence = _SENTENCE_END.search(text, a, b) is not None
        if (count >= TARGET_WORDS and ends_sentence) or count >= MAX_WORDS:
            result.append((words[first][0], b))
            first = i + 1
    if first < len(words):
        tail = (words[first][0], words[-1][1])
        if result and len(words) - first < TARGET_WORDS // 4:
            result[-1] = (result[-1][0], tail[1])  # a short tail joins the piece before
        else:
            result.append(tail)
    return result
