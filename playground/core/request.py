"""The provider-neutral request: what a rendered prompt becomes.

Providers translate a :class:`RenderedRequest` into their own wire format;
the store keeps its JSON form with every run.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.core.document import JSONValue, Role, canonical_json

__all__ = ["ChatMessage", "RenderedRequest"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class RenderedRequest:
    """System text plus the ordered user/assistant turns, n-shot examples included."""

    system: str
    messages: tuple[ChatMessage, ...]

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "system": self.system,
            "messages": [{"role": m.role, "content": m.content} for m in self.messages],
        }

    def to_json(self) -> str:
        return canonical_json(self.to_dict())
