"""REFI-QDA projects (``.qdpx``, or a ``.qde`` beside its sources folder) read.

Reading is pure: the archive is checked before anything is parsed
(:mod:`framework_qda.refi.archive`), the project XML is parsed with
defusedxml (no DTDs, no entities) and must be a ``<Project>`` in the
``urn:QDA-XML:project:1.0`` namespace (or the ``1:0`` variant).  Each text
source's text is read from ``sources/`` (any case) or its ``PlainTextContent``;
a text the project names but does not carry is reported, not guessed.  The
result is plain records (:class:`RefiProject`); ``project.py`` maps them onto a
study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framework_qda.errors import InputError
from framework_qda.refi.archive import Members
from framework_qda.refi.codebook import _local

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

NAMESPACE = "urn:QDA-XML:project:1.0"
_NAMESPACES = (NAMESPACE, "urn:QDA-XML:project:1:0")
TEXT_KINDS = ("TextSource",)
MEDIA_KINDS = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


@dataclass(frozen=True)
class RefiCoding:
    guid: str
    code_guid: str
    user: str
    created: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefiSelection:
    guid: str
    start: int
    end: int
    name: str
    description: str
    user: str
    created: str
    codings: tuple[RefiCoding, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefiSource:
    guid: str
    name: str
    kind: str
    raw: str | None
    """The text as the vendor wrote it (decoded, CRLF kept); None when not carried."""
    data: bytes
    missing: str
    """Why ``raw`` is None (a media source, a text file the archive lacks)."""
    selections: tuple[RefiSelection, ...]
    other_selections: int
    """Selections of a kind that is not text (areas of a picture or page, media times)."""
    description: str = ""
    notes: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RefiNote:
    guid: str
    name: str
    text: str
    description: str
    user: str
    created: str


@dataclass(frozen=True)
class RefiCase:
    guid: str
    name: str
    description: str
    values: tuple[tuple[str, str], ...]
    """(variable GUID, value)."""
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RefiVariable:
    guid: str
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class RefiSet:
    """A set (ATLAS.ti's code or document group, NVivo's set): a named grouping."""

    guid: str
    name: str
    description: str
    members: tuple[tuple[str, str], ...]
    """(kind, GUID): kind ``code``, ``source`` or ``note``."""


@dataclass
class RefiProject:
    name: str
    origin: str
    codebook: Any
    """The ``<CodeBook>`` element (read by :mod:`framework_qda.refi.codebook`), or None."""
    users: dict[str, str] = field(default_factory=dict)
    variables: list[RefiVariable] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    """(origin GUID, target GUID, name)."""
    sets: list[RefiSet] = field(default_factory=list)


def guid_of(value: object) -> str:
    """A GUID as compared: braces and case dropped."""
    return str(value or "").strip().strip("{}").lower()


def decode_text(data: bytes) -> str:
    """Source text as the vendor wrote it: BOM dropped, line endings kept."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_project(path: Path) -> RefiProject:
    """Everything a project holds that a study can keep; raises :class:`InputError`."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    if not path.is_file():
        raise InputError(path, "does not exist")
    members = Members(path)
    data = members.project_xml()
    try:
        root = fromstring(data)
    except ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise InputError(path, f"holds a project file that is not well-formed XML ({exc})",
                         line) from None
    except DefusedXmlException:
        raise InputError(path, "declares XML entities or a DTD, which are refused for "
                         "safety; export the project again from your QDA program") from None
    tag = str(root.tag)
    ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if _local(tag) != "Project" or ns not in _NAMESPACES:
        raise InputError(path, f"is not a REFI-QDA project: its root is <{_local(tag)}> in "
                         f"namespace {ns or '(none)'!r}, expected <Project> in {NAMESPACE}")
    project = RefiProject(name=str(root.get("name") or path.stem),
                          origin=str(root.get("origin") or ""),
                          codebook=_child(root, "CodeBook"))
    for user in _children(_child(root, "Users"), "User"):
        project.users[guid_of(user.get("guid"))] = str(user.get("name") or user.get("id") or "")
    for var in _children(_child(root, "Variables"), "Variable"):
        project.variables.append(RefiVariable(guid_of(var.get("guid")), _name(var),
                                              str(var.get("typeOfVariable") or "Text"),
                                              _text(_child(var, "Description"))))
    for case in _children(_child(root, "Cases"), "Case"):
        project.cases.append(RefiCase(
            guid_of(case.get("guid")), _name(case), _text(_child(case, "Description")),
            _values(case), tuple(guid_of(s.get("targetGUID"))
                                 for s in _children(case, "SourceRef"))))
    sources = _child(root, "Sources")
    for elem in (sources if sources is not None else []):
        kind = _local(elem.tag)
        if kind in TEXT_KINDS or kind in MEDIA_KINDS:
            project.sources.extend(_sources(elem, kind, members))
    for note in _children(_child(root, "Notes"), "Note"):
        data_ = _carried(note, members)
        project.notes.append(RefiNote(
            guid_of(note.get("guid")), _name(note),
            decode_text(data_).replace("\r\n", "\n") if data_ is not None else "",
            _text(_child(note, "Description")), guid_of(note.get("creatingUser")),
            str(note.get("creationDateTime") or "")))
    for link in _children(_child(root, "Links"), "Link"):
        project.links.append((guid_of(link.get("originGUID")), guid_of(link.get("targetGUID")),
                              _name(link)))
    for st in _children(_child(root, "Sets"), "Set"):
        grouped = tuple((kind.lower(), guid_of(m.get("targetGUID") or m.get("guid")))
                        for kind in ("Code", "Source", "Note")
                        for m in _children(st, f"Member{kind}"))
        project.sets.append(RefiSet(guid_of(st.get("guid")), _name(st),
                                    _text(_child(st, "Description")), grouped))
    return project


def _child(elem: Element | None, name: str) -> Element | None:
    if elem is None:
        return None
    return next((c for c in elem if _local(c.tag) == name), None)


def _children(elem: Element | None, name: str) -> list[Element]:
    return [c for c in elem if _local(c.tag) == name] if elem is not None else []


def _text(elem: Element | None) -> str:
    return (elem.text or "").strip() if elem is not None else ""


def _name(elem: Element) -> str:
    return str(elem.get("name") or "")


def _values(elem: Element) -> tuple[tuple[str, str], ...]:
    out = []
    for vv in _children(elem, "VariableValue"):
        ref = _child(vv, "VariableRef")
        value = next((c for c in vv if _local(c.tag).endswith("Value")), None)
        if ref is not None:
            out.append((guid_of(ref.get("targetGUID")), _text(value)))
    return tuple(out)


def _notes(elem: Element) -> tuple[str, ...]:
    return tuple(guid_of(n.get("targetGUID")) for n in _children(elem, "NoteRef"))


def _carried(elem: Element, members: Members) -> bytes | None:
    content = _child(elem, "PlainTextContent")
    if content is not None:
        return (content.text or "").encode("utf-8")
    ref = str(elem.get("plainTextPath") or "")
    return members.source(ref) if ref.startswith("internal://") else None


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _sources(elem: Element, kind: str, members: Members) -> list[RefiSource]:
    """A text source, or the text a media source carries (a PDF's representation,
    an audio or video transcript); media alone is reported as not imported."""
    name = _name(elem) or guid_of(elem.get("guid"))
    if kind == "TextSource":
        texts = [(elem, name)]
    elif kind == "PDFSource":
        texts = [(r, name) for r in _children(elem, "Representation")]
    elif kind in ("AudioSource", "VideoSource"):
        texts = [(t, _name(t) or f"{name} transcript") for t in _children(elem, "Transcript")]
    else:
        texts = []
    other = sum(len(_children(elem, k)) for k in ("PictureSelection", "PDFSelection",
                                                   "AudioSelection", "VideoSelection"))
    other += len(_children(elem, "Coding"))  # codings of the whole source
    if not texts:
        return [RefiSource(guid_of(elem.get("guid")), name, kind, None, b"",
                           f"a {kind[:-6].lower()} source without text", (), other,
                           _text(_child(elem, "Description")), _notes(elem), _values(elem))]
    out = []
    for i, (text_elem, text_name) in enumerate(texts):
        data = _carried(text_elem, members)
        ref = str(text_elem.get("plainTextPath") or "")
        missing = "" if data is not None else (
            f"its text file {ref} is not in the project" if ref
            else "the project carries no text for it")
        selections = tuple(_selection(s) for s in _children(text_elem, "PlainTextSelection"))
        other += len(_children(text_elem, "TranscriptSelection"))
        out.append(RefiSource(
            guid_of(text_elem.get("guid") or elem.get("guid")), text_name, kind,
            decode_text(data) if data is not None else None, data or b"", missing, selections,
            other if i == 0 else 0, _text(_child(elem, "Description")),
            _notes(elem) + (_notes(text_elem) if text_elem is not elem else ()),
            _values(elem)))
    return out


def _selection(elem: Element) -> RefiSelection:
    codings = []
    for c in _children(elem, "Coding"):
        ref = _child(c, "CodeRef")
        codings.append(RefiCoding(guid_of(c.get("guid")),
                                  guid_of(ref.get("targetGUID") if ref is not None else ""),
                                  guid_of(c.get("creatingUser") or elem.get("creatingUser")),
                                  str(c.get("creationDateTime") or ""), _notes(c)))
    return RefiSelection(guid_of(elem.get("guid")), _int(elem.get("startPosition")),
                         _int(elem.get("endPosition")), _name(elem),
                         _text(_child(elem, "Description")),
                         guid_of(elem.get("creatingUser")),
                         str(elem.get("creationDateTime") or ""), tuple(codings), _notes(elem))
