"""Comparing two codebooks: what was added, removed, renamed (label or code) or
changed, themes then sub-topics, matched by GUID, then code, then an unchanged
label or definition (files without GUIDs).  Changing the stored framework is
:mod:`framework_qda.codebook_changes`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from framework_qda.model import Codebook, Subtopic, Theme, normal_guid


@dataclass(frozen=True)
class Difference:
    """One line of a codebook diff."""

    kind: str
    """``added``, ``removed``, ``renamed`` (label or code) or ``changed`` (other fields)."""
    code: str
    detail: str


_COMPARED = ("definition", "include", "exclude", "example", "keywords", "patterns",
             "exclude_keywords")


Item = Theme | Subtopic


def diff(old: Codebook, new: Codebook) -> list[Difference]:
    """What changed from ``old`` to ``new``: themes then sub-topics, matched by GUID then code."""
    out: list[Difference] = []
    groups: tuple[tuple[str, list[Item], list[Item]], ...] = (
        ("theme", list(old.themes), list(new.themes)),
        ("sub-topic", list(old.subtopics), list(new.subtopics)))
    for kind, a, b in groups:
        pairs, added, removed = _pair(a, b)
        out += [Difference("removed", x.code, f"{kind} {x.label!r}") for x in removed]
        for x, y in pairs:
            if x.code != y.code:
                out.append(Difference("renamed", y.code, f"{kind} code {x.code} -> {y.code}"))
            if x.label != y.label:
                out.append(Difference("renamed", y.code, f"{kind} label {x.label!r} -> "
                                      f"{y.label!r}"))
            fields = [f for f in _COMPARED if getattr(x, f, None) != getattr(y, f, None)]
            if isinstance(x, Subtopic) and isinstance(y, Subtopic) \
                    and x.theme_code != y.theme_code and x.code == y.code:
                fields.insert(0, "theme")
            if fields:
                out.append(Difference("changed", y.code, f"{kind} {', '.join(fields)}"))
        out += [Difference("added", y.code, f"{kind} {y.label!r}") for y in added]
    return out


def _pair(a: list[Item], b: list[Item]) -> tuple[list[tuple[Item, Item]], list[Item], list[Item]]:
    """Pairs (old, new) matched by GUID first, then by code; then the added and removed."""
    left = list(a)
    pairs: list[tuple[Item, Item]] = []
    added: list[Item] = []
    for y in b:
        gy = normal_guid(y.guid)
        hit = next((x for x in left if gy and normal_guid(x.guid) == gy), None) or next(
            (x for x in left if x.code == y.code
             and not (gy and x.guid and normal_guid(x.guid) != gy)), None)
        if hit is None:
            added.append(y)
            continue
        left.remove(hit)
        pairs.append((hit, y))
    # Files without GUIDs: a code that changed but kept its label (or its
    # definition) is the same sub-topic recoded, not one removed and one added.
    for field in ("label", "definition"):
        for y in list(added):
            want = str(getattr(y, field)).casefold()
            hit = next((x for x in left if want and str(getattr(x, field)).casefold() == want),
                       None)
            if hit is not None:
                left.remove(hit)
                added.remove(y)
                pairs.append((hit, y))
    return pairs, added, left


def diff_files(old: Path, new: Path) -> list[Difference]:
    """:func:`diff` of two codebook files of any supported formats."""
    from framework_qda.codebook import read_codebook

    return diff(read_codebook(old), read_codebook(new))
