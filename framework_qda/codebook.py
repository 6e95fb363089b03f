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

Sub-topics may also be listed at the top level under ``subtopics:`` with a
``theme:`` key naming their theme's code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from framework_qda.errors import InputError, ValidationError
from framework_qda.ingest.encoding import decode
from framework_qda.ingest.readers import read_bytes
from framework_qda.model import Codebook, Subtopic, Theme

_TEXT_FIELDS = ("definition", "include", "exclude", "example")


def read_codebook(path: Path) -> Codebook:
    """Read and validate a codebook file; every problem is reported at once."""
    if not path.exists():
        raise InputError(path, "does not exist")
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(path, f"is a {path.suffix or 'suffix-less'} file; codebooks are read "
                         "from .yaml files")
    text, _ = decode(read_bytes(path), path)
    return parse_codebook(text, str(path))


def parse_codebook(text: str, where: str = "<codebook>") -> Codebook:
    """Parse codebook YAML text; ``where`` names it in error messages."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(where, f"is not valid YAML ({getattr(exc, 'problem', exc)})", line) \
            from None
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
    _check_unique(themes, where, problems)
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
    return Theme(code, label, str(data.get("definition") or "").strip(),
                 guid=str(data.get("guid") or "").strip(), line=_line(node))


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
    keywords = data.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    if not isinstance(keywords, list):
        problems.append(f"{where}:{_line(node)}: keywords of {code} must be a list of words")
        keywords = []
    return Subtopic(
        code=code, label=label, theme_code=theme_code,
        **{f: str(data.get(f) or "").strip() for f in _TEXT_FIELDS},
        keywords=tuple(str(k) for k in keywords), guid=str(data.get("guid") or "").strip(),
        line=_line(node),
    )


def _check_unique(
    themes: list[tuple[Theme, list[Subtopic]]], where: str, problems: list[str]
) -> None:
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
