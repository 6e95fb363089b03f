"""A file that only says its transcript is not there (withdrawn, removed, redacted)."""

from __future__ import annotations

import re

PLACEHOLDER_WORDS = ("withdrawn", "withdrew", "no transcript", "not transcribed")
_PLACEHOLDER = re.compile(
    r"(?i)\b(?:withdr[ae]wn?|withdrew|removed|deleted|redacted|withheld|unavailable|"
    r"not (?:available|transcribed|included)|no transcript)\b")
_PLACEHOLDER_SUBJECT = re.compile(
    r"(?i)\b(?:transcripts?|interviews?|recordings?|participants?|data|files?|consent)\b")


def is_placeholder(text: str) -> bool:
    """Whether a file's whole text only says its transcript is not there.

    A placeholder is short (under 400 characters, at most three lines) and
    says that a transcript, interview, recording or participant's data was
    withdrawn, removed, deleted, redacted or withheld, or is not available
    (``This transcript has been removed at the participant's request``).
    """
    stripped = text.strip()
    lines = [line for line in stripped.split("\n") if line.strip()]
    return (len(stripped) < 400 and len(lines) <= 3 and _PLACEHOLDER.search(stripped) is not None
            and (_PLACEHOLDER_SUBJECT.search(stripped) is not None
                 or any(w in stripped.lower() for w in PLACEHOLDER_WORDS)))
