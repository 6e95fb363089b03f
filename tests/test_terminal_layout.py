"""What a researcher sees at an 80- or 100-column terminal: every line fits, names
wrap between words, one-line rows carry no rule between them, and a matrix or
co-occurrence table too wide for the screen continues in further tables instead
of squeezing its columns to nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

import framework_qda as fq
from framework_qda import render


def shown(renderable: RenderableType, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None,
                      markup=False, emoji=False, highlight=False)
    console.print(renderable)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return [line.rstrip() for line in text.splitlines()]


ROWS: render.Rows = [
    {"case": "P3", "group": "Voluntary-sector leader", "sources": 2},
    {"case": "P7", "group": "Voluntary-sector leader", "sources": 1},
    {"case": "P12", "group": "Health-service manager", "sources": 1},
]


def test_one_line_rows_have_no_rules_between_them() -> None:
    lines = shown(render.rich_table(ROWS, "cases"), 80)
    body = [line for line in lines if line.strip().startswith(("P3", "P7", "P12"))]
    assert len(body) == 3
    first, last = lines.index(body[0]), lines.index(body[-1])
    assert last - first == 2, "\n".join(lines)  # the rows are on consecutive lines


def test_names_wrap_between_words_in_a_narrow_column() -> None:
    rows: render.Rows = [{**r, "note": "a long note " * 6} for r in ROWS]
    lines = shown(render.rich_table(rows, "cases"), 50)
    text = "\n".join(lines)
    assert "Voluntary-sector" in text and "Health-service" in text, text
    assert all(len(line) <= 50 for line in lines)


def test_rows_that_run_over_several_lines_are_ruled_apart() -> None:
    rows: render.Rows = [{"ref": "P1:2", "text": "words " * 30}, {"ref": "P1:3", "text": "x"}]
    lines = shown(render.rich_table(rows), 60)
    assert any(set(line.strip()) <= set("├─┼┤") and line.strip() for line in lines)


@pytest.fixture
def wide(tmp_path: Path) -> fq.Study:
    """A theme of 22 sub-topics, as a real framework's largest theme may have."""
    root = tmp_path / "wide"
    fq.init_study(root)
    subs = "".join(f"      - code: '1.{i}'\n        label: Sub-topic number {i}\n"
                   for i in range(1, 23))
    (root / "codebooks" / "framework.yaml").write_text(
        f"themes:\n  - code: '1'\n    label: Everything at once\n    subtopics:\n{subs}",
        encoding="utf-8")
    (root / "cases.csv").write_text("case,group\nP1,Voluntary-sector leader\n"
                                    "P2,Health-service manager\n", encoding="utf-8")
    for case in ("P1", "P2"):
        (root / "transcripts" / f"{case}.txt").write_text(
            "Interviewer: Tell me about it.\n\n"
            "Dana: We met every month and it worked because people came.\n",
            encoding="utf-8")
    s = fq.open_study(root)
    s.import_cases(root / "cases.csv")
    s.import_codebook(root / "codebooks" / "framework.yaml")
    s.ingest()
    for i in (1, 2, 11, 22):
        s.code(["P1:2"], [f"1.{i}"])
        s.code(["P2:2"], [f"1.{i}"])
    s.set_summary("P1", "1.22", "Monthly meetings worked because people came [P1:2]")
    return s


@pytest.mark.parametrize("width", [80, 100])
def test_a_wide_matrix_continues_in_further_tables(wide: fq.Study, width: int) -> None:
    lines = shown(render.matrix_table(wide.matrix("1")), width)
    text = "\n".join(lines)
    assert all(len(line) <= width for line in lines), text
    titles = [line for line in lines if line.startswith("1 Everything at once")]
    assert len(titles) > 1 and "(sub-topics 1.1–" in titles[0] and "of 22)" in titles[0]
    headers = " ".join(line for line in lines if line.startswith("┃"))
    for i in range(1, 23):
        assert f" 1.{i} " in headers, f"1.{i} has no column"
    # every part repeats the case and its group, whole
    assert text.count("P1 ") == len(titles) and text.count("Voluntary-sector") == len(titles)
    assert "Monthly meetings" in text


def test_a_matrix_that_fits_is_one_table(wide: fq.Study) -> None:
    lines = shown(render.matrix_table(wide.matrix("1")), 600)
    assert sum(line.startswith("1 Everything at once") for line in lines) == 1
    assert "(sub-topics" not in "\n".join(lines)


@pytest.mark.parametrize("width", [80, 100])
def test_cooccurrence_keeps_its_labels_and_counts(study: fq.Study, width: int) -> None:
    co = study.cooccurrence()
    lines = shown(render.cooccur_table(co), width)
    text = "\n".join(lines)
    assert all(len(line) <= width for line in lines), text
    assert "/" not in text.split("\n", 2)[-1], "a count must not read as a fraction"
    codes = [s.code for s in co.subtopics]
    header = next(line for line in lines if line.lstrip().startswith("sub-topic"))
    assert header.split()[1:] == codes  # every column, its code whole
    for s in co.subtopics:
        row = next(line for line in lines if line.lstrip().startswith(f"{s.code} "))
        assert row.split()[-len(codes):][codes.index(s.code)] == str(co.segments[(s.code,
                                                                                 s.code)])


def test_cooccurrence_by_cases(study: fq.Study) -> None:
    co = study.cooccurrence()
    text = "\n".join(shown(render.cooccur_table(co, "cases"), 100))
    assert text.startswith("Cases coded to both (diagonal")
    a = co.subtopics[0].code
    row = next(line for line in text.splitlines() if line.lstrip().startswith(f"{a} "))
    assert row.split()[-len(co.subtopics)] == str(co.cases[(a, a)])


def test_ingest_lists_files_as_typed_and_blank_segments_for_unchanged_ones(
        ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests._cli import fqda

    monkeypatch.chdir(ran)
    code, out, err = fqda("ingest", "transcripts", columns=80)
    assert code == 0, err
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), out
    row = next(line for line in lines if "P1.txt" in line)
    assert row.split() == ["transcripts/P1.txt", "unchanged", "P1"]  # no "0 segments"
    assert str(ran) not in out
    (ran / "transcripts" / "P9.txt").write_text(
        "Interviewer: And you?\n\nSam: I came late. I stayed long.\n", encoding="utf-8")
    code, out, err = fqda("ingest", "transcripts/P9.txt", "--new-cases", columns=80)
    assert code == 0, err
    row = next(line for line in out.splitlines() if "P9.txt" in line)
    assert row.split()[:4] == ["transcripts/P9.txt", "added", "P9", "2"]


def test_a_table_of_many_long_words_still_fits_the_terminal() -> None:
    rows: render.Rows = [{f"column{i}": f"P3_followup.docx:{i}{'x' * 12}" for i in range(8)}]
    lines = shown(render.rich_table(rows), 80)
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert "column7" in "\n".join(lines)


def test_names_stay_whole_beside_running_text() -> None:
    rows: render.Rows = [{"ref": "P3_followup:12", "group": "Voluntary-sector leader",
                          "matched": "trust; trusts", "words": "Of course. " * 20}] * 3
    lines = shown(render.rich_table(rows), 80)
    text = "\n".join(lines)
    assert all(line.rstrip().endswith("│") for line in lines if line.startswith("│")), text
    assert "P3_followup:12" in text and "Voluntary-sector" in text


def test_the_review_queue_of_the_example_study_fits_80_columns(tmp_path: Path) -> None:
    from tests._cli import fqda
    from tests.conftest import copy_example

    root = copy_example(tmp_path / "example")
    assert fqda("run", "--study", root)[0] == 0
    code, out, err = fqda("review", "--list", "--keyword", "trust", "--study", root,
                          columns=80)
    assert code == 0, err
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), "\n".join(lines[:12])
    # a table wider than the terminal is cut at its edge: its right border is lost
    body = [line for line in lines if line.startswith(("┃", "│"))]
    assert body and all(line.rstrip().endswith(("┃", "│")) for line in body), \
        "\n".join(lines[:12])
