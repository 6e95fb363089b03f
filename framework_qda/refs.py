"""What stands before the colon of a segment ref (``P7:12``), for every source.

A source's *name* is its identity: the file's path below ``transcripts/``
with its suffix (``P7.txt``, ``wave1/P01.txt``, see
:mod:`framework_qda.ingest`).  Names may hold spaces, colons or commas and
are long, so refs use a *prefix* instead:

- the case id when the case has one source;
- else, for the one source of the case whose file stem is the case id
  (``P7.txt`` in case P7), the case id too;
- else the first of the file's stem (``P7_followup``), its name without
  folders (``P7_followup.docx``) and its whole name (``wave1/P01.txt``) that
  no other source shares and that is no case's id.

Characters a ref cannot hold (white space, ``:``, ``,``, ``;``, brackets)
become ``_`` in every form.  Prefixes are unique across the study.  Besides
its prefix, a source is also found by its name and by any other of its forms
no other source shares (:func:`aliases`), so a ref typed before another
file joined the case still resolves while it is unambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNTYPEABLE = re.compile(r"[\s:,;\[\]]+")


def typeable(text: str) -> str:
    """``text`` with every run of characters a ref cannot hold made one ``_``."""
    return _UNTYPEABLE.sub("_", text)


def case_id(text: str) -> str:
    """The codable form of a case id: ``Interview 10`` -> ``Interview_10``.

    Every case id is made so where it is created (file names, ``--case``,
    the cases file, survey id columns), so whatever ``fqda show`` prints
    before a colon can be typed back; an id typed in its original form
    (``Interview 10:12``, a codings row ``Interview 10``) is read the same way.
    """
    return typeable(text.strip())


def forms(name: str) -> tuple[str, str, str]:
    """A source name's stem, its name without folders and the whole name, typeable."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    stem = base[:dot] if dot > 0 else base
    return typeable(stem), typeable(base), typeable(name)


def source_prefixes(rows: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """Each source's ref prefix, the first answer of :func:`prefixes`.

    A case with one source is its own prefix whatever the other sources are
    called, so when every case has one source (most studies) no name is
    looked at: a 10,000-transcript study asks this on every quote listing.
    """
    rows = list(rows)
    if len({case_id for _, _, case_id in rows}) == len(rows):
        return {sid: case_id for sid, _, case_id in rows}
    return prefixes(rows)[0]


def prefixes(rows: Iterable[tuple[int, str, str]]) -> tuple[dict[int, str], dict[str, int]]:
    """Each source's ref prefix and every unambiguous name a ref may use.

    ``rows`` holds ``(source id, name, case id)``.  Returns the prefix of
    each source id, and the source id of each prefix, name and unshared form.
    """
    rows = list(rows)
    by_case: dict[str, list[tuple[int, str]]] = {}
    for sid, name, case_id in rows:
        by_case.setdefault(case_id, []).append((sid, name))
    shared: dict[str, int] = {}
    source_forms: dict[int, tuple[str, str, str]] = {}
    for sid, name, _ in rows:
        f = source_forms[sid] = forms(name)
        for form in set(f):
            shared[form] = shared.get(form, 0) + 1
    result: dict[int, str] = {}
    taken = set(by_case)
    for case_id, members in by_case.items():
        if len(members) == 1:
            result[members[0][0]] = case_id
            continue
        stems = [source_forms[sid][0] for sid, _ in members]
        for sid, _ in members:
            f = source_forms[sid]
            if f[0] == case_id and stems.count(case_id) == 1:
                result[sid] = case_id
                continue
            choice = next((form for form in f if shared[form] == 1 and form not in taken),
                          "")
            if not choice:
                choice = f[2]
                while choice in shared or choice in taken:
                    choice = f"{choice}~{sid}"
            result[sid] = choice
    found = {prefix: sid for sid, prefix in result.items()}
    for sid, name, _ in rows:
        found.setdefault(name, sid)
        for form in source_forms[sid]:
            if shared[form] == 1 and form not in taken:
                found.setdefault(form, sid)
    return result, found
