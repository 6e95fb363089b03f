"""Codebooks as spreadsheets: CSV/TSV and XLSX, one row per sub-topic.

Columns (header names are matched without regard to case, spaces or
underscores; the first nine are the layout researchers keep by hand)::

    theme code, theme label, subtopic code, label, definition, include, exclude,
    example, keywords, theme definition, theme guid, guid, patterns, exclude keywords

``keywords`` and ``exclude keywords`` (phrases inside which a keyword does not
count) are separated by ``;``.  ``patterns`` is JSON (a list of spaCy
Matcher patterns).  A row with a theme but no sub-topic code declares a theme
with no sub-topics yet.  Row order is codebook order.

A flat list of codes, as Taguette and other tools export it (``tag``, ``name``
or ``label``, with an optional ``description``, and no theme or code column),
is read too: each name becomes a sub-topic of one theme, ``1 Ungrouped codes``
(a name written ``Parent::Child`` puts ``Child`` under a theme ``Parent``), and
the reader says so.  Such a file has no codes of its own, so each sub-topic's
GUID is made from its name: reading a later version of the list (names added,
removed or reordered) keeps every coding with the name it was made under.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

from framework_qda.codebook import check_guid, check_patterns, check_unique
from framework_qda.errors import InputError, ValidationError
from framework_qda.formulas import csv_row
from framework_qda.model import Codebook, Subtopic, Theme
from framework_qda.tabular import Table, read_table

COLUMNS = ("theme code", "theme label", "subtopic code", "label", "definition", "include",
           "exclude", "example", "keywords", "theme definition", "theme guid", "guid",
           "patterns", "exclude keywords")
_ALIASES = {
    "theme": "theme code", "themecode": "theme code", "themelabel": "theme label",
    "themename": "theme label", "code": "subtopic code", "subtopiccode": "subtopic code",
    "subtopic": "subtopic code", "subtopiclabel": "label", "name": "label",
    "inclusion": "include", "exclusion": "exclude", "themedefinition": "theme definition",
    "themeguid": "theme guid", "subtopicguid": "guid", "description": "definition",
    "tag": "label", "tagname": "label", "codename": "label",
}
_CANONICAL = {c.replace(" ", ""): c for c in COLUMNS}


def _column(name: str) -> str:
    key = name.casefold().replace(" ", "").replace("_", "").replace("-", "")
    return _CANONICAL.get(key) or _ALIASES.get(key) or name.casefold()


def read_table_codebook(path: Path) -> tuple[Codebook, list[str]]:
    """Read a CSV/TSV/XLSX codebook; every problem is reported at once (``file:row``).

    Returns the codebook and what the reader had to decide (a flat list grouped).
    """
    table = read_table(path)
    columns = [_column(h) for h in table.header]
    if "label" in columns and not {"theme code", "subtopic code"} & set(columns):
        return _flat_codebook(path, table, columns)
    missing = [c for c in ("theme code", "subtopic code", "label") if c not in columns]
    if missing:
        raise InputError(path, f"has no {', '.join(repr(m) for m in missing)} column; the "
                         f"header should be: {', '.join(COLUMNS[:9])}", 1)
    keys = dict(zip([h.casefold() for h in table.header], columns, strict=True))
    where = str(path)
    problems: list[str] = []
    themes: dict[str, tuple[Theme, list[Subtopic]]] = {}
    for line, raw in table.rows:
        row = {keys.get(k, k): v for k, v in raw.items()}
        tcode, scode = row.get("theme code", ""), row.get("subtopic code", "")
        if not tcode:
            problems.append(f"{where}:{line}: sub-topic {scode or '?'} is outside any theme; "
                            "fill in its theme code")
            continue
        if tcode not in themes:
            label = row.get("theme label", "")
            if not label:
                problems.append(f"{where}:{line}: theme {tcode} has an empty label")
            guid = check_guid(row.get("theme guid"), f"theme {tcode}", where, line, problems)
            themes[tcode] = (Theme(tcode, label, row.get("theme definition", ""), guid=guid,
                                   line=line), [])
        else:
            first = themes[tcode][0]
            label = row.get("theme label", "")
            if label and first.label and label != first.label:
                problems.append(f"{where}:{line}: theme {tcode} is labelled {label!r} here but "
                                f"{first.label!r} on line {first.line}; use one label")
        if not scode:
            if row.get("label"):
                problems.append(f"{where}:{line}: sub-topic {row['label']!r} has no code")
            continue
        if not row.get("label"):
            problems.append(f"{where}:{line}: sub-topic {scode} has an empty label")
        themes[tcode][1].append(_subtopic(row, tcode, where, line, problems))
    check_unique(list(themes.values()), where, problems)
    if problems:
        raise ValidationError(f"{where}: {len(problems)} problem(s) in the codebook", problems)
    if not themes:
        raise InputError(path, "has no rows; write one row per sub-topic under the header")
    return Codebook(title=path.stem, themes=tuple(
        Theme(t.code, t.label, t.definition, tuple(subs), t.guid, t.line)
        for t, subs in themes.values())), []


UNGROUPED = "Ungrouped codes"
# GUIDs of a flat list's themes and sub-topics are made from their names in
# this namespace, so the same name is the same sub-topic in every version.
_FLAT = uuid.UUID("5b0f7a52-3c1e-4d8e-9a57-2f3e0c6d1b84")


def _flat_guid(*names: str) -> str:
    return str(uuid.uuid5(_FLAT, "::".join(n.casefold() for n in names)))


def _flat_codebook(path: Path, table: Table,
                   columns: list[str]) -> tuple[Codebook, list[str]]:
    keys = dict(zip([h.casefold() for h in table.header], columns, strict=True))
    where = str(path)
    problems: list[str] = []
    groups: dict[str, list[tuple[str, str, int]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, raw in table.rows:
        row = {keys.get(k, k): v for k, v in raw.items()}
        name = row.get("label", "").strip()
        if not name:
            if any(v.strip() for v in raw.values()):
                problems.append(f"{where}:{line}: a row with no name; fill in its "
                                f"{table.header[columns.index('label')]}")
            continue
        theme, _, label = name.rpartition("::") if "::" in name else ("", "", name)
        theme, label = theme.strip() or UNGROUPED, label.strip()
        key = (theme.casefold(), label.casefold())
        if key in seen:
            problems.append(f"{where}:{line}: {name!r} is listed again (first on line "
                            f"{seen[key]}); list each code once")
            continue
        seen[key] = line
        groups.setdefault(theme, []).append((label, row.get("definition", ""), line))
    if problems:
        raise ValidationError(f"{where}: {len(problems)} problem(s) in the codebook", problems)
    if not groups:
        raise InputError(path, "has no rows; write one row per code under the header")
    themes = []
    for t, (theme, subs) in enumerate(groups.items(), 1):
        themes.append(Theme(str(t), theme, guid=_flat_guid(theme), line=subs[0][2], subtopics=tuple(
            Subtopic(code=f"{t}.{i}", label=label, theme_code=str(t), definition=definition,
                     guid=_flat_guid(theme, label), line=line)
            for i, (label, definition, line) in enumerate(subs, 1))))
    count = sum(len(subs) for subs in groups.values())
    grouped = (f"one theme, {themes[0].code} {themes[0].label!r}" if len(themes) == 1
               else f"{len(themes)} themes, from the names before '::'")
    return Codebook(title=path.stem, themes=tuple(themes)), [
        f"{path.name}: a flat list of {count} codes (no theme column): they are sub-topics "
        f"of {grouped}, matched by name when the list is read again; group them into "
        "themes with `fqda codebook move`, or add theme code and theme label columns"]


def _subtopic(row: dict[str, str], theme: str, where: str, line: int,
              problems: list[str]) -> Subtopic:
    code = row["subtopic code"]
    patterns: object = None
    if row.get("patterns"):
        try:
            patterns = json.loads(row["patterns"])
        except ValueError:
            problems.append(f"{where}:{line}: patterns of {code} cannot be parsed: write them "
                            'as JSON, e.g. [[{"LOWER": "pooled"}, {"LEMMA": "budget"}]]')
    keywords = tuple(k.strip() for k in row.get("keywords", "").split(";") if k.strip())
    excluded = tuple(k.strip() for k in row.get("exclude keywords", "").split(";")
                     if k.strip())
    return Subtopic(
        code=code, label=row.get("label", ""), theme_code=theme,
        definition=row.get("definition", ""), include=row.get("include", ""),
        exclude=row.get("exclude", ""), example=row.get("example", ""), keywords=keywords,
        guid=check_guid(row.get("guid"), f"sub-topic {code}", where, line, problems), line=line,
        patterns=check_patterns(patterns, code, where, line, problems),
        exclude_keywords=excluded,
    )


def codebook_rows(cb: Codebook) -> list[list[str]]:
    """Header and one row per sub-topic (a theme with none gets one row of its own)."""
    rows = [[c.replace(" ", "_") for c in COLUMNS]]
    for t in cb.themes:
        head = [t.code, t.label]
        tail = [t.definition, t.guid]
        if not t.subtopics:
            rows.append([*head, *[""] * 7, *tail, "", "", ""])
        for s in t.subtopics:
            rows.append([*head, s.code, s.label, s.definition, s.include, s.exclude,
                         s.example, "; ".join(s.keywords), *tail, s.guid,
                         json.dumps(list(s.patterns), ensure_ascii=False) if s.patterns
                         else "", "; ".join(s.exclude_keywords)])
    return rows


def table_codebook_bytes(cb: Codebook, fmt: str, delimiter: str = ",") -> bytes:
    """The codebook as CSV (UTF-8 with BOM, so Excel reads accents) or XLSX."""
    rows = codebook_rows(cb)
    if fmt == "csv":
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=delimiter).writerows(csv_row(r) for r in rows)
        return out.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from framework_qda.cell_text import safe_text

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = "Codebook"
    for row in rows:
        ws.append([safe_text(v) for v in row])
        for cell in ws[ws.max_row]:
            # Text such as "=a" or "-1" must stay text, never a formula or number.
            cell.data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (8, 28, 10, 32, 50, 30, 30, 30, 30), strict=True):
        ws.column_dimensions[letter].width = width
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()
