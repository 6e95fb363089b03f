"""Errors raised by the library.

Every message is meant for a person: it says what is wrong, where (a file and
line when there is one) and what to do.  Messages never contain transcript
text, because participants' words are sensitive and errors end up in logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class FqdaError(Exception):
    """Base class of every error the library raises on purpose."""


class StudyNotFound(FqdaError):
    """No study folder at or above the given directory."""


class StudyBusy(FqdaError):
    """Another process held the study's store for longer than the busy timeout."""


class StoreUnusable(FqdaError):
    """The study's store file is empty, damaged, or (for a change) read-only."""


class EditorFailed(FqdaError):
    """The editor a summary was typed in exited with an error status."""

    def __init__(self, status: int, text: str | None) -> None:
        super().__init__(f"the editor exited with status {status}")
        self.status = status
        self.text = text
        """What the file held when the editor exited (None if it could not be read)."""


class InputError(FqdaError):
    """A file a user gave us cannot be read as what it claims to be."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


class ValidationError(FqdaError):
    """A file has several problems; all of them are reported at once.

    ``problems`` holds one ``file:line: message`` string per problem.
    """

    def __init__(self, summary: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        body = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{summary}\n{body}" if body else summary)


class UnknownReference(FqdaError):
    """A case, source, segment, theme or sub-topic that the study does not have."""


class ConflictError(FqdaError):
    """A change would lose or overwrite work; nothing was changed."""
