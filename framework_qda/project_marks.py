"""The marks framework-qda leaves in a REFI-QDA project it exports, so that an
import knows its own things again: the note prefix of a cell summary, the
description prefix of a source's segments, and the GUIDs it derives."""

from __future__ import annotations

import uuid

from framework_qda.model import normal_guid

SUMMARY_MARK = "framework-qda summary "
SEGMENTS_MARK = "framework-qda segments "
_NS = uuid.UUID("3c1f6f0e-8d2b-4c51-9a77-2e0d5b8c4f13")

def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))



def general_guid(theme_guid: str) -> str:
    """The GUID of the sub-topic holding codings on a theme's own code."""
    return _guid("general", normal_guid(theme_guid))
