"""REFI-QDA projects written: ``project.qde`` (valid against ``Project.xsd``) and
one ``sources/<guid>.txt`` (UTF-8, ``\\n`` line endings) per source, the layout the
standard prescribes, through the study's safe file writer.  ``project_export.py``
builds the records (:class:`OutProject`) from a study.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework_qda.refi.reading import NAMESPACE, RefiSet


@dataclass(frozen=True)
class OutCoding:
    guid: str
    code_guid: str
    user: str
    created: str
    note: str = ""


@dataclass(frozen=True)
class OutSelection:
    guid: str
    start: int
    end: int
    name: str
    user: str
    created: str
    codings: tuple[OutCoding, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutSource:
    guid: str
    name: str
    text: str
    description: str
    selections: tuple[OutSelection, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutNote:
    guid: str
    name: str
    text: str
    description: str = ""
    user: str = ""
    created: str = ""


@dataclass(frozen=True)
class OutCase:
    guid: str
    name: str
    values: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]


@dataclass
class OutProject:
    name: str
    codebook: Any
    """The study's :class:`~framework_qda.model.Codebook`."""
    users: list[tuple[str, str]] = field(default_factory=list)
    variables: list[tuple[str, str]] = field(default_factory=list)
    cases: list[OutCase] = field(default_factory=list)
    sources: list[OutSource] = field(default_factory=list)
    notes: list[OutNote] = field(default_factory=list)
    links: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(GUID, origin GUID, target GUID, name)."""
    sets: list[RefiSet] = field(default_factory=list)
    parent_codes: dict[str, str] = field(default_factory=dict)
    """Sub-topic code -> its theme's GUID, for a sub-topic that holds the codings a
    project made on the theme's code itself: written as codings of that code."""


def project_xml(p: OutProject, origin: str = "framework-qda") -> bytes:
    """The project as REFI-QDA project XML, valid against ``Project.xsd``."""
    import xml.etree.ElementTree as ET

    from framework_qda.cell_text import clean as xml_safe
    from framework_qda.refi.codebook import code_description, valid_guid

    ET.register_namespace("", NAMESPACE)

    def q(tag: str) -> str:
        return f"{{{NAMESPACE}}}{tag}"

    def sub(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None,
            text: str | None = None) -> ET.Element:
        elem = ET.SubElement(parent, q(tag), {k: xml_safe(v) for k, v in (attrs or {}).items()
                                             if v != ""})
        if text is not None:
            elem.text = xml_safe(text)
        return elem

    root = ET.Element(q("Project"), {"name": xml_safe(p.name), "origin": origin})
    if p.users:
        users = sub(root, "Users")
        for guid, name in p.users:
            sub(users, "User", {"guid": guid, "name": name})
    cb = p.codebook
    if cb.themes:
        codes = sub(sub(root, "CodeBook"), "Codes")
        for t in cb.themes:
            coded = any(s.code in p.parent_codes for s in t.subtopics)
            te = sub(codes, "Code", {"guid": valid_guid(t.guid, t.code),
                                     "name": f"{t.code} {t.label}",
                                     "isCodable": "true" if coded else "false"})
            if t.definition:
                sub(te, "Description", text=t.definition)
            for s in t.subtopics:
                if s.code in p.parent_codes:
                    continue
                se = sub(te, "Code", {"guid": valid_guid(s.guid, s.code),
                                      "name": f"{s.code} {s.label}", "isCodable": "true"})
                if code_description(s):
                    sub(se, "Description", text=code_description(s))
    if p.variables:
        variables = sub(root, "Variables")
        for guid, name in p.variables:
            sub(variables, "Variable", {"guid": guid, "name": name, "typeOfVariable": "Text"})
    if p.cases:
        cases = sub(root, "Cases")
        for c in p.cases:
            ce = sub(cases, "Case", {"guid": c.guid, "name": c.name})
            for var, value in c.values:
                vv = sub(ce, "VariableValue")
                sub(vv, "VariableRef", {"targetGUID": var})
                sub(vv, "TextValue", text=value)
            for s in c.sources:
                sub(ce, "SourceRef", {"targetGUID": s})
    if p.sources:
        sources = sub(root, "Sources")
        for src in p.sources:
            se = sub(sources, "TextSource", {"guid": src.guid, "name": src.name,
                                             "plainTextPath": f"internal://{src.guid}.txt"})
            if src.description:
                sub(se, "Description", text=src.description)
            for sel in src.selections:
                sl = sub(se, "PlainTextSelection", {
                    "guid": sel.guid, "name": sel.name, "startPosition": str(sel.start),
                    "endPosition": str(sel.end), "creatingUser": sel.user,
                    "creationDateTime": _datetime(sel.created)})
                for oc in sel.codings:
                    ce = sub(sl, "Coding", {"guid": oc.guid, "creatingUser": oc.user,
                                            "creationDateTime": _datetime(oc.created)})
                    sub(ce, "CodeRef", {"targetGUID": oc.code_guid})
                    if oc.note:
                        sub(ce, "NoteRef", {"targetGUID": oc.note})
                for n in sel.notes:
                    sub(sl, "NoteRef", {"targetGUID": n})
            for n in src.notes:
                sub(se, "NoteRef", {"targetGUID": n})
    if p.notes:
        notes = sub(root, "Notes")
        for note in p.notes:
            ne = sub(notes, "Note", {"guid": note.guid, "name": note.name,
                                     "creatingUser": note.user,
                                     "creationDateTime": _datetime(note.created)})
            if note.description:
                sub(ne, "Description", text=note.description)
            sub(ne, "PlainTextContent", text=note.text)
    if p.links:
        links = sub(root, "Links")
        for guid, origin_guid, target, name in p.links:
            sub(links, "Link", {"guid": guid, "name": name, "direction": "OneWay",
                                "originGUID": origin_guid, "targetGUID": target})
    if p.sets:
        sets = sub(root, "Sets")
        for st in p.sets:
            se = sub(sets, "Set", {"guid": st.guid, "name": st.name})
            if st.description:
                sub(se, "Description", text=st.description)
            for want in ("code", "source", "note"):
                for kind, target in st.members:
                    if kind == want:
                        sub(se, f"Member{kind.title()}", {"targetGUID": target})
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def _datetime(value: str) -> str:
    """An ``xsd:dateTime`` from a stored time stamp, or "" (the attribute is then left out)."""

    m = re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$", value)
    return value if m else ""


def write_archive(path: Path, p: OutProject) -> Path:
    """Write ``project.qde`` and ``sources/<guid>.txt`` as a .qdpx, whole or not at all."""
    from framework_qda.files import replacing

    xml = project_xml(p)
    with replacing(path, "the project") as fh, \
            zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml)
        for src in p.sources:
            zf.writestr(f"sources/{src.guid}.txt", src.text.encode("utf-8"))
    return path
