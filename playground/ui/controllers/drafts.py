"""The open prompt: autosaved draft, versions, labels, runs.

Every edit reaches :meth:`DraftController.edit`. The first edit after a save
arms a single-shot timer; when it fires the latest document is written to the
store's draft. Later edits do not restart the timer, so under continuous
typing the draft is still written at least every ``AUTOSAVE_MS`` (and never
more often). :meth:`flush` writes at once: before a version is saved, before
another prompt is opened, and on quit.

A failed autosave (disk full, say) keeps the document in memory, reports
the error through ``save_failed`` and tries again on the next edit or flush.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from playground.core.document import PromptDocument, content_hash
from playground.core.errors import PlaygroundError
from playground.core.templates import sync_variables
from playground.store import Run, SaveResult, Store, VersionInfo

__all__ = ["AUTOSAVE_MS", "DraftController"]

log = logging.getLogger("playground.ui")

#: The longest an edit waits before it is in the store.
AUTOSAVE_MS = 1500


class DraftController(QObject):
    """Keeps one prompt's draft in the store in step with the editor."""

    #: The prompt's state for the title bar: (name, unsaved) where unsaved
    #: means the draft differs from the version it is based on.
    state_changed = Signal(str, bool)
    #: An autosave or flush failed; the text says why (the work is still in memory).
    save_failed = Signal(str)
    #: The draft was written to the store.
    saved = Signal()

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._prompt_id: int | None = None
        self._name = ""
        self._pending: PromptDocument | None = None
        self._stored_hash: str | None = None  # hash of the draft as stored
        self._stored_doc: PromptDocument | None = None
        self._base_raw_hash: str | None = None
        self._base_hash: str | None = None  # hash of the version the draft is based on
        self._base_number: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    # ------------------------------------------------------------ state

    @property
    def prompt_id(self) -> int | None:
        return self._prompt_id

    @property
    def name(self) -> str:
        return self._name

    @property
    def base_version(self) -> int | None:
        return self._base_number

    @property
    def has_pending(self) -> bool:
        """An edit is waiting for the autosave timer."""
        return self._pending is not None

    @property
    def autosave_active(self) -> bool:
        return self._timer.isActive()

    def unsaved(self, document: PromptDocument | None = None) -> bool:
        """Whether ``document`` (default: the latest edit) differs from the base version."""
        if document is None and self._pending is not None:
            document = self._pending
        if document is None:
            document = self._stored_doc
        if self._base_hash is None or document is None:
            return True
        if content_hash(document) == self._base_raw_hash:
            return False
        if self._base_raw_hash == self._base_hash:
            return True  # the base declares its variables as the editor does: hashes suffice
        return _comparable_hash(document) != self._base_hash

    def open(
        self, prompt_id: int, name: str, document: PromptDocument, base_version: int | None
    ) -> None:
        """Start tracking ``prompt_id``, whose stored draft (or version) is ``document``.

        Raises :class:`PlaygroundError` (and keeps the current prompt) when the current
        prompt's pending edit cannot be written.
        """
        self._require_flushed()
        if self._store.get_draft(prompt_id) is None:
            # A prompt saved from the CLI has versions but no draft yet.
            self._store.save_draft(prompt_id, document, base_version)
        self._prompt_id = prompt_id
        self._name = name
        self._pending = None
        self._stored_hash = content_hash(document)
        self._stored_doc = document
        self._refresh_base()
        self.state_changed.emit(self._name, self.unsaved())

    def close(self) -> None:
        """Write what is pending and stop tracking the prompt."""
        self.flush()
        self._prompt_id = None
        self._name = ""

    def rename(self, name: str) -> None:
        self._name = name
        self.state_changed.emit(self._name, self.unsaved())

    # ------------------------------------------------------------ editing

    def edit(self, document: PromptDocument) -> None:
        """The editor changed: remember ``document`` and make sure it is saved soon."""
        if self._prompt_id is None:
            return
        was_unsaved = self.unsaved()
        self._pending = document
        if content_hash(document) == self._stored_hash:
            self._pending = None  # back to what is stored: nothing to write
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()
        if self.unsaved() != was_unsaved:
            self.state_changed.emit(self._name, self.unsaved())

    def flush(self) -> bool:
        """Write the pending edit now. False (and ``save_failed``) when the store refused."""
        self._timer.stop()
        if self._pending is None or self._prompt_id is None:
            return True
        document = self._pending
        try:
            draft = self._store.save_draft(self._prompt_id, document)
        except PlaygroundError as exc:
            log.warning("autosave of prompt %s failed: %s", self._prompt_id, exc)
            self.save_failed.emit(f"Could not autosave the draft: {exc}")
            return False
        self._stored_hash = draft.hash
        self._stored_doc = document
        if self._pending is document:
            self._pending = None
        self.saved.emit()
        return True

    def _on_timer_timeout(self) -> None:
        self.flush()

    # ------------------------------------------------------------ versions

    def save_version(self, document: PromptDocument, message: str) -> SaveResult:
        """Save ``document`` as a new version (the draft follows it)."""
        prompt_id = self._require()
        self._pending = document
        if not self.flush():
            raise PlaygroundError("The draft could not be written, so no version was saved.")
        result = self._store.save_version(prompt_id, document, message)
        self._stored_hash = content_hash(document)
        self._stored_doc = document
        self._refresh_base()
        self.state_changed.emit(self._name, self.unsaved())
        return result

    def restore(self, number: int, *, discard_unsaved: bool = False) -> PromptDocument:
        """Make version ``number`` the draft; ConflictError when unsaved work is in the way."""
        prompt_id = self._require()
        self._require_flushed()
        draft = self._store.restore_version(prompt_id, number, discard_unsaved=discard_unsaved)
        self._pending = None
        self._stored_hash = draft.hash
        self._stored_doc = draft.document
        self._refresh_base()
        self.state_changed.emit(self._name, self.unsaved())
        return draft.document

    def versions(self) -> list[VersionInfo]:
        return self._store.list_versions(self._require())

    def version_document(self, number: int) -> PromptDocument:
        return self._store.get_version(self._require(), number).document

    def version_id(self, number: int) -> int:
        return self._store.get_version(self._require(), number).info.id

    def set_label(self, label: str, number: int) -> None:
        self._store.set_label(self._require(), label, number)

    def remove_label(self, label: str) -> None:
        self._store.remove_label(self._require(), label)

    def runs(self, version_number: int | None, *, limit: int = 200) -> list[Run]:
        """Runs of one version; ``None``: every run of the prompt (drafts included)."""
        return self._store.list_runs(self._require(), version_number=version_number, limit=limit)

    def run(self, run_id: int) -> Run:
        return self._store.get_run(run_id)

    # ------------------------------------------------------------ helpers

    def _require_flushed(self) -> None:
        if not self.flush():
            raise PlaygroundError(
                "The draft could not be saved, so it stays open to keep your edits."
            )

    def _require(self) -> int:
        if self._prompt_id is None:
            raise PlaygroundError("No prompt is open.")
        return self._prompt_id

    def _refresh_base(self) -> None:
        draft = self._store.get_draft(self._require())
        if draft is None or draft.base_version is None:
            self._base_number = None
            self._base_hash = None
            self._base_raw_hash = None
            return
        self._base_number = draft.base_version
        base = self._store.get_version(draft.prompt_id, draft.base_version)
        self._base_raw_hash = base.info.hash
        self._base_hash = _comparable_hash(base.document)


def _comparable_hash(document: PromptDocument) -> str:
    """The hash the unsaved marker compares: variables as the editor keeps them.

    A prompt saved elsewhere (the CLI, a file) may not declare the variables
    its text uses; the editor always does. Comparing both that way keeps a
    prompt that was only opened, or edited and changed back, from looking
    unsaved.
    """
    return content_hash(replace(document, variables=sync_variables(document)))
