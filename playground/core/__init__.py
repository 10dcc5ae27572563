"""Pure-Python heart of the app: documents, templates, diffs. No Qt, no SDKs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from playground.core.errors import PlaygroundError

if TYPE_CHECKING:
    from playground.core.document import PromptDocument

__all__ = ["PlaygroundError", "PromptDocument"]


def __getattr__(name: str) -> Any:
    # The document module is imported on first use: the app's window appears before it is needed.
    if name == "PromptDocument":
        from playground.core.document import PromptDocument

        return PromptDocument
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
