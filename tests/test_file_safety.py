"""Every file framework-qda writes: whole or not at all, never through a planted link."""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda import files
from framework_qda.cli import app

runner = CliRunner()

Export = Callable[[fq.Study, Path], object]
EXPORTS: dict[str, tuple[str, Export]] = {
    "excel workbook": ("out.xlsx", lambda s, p: s.export_excel(p)),
    "charting workbook": ("chart.xlsx", lambda s, p: s.export_charting(p)),
    "quote bank markdown": ("quotes.md", lambda s, p: s.export_quotes(p)),
    "quote bank docx": ("quotes.docx", lambda s, p: s.export_quotes(p)),
    "codebook yaml": ("book.yaml", lambda s, p: s.export_codebook(p)),
    "codebook csv": ("book.csv", lambda s, p: s.export_codebook(p)),
    "codebook xlsx": ("book.xlsx", lambda s, p: s.export_codebook(p)),
    "codebook qdc": ("book.qdc", lambda s, p: s.export_codebook(p)),
    "codings": ("codings.csv", lambda s, p: s.export_codings(p)),
    "csv tables": ("tables", lambda s, p: s.export_csv(p)),
}


def contents(path: Path) -> dict[str, object]:
    """Every file in a folder (or the one file) with its bytes."""
    if path.is_dir():
        return {p.name: contents(p) for p in sorted(path.iterdir())}
    return {path.name: path.read_bytes()}


class FullDisk(io.FileIO):
    """A temporary file on a disk that fills up after ``limit`` bytes: what fits is
    written, then the write fails as the operating system fails it."""

    limit = 64

    def __init__(self, fd: int, mode: str) -> None:
        super().__init__(fd, mode)
        self.written = 0

    def write(self, data: Any) -> int:
        room = self.limit - self.written
        if len(data) > room:
            super().write(bytes(data)[:max(room, 0)])
            self.written = self.limit
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.written += len(data)
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Temporary files that hit a full disk; yields where each was made."""
    made: list[Path] = []

    def opened(fd: int) -> Any:
        made.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        return FullDisk(fd, "wb")

    monkeypatch.setattr(files, "_open_temp", opened)
    yield made


# A writer left half-way must not print "Exception ignored" after the one line.
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kind", list(EXPORTS))
def test_a_full_disk_leaves_the_older_export_and_no_partial_file(
        kind: str, study: fq.Study, tmp_path: Path, full_disk: list[Path]) -> None:
    name, export = EXPORTS[kind]
    target = tmp_path / "out" / name
    with pytest.MonkeyPatch.context() as normal:
        normal.setattr(files, "_open_temp", lambda fd: io.FileIO(fd, "wb"))
        export(study, target)
    before = contents(tmp_path / "out")
    study.set_summary("P1", "1.1", "A changed summary, so the new export differs")
    with pytest.raises(fq.FqdaError) as caught:
        export(study, target)
    message = str(caught.value)
    assert "\n" not in message and "the disk is full" in message
    assert str(target if target.suffix else target / "cells.csv") in message
    assert full_disk, "the export did not go through the safe writer"
    assert contents(tmp_path / "out") == before  # old bytes, no temporary file left


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_an_unwritable_place_is_one_line_naming_the_path(kind: str, study: fq.Study,
                                                         tmp_path: Path) -> None:
    name, export = EXPORTS[kind]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / name
    with pytest.raises(fq.FqdaError) as caught:
        export(study, target)
    message = str(caught.value)
    assert "\n" not in message and "cannot write" in message
    assert str(blocker) in message
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_cli_codebook_export_to_an_unwritable_place_is_one_line(study: fq.Study,
                                                                tmp_path: Path) -> None:
    blocker = tmp_path / "unwritable"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["codebook", "export", "-o", str(blocker / "x.qdc"),
                                 "--study", str(study.root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is None \
        or isinstance(result.exception, SystemExit)
    [line] = result.stderr.strip().splitlines()
    assert str(blocker / "x.qdc") in line and "cannot write the codebook" in line


def test_a_table_set_is_replaced_only_when_every_table_is_written(
        study: fq.Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "tables"
    study.export_csv(folder)
    before = contents(folder)
    opened: list[int] = []

    def third_fails(fd: int) -> Any:
        opened.append(fd)
        if len(opened) == 3:
            FullDisk.limit = 0
            return FullDisk(fd, "wb")
        return io.FileIO(fd, "wb")

    monkeypatch.setattr(FullDisk, "limit", 0)
    monkeypatch.setattr(files, "_open_temp", third_fails)
    study.set_summary("P1", "1.1", "Changed")
    with pytest.raises(fq.FqdaError, match="theme-1.csv: cannot write the table"):
        study.export_csv(folder)
    assert contents(folder) == before


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_ctrl_c_during_an_export_leaves_no_temporary_file_anywhere(
        study: fq.Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "framework.xlsx"
    study.export_excel(target)
    before = contents(target.parent)
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    from framework_qda.export import excel

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(excel, "_key_sheet", interrupted)  # the last sheet
    with pytest.raises(KeyboardInterrupt):
        study.export_excel(target)
    assert contents(target.parent) == before
    assert list(system_tmp.iterdir()) == []  # the writer's sheet files held transcript text


def test_temporary_files_are_unpredictable_private_and_beside_the_target(
        study: fq.Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Path, int]] = []

    def opened(fd: int) -> Any:
        seen.append((Path(os.readlink(f"/proc/self/fd/{fd}")),
                     stat.S_IMODE(os.fstat(fd).st_mode)))
        return io.FileIO(fd, "wb")

    monkeypatch.setattr(files, "_open_temp", opened)
    target = tmp_path / "out" / "framework.xlsx"
    study.export_excel(target)
    study.export_excel(target)
    (first, mode1), (second, mode2) = seen
    assert first.parent == second.parent == target.parent
    assert mode1 == mode2 == 0o600
    assert first.name != second.name
    assert first.name not in (".framework.xlsx.tmp", f".framework.xlsx.{os.getpid()}.tmp")


def test_exports_get_the_usual_permissions_and_a_replaced_file_keeps_its_own(
        study: fq.Study, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        fresh = study.export_excel(tmp_path / "fresh.xlsx")
        kept = tmp_path / "kept.md"
        study.export_quotes(kept)
        kept.chmod(0o600)  # the researcher keeps this one to themselves
        study.export_quotes(kept)
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_links_planted_at_the_old_temporary_names_are_never_written_through(
        study: fq.Study, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    root, pid = study.root, os.getpid()
    planted = [
        root / "matrices" / ".framework.xlsx.tmp",
        root / "matrices" / f".framework.xlsx.{pid}.tmp",
        root / "matrices" / f".quotes.md.{pid}.tmp",
        root / "matrices" / "csv" / f".cells.csv.{pid}.tmp",
        root / "codebooks" / f".framework.yaml.{pid}.tmp",
        root / ".fqda" / f".config.json.{pid}.tmp",
    ]
    for link in planted:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(victim)
    study.export_excel()
    study.export_quotes()
    study.export_csv()
    study.export_codebook(root / "codebooks" / "framework.yaml")
    study.rename_subtopic("1.1", "Notes at handover")  # rewrites codebooks/framework.yaml
    (root / "fqda.yaml").write_text("groups: [Nurses, Managers]\n", encoding="utf-8")
    fq.open_study(root).close()  # the settings cache is written again
    assert victim.read_text(encoding="utf-8") == "precious"
    assert all(link.is_symlink() for link in planted)


def _export(root: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        with fq.open_study(root) as s:
            s.export_excel()
        results.put("ok")
    except BaseException as exc:  # noqa: BLE001 - the test reports what a user would see
        results.put(f"{type(exc).__name__}: {exc}")


def test_three_simultaneous_excel_exports_all_succeed(study: fq.Study) -> None:
    from openpyxl import load_workbook

    root = str(study.root)
    study.close()
    ctx = multiprocessing.get_context("fork")
    for _ in range(3):
        barrier, results = ctx.Barrier(3), ctx.Queue()
        workers = [ctx.Process(target=_export, args=(root, barrier, results))
                   for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(120)
        assert [results.get(timeout=5) for _ in workers] == ["ok"] * 3
    book = study.root / "matrices" / "framework.xlsx"
    assert "Evidence" in load_workbook(book, read_only=True).sheetnames
    # nothing left beside what the run wrote: no temporary file of the three exports
    assert sorted(p.name for p in book.parent.iterdir()) == [
        "csv", "framework.html", "framework.xlsx", "quotes.md"]
