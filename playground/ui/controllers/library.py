"""The prompt library as the main window sees it: list, search, create, rename, archive."""

from __future__ import annotations

from dataclasses import dataclass

from playground.core.document import PromptDocument
from playground.core.errors import NotFoundError
from playground.store import Store

__all__ = ["LibraryController", "PromptRow", "SearchRow", "WorkingCopy"]


@dataclass(frozen=True)
class PromptRow:
    """What the library list shows for one prompt."""

    id: int
    name: str
    versions: int
    labels: str
    archived: bool = False


@dataclass(frozen=True)
class SearchRow:
    """A prompt that matches a search, with where it matched."""

    prompt_id: int
    name: str
    snippet: str  # matched words wrapped in [ and ]
    where: str  # "v3", "run #12" ...


@dataclass(frozen=True)
class WorkingCopy:
    """What the editor opens: the draft (or the latest version) and how it relates to versions."""

    prompt_id: int
    name: str
    document: PromptDocument
    base_version: int | None
    dirty: bool  # differs from its base version (or no version saved yet)


class LibraryController:
    """Reads and changes the prompt library for the main window."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store

    def prompts(self, *, include_archived: bool = False) -> list[PromptRow]:
        return [
            PromptRow(
                p.id,
                p.name,
                p.version_count,
                ", ".join(f"{k}=v{v}" for k, v in sorted(p.labels.items())),
                p.archived,
            )
            for p in self._store.list_prompts(include_archived=include_archived)
        ]

    def search(self, text: str, *, include_archived: bool = False) -> list[SearchRow]:
        """Prompts whose versions or run outputs match ``text``, best first, one row each."""
        rows: dict[int, SearchRow] = {}
        for hit in self._store.search(text, limit=200, include_archived=include_archived):
            if hit.prompt_id in rows:
                continue
            where = f"run #{hit.run_id}" if hit.kind == "run" else f"v{hit.version_number}"
            rows[hit.prompt_id] = SearchRow(hit.prompt_id, hit.prompt_name, hit.snippet, where)
        # Drafts are not in the index: also match names, so a new prompt can be found.
        needle = text.strip().casefold()
        if needle:
            for p in self._store.list_prompts(include_archived=include_archived):
                if needle in p.name.casefold() and p.id not in rows:
                    rows[p.id] = SearchRow(p.id, p.name, "", "name")
        return list(rows.values())

    def unused_name(self, base: str = "Untitled prompt") -> str:
        taken = {p.name.casefold() for p in self._store.list_prompts(include_archived=True)}
        if base.casefold() not in taken:
            return base
        n = 2
        while f"{base} {n}".casefold() in taken:
            n += 1
        return f"{base} {n}"

    def create(self, name: str, document: PromptDocument | None = None) -> int:
        doc = document if document is not None else PromptDocument(name=name)
        return self._store.create_prompt(name, doc).id

    def duplicate(self, prompt_id: int, new_name: str) -> int:
        return self._store.duplicate_prompt(prompt_id, new_name).id

    def rename(self, prompt_id: int, new_name: str) -> str:
        return self._store.rename_prompt(prompt_id, new_name).name

    def set_archived(self, prompt_id: int, archived: bool) -> None:
        self._store.set_archived(prompt_id, archived)

    def name(self, prompt_id: int) -> str:
        return self._store.get_prompt(prompt_id).name

    def exists(self, prompt_id: int) -> bool:
        try:
            self._store.get_prompt(prompt_id)
        except NotFoundError:
            return False
        return True

    def working_copy(self, prompt_id: int) -> WorkingCopy:
        """The draft if there is one, else the latest version, else an empty document."""
        info = self._store.get_prompt(prompt_id)
        draft = self._store.get_draft(prompt_id)
        if draft is not None:
            return WorkingCopy(
                prompt_id, info.name, draft.document, draft.base_version, draft.dirty
            )
        if info.latest_version is None:
            return WorkingCopy(prompt_id, info.name, PromptDocument(info.name), None, True)
        version = self._store.get_version(prompt_id)
        return WorkingCopy(prompt_id, info.name, version.document, version.info.number, False)

    def unsaved_prompts(self) -> list[str]:
        """Names of prompts whose draft holds work not saved as a version."""
        names = []
        for p in self._store.list_prompts(include_archived=True):
            draft = self._store.get_draft(p.id)
            if draft is not None and draft.dirty and draft.document != PromptDocument(p.name):
                names.append(p.name)
        return names
