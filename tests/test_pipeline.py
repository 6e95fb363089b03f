"""The Framework pipeline through the library: framework, indexing, matrices, queries."""

from __future__ import annotations

from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import ConflictError, UnknownReference, ValidationError
from framework_qda.model import Case, natural_key, order_cases
from tests.conftest import snapshot


def test_rows_are_ordered_by_declared_group_then_natural_case_id(study: fq.Study) -> None:
    m = study.matrix("1")
    assert [(c.group, c.id) for c in m.cases] == [
        ("Managers", "P1"), ("Managers", "P2"), ("Nurses", "P3"), ("Nurses", "P10")]


def test_columns_are_the_themes_subtopics_in_codebook_order(study: fq.Study) -> None:
    assert [s.heading for s in study.matrix("2").subtopics] == ["2.1 Staffing", "2.2 Time"]
    assert list(study.matrix("1").to_frame().columns) == [
        "1.1 Handover notes", "1.2 Talking in person"]


def test_natural_order_and_attribute_order() -> None:
    assert sorted(["P10", "P2", "P1"], key=natural_key) == ["P1", "P2", "P10"]
    # ids of letters then a number take a shorter way to the same key
    ids = ["P00010", "p2", "Ward_7", "Ärztin 3", "P7a", "12", "P" + "9" * 31, "P²3", "ß2"]
    assert [natural_key(i) for i in ids] == [
        ((1, "p"), (0, 10)), ((1, "p"), (0, 2)), ((1, "ward_"), (0, 7)),
        ((1, "ärztin "), (0, 3)), ((1, "p"), (0, 7), (1, "a")), ((0, 12),),
        ((1, "p"), (0, 10 ** 31 + 31)), ((1, "p²"), (0, 3)), ((1, "ss"), (0, 2))]
    cases = [Case("P3", "B", (("area", "Urban"),)), Case("P2", "A", (("area", "Urban"),)),
             Case("P10", "A", (("area", "Rural"),))]
    assert [c.id for c in order_cases(cases, ["A", "B"], ["area"])] == ["P10", "P2", "P3"]
    # Undeclared groups follow in order of first appearance.
    assert [c.id for c in order_cases(cases, ["B"])] == ["P3", "P2", "P10"]
    # ids of letters then a number sort by a shorter key, in the same order (ties
    # keep the file's order, as a stable sort does)
    many = [Case(i, g) for i, g in [("P10", "A"), ("p2", "B"), ("P01", "A"), ("P1", "A"),
                                      ("Q3", "A"), ("p10", "B")]]
    assert [c.id for c in order_cases(many)] == ["P01", "P1", "P10", "Q3", "p2", "p10"]
    assert [c.id for c in order_cases([*many, Case("P7a", "B")])] == [
        "P01", "P1", "P10", "Q3", "p2", "P7a", "p10"]


def test_cells_hold_the_verbatim_evidence_with_refs(study: fq.Study) -> None:
    cell = study.matrix("2").cell("P10", "2.1")
    assert cell.state == "coded"
    assert [(e.ref, e.text) for e in cell.evidence] == [
        ("P10:4", "Too few of us. Staffing is the whole story.")]
    assert study.matrix("2").cell("P2", "2.1").state == "empty"


def test_the_same_cell_appears_in_every_matrix(study: fq.Study) -> None:
    # A cell is (case, sub-topic): a summary written once shows wherever it appears.
    study.set_summary("P2", "2.2", "Shift overruns eat handover time [P2:4]")
    assert study.matrix("2").cell("P2", "2.2").summary.startswith("Shift overruns")
    assert study.case_profile("P2").themes[1][1][1].state == "summarised"


def test_dataframe_is_indexed_by_group_and_case(study: fq.Study) -> None:
    df = study.matrix("2").to_frame()
    assert list(df.index) == [("Managers", "P1"), ("Managers", "P2"), ("Nurses", "P3"),
                              ("Nurses", "P10")]
    assert df.loc[("Nurses", "P3"), "2.1 Staffing"] == (
        "“Enough staff. When we are short, handover is the first thing cut.” [P3:4]")
    counts = study.matrix("2").to_frame("count")
    assert counts["2.1 Staffing"].tolist() == [1, 0, 1, 1]


def test_coding_a_range_codes_each_segment(study: fq.Study) -> None:
    report = study.code(["P2:1-2"], ["1.1", "2.2"], coder="mk")
    assert report.added == 4 and report.refs == ["P2:1", "P2:2"]
    again = study.code(["P2:2"], ["1.1"], coder="mk")
    assert (again.added, again.existing) == (0, 1)
    assert [e.ref for e in study.matrix("1").cell("P2", "1.1").evidence] == ["P2:1", "P2:2"]


@pytest.mark.parametrize(("refs", "subs", "message"), [
    (["P9:2"], ["1.1"], "no case or source called P9"),
    (["P1:99"], ["1.1"], "P1 has segments 1 to 4"),
    (["P1:2"], ["7.7"], "unknown sub-topic 7.7"),
    (["P1-2"], ["1.1"], "is not a segment reference"),
    (["P1:4-2"], ["1.1"], "the range runs backwards"),
])
def test_bad_coding_changes_nothing(study: fq.Study, refs: list[str], subs: list[str],
                                    message: str) -> None:
    before = snapshot(study)
    with pytest.raises(UnknownReference, match=message):
        study.code(refs, subs, coder="mk")
    assert snapshot(study) == before


def test_import_by_offsets_and_export_round_trip(study: fq.Study, tmp_path: Path) -> None:
    source = study.store.source_by_name("P2")
    assert source is not None
    start = source.text.index("You catch things")
    end = start + len("You catch things a note never says.")
    (tmp_path / "more.csv").write_text(
        f"case,start,end,subtopic,coder,memo\nP2,{start},{end},1.2,mk,\"notes miss, things\"\n")
    assert study.import_codings(tmp_path / "more.csv").added == 1
    quotes = [q.text for q in study.quotes("1.2") if q.case_id == "P2"]
    assert "You catch things a note never says." in quotes

    exported = tmp_path / "codings.csv"
    assert study.export_codings(exported) == 9
    with fq.open_study(study.root) as _:
        pass
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    for name in ("cases.csv", "fqda.yaml"):
        (fresh_dir / name).write_bytes((study.root / name).read_bytes())
    (fresh_dir / "codebooks").mkdir()
    (fresh_dir / "codebooks" / "framework.yaml").write_bytes(
        (study.root / "codebooks" / "framework.yaml").read_bytes())
    (fresh_dir / "transcripts").mkdir()
    for p in (study.root / "transcripts").iterdir():
        (fresh_dir / "transcripts" / p.name).write_bytes(p.read_bytes())
    (fresh_dir / "codings.csv").write_bytes(exported.read_bytes())
    with fq.open_study(fresh_dir) as fresh:
        fresh.run()
        theirs = [(c.start, c.end, c.subtopic, c.coder, c.memo) for c in fresh.store.codings()]
    ours = [(c.start, c.end, c.subtopic, c.coder, c.memo) for c in study.store.codings()]
    assert sorted(theirs) == sorted(ours)


def test_codings_import_is_all_or_nothing(study: fq.Study, tmp_path: Path) -> None:
    before = snapshot(study)
    bad = tmp_path / "bad.csv"
    bad.write_text("case,segment,subtopic\nP1,2,1.2\nP42,2,1.1\nP1,2,9.9\nP1,77,1.1\n")
    with pytest.raises(ValidationError) as info:
        study.import_codings(bad)
    assert info.value.problems == [
        f"{bad}:3: no case or source called P42; `fqda status` lists the cases",
        f"{bad}:4: unknown sub-topic 9.9",
        f"{bad}:5: P1:77: P1 has segments 1 to 4; `fqda show P1` lists them",
    ]
    assert snapshot(study) == before


def test_dry_run_reports_and_changes_nothing(study: fq.Study, tmp_path: Path) -> None:
    before = snapshot(study)
    (tmp_path / "c.csv").write_text("case,segment,subtopic\nP1,2-4,1.2\n")
    report = study.import_codings(tmp_path / "c.csv", dry_run=True)
    assert report.added == 3 and report.refs == ["P1:2", "P1:3", "P1:4"]
    assert snapshot(study) == before


def test_offsets_past_the_end_are_refused(study: fq.Study, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("case,start,end,subtopic\nP1,10,99999,1.2\n")
    with pytest.raises(ValidationError, match="fall outside P1"):
        study.import_codings(tmp_path / "c.csv")


def test_codebook_problems_are_reported_together(study: fq.Study, tmp_path: Path) -> None:
    before = snapshot(study)
    book = tmp_path / "bad.yaml"
    book.write_text('themes:\n  - code: "1"\n    label: One\n    subtopics:\n'
                    '      - {code: "1.1", label: A}\n      - {code: "1.1", label: B}\n'
                    '      - {code: "1.2", label: ""}\n')
    with pytest.raises(ValidationError) as info:
        study.import_codebook(book)
    assert f"{book}:6: duplicate sub-topic code 1.1 (first on line 5)" in info.value.problems
    assert f"{book}:7: sub-topic 1.2 has an empty label" in info.value.problems
    assert snapshot(study) == before


def test_reimported_codebook_keeps_codings_by_code(study: fq.Study, tmp_path: Path) -> None:
    book = study.root / "codebooks" / "framework.yaml"
    book.write_text(book.read_text().replace("label: Staffing", "label: Short staffing"))
    changes = study.import_codebook(book)
    assert changes.changed == ("2.1",)
    assert study.matrix("2").subtopics[0].heading == "2.1 Short staffing"
    assert len(study.matrix("2").cell("P10", "2.1").evidence) == 1


def test_codebook_that_drops_a_coded_subtopic_is_refused(study: fq.Study,
                                                         tmp_path: Path) -> None:
    before = snapshot(study)
    book = tmp_path / "smaller.yaml"
    book.write_text('themes:\n  - code: "1"\n    label: Communication\n    subtopics:\n'
                    '      - {code: "1.1", label: Handover notes}\n')
    with pytest.raises(ConflictError, match="1.2, 2.1, 2.2"):
        study.import_codebook(book)
    assert snapshot(study) == before


def test_within_case_reads_the_whole_row(study: fq.Study) -> None:
    profile = study.case_profile("P1")
    assert [t.code for t, _ in profile.themes] == ["1", "2"]
    assert [(c.subtopic, c.state) for _, cells in profile.themes for c in cells] == [
        ("1.1", "coded"), ("1.2", "empty"), ("2.1", "coded"), ("2.2", "empty")]


def test_within_theme_groups_cases_and_counts_them(study: fq.Study) -> None:
    view = study.theme_view("2", subtopic="2.1")
    [(sub, groups)] = view.subtopics
    assert sub.code == "2.1"
    assert [(g.name, g.with_evidence, g.cases, [c.case_id for c in g.cells]) for g in groups] == [
        ("Managers", 1, 2, ["P1"]), ("Nurses", 2, 2, ["P3", "P10"])]
    by_area = study.theme_view("2", by="area", subtopic="2.1").subtopics[0][1]
    assert [(g.name, g.with_evidence) for g in by_area] == [("Rural", 2), ("Urban", 1)]


def test_quotes_are_verbatim_and_attributed(study: fq.Study) -> None:
    quotes = study.quotes("2.1", groups=["nurses"])
    assert [(q.text, q.attribution, q.ref) for q in quotes] == [
        ("Enough staff. When we are short, handover is the first thing cut.", "— Nurses, P3",
         "P3:4"),
        ("Too few of us. Staffing is the whole story.", "— Nurses, P10", "P10:4"),
    ]
    assert [q.ref for q in study.quotes("2.1", where={"area": "Rural"})] == ["P1:4", "P10:4"]
    assert [q.ref for q in study.quotes("2.1", max_words=9)] == ["P1:4", "P10:4"]
    assert [q.ref for q in study.quotes("2", limit=1)] == ["P1:4"]


def test_attribution_template_comes_from_settings(study_dir: Path) -> None:
    (study_dir / "fqda.yaml").write_text("groups: [Managers, Nurses]\n"
                                         "attribution: '({case}, {area} {group})'\n")
    with fq.open_study(study_dir) as s:
        s.run()
        assert s.quotes("1.1")[0].attribution == "(P1, Rural Managers)"


def test_missing_study_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(fq.StudyNotFound, match="run `fqda init`"):
        fq.open_study(tmp_path)


def test_unknown_theme_lists_the_themes(study: fq.Study) -> None:
    with pytest.raises(UnknownReference, match="no theme 9; the themes are 1, 2"):
        study.matrix("9")


def test_tables_keep_quoted_commas_and_doubled_quotes(tmp_path: Path) -> None:
    from framework_qda.tabular import read_table

    path = tmp_path / "s.csv"
    path.write_text('case,subtopic,summary\nP1,1.1,"Says ""people, in the end"" [P1:4, P1:6]"\n')
    [(line, row)] = read_table(path).rows
    assert line == 2
    assert row["summary"] == 'Says "people, in the end" [P1:4, P1:6]'
    semi = tmp_path / "semi.csv"
    semi.write_text("case;group\nP1;Nurses, night shift\n")
    assert read_table(semi).rows[0][1] == {"case": "P1", "group": "Nurses, night shift"}


def test_a_failed_write_leaves_the_old_file_and_no_leftovers(tmp_path: Path) -> None:
    from framework_qda.files import replacing

    target = tmp_path / "codings.csv"
    target.write_text("old contents")
    with pytest.raises(RuntimeError), replacing(target, "the codings") as f:
        f.write(b"half a file")
        raise RuntimeError("interrupted")
    assert [p.name for p in tmp_path.iterdir()] == ["codings.csv"]
    assert target.read_text() == "old contents"
    blocked = tmp_path / "codings.csv" / "inside.csv"  # its folder is a file
    with pytest.raises(fq.FqdaError, match=r"inside.csv: cannot write the codings \("), \
            replacing(blocked, "the codings") as f:
        f.write(b"never")
    assert target.read_text() == "old contents"
