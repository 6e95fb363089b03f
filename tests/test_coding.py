"""Coding from the command line: segments, lines, sentences, quotes; uncoding; bulk files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import ConflictError, UnknownReference, ValidationError
from tests._cli import fqda
from tests.conftest import snapshot


def quotes(study: fq.Study, code: str, case: str) -> list[tuple[str, str]]:
    return [(q.ref, q.text) for q in study.quotes(code) if q.case_id == case]


def test_a_sentence_inside_a_segment_is_coded_on_its_own(study: fq.Study) -> None:
    report = study.code(["P1:2.2"], ["2.2"], coder="mk")
    assert (report.added, report.refs) == (1, ["P1:2.2"])
    assert quotes(study, "2.2", "P1") == [
        ("P1:2", "The sheet is the handover,\nreally, and it goes in the folder.")]


def test_a_line_range_codes_every_segment_it_touches(study: fq.Study) -> None:
    # P1: lines 1 (turn 1), 3-4 (turn 2), 6 (turn 3), 8 (turn 4).
    report = study.code(["P1:L4-6"], ["2.2"], coder="mk")
    assert report.refs == ["P1:2", "P1:3"]
    assert report.not_participant == ["P1:3 (interviewer)"]  # turn 3 is the interviewer's
    assert [ref for ref, _ in quotes(study, "2.2", "P1")] == ["P1:2"]
    assert [q.ref for q in study.quotes("2.2", speaker="any") if q.case_id == "P1"] == [
        "P1:2", "P1:3"]


def test_several_targets_and_sub_topics_at_once_with_a_memo(study: fq.Study) -> None:
    report = study.code(["P2:2", "P3:2", "1.1", "2.2"], memo="bedside talk", coder="mk")
    assert (report.added, report.existing) == (4, 0)
    mine = [(c.subtopic, c.memo) for c in study.store.codings() if c.coder == "mk"]
    assert sorted(mine) == [("1.1", "bedside talk"), ("1.1", "bedside talk"),
                            ("2.2", "bedside talk"), ("2.2", "bedside talk")]


def test_a_quote_is_found_in_the_case_even_across_a_line_break(study: fq.Study) -> None:
    report = study.code(["P1"], ["2.2"], coder="mk", quote="the handover, really, and")
    assert report.refs == ["P1:2@103-128"]
    assert quotes(study, "2.2", "P1") == [("P1:2", "the handover,\nreally, and")]


def test_a_quote_inside_words_is_taken_where_it_stands(study: fq.Study) -> None:
    # Whole words are looked for first (see the next test); an exact piece of
    # text found only inside words is still the researcher's quote.
    study.code(["P2"], ["2.2"], coder="mk", quote="alk face")
    with pytest.raises(UnknownReference, match="the quote is not in P2"):
        study.code(["P2"], ["2.2"], coder="mk", quote="alk fce")


def test_a_quote_found_twice_is_refused_naming_refs_not_words(study: fq.Study) -> None:
    before = snapshot(study)
    with pytest.raises(UnknownReference) as info:
        study.code([], ["2.2"], coder="mk", quote="handover")
    message = str(info.value)
    # "handovers" is another word: not a match.
    assert message == ("the quote occurs 3 times in the study (P1:2@107-115, P3:1@27-35, "
                       "P3:4@149-157); quote more words or name the segment instead")
    assert snapshot(study) == before


@pytest.mark.parametrize(("words", "message"), [
    (["P1:2.7", "1.1"], "P1:2.7: P1:2 has sentences 1 to 2"),
    (["P1:L40-50", "1.1"], "P1:L40-50: P1 has lines 1 to 8"),
    (["P1:L6-3", "1.1"], "the range runs backwards; write P1:L3-6"),
    (["P1", "1.1"], "P1: name a segment (e.g. P1:12) or give --quote"),
    (["P1:2", "3.9"], "unknown sub-topic 3.9"),
])
def test_bad_targets_say_what_exists(study: fq.Study, words: list[str], message: str) -> None:
    before = snapshot(study)
    with pytest.raises(UnknownReference, match=message.replace("(", r"\(").replace(")", r"\)")):
        study.code(words, coder="mk")
    assert snapshot(study) == before


def test_a_span_partly_overlapping_the_same_code_is_refused_whole(study: fq.Study) -> None:
    # P1:2 is coded to 1.1 by hb (codings.csv); a quote running into the next turn
    # crosses it in hb's layer (another coder's different extent is theirs to mark).
    before = snapshot(study)
    with pytest.raises(ConflictError) as info:
        study.code(["P1:4", "P1", "1.1"], coder="hb",
                   quote="in the folder.\n\nInterviewer: And is there")
    assert "partly overlaps P1:2, already coded to 1.1" in str(info.value)
    assert "`fqda uncode P1:2 1.1`" in str(info.value)
    assert snapshot(study) == before  # P1:4 was not coded either
    # another coder marking a different extent is their layer's business
    other = study.code(["P1", "1.1"], coder="mk",
                       quote="in the folder.\n\nInterviewer: And is there")
    assert other.added == 1


def test_the_same_coding_twice_is_reported_as_already_there(study: fq.Study) -> None:
    # P1:2 is hb's coding (codings.csv): a coding is already there in its coder's layer
    study.code(["P1:2.1"], ["1.1"], coder="hb")  # a key sentence inside a coded turn is fine
    again = study.code(["P1:2.1", "P1:2"], ["1.1"], coder="hb")
    assert (again.added, again.existing) == (0, 2)
    # another coder's identical coding is theirs: a layer of its own
    other = study.code(["P1:2"], ["1.1"], coder="mk")
    assert (other.added, other.existing) == (1, 0)


def test_coding_a_suggested_span_accepts_that_row_and_a_suggestion_never_replaces_one(
        study: fq.Study) -> None:
    from framework_qda.coding import record_codings
    from framework_qda.store import NewCoding

    source = study.store.source_by_name("P3")
    assert source is not None
    sub = study.store.subtopic_ids()["2.1"]
    start, end = study.store.segments(source.id)[1].start, study.store.segments(source.id)[1].end

    def coding(coder: str, status: str) -> NewCoding:
        return NewCoding(source.id, start, end, sub, coder, "rule" if status == "suggested"
                         else "manual", status, "", "")

    with study.store.atomic():
        (suggested,) = record_codings(study.store, [coding("rules", "suggested")])
        assert suggested is not None
        # a second suggestion, or the same coder's again, is already there
        assert record_codings(study.store, [coding("rules", "suggested")]) == [None]
        # a coder accepting the span takes over the suggestion's row
        assert record_codings(study.store, [coding("ann", "accepted")]) == [suggested]
        # another coder's accepted coding is their own row, once however often it is given
        bo, twice = record_codings(study.store, [coding("bo", "accepted")] * 2)
        assert bo not in (None, suggested) and twice is None
    rows = [(c.coder, c.status) for c in study.store.source_codings(source.id)
            if (c.start, c.end, c.subtopic) == (start, end, "2.1")]
    assert sorted(rows) == [("ann", "accepted"), ("bo", "accepted")]


def test_codings_record_coder_time_and_origin(study: fq.Study, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    gitconfig = tmp_path / "gitconfig"
    subprocess.run(["git", "config", "--file", str(gitconfig), "user.name", "Git Person"],
                   check=True)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("FQDA_CODER", raising=False)
    study.code(["P2:2"], ["1.1"])
    monkeypatch.setenv("FQDA_CODER", "env coder")
    study.code(["P2:4"], ["1.1"])
    study.code(["P3:2"], ["1.1"], coder="flag coder")
    mine = {study.store.segments(c.source_id)[0].case_id + f"@{c.start}": c
            for c in study.store.codings() if c.subtopic == "1.1" and c.origin == "manual"}
    assert sorted(c.coder for c in mine.values()) == ["Git Person", "env coder", "flag coder"]
    assert all(c.created_at.startswith("20") and c.origin == "manual" for c in mine.values())
    imported = [c for c in study.store.codings() if c.coder == "hb"]
    assert imported and {c.origin for c in imported} == {"import"}


def test_uncode_takes_off_only_what_is_named(study: fq.Study) -> None:
    p2 = study.store.source_by_name("P2")
    assert p2 is not None
    study.code(["P2:2"], ["1.1", "2.2"], coder="mk")
    report = study.uncode(["P2:2"], ["1.1"], coder="mk")
    assert report.removed == 1
    left = sorted(c.subtopic for c in study.store.codings() if c.source_id == p2.id)
    assert left == ["1.2", "2.2", "2.2"]  # 1.2 (P2:2) and 2.2 (P2:4) came from codings.csv
    everyone = study.uncode(["P2:1-4"], every=True, all_coders=True)
    assert everyone.removed == 3 and everyone.removed_by == {"hb": 2, "mk": 1}
    assert [c for c in study.store.codings() if c.source_id == p2.id] == []
    assert len(study.store.codings()) == 6  # the other cases keep theirs


def test_uncode_where_nothing_is_coded_changes_nothing(study: fq.Study) -> None:
    before = snapshot(study)
    with pytest.raises(UnknownReference, match="nothing was removed: P1:3 is not coded to 1.1"):
        study.uncode(["P1:2", "P1:3"], ["1.1"], coder="hb")
    assert snapshot(study) == before


def test_uncode_a_quote_and_a_sentence(study: fq.Study) -> None:
    study.code(["P3"], ["2.2"], coder="mk", quote="Enough staff.")
    study.code(["P3:4.2"], ["2.2"], coder="mk")
    assert study.uncode(["P3"], ["2.2"], quote="Enough staff.", coder="mk").removed == 1
    assert study.uncode(["P3:4.2"], ["2.2"], coder="mk").removed == 1
    assert quotes(study, "2.2", "P3") == []


def test_code_and_uncode_from_the_command_line(study: fq.Study) -> None:
    root = str(study.root)
    code, out, _ = fqda("code", "P1:3", "2.2", "1.2", "--memo", "asks about time",
                        "--study", root)
    assert (code, out.strip()) == (0, "2 coding(s) added, 0 already there (P1:3)")
    code, out, _ = fqda("code", "P3", "--quote", "A proper conversation", "1.2", "--study", root)
    assert out.strip() == "1 coding(s) added, 0 already there (P3:2@43-64)"
    code, _, err = fqda("code", "P1:9", "2.2", "--study", root)
    assert code == 1 and "P1 has segments 1 to 4" in err
    code, out, _ = fqda("uncode", "P1:3", "2.2", "1.2", "--study", root)
    assert (code, out.strip()) == (0, "2 coding(s) removed (P1:3)")
    code, _, err = fqda("uncode", "P1:3", "--study", root)
    assert code == 1 and "name at least one sub-topic" in err


# -- bulk import and export ---------------------------------------------------
def test_import_by_sentence_lines_and_quote(study: fq.Study, tmp_path: Path) -> None:
    table = tmp_path / "more.csv"
    table.write_text("case,segment,quote,subtopic,coder,memo\n"
                     "P1,2.1,,2.2,mk,\n"
                     "P2,L3-5,,2.2,mk,two turns\n"
                     "P3,,the first thing cut,2.2,mk,\n", encoding="utf-8")
    dry = study.import_codings(table, dry_run=True)
    assert (dry.added, dry.existing, dry.refs) == (4, 0, ["P1:2.1", "P2:2", "P2:3",
                                                          "P3:4@161-180"])
    assert study.store.coding_count() == 8  # a dry run changes nothing
    report = study.import_codings(table)
    assert (report.added, report.existing) == (4, 0)
    assert ("P3:4", "the first thing cut") in quotes(study, "2.2", "P3")
    assert {c.origin for c in study.store.codings() if c.coder == "mk"} == {"import"}
    again = study.import_codings(table, dry_run=True)
    assert (again.added, again.existing) == (0, 4)


def test_import_is_all_or_nothing_with_every_problem_listed(study: fq.Study,
                                                            tmp_path: Path) -> None:
    before = snapshot(study)
    table = tmp_path / "bad.csv"
    table.write_text("case,segment,start,end,quote,subtopic\n"
                     "P1,4,,,,2.2\n"
                     "P2,,,,no such words,2.2\n"
                     "P1,,137,178,,1.1\n"
                     "P3,,,,,2.2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        study.import_codings(table)
    assert info.value.problems == [
        f"{table}:3: the quote is not in P2; check the words (case and punctuation count) "
        "or find them with `fqda show`",
        f"{table}:4: P1:2@137-178 partly overlaps P1:2, already coded to 1.1; "
        "remove that first (`fqda uncode P1:2 1.1`) or code the whole stretch once",
        f"{table}:5: say where: fill segment, start and end, or quote",
    ]
    assert snapshot(study) == before


def test_export_then_import_into_a_fresh_study_gives_the_same_codings(
        study: fq.Study, study_dir: Path, tmp_path: Path) -> None:
    study.code(["P1:2.2"], ["2.2"], coder="mk", memo="sentence")
    study.code(["P2"], ["2.1"], coder="mk", quote="people just want to go home")
    exported = tmp_path / "codings.csv"
    code, out, _ = fqda("codings", "export", "-o", str(exported), "--study", str(study.root))
    assert out.strip() == f"10 coding(s) written to {exported}"
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "case,source,start,end,subtopic,coder,memo,ref"
    assert any(line.startswith("P1,P1.txt,") and line.endswith(",2.2,mk,sentence,P1:2.2")
               for line in lines)
    assert any(line.startswith("P2,P2.txt,") and ",2.1,mk,,P2:" in line and "@" in line
               for line in lines)

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for name in ("cases.csv", "fqda.yaml", "codebooks", "transcripts"):
        src = study_dir / name
        if src.is_dir():
            (fresh / name).mkdir()
            for f in src.iterdir():
                (fresh / name / f.name).write_bytes(f.read_bytes())
        else:
            (fresh / name).write_bytes(src.read_bytes())
    with fq.open_study(fresh) as other:
        other.run()  # no codings.csv: nothing coded yet
        assert other.store.coding_count() == 0
    code, out, err = fqda("codings", "import", str(exported), "--dry-run", "--study", str(fresh))
    assert (code, out.strip()) == (0, "would import 10 coding(s); nothing changed")
    code, out, _ = fqda("codings", "import", str(exported), "--study", str(fresh))
    assert out.strip() == "10 coding(s) imported, 0 already there"
    with fq.open_study(fresh) as other:
        theirs = sorted((c.start, c.end, c.subtopic, c.coder, c.memo)
                        for c in other.store.codings())
    ours = sorted((c.start, c.end, c.subtopic, c.coder, c.memo) for c in study.store.codings())
    assert theirs == ours
