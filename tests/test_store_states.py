"""A store that cannot be written still reads; an empty or damaged one is refused
in one line, never a traceback and never a silently empty study."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.store import store_file
from tests._cli import fqda

READS = [("show", "P1"), ("matrix", "1"), ("status",), ("quotes", "2.1"), ("check",),
         ("search", "nurses"), ("case", "P1"), ("codebook", "show"), ("history",),
         ("export", "excel", "-o", "OUT/framework.xlsx"), ("codings", "export", "-o",
                                                            "OUT/codings.csv")]
WRITES = [("code", "P1:1", "1.1"), ("chart", "P1", "1.1", "--text", "a summary"),
          ("uncode", "P1:2", "1.1", "--coder", "hb"), ("chart", "--draft"),
          ("codebook", "rename", "1.1", "Notes"), ("undo",)]


def _ran(study_dir: Path) -> Path:
    code, _, err = fqda("run", "--study", str(study_dir))
    assert code == 0, err
    return study_dir / ".fqda" / "study.db"


def _reads_work_and_writes_are_one_line(study_dir: Path, tmp_path: Path) -> None:
    before = (study_dir / ".fqda" / "study.db").read_bytes()
    for args in READS:
        args = tuple(a.replace("OUT", str(tmp_path)) for a in args)
        code, out, err = fqda(*args, "--study", str(study_dir))
        assert code == 0, (args, err)
        assert "Traceback" not in err
    for args in WRITES:
        code, out, err = fqda(*args, "--study", str(study_dir))
        assert code == 1, (args, out, err)
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, (args, err)
        assert "read-only" in err, (args, err)
    assert (study_dir / ".fqda" / "study.db").read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod; the next test "
                    "simulates a read-only store for root")
def test_a_store_without_write_permission_reads_and_refuses_writes(
        study_dir: Path, tmp_path: Path) -> None:
    db = _ran(study_dir)
    folder = db.parent
    try:
        for p in folder.iterdir():
            p.chmod(stat.S_IRUSR)
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        _reads_work_and_writes_are_one_line(study_dir, tmp_path)
    finally:
        folder.chmod(0o700)
        for p in folder.iterdir():
            p.chmod(0o600)


def test_a_store_the_system_says_is_not_writable_reads_and_refuses_writes(
        study_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a read-only mount: access(2) says the file cannot be written (root
    included), so the store is opened read-only, and SQLite itself refuses writes."""
    db = _ran(study_dir)
    real = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if mode & os.W_OK and str(path).startswith(str(db.parent)):
            return False
        return real(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store_file.os, "access", access)
    _reads_work_and_writes_are_one_line(study_dir, tmp_path)


def test_an_empty_store_file_is_refused_not_made_a_new_study(study_dir: Path) -> None:
    db = _ran(study_dir)
    for p in db.parent.glob("study.db*"):
        p.unlink()
    db.write_bytes(b"")
    code, out, err = fqda("status", "--study", str(study_dir))
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: {db}: the store is empty: your study's data is gone; restore "
        ".fqda/study.db from a backup"]
    assert db.read_bytes() == b""  # left as found
    with pytest.raises(fq.FqdaError, match="the store is empty"):
        fq.open_study(study_dir)


def test_a_damaged_store_is_one_line(study_dir: Path) -> None:
    db = _ran(study_dir)
    for p in db.parent.glob("study.db-*"):
        p.unlink()
    db.write_bytes(b"this is not a database, just some bytes" * 200)
    for args in (("status",), ("show", "P1"), ("code", "P1:2", "1.1"), ("check",)):
        code, out, err = fqda(*args, "--study", str(study_dir))
        assert code == 1, (args, out)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert "is damaged" in err, err


def test_a_new_study_gets_a_whole_store_file(tmp_path: Path) -> None:
    fq.init_study(tmp_path / "s")
    s = fq.open_study(tmp_path / "s")
    s.close()
    db = tmp_path / "s" / ".fqda" / "study.db"
    assert db.stat().st_size > 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith(".")) == []
