"""Walking transcripts/ never reads a file outside the study through a link;
naming the file on the command line still does."""

from __future__ import annotations

import os
from pathlib import Path

import framework_qda as fq


def test_a_link_out_of_the_study_found_by_walking_is_refused(study_dir: Path,
                                                             tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "P9.txt"
    secret.parent.mkdir()
    secret.write_text("Interviewer: secret?\n\nDana: the private words\n", encoding="utf-8")
    os.symlink(secret, study_dir / "transcripts" / "P9.txt")
    os.symlink("/etc/passwd", study_dir / "transcripts" / "P8.txt")
    (study_dir / "notes").mkdir()
    (study_dir / "notes" / "P7.txt").write_text("Interviewer: ok?\n\nDana: inside\n",
                                                encoding="utf-8")
    os.symlink(study_dir / "notes" / "P7.txt", study_dir / "transcripts" / "P7.txt")
    s = fq.open_study(study_dir)
    try:
        report = s.ingest()
        names = {x.name for x in s.store.sources()}
        assert "P9.txt" not in names and "P8.txt" not in names
        assert "P7.txt" in names  # a link inside the study is followed
        assert not any("private words" in x.text or "root:" in x.text
                       for x in s.store.sources())
        refused = {Path(f.path).name: f for f in report.files
                   if Path(f.path).name in ("P8.txt", "P9.txt")}
        assert set(refused) == {"P8.txt", "P9.txt"}
        for f in refused.values():
            assert f.status == "skipped"
            assert "outside the study" in f.message and "private" not in f.message
        # named on the command line, the same link is the user's choice
        again = s.ingest([study_dir / "transcripts" / "P9.txt"], case="P3")
        assert [(f.status, f.message) for f in again.files] == [("added", "")]
    finally:
        s.close()
