"""The plain values the store hands out: prompts, versions, drafts, runs, search hits.

They are frozen dataclasses with no database handle inside, so the UI and the
CLI can keep them, compare them and pass them between threads freely.
Timestamps are ISO-8601 UTC strings with milliseconds, e.g.
``2026-11-22T10:11:12.345Z``; version numbers count 1, 2, 3... per prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from playground.core.document import PromptDocument

__all__ = [
    "Draft",
    "PromptInfo",
    "Run",
    "RunRecord",
    "RunStatus",
    "SaveResult",
    "SearchHit",
    "Version",
    "VersionInfo",
]

RunStatus = Literal["ok", "error", "cancelled"]


@dataclass(frozen=True)
class PromptInfo:
    """A prompt as listed in the library, without its content."""

    id: int
    name: str
    created: str
    updated: str
    archived: bool
    latest_version: int | None
    version_count: int
    labels: dict[str, int]  # label -> version number


@dataclass(frozen=True)
class VersionInfo:
    """One saved, immutable version of a prompt, without its content."""

    id: int
    prompt_id: int
    number: int
    parent_number: int | None  # the version the draft was based on when this one was saved
    hash: str
    message: str
    created: str
    labels: tuple[str, ...]  # labels pointing at this version, sorted


@dataclass(frozen=True)
class Version:
    """A saved version together with its document."""

    info: VersionInfo
    document: PromptDocument


@dataclass(frozen=True)
class Draft:
    """The autosaved working copy of a prompt.

    ``dirty`` is true when the draft differs from the version it is based on,
    or when it is based on no version at all (nothing of it is saved yet).
    """

    prompt_id: int
    document: PromptDocument
    hash: str
    base_version: int | None  # version number
    updated: str
    dirty: bool


@dataclass(frozen=True)
class SaveResult:
    """What :meth:`Store.save_version` did: ``created`` is false when the content was
    identical to the latest version, which is returned instead."""

    version: VersionInfo
    created: bool


@dataclass(frozen=True)
class RunRecord:
    """Everything about one run of a prompt against one target, as the runner saw it.

    ``version_id`` is ``None`` when the draft was run; ``content_hash`` is the
    hash of whatever content was run either way.
    """

    prompt_id: int
    version_id: int | None
    content_hash: str
    provider: str
    model: str
    target_json: str
    request_json: str
    variables: dict[str, str]
    output: str
    finish_reason: str | None
    tokens_in: int | None
    tokens_out: int | None
    tokens_estimated: bool
    ttft_ms: float | None
    total_ms: float | None
    cost: float | None
    status: RunStatus
    error: str | None


@dataclass(frozen=True)
class Run:
    """A recorded run, with its id, time, and the number of the version that ran."""

    id: int
    created: str
    record: RunRecord
    version_number: int | None


@dataclass(frozen=True)
class SearchHit:
    """One search result: a prompt version or a run output.

    ``snippet`` is a short extract with the matched words wrapped in ``[`` and ``]``.
    """

    kind: Literal["version", "run"]
    prompt_id: int
    prompt_name: str
    version_number: int | None
    run_id: int | None
    snippet: str
    created: str
