"""Speaker-turn conventions, roles from the study's settings, and `fqda show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from framework_qda.config import StudyConfig, load_config
from framework_qda.errors import InputError
from framework_qda.ingest import IngestOptions, _segments
from framework_qda.ingest.readers import Transcript


def turns(text: str, config: StudyConfig | None = None) -> list[tuple[str, str, str, str]]:
    segs = _segments(Transcript(text=text, format="txt"), config or StudyConfig())
    for s in segs:
        assert text[s.start:s.end] == text[s.start:s.end].strip()
    return [(s.speaker, s.role, s.timestamp, text[s.start:s.end]) for s in segs]


def test_label_variants_in_one_study() -> None:
    text = ("\n\nInterview 7, Leeds\n"
            "Interviewer 1: First question?\n"
            "Interviewer1 : Sorry, the same question?\n"
            "Interviewer2 2: Let me put it another way.\n"
            "interviewer: Go on.\n"
            "P1: I will.\nIt is a long answer\n  over lines.\n"
            "[00:12:05] R: And then this.\n")
    assert turns(text) == [
        ("", "other", "", "Interview 7, Leeds"),  # no one's turn, but in a segment
        ("Interviewer 1", "interviewer", "", "First question?"),
        ("Interviewer1", "interviewer", "", "Sorry, the same question?"),
        ("Interviewer2 2", "interviewer", "", "Let me put it another way."),
        ("interviewer", "interviewer", "", "Go on."),
        ("P1", "participant", "", "I will.\nIt is a long answer\n  over lines."),
        ("R", "participant", "00:12:05", "And then this."),
    ]


def test_bracketed_labels_but_not_bracketed_asides() -> None:
    text = ("[id1] I liked the course.\n\n[id2] I struggled.\n\n[laughs] well.\n\n"
            "[id1] Me too, at first.\n\n[id2] Then it got better.\n\n[laughs] yes.\n")
    assert [(s, w) for s, _, _, w in turns(text)] == [
        ("id1", "I liked the course."), ("id2", "I struggled.\n\n[laughs] well."),
        ("id1", "Me too, at first."), ("id2", "Then it got better.\n\n[laughs] yes.")]


def test_named_interviewer_opposite_a_participant_label() -> None:
    text = "Dan: Shall we start?\nParticipant: Yes.\nDan: Good.\nParticipant: Fine.\n"
    assert [(s, r) for s, r, _, _ in turns(text)][:2] == [
        ("Dan", "interviewer"), ("Participant", "participant")]


def test_roles_from_the_study_settings(tmp_path: Path) -> None:
    (tmp_path / "fqda.yaml").write_text(
        "roles:\n  interviewer: [Helen, 'Dr\\.? .*']\n  participant: [Moderator]\n",
        encoding="utf-8")
    config = load_config(tmp_path)
    text = ("Helen: Hello.\nMODERATOR: Hi.\nDr. Kay: Notes.\nHelen: Again.\nSam: Me.\nSam: Me.\n")
    assert [(s, r) for s, r, _, _ in turns(text, config)] == [
        ("Helen", "interviewer"), ("MODERATOR", "participant"), ("Dr. Kay", "interviewer"),
        ("Helen", "interviewer"), ("Sam", "participant"), ("Sam", "participant")]


def test_a_bad_role_pattern_is_reported_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "fqda.yaml").write_text("roles:\n  interviewer: ['Dr (']\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"fqda\.yaml: roles\.interviewer: 'Dr \(' is not a "
                                         r"valid regular expression"):
        load_config(tmp_path)


def test_think_aloud_with_only_the_moderator_labelled() -> None:
    text = ("1 Open the home page.\n"
            "\tRight, I am logged in.\n\tThe menu is on the left.\n\n"
            "\tMODERATOR: Take your time.\n\n\tHeat map: that is nice.\n\n"
            "\tI click the map.\n\n\tIt loads.\n\n\tMODERATOR: And?\n\n"
            "\tHeat map: really nice.\n\n\tThe colours help.\n\n\tI would export it.\n\n\tDone.\n\n"
            "\tMODERATOR: Could you start with task 1?\n\n"
            "    1.a Was the information enough?\n"
            "    \tYes, I think so.\n\n    \tIt is clear.\n")
    p = "participant"
    assert turns(text) == [
        ("", "other", "", "1 Open the home page."),
        ("", p, "", "Right, I am logged in.\n\tThe menu is on the left."),
        ("MODERATOR", "interviewer", "", "Take your time."),
        ("", p, "", "Heat map: that is nice."), ("", p, "", "I click the map."),
        ("", p, "", "It loads."),
        ("MODERATOR", "interviewer", "", "And?"),
        ("", p, "", "Heat map: really nice."), ("", p, "", "The colours help."),
        ("", p, "", "I would export it."), ("", p, "", "Done."),
        ("MODERATOR", "interviewer", "", "Could you start with task 1?"),
        ("", "other", "", "1.a Was the information enough?"),
        ("", p, "", "Yes, I think so."),
        ("", p, "", "It is clear."),
    ]


def test_an_interview_with_long_answers_is_not_think_aloud() -> None:
    text = ("Interviewer: Tell me.\n\nAnn: First.\n\nSecond paragraph.\n\n"
            "Interviewer: More?\n\nAnn: Yes.\n")
    assert [(s, r) for s, r, _, _ in turns(text)] == [
        ("Interviewer", "interviewer"), ("Ann", "participant"), ("Interviewer", "interviewer"),
        ("Ann", "participant")]


def test_speech_recognition_output_without_speakers_is_one_paragraph() -> None:
    text = "so we started the new rota in march and it was hard at first but then fine"
    assert turns(text) == [("", "other", "", text)]


@pytest.fixture
def study(tmp_path: Path) -> fq.Study:
    root = fq.init_study(tmp_path / "s")
    (root / "transcripts" / "P7.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>Ready?\n\n"
        "00:00:03.000 --> 00:00:09.000\n<v Mo Ali>Yes. Go ahead.\n\n"
        "00:01:23.000 --> 00:01:25.000\n<v Interviewer>Tell me about rotas.\n\n"
        "00:01:25.000 --> 00:01:40.000\n<v Mo Ali>They changed.\n", encoding="utf-8")
    s = fq.open_study(root)
    report = s.ingest()
    assert report.count("added") == 1, report.files
    return s


def test_show_prints_ids_speakers_roles_lines_and_times(study: fq.Study) -> None:
    result = CliRunner().invoke(app, ["show", "P7", "--from", "2", "--to", "3", "--format",
                                      "json", "--study", str(study.root)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"id": "P7:2", "speaker": "Mo Ali", "role": "participant", "lines": "3-3",
         "time": "00:00:03", "text": "Yes. Go ahead."},
        {"id": "P7:3", "speaker": "Interviewer", "role": "interviewer", "lines": "5-5",
         "time": "00:01:23", "text": "Tell me about rotas."},
    ]


def test_sentences_are_stored_for_subtitle_turns(study: fq.Study) -> None:
    source = study.store.source_by_name("P7")
    assert source is not None
    assert [source.text[a:b] for a, b in study.store.sentences(source.id, 2)] == [
        "Yes.", "Go ahead."]


def test_unknown_model_names_the_install_command(study: fq.Study) -> None:
    path = study.root / "transcripts" / "P8.txt"
    path.write_text("Interviewer: x\n\nFay: y\n", encoding="utf-8")
    report = study.ingest_files([path], IngestOptions(model="xx_no_such_pipeline",
                                                                 new_cases=True))
    assert "python -m spacy download xx_no_such_pipeline" in report.failed[0].message


def test_ingest_command_reads_a_survey_with_new_cases(study: fq.Study) -> None:
    survey = study.root / "survey.csv"
    survey.write_text("respondent,q1,q2\nS1,Too few staff.,\nS2,,Fine.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(survey), "--id-column", "respondent",
                                      "--columns", "q1,q2", "--study", str(study.root)],
                                env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 1  # the study has a case already, so S1/S2 are unknown
    assert "0 added, 0 updated, 0 unchanged, 0 skipped, 2 failed" in result.stdout
    result = CliRunner().invoke(app, ["ingest", str(survey), "--id-column", "respondent",
                                      "--columns", "q1,q2", "--new-cases", "--study",
                                      str(study.root)], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 0, result.stdout
    assert "2 added, 0 updated, 0 unchanged, 0 skipped, 0 failed" in result.stdout
    assert [(s.ref, s.speaker, s.text) for s in study.segments("S2")] == [
        ("S2:1", "q2", "Fine.")]


def test_french_spacing_with_a_no_break_space_before_the_colon() -> None:
    text = ("Interviewer1\u00a0: Bonjour.\nParticipante 2\u202f: Bonjour !\n"
            "Interviewer1 : Merci.\nParticipante 2\u00a0: De rien.\n")
    assert [(s, w) for s, _, _, w in turns(text)] == [
        ("Interviewer1", "Bonjour."), ("Participante 2", "Bonjour !"), ("Interviewer1", "Merci."),
        ("Participante 2", "De rien.")]


def test_markdown_bold_labels() -> None:
    text = ("# Interview 3\n\n**Interviewer:** Why?\n\n**Lee**: Because.\n\n"
            "__Interviewer:__ Ok.\n\n**Lee:** So.\n")
    assert [(s, w) for s, _, _, w in turns(text)] == [("", "# Interview 3"),
        ("Interviewer", "Why?"), ("Lee", "Because."), ("Interviewer", "Ok."), ("Lee", "So.")]


def test_sentences_never_cross_a_turn_or_include_a_label() -> None:
    from framework_qda.ingest.sentences import load_pipeline, segment_sentences

    text = ("Interviewer: Go on\n\nAnn: Well it was hard. Then\nbetter\n\nInterviewer: Why"
            "\n\nAnn: Staff")
    segs = _segments(Transcript(text=text, format="txt"), StudyConfig())
    rows = segment_sentences(load_pipeline(""), text, [(s.number, s.start, s.end) for s in segs])
    assert [(n, k, text[a:b]) for n, k, a, b in rows] == [
        (1, 1, "Go on"), (2, 1, "Well it was hard."), (2, 2, "Then\nbetter"), (3, 1, "Why"),
        (4, 1, "Staff")]


_words = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
                 max_size=50)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Interviewer", "Ann", ""]), _words), max_size=8))
def test_sentences_lie_inside_their_segment_in_order(turns_: list[tuple[str, str]]) -> None:
    from framework_qda.ingest.sentences import load_pipeline, segment_sentences

    text = "\n\n".join(f"{who}: {said}" if who else said for who, said in turns_)
    segs = _segments(Transcript(text=text, format="txt"), StudyConfig())
    bounds = {s.number: (s.start, s.end) for s in segs}
    rows = segment_sentences(load_pipeline(""), text, [(s.number, s.start, s.end) for s in segs])
    last = -1
    for number, _, a, b in rows:
        lo, hi = bounds[number]
        assert lo <= a < b <= hi and a >= last
        assert text[a:b] == text[a:b].strip()
        last = b


def test_ingest_command_reports_a_survey_table_in_runs_not_a_line_per_row(
    study: fq.Study,
) -> None:
    # A table of many answers was a report line per row: laying out 100,000
    # of them took several times longer than storing them.
    survey = study.root / "many.csv"
    rows = [f"S{i},Answer number {i}." for i in range(1, 301)]
    rows[149] = "S150,"  # no answer: this row is left out, not reported
    survey.write_text("respondent,q1\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(survey), "--id-column", "respondent",
                                      "--columns", "q1", "--new-cases", "--study",
                                      str(study.root)], env={"NO_COLOR": "1", "COLUMNS": "250"})
    assert result.exit_code == 0, result.stdout
    assert "299 added, 0 updated, 0 unchanged, 0 skipped, 0 failed" in result.stdout
    assert "many.csv:2-301" in result.stdout
    assert "S1 … S300 (299 cases)" in result.stdout
    assert "many.csv:3 " not in result.stdout
    # Run again with one answer changed and one case unknown: the changed row
    # and the failure are their own lines between runs of unchanged rows.
    rows[9] = "S10,A different answer."
    rows.append("S999,Late answer.")
    survey.write_text("respondent,q1\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(survey), "--id-column", "respondent",
                                      "--columns", "q1", "--study", str(study.root)],
                                env={"NO_COLOR": "1", "COLUMNS": "250"})
    assert result.exit_code == 1
    assert "0 added, 1 updated, 298 unchanged, 0 skipped, 1 failed" in result.stdout
    for line in ("many.csv:2-10", "many.csv:11 ", "many.csv:12-301", "many.csv:302 "):
        assert line in result.stdout, line
    failed = next(line for line in result.stdout.splitlines() if "many.csv:302 " in line)
    assert "failed" in failed and "S999" in failed


def test_each_turn_starts_its_own_sentences_and_offsets_stay_code_points() -> None:
    # A turn cut off without a full stop, a turn opening with a quote or an
    # ellipsis, astral characters before: every sentence starts in its turn
    # and is the words a researcher would quote, at exact code points.
    from framework_qda.ingest.sentences import load_pipeline, segment_sentences

    text = ("Interviewer: 😀 So what happened with the rota\n\n"
            "Ann: \"It fell apart.\" We had nobody. Nobody at all\n\n"
            "Interviewer: ...and then?\n\n"
            "Ann: Then é the manager came. 𝔘nd fixed it.\n")
    segs = _segments(Transcript(text=text, format="txt"), StudyConfig())
    rows = segment_sentences(load_pipeline(""), text, [(s.number, s.start, s.end) for s in segs])
    assert [(n, k, text[a:b]) for n, k, a, b in rows] == [
        (1, 1, "😀 So what happened with the rota"),
        (2, 1, "\"It fell apart.\""), (2, 2, "We had nobody."), (2, 3, "Nobody at all"),
        (3, 1, "...and then?"),
        (4, 1, "Then é the manager came."), (4, 2, "𝔘nd fixed it.")]
    for (n, _, a, b), seg in zip(rows, [segs[0], *[segs[1]] * 3, segs[2], *[segs[3]] * 2],
                                 strict=True):
        assert seg.number == n and seg.start <= a < b <= seg.end
