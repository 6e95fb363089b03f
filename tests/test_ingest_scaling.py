"""Ingest grows linearly with the number of turns in one file (coarse timing).

The full-size check (10,000 to 100,000 turns) is a bench case
(``bench/run.py --turns``); here only small sizes, compared by their ratio,
so a busy machine slows both alike.
"""

from __future__ import annotations

import time
from pathlib import Path

from framework_qda.ingest.otter import otter_turns
from framework_qda.model import Case
from framework_qda.store import SegmentRow, Store


def _turns(n: int) -> tuple[str, list[SegmentRow]]:
    parts: list[str] = []
    segments: list[SegmentRow] = []
    pos = 0
    for i in range(n):
        label = "Interviewer: " if i % 2 == 0 else "Participant: "
        words = f"turn {i} " + "we talked about the budget and the winter rota " * 4
        parts.append(label + words + "\n\n")
        segments.append(SegmentRow(i + 1, pos + len(label), pos + len(label) + len(words),
                                   label[:-2], "other", 2 * i + 1, 2 * i + 1))
        pos += len(label) + len(words) + 2
    return "".join(parts), segments


def _store_seconds(tmp_path: Path, n: int) -> float:
    text, segments = _turns(n)
    best = float("inf")
    for attempt in range(2):
        store = Store(tmp_path / f"s{n}-{attempt}.db")
        with store.atomic():
            store.upsert_cases([Case("P1")])
        start = time.perf_counter()
        for again in range(2):  # a new source, then the same one re-ingested
            with store.atomic():
                store.put_source(case_id="P1", name="P1.txt", path="P1.txt", format="txt",
                                 sha256=str(again), text=text, metadata={},
                                 segments=segments, sentences=[])
        best = min(best, time.perf_counter() - start)
        store.close()
    return best


def test_storing_a_file_grows_linearly_with_its_turns(tmp_path: Path) -> None:
    small, large = _store_seconds(tmp_path, 2_000), _store_seconds(tmp_path, 8_000)
    # Four times the turns: about four times the time (quadratic gave over 12).
    assert large < 8 * small + 0.2, (small, large)


def test_otter_turns_grow_linearly(tmp_path: Path) -> None:
    def seconds(n: int) -> float:
        text = "".join(f"Anna Berg  0:{i % 60:02d}\nWords of turn {i}.\n\n" for i in range(n))
        start = time.perf_counter()
        assert len(otter_turns(text)) == n
        return time.perf_counter() - start

    small, large = min(seconds(5_000) for _ in range(2)), min(seconds(20_000) for _ in range(2))
    assert large < 8 * small + 0.1, (small, large)
