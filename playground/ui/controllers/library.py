"""Controllers: the only path from widgets to the store. They hand widgets plain data."""

from __future__ import annotations

from dataclasses import dataclass

from playground.core.document import PromptDocument
from playground.store import Store

__all__ = ["LibraryController", "PromptRow"]


@dataclass(frozen=True)
class PromptRow:
    """What the library list shows for one prompt."""

    id: int
    name: str
    versions: int
    labels: str


class LibraryController:
    """Reads the prompt library for the main window."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def prompts(self) -> list[PromptRow]:
        return [
            PromptRow(
                p.id,
                p.name,
                p.version_count,
                ", ".join(f"{k}=v{v}" for k, v in sorted(p.labels.items())),
            )
            for p in self._store.list_prompts()
        ]

    def working_copy(self, prompt_id: int) -> PromptDocument | None:
        """The draft if there is one, else the latest version."""
        draft = self._store.get_draft(prompt_id)
        if draft is not None:
            return draft.document
        info = self._store.get_prompt(prompt_id)
        if info.latest_version is None:
            return None
        return self._store.get_version(prompt_id).document
