"""Prompt files and the library: import files as versions, export with history,
and a folder of prompt files (a repo's ``prompts/``) shown beside the library.

Importing never overwrites work. A file whose prompt name is new creates the
prompt, with any history the file carries saved first, oldest first. A file
whose name is already in the library is saved as that prompt's next version,
or reported unchanged when it equals the latest one. A draft that holds
unsaved edits is left alone; a clean draft moves to the imported version.

A folder entry is "same" when writing the library's latest version back in
the file's own format would give the file's content again, so a format that
cannot hold something (promptfoo has no tags, say) does not make every file
look changed.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from playground.core.document import PromptDocument
from playground.core.errors import NotFoundError, PlaygroundError
from playground.core.provider_config import ProviderConfig
from playground.core.templates import sync_variables
from playground.export import registry
from playground.export.base import (
    ExportOptions,
    ExportResult,
    FormatError,
    HistoryEntry,
    ImportResult,
    ImportSource,
    read_text_file,
)
from playground.store import Store

__all__ = [
    "FolderEntry",
    "ImportOutcome",
    "WriteError",
    "draft_holds_work",
    "export_options",
    "history_entries",
    "import_into_store",
    "matches_file",
    "scan_folder",
    "write_export",
]

log = logging.getLogger(__name__)

#: A folder holding more prompt files than this is listed only this far.
MAX_FOLDER_FILES = 500
_FOLDER_SUFFIXES = frozenset({".prompty", ".json", ".yaml", ".yml"})
_SKIPPED_DIRS = frozenset({".git", "node_modules", ".venv", "__pycache__"})


class WriteError(PlaygroundError):
    """An export or write-back could not be written (full disk, read-only folder...)."""


@dataclass(frozen=True)
class ImportOutcome:
    """What importing one document did."""

    prompt_id: int
    name: str
    source: str
    created: bool  # the prompt is new to the library
    version: int  # the version that now holds the file's content
    saved: bool  # a new version was saved (false: identical to the latest)
    history: int  # versions from the file's history saved before it
    warnings: tuple[str, ...] = ()


def _find_prompt(store: Store, name: str) -> int | None:
    try:
        return store.get_prompt(name).id
    except NotFoundError:
        return None


def import_into_store(
    store: Store, result: ImportResult, *, name: str | None = None, message: str | None = None
) -> ImportOutcome:
    """Save an imported document in the library (see the module docstring)."""
    name = (name or result.document.name).strip() or "Imported prompt"
    doc = replace(result.document, name=name)
    note = message if message is not None else f"Imported from {Path(result.source).name}"
    prompt_id = _find_prompt(store, name)
    created = prompt_id is None
    saved_history = 0
    warnings = list(result.warnings)
    if prompt_id is None:
        prompt_id = store.create_prompt(name, doc).id
        for entry in result.history:
            saved = store.save_version(
                prompt_id, replace(entry.document, name=name), _history_message(entry)
            )
            saved_history += saved.created
            for label in entry.labels:
                latest = store.get_prompt(prompt_id).latest_version
                if latest is not None:
                    store.set_label(prompt_id, label, latest)
    elif result.history:
        warnings.append(
            f"the file's history ({len(result.history)} versions) was not imported, because "
            f"'{name}' is already in the library; only the file's current content was saved "
            "(import it under another name to keep its history)"
        )
    outcome = store.save_version(prompt_id, doc, note)
    _follow_clean_draft(store, prompt_id, outcome.version.number)
    return ImportOutcome(
        prompt_id=prompt_id,
        name=name,
        source=result.source,
        created=created,
        version=outcome.version.number,
        saved=outcome.created,
        history=saved_history,
        warnings=tuple(warnings),
    )


def _history_message(entry: HistoryEntry) -> str:
    when = f", saved {entry.created[:16].replace('T', ' ')}" if entry.created else ""
    text = f" {entry.message}" if entry.message else ""
    return f"v{entry.number} of the imported file{when}:{text}".rstrip(":")


def _follow_clean_draft(store: Store, prompt_id: int, number: int) -> None:
    draft = store.get_draft(prompt_id)
    if draft is None or draft.base_version == number or draft_holds_work(store, prompt_id):
        return  # a draft with unsaved edits is the user's work
    store.restore_version(prompt_id, number, discard_unsaved=True)


def draft_holds_work(store: Store, prompt_id: int) -> bool:
    """Whether the prompt's draft holds edits that are saved nowhere else.

    A blank new prompt holds none. Nor does a draft that differs from its base
    version only in the variables its text implies: the app's editor declares
    those for every prompt it opens, while a file or the CLI may not.
    """
    draft = store.get_draft(prompt_id)
    if draft is None or not draft.dirty or draft.document == PromptDocument(draft.document.name):
        return False
    if draft.base_version is None:
        return True
    base = store.get_version(prompt_id, draft.base_version).document
    return _as_edited(draft.document) != _as_edited(base)


def _as_edited(doc: PromptDocument) -> PromptDocument:
    try:
        return replace(doc, variables=sync_variables(doc))
    except PlaygroundError:  # a template that does not parse: compared as it is
        return doc


def history_entries(store: Store, prompt_id: int) -> tuple[HistoryEntry, ...]:
    """Every saved version of a prompt, oldest first, for a native export with history."""
    entries = []
    for info in reversed(store.list_versions(prompt_id)):
        doc = store.get_version(prompt_id, info.number).document
        entries.append(HistoryEntry(info.number, doc, info.message, info.created, info.labels))
    return tuple(entries)


def export_options(store: Store, **fields: Any) -> ExportOptions:
    """ExportOptions with the library's provider configurations (never a key)."""
    providers: Mapping[str, ProviderConfig] = {c.name: c for c in store.provider_configs()}
    return ExportOptions(providers=providers, **fields)


# ---------------------------------------------------------------- writing files


def write_export(result: ExportResult, main_path: Path) -> list[Path]:
    """Write the main file at ``main_path`` and any others beside it, each atomically."""
    written = []
    for i, file in enumerate(result.files):
        path = main_path if i == 0 else main_path.parent / file.name
        _write_atomically(path, file.text)
        written.append(path)
    return written


def _write_atomically(path: Path, text: str) -> None:
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise WriteError(_write_problem(path, exc)) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _write_problem(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{path}: the disk is full; free some space and save again (nothing was changed)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{path}: the folder is not writable; choose another place"
    if exc.errno == errno.ENOENT:
        return f"{path}: the folder does not exist"
    return f"{path}: cannot be written ({exc.strerror or exc})"


# ---------------------------------------------------------------- a folder of files


FolderStatus = Literal["new", "same", "differs", "error"]


@dataclass(frozen=True)
class FolderEntry:
    """One prompt file in an opened folder, and how it relates to the library."""

    path: Path
    status: FolderStatus
    format_id: str = ""
    document: PromptDocument | None = None
    prompt_id: int | None = None  # the library prompt of the same name
    version: int | None = None  # its latest version
    message: str = ""  # the error, for status "error"
    warnings: tuple[str, ...] = ()
    index: int = 0  # which document of the file (a promptfoo config may hold several)

    @property
    def name(self) -> str:
        return self.document.name if self.document is not None else self.path.name


def _prompt_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if path.suffix.lower() in _FOLDER_SUFFIXES:
                found.append(path)
                if len(found) >= MAX_FOLDER_FILES:
                    return found
    return found


def scan_folder(store: Store, folder: Path) -> list[FolderEntry]:
    """Every prompt file under ``folder``, each compared with the library."""
    if not folder.is_dir():
        raise FormatError(str(folder), "is not a folder")
    entries: list[FolderEntry] = []
    referenced: set[Path] = set()
    for path in _prompt_files(folder):
        entries.extend(_entries_for(store, path, referenced))
    # A promptfoo config's chat prompt is part of that config, not a prompt of its own.
    return [e for e in entries if e.path.resolve() not in referenced]


def _entries_for(store: Store, path: Path, referenced: set[Path]) -> Iterable[FolderEntry]:
    try:
        # The shared reader: the size limit, and a file:line for text that is not UTF-8.
        text = read_text_file(path)
        fmt = registry.format_for_file(path.name, text, str(path))
        if path.suffix.lower() in (".yaml", ".yml") and "prompts" not in text:
            return []  # some other YAML file (CI config, say)
        results = registry.import_path(path)
    except (FormatError, PlaygroundError) as exc:
        if path.suffix.lower() in (".yaml", ".yml") and not _looks_like_promptfoo(path):
            return []  # not every YAML file in a repo is a prompt
        return [FolderEntry(path, "error", message=str(exc))]
    except (OSError, UnicodeDecodeError) as exc:
        return [FolderEntry(path, "error", message=f"{path}: cannot be read ({exc})")]
    except Exception:
        # A bug in an importer must not hide the folder's other files.
        log.exception("reading %s for the opened folder", path)
        return [FolderEntry(path, "error", message=f"{path}: could not be read (see the log)")]
    if fmt.id == "promptfoo" and path.suffix.lower() in (".yaml", ".yml"):
        referenced.update(_referenced_files(path, text))
    out = []
    for index, result in enumerate(results):
        doc = result.document
        prompt_id = _find_prompt(store, doc.name)
        if prompt_id is None:
            out.append(FolderEntry(path, "new", fmt.id, doc, warnings=result.warnings, index=index))
            continue
        info = store.get_prompt(prompt_id)
        same = info.latest_version is not None and matches_file(
            store.get_version(prompt_id).document, doc, fmt.id, path
        )
        out.append(
            FolderEntry(
                path,
                "same" if same else "differs",
                fmt.id,
                doc,
                prompt_id,
                info.latest_version,
                warnings=result.warnings,
                index=index,
            )
        )
    return out


def _looks_like_promptfoo(path: Path) -> bool:
    # A broken promptfoo config must show as an error, not vanish with the CI files.
    return path.name.lower().startswith("promptfooconfig")


def _referenced_files(config: Path, text: str) -> set[Path]:
    # Cheap and conservative: any file:// reference that resolves inside the folder.
    refs = set()
    for token in text.replace('"', " ").replace("'", " ").split():
        if token.startswith("file://"):
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                refs.add((config.parent / token.removeprefix("file://")).resolve())
    return refs


def matches_file(
    library_doc: PromptDocument, file_doc: PromptDocument, format_id: str, path: Path
) -> bool:
    """Would writing ``library_doc`` in ``format_id`` give ``file_doc`` back?"""
    try:
        again = _reimport(library_doc, format_id, path)
    except PlaygroundError:
        return False
    return again == file_doc


def _reimport(doc: PromptDocument, format_id: str, path: Path) -> PromptDocument:
    fmt = registry.get_format(format_id)
    result = fmt.export(doc, ExportOptions(stem=path.stem if format_id != "promptfoo" else ""))
    files = {f.name: f.text for f in result.files}

    def sibling(reference: str) -> ImportSource:
        name = reference.removeprefix("file://")
        if name not in files:
            raise FormatError(path.name, f"refers to {reference!r}, which the export did not write")
        return ImportSource(files[name], name, Path(name).stem, sibling)

    main = result.main
    return fmt.read(ImportSource(main.text, main.name, path.stem, sibling))[0].document
