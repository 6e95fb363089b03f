"""What a project import did, in lines for the terminal."""

from __future__ import annotations

from framework_qda.project import ProjectReport


def project_import_lines(r: ProjectReport) -> list[str]:
    origin = f" ({r.origin})" if r.origin else ""
    lines = [
        f"project {r.project}{origin}",
        f"sources: {len(r.sources_added)} added, {len(r.sources_present)} already in the study",
        f"cases: {r.cases_added} added, {r.cases_updated} updated",
        f"codes: {r.codes} in the project, {len(r.codes_added)} added to the framework",
        f"codings: {r.codings_added} added, {r.codings_present} already in the study or "
        f"folded onto the same passage and sub-topic "
        f"({r.selections} text selection(s); {r.memos} with a memo)",
        f"notes: {r.notes_added} kept; summaries: {r.summaries_added} added",
    ]
    if r.general:
        lines.append("codings on a code with codes below it are under: " + ", ".join(r.general))
    if r.sets:
        shown = ", ".join(r.sets[:8]) + (" …" if len(r.sets) > 8 else "")
        lines.append(f"sets: {len(r.sets_added)} kept, {len(r.sets)} in the project ({shown});"
                     " written back on export")
    if r.selections:
        scores = ", ".join(f"{k} {v}" for k, v in r.scores.items())
        lines.append(f"offsets read as {r.convention} (fit scores: {scores})")
    if r.off_word_boundaries:
        lines.append(f"{r.off_word_boundaries} selection(s) start or end inside a word "
                     "(kept as the project has them)")
    return lines
