"""Shared fixtures: tiny studies written by us (no real participant's words)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import framework_qda as fq

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A copy of the fixture study (four nurses' and managers' interviews)."""
    target = tmp_path / "study"
    shutil.copytree(DATA / "study", target)
    return target


@pytest.fixture
def study(study_dir: Path) -> Iterator[fq.Study]:
    """The fixture study after `fqda run`: cases, codebook, transcripts, codings."""
    s = fq.open_study(study_dir)
    s.run()
    yield s
    s.close()


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
