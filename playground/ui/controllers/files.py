"""Prompt files as the main window sees them: import, an opened folder, and write-back.

Plain Python (no Qt). The window's file actions ask this controller and show
what it returns: an :class:`ImportReport` after importing, :class:`FolderRow`
values for the folder list. The work itself is :mod:`playground.exchange`;
this adds what the window needs around it: a report per batch of files, the
entries of the opened folder by row, loading a file as a prompt's draft
without losing unsaved edits, and writing a saved version back to its file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from playground import exchange
from playground.core.document import PromptDocument
from playground.core.errors import ConflictError, NotFoundError, PlaygroundError
from playground.core.templates import sync_variables
from playground.exchange import FolderEntry, FolderStatus, ImportOutcome
from playground.export import registry
from playground.export.base import HistoryEntry
from playground.store import Store

__all__ = [
    "FilesController",
    "FolderRow",
    "ImportReport",
    "describe_outcome",
    "is_importable",
]


@dataclass(frozen=True)
class ImportReport:
    """What importing a batch of files did: every prompt saved, every file refused."""

    outcomes: tuple[ImportOutcome, ...] = ()
    errors: tuple[str, ...] = ()  # one per file that could not be imported, with file:line
    warnings: tuple[str, ...] = ()  # "file name: warning"

    @property
    def last_prompt_id(self) -> int | None:
        return self.outcomes[-1].prompt_id if self.outcomes else None

    def lines(self) -> list[str]:
        return [describe_outcome(o) for o in self.outcomes]


def describe_outcome(outcome: ImportOutcome) -> str:
    """One calm sentence for what importing one document did."""
    if outcome.created:
        text = f"Imported '{outcome.name}' as a new prompt (v{outcome.version})"
        if outcome.history:
            text += f" with {outcome.history} earlier version(s) from the file"
        return text + "."
    if outcome.saved:
        return f"'{outcome.name}': saved as v{outcome.version}."
    return f"'{outcome.name}': unchanged (same as v{outcome.version})."


def is_importable(path: Path) -> bool:
    """Whether ``path``'s name ends in a suffix some importer reads."""
    return path.suffix.lower() in registry.IMPORT_SUFFIXES


@dataclass(frozen=True)
class FolderRow:
    """One line of the folder list: plain data for the widget."""

    key: int  # pass back to the controller to act on the entry
    title: str  # the prompt's name (the file name when it cannot be read)
    detail: str  # the file, relative to the folder
    status: FolderStatus
    tooltip: str


_STATUS_TIPS: dict[str, str] = {
    "new": "not in the library yet; select it to import it",
    "same": "the same as v{version} in the library",
    "differs": "differs from v{version} in the library; select it to load the file as the draft",
}


class FilesController:
    """Imports files into the library, and keeps the opened folder's entries."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._folder: Path | None = None
        self._entries: list[FolderEntry] = []

    # ------------------------------------------------------------ import

    def import_files(self, paths: Iterable[Path]) -> ImportReport:
        """Import every file; a file that cannot be read is reported and the others still go in."""
        outcomes: list[ImportOutcome] = []
        errors: list[str] = []
        warnings: list[str] = []
        for path in paths:
            try:
                results = registry.import_path(path)
                for result in results:
                    outcome = exchange.import_into_store(self._store, result)
                    outcomes.append(outcome)
                    warnings.extend(f"{path.name}: {w}" for w in outcome.warnings)
            except PlaygroundError as exc:
                errors.append(str(exc))
        return ImportReport(tuple(outcomes), tuple(errors), tuple(warnings))

    # ------------------------------------------------------------ the folder

    @property
    def folder(self) -> Path | None:
        return self._folder

    def open_folder(self, folder: Path) -> list[FolderRow]:
        """Scan ``folder`` and keep it open; FormatError when it is not a folder."""
        entries = exchange.scan_folder(self._store, folder)
        self._folder = folder
        self._entries = entries
        return self.rows()

    def rescan(self) -> list[FolderRow]:
        """The opened folder again (the files or the library changed)."""
        if self._folder is None:
            return []
        self._entries = exchange.scan_folder(self._store, self._folder)
        return self.rows()

    def close_folder(self) -> None:
        self._folder = None
        self._entries = []

    def rows(self) -> list[FolderRow]:
        return [self._row(key, entry) for key, entry in enumerate(self._entries)]

    def counts(self) -> dict[str, int]:
        """How many entries have each status."""
        counts = {"new": 0, "same": 0, "differs": 0, "error": 0}
        for entry in self._entries:
            counts[entry.status] += 1
        return counts

    def watched_paths(self) -> list[Path]:
        """The folder, its subfolders holding entries, and the entries' files."""
        if self._folder is None:
            return []
        paths = {self._folder}
        for entry in self._entries:
            paths.add(entry.path)
            paths.update(p for p in entry.path.parents if p.is_relative_to(self._folder))
        return sorted(paths)

    def entry(self, key: int) -> FolderEntry:
        if not 0 <= key < len(self._entries):
            raise NotFoundError("That file is no longer listed; refresh the folder.")
        return self._entries[key]

    def find(self, path: Path, index: int = 0) -> int | None:
        """The key of the entry for document ``index`` of the file ``path``, if listed."""
        for key, entry in enumerate(self._entries):
            if entry.path == path and entry.index == index:
                return key
        return None

    def _row(self, key: int, entry: FolderEntry) -> FolderRow:
        detail = self._relative(entry.path)
        if entry.status == "error":
            tip = entry.message
        else:
            tip = f"{detail}: " + _STATUS_TIPS[entry.status].format(version=entry.version)
            if entry.status == "differs" and entry.version is None:
                tip = f"{detail}: the library has no saved version of this prompt yet"
        if entry.warnings:
            tip += "\n" + "\n".join(f"• {w}" for w in entry.warnings)
        return FolderRow(key, entry.name, detail, entry.status, tip)

    def _relative(self, path: Path) -> str:
        if self._folder is not None and path.is_relative_to(self._folder):
            return str(path.relative_to(self._folder))
        return str(path)

    # ------------------------------------------------------------ acting on an entry

    def import_entry(self, key: int) -> ImportReport:
        """Import the file of a "new" (or any readable) entry, as File → Import would."""
        entry = self.entry(key)
        try:
            results = registry.import_path(entry.path)
            if entry.index >= len(results):
                raise NotFoundError(f"{entry.path}: the file changed; refresh the folder.")
            outcome = exchange.import_into_store(self._store, results[entry.index])
        except PlaygroundError as exc:
            return ImportReport(errors=(str(exc),))
        warnings = tuple(f"{entry.path.name}: {w}" for w in outcome.warnings)
        return ImportReport((outcome,), (), warnings)

    def load_as_draft(self, key: int, *, save_edits_first: bool = False) -> int:
        """Make a "differs" entry's file the draft of its library prompt; returns the prompt id.

        The draft is based on the prompt's latest version, so the editor marks
        it unsaved and Save Version keeps the file's content. Unsaved edits in
        the draft are never replaced: that raises :class:`ConflictError`, unless
        ``save_edits_first`` says to save them as a version before loading.
        """
        entry = self.entry(key)
        if entry.prompt_id is None or entry.document is None:
            raise PlaygroundError(f"{entry.path.name} has no prompt in the library to load into.")
        prompt_id = entry.prompt_id
        info = self._store.get_prompt(prompt_id)
        document = _named(entry.document, info.name)
        draft = self._store.get_draft(prompt_id)
        if draft is not None and _as_edited(draft.document) == _as_edited(document):
            return prompt_id  # loaded already (the editor has declared its variables)
        if draft is not None and exchange.draft_holds_work(self._store, prompt_id):
            if not save_edits_first:
                raise ConflictError(
                    f"The draft of '{info.name}' has edits that are not saved as a version."
                )
            self._store.save_version(prompt_id, draft.document, f"Before loading {entry.path.name}")
            info = self._store.get_prompt(prompt_id)
        self._store.save_draft(prompt_id, document, info.latest_version)
        return prompt_id

    # ------------------------------------------------------------ write-back

    def write_back_entry(self, prompt_id: int | None) -> FolderEntry | None:
        """The opened folder's file that saving ``prompt_id`` can write back to, if any.

        Matched by the prompt (names are matched when the folder is scanned).
        A file that holds several prompts (a promptfoo config) is not offered:
        writing one prompt would drop the others; nor is a promptfoo config
        edited by hand (see :meth:`_written_by_export`).
        """
        if prompt_id is None:
            return None
        matches = [
            e for e in self._entries if e.prompt_id == prompt_id and e.status in ("same", "differs")
        ]
        for entry in matches:
            if sum(1 for e in self._entries if e.path == entry.path) == 1 and (
                entry.format_id != "promptfoo" or self._written_by_export(entry)
            ):
                return entry
        return None

    def _written_by_export(self, entry: FolderEntry) -> bool:
        """Whether the file is exactly what an export of its own content writes.

        A promptfoo config may hold tests, assertions and providers of its own
        that the prompt cannot carry; writing it back would drop them, so only
        a config this app wrote, unchanged since, is offered.
        """
        if entry.document is None:
            return False
        try:
            result = registry.get_format(entry.format_id).export(
                entry.document, exchange.export_options(self._store)
            )
            return entry.path.read_text(encoding="utf-8") == result.main.text
        except (OSError, UnicodeDecodeError, PlaygroundError):
            return False

    def write_back(self, prompt_id: int, number: int) -> list[Path]:
        """Write version ``number`` of ``prompt_id`` to its file, in the file's own format.

        Raises :class:`~playground.exchange.WriteError` (or another
        PlaygroundError) with a message for the user; the version stays saved.
        """
        entry = self.write_back_entry(prompt_id)
        if entry is None:
            raise PlaygroundError("The prompt has no file in the opened folder to write to.")
        document = self._store.get_version(prompt_id, number).document
        fmt = registry.get_format(entry.format_id)
        # promptfoo names its own files (promptfooconfig.yaml beside its prompt);
        # every other format keeps the file's name.
        stem = "" if entry.format_id == "promptfoo" else entry.path.stem
        options = exchange.export_options(
            self._store, stem=stem, history=self._history_to_keep(entry, prompt_id)
        )
        return exchange.write_export(fmt.export(document, options), entry.path)

    def _history_to_keep(self, entry: FolderEntry, prompt_id: int) -> tuple[HistoryEntry, ...]:
        # A native file that carried its history keeps one: the library's, which
        # holds the file's history since the file was imported.
        if entry.format_id != "json":
            return ()
        try:
            results = registry.import_path(entry.path)
        except PlaygroundError:
            return ()
        if entry.index < len(results) and results[entry.index].history:
            return exchange.history_entries(self._store, prompt_id)
        return ()


def _as_edited(document: PromptDocument) -> PromptDocument:
    try:
        return replace(document, variables=sync_variables(document))
    except PlaygroundError:
        return document


def _named(document: PromptDocument, name: str) -> PromptDocument:
    return document if document.name == name else replace(document, name=name)
