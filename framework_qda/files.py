"""Writing files so that a failure leaves any older file as it was.

Every file framework-qda writes goes through :class:`Staged` (usually by way
of :func:`replacing`): the content is written to a temporary file that
``mkstemp`` creates exclusively, under an unpredictable name, in the target's
own folder, readable by the owner only (it holds participants' words while
it is written).  Only when it is complete and on disk is it given its final
permissions and moved onto the target with ``os.replace``, so a reader sees
the old file or the new one, never half of one, and a symbolic link planted
at some temporary name is never written through.  On any failure, a full
disk or Ctrl-C included, the temporary file is removed and the old file is
untouched.

Final permissions: an export is a file people share, so a new one gets the
usual permissions (``0666`` less the umask) and a replaced one keeps its own;
the study's private files (``private=True``) are the owner's only.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from framework_qda.errors import FqdaError

DEFAULT_HINT = "choose another file with -o"
_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def _open_temp(fd: int) -> io.RawIOBase:
    """The raw file over a new temporary file's descriptor."""
    return io.FileIO(fd, "wb")


class _TempFile(io.BufferedWriter):
    """The temporary file a writer writes to.  Once discarded it swallows writes:
    a writer that failed may still hold it (a zip archive finishes itself when it
    is collected), and that must not print errors after the user's one line."""

    _gone = False
    _at = 0

    def drop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().close()
        self._gone = True

    def write(self, data: Any) -> int:
        if self._gone:
            self._at += len(data)
            return len(data)
        return super().write(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._gone:
            self._at = offset if whence == 0 else self._at + offset
            return self._at
        return super().seek(offset, whence)

    def tell(self) -> int:
        return self._at if self._gone else super().tell()

    def flush(self) -> None:
        if not self._gone:
            super().flush()

    def close(self) -> None:
        if not self._gone:
            super().close()

    @property
    def closed(self) -> bool:
        return self._gone or super().closed


class Staged:
    """A file written beside its target and not yet moved onto it.

    Write to :attr:`file`, then :meth:`install`; :meth:`discard` (or leaving a
    :func:`staging` block without installing) removes the temporary file.
    """

    def __init__(self, path: Path, what: str, hint: str = DEFAULT_HINT,
                 private: bool = False) -> None:
        self.path, self.what, self.hint, self.private = path, what, hint, private
        self.installed = False
        import tempfile  # only writers need it; read-only commands start without it

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                        dir=path.parent)
        except OSError as exc:
            raise self.error(exc) from None
        self.tmp = Path(name)
        try:
            self.file: BinaryIO = _TempFile(_open_temp(fd))
        except BaseException:
            os.close(fd)
            self.tmp.unlink(missing_ok=True)
            raise

    def install(self) -> Path:
        """Flush the file to disk, give it its final permissions and move it into place."""
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            os.fchmod(self.file.fileno(), self._mode())
            self.file.close()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise self.error(exc) from None
        self.installed = True
        return self.path

    def discard(self) -> None:
        """Close and remove the temporary file."""
        if isinstance(self.file, _TempFile):
            self.file.drop()
        with contextlib.suppress(OSError):
            self.tmp.unlink(missing_ok=True)

    def error(self, exc: OSError) -> FqdaError:
        """``path: cannot write <what> (<why>); <hint>`` for an ``OSError``."""
        if exc.errno in _FULL:
            return FqdaError(f"{self.path}: cannot write {self.what} (the disk is full); "
                             "free some space and try again (any older file is unchanged)")
        why = exc.strerror or type(exc).__name__
        return FqdaError(f"{self.path}: cannot write {self.what} ({why}); {self.hint}")

    def _mode(self) -> int:
        if self.private:
            return 0o600
        try:
            old = self.path.lstat()
            if stat.S_ISREG(old.st_mode):
                return stat.S_IMODE(old.st_mode)
        except OSError:
            pass
        return 0o666 & ~_umask()


@contextlib.contextmanager
def staging(path: Path, what: str, hint: str = DEFAULT_HINT, private: bool = False
            ) -> Iterator[Staged]:
    """A :class:`Staged` file, removed unless installed in the block.

    An ``OSError`` in the block becomes the one-line :class:`FqdaError` of
    :meth:`Staged.error`.
    """
    staged = Staged(path, what, hint, private)
    try:
        yield staged
    except OSError as exc:
        staged.discard()
        raise staged.error(exc) from None
    except BaseException:
        staged.discard()
        raise
    if not staged.installed:
        staged.discard()


@contextlib.contextmanager
def replacing(path: Path, what: str, hint: str = DEFAULT_HINT, private: bool = False
              ) -> Iterator[BinaryIO]:
    """A binary file to write, moved onto ``path`` when the block ends without error.

    If writing or the move fails with an ``OSError``, the temporary file is
    removed and :class:`FqdaError` says ``path: cannot write <what> (<why>); <hint>``;
    whatever was at ``path`` before is untouched.
    """
    with staging(path, what, hint, private) as staged:
        yield staged.file
        staged.install()


@contextlib.contextmanager
def text_writer(raw: BinaryIO, encoding: str = "utf-8", newline: str | None = None
         ) -> Iterator[TextIO]:
    """Text written through to ``raw`` (which stays open)."""
    wrapper = io.TextIOWrapper(raw, encoding=encoding, newline=newline, write_through=True)
    try:
        yield wrapper
        wrapper.flush()
    finally:
        with contextlib.suppress(OSError, ValueError):
            wrapper.detach()


@contextlib.contextmanager
def replacing_text(path: Path, what: str, hint: str = DEFAULT_HINT, *,
                   encoding: str = "utf-8", newline: str | None = None,
                   private: bool = False) -> Iterator[TextIO]:
    """:func:`replacing` for text (``newline=""`` for CSV)."""
    with replacing(path, what, hint, private) as raw, text_writer(raw, encoding, newline) as out:
        yield out


def write_file(path: Path, data: bytes | str, what: str, hint: str = DEFAULT_HINT,
               private: bool = False) -> Path:
    """Replace ``path`` with ``data`` (text as UTF-8) safely; returns the path."""
    with replacing(path, what, hint, private) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def private_folder(path: Path) -> None:
    """Make ``path`` (and its parents) if missing; ``path`` itself is the owner's only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(path, 0o700)


def private_file(path: Path) -> None:
    """Make ``path`` as an empty file only its owner can read, or tighten it (and the
    SQLite files beside it) if it already exists with wider permissions."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        _tighten(p, 0o600)


def _tighten(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):  # missing, or not ours: leave it to the owner
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(mode)


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- files made from names a user did not type (a project's source names) ----------------
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)
MAX_NAME = 120


def safe_file_name(name: str, suffix: str = ".txt") -> str:
    """A file name made from ``name`` that stays in its folder on every system: no
    path separators, control characters or characters Windows refuses, no leading
    dot, no name Windows reserves, at most :data:`MAX_NAME` characters, ending in
    ``suffix`` (``Anna.docx`` -> ``Anna.docx.txt``, ``../x`` -> ``__x.txt``)."""
    base = _UNSAFE.sub("_", name).strip()
    if base.lower().endswith(suffix):
        base = base[: -len(suffix)]
    base = base.lstrip(". ")[:MAX_NAME].rstrip(" .")
    if _RESERVED.match(base.split(".")[0]):
        base = "_" + base
    return (base or "source") + suffix


def place_new_file(folder: Path, root: Path, name: str, data: bytes, what: str,
                   taken: set[Path]) -> tuple[Path, bool]:
    """Put ``data`` in ``folder`` (inside the study ``root``) under ``name``, or under
    ``name (2)``, ``name (3)``… when a file there holds other bytes; a file already
    holding these bytes is used as it is.  Never through a link, never outside
    ``root``; ``taken`` (paths this caller placed already) is never reused.
    Returns the path and whether a file was written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.resolve().is_relative_to(root.resolve()):
            raise FqdaError(f"{folder}: leads out of the study folder (a link?); nothing "
                            "is written there")
    except OSError as exc:
        raise FqdaError(f"{folder}: cannot make the folder ({exc.strerror})") from None
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, dot + ext) if dot else (name, "")
    for n in range(1, 1000):
        path = folder / (name if n == 1 else f"{stem} ({n}){ext}")
        if path in taken or path.is_symlink():
            continue
        if path.exists():
            try:
                if path.is_file() and path.stat().st_size == len(data) \
                        and path.read_bytes() == data:
                    taken.add(path)
                    return path, False
            except OSError:
                pass
            continue
        write_file(path, data, what, "free some space or check the folder's permissions")
        taken.add(path)
        return path, True
    raise FqdaError(f"{folder}: no free name for {name}; tidy the folder")
