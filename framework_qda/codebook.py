"""The working analytical framework: reading and checking codebook files.

YAML layout (see README)::

    title: My study
    groups: [Group A, Group B]        # optional: order of sample groups
    themes:
      - code: "1"
        label: Relationships
        definition: ...
        subtopics:
          - code: "1.1"
            label: Personal relationships
            definition: ...
            include: ...
            exclude: ...
            example: ...
            keywords: [trust, relationship]
            exclude_keywords: [hospital trust, NHS trust]

Sub-topics may also be listed at the top level under ``subtopics:`` with a
``theme:`` key naming their theme's code.  A sub-topic may carry
``patterns:``, spaCy Matcher token patterns (each a list of token dicts, e.g.
``[{LOWER: pooled}, {LEMMA: budget}]``) used by rule-based suggestions, and a
``guid:`` (kept stable for REFI-QDA exchange).  ``exclude_keywords:`` lists
phrases inside which a keyword or pattern match does not count (``trust``
suggests the sub-topic, but not inside ``hospital trusts``).

Other formats (CSV/XLSX in :mod:`framework_qda.codebook_formats`, REFI-QDA in
:mod:`framework_qda.refi.codebook`) are read through :func:`load_codebook`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framework_qda.errors import InputError, ValidationError
from framework_qda.ingest.encoding import decode
from framework_qda.ingest.readers import read_bytes
from framework_qda.model import Codebook, Subtopic, Theme

_TEXT_FIELDS = ("definition", "include", "exclude", "example")


YAML_SUFFIXES = (".yaml", ".yml")
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")
REFI_SUFFIXES = (".qdc", ".qdpx", ".qde")
FORMATS = ("yaml", "csv", "xlsx", "qdc")


def read_codebook(path: Path) -> Codebook:
    """Read and validate a codebook file of any supported format (warnings dropped)."""
    return load_codebook(path)[0]


def load_codebook(path: Path) -> tuple[Codebook, list[str]]:
    """Read and validate a codebook file; returns it with any warnings.

    YAML, CSV/TSV, XLSX and REFI-QDA (.qdc, or the codebook inside a .qdpx
    or .qde project) are recognised by suffix.  Every problem is reported at once in
    one :class:`ValidationError` (``file:line: message``).
    """
    if not path.exists():
        raise InputError(path, "does not exist")
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        text, _ = decode(read_bytes(path), path)
        return parse_codebook(text, str(path)), []
    if suffix in TABLE_SUFFIXES:
        from framework_qda.codebook_formats import read_table_codebook

        return read_table_codebook(path)
    if suffix in REFI_SUFFIXES:
        from framework_qda.refi.codebook import read_refi_codebook

        return read_refi_codebook(path)
    known = (*YAML_SUFFIXES, *TABLE_SUFFIXES, *REFI_SUFFIXES)
    raise InputError(path, f"is a {path.suffix or 'suffix-less'} file; codebooks are read from "
                     f"{', '.join(known[:-1])} or {known[-1]} files")


def write_codebook(cb: Codebook, path: Path, fmt: str | None = None) -> Path:
    """Write a codebook as ``fmt`` (default: from the suffix); returns the path.

    Written whole or not at all (:func:`framework_qda.files.write_file`); raises
    :class:`FqdaError` when the file cannot be written.
    """
    from framework_qda.files import write_file

    return write_file(path, codebook_bytes(cb, path, fmt), "the codebook")


def codebook_bytes(cb: Codebook, path: Path, fmt: str | None = None) -> bytes:
    """The codebook as the file :func:`write_codebook` writes at ``path``."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = {"yml": "yaml", "tsv": "csv", "xlsm": "xlsx"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError(path, f"cannot write a codebook as {fmt or 'a suffix-less file'}; "
                         f"use one of {', '.join(FORMATS)}")
    if fmt == "yaml":
        return codebook_yaml(cb).encode("utf-8")
    if fmt == "qdc":
        from framework_qda.refi.codebook import qdc_text

        return qdc_text(cb).encode("utf-8")
    from framework_qda.codebook_formats import table_codebook_bytes

    return table_codebook_bytes(cb, fmt, "\t" if path.suffix.lower() == ".tsv" else ",")


def codebook_yaml(cb: Codebook) -> str:
    """The codebook as YAML in the layout :func:`parse_codebook` reads (GUIDs included)."""
    import yaml

    def sub(s: Subtopic) -> dict[str, object]:
        data: dict[str, object] = {"code": s.code, "label": s.label}
        data.update({f: getattr(s, f) for f in _TEXT_FIELDS if getattr(s, f)})
        if s.keywords:
            data["keywords"] = _Flow(s.keywords)
        if s.exclude_keywords:
            data["exclude_keywords"] = _Flow(s.exclude_keywords)
        if s.patterns:
            data["patterns"] = [_Flow(p) if isinstance(p, list) else p for p in s.patterns]
        if s.guid:
            data["guid"] = s.guid
        return data

    root: dict[str, object] = {}
    if cb.title:
        root["title"] = cb.title
    if cb.groups:
        root["groups"] = _Flow(cb.groups)
    themes = []
    for t in cb.themes:
        theme: dict[str, object] = {"code": t.code, "label": t.label}
        if t.definition:
            theme["definition"] = t.definition
        if t.guid:
            theme["guid"] = t.guid
        theme["subtopics"] = [sub(s) for s in t.subtopics]
        themes.append(theme)
    root["themes"] = themes

    class Dumper(yaml.SafeDumper):
        pass

    # Keywords and each pattern on one line, as people write them by hand.
    Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence(
        "tag:yaml.org,2002:seq", v, flow_style=True))
    # Definitions written over several lines stay readable as literal blocks.
    Dumper.add_representer(str, lambda d, v: d.represent_scalar(
        "tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))
    return str(yaml.dump(root, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100))


class _Flow(list[object]):
    """A list written in YAML flow style (``[a, b]``)."""


def parse_codebook(text: str, where: str = "<codebook>") -> Codebook:
    """Parse codebook YAML text; ``where`` names it in error messages."""
    import yaml

    from framework_qda.config import yaml_loader

    loader = None
    try:
        loader = yaml_loader(text)  # reads the text at once: may refuse a character
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(where, f"is not valid YAML ({getattr(exc, 'problem', exc)})", line) \
            from None
    except RecursionError:
        raise InputError(where, "nests its values too deeply to be a codebook") from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise InputError(where, "is empty; it needs a `themes:` list")
    if not isinstance(root, yaml.MappingNode):
        raise InputError(where, "must be a mapping with a `themes:` list", _line(root))
    top = _mapping(root)
    problems: list[str] = []
    themes: list[tuple[Theme, list[Subtopic]]] = []
    theme_node = top.get("themes")
    if theme_node is None or not isinstance(theme_node, yaml.SequenceNode):
        raise InputError(where, "needs a `themes:` list", _line(theme_node or root))
    for tnode in theme_node.value:
        theme = _theme(tnode, where, problems)
        if theme is None:
            continue
        subs: list[Subtopic] = []
        snodes = _mapping(tnode).get("subtopics") if isinstance(tnode, yaml.MappingNode) else None
        for snode in getattr(snodes, "value", []) or []:
            sub = _subtopic(snode, theme.code, where, problems)
            if sub is not None:
                subs.append(sub)
        themes.append((theme, subs))
    loose = top.get("subtopics")
    for snode in getattr(loose, "value", []) or []:
        data = _plain(snode)
        theme_code = str(data.get("theme", "")).strip() if isinstance(data, dict) else ""
        owner = next((t for t in themes if t[0].code == theme_code), None)
        if owner is None:
            code = data.get("code", "?") if isinstance(data, dict) else "?"
            problems.append(f"{where}:{_line(snode)}: sub-topic {code} is outside any theme; "
                            "give it a `theme:` that names a theme's code, or move it under "
                            "that theme's `subtopics:`")
            continue
        sub = _subtopic(snode, theme_code, where, problems)
        if sub is not None:
            owner[1].append(sub)
    check_unique(themes, where, problems)
    if problems:
        raise ValidationError(f"{where}: {len(problems)} problem(s) in the codebook", problems)
    groups_node = top.get("groups")
    groups = tuple(str(g) for g in (_plain(groups_node) or [])) if groups_node else ()
    title_node = top.get("title")
    return Codebook(
        title=str(_plain(title_node) or "") if title_node else "",
        themes=tuple(
            Theme(t.code, t.label, t.definition, tuple(subs), t.guid, t.line)
            for t, subs in themes
        ),
        groups=groups,
    )


def _theme(node: Any, where: str, problems: list[str]) -> Theme | None:
    data = _plain(node)
    if not isinstance(data, dict):
        problems.append(f"{where}:{_line(node)}: a theme must be a mapping with code and label")
        return None
    code = str(data.get("code") or "").strip()
    label = str(data.get("label") or "").strip()
    if not code:
        problems.append(f"{where}:{_line(node)}: a theme has no code")
    if not label:
        problems.append(f"{where}:{_line(node)}: theme {code or '?'} has an empty label")
    guid = check_guid(data.get("guid"), f"theme {code}", where, _line(node), problems)
    return Theme(code, label, str(data.get("definition") or "").strip(), guid=guid,
                 line=_line(node))


def _subtopic(node: Any, theme_code: str, where: str, problems: list[str]) -> Subtopic | None:
    data = _plain(node)
    if not isinstance(data, dict):
        problems.append(f"{where}:{_line(node)}: a sub-topic must be a mapping with code and label")
        return None
    code = str(data.get("code") or "").strip()
    label = str(data.get("label") or "").strip()
    if not code:
        problems.append(f"{where}:{_line(node)}: a sub-topic of theme {theme_code} has no code")
    if not label:
        problems.append(f"{where}:{_line(node)}: sub-topic {code or '?'} has an empty label")
    keywords = _words(data, "keywords", code, where, _line(node), problems)
    excluded = _words(data, "exclude_keywords", code, where, _line(node), problems)
    pnode = _mapping(node).get("patterns")
    patterns = check_patterns(data.get("patterns"), code, where, _line(pnode or node), problems,
                              [_line(n) for n in getattr(pnode, "value", [])
                               if hasattr(n, "start_mark")])
    return Subtopic(
        code=code, label=label, theme_code=theme_code,
        **{f: str(data.get(f) or "").strip() for f in _TEXT_FIELDS},
        keywords=keywords, exclude_keywords=excluded,
        guid=check_guid(data.get("guid"), f"sub-topic {code}", where, _line(node), problems),
        line=_line(node), patterns=patterns,
    )


def _words(data: dict[str, Any], key: str, code: str, where: str, line: int,
           problems: list[str]) -> tuple[str, ...]:
    """A sub-topic's list of words or phrases (one may be written without a list)."""
    words = data.get(key) or []
    if isinstance(words, str):
        words = [words]
    if not isinstance(words, list):
        problems.append(f"{where}:{line}: {key} of {code} must be a list of words")
        return ()
    bad = [k for k in words if not isinstance(k, str | int | float) or isinstance(k, bool)]
    if bad:
        problems.append(f"{where}:{line}: {key} of {code} must be words or phrases, "
                        f"not {type(bad[0]).__name__}s")
    return tuple(str(k) for k in words if k not in bad)


_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?$")


def check_guid(value: object, what: str, where: str, line: int | None,
               problems: list[str]) -> str:
    """A GUID as written (braces and any case allowed), or a problem when it is not one."""
    guid = str(value or "").strip()
    if guid and not _GUID.match(guid):
        problems.append(f"{where}:{line}: the guid of {what} is not a GUID (8-4-4-4-12 hex "
                        "digits); correct it or delete the line to get a new one")
        return ""
    # One spelling (no braces, lower case) so every format compares and exports alike.
    return guid.strip("{}").lower()


def check_patterns(
    value: object, code: str, where: str, line: int | None, problems: list[str],
    lines: Sequence[int] = (),
) -> tuple[object, ...]:
    """Rule patterns as spaCy's Matcher takes them: a list of patterns, each a non-empty
    list of token dicts with string keys.  Problems are appended (at ``lines[i]`` when
    each pattern's line is known, else ``line``); the good patterns are returned."""
    if value is None or value == []:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}:{line}: patterns of {code} must be a list of patterns, each "
                        "a list of token dicts such as [{LOWER: pooled}, {LEMMA: budget}]")
        return ()
    kept: list[object] = []
    for i, pattern in enumerate(value, start=1):
        if (not isinstance(pattern, list) or not pattern
                or not all(isinstance(t, dict) and t and all(isinstance(k, str) for k in t)
                           for t in pattern)):
            at = lines[i - 1] if len(lines) >= i else line
            problems.append(f"{where}:{at}: pattern {i} of {code} cannot be parsed: it must "
                            "be a list of token dicts such as [{LOWER: pooled}, {LEMMA: budget}]")
            continue
        kept.append(pattern)
    return tuple(kept)


def check_unique(
    themes: list[tuple[Theme, list[Subtopic]]], where: str, problems: list[str]
) -> None:
    """Append a problem for every theme or sub-topic code (or GUID) seen before."""
    seen_t: dict[str, int | None] = {}
    seen_s: dict[str, int | None] = {}
    for theme, subs in themes:
        if theme.code and theme.code in seen_t:
            problems.append(f"{where}:{theme.line}: duplicate theme code {theme.code} "
                            f"(first on line {seen_t[theme.code]})")
        seen_t.setdefault(theme.code, theme.line)
        for sub in subs:
            if sub.code and sub.code in seen_s:
                problems.append(f"{where}:{sub.line}: duplicate sub-topic code {sub.code} "
                                f"(first on line {seen_s[sub.code]})")
            seen_s.setdefault(sub.code, sub.line)
    seen_g: dict[str, tuple[str, int | None]] = {}
    items: list[Theme | Subtopic] = []
    for theme, subs in themes:
        items += [theme, *subs]
    for item in items:
        if item.guid and item.guid in seen_g:
            code, line = seen_g[item.guid]
            problems.append(f"{where}:{item.line}: {item.code} has the same guid as {code} "
                            f"(line {line}); a GUID names one theme or sub-topic, so delete "
                            "one of them to get a new one")
        seen_g.setdefault(item.guid, (item.code, item.line))


def _line(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return int(mark.line) + 1 if mark is not None else 0


def _mapping(node: Any) -> dict[str, Any]:
    return {str(k.value): v for k, v in node.value}


def _plain(node: Any) -> Any:
    import yaml

    if node is None:
        return None
    return yaml.SafeLoader(""  # a loader only to construct values from the composed node
                           ).construct_object(node, deep=True)
