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
    paper: a4                                  # or letter: paper of the workbooks and quote bank
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
from typing import Any

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
    "store": "store",
    "survey.id_column": "survey_id_column",
    "survey.columns": "survey_columns",
    "paper": "paper",
}
PAPERS = ("a4", "letter")
"""Paper sizes the printed outputs are laid out for."""


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
    paper: str = "a4"
    """Paper of printable exports (the quote bank and both workbooks): ``a4`` or
    ``letter``."""
    store: str = ""
    """Where the study's store is, when not in ``.fqda/``: ``postgresql://host/db?schema=NAME``
    (``$FQDA_STORE`` overrides it)."""
    extra: dict[str, object] = field(default_factory=dict)

    def case_for(self, stem: str) -> str:
        """The case id that a file named ``stem`` belongs to."""
        from framework_qda.refs import case_id

        m = re.search(self.case_pattern, stem)
        if m is None:
            return case_id(stem)
        return case_id(m.groupdict().get("case") or m.group(0))

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


def yaml_loader(text: str) -> Any:
    """A safe YAML loader for ``text`` that refuses aliases (``*name``, ``<<: *name``).

    Settings and codebooks never need them, and nested aliases are how a file
    of a few hundred bytes expands to gigabytes (a "billion laughs").  The
    refusal is a ``yaml.YAMLError`` at the alias, so it reports its line.
    """
    import yaml

    class NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed; write the value out",
                    event.start_mark)
            return super().compose_node(parent, index)

    return NoAliases(text)


def _parse(path: Path, raw: bytes) -> object:
    import yaml

    loader = None
    try:
        loader = yaml_loader(raw.decode("utf-8"))
        return loader.get_single_data() or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        problem = getattr(exc, "problem", None)
        why = f" ({problem})" if isinstance(exc, yaml.composer.ComposerError) and problem \
            else ""
        raise InputError(
            path, f"is not valid YAML{why}; fix the syntax", None if line is None else line + 1
        ) from None
    except RecursionError:
        raise InputError(path, "nests its values too deeply to be settings") from None
    finally:
        if loader is not None:
            loader.dispose()


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
    if len(pattern) > MAX_SETTING:
        raise InputError(path, f"case_pattern is over {MAX_SETTING} characters; shorten it")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InputError(path, f"case_pattern is not a valid regular expression ({exc})") from None
    survey = data.get("survey") or {}
    if not isinstance(roles, dict) or not isinstance(survey, dict):
        raise InputError(path, "roles and survey must be mappings (roles: {interviewer: "
                         "[...]}, survey: {columns: [...]})")
    for key in ("interviewer", "participant"):
        for item in _names(path, f"roles.{key}", roles.get(key)):
            try:
                re.compile(str(item))
            except re.error as exc:
                raise InputError(path, f"roles.{key}: {item!r} is not a valid regular "
                                 f"expression ({exc}); quote plain names or escape it") from None
    known = {key.split(".")[0] for key in KEYS}
    attribution = str(data.get("attribution") or DEFAULT_ATTRIBUTION)
    _check_attribution(path, attribution)
    paper = str(data.get("paper") or "a4").strip().casefold()
    if paper not in PAPERS:
        raise InputError(path, f"paper: {paper[:40]!r} is not a paper size; use a4 or letter")
    store = str(data.get("store") or "").strip()
    if _has_password(store):
        raise InputError(path, "store: a password does not belong in the study folder (it is "
                         "shared and copied); keep it in ~/.pgpass or $PGPASSWORD")
    return StudyConfig(
        case_pattern=pattern,
        groups=_names(path, "groups", data.get("groups")),
        order_by=_names(path, "order_by", data.get("order_by")),
        interviewer=_names(path, "roles.interviewer", roles.get("interviewer")),
        participant=_names(path, "roles.participant", roles.get("participant")),
        attribution=attribution,
        model=str(data.get("model") or ""),
        survey_id_column=str(survey.get("id_column") or ""),
        survey_columns=tuple(str(c) for c in _as_list(survey.get("columns"))),
        paper=paper,
        store=store,
        extra={k: v for k, v in data.items() if k not in known},
    )


def _has_password(address: str) -> bool:
    """Whether a store's address carries a password (``user:secret@`` or ``password=``)."""
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(address)
        return parts.password is not None or any(
            k == "password" for k, _ in parse_qsl(parts.query))
    except ValueError:
        return False


def _as_list(value: object) -> list[object]:
    """A YAML list, or a comma-separated string, as a list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


MAX_SETTING = 500
"""Characters in one setting (a pattern, a template, a name)."""
MAX_NAMES = 1_000
"""Names in one list setting (``groups``, ``order_by``, ``roles``)."""
MAX_WIDTH = 100
"""The widest field an attribution template may pad to (``{group:<20}``)."""
_SPEC = re.compile(r"(?:.?[<>^=])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d*))?s?")


def _names(path: Path, key: str, value: object) -> tuple[str, ...]:
    """A list setting: names (or numbers) in a YAML list; anything else is refused."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
        raise InputError(path, f"{key} must be a list of names, e.g. {key}: [Nurses, Managers]")
    if len(value) > MAX_NAMES or any(len(str(v)) > MAX_SETTING for v in value):
        raise InputError(path, f"{key} lists over {MAX_NAMES} names or a name over "
                         f"{MAX_SETTING} characters; shorten it")
    return tuple(str(v) for v in value)


def _check_attribution(path: Path, template: str) -> None:
    """Refuse an attribution template that is malformed, names a field by
    attribute or index, or pads past :data:`MAX_WIDTH` (``{group:>999999999}``
    would fill memory with spaces)."""
    import string

    hint = "write it like '— {group}, {case}'"
    if len(template) > MAX_SETTING:
        raise InputError(path, f"attribution is over {MAX_SETTING} characters; shorten it")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        raise InputError(path, f"the attribution template is not valid; {hint}") from None
    for _, name, spec, _ in parts:
        if name is None:
            continue
        if not re.fullmatch(r"\w+", name):
            raise InputError(path, f"the attribution template's field {{{name}}} is not a "
                             f"plain field name; {hint}")
        m = _SPEC.fullmatch(spec or "")
        if m is None or int(m["width"] or 0) > MAX_WIDTH \
                or int(m["precision"] or 0) > MAX_SETTING:
            raise InputError(path, f"the attribution template's {{{name}:{spec}}} is not a "
                             f"text format of width up to {MAX_WIDTH}; {hint}")
