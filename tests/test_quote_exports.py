"""Every quote of the study or of a theme in one call, with where its words are."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import framework_qda as fq
from framework_qda.render import quote_rows
from tests._cli import fqda


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


def test_cli_quotes_all_and_by_theme_with_offsets(ran: Path) -> None:
    code, out, _ = fqda("quotes", "--all", "--format", "csv", "--study", ran)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["subtopic"] for r in rows} == {"1.1", "1.2", "2.1", "2.2"}
    assert list(rows[0])[-3:] == ["source", "start", "end"]
    texts = {p.name: p.read_text(encoding="utf-8") for p in (ran / "transcripts").iterdir()}
    first = rows[0]
    assert texts[first["source"]][int(first["start"]):int(first["end"])] == first["text"]
    code, out, _ = fqda("quotes", "--theme", "2", "--format", "json", "--study", ran)
    found = json.loads(out)
    assert {q["subtopic"] for q in found} == {"2.1", "2.2"}
    assert found[0]["group"] == "Managers" and found[0]["attribution"] == "— Managers, P1"
    code, _, err = fqda("quotes", "2.1", "--all", "--study", ran)
    assert code == 1 and "give a sub-topic or theme code, --theme T or --all" in err
    code, _, err = fqda("quotes", "--study", ran)
    assert code == 1 and "--theme T or --all" in err
