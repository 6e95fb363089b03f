"""Every quote of the study or of a theme in one call, with where its words are."""

from __future__ import annotations

import framework_qda as fq
from framework_qda.render import quote_rows


def test_all_quotes_are_every_subtopics_in_codebook_order(study: fq.Study) -> None:
    every = study.quotes(None)
    one_by_one = [q for s in study.codebook.subtopics for q in study.quotes(s.code)]
    assert every == one_by_one
    assert {q.subtopic for q in every} == {"1.1", "1.2", "2.1", "2.2"}


def test_quote_rows_carry_source_offsets_that_find_the_words(study: fq.Study) -> None:
    texts = {s.name: s.text for s in study.store.sources()}
    rows = quote_rows(study.quotes(None))
    assert rows and all(texts[str(r["source"])][int(str(r["start"])):int(str(r["end"]))]
                        == r["text"] for r in rows)
    first = rows[0]
    assert (first["subtopic"], first["ref"], first["group"], first["source"]) == (
        "1.1", "P1:2", "Managers", "P1.txt")
    # The terminal's rows fold white space and name no offsets.
    assert "start" not in quote_rows(study.quotes("1.1"), exact=False)[0]
