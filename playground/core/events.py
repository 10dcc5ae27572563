"""Typed events that a provider stream yields, and that the runner passes on.

A provider's ``stream()`` yields these in order: any number of
:class:`Retrying` (before the first text), :class:`TextDelta` pieces, then
:class:`Usage`, :class:`Finished` and, when the target asked for structured
output, :class:`SchemaChecked`. Failures are raised, never yielded (see
``errors.ProviderError``); the runner turns them into a failed result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["Finished", "Retrying", "SchemaChecked", "StreamEvent", "TextDelta", "Usage"]


@dataclass(frozen=True)
class TextDelta:
    """The next piece of output text."""

    text: str


@dataclass(frozen=True)
class Usage:
    """Token counts; ``estimated`` when the server sent none and we counted ourselves."""

    input_tokens: int | None
    output_tokens: int | None
    estimated: bool = False


@dataclass(frozen=True)
class Finished:
    """The model stopped. ``reason`` is normalised: stop, length, tool_use, content_filter,
    or the provider's own word when it is something else; ``None`` when none was sent."""

    reason: str | None


@dataclass(frozen=True)
class Retrying:
    """A retryable failure; the next attempt starts after ``wait_s`` seconds."""

    attempt: int  # the attempt about to be made: 2 for the first retry
    wait_s: float
    reason: str


@dataclass(frozen=True)
class SchemaChecked:
    """The output checked against the target's JSON schema: ``error`` is the first violation."""

    valid: bool
    error: str | None = None


StreamEvent: TypeAlias = TextDelta | Usage | Finished | Retrying | SchemaChecked
