"""Evidence read in one pass is each coding's words, exactly, with its place."""

from __future__ import annotations

import framework_qda as fq


def test_every_passage_is_the_source_text_under_its_coding(study: fq.Study) -> None:
    study.code(["P1:2-4"], ["2.2"], memo="runs over three segments")
    store = study.store
    texts = {s.id: s.text for s in store.sources()}
    codings = {(c.source_id, c.start, c.end, c.subtopic) for c in store.codings()}
    evidence = store.evidence()
    assert len(evidence) == len(codings)
    by_place = {(e.case_id, e.subtopic, e.text) for e in evidence}
    names = {s.id: s.case_id for s in store.sources()}
    assert by_place == {(names[sid], code, texts[sid][a:b]) for sid, a, b, code in codings}
    long = next(e for e in evidence if e.memo == "runs over three segments")
    assert long.ref == "P1:2" and long.line_first < long.line_last
    assert long.speaker and long.role == "participant" and long.coder


def test_one_case_and_one_subtopic_read_the_same_rows_as_all(study: fq.Study) -> None:
    everything = study.store.evidence()
    some = study.store.evidence(["2.1"], "P3")
    assert some and some == [e for e in everything if e.subtopic == "2.1" and e.case_id == "P3"]
