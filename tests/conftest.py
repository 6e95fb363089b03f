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
from tests._optional import COMPONENTS, in_ci

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


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
    with fq.open_study(target) as s:
        s.run()
    return target


@pytest.fixture
def study(study_dir: Path, _ran_study: Path) -> Iterator[fq.Study]:
    """The fixture study after `fqda run`: cases, codebook, transcripts, codings.

    A copy of the session's one run, in the same folder as ``study_dir``, so a test
    may write anything without another test seeing it.
    """
    shutil.rmtree(study_dir)
    shutil.copytree(_ran_study, study_dir)
    s = fq.open_study(study_dir)
    yield s
    s.close()


@pytest.fixture
def ran(study_dir: Path, _ran_study: Path) -> Path:
    """The fixture study's folder after `fqda run`, closed (a copy of the session's run)."""
    shutil.rmtree(study_dir)
    shutil.copytree(_ran_study, study_dir)
    return study_dir


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
