"""Several coders on one study: merging copies, agreement from CLI and API, blinding,
disagreements and the consensus layer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from framework_qda.errors import FqdaError

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _copy_example(target: Path) -> Path:
    target.mkdir()
    for name in ("transcripts", "codebooks"):
        shutil.copytree(REPO / name, target / name)
    for name in ("cases.csv", "codings.csv", "fqda.yaml"):
        shutil.copy(REPO / name, target / name)
    return target


def test_two_coders_in_two_copies_merged_give_the_same_figures_from_cli_and_api(
        tmp_path: Path) -> None:
    a_dir, b_dir = _copy_example(tmp_path / "a"), _copy_example(tmp_path / "b")
    with fq.open_study(a_dir) as a:
        a.run()
    with fq.open_study(b_dir) as b:
        b.run()
        # mk double-codes P1 in her copy: agrees with hb on P1:4 and P1:6, not on P1:8
        b.code(["P1:4"], ["1.1"], coder="mk")
        b.code(["P1:6"], ["1.2"], coder="mk")
        b.code(["P1:12"], ["1.2"], coder="mk")
    with fq.open_study(a_dir) as a:
        first = a.merge(b_dir)
        assert first.codings_added == 3  # hb's and jk's codings are in both copies
        assert first.codings_present == 257
        assert "mk" in first.coders and first.unmatched == []
        again = a.merge(b_dir)
        assert (again.codings_added, again.codings_present) == (0, 260)
        api = a.agreement(coders=["hb", "mk"], theme="1")
    result = runner.invoke(app, ["agreement", "--coders", "hb,mk", "--theme", "1",
                                 "--format", "json", "--study", str(a_dir)])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    overall = next(r for r in cli["figures"] if r["level"] == "segment"
                   and r["subtopic"] == "overall")
    assert overall["items"] == api.overall.items
    assert overall["kappa"] == pytest.approx(api.overall.kappa.value, abs=1e-6)
    assert overall["alpha"] == pytest.approx(api.overall.alpha.value, abs=1e-6)
    assert overall["percent"] == pytest.approx(api.overall.percent.value, abs=1e-6)
    frame = api.to_frame()
    row = frame[(frame.level == "text") & (frame.subtopic == "1.2")].iloc[0]
    # 1.2 in hb's and mk's P1 and the rest of hb's theme-1 units: mk coded P1:6 (agree)
    # and P1:12 (hb did not); hb coded P1:8 (mk did not), and 1.2 elsewhere
    assert row["coded_by_mk"] == 2
    assert cli["units_counted"].startswith("units that at least one compared coder coded")


def test_a_source_whose_text_differs_and_an_unknown_subtopic_are_reported(
        tmp_path: Path) -> None:
    a_dir, b_dir = _copy_example(tmp_path / "a"), _copy_example(tmp_path / "b")
    with (b_dir / "transcripts" / "P14.txt").open("a", encoding="utf-8") as f:
        f.write("\nInterviewer: One more thing we added in this copy.\n")
    with fq.open_study(a_dir) as a:
        a.run()
    with fq.open_study(b_dir) as b:
        b.run()
    table = tmp_path / "mk.csv"
    table.write_text("case,segment,subtopic\nP1,4,1.1\nP1,4,9.9\n", encoding="utf-8")
    with fq.open_study(a_dir) as a:
        report = a.merge(b_dir)
        assert any(u.startswith("source P14.txt: its text differs") for u in report.unmatched)
        assert report.codings_added == 0
        csv_report = a.merge(table, coder="mk")
        assert csv_report.codings_added == 1
        assert csv_report.unmatched == [
            "mk.csv:3: sub-topic 9.9 is not in this study's framework"]


def test_blinding_shows_a_coder_only_their_own_layer(study: fq.Study,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    study.code(["P1:4"], ["1.1"], coder="mk")  # hb coded P1:2 to 1.1 (codings.csv)
    both = sorted(e.ref for e in study.cells(["1.1"])[("P1", "1.1")].evidence)
    assert both == ["P1:2", "P1:4"]
    study.blind(True, coder="mk")
    monkeypatch.setenv("FQDA_CODER", "mk")
    with fq.open_study(study.root) as mine:
        assert [e.ref for e in mine.cells(["1.1"])[("P1", "1.1")].evidence] == ["P1:4"]
        assert [e.coder for e in mine.evidence()] == ["mk"]
        with pytest.raises(FqdaError, match="blinding is on for mk"):
            mine.disagreements()
        mine.blind(False)
    with fq.open_study(study.root) as mine:
        assert sorted(e.ref for e in mine.cells(["1.1"])[("P1", "1.1")].evidence) == both


def test_resolve_records_the_consensus_and_keeps_both_originals(study: fq.Study) -> None:
    study.code(["P1:4"], ["1.1"], coder="mk")
    found = study.disagreements(coders=["hb", "mk"], theme="1")
    rows = {(d.ref, d.subtopic): d for d in found.rows}
    assert rows[("P1:2", "1.1")].coded_by == ("hb",)
    assert rows[("P1:4", "1.1")].not_coded_by == ("hb",)
    assert rows[("P1:2", "1.1")].definition  # the sub-topic's definition rides along
    study.resolve("P1:2", "1.1", "hb")
    study.resolve("P1:4", "1.1", "none")
    after = {(d.ref, d.subtopic): d.consensus
             for d in study.disagreements(coders=["hb", "mk"], theme="1").rows}
    assert after[("P1:2", "1.1")] == "coded"
    assert after[("P1:4", "1.1")] == "not coded"
    layers = {(e.ref, e.coder) for e in study.evidence() if e.subtopic == "1.1"}
    assert {("P1:2", "hb"), ("P1:4", "mk"), ("P1:2", "consensus")} <= layers
    assert ("P1:4", "consensus") not in layers  # agreed not coded: not evidence
    assert study.history(limit=1)[0].command.startswith("resolve P1:4 1.1")
    # the consensus layer is left out of agreement unless named
    assert study.agreement().coders == ("hb", "jk", "mk")  # not "consensus"



def _status(study: fq.Study, ref: str, code: str) -> dict[str, str]:
    """Each coder's status of their coding of ``code`` at a segment ref."""
    name, number = ref.split(":")
    source = study.store.source_by_name(name)
    assert source is not None
    seg = study.store.segments(source.id, int(number), int(number))[0]
    return {c.coder: c.status for c in study.store.codings(status=None)
            if c.source_id == source.id and c.subtopic == code
            and (c.start, c.end) == (seg.start, seg.end)}


def test_uncode_takes_off_one_layer_and_never_another_coders_unasked(
        study: fq.Study, monkeypatch: pytest.MonkeyPatch) -> None:
    # hb coded P1:2 to 1.1 (codings.csv); mk codes the same passage
    study.code(["P1:2"], ["1.1"], coder="mk")
    monkeypatch.setenv("FQDA_CODER", "mk")
    with fq.open_study(study.root) as mine:
        report = mine.uncode(["P1:2"], ["1.1"])
        assert (report.removed_by, report.kept_by) == ({"mk": 1}, {"hb": 1})
        assert _status(mine, "P1:2", "1.1") == {"hb": "accepted", "mk": "rejected"}
        # mk has nothing left there: hb's coding is not taken in its place
        with pytest.raises(FqdaError, match="not coded to 1.1 by mk; it is coded there by "
                                            "hb: say whose with --coder NAME, or --all-coders"):
            mine.uncode(["P1:2"], ["1.1"])
        assert _status(mine, "P1:2", "1.1")["hb"] == "accepted"
        # the consensus layer is uncoded like any other, by name
        mine.code(["P1:2"], ["1.1"], coder="mk")
        mine.resolve("P1:2", "1.1", "hb")
        gone = mine.uncode(["P1:2"], ["1.1"], coder="consensus")
        assert (gone.removed_by, gone.kept_by) == ({"consensus": 1}, {"hb": 1, "mk": 1})
        rows = {(d.ref, d.subtopic): d for d in mine.disagreements(["hb", "mk"]).rows}
        assert ("P1:2", "1.1") not in rows  # hb and mk agree there again
        with pytest.raises(FqdaError, match="--coder NAME or --all-coders, not both"):
            mine.uncode(["P1:2"], ["1.1"], coder="hb", all_coders=True)
        everyone = mine.uncode(["P1:2"], ["1.1"], all_coders=True)
        assert everyone.removed_by == {"hb": 1, "mk": 1}
        mine.code(["P1:2"], ["1.1"], coder="mk")
        mine.blind(True)
    with fq.open_study(study.root) as blind, pytest.raises(
            FqdaError, match="blinding is on for mk: uncode reaches only"):
        blind.uncode(["P1:2"], ["1.1"], all_coders=True)
    result = runner.invoke(app, ["uncode", "P1:2", "1.1", "--coder", "mk", "--study",
                                 str(study.root)], env={"FQDA_CODER": "hb"})
    assert result.exit_code == 0, result.output
    # hb took mk's coding off: the output says whose it was
    assert result.output.splitlines() == ["1 coding(s) removed (P1:2)", "removed: 1 by mk"]


def test_cells_where_coders_differ_on_evidence_are_listed_and_marked_in_the_matrix(
        study: fq.Study) -> None:
    # hb coded P1:2 1.1, P1:4 2.1, P2:2 1.2, P2:4 2.2 (codings.csv); mk double-codes:
    study.code(["P1:2"], ["1.1"], coder="mk")  # the same passage: the cells agree
    study.code(["P1:3"], ["2.1"], coder="mk")  # another passage of the same cell
    study.code(["P3:2"], ["1.1"], coder="mk")  # cells hb found no evidence for
    study.code(["P10:4"], ["1.2"], coder="mk")
    passages = {(d.ref, d.subtopic) for d in study.disagreements(["hb", "mk"]).rows}
    assert {("P1:3", "2.1"), ("P1:4", "2.1")} <= passages  # they differ on the passage ...
    cells = study.cell_disagreements(["hb", "mk"])
    found = [(d.case_id, d.subtopic, d.coded_by, d.not_coded_by) for d in cells.rows]
    # ... but both found evidence of 2.1 in P1, so that cell is no disagreement;
    # rows come in matrix order (Managers P1, P2, then Nurses P3, P10), then codebook order
    assert [c.id for c in study.cases()] == ["P1", "P2", "P3", "P10"]
    assert found == [("P2", "1.2", ("hb",), ("mk",)), ("P2", "2.2", ("hb",), ("mk",)),
                     ("P3", "1.1", ("mk",), ("hb",)), ("P10", "1.2", ("mk",), ("hb",))]
    p3 = cells.rows[2]
    assert p3.refs == (("mk", ("P3:2",)),) and p3.definition and p3.consensus == ""
    assert [(d.case_id, d.subtopic) for d in study.cell_disagreements(
        ["hb", "mk"], theme="2").rows] == [("P2", "2.2")]
    study.resolve("P3:2", "1.1", "none")
    assert study.cell_disagreements(["hb", "mk"]).rows[2].consensus == "not coded"
    root = str(study.root)
    result = runner.invoke(app, ["disagreements", "--cells", "--coders", "hb,mk", "--theme",
                                 "1", "--format", "csv", "--study", root])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "case,group,subtopic,label,coded by,not by,evidence,definition,consensus"
    fields = [ln.split(",") for ln in lines[1:]]
    assert [(f[0], f[1], f[2], f[4], f[5], f[6]) for f in fields] == [
        ("P2", "Managers", "1.2", "hb", "mk", "hb P2:2"),
        ("P3", "Nurses", "1.1", "mk", "hb", "mk P3:2"),
        ("P10", "Nurses", "1.2", "mk", "hb", "mk P10:4")]
    assert fields[1][-1] == "not coded"
    result = runner.invoke(app, ["matrix", "1", "--coders", "hb,mk", "--format", "json",
                                 "--study", root])
    assert result.exit_code == 0, result.output
    rows = {r["case"]: r for r in json.loads(result.output)}
    assert rows["P3"]["1.1 coders"] == "[coded by mk, not hb; consensus: not coded]"
    assert rows["P2"]["1.2 coders"] == "[coded by hb, not mk]"
    assert rows["P1"]["1.1 coders"] == ""
    table = runner.invoke(app, ["matrix", "1", "--disagreements", "--coders", "hb,mk",
                                "--study", root], env={"COLUMNS": "240"})
    p2 = next(ln for ln in table.output.splitlines() if "P2" in ln)
    assert "[coded by hb, not mk]" in p2


def _fixture_copy(target: Path) -> Path:
    shutil.copytree(REPO / "tests" / "data" / "study", target)
    return target


def test_two_coders_summaries_of_one_cell_are_both_kept_and_one_is_settled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a_dir, b_dir = _fixture_copy(tmp_path / "a"), _fixture_copy(tmp_path / "b")
    with fq.open_study(a_dir) as a:
        a.run()
        a.set_summary("P1", "1.1", "Talks it through in meetings [P1:2]", author="hb")
    with fq.open_study(b_dir) as b:
        b.run()
        b.set_summary("P1", "1.1", "Prefers to put it in writing [P1:2]", author="jk")
        b.set_summary("P2", "1.2", "Worries about money [P2:2]", author="jk")
    with fq.open_study(a_dir) as a:
        report = a.merge(b_dir)
        # jk's P2 summary fills an empty cell; their P1 one goes beside hb's, not over it
        assert (report.summaries_added, report.summaries_beside) == (1, 1)
        assert report.unmatched == []
        assert a.matrix("1").cell("P1", "1.1").summary == "Talks it through in meetings [P1:2]"
        again = a.merge(b_dir)
        assert (again.summaries_added, again.summaries_beside, again.summaries_present) == (
            0, 0, 2)
        (cell,) = a.summary_versions("P1", "1.1")
        assert [(v.coder, v.shown, v.text) for v in cell.versions] == [
            ("hb", True, "Talks it through in meetings [P1:2]"),
            ("jk", False, "Prefers to put it in writing [P1:2]")]
        assert f"merged from {b_dir}" in cell.versions[1].provenance and cell.differ
        # without a cell: only the cells that have a coder's version beside their own
        assert [(c.case_id, c.subtopic) for c in a.summary_versions()] == [("P1", "1.1")]
        a.blind(True, coder="jk")
    monkeypatch.setenv("FQDA_CODER", "jk")
    with fq.open_study(a_dir) as mine:  # blind jk sees their own summary in the matrix
        assert mine.matrix("1").cell("P1", "1.1").summary == (
            "Prefers to put it in writing [P1:2]")
        with pytest.raises(FqdaError, match="blinding is on for jk"):
            mine.summary_versions("P1", "1.1")
        mine.blind(False)
    monkeypatch.setenv("FQDA_CODER", "ann")
    with fq.open_study(a_dir) as a:
        with pytest.raises(FqdaError, match="mk has no summary of P1 × 1.1; keep one of hb, jk"):
            a.resolve_summary("P1", "1.1", keep="mk")
        settled = a.resolve_summary("P1", "1.1", keep="jk")
        assert [(v.coder, v.shown) for v in settled.versions] == [
            ("consensus", True), ("hb", False), ("jk", False)]
        assert "replaced by the consensus" in settled.versions[1].provenance
        assert a.matrix("1").cell("P1", "1.1").summary == "Prefers to put it in writing [P1:2]"
        assert a.history(limit=1)[0].command.startswith("resolve P1 1.1 --summary")
        agreed = a.resolve_summary("P1", "1.1", text="n/a: not asked in this interview")
        assert a.matrix("1").cell("P1", "1.1").state == "not-applicable"
        assert [v.coder for v in agreed.versions] == ["consensus", "hb", "jk"]
        a.undo()  # the history holds the versions too
        assert a.matrix("1").cell("P1", "1.1").summary == "Prefers to put it in writing [P1:2]"
        # a person's summary written over with --replace is kept as its coder's version
        a.set_summary("P2", "1.2", "Money is tight [P2:2]", author="ann", replace=True)
        (p2,) = a.summary_versions("P2", "1.2")
        assert [(v.coder, v.text) for v in p2.versions] == [
            ("ann", "Money is tight [P2:2]"), ("jk", "Worries about money [P2:2]")]
        assert p2.versions[1].provenance.endswith("replaced by ann")
    result = runner.invoke(app, ["chart", "versions", "P1", "1.1", "--format", "csv",
                                 "--study", str(a_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "case,subtopic,coder,shown,state,summary,provenance"
    assert [ln.split(",")[:4] for ln in lines[1:]] == [
        ["P1", "1.1", "consensus", "yes"], ["P1", "1.1", "hb", ""], ["P1", "1.1", "jk", ""]]
    result = runner.invoke(app, ["resolve", "P1", "1.1", "--summary", "--keep", "hb",
                                 "--study", str(a_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "consensus summary for P1 × 1.1: kept hb's (2 coder version(s) kept)",
        "Talks it through in meetings [P1:2]"]


def test_a_subtopic_moved_on_one_side_is_matched_by_guid_and_reported(tmp_path: Path) -> None:
    a_dir = _fixture_copy(tmp_path / "a")
    with fq.open_study(a_dir) as a:
        a.run()
        label = a.codebook.subtopic("1.2").label
    b_dir = tmp_path / "b"
    shutil.copytree(a_dir, b_dir)  # a copied folder: the same store, the same GUIDs
    with fq.open_study(b_dir) as b:
        b.move_subtopic("1.2", "2")  # 1.2 is 2.3 in jk's copy (the same GUID)
        b.code(["P1:3"], ["2.3"], coder="mk")
    with fq.open_study(a_dir) as a:
        report = a.merge(b_dir)
        # hb's P2:2 and jk's P3:2 (both already here) and mk's new P1:3
        assert report.renamed == [f"sub-topic 2.3 {label!r} in the copy is 1.2 {label!r} here "
                                  "(the same GUID): 3 coding(s) or summaries merged into 1.2"]
        assert report.codings_added == 1 and report.unmatched == []
        assert ("P1:3", "mk") in {(e.ref, e.coder) for e in a.evidence() if e.subtopic == "1.2"}
    result = runner.invoke(app, ["merge", str(b_dir), "--study", str(a_dir)])
    assert result.exit_code == 0, result.output
    assert "matched under another name (1):" in result.output



def test_a_subtopic_of_another_code_is_not_guessed_but_its_namesake_is_named(
        tmp_path: Path) -> None:
    # two copies that each imported the codebook (no GUIDs in the file: each made its own)
    a_dir, b_dir = _fixture_copy(tmp_path / "a"), _fixture_copy(tmp_path / "b")
    with fq.open_study(a_dir) as a:
        a.run()
    with fq.open_study(b_dir) as b:
        b.run()
        b.move_subtopic("1.2", "2")
    with fq.open_study(a_dir) as a:
        report = a.merge(b_dir)
    assert report.unmatched == [
        "sub-topic 2.3 is not in this study's framework (by GUID or code): 2 coding(s) or "
        "summaries not merged; 1.2 here has the same label (renamed on one side? make the "
        "codes agree, then merge again)"]


def test_the_same_summary_in_both_copies_is_no_second_version(tmp_path: Path) -> None:
    a_dir, b_dir = _fixture_copy(tmp_path / "a"), _fixture_copy(tmp_path / "b")
    for folder, who in ((a_dir, "hb"), (b_dir, "jk")):  # each imports the same words
        with fq.open_study(folder) as s:
            s.run()
            s.set_summary("P1", "1.1", "Talks it through in meetings [P1:2]", author=who)
    with fq.open_study(a_dir) as a:
        report = a.merge(b_dir)
        assert (report.summaries_present, report.summaries_beside) == (1, 0)
        assert a.summary_versions() == []
