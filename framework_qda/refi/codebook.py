"""REFI-QDA codebook exchange (``.qdc``), as NVivo, ATLAS.ti and MAXQDA write it.

Import maps a code tree onto the two levels of a framework:

- a first-level code becomes a theme, its children the theme's sub-topics;
- codes nested deeper are folded into their second-level ancestor, whose
  definition then lists them by path (``Parent › Child``), with a warning;
- a first-level code with no children becomes a theme holding one sub-topic
  of the same name (the sub-topic keeps the code's GUID, since that is what
  codings point at);
- ATLAS.ti's flat ``Parent::Child`` names are read as nesting;
- a leading number in a name (``2 Structures``, ``2.3 Pooled budgets``,
  NVivo's ``1. Access``) becomes the code; codes without one are numbered
  ``1``, ``2``… and ``1.1``, ``1.2``… in document order.

Export writes ``2.3 Label`` names and a ``Description`` holding the
definition followed by ``Include:``, ``Exclude:``, ``Example:``, ``Keywords:``
and ``Patterns:`` lines, so a round trip keeps the whole framework.  Both the
``urn:QDA-XML:codebook:1.0`` namespace and the ``…:1:0`` variant some
programs write are accepted; GUIDs are matched without regard to case or
braces.  XML is parsed with external entities refused.
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework_qda.errors import InputError
from framework_qda.model import Codebook, Subtopic, Theme

NAMESPACE = "urn:QDA-XML:codebook:1.0"
MAX_XML_BYTES = 200_000_000
"""Largest project XML read from a .qdpx; a bigger (or lying) member is refused."""
_GUID_NS = uuid.UUID("6f0b3c55-2d1e-4c9a-9a43-6c1f5b0e7a21")
_FIELDS = (("Include", "include"), ("Exclude", "exclude"), ("Example", "example"))
_THEME_NUMBER = re.compile(r"^(\d+)\.?\s+(\S.*)$", re.S)
_SUB_NUMBER = re.compile(r"^(\d+\.\d+)\.?\s+(\S.*)$", re.S)
PATH_SEP = " › "


@dataclass
class _Node:
    name: str
    guid: str
    description: str
    children: list[_Node] = field(default_factory=list)


# -- reading ------------------------------------------------------------------
def read_refi_codebook(path: Path) -> tuple[Codebook, list[str]]:
    """The framework in a .qdc codebook, a .qdpx project or a .qde project file.

    Returns it with warnings (folded levels).  Raises :class:`InputError` for
    anything that is not a REFI-QDA codebook.
    """
    data = _project_xml(path) if path.suffix.lower() == ".qdpx" else _read(path)
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data)
    except ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise InputError(path, f"is not well-formed XML ({exc})", line) from None
    except DefusedXmlException:
        raise InputError(path, "declares XML entities or a DTD, which are refused for safety; "
                         "export the codebook again from your QDA program") from None
    book = root if _local(root.tag) == "CodeBook" else next(
        (e for e in root.iter() if _local(e.tag) == "CodeBook"), None)
    if book is None:
        raise InputError(path, "has no <CodeBook>; is it a REFI-QDA codebook (.qdc) or "
                         "project (.qdpx)?")
    codes = next((e for e in book if _local(e.tag) == "Codes"), None)
    nodes = [_node(e) for e in (codes if codes is not None else []) if _local(e.tag) == "Code"]
    if not nodes:
        raise InputError(path, "has an empty code book: there are no <Code> elements")
    warnings: list[str] = []
    themes = _frame(_unflatten(nodes), str(path), warnings)
    title = str(root.get("name") or path.stem)  # a project's name; a .qdc has none
    return Codebook(title=title, themes=themes), warnings


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_XML_BYTES:
            raise InputError(path, f"is over {MAX_XML_BYTES // 1_000_000} MB; refused")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None


def _project_xml(path: Path) -> bytes:
    """The project XML inside a .qdpx zip (``project.qde``, any case, or one ``*.qde``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".qde")]
            top = [n for n in names if "/" not in n]
            chosen = next((n for n in top if n.lower() == "project.qde"), None)
            chosen = chosen or (top[0] if len(top) == 1 else None)
            chosen = chosen or (names[0] if len(names) == 1 else None)
            if chosen is None:
                raise InputError(path, "holds no project.qde; is it a REFI-QDA project?")
            info = zf.getinfo(chosen)
            if info.file_size > MAX_XML_BYTES:
                raise InputError(path, f"{chosen} would unpack to {info.file_size:,} bytes; "
                                 "refused as a possible zip bomb")
            with zf.open(chosen) as fh:
                # Read one byte past the limit: a header that lies about the size
                # cannot make us inflate more than that.
                data = fh.read(MAX_XML_BYTES + 1)
            if len(data) > MAX_XML_BYTES:
                raise InputError(path, f"{chosen} unpacks to more than {MAX_XML_BYTES:,} "
                                 "bytes; refused as a possible zip bomb")
            return data
    except (zipfile.BadZipFile, OSError):
        raise InputError(path, "is not a readable .qdpx (zip) file") from None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _node(elem: Any) -> _Node:
    desc = next((c.text or "" for c in elem if _local(c.tag) == "Description"), "")
    return _Node(
        name=" ".join(str(elem.get("name") or "").split()),
        guid=str(elem.get("guid") or "").strip().strip("{}").lower(),
        description=desc.strip(),
        children=[_node(c) for c in elem if _local(c.tag) == "Code"],
    )


def _unflatten(nodes: list[_Node]) -> list[_Node]:
    """Read ATLAS.ti's ``Parent::Child`` names at the top level as nesting.

    A parent code may come after its children in the file, so codes without
    ``::`` are placed first and the named children attached afterwards.
    """
    top: list[_Node] = []
    by_name: dict[str, _Node] = {}
    for n in nodes:
        if "::" not in n.name:
            top.append(n)
            by_name.setdefault(n.name.casefold(), n)
    order = {id(n): i for i, n in enumerate(nodes)}
    for n in nodes:
        if "::" not in n.name:
            continue
        parts = [p.strip() for p in n.name.split("::") if p.strip()]
        parent_name = parts[0]
        parent = by_name.get(parent_name.casefold())
        if parent is None:
            parent = _Node(parent_name, "", "")
            order[id(parent)] = order[id(n)]
            by_name[parent_name.casefold()] = parent
            top.append(parent)
        n.name = "::".join(parts[1:]) or n.name
        parent.children.append(n)
    top.sort(key=lambda n: order[id(n)])
    return top


def _frame(nodes: list[_Node], where: str, warnings: list[str]) -> tuple[Theme, ...]:
    theme_codes: set[str] = set()
    themes: list[Theme] = []
    for node in nodes:
        m = _THEME_NUMBER.match(node.name)
        code, label = (m.group(1), m.group(2)) if m and m.group(1) not in theme_codes \
            else ("", node.name)
        code = code or _next_free(theme_codes, "")
        theme_codes.add(code)
        fields = _fields(node.description)
        if not node.children:
            # A lone code: theme and sub-topic both carry its name; the sub-topic
            # keeps the code's GUID because codings in a project point at it.
            sub = Subtopic(code=f"{code}.1", label=label, theme_code=code,
                           guid=node.guid, **fields)
            themes.append(Theme(code, label, fields["definition"], (sub,),
                                guid=_derived(node.guid, "theme")))
            continue
        sub_codes: set[str] = set()
        subs = []
        for child in node.children:
            cm = _SUB_NUMBER.match(child.name)
            scode, slabel = (cm.group(1), cm.group(2)) if cm and cm.group(1).startswith(
                code + ".") and cm.group(1) not in sub_codes else ("", child.name)
            scode = scode or _next_free(sub_codes, code + ".")
            sub_codes.add(scode)
            sfields = _fields(child.description)
            folded = list(_descendants(child, [child.name]))
            if folded:
                paths = [PATH_SEP.join(p) for p, _ in folded]
                # Each deeper code keeps its description under its path.
                extra = "Folded deeper codes: " + "; ".join(paths) + "".join(
                    f"\n\n{PATH_SEP.join(p)}: {d}" for p, d in folded if d)
                sfields["definition"] = "\n\n".join(x for x in (sfields["definition"], extra)
                                                    if x)
                warnings.append(f"{where}: {len(folded)} code(s) nested below {scode} "
                                f"{slabel} were folded into it with their descriptions "
                                "(a framework has two levels): "
                                + "; ".join(paths[:5]) + (" …" if len(paths) > 5 else ""))
            subs.append(Subtopic(code=scode, label=slabel, theme_code=code, guid=child.guid,
                                 **sfields))
        # a theme's description is its definition, whole: only a sub-topic's carries
        # labelled lines, so a theme's own line starting "Keywords:" stays its words
        themes.append(Theme(code, label, node.description.strip(), tuple(subs),
                            guid=node.guid))
    return tuple(themes)


def _descendants(node: _Node, path: list[str]) -> list[tuple[list[str], str]]:
    """Every code below ``node``: its path of names and its description."""
    found: list[tuple[list[str], str]] = []
    for child in node.children:
        found.append(([*path, child.name], child.description))
        found.extend(_descendants(child, [*path, child.name]))
    return found


def _next_free(taken: set[str], prefix: str) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _derived(guid: str, role: str) -> str:
    """A GUID made from another, the same on every import (so re-imports match)."""
    return str(uuid.uuid5(_GUID_NS, f"{role}:{guid}")) if guid else ""


def _fields(description: str) -> dict[str, Any]:
    """Split our labelled ``Include:``… lines back out of a Description."""
    out: dict[str, Any] = {"definition": "", "include": "", "exclude": "", "example": "",
                           "keywords": (), "patterns": ()}
    labels = {f"{label}:": key for label, key in _FIELDS}
    definition: list[str] = []
    for line in description.split("\n"):
        head, _, rest = line.partition(" ")
        if head in labels:
            out[labels[head]] = rest.strip()
        elif head == "Keywords:":
            out["keywords"] = tuple(k.strip() for k in rest.split(";") if k.strip())
        elif head == "Patterns:":
            try:
                value = json.loads(rest)
                out["patterns"] = tuple(value) if isinstance(value, list) else ()
            except ValueError:
                definition.append(line)
        else:
            # a definition's own line that looked like a label was written escaped
            definition.append(line[1:] if line.startswith("\\") else line)
    out["definition"] = "\n".join(definition).strip()
    return out


_LABELS = {*(f"{label}:" for label, _ in _FIELDS), "Keywords:", "Patterns:"}


def _escaped(definition: str) -> str:
    """A sub-topic's definition as its Description's first lines: a line of its own that
    starts like a labelled line (``Keywords: …``) or with a backslash gets a backslash
    before it, so reading the file back gives the definition, not a field."""
    return "\n".join("\\" + line if line.partition(" ")[0] in _LABELS
                     or line.startswith("\\") else line for line in definition.split("\n"))


# -- writing ------------------------------------------------------------------
def qdc_text(cb: Codebook, origin: str = "framework-qda") -> str:
    """The codebook as REFI-QDA codebook XML (valid against ``Codebook.xsd``).

    Themes are written as non-codable codes holding their sub-topics.  GUIDs
    are the stored ones, so every export of the same framework names each
    code alike.  No empty ``<Sets/>`` is written (the schema forbids it).
    """
    import xml.etree.ElementTree as ET

    if not cb.subtopics and not cb.themes:
        raise InputError("codebook", "is empty; import a codebook before exporting it")
    ET.register_namespace("", NAMESPACE)

    def q(tag: str) -> str:
        return f"{{{NAMESPACE}}}{tag}"

    def code(parent: ET.Element, name: str, guid: str, codable: bool, description: str
             ) -> ET.Element:
        elem = ET.SubElement(parent, q("Code"), {"guid": guid, "name": name,
                                                  "isCodable": "true" if codable else "false"})
        if description:
            ET.SubElement(elem, q("Description")).text = description
        return elem

    root = ET.Element(q("CodeBook"), {"origin": origin})
    codes = ET.SubElement(root, q("Codes"))
    for t in cb.themes:
        elem = code(codes, f"{t.code} {t.label}", _valid_guid(t.guid, t.code), False,
                    t.definition)
        for s in t.subtopics:
            code(elem, f"{s.code} {s.label}", _valid_guid(s.guid, s.code), True,
                 _description(s))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"


def write_qdc(cb: Codebook, path: Path) -> None:
    from framework_qda.files import write_file

    write_file(path, qdc_text(cb), "the codebook")


def _description(s: Subtopic) -> str:
    lines = [_escaped(s.definition)] if s.definition else []
    lines += [f"{label}: {' '.join(getattr(s, key).split())}" for label, key in _FIELDS
              if getattr(s, key)]
    if s.keywords:
        lines.append("Keywords: " + "; ".join(s.keywords))
    if s.patterns:
        lines.append("Patterns: " + json.dumps(list(s.patterns), ensure_ascii=False))
    return "\n".join(lines)


def _valid_guid(guid: str, code: str) -> str:
    """The stored GUID, or (for a codebook never stored) one derived from the code."""
    try:
        return str(uuid.UUID(guid.strip().strip("{}")))
    except ValueError:
        return str(uuid.uuid5(_GUID_NS, f"code:{code}"))


def project_codebook(book: Any, where: str, title: str
                     ) -> tuple[Codebook, list[str], dict[str, str]]:
    """The framework in a project's ``<CodeBook>`` element, its warnings, and for every
    code's GUID the sub-topic code its codings land in (``""`` for a code that became
    a theme, which holds no codings)."""
    codes = next((e for e in book if _local(e.tag) == "Codes"), None) if book is not None \
        else None
    nodes = _unflatten([_node(e) for e in (codes if codes is not None else [])
                        if _local(e.tag) == "Code"])
    warnings: list[str] = []
    themes = _frame(nodes, where, warnings)
    lands: dict[str, str] = {}
    for node, theme in zip(nodes, themes, strict=True):
        if not node.children:
            lands[node.guid] = theme.subtopics[0].code
            continue
        lands[node.guid] = ""
        for child, sub in zip(node.children, theme.subtopics, strict=True):
            for guid in [child.guid, *_descendant_guids(child)]:
                lands[guid] = sub.code
    lands.pop("", None)
    return Codebook(title=title, themes=themes), warnings, lands


def _descendant_guids(node: _Node) -> list[str]:
    out: list[str] = []
    for child in node.children:
        out.append(child.guid)
        out.extend(_descendant_guids(child))
    return out


def code_description(s: Subtopic) -> str:
    """A sub-topic's REFI ``Description``: definition, then Include/Exclude/… lines."""
    return _description(s)


def valid_guid(guid: str, code: str) -> str:
    return _valid_guid(guid, code)
