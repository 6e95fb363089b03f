"""`-` is standard output for -o and standard input for a file read, as in every
Unix tool; what goes to standard output is the data and nothing else."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import framework_qda as fq
from framework_qda.cli import app
from tests.conftest import DATA

runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FQDA_CODER": "tester"}


def fqda(root: Path, *args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--study", str(root)], env=ENV, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_codings_export_to_standard_output_writes_no_file_named_dash(
        ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ran)
    code, out, err = fqda(ran, "codings", "export", "-o", "-")
    assert code == 0, err
    assert not (ran / "-").exists()
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["case", "source", "start", "end", "subtopic", "coder", "memo", "ref"]
    assert len(rows) == 9 and "written" not in out  # the data and nothing else


def test_codings_export_has_offsets_on_every_row_and_the_ref_beside_them(ran: Path) -> None:
    with fq.open_study(ran) as s:
        s.code(["P1:2.1"], ["2.2"])            # a sentence
        s.code(["P1"], ["1.1"], quote="goes in the folder")  # words inside a turn
        source = next(x for x in s.store.sources() if x.case_id == "P1")
        segs = s.store.segments(source.id)
    (ran / "span.csv").write_text(  # from the start of one turn to the end of another
        f"case,start,end,subtopic\nP1,{segs[1].start},{segs[3].end},2.2\n", encoding="utf-8")
    assert fqda(ran, "codings", "import", str(ran / "span.csv"))[0] == 0
    code, out, _ = fqda(ran, "codings", "export", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert all(r["start"].isdigit() and r["end"].isdigit() for r in rows)
    refs = {r["ref"] for r in rows}
    assert {"P1:2", "P1:2.1", "P1:2-4"} <= refs
    odd = [r for r in rows if "@" in r["ref"]]
    assert odd and all(source.text[int(r["start"]):int(r["end"])] for r in odd)


def test_exported_codings_import_from_standard_input_into_a_fresh_study(
        ran: Path, tmp_path: Path) -> None:
    code, exported, _ = fqda(ran, "codings", "export", "-o", "-")
    fresh = tmp_path / "fresh"
    shutil.copytree(DATA / "study", fresh)
    (fresh / "codings.csv").unlink()
    assert fqda(fresh, "run")[0] == 0
    code, out, err = fqda(fresh, "codings", "import", "-", stdin=exported)
    assert code == 0, err
    assert out.strip() == "8 coding(s) imported, 0 already there"
    assert fqda(fresh, "codings", "export", "-o", "-")[1] == exported


def test_a_bad_row_on_standard_input_is_named_by_its_line(ran: Path) -> None:
    code, _, err = fqda(ran, "codings", "import", "-",
                        stdin="case,segment,subtopic\nP1,2,9.9\n")
    assert code == 1 and "standard input:2: unknown sub-topic 9.9" in err


def test_cases_import_reads_standard_input(ran: Path) -> None:
    code, out, err = fqda(ran, "cases", "import", "-", stdin="case,group\nP9,Nurses\n")
    assert code == 0, err
    assert out.strip() == "1 case(s) added, 0 updated"


def test_codebook_export_to_standard_output(ran: Path) -> None:
    code, out, _ = fqda(ran, "codebook", "export", "-o", "-")
    assert code == 0 and not (ran / "-").exists()
    assert [t["code"] for t in yaml.safe_load(out)["themes"]] == ["1", "2"]
    code, out, _ = fqda(ran, "codebook", "export", "-o", "-", "--format", "csv")
    assert out.splitlines()[0].startswith("theme_code,theme_label,subtopic_code")


def test_quote_bank_to_standard_output(ran: Path) -> None:
    code, out, _ = fqda(ran, "export", "quotes", "-o", "-", "--theme", "2")
    assert code == 0 and not (ran / "-").exists()
    assert out.startswith("# ") and "## 2.1 Staffing" in out and "quote bank written" not in out
