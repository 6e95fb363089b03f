"""The optional test groups: what each needs, and whether this machine has it.

A test that needs a component carries ``@pytest.mark.needs("libreoffice")`` (or a
module-level ``pytestmark``). Where the component is missing the test skips and
says why; under ``CI=true`` a component that ``.ci/run`` installs and starts is a
failure instead, so CI can never pass by skipping. The session ends with one
line per group saying how many of its tests ran and how many skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REALDATA = REPO.parent / "shared" / "realdata"


@dataclass(frozen=True)
class Component:
    """One thing some tests need that a machine may not have."""

    title: str
    """How the closing summary names the group."""
    present: Callable[[], bool]
    """Whether this machine has it."""
    missing: str
    """What to say when it is not there."""
    in_ci: bool
    """Whether ``.ci/run`` provides it, so that under CI=true its absence fails."""


def _which(*names: str) -> Callable[[], bool]:
    return lambda: any(shutil.which(n) for n in names)


COMPONENTS: dict[str, Component] = {
    "libreoffice": Component(
        "LibreOffice", _which("soffice", "libreoffice"),
        "LibreOffice (soffice) is not installed", in_ci=True),
    "pdftoppm": Component(
        "page pictures (pdftoppm)", _which("pdftoppm"),
        "pdftoppm (poppler-utils) is not installed", in_ci=True),
    "browser": Component(
        "browser (Chromium)", _which("chromium", "chromium-browser"),
        "Chromium is not installed", in_ci=True),
    "postgresql": Component(
        "PostgreSQL store", lambda: postgresql_server() is not None,
        "no PostgreSQL server (set FQDA_TEST_POSTGRESQL to one's address)", in_ci=True),
    "realdata": Component(
        "real data", REALDATA.is_dir,
        "no shared real-data folder beside the checkout", in_ci=False),
    "schemas": Component(
        "REFI-QDA schemas", lambda: (REALDATA / "refi-qda" / "Project.xsd").exists(),
        "REFI-QDA schemas not available", in_ci=False),
}


_SERVER: list[str | None] = []


def postgresql_server() -> str | None:
    """The address of the PostgreSQL server the store tests may make schemas on
    (``$FQDA_TEST_POSTGRESQL``, which ``.ci/run`` sets to a throwaway cluster it
    starts), if one answers."""
    if not _SERVER:
        address = os.environ.get("FQDA_TEST_POSTGRESQL", "")
        found = None
        if address:
            try:
                import psycopg

                psycopg.connect(address, connect_timeout=5).close()
                found = address
            except Exception:  # noqa: BLE001 - any failure means: no server here
                found = None
        _SERVER.append(found)
    return _SERVER[0]


def in_ci() -> bool:
    return os.environ.get("CI") == "true"
