"""The study's settings file, ``fqda.yaml`` at the study root.

Every key is optional::

    case_pattern: '^(?P<case>[A-Za-z]*\\d+)'   # case id from a file name's stem
    groups: [Council chief executive, ...]     # order of sample groups in matrices
    order_by: [area]                           # attributes that order rows within a group
    roles:
      interviewer: [Interviewer, 'Moderator.*'] # names or regular expressions
      participant: []
    attribution: '— {group}, {case}'          # how quotes are attributed
    model: en_core_web_sm                      # an installed spaCy pipeline (default: blank)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.errors import InputError

CONFIG_NAME = "fqda.yaml"
DEFAULT_CASE_PATTERN = r"^(?P<case>[A-Za-z]*\d+)"
DEFAULT_ATTRIBUTION = "— {group}, {case}"
_INTERVIEWER = re.compile(
    r"(?i)(interviewer|moderator|facilitator|researcher|int|i|q)\s*\d*(\s+\d+)?"
)


@dataclass(frozen=True)
class StudyConfig:
    """Settings read from ``fqda.yaml`` (defaults when the file is absent)."""

    case_pattern: str = DEFAULT_CASE_PATTERN
    groups: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    interviewer: tuple[str, ...] = ()
    participant: tuple[str, ...] = ()
    attribution: str = DEFAULT_ATTRIBUTION
    model: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def case_for(self, stem: str) -> str:
        """The case id that a file named ``stem`` belongs to."""
        m = re.search(self.case_pattern, stem)
        if m is None:
            return stem
        return m.groupdict().get("case") or m.group(0)

    def role_of(self, speaker: str) -> str:
        """``interviewer``, ``participant`` or ``other`` for a speaker label."""
        label = speaker.strip()
        if not label:
            return "other"
        for pattern in self.interviewer:
            if label.casefold() == pattern.casefold() or re.fullmatch(pattern, label, re.I):
                return "interviewer"
        for pattern in self.participant:
            if label.casefold() == pattern.casefold() or re.fullmatch(pattern, label, re.I):
                return "participant"
        if _INTERVIEWER.fullmatch(label):
            return "interviewer"
        return "participant"


def load_config(root: Path) -> StudyConfig:
    """Read ``root/fqda.yaml``; a missing file gives the defaults."""
    import yaml

    path = root / CONFIG_NAME
    if not path.exists():
        return StudyConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError(
            path, "is not valid YAML; fix the syntax", None if line is None else line + 1
        ) from None
    if not isinstance(data, dict):
        raise InputError(path, "must be a mapping of settings (key: value)")
    roles = data.get("roles") or {}
    pattern = str(data.get("case_pattern") or DEFAULT_CASE_PATTERN)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InputError(path, f"case_pattern is not a valid regular expression ({exc})") from None
    known = {"case_pattern", "groups", "order_by", "roles", "attribution", "model"}
    return StudyConfig(
        case_pattern=pattern,
        groups=tuple(str(g) for g in data.get("groups") or ()),
        order_by=tuple(str(a) for a in data.get("order_by") or ()),
        interviewer=tuple(str(x) for x in roles.get("interviewer") or ()),
        participant=tuple(str(x) for x in roles.get("participant") or ()),
        attribution=str(data.get("attribution") or DEFAULT_ATTRIBUTION),
        model=str(data.get("model") or ""),
        extra={k: v for k, v in data.items() if k not in known},
    )
