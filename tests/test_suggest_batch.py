"""Suggest reads every source's segments and codings in a few queries: the same
suggestions as asking source by source."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.coding import record_codings
from framework_qda.ingest import IngestOptions
from framework_qda.ingest.sentences import load_pipeline
from framework_qda.model import span_hash
from framework_qda.store import NewCoding, Store
from framework_qda.suggestion import (
    RULE_CODER,
    SuggestReport,
    _rule_subtopics,
    build_rules,
    suggest,
)
from tests.test_suggest import CODEBOOK


def _source_by_source(store: Store, theme: str | None, case: str | None,
                      roles: Sequence[str] | None) -> SuggestReport:
    """Suggest as it was written before batching: a few queries per source."""
    nlp = load_pipeline("")
    rules = build_rules(nlp, _rule_subtopics(store.codebook(), theme))
    report = SuggestReport(rules=rules.count)
    ids = store.subtopic_ids()
    if case is None:
        sources = store.sources()
    else:
        one = store.source_by_name(case)
        sources = [one] if one is not None else store.sources(case)
    new: list[NewCoding] = []
    for source in sources:
        held = store.overlapping_codings(source.id, 0, len(source.text), None)
        segments = [s for s in store.segments(source.id) if roles is None or s.role in roles]
        report.segments += len(segments)
        for seg in segments:
            doc = nlp.make_doc(seg.text)
            words: dict[str, dict[str, None]] = {}
            for match_id, start, end in rules(doc):
                words.setdefault(nlp.vocab.strings[match_id], {})[doc[start:end].text] = None
            taken = {c.subtopic for c in held
                     if (c.start, c.end) == (seg.start, seg.end)
                     or (c.status == "accepted" and c.start < seg.end and seg.start < c.end)}
            for code, matched in words.items():
                if code in taken:
                    report.known += 1
                    continue
                new.append(NewCoding(seg.source_id, seg.start, seg.end, ids[code], RULE_CODER,
                                     "rule", "suggested", "", span_hash(seg.text),
                                     "; ".join(matched)))
                report.by_subtopic[code] = report.by_subtopic.get(code, 0) + 1
    with store.atomic():
        report.added = sum(1 for i in record_codings(store, new) if i is not None)
    return report


def _codings(store: Store) -> list[tuple[object, ...]]:
    return [tuple(r) for r in store.conn.execute(
        """SELECT id, source_id, start, "end", subtopic_id, coder, origin, status, memo,
                  text_hash, matched FROM codings ORDER BY id""")]


@pytest.fixture
def root(study_dir: Path) -> Path:
    """The fixture study with rules, a survey beside its interviews, and decisions
    already taken: accepted codings, a rejected and a pending suggestion."""
    (study_dir / "codings.csv").unlink()
    (study_dir / "codebooks" / "framework.yaml").write_text(CODEBOOK, encoding="utf-8")
    survey = study_dir / "survey.csv"
    survey.write_text(
        "id,q1,q2\n"
        "S1,Too few staff on nights.,We talk face to face.\n"
        "S2,The handover sheet and notes.,\n"
        "S3,,Time overruns; few of us left.\n"
        "S4,Nothing to add.,Short of staff; no time to talk.\n", encoding="utf-8")
    with fq.open_study(study_dir) as s:
        s.import_cases("cases.csv")
        s.import_codebook("codebooks/framework.yaml")
        s.ingest()
        s.ingest_files([survey], IngestOptions(id_column="id", columns=("q1", "q2"),
                                               new_cases=True))
        s.code(["P2:2"], ["1.1"], coder="mk")          # accepted: 1.1 is not suggested again
        s.code(["S4:2"], ["2.1"], coder="mk")
        s.suggest(case="S1")
        walk = s.review(case="S1")
        walk.answer("r")                              # rejected: not suggested again
    return study_dir


@pytest.mark.parametrize("theme,case,roles", [
    (None, None, ("participant",)), ("2", None, ("participant",)), (None, "P2", None),
    (None, "S3", ("participant",)), (None, "survey_S4", None), (None, None, None),
])
def test_batched_suggest_matches_source_by_source(root: Path, tmp_path: Path,
                                                  theme: str | None, case: str | None,
                                                  roles: Sequence[str] | None) -> None:
    other = tmp_path / "copy"
    shutil.copytree(root, other)
    with fq.open_study(root) as a, fq.open_study(other) as b:
        before = _codings(a.store)
        assert before == _codings(b.store)
        got = suggest(a.store, theme, case, roles)
        want = _source_by_source(b.store, theme, case, roles)
        assert got == want
        assert got.added > 0 or case == "S3"
        assert _codings(a.store)[len(before):] == _codings(b.store)[len(before):]
        # Twice adds nothing, as before.
        assert suggest(a.store, theme, case, roles).added == 0


def test_progress_names_each_source_in_order(root: Path) -> None:
    seen: list[str] = []
    with fq.open_study(root) as s:
        s.suggest(progress=seen.append)
        assert seen == [x.name for x in s.store.sources()]
