"""Pure-Python heart of the app: documents, templates, diffs. No Qt, no SDKs."""

from playground.core.document import PromptDocument
from playground.core.errors import PlaygroundError

__all__ = ["PlaygroundError", "PromptDocument"]
