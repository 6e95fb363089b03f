"""The codebook file that rename, merge, move and remove keep in step: rewritten whole,
as part of the change, and never through a link leading out of the study."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import framework_qda as fq
from framework_qda import files
from tests.test_file_safety import FullDisk


def label_in_store(root: Path, code: str) -> str:
    """The label another process reads: what is committed."""
    with sqlite3.connect(root / ".fqda" / "study.db") as conn:
        (label,) = conn.execute("SELECT label FROM subtopics WHERE code = ?", (code,)).fetchone()
    return str(label)


def test_a_full_disk_while_rewriting_the_codebook_file_refuses_the_change(
        study: fq.Study, monkeypatch: pytest.MonkeyPatch) -> None:
    book = study.root / "codebooks" / "framework.yaml"
    before = book.read_bytes()
    old = study.codebook.subtopic("1.1").label
    log = study.codebook_log()
    monkeypatch.setattr(FullDisk, "limit", 10)
    monkeypatch.setattr(files, "_open_temp", lambda fd: FullDisk(fd, "wb"))
    with pytest.raises(fq.FqdaError, match="the disk is full") as caught:
        study.rename_subtopic("1.1", "Notes at handover")
    assert "\n" not in str(caught.value) and str(book) in str(caught.value)
    assert study.codebook.subtopic("1.1").label == old == label_in_store(study.root, "1.1")
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == ["framework.yaml"]
    assert study.codebook_log() == log


def test_the_codebook_file_is_replaced_after_the_change_commits(
        study: fq.Study, monkeypatch: pytest.MonkeyPatch) -> None:
    book = study.root / "codebooks" / "framework.yaml"
    real_replace = os.replace
    seen: list[tuple[str, str]] = []

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == book:
            written = Path(src).read_text(encoding="utf-8")
            seen.append((label_in_store(study.root, "1.1"),
                         "Notes at handover" if "Notes at handover" in written else ""))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    study.rename_subtopic("1.1", "Notes at handover")
    assert seen == [("Notes at handover", "Notes at handover")]
    assert "label: Notes at handover" in book.read_text(encoding="utf-8")


def test_a_codebook_file_linked_from_outside_the_study_is_never_rewritten(
        study: fq.Study, tmp_path: Path) -> None:
    book = study.root / "codebooks" / "framework.yaml"
    outside = tmp_path / "elsewhere.yaml"
    outside.write_bytes(book.read_bytes())
    book.unlink()
    book.symlink_to(outside)  # planted after the import
    old = study.codebook.subtopic("1.1").label
    with pytest.raises(fq.FqdaError, match="symbolic link") as caught:
        study.rename_subtopic("1.1", "Notes at handover")
    assert "\n" not in str(caught.value) and str(book) in str(caught.value)
    assert study.codebook.subtopic("1.1").label == old
    assert outside.read_bytes() == book.read_bytes()
    assert "Notes at handover" not in outside.read_text(encoding="utf-8")
    study.import_codebook(book)  # imported through the link: refused the same way
    with pytest.raises(fq.FqdaError, match="symbolic link"):
        study.merge_subtopics("1.1", "1.2")
    assert "Notes at handover" not in outside.read_text(encoding="utf-8")


def test_a_codebook_file_linked_inside_the_study_is_rewritten_and_stays_a_link(
        study: fq.Study) -> None:
    book = study.root / "codebooks" / "framework.yaml"
    real = study.root / "codebooks" / "master.yaml"
    real.write_bytes(book.read_bytes())
    book.unlink()
    book.symlink_to("master.yaml")
    change = study.rename_subtopic("1.1", "Notes at handover")
    assert change.file == str(book)
    assert book.is_symlink()
    assert "Notes at handover" in real.read_text(encoding="utf-8")
