"""Export as the export dialog sees it: formats, targets, versions, a preview, and saving.

Plain Python (no Qt). The dialog asks this controller for plain data and
shows it: :class:`FormatChoice`, :class:`TargetChoice` and
:class:`SourceChoice` values for its pickers, and an :class:`ExportPreview`
for whatever the user picked. The work itself is
:func:`playground.export.registry.export_document` with options from
:func:`playground.exchange.export_options`, which hold provider
configurations only: no key ever reaches an export, and so none reaches the
preview either.

A preview never raises. A format that cannot export this document (a
:class:`PlaygroundError`) shows its own message; a format whose module is
not there, or a bug in one, is logged and shown as a calm sentence, never
as a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from playground import exchange
from playground.core.document import PromptDocument
from playground.core.errors import PlaygroundError
from playground.export import registry
from playground.export.base import (
    ExamplesMode,
    ExportFile,
    ExportResult,
    HistoryEntry,
    VariablesMode,
)
from playground.store import Store

__all__ = [
    "HISTORY_FORMATS",
    "ExportController",
    "ExportPreview",
    "ExportSettings",
    "FormatChoice",
    "SourceChoice",
    "TargetChoice",
    "file_filter",
    "write_native",
]

log = logging.getLogger("playground.ui")

#: Formats that can carry the saved versions along with the document.
HISTORY_FORMATS = frozenset({"json"})


@dataclass(frozen=True)
class FormatChoice:
    """One format the dialog offers."""

    id: str
    label: str
    kind: str  # "code" or "file"

    @property
    def uses_target(self) -> bool:
        # Code calls one model; every prompt file carries all the targets
        # (the first as its model, the others as the format allows).
        return self.kind == "code"

    @property
    def carries_history(self) -> bool:
        return self.id in HISTORY_FORMATS


@dataclass(frozen=True)
class TargetChoice:
    """One of the document's targets, by its index in ``document.targets``."""

    index: int
    label: str


@dataclass(frozen=True)
class SourceChoice:
    """What to export: the draft (``version`` None) or one saved version."""

    version: int | None
    label: str


@dataclass(frozen=True)
class ExportSettings:
    """Everything the dialog's controls decide."""

    format_id: str
    version: int | None = None  # None: the draft, as in the editor
    target: int = 0
    variables: VariablesMode = "inline"
    stream: bool = False
    examples: ExamplesMode = "turns"
    history: bool = False


@dataclass(frozen=True)
class ExportPreview:
    """What one export gives: its files and warnings, or why there are none."""

    settings: ExportSettings
    files: tuple[ExportFile, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.files)

    @property
    def main(self) -> ExportFile | None:
        return self.files[0] if self.files else None


@dataclass
class _Cache:
    documents: dict[int, PromptDocument] = field(default_factory=dict)
    history: tuple[HistoryEntry, ...] | None = None


class ExportController:
    """Exports one prompt (its draft or a saved version) for the export dialog.

    ``document`` is the draft as the editor has it; ``values`` are the
    editor's variable values, used when variables are inlined into code.
    ``prompt_id`` is None for a document that is not in the library yet:
    then only the draft can be exported, without history.
    """

    def __init__(
        self,
        store: Store,
        prompt_id: int | None,
        document: PromptDocument,
        values: Mapping[str, str] | None = None,
    ) -> None:
        self._store = store
        self._prompt_id = prompt_id
        self._draft = document
        self._values = dict(values or {})
        self._cache = _Cache()

    @property
    def name(self) -> str:
        return self._draft.name

    # ------------------------------------------------------------ choices

    @staticmethod
    def formats() -> list[FormatChoice]:
        return [FormatChoice(f.id, f.label, f.kind) for f in registry.FORMATS]

    @staticmethod
    def format_choice(format_id: str) -> FormatChoice:
        fmt = registry.get_format(format_id)
        return FormatChoice(fmt.id, fmt.label, fmt.kind)

    def sources(self) -> list[SourceChoice]:
        """The draft, then the saved versions, newest first."""
        choices = [SourceChoice(None, "Draft (the editor's current text)")]
        if self._prompt_id is None:
            return choices
        try:
            versions = self._store.list_versions(self._prompt_id)
        except PlaygroundError as exc:
            log.warning("export: versions could not be listed: %s", exc)
            return choices
        for info in versions:
            words = f" — {info.message}" if info.message else ""
            labels = f" [{', '.join(info.labels)}]" if info.labels else ""
            choices.append(SourceChoice(info.number, f"v{info.number}{labels}{words}"))
        return choices

    def document(self, version: int | None = None) -> PromptDocument:
        """The draft, or saved version ``version``; PlaygroundError if it cannot be read."""
        if version is None or self._prompt_id is None:
            return self._draft
        cached = self._cache.documents.get(version)
        if cached is None:
            cached = self._store.get_version(self._prompt_id, version).document
            self._cache.documents[version] = cached
        return cached

    def targets(self, version: int | None = None) -> list[TargetChoice]:
        try:
            targets = self.document(version).targets
        except PlaygroundError:
            return []
        labels = [t.label for t in targets]
        return [
            TargetChoice(i, label if labels.count(label) == 1 else f"{label} (pane {i + 1})")
            for i, label in enumerate(labels)
        ]

    def suggested_format(self, version: int | None = None, target: int = 0) -> str:
        """The code format that speaks the first target's protocol (openai unless anthropic)."""
        try:
            targets = self.document(version).targets
            kind = ""
            if 0 <= target < len(targets):
                kind = self._providers().get(targets[target].provider, "")
        except PlaygroundError:
            kind = ""
        return "python-anthropic" if kind == "anthropic" else "python-openai"

    def _providers(self) -> dict[str, str]:
        return {c.name: c.kind for c in self._store.provider_configs()}

    # ------------------------------------------------------------ export

    def preview(self, settings: ExportSettings) -> ExportPreview:
        """Export with ``settings``; never raises (see the module docstring)."""
        label = settings.format_id
        try:
            choice = self.format_choice(settings.format_id)
            label = choice.label
            doc = self.document(settings.version)
            history = self._history() if settings.history and choice.carries_history else ()
            values = self._values if settings.version is None else {}
            options = exchange.export_options(
                self._store,
                target=settings.target if choice.uses_target else 0,
                variables=settings.variables,
                values=values,
                stream=settings.stream,
                examples=settings.examples,
                history=history,
            )
            result = registry.export_document(doc, settings.format_id, options)
        except PlaygroundError as exc:
            return ExportPreview(settings, error=str(exc))
        except ImportError:
            log.warning("export format %s is not available", settings.format_id, exc_info=True)
            return ExportPreview(
                settings,
                error=f"{label} export is not available in this build. Choose another format.",
            )
        except Exception:
            log.exception("export to %s failed", settings.format_id)
            return ExportPreview(
                settings,
                error=f"Something went wrong while exporting to {label}, and nothing was "
                "exported. The details are in the log; another format may still work.",
            )
        if not result.files:
            return ExportPreview(settings, error=f"{label} export produced no files.")
        return ExportPreview(settings, result.files, result.warnings)

    def _history(self) -> tuple[HistoryEntry, ...]:
        if self._prompt_id is None:
            return ()
        if self._cache.history is None:
            self._cache.history = exchange.history_entries(self._store, self._prompt_id)
        return self._cache.history

    def save(self, preview: ExportPreview, main_path: Path) -> list[Path]:
        """Write what ``preview`` shows: the main file at ``main_path``, the others beside it.

        Raises :class:`~playground.exchange.WriteError` (a PlaygroundError)
        when a file cannot be written.
        """
        if not preview.ok:
            raise PlaygroundError(preview.error or "there is nothing to save")
        return exchange.write_export(ExportResult(preview.files, preview.warnings), main_path)


def write_native(document: PromptDocument, path: Path) -> list[Path]:
    """Write ``document`` as a native JSON prompt file at ``path`` (WriteError on failure)."""
    return exchange.write_export(registry.export_document(document, "json"), path)


_GLOB_UNSAFE = re.compile(r"[\s()*?\[\]]")


def file_filter(name: str) -> str:
    """A file-dialog filter from a file name: ``"Python files (*.py)"``, say."""
    suffix = Path(name).suffix
    if not suffix or _GLOB_UNSAFE.search(suffix):
        return "All files (*)"
    kind = _KINDS.get(suffix.lower(), f"{suffix.lstrip('.').upper()} files")
    return f"{kind} (*{suffix});;All files (*)"


_KINDS = {
    ".py": "Python files",
    ".ts": "TypeScript files",
    ".sh": "Shell scripts",
    ".json": "JSON files",
    ".yaml": "YAML files",
    ".yml": "YAML files",
    ".prompty": "Prompty files",
    ".prompt": "Dotprompt files",
}
