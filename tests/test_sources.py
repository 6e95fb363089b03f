"""One source per file: names, re-ingest, stores of the previous version, refs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import framework_qda as fq
from framework_qda.errors import UnknownReference
from framework_qda.ingest import IngestOptions
from framework_qda.refs import prefixes, source_prefixes
from tests._cli import fqda as run_fqda
from tests.conftest import DATA

CODEBOOK = DATA / "study" / "codebooks" / "framework.yaml"

VTT = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHow are the rotas?\n\n"
       "00:00:03.000 --> 00:00:06.000\nShort, on nights, every week.\n")
SRT = ("1\n00:00:00,500 --> 00:00:02,000\nReady?\n\n"
       "2\n00:00:02,000 --> 00:00:05,000\nYes, the handover sheet works.\n")
SBV = "0:00:00.378,0:00:11.378\nAnd breaks?\n\n0:00:12.000,0:00:13.000\nRare.\n"


def fqda(root: Path, *args: str) -> tuple[int, str, str]:
    return run_fqda(*args, "--study", root)


def new_study(tmp_path: Path, files: dict[str, str]) -> Path:
    root = fq.init_study(tmp_path / "study")
    for name, text in files.items():
        path = root / "transcripts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    with fq.open_study(root) as s:
        s.import_codebook(CODEBOOK)
    return root


def statuses(report: object) -> list[tuple[str, str]]:
    files = report.files  # type: ignore[attr-defined]
    return [(Path(f.path).name, f.status) for f in files]


def make_docx(path: Path, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


# -- one source per file -------------------------------------------------------
def test_subtitles_of_one_stem_are_three_sources_and_stay_unchanged(tmp_path: Path) -> None:
    root = new_study(tmp_path, {"sample.vtt": VTT, "sample.srt": SRT, "sample.sbv": SBV})
    with fq.open_study(root) as s:
        first = s.ingest_files(options=IngestOptions(new_cases=True))
        assert sorted(statuses(first)) == [("sample.sbv", "added"), ("sample.srt", "added"),
                                           ("sample.vtt", "added")]
        assert sorted((x.name, x.case_id) for x in s.store.sources()) == [
            ("sample.sbv", "sample"), ("sample.srt", "sample"), ("sample.vtt", "sample")]
        again = s.ingest()
        assert {status for _, status in statuses(again)} == {"unchanged"}
        # One case, three sources: each is named by its file name with its suffix.
        assert [seg.ref for seg in s.segments("sample.vtt")] == ["sample.vtt:1", "sample.vtt:2"]
        assert s.segments("sample.srt")[1].text == "Yes, the handover sheet works."


def test_docx_beside_txt_of_one_stem_are_two_sources(tmp_path: Path) -> None:
    root = new_study(tmp_path,
                     {"P7.txt": "Interviewer: Hello?\n\nParticipant: Budgets are pooled.\n"})
    make_docx(root / "transcripts" / "P7.docx", ["Interviewer: Again?", "Participant: Grants end."])
    with fq.open_study(root) as s:
        assert sorted(statuses(s.ingest_files(options=IngestOptions(new_cases=True)))) == [
            ("P7.docx", "added"), ("P7.txt", "added")]
        assert {status for _, status in statuses(s.ingest())} == {"unchanged"}
        # Both stems are the case id, so each is named with its suffix.
        assert [seg.ref for seg in s.segments("P7.txt")] == ["P7.txt:1", "P7.txt:2"]
        assert s.segments("P7.txt")[1].text == "Budgets are pooled."
        with pytest.raises(UnknownReference, match=r"\(P7.docx:1, P7.txt:1\)"):
            s.segments("P7")
        assert [(seg.ref, seg.text) for seg in s.segments("P7.docx")] == [
            ("P7.docx:1", "Again?"), ("P7.docx:2", "Grants end.")]


def test_same_name_in_two_sub_folders_are_two_sources_of_one_case(tmp_path: Path) -> None:
    root = new_study(tmp_path, {
        "wave1/P01.txt": "Interviewer: First wave?\n\nParticipant: The rota is thin.\n",
        "wave2/P01.txt": "Interviewer: Second wave?\n\nParticipant: The rota is better.\n",
    })
    code, out, err = fqda(root, "ingest", "--new-cases")
    assert code == 0, err
    assert "2 added, 0 updated, 0 unchanged" in out
    with fq.open_study(root) as s:
        assert sorted((x.name, x.case_id) for x in s.store.sources()) == [
            ("wave1/P01.txt", "P01"), ("wave2/P01.txt", "P01")]
    code, out, _ = fqda(root, "ingest")
    assert "0 added, 0 updated, 2 unchanged" in out
    code, out, err = fqda(root, "code", "wave2/P01.txt:2", "2.1")
    assert code == 0, err
    # A second run after coding changes nothing, and --force drops nothing.
    code, out, _ = fqda(root, "ingest", "--force")
    assert "2 unchanged" in out
    with fq.open_study(root) as s:
        assert [(q.ref, q.text) for q in s.quotes("2.1")] == [
            ("wave2/P01.txt:2", "The rota is better.")]


def test_a_case_of_several_files_says_how_to_name_each(tmp_path: Path) -> None:
    root = new_study(tmp_path, {
        "wave1/P01.txt": "Interviewer: First wave?\n\nParticipant: Thin.\n",
        "wave2/P01.txt": "Interviewer: Second wave?\n\nParticipant: Better.\n",
    })
    fqda(root, "ingest", "--new-cases")
    code, _, err = fqda(root, "show", "P01")
    assert code == 1
    assert "case P01 has 2 sources; name the one you mean before the colon " \
           "(wave1/P01.txt:1, wave2/P01.txt:1)" in err
    code, out, err = fqda(root, "show", "wave1/P01.txt")
    assert code == 0, err
    assert "wave1/P01.txt:2" in out and "Thin." in out


# -- files outside transcripts/ -----------------------------------------------
def test_files_outside_transcripts_are_named_from_the_study_folder(tmp_path: Path) -> None:
    root = new_study(tmp_path, {"extra/P5.txt": "Interviewer: Inside?\n\nParticipant: Yes.\n"})
    (root / "extra").mkdir()
    (root / "extra" / "P5.txt").write_text("Interviewer: Outside?\n\nParticipant: No.\n", "utf-8")
    with fq.open_study(root) as s:
        s.ingest_files(options=IngestOptions(new_cases=True))
        report = s.ingest_files([root / "extra" / "P5.txt"], IngestOptions(new_cases=True))
        assert statuses(report) == [("P5.txt", "added")]
        assert sorted(x.name for x in s.store.sources()) == ["../extra/P5.txt", "extra/P5.txt"]
        assert sorted(x.path for x in s.store.sources()) == ["extra/P5.txt",
                                                             "transcripts/extra/P5.txt"]


def test_two_outside_files_of_one_name_are_never_one_source(tmp_path: Path) -> None:
    root = new_study(tmp_path, {})
    for folder, said in (("a", "Yes."), ("b", "No.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "P5.txt").write_text(f"Interviewer: Q?\n\nParticipant: {said}\n",
                                                  "utf-8")
    with fq.open_study(root) as s:
        report = s.ingest_files([tmp_path / "a" / "P5.txt", tmp_path / "b" / "P5.txt"],
                                IngestOptions(new_cases=True))
        assert [f.status for f in report.files] == ["added", "failed"]
        assert report.files[1].message == (
            f"{tmp_path / 'b' / 'P5.txt'}: would be source P5.txt, which is already the file "
            f"{tmp_path / 'a' / 'P5.txt'}; rename one of them (or move it under transcripts/)")
        assert [seg.text for seg in s.segments("P5")] == ["Q?", "Yes."]


# -- surveys -----------------------------------------------------------------
def test_two_survey_files_of_one_stem_keep_their_rows_apart(tmp_path: Path) -> None:
    root = new_study(tmp_path, {})
    for folder, answer in (("wave1", "Too few nurses."), ("wave2", "Enough nurses.")):
        (root / folder).mkdir()
        (root / folder / "survey.csv").write_text(f"id,q1\nA,{answer}\n", encoding="utf-8")
    options = IngestOptions(id_column="id", columns=("q1",), new_cases=True)
    with fq.open_study(root) as s:
        report = s.ingest_files(["wave1/survey.csv", "wave2/survey.csv"], options)
        assert [f.status for f in report.files] == ["added", "added"]
        assert sorted(x.name for x in s.store.sources()) == [
            "../wave1/survey_A.csv", "../wave2/survey_A.csv"]
        again = s.ingest_files(["wave1/survey.csv", "wave2/survey.csv"], options)
        assert [f.status for f in again.files] == ["unchanged", "unchanged"]
        # Case A has two sources whose stems and file names are alike: whole names.
        prefixes_ = s.store.ref_prefixes()
        assert sorted(prefixes_.values()) == ["../wave1/survey_A.csv", "../wave2/survey_A.csv"]


# -- stores made by the previous version --------------------------------------
def _as_before(s: fq.Study, renames: dict[str, tuple[str, str]]) -> None:
    """Give sources the names and paths the previous version stored."""
    by_name = {x.name: x.id for x in s.store.sources()}
    with s.store.atomic():
        s.store.rename_sources([(by_name[new], old, path) for new, (old, path)
                                in renames.items()])


def test_a_store_of_the_previous_version_is_renamed_not_duplicated(tmp_path: Path) -> None:
    root = new_study(tmp_path, {"P7.txt": "Interviewer: Money?\n\nParticipant: Budgets are "
                                          "pooled.\n",
                                "P8.txt": "Interviewer: Staff?\n\nParticipant: Short.\n"})
    with fq.open_study(root) as s:
        s.ingest_files(options=IngestOptions(new_cases=True))
        s.code(["P7:2"], ["2.1"], coder="hb")
        s.code(["P8:2"], ["2.2"], coder="hb")
        ids = {x.name: x.id for x in s.store.sources()}
        # Old names were the stem; old paths absolute, here of a folder the study left.
        _as_before(s, {"P7.txt": ("P7", str(root / "transcripts" / "P7.txt")),
                       "P8.txt": ("P8", "/old/place/study/transcripts/P8.txt")})
    path = root / "transcripts" / "P8.txt"
    path.write_text("Interviewer: Hello.\n\n" + path.read_text("utf-8"), encoding="utf-8")
    with fq.open_study(root) as s:
        report = s.ingest()
        assert [(Path(f.path).name, f.status, f.message) for f in report.files] == [
            ("P7.txt", "unchanged", "source P7 is now named P7.txt"),
            ("P8.txt", "updated", "source P8 is now named P8.txt")]
        assert {x.name: x.id for x in s.store.sources()} == ids
        assert [x.path for x in s.store.sources()] == ["transcripts/P7.txt",
                                                       "transcripts/P8.txt"]
        assert [(q.ref, q.text) for q in s.quotes("2.1")] == [("P7:2", "Budgets are pooled.")]
        assert [(q.ref, q.text) for q in s.quotes("2.2")] == [("P8:3", "Short.")]
        assert {f.status for f in s.ingest().files} == {"unchanged"}


def test_files_the_previous_version_merged_are_split_codings_kept(tmp_path: Path) -> None:
    root = new_study(tmp_path, {"sample.vtt": VTT, "sample.srt": SRT, "sample.sbv": SBV})
    with fq.open_study(root) as s:
        s.ingest_files(["transcripts/sample.vtt"], IngestOptions(new_cases=True))
        s.code(["sample:2"], ["2.1"], coder="hb")
        # The previous version kept one source, "sample", from the last file read.
        _as_before(s, {"sample.vtt": ("sample", str(root / "transcripts" / "sample.vtt"))})
        vtt_id = s.store.sources()[0].id
        report = s.ingest()
        assert sorted(statuses(report)) == [("sample.sbv", "added"), ("sample.srt", "added"),
                                            ("sample.vtt", "unchanged")]
        assert s.store.source_named("sample.vtt").id == vtt_id  # type: ignore[union-attr]
        assert [(q.ref, q.text) for q in s.quotes("2.1", speaker="any")] == [
            ("sample.vtt:2", "Short, on nights, every week.")]


def test_previous_survey_rows_are_renamed(tmp_path: Path) -> None:
    root = new_study(tmp_path, {})
    (root / "survey.csv").write_text("id,q1\nA,Too few nurses.\nB,Fine.\n", encoding="utf-8")
    options = IngestOptions(id_column="id", columns=("q1",), new_cases=True)
    with fq.open_study(root) as s:
        s.ingest_files(["survey.csv"], options)
        s.code(["A:1"], ["2.1"], coder="hb")
        ids = sorted(x.id for x in s.store.sources())
        _as_before(s, {"../survey_A.csv": ("survey_A", str(root / "survey.csv")),
                       "../survey_B.csv": ("survey_B", str(root / "survey.csv"))})
        report = s.ingest_files(["survey.csv"], options)
        assert [f.status for f in report.files] == ["unchanged", "unchanged"]
        assert sorted((x.id, x.name) for x in s.store.sources()) == [
            (ids[0], "../survey_A.csv"), (ids[1], "../survey_B.csv")]
        assert [q.ref for q in s.quotes("2.1")] == ["A:1"]


# -- refs of a case with several sources ---------------------------------------
FOLLOWUP = {"P7.txt": "Interviewer: Money?\n\nParticipant: Budgets are pooled.\n",
            "P7 follow-up, June.txt": "Interviewer: Since?\n\nParticipant: Grants ended.\n",
            "P8.txt": "Interviewer: Staff?\n\nParticipant: Short.\n"}


def test_refs_of_a_several_file_case_round_trip(tmp_path: Path) -> None:
    root = new_study(tmp_path, FOLLOWUP)
    with fq.open_study(root) as s:
        s.ingest_files(options=IngestOptions(new_cases=True))
        follow = s.store.source_named("P7 follow-up, June.txt")
        assert follow is not None and follow.case_id == "P7"
        # A name with spaces and a comma gets a ref prefix that can be typed anywhere.
        assert [seg.ref for seg in s.segments("P7_follow-up_June")] == [
            "P7_follow-up_June:1", "P7_follow-up_June:2"]
        assert s.segments("P7 follow-up, June.txt")[1].text == "Grants ended."
    code, out, err = fqda(root, "show", "P7_follow-up_June")
    assert code == 0, err
    assert "P7_follow-up_June:2" in out
    code, _, err = fqda(root, "code", "P7_follow-up_June:2", "2.1")
    assert code == 0, err
    code, _, err = fqda(root, "code", "P7:2", "2.1")
    assert code == 0, err
    with fq.open_study(root) as s:
        cell = s.set_summary("P7", "2.1", "Pooled, then the grants ended [P7:2, "
                             "P7_follow-up_June:2]")
        assert cell.state == "summarised"
        assert s.summary_links()[("P7", "2.1")] == ["P7:2", "P7_follow-up_June:2"]
        assert sorted(q.ref for q in s.quotes("2.1")) == ["P7:2", "P7_follow-up_June:2"]
    exported = tmp_path / "codings.csv"
    code, _, err = fqda(root, "codings", "export", "-o", str(exported))
    assert code == 0, err
    with exported.open(encoding="utf-8", newline="") as f:
        rows = [(r["case"], r["source"], r["ref"], r["subtopic"]) for r in csv.DictReader(f)]
    assert sorted(rows) == [("P7", "P7 follow-up, June.txt", "P7_follow-up_June:2", "2.1"),
                            ("P7", "P7.txt", "P7:2", "2.1")]
    # The same files in a fresh study take the exported codings and summaries back.
    fresh = new_study(tmp_path / "fresh", FOLLOWUP)
    summaries = tmp_path / "summaries.csv"
    summaries.write_text("case,subtopic,summary\nP7,2.1,Ended [P7_follow-up_June:2]\n",
                         encoding="utf-8")
    with fq.open_study(fresh) as s:
        s.ingest_files(options=IngestOptions(new_cases=True))
        assert s.import_codings(exported).added == 2
        assert s.import_summaries(summaries) == 1
        assert sorted(q.ref for q in s.quotes("2.1")) == ["P7:2", "P7_follow-up_June:2"]
        assert s.summary_links()[("P7", "2.1")] == ["P7_follow-up_June:2"]


def test_codings_csv_names_a_source_by_its_prefix_or_its_name(tmp_path: Path) -> None:
    root = new_study(tmp_path, FOLLOWUP)
    table = tmp_path / "codings.csv"
    table.write_text("case,source,segment,subtopic\nP7,P7_follow-up_June,2,2.1\n"
                     "P7,P7.txt,2,2.2\nP7,,2,2.2\n", encoding="utf-8")
    with fq.open_study(root) as s:
        s.ingest_files(options=IngestOptions(new_cases=True))
        report = s.import_codings(table)
        assert (report.added, report.existing) == (2, 1)
        assert [q.ref for q in s.quotes("2.1")] == ["P7_follow-up_June:2"]
        assert [q.ref for q in s.quotes("2.2")] == ["P7:2"]


def test_a_source_is_found_by_its_prefix_or_its_whole_name(tmp_path: Path) -> None:
    root = new_study(tmp_path, {"P7.txt": "Interviewer: Money?\n\nParticipant: Pooled.\n",
                                "P7_followup.txt": "Interviewer: Since?\n\nParticipant: Ended.\n"})
    with fq.open_study(root) as s:
        s.ingest_files(options=IngestOptions(new_cases=True))
        assert [seg.ref for seg in s.segments("P7_followup")] == ["P7_followup:1",
                                                                  "P7_followup:2"]
        assert s.segments("P7_followup.txt")[1].ref == "P7_followup:2"
        assert s.code(["P7_followup.txt:2"], ["2.1"], coder="hb").refs == ["P7_followup:2"]
        with pytest.raises(UnknownReference, match="no case or source called P9"):
            s.segments("P9")


def test_prefixes_are_unique_and_typeable() -> None:
    rows = [(1, "P7.txt", "P7"), (2, "P7_followup.docx", "P7"), (3, "wave1/P01.txt", "P01"),
            (4, "wave2/P01.txt", "P01"), (5, "a/x y.txt", "Q"), (6, "b/x y.txt", "Q"),
            (7, "a/x_y.txt", "Q"), (8, "P9.txt", "P9"), (9, "P7.vtt", "P7")]
    found, by_ref = prefixes(rows)
    assert found == {1: "P7.txt", 2: "P7_followup", 3: "wave1/P01.txt", 4: "wave2/P01.txt",
                     5: "a/x_y.txt~5", 6: "b/x_y.txt", 7: "a/x_y.txt~7", 8: "P9",
                     9: "P7.vtt"}
    assert len(set(found.values())) == len(found)
    assert all(by_ref[p] == sid for sid, p in found.items())
    assert by_ref["a/x y.txt"] == 5 and by_ref["P7_followup.docx"] == 2
    assert "x_y" not in by_ref  # shared by three sources: no alias
    assert source_prefixes(rows) == found
    # one source per case: each is its case's id, whatever the file names
    assert source_prefixes([(1, "a/P1.txt", "P1"), (2, "b/P1.txt", "P2")]) == {1: "P1",
                                                                              2: "P2"}
