"""Evolving the working framework without losing a coding or a summary.

Each change runs in one transaction, is recorded in the study's change log
(what, when, by whom) and returns a :class:`CodebookChange` saying what
followed it.  Codings and summaries are attached to a sub-topic's row, not to
its code, so renaming, moving (new code) and re-importing keep them as they are.

Merging ``A`` into ``B``: A's codings move to B (a span B already has is
collapsed into B's coding); a summary only A had moves to B; where both cells
have a summary the texts are joined (B's first, then A's, marked
``[merged from A …]``) and the cell is marked stale, because its evidence
changed and a researcher should re-read it.  Nothing is dropped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from framework_qda.codebook_diff import Difference, diff, diff_files
from framework_qda.codebook_matching import save_codebook
from framework_qda.errors import ConflictError, FqdaError, UnknownReference
from framework_qda.files import Staged
from framework_qda.model import Codebook, CodebookImport, Subtopic, Theme
from framework_qda.store import StudyStore

if TYPE_CHECKING:
    from framework_qda.history import Action

__all__ = ["Difference", "diff", "diff_files"]

MERGED_HASH = "merged"
"""Evidence hash of a joined summary: never equal to a real hash, so the cell reads stale."""
META_FILE = "codebook_file"


@dataclass(frozen=True)
class CodebookChange:
    """What one evolution command did."""

    action: str
    subject: str
    detail: str
    codings: int = 0
    """Codings moved (merge) or deleted (remove)."""
    summaries: int = 0
    """Summaries moved or joined (merge) or deleted (remove)."""
    collapsed: int = 0
    """Codings that duplicated one the target already had (merge)."""
    new_code: str = ""
    file: str = ""
    """The codebook file rewritten to match (see :class:`_Sync`), if any."""


def _sub(cb: Codebook, code: str) -> Subtopic:
    try:
        return cb.subtopic(code)
    except KeyError:
        raise UnknownReference(f"no sub-topic {code}; `fqda codebook show` lists them") from None


def rename(store: StudyStore, code: str, label: str, who: str, root: Path | None = None
           ) -> CodebookChange:
    """Give a sub-topic (or a theme, by its code) a new label."""
    label = " ".join(label.split())
    if not label:
        raise FqdaError("the new label is empty; give the words the column should show")
    cb = store.codebook()
    if code in {t.code for t in cb.themes} and code not in {s.code for s in cb.subtopics}:
        old = cb.theme(code).label
        with _syncing(store, root) as sync, store.atomic():
            store.rename_theme(code, label)
            detail = f"theme label {old!r} -> {label!r}"
            store.log_change(who, "rename", code, detail)
            sync.stage()
        return sync.install(CodebookChange("rename", code, detail))
    old = _sub(cb, code).label
    with _syncing(store, root) as sync, store.atomic():
        store.rename_subtopic(code, label)
        detail = f"label {old!r} -> {label!r}"
        store.log_change(who, "rename", code, detail)
        sync.stage()
    return sync.install(CodebookChange("rename", code, detail))


def merge(store: StudyStore, source: str, target: str, who: str, root: Path | None = None
          ) -> CodebookChange:
    """Fold sub-topic ``source`` into ``target``; ``source`` is then gone (see module doc)."""
    cb = store.codebook()
    src, dst = _sub(cb, source), _sub(cb, target)
    if source == target:
        raise FqdaError(f"cannot merge {source} into itself; name another sub-topic")
    ids = store.subtopic_ids()
    with _syncing(store, root) as sync, store.atomic():
        moved, collapsed = store.move_codings(ids[source], ids[target])
        have = store.summary_rows(ids[target])
        moved_summaries = joined = 0
        for case_id, row in store.summary_rows(ids[source]).items():
            other = have.get(case_id)
            if other is None:
                store.move_summary(case_id, ids[source], ids[target])
                moved_summaries += 1
                continue
            text = "\n\n".join(x for x in (
                other.text, f"[merged from {src.code} {src.label}] {row.text}".strip()
                if row.text else "") if x)
            both_na = row.state == other.state == "not-applicable"
            store.join_summary(case_id, ids[source], ids[target], text,
                               "not-applicable" if both_na else "summarised", who, MERGED_HASH)
            joined += 1
        store.move_summary_versions(ids[source], ids[target],
                                    f"[merged from {src.code} {src.label}]")
        store.delete_subtopic(ids[source])
        detail = (f"into {dst.code} {dst.label!r}: {moved} coding(s) moved, {collapsed} "
                  f"duplicate(s) collapsed, {moved_summaries} summary(ies) moved, {joined} "
                  "joined (marked stale)")
        store.log_change(who, "merge", source, detail, target)
        sync.stage()
    return sync.install(CodebookChange("merge", source, detail, moved + collapsed,
                                       moved_summaries + joined, collapsed, target))


def move(store: StudyStore, code: str, theme: str, who: str, root: Path | None = None
         ) -> CodebookChange:
    """Move a sub-topic to another theme; it gets that theme's next free code."""
    cb = store.codebook()
    sub = _sub(cb, code)
    try:
        dest = cb.theme(theme)
    except KeyError:
        raise UnknownReference(f"no theme {theme}; the themes are "
                               f"{', '.join(t.code for t in cb.themes)}") from None
    if dest.code == sub.theme_code:
        raise FqdaError(f"{code} is already in theme {dest.code}")
    new = next_code(cb, dest)
    with _syncing(store, root) as sync, store.atomic():
        store.move_subtopic(store.subtopic_ids()[code], store.theme_ids()[dest.code], new)
        detail = f"to theme {dest.code} {dest.label!r} as {new}"
        store.log_change(who, "move", code, detail, new)
        sync.stage()
    return sync.install(CodebookChange("move", code, detail, new_code=new))


def next_code(cb: Codebook, theme: Theme) -> str:
    """``theme.N`` with N one more than the highest number used in the theme."""
    numbers = [int(m.group(1)) for s in theme.subtopics
               if (m := re.fullmatch(re.escape(theme.code) + r"\.(\d+)", s.code))]
    n = max(numbers, default=0) + 1
    taken = {s.code for s in cb.subtopics}
    while f"{theme.code}.{n}" in taken:
        n += 1
    return f"{theme.code}.{n}"


def remove(store: StudyStore, code: str, who: str, force: bool = False,
           root: Path | None = None) -> CodebookChange:
    """Remove a sub-topic.  Refused while accepted codings or summaries rest on it, unless
    ``force``, which deletes them too and says how many went.  Pending or rejected
    suggestions for it are deleted either way (and counted)."""
    sub = _sub(store.codebook(), code)
    use = store.subtopic_use()[code]
    if (use.codings or use.summaries) and not force:
        raise ConflictError(
            f"sub-topic {code} has {use.codings} coding(s) in {use.cases} case(s) and "
            f"{use.summaries} summary(ies); merge it into another sub-topic "
            f"(`fqda codebook merge {code} --into OTHER`) or remove it with --force, "
            "which deletes them")
    with _syncing(store, root) as sync, store.atomic():
        codings, summaries = store.delete_subtopic(store.subtopic_ids()[code])
        pending = f", {use.suggestions} of them suggestions" if use.suggestions else ""
        detail = (f"{sub.label!r} removed with {codings} coding(s){pending} and {summaries} "
                  "summary(ies)")
        store.log_change(who, "remove", code, detail)
        sync.stage()
    return sync.install(CodebookChange("remove", code, detail, codings, summaries))


def log_import(store: StudyStore, changes: CodebookImport, source: str, who: str) -> None:
    """Record what a codebook import changed (nothing when nothing changed)."""
    for kind, codes in (("added", changes.added), ("changed", changes.changed),
                        ("recoded", changes.recoded), ("removed", changes.removed)):
        for code in codes:
            if kind == "recoded":
                old, _, new = code.partition(" -> ")
                store.log_change(who, "import", old, f"code {old} -> {new} from {source}", new)
            else:
                store.log_change(who, "import", code, f"{kind} from {source}")


class _Sync:
    """The codebook file last imported, rewritten as part of a change.

    Keeps the file the researcher edits (and re-imports) in step with the
    evolved framework; GUIDs are written so later edits still match.  The new
    content is written to a temporary file beside it inside the change's
    transaction (:meth:`stage`), so a full disk refuses the change, and moved
    onto the file only after the transaction commits (:meth:`install`).
    Project files (.qdpx/.qde) are never rewritten, and neither is a file
    reached through a symbolic link leading out of the study: the change is
    then refused before anything is stored.
    """

    def __init__(self, store: StudyStore, root: Path | None) -> None:
        self.store = store
        self.shown, self.real = _codebook_file(store, root) if root is not None else (None, None)
        self.staged: Staged | None = None

    def stage(self) -> None:
        if self.shown is None or self.real is None:
            return
        from framework_qda.codebook import codebook_bytes

        header = ""
        if self.real.suffix.lower() in (".yaml", ".yml"):
            # Keep the file's opening comment block; comments further down cannot be
            # placed again once the framework has changed, and are not kept.
            try:
                lines = self.real.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise FqdaError(f"{self.shown}: cannot read the codebook file to rewrite it "
                                f"({exc.strerror}); nothing was changed") from None
            for line in lines.splitlines(keepends=True):
                if not line.startswith("#"):
                    break
                header += line
        data = header.encode("utf-8") + codebook_bytes(self.store.codebook(), self.real)
        self.staged = Staged(self.real, "the codebook file", _HINT)
        try:
            self.staged.file.write(data)
            self.staged.file.flush()
            os.fsync(self.staged.file.fileno())
        except OSError as exc:
            self.discard()
            raise self.staged.error(exc) from None

    def install(self, change: CodebookChange) -> CodebookChange:
        return replace(change, file=str(self.shown)) if self.install_file() else change

    def install_file(self) -> Path | None:
        """Move the staged file into place (after the commit); the path written, if any."""
        if self.staged is None:
            return None
        try:
            self.staged.install()
        except FqdaError as exc:
            raise FqdaError(f"{exc}; the change itself is saved in the study, so write the "
                            f"file again with `fqda codebook export -o {self.shown}`") from None
        return self.shown

    def discard(self) -> None:
        if self.staged is not None:
            self.staged.discard()


_HINT = "nothing was changed; check the file's folder is writable"


@contextmanager
def _syncing(store: StudyStore, root: Path | None) -> Iterator[_Sync]:
    sync = _Sync(store, root)
    try:
        yield sync
    except BaseException:
        sync.discard()
        raise


def undo(store: StudyStore, who: str, root: Path | None = None) -> Action:
    """Revert ``who``'s last change (:func:`framework_qda.history.undo`); when it was a
    change of the framework, the undo is logged and the codebook file rewritten
    to match, as part of the same action."""
    from framework_qda.history import undo as undo_action

    sync: _Sync | None = None
    try:
        with store.atomic():
            action = undo_action(store, who)
            if any(c.noun in ("theme", "sub-topic") for c in action.changes):
                store.log_change(who, "undo", "", f"undid #{action.id} "
                                 f"({action.command or action.summary()})")
                sync = _Sync(store, root)
                sync.stage()
    except BaseException:
        if sync is not None:
            sync.discard()
        raise
    if sync is not None:
        sync.install_file()
    return action


def _codebook_file(store: StudyStore, root: Path) -> tuple[Path | None, Path | None]:
    """The codebook file to keep in step, as the user named it and where it really is."""
    name = store.meta(META_FILE)
    if not name:
        return None, None
    path = Path(name) if Path(name).is_absolute() else root / name
    if not path.exists() or path.suffix.lower() in (".qdpx", ".qde"):
        return None, None
    real = path.resolve()
    if real != Path(os.path.abspath(path)) and not real.is_relative_to(root.resolve()):
        raise FqdaError(f"{path}: the codebook file is a symbolic link to a file outside the "
                        "study, and fqda never writes through such a link, so nothing was "
                        "changed; put the file itself in the study and import it again "
                        "(`fqda codebook import FILE`)")
    return path, real


def import_file(store: StudyStore, path: Path, root: Path, who: str) -> CodebookImport:
    """Make the stored framework equal to a codebook file and remember the file;
    what changed, code by code, and any warnings from reading the file."""
    from framework_qda.codebook import load_codebook

    cb, warnings = load_codebook(path)
    # Recorded as named, not resolved, so that a link is seen as a link when the
    # file is rewritten (see _codebook_file).
    try:
        name = str(Path(os.path.abspath(path)).relative_to(root))
    except ValueError:
        name = str(path.resolve())
    with store.atomic():
        changes = save_codebook(store, cb)
        log_import(store, changes, path.name, who)
        store.put_meta(META_FILE, name)
    return replace(changes, warnings=tuple(warnings))
