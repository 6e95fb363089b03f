"""``fqda check``: is everything the store holds still true of its own text?

Every stored coding must cover the words it was made on (``text[start:end]``
hashes to the hash stored with it); every segment, sentence and summary link
must lie inside its source (a sentence inside its segment); the search index
must hold each segment's text and nothing else; and SQLite's own check must
find the file sound.  Each problem is one line naming where it is (source,
segment, coding id, offsets), never the words.
"""

from __future__ import annotations

from framework_qda.model import span_hash
from framework_qda.store import StudyStore


def check_store(store: StudyStore) -> list[str]:
    """Every problem found, one line each; [] when the study is consistent.

    Read in one transaction, so a command writing meanwhile is seen whole or not
    at all.
    """
    problems = [f"the store file: {line}" for line in store.store_damage()]
    if problems:
        return problems  # the tables below cannot be trusted
    with store.snapshot():
        for cid, name, start, end, code, stored, text in store.coding_texts():
            if span_hash(text) != stored:
                problems.append(f"coding #{cid} ({code}) of {name} at {start}-{end}: the "
                                "text there is not the text it was coded on")
        problems += [f"coding #{cid} ({code}) of {name}: {start}-{end} is not inside the "
                     "source" for cid, name, start, end, code in store.codings_outside()]
        problems += [f"segment {name}:{n}: {start}-{end} is not inside the source"
                     for name, n, start, end in store.segments_outside()]
        problems += [f"sentence {name}:{seg}.{n}: {start}-{end} is not inside its segment"
                     for name, seg, n, start, end in store.sentences_outside()]
        problems += [f"summary {case} × {code}: its link to {name}:{seg} ({start}-{end}) is "
                     "not inside the source"
                     for case, code, name, seg, start, end in store.links_outside()]
        problems += [_index_line(name, n, what) for name, n, what in store.index_mismatches()]
    return problems


def _index_line(name: str, number: int, what: str) -> str:
    if what == "extra":
        return (f"search index: a row for segment {number} of source #{name}, which has no "
                "such segment")
    if what == "missing":
        return f"search index: segment {name}:{number} is not in it"
    return f"search index: its copy of segment {name}:{number} is not the segment's text"
