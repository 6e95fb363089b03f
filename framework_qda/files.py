"""Writing output files so that a failure leaves any older file as it was."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from framework_qda.errors import FqdaError


@contextlib.contextmanager
def replacing(path: Path, what: str, hint: str = "choose another file with -o"
              ) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to, moved onto ``path`` when the block ends.

    If writing or the move fails with an ``OSError``, the temporary file is
    removed and :class:`FqdaError` says ``path: cannot write <what> (<why>); <hint>``;
    whatever was at ``path`` before is untouched.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise FqdaError(f"{path}: cannot write {what} ({exc.strerror}); {hint}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
