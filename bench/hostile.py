"""Hostile inputs stay linear: what the reader tests feed fqda, at two sizes.

``python bench/hostile.py`` reads, in this process, a subtitle file whose lines
are full of unclosed tags and a PDF that lists one page thousands of times, each
at ``n`` and ``4n``, best of three, and fails (exit 1) when the time per unit
at ``4n`` is over 1.5 times that at ``n`` (a quadratic reader gives about 4).
The inputs are the ones ``tests/test_hostile_input.py`` checks the answers of;
the tests assert no time, this does.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from framework_qda.ingest.readers import read  # noqa: E402
from tests.test_hostile_input import angle_brackets, pdf_bytes  # noqa: E402

GROWTH = 1.5


def _best(make: Callable[[Path], None], path: Path) -> float:
    make(path)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        read(path)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        checks = (
            ("subtitle tags", 10_000, lambda n, p: p.write_text(angle_brackets(n),
                                                                encoding="utf-8"), ".vtt"),
            ("repeated PDF page", 1_000, lambda n, p: p.write_bytes(pdf_bytes(n)), ".pdf"),
        )
        for name, n, write, suffix in checks:
            small = _best(lambda p, n=n, w=write: w(n, p), Path(work) / f"a{suffix}")
            large = _best(lambda p, n=n, w=write: w(4 * n, p), Path(work) / f"b{suffix}")
            growth = (large / (4 * n)) / (small / n)
            ok = growth <= GROWTH
            failed += not ok
            print(f"{name:<18} {n:>7} in {small:.3f} s, {4 * n:>7} in {large:.3f} s: "
                  f"growth per unit {growth:.2f} (budget {GROWTH}) {'pass' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
