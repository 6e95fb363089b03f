"""Cases as real file names and real folders make them: codable ids, withdrawn
participants, and error lines that print exactly what they say."""

from __future__ import annotations

from pathlib import Path

import framework_qda as fq
from framework_qda.ingest import IngestOptions
from tests._cli import fqda

INTERVIEW = ("Interviewer: How are handovers now?\nAnn: Written notes mostly.\n"
             "Interviewer: And staffing?\nAnn: Two short on nights.\n")


def _spaced_study(study_dir: Path) -> Path:
    (study_dir / "transcripts" / "Interview 10.txt").write_text(INTERVIEW, encoding="utf-8")
    with (study_dir / "cases.csv").open("a", encoding="utf-8") as f:
        f.write("Interview 10,Nurses,Urban\n")
    return study_dir


def test_a_case_id_with_a_space_is_made_codable_and_said_so(study_dir: Path) -> None:
    root = _spaced_study(study_dir)
    code, out, err = fqda("run", "--study", str(root))
    assert code == 0, err
    code, out, err = fqda("ingest", "--study", str(root), "--force",
                          str(root / "transcripts" / "Interview 10.txt"))
    s = fq.open_study(root)
    assert [c.id for c in s.cases()].count("Interview_10") == 1
    assert "Interview 10" not in [c.id for c in s.cases()]  # the cases.csv row matched
    s.close()
    code, out, _ = fqda("show", "Interview 10", "--study", str(root), "--format", "csv")
    assert code == 0 and "Interview_10:2" in out and "Interview 10:" not in out


def test_every_entry_point_accepts_the_id_show_prints_and_the_typed_one(
        study_dir: Path) -> None:
    root = _spaced_study(study_dir)
    assert fqda("run", "--study", str(root))[0] == 0
    code, _, err = fqda("code", "Interview_10:2", "1.1", "--study", str(root))
    assert code == 0, err
    code, _, err = fqda("code", "Interview 10:4", "2.1", "--study", str(root))
    assert code == 0, err
    (root / "more.csv").write_text("case,segment,subtopic,coder,memo\n"
                                   "Interview 10,2,1.2,hb,\nInterview_10,4,2.2,hb,\n",
                                   encoding="utf-8")
    code, out, err = fqda("codings", "import", str(root / "more.csv"), "--study", str(root))
    assert code == 0, err
    code, _, err = fqda("chart", "Interview 10", "2.1", "--text",
                        "Two short [Interview_10:4]", "--study", str(root))
    assert code == 0, err
    s = fq.open_study(root)
    assert s.import_summaries(_write(root / "sums.csv", "case,subtopic,summary\n"
                                     "Interview 10,1.1,Notes mostly [Interview_10:2]\n")) == 1
    links = s.store.conn.execute(
        "SELECT case_id, segment FROM summary_links ORDER BY segment").fetchall()
    assert [tuple(r) for r in links] == [("Interview_10", 2), ("Interview_10", 4)]
    coded = {(c.source_id, c.subtopic) for c in s.store.source_codings(
        s.store.sources("Interview_10")[0].id)}
    assert len(coded) == 4
    s.close()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


PLACEHOLDER = "This transcript has been removed at the participant's request.\n"


def test_a_removed_transcript_placeholder_is_skipped_by_ingest_and_run(
        study_dir: Path) -> None:
    (study_dir / "transcripts" / "P9.txt").write_text(PLACEHOLDER, encoding="utf-8")
    code, out, err = fqda("ingest", "--study", str(study_dir))
    assert code == 0, err
    assert "placeholder for a withdrawn participant" in out + err
    code, out, err = fqda("run", "--study", str(study_dir))
    assert code == 0, err


def test_a_short_transcript_that_mentions_removal_is_not_a_placeholder(
        study_dir: Path) -> None:
    from framework_qda.ingest import is_placeholder

    assert is_placeholder(PLACEHOLDER)
    assert is_placeholder("Interview 4: participant withdrew; no transcript.")
    assert not is_placeholder("Interviewer: Was the old rota removed?\nAnn: Yes.\n"
                              "Interviewer: When?\nAnn: In May.\n")


def test_run_fails_like_ingest_when_a_file_fails(study_dir: Path) -> None:
    (study_dir / "transcripts" / "P8.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    assert fqda("ingest", "--study", str(study_dir))[0] == 1
    code, out, err = fqda("run", "--study", str(study_dir))
    assert code == 1 and "binary" in err and "written: " in out


def test_an_error_line_prints_its_colons_and_brackets_as_they_are(study_dir: Path) -> None:
    rows = "".join(f"P{i},Nurses,Rural\n" for i in range(100, 198)) + "P100,Nurses,Rural\n"
    (study_dir / "many.csv").write_text("case,group,area\n" + rows, encoding="utf-8")
    code, _, err = fqda("cases", "import", str(study_dir / "many.csv"), "--study",
                        str(study_dir))
    assert code == 1
    assert "many.csv:100: case P100 is listed twice" in err and "💯" not in err


ASKS = ("Sara Jones: How did the rota work out?\nTom Reid: Fine, mostly.\n"
        "Sara Jones: And nights?\nTom Reid: Hard. We were short.\n"
        "Sara Jones: Who covered?\nTom Reid: Agency staff.\n")
BOTH_ASK = ("Sara Jones: Shall we start?\nAmy Cole: Can I ask something first?\n"
            "Sara Jones: Of course.\nAmy Cole: Is this recorded?\nSara Jones: Yes.\n"
            "Amy Cole: Fine.\n")


def _roles(s: fq.Study, case: str) -> dict[str, str]:
    return {seg.speaker: seg.role for seg in s.segments(case)}


def test_named_speakers_get_roles_from_the_study_and_the_decision_is_reported(
        tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    s = fq.open_study(root)
    (root / "transcripts" / "P1.txt").write_text(ASKS, encoding="utf-8")
    report = s.ingest()
    assert _roles(s, "P1") == {"Sara Jones": "interviewer", "Tom Reid": "participant"}
    assert "Sara Jones is taken for the interviewer: asks the questions (3 of 3 turns)" in \
        report.files[0].message
    # In the next file both ask; Sara speaks in another source, Amy in none.
    (root / "transcripts" / "P2.txt").write_text(BOTH_ASK, encoding="utf-8")
    report = s.ingest_files([root / "transcripts" / "P2.txt"], IngestOptions(new_cases=True))
    assert _roles(s, "P2") == {"Sara Jones": "interviewer", "Amy Cole": "participant"}
    assert "speaks in 1 other source(s) of the study, Amy Cole in none" in \
        next(f.message for f in report.files if f.case_id == "P2")
    s.close()


def test_the_study_settings_override_the_decision(tmp_path: Path) -> None:
    root = fq.init_study(tmp_path / "s")
    (root / "fqda.yaml").write_text("roles:\n  interviewer: [Tom Reid]\n", encoding="utf-8")
    (root / "transcripts" / "P1.txt").write_text(ASKS, encoding="utf-8")
    s = fq.open_study(root)
    report = s.ingest()
    assert _roles(s, "P1") == {"Sara Jones": "participant", "Tom Reid": "interviewer"}
    assert "taken for the interviewer" not in report.files[0].message
    s.close()


def test_a_listed_case_whose_file_is_a_placeholder_is_in_no_matrix(study_dir: Path) -> None:
    (study_dir / "transcripts" / "P9.txt").write_text(PLACEHOLDER, encoding="utf-8")
    with (study_dir / "cases.csv").open("a", encoding="utf-8") as f:
        f.write("P9,Nurses,Urban\n")
    assert fqda("cases", "import", str(study_dir / "cases.csv"), "--study",
                str(study_dir))[0] == 0
    s = fq.open_study(study_dir)
    report = s.ingest()
    assert next(f.message for f in report.files if f.case_id == "P9") == (
        "placeholder for a withdrawn participant; case P9 is marked withdrawn and left out "
        "of the matrices")
    s.close()
    assert fqda("run", "--study", str(study_dir))[0] == 0
    s = fq.open_study(study_dir)
    assert "P9" not in [c.id for c in s.cases()]
    assert all(case != "P9" for case, _ in s.cells())
    s.close()
    code, out, _ = fqda("matrix", "1", "--study", str(study_dir), "--format", "csv")
    assert code == 0 and "P9" not in out and "P10" in out
