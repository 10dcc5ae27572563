"""The prompt library on disk: one SQLite file of prompts, versions, drafts, runs,
provider configurations (never keys) and cached responses.

Open it with :meth:`Store.open`; everything else hangs off the :class:`Store`.
Nothing in this package imports Qt or a provider SDK.
"""

from playground.store.migrations import SCHEMA_VERSION
from playground.store.models import (
    Draft,
    PromptInfo,
    Run,
    RunRecord,
    SaveResult,
    SearchHit,
    Version,
    VersionInfo,
)
from playground.store.store import Store

__all__ = [
    "SCHEMA_VERSION",
    "Draft",
    "PromptInfo",
    "Run",
    "RunRecord",
    "SaveResult",
    "SearchHit",
    "Store",
    "Version",
    "VersionInfo",
]
