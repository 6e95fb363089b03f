"""Shared fixtures: tiny studies written by us (no real participant's words)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# A parallel run's workers (pytest-xdist) export COLUMNS=80: the command line's
# consoles, made when it is first imported, would keep that width for good
# instead of the width each test's command is run with (tests/_cli.py).
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

import framework_qda as fq  # noqa: E402 - after the terminal's size is forgotten
from tests._backends import Schemas, active, on_backend, on_sqlite
from tests._optional import COMPONENTS, in_ci, postgresql_server

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


# -- the store's two backends ------------------------------------------------------
BOTH_BACKENDS = {
    "test_store", "test_history", "test_search", "test_coding",
    "test_pipeline", "test_sources", "test_ingest",
    "test_charting", "test_queries", "test_status", "test_codebook_evolution", "test_suggest",
    "test_review_queue", "test_project_exchange", "test_pseudonyms", "test_check",
    "test_daily_run", "test_store_concurrency", "test_long_listings",
}
"""The store and pipeline tests: each runs once on SQLite and once on PostgreSQL."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH_BACKENDS and "store_backend" in metafunc.fixturenames \
            and metafunc.definition.get_closest_marker("sqlite_only") is None \
            and not any(m.args == ("postgresql",)
                        for m in metafunc.definition.iter_markers("needs")):
        metafunc.parametrize("store_backend", [
            "sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))],
            indirect=True)


@pytest.fixture(autouse=True)
def store_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                  ) -> Iterator[str]:
    """Which backend the test's studies are stored on: on ``postgresql`` each study
    folder the test opens is a schema of its own on the test server, dropped
    afterwards (tests/_backends.py)."""
    backend = getattr(request, "param", "sqlite")
    monkeypatch.delenv("FQDA_STORE", raising=False)
    if backend != "postgresql":
        yield backend
        return
    import uuid

    import framework_qda.study_core

    server = postgresql_server()
    assert server is not None
    schemas = Schemas(server, f"t_{uuid.uuid4().hex[:12]}")
    monkeypatch.setattr(framework_qda.study_core, "store_address", schemas.address)
    try:
        with active(schemas):
            yield backend
    finally:
        schemas.drop()


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A copy of the fixture study (four nurses' and managers' interviews)."""
    target = tmp_path / "study"
    shutil.copytree(DATA / "study", target)
    return target


@pytest.fixture(scope="session")
def _ran_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture study after one `fqda run`, built once per test session."""
    target = tmp_path_factory.mktemp("ran") / "study"
    shutil.copytree(DATA / "study", target)
    with on_sqlite(), fq.open_study(target) as s:  # built once; see on_backend
        s.run()
    return target


@pytest.fixture
def study(study_dir: Path, _ran_study: Path, store_backend: str) -> Iterator[fq.Study]:
    """The fixture study after `fqda run`: cases, codebook, transcripts, codings.

    A copy of the session's one run, in the same folder as ``study_dir``, so a test
    may write anything without another test seeing it.
    """
    shutil.rmtree(study_dir)
    shutil.copytree(_ran_study, study_dir)
    s = fq.open_study(on_backend(study_dir))
    yield s
    s.close()


@pytest.fixture
def ran(study_dir: Path, _ran_study: Path, store_backend: str) -> Path:
    """The fixture study's folder after `fqda run`, closed (a copy of the session's run)."""
    shutil.rmtree(study_dir)
    shutil.copytree(_ran_study, study_dir)
    return on_backend(study_dir)


def copy_example(root: Path) -> Path:
    """A copy of the bundled example study at ``root`` (the files a fresh clone has)."""
    root.mkdir(parents=True)
    for name in ("fqda.yaml", "cases.csv", "codings.csv", "summaries.csv"):
        shutil.copy(REPO / name, root / name)
    for folder in ("codebooks", "transcripts"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def snapshot(s: fq.Study) -> tuple[object, ...]:
    """Everything a user could lose, to assert a failed command changed nothing."""
    st = s.store
    return (
        st.cases(),
        [(x.name, x.sha256, x.text) for x in st.sources()],
        st.codebook(),
        [(c.source_id, c.start, c.end, c.subtopic, c.coder, c.memo) for c in st.codings()],
        st.summaries(),
        st.notes(),
        st.sets(),
    )


# -- optional test groups (see tests/_optional.py) ---------------------------------
_GROUPS: dict[str, list[int]] = {}  # component -> [ran, skipped]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the test is about the SQLite file itself (its journal, "
        "its permissions, its damage), so it runs on that backend only")
    config.addinivalue_line(
        "markers", "needs(component): the test needs an optional component "
        f"({', '.join(COMPONENTS)}); skipped without it, failed under CI=true")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs"):
        # carried by the test's reports, so a parallel run's controller counts it too
        item.user_properties.append(("needs", mark.args[0]))
    for mark in item.iter_markers("needs"):
        component = COMPONENTS[mark.args[0]]
        if component.present():
            continue
        if component.in_ci and in_ci():
            pytest.fail(f"{component.missing}, and under CI=true these tests must run: "
                        ".ci/run installs it", pytrace=False)
        pytest.skip(component.missing)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count each optional group's tests as their set-up ends: ran (every component
    there) or skipped (for the component that is missing)."""
    if report.when != "setup":
        return
    for key, name in report.user_properties:
        if key != "needs":
            continue
        counts = _GROUPS.setdefault(str(name), [0, 0])
        if report.passed:
            counts[0] += 1
        elif report.skipped and not COMPONENTS[str(name)].present():
            counts[1] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    parts = []
    for name, component in COMPONENTS.items():
        ran, skipped = _GROUPS.get(name, [0, 0])
        if ran or skipped:
            parts.append(f"{component.title}: {ran} ran"
                         + (f", {skipped} skipped ({component.missing})" if skipped else ""))
    if parts:
        terminalreporter.write_line("optional test groups: " + "; ".join(parts))
