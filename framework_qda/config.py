"""The study's settings file, ``fqda.yaml`` at the study root.

Every key is optional (docs/SETTINGS.md is the reference; :data:`KEYS` lists
them, and a test checks the page against it)::

    case_pattern: '^(?P<case>[A-Za-z]*\\d+)'   # case id from a file name's stem
    groups: [Council chief executive, ...]     # order of sample groups in matrices
    order_by: [area]                           # attributes that order rows within a group
    roles:
      interviewer: [Interviewer, 'Moderator.*'] # names or regular expressions
      participant: []
    attribution: '— {group}, {case}'          # how quotes are attributed
    model: en_core_web_sm                      # an installed spaCy pipeline (default: blank)
    survey:                                    # survey tables given to `fqda ingest`
      id_column: respondent                    # the case id column (default: case, id, or first)
      columns: [q1, q3]                        # the open-ended answer columns

Roles: a speaker label is ``interviewer`` when it equals (ignoring case) or
fully matches one of ``roles.interviewer``, else ``participant`` when it
matches one of ``roles.participant``; labels matching neither list get the
default heuristic: ``Interviewer``, ``Moderator``, ``Facilitator``,
``Researcher``, ``Int``, ``I`` and ``Q`` (with or without a number) are
interviewers, every other label is a participant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from framework_qda.errors import FqdaError, InputError

CONFIG_NAME = "fqda.yaml"
DEFAULT_CASE_PATTERN = r"^(?P<case>[A-Za-z]*\d+)"
DEFAULT_ATTRIBUTION = "— {group}, {case}"
_PARTICIPANT = re.compile(
    r"(?i)(participant|respondent|interviewee|p|r|resp)\s*\d*"
)
_INTERVIEWER = re.compile(
    r"(?i)(interviewer|moderator|facilitator|researcher|int|i|q)\s*\d*(\s+\d+)?"
)


# Each key of fqda.yaml (dotted under a mapping) and the StudyConfig field it sets.
KEYS: dict[str, str] = {
    "case_pattern": "case_pattern",
    "groups": "groups",
    "order_by": "order_by",
    "roles.interviewer": "interviewer",
    "roles.participant": "participant",
    "attribution": "attribution",
    "model": "model",
    "survey.id_column": "survey_id_column",
    "survey.columns": "survey_columns",
}


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
    survey_id_column: str = ""
    survey_columns: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)

    def case_for(self, stem: str) -> str:
        """The case id that a file named ``stem`` belongs to."""
        m = re.search(self.case_pattern, stem)
        if m is None:
            return stem
        return m.groupdict().get("case") or m.group(0)

    def configured_role(self, speaker: str) -> str | None:
        """The role ``roles`` in ``fqda.yaml`` gives a speaker label, or ``None``."""
        label = speaker.strip()
        for pattern in self.interviewer:
            if label.casefold() == pattern.casefold() or re.fullmatch(pattern, label, re.I):
                return "interviewer"
        for pattern in self.participant:
            if label.casefold() == pattern.casefold() or re.fullmatch(pattern, label, re.I):
                return "participant"
        return None

    def role_of(self, speaker: str) -> str:
        """``interviewer``, ``participant`` or ``other`` for a speaker label."""
        label = speaker.strip()
        if not label:
            return "other"
        role = self.configured_role(label)
        if role is not None:
            return role
        if _INTERVIEWER.fullmatch(label):
            return "interviewer"
        return "participant"

    def settle_roles(self, speakers: Iterable[str]) -> dict[str, str]:
        """Roles of all the speakers of one file, judged together.

        Each label gets :meth:`role_of`, except that in a file where nobody
        is an interviewer but someone is labelled as the participant
        (``Participant``, ``Respondent``, ``Interviewee``, ``P2``, ``R``),
        the other labels that ``roles`` does not name are the interviewers:
        ``Dan:`` / ``Participant:`` makes Dan the interviewer.
        """
        labels = {s.strip() for s in speakers if s.strip()}
        roles = {label: self.role_of(label) for label in labels}
        generic = {label for label in labels if _PARTICIPANT.fullmatch(label)}
        if generic and "interviewer" not in roles.values():
            for label in labels - generic:
                if self.configured_role(label) is None:
                    roles[label] = "interviewer"
        return roles


def load_config(root: Path, cache: Path | None = None) -> StudyConfig:
    """Read ``root/fqda.yaml``; a missing file gives the defaults.

    ``cache`` names a JSON file keeping the parsed settings with the YAML
    text they came from: a read-only command then starts without importing
    and running the YAML parser (about 15 ms of a 0.2 s start).  A cache
    that is missing, stale or unreadable is simply rebuilt.
    """
    path = root / CONFIG_NAME
    if not path.exists():
        return StudyConfig()
    raw = path.read_bytes()
    data = _cached(cache, raw)
    if data is None:
        data = _parse(path, raw)
        _remember(cache, raw, data)
    return _settings(path, data)


def _parse(path: Path, raw: bytes) -> object:
    import yaml

    try:
        return yaml.safe_load(raw.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError(
            path, "is not valid YAML; fix the syntax", None if line is None else line + 1
        ) from None


def _cached(cache: Path | None, raw: bytes) -> object | None:
    if cache is None:
        return None
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # the settings file is a few hundred bytes: compare it whole, no hash
    if not isinstance(kept, dict) or kept.get("source") != raw.decode("utf-8", "replace"):
        return None
    return kept.get("settings")


def _remember(cache: Path | None, raw: bytes, data: object) -> None:
    """Keep the parsed settings when JSON holds them exactly (YAML dates or
    number keys would come back changed, so those files are parsed each time)."""
    if cache is None or not cache.parent.is_dir():
        return
    try:
        text = json.dumps({"source": raw.decode("utf-8"), "settings": data},
                          ensure_ascii=False)
        if json.loads(text)["settings"] != data:
            return
        from framework_qda.files import write_file

        write_file(cache, text, "the settings cache", private=True)
    except (FqdaError, TypeError, ValueError):
        return  # only a cache: the next start parses the YAML again


def _settings(path: Path, data: object) -> StudyConfig:
    if not isinstance(data, dict):
        raise InputError(path, "must be a mapping of settings (key: value)")
    roles = data.get("roles") or {}
    pattern = str(data.get("case_pattern") or DEFAULT_CASE_PATTERN)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InputError(path, f"case_pattern is not a valid regular expression ({exc})") from None
    survey = data.get("survey") or {}
    if not isinstance(roles, dict) or not isinstance(survey, dict):
        raise InputError(path, "roles and survey must be mappings (roles: {interviewer: "
                         "[...]}, survey: {columns: [...]})")
    for key in ("interviewer", "participant"):
        for item in roles.get(key) or ():
            try:
                re.compile(str(item))
            except re.error as exc:
                raise InputError(path, f"roles.{key}: {item!r} is not a valid regular "
                                 f"expression ({exc}); quote plain names or escape it") from None
    known = {key.split(".")[0] for key in KEYS}
    return StudyConfig(
        case_pattern=pattern,
        groups=tuple(str(g) for g in data.get("groups") or ()),
        order_by=tuple(str(a) for a in data.get("order_by") or ()),
        interviewer=tuple(str(x) for x in roles.get("interviewer") or ()),
        participant=tuple(str(x) for x in roles.get("participant") or ()),
        attribution=str(data.get("attribution") or DEFAULT_ATTRIBUTION),
        model=str(data.get("model") or ""),
        survey_id_column=str(survey.get("id_column") or ""),
        survey_columns=tuple(str(c) for c in _as_list(survey.get("columns"))),
        extra={k: v for k, v in data.items() if k not in known},
    )


def _as_list(value: object) -> list[object]:
    """A YAML list, or a comma-separated string, as a list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]
