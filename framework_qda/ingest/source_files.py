"""Where a source's file is: its name as a source, the path it keeps, and whether
a stored path is a given file (so a moved or copied study still knows its files)."""

from __future__ import annotations

import os
from pathlib import Path

from framework_qda.model import Source
from framework_qda.store import StudyStore


def source_name(path: Path, root: Path | None) -> str:
    """A file's identity as a source: its path below the study's ``transcripts/``
    folder with its suffix, ``/``-separated (``P7.txt``, ``wave1/P01.txt``).

    A file elsewhere in the study folder is named by its path from the study
    folder with ``../`` before it (``../extra/P7.txt``), so it can never share a
    name with one under ``transcripts/``; a file outside the study by its
    name alone (``P7.txt``); two such files of one name cannot both be
    ingested (the second fails, see :func:`claimed_by`).
    """
    if root is not None:
        inside = _inside(path, root)
        if inside is not None:
            if inside[:1] == ("transcripts",) and len(inside) > 1:
                return "/".join(inside[1:])
            return "/".join(("..", *inside))
    return path.name


def stored_path(path: Path, root: Path | None) -> str:
    """What a source keeps of where its file is: the path from the study folder
    (``transcripts/P7.txt``), so a moved or copied study still knows its files,
    or the absolute path of a file outside the study."""
    inside = _inside(path, root) if root is not None else None
    return "/".join(inside) if inside is not None else os.path.normpath(path.absolute())


def _inside(path: Path, root: Path) -> tuple[str, ...] | None:
    """``path``'s parts below ``root``, or None when it is not inside it."""
    plain = Path(os.path.normpath(path.absolute()))
    for here, top in ((plain, root.absolute()), (plain.resolve(), root.resolve())):
        try:
            return here.relative_to(top).parts
        except ValueError:
            continue
    return None


def _stored_file(stored: str, root: Path | None) -> Path:
    p = Path(stored)
    return root / p if root is not None and not p.is_absolute() else p


def same_file(stored: str, path: Path, root: Path | None) -> bool:
    """Whether a source's stored path is ``path``: the same file, or, for a file
    in the study, a path that ends with the file's path in the study (the
    absolute paths the previous version kept, from before the study moved)."""
    there = _stored_file(stored, root)
    try:
        if there.exists() and there.samefile(path):
            return True
    except OSError:
        return False
    inside = _inside(path, root) if root is not None else None
    return inside is not None and Path(stored).parts[-len(inside):] == inside


def claimed_by(stored: str, path: Path, root: Path | None) -> bool:
    """Whether a source's stored path names another file that is still there."""
    return not same_file(stored, path, root) and _stored_file(stored, root).exists()


def legacy_source(store: StudyStore, name: str, path: Path, root: Path | None) -> Source | None:
    """The source the previous version made of this file, if it is not yet renamed.

    That version named a source by its file's stem (``P7``); it is this
    file's when its stored path is this file.
    """
    stem = Path(name).stem
    if stem == name:
        return None
    old = store.source_named(stem)
    if old is None or old.format == "survey" or not same_file(old.path, path, root):
        return None
    return old
