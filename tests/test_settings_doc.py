"""docs/SETTINGS.md documents every fqda.yaml key, with its true default and an
example that the settings reader accepts and that changes what the key sets."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml

from framework_qda.config import KEYS, StudyConfig, load_config
from tests.conftest import REPO

PAGE = REPO / "docs" / "SETTINGS.md"
SECTION = re.compile(r"^## `([a-z_.]+)`\n(.*?)(?=^## |\Z)", re.S | re.M)


def sections() -> dict[str, str]:
    return dict(SECTION.findall(PAGE.read_text(encoding="utf-8")))


def test_every_key_the_settings_read_is_documented_and_nothing_else() -> None:
    assert list(sections()) == list(KEYS)
    fields = {f.name for f in dataclasses.fields(StudyConfig)} - {"extra"}
    assert set(KEYS.values()) == fields, "a setting with no fqda.yaml key, or a key for none"


def test_each_documented_default_is_the_default() -> None:
    defaults = StudyConfig()
    for key, body in sections().items():
        shown = re.search(r"^Default: `(.*)`$", body, re.M)
        assert shown, f"{key}: no 'Default: `…`' line"
        value = getattr(defaults, KEYS[key])
        expected = list(value) if isinstance(value, tuple) else value
        assert yaml.safe_load(shown.group(1)) == expected, key


def test_each_example_is_read_and_sets_its_key(tmp_path: Path) -> None:
    defaults = StudyConfig()
    for key, body in sections().items():
        example = re.search(r"```yaml\n(.*?)```", body, re.S)
        assert example, f"{key}: no example"
        (tmp_path / "fqda.yaml").write_text(example.group(1), encoding="utf-8")
        field = KEYS[key]
        assert getattr(load_config(tmp_path), field) != getattr(defaults, field), key


def test_the_example_studys_settings_are_the_ones_shown() -> None:
    page = PAGE.read_text(encoding="utf-8")
    shown = re.search(r"```yaml\n(.*?)```", page, re.S)
    assert shown and yaml.safe_load(shown.group(1)) == yaml.safe_load(
        (REPO / "fqda.yaml").read_text(encoding="utf-8"))
