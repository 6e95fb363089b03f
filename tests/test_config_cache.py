"""The parsed fqda.yaml is kept beside the store, so commands start without the YAML parser."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.config import load_config
from framework_qda.errors import InputError

SETTINGS = "attribution: '— {group} ({case})'\ngroups: [Manager, Nurse]\n"


def _cache(root: Path) -> Path:
    return root / ".fqda" / "config.json"


def test_a_second_open_reads_the_settings_without_importing_yaml(study_dir: Path) -> None:
    (study_dir / "fqda.yaml").write_text(SETTINGS, encoding="utf-8")
    fq.open_study(study_dir).close()  # parses the YAML and keeps the result
    probe = ("import sys, framework_qda as fq\n"
             f"s = fq.open_study({str(study_dir)!r})\n"
             "print(s.config.attribution, '|', ','.join(s.config.groups), '|',"
             " 'yaml' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "— {group} ({case}) | Manager,Nurse | False"


def test_an_edited_file_is_read_again(study_dir: Path) -> None:
    (study_dir / "fqda.yaml").write_text(SETTINGS, encoding="utf-8")
    with fq.open_study(study_dir) as s:
        assert s.config.groups == ("Manager", "Nurse")
    (study_dir / "fqda.yaml").write_text("groups: [Nurse, Manager]\n", encoding="utf-8")
    with fq.open_study(study_dir) as s:
        assert s.config.groups == ("Nurse", "Manager")
        assert s.config.attribution == "— {group}, {case}"


def test_a_damaged_cache_is_rebuilt(study_dir: Path) -> None:
    (study_dir / "fqda.yaml").write_text(SETTINGS, encoding="utf-8")
    fq.open_study(study_dir).close()
    _cache(study_dir).write_text("{not json", encoding="utf-8")
    with fq.open_study(study_dir) as s:
        assert s.config.groups == ("Manager", "Nurse")
    assert json.loads(_cache(study_dir).read_text(encoding="utf-8"))["settings"]["groups"] == [
        "Manager", "Nurse"]


def test_settings_json_cannot_hold_exactly_are_parsed_each_time(tmp_path: Path) -> None:
    (tmp_path / ".fqda").mkdir()
    (tmp_path / "fqda.yaml").write_text("groups: [Nurse]\nreviewed: 2026-11-02\n",
                                        encoding="utf-8")
    config = load_config(tmp_path, _cache(tmp_path))
    assert str(config.extra["reviewed"]) == "2026-11-02"
    assert not _cache(tmp_path).exists()  # a date would come back from JSON as a string
    assert load_config(tmp_path, _cache(tmp_path)).groups == ("Nurse",)


def test_invalid_yaml_is_still_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / ".fqda").mkdir()
    (tmp_path / "fqda.yaml").write_text("groups: [Nurse\nattribution: x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"fqda\.yaml:\d+: is not valid YAML"):
        load_config(tmp_path, _cache(tmp_path))
    assert not _cache(tmp_path).exists()


def test_a_cached_setting_is_still_checked(tmp_path: Path) -> None:
    """The cache skips parsing, not validation: a bad pattern fails from the cache too."""
    (tmp_path / ".fqda").mkdir()
    (tmp_path / "fqda.yaml").write_text("roles:\n  interviewer: ['Dr (']\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError, match=r"roles\.interviewer: 'Dr \(' is not a valid"):
            load_config(tmp_path, _cache(tmp_path))
