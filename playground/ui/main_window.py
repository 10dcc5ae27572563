"""The main window: library on the left, the editor (and history) in the centre, panes below.

The window composes widgets and connects them to the controllers; it holds
no business logic of its own beyond deciding which controller call a user
action means. The document being edited is always
``editor.document()`` with the panes' targets (and the editor's JSON schema)
laid over it: pane settings are part of the prompt, so they are autosaved
with the draft and travel with saved versions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

# The window's parts take about half a second to import. The app shows its
# window first and imports them right after (load_parts); everything below
# uses them only once the window is attached to its services.
if TYPE_CHECKING:
    import asyncio
    from dataclasses import replace

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent, QSyntaxHighlighter
    from PySide6.QtWidgets import QMessageBox, QSplitter, QStackedWidget

    from playground.core.document import PromptDocument, Target
    from playground.core.errors import ConflictError, PlaygroundError, TemplateError
    from playground.keystore import KeyStore
    from playground.run_host import RunHost
    from playground.store import Store
    from playground.ui.controllers.drafts import DraftController
    from playground.ui.controllers.library import LibraryController
    from playground.ui.controllers.providers import ProviderRow, ProvidersController
    from playground.ui.controllers.runs import RunController, result_from_run
    from playground.ui.dialogs.choose_outputs import ChooseOutputsDialog
    from playground.ui.dialogs.save_version import SaveVersionDialog
    from playground.ui.dialogs.settings import SettingsDialog
    from playground.ui.dialogs.shortcuts import ShortcutsDialog
    from playground.ui.editor import EditorWidget
    from playground.ui.file_actions import FileActions
    from playground.ui.history import DiffDialog, HistoryPanel
    from playground.ui.icons import icon
    from playground.ui.library_panel import LibraryPanel
    from playground.ui.notice import NoticeBar
    from playground.ui.panes import OutputPane, PaneArea


def load_parts() -> None:
    """Import the window's parts into this module (once; cheap afterwards)."""
    if "EditorWidget" in globals():
        return
    import asyncio
    from dataclasses import replace

    # Qt's classes are set up on first use (Qt's namespace of enums alone takes
    # ~20 ms): those only the full window needs are not, before the first paint.
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence, QSyntaxHighlighter
    from PySide6.QtWidgets import QMessageBox, QSplitter, QStackedWidget

    from playground.core.document import PromptDocument, Target
    from playground.core.errors import ConflictError, PlaygroundError, TemplateError
    from playground.keystore import KeyStore
    from playground.run_host import RunHost
    from playground.store import Store
    from playground.ui.controllers.drafts import DraftController
    from playground.ui.controllers.library import LibraryController
    from playground.ui.controllers.providers import ProviderRow, ProvidersController
    from playground.ui.controllers.runs import RunController, result_from_run
    from playground.ui.dialogs.choose_outputs import ChooseOutputsDialog
    from playground.ui.dialogs.save_version import SaveVersionDialog
    from playground.ui.dialogs.settings import SettingsDialog
    from playground.ui.dialogs.shortcuts import ShortcutsDialog
    from playground.ui.editor import EditorWidget
    from playground.ui.file_actions import FileActions
    from playground.ui.history import DiffDialog, HistoryPanel
    from playground.ui.icons import icon
    from playground.ui.library_panel import LibraryPanel
    from playground.ui.notice import NoticeBar
    from playground.ui.panes import OutputPane, PaneArea

    globals().update(
        asyncio=asyncio,
        replace=replace,
        ConflictError=ConflictError,
        PlaygroundError=PlaygroundError,
        TemplateError=TemplateError,
        Qt=Qt,
        QAction=QAction,
        QKeySequence=QKeySequence,
        QSyntaxHighlighter=QSyntaxHighlighter,
        QMessageBox=QMessageBox,
        QSplitter=QSplitter,
        QStackedWidget=QStackedWidget,
        PromptDocument=PromptDocument,
        Target=Target,
        KeyStore=KeyStore,
        RunHost=RunHost,
        Store=Store,
        DraftController=DraftController,
        LibraryController=LibraryController,
        ProviderRow=ProviderRow,
        ProvidersController=ProvidersController,
        RunController=RunController,
        result_from_run=result_from_run,
        ChooseOutputsDialog=ChooseOutputsDialog,
        SaveVersionDialog=SaveVersionDialog,
        SettingsDialog=SettingsDialog,
        ShortcutsDialog=ShortcutsDialog,
        EditorWidget=EditorWidget,
        FileActions=FileActions,
        DiffDialog=DiffDialog,
        HistoryPanel=HistoryPanel,
        icon=icon,
        LibraryPanel=LibraryPanel,
        NoticeBar=NoticeBar,
        OutputPane=OutputPane,
        PaneArea=PaneArea,
    )


__all__ = ["MainWindow", "Services", "load_parts"]

log = logging.getLogger("playground.ui")

APP_TITLE = "Prompt Playground"
NO_KEYS_HINT = "Add a key in Settings, or point a pane at a local server."
#: Marks a pane that shows a past run (not one of the prompt's targets).
FROM_HISTORY = "fromHistory"
#: How long closing waits for stopped runs to be logged.
CLOSE_WAIT_S = 5.0
#: Edits are gathered into a document at most this often (the autosave adds its own wait).
EDIT_SYNC_MS = 150
#: Runs logged while a run goes on refresh the history at most this often.
HISTORY_REFRESH_MS = 300


class Services:
    """Everything the window needs, built by the composition root (``app.py``)."""

    def __init__(self, store: Store, keys: KeyStore, settings: QSettings) -> None:
        load_parts()
        self.store = store
        self.keys = keys
        self.settings = settings
        self.library = LibraryController(self.store)
        self.drafts = DraftController(self.store)
        # One run process serves both: the runs, and the model lists of the providers.
        self.host = RunHost()
        self.runs = RunController(self.store, self.keys, host=self.host)
        self.providers = ProvidersController(self.store, self.keys, host=self.host)


def _opening_note() -> QWidget:
    """What the frame shows until the window is attached: a note in the middle."""
    note = QWidget()
    note.setObjectName("openingNote")
    row = QHBoxLayout()
    row.addStretch()
    label = QLabel("Opening your prompt library…")
    label.setObjectName("openingLabel")
    row.addWidget(label)
    row.addStretch()
    column = QVBoxLayout(note)
    column.addStretch()
    column.addLayout(row)
    column.addStretch()
    return note


class MainWindow(QMainWindow):
    """The app's one window. ``MainWindow(services)`` builds it whole.

    ``MainWindow()`` builds only the frame (title, size, an "opening" note),
    so the app can show a window as soon as Qt is up; :meth:`attach` then
    builds the rest inside the same window.
    """

    def __init__(self, services: Services | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.resize(1400, 860)
        self.attached = False
        self._closing = False
        self._shown_once = False
        if services is None:
            self.setCentralWidget(_opening_note())
        else:
            self.attach(services)

    def attach(self, services: Services) -> None:
        """Build the library, editor, history and panes, wired to ``services``."""
        load_parts()
        self.services = services
        self._library = services.library
        self._drafts = services.drafts
        self._runs = services.runs
        self._providers = services.providers
        self._settings = services.settings
        self._prompt_id: int | None = None
        self._loading = False
        self._models: dict[str, list[str]] = {}
        self._model_tasks: dict[str, asyncio.Task[None]] = {}
        self._dialogs: list[QWidget] = []  # non-modal dialogs kept alive while open
        self._action_icons: dict[QAction, str] = {}
        self._close_task: asyncio.Future[None] | None = None
        self._provider_rows: list[ProviderRow] | None = None

        self._build_widgets()
        self.files = FileActions(self)  # import, the opened folder, write-back
        self._build_actions()
        self._connect()
        self._restore_layout()
        self.reload_library()
        self._open_initial_prompt()
        QTimer.singleShot(0, self.files, self.files.restore)  # the folder scan waits a paint
        self.attached = True
        if self.isVisible() and not self._shown_once:  # attached to a frame already shown
            self._shown_once = True
            QTimer.singleShot(0, self._refresh_models)

    # ================================================================ building

    def _build_widgets(self) -> None:
        self.library_panel = LibraryPanel()
        self.editor = EditorWidget()
        self.history = HistoryPanel()
        self.history.setObjectName("historyPanel")
        self.panes = PaneArea()
        self.panes.setObjectName("paneArea")
        self.panes.set_empty_text("No panes. Press Ctrl+T to add one, then Ctrl+Enter to run.")
        self.notice = NoticeBar()
        self.run_blocked = QLabel()
        self.run_blocked.setObjectName("runBlocked")
        self.run_blocked.setWordWrap(True)
        self.run_blocked.hide()

        self.empty_editor = QLabel("No prompt open.\nPress Ctrl+N to create one.")
        self.empty_editor.setObjectName("editorEmpty")
        self.empty_editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_editor.setEnabled(False)
        self.editor_stack = QStackedWidget()
        self.editor_stack.addWidget(self.empty_editor)
        self.editor_stack.addWidget(self.editor)

        self.top_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top_splitter.setObjectName("topSplitter")
        self.top_splitter.addWidget(self.editor_stack)
        self.top_splitter.addWidget(self.history)
        self.top_splitter.setStretchFactor(0, 3)
        self.top_splitter.setStretchFactor(1, 1)
        self.top_splitter.setSizes([800, 320])

        self.centre_splitter = QSplitter(Qt.Orientation.Vertical)
        self.centre_splitter.setObjectName("centreSplitter")
        self.centre_splitter.addWidget(self.top_splitter)
        self.centre_splitter.addWidget(self.panes)
        self.centre_splitter.setStretchFactor(0, 1)
        self.centre_splitter.setStretchFactor(1, 1)
        self.centre_splitter.setSizes([420, 380])

        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.notice)
        layout.addWidget(self.run_blocked)
        layout.addWidget(self.centre_splitter, 1)

        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.library_panel)
        self.main_splitter.addWidget(centre)
        self.main_splitter.setStretchFactor(1, 4)
        self.main_splitter.setSizes([240, 1160])
        self.setCentralWidget(self.main_splitter)
        self.status = self.statusBar()

        self._history_timer = QTimer(self)
        self._history_timer.setSingleShot(True)
        self._history_timer.setInterval(HISTORY_REFRESH_MS)
        self._history_timer.timeout.connect(self._on_history_timer_timeout)
        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_SYNC_MS)
        self._edit_timer.timeout.connect(self._on_edit_timer_timeout)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | str | list[QKeySequence] | None = None,
        icon_name: str | None = None,
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
            self._action_icons[action] = icon_name
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.new_action = a("&New prompt", self.new_prompt, "Ctrl+N", "new", "actionNewPrompt")
        self.duplicate_action = a("&Duplicate prompt", self.duplicate_prompt, None, "duplicate")
        self.rename_action = a("&Rename prompt", self.library_panel.start_rename, "F2", "rename")
        self.archive_action = a("&Archive prompt", self.archive_prompt, None, "archive")
        self.save_action = a(
            "&Save version…", self.save_version, "Ctrl+S", "save", "actionSaveVersion"
        )
        self.export_action = a("&Export…", self.export_prompt, "Ctrl+E", "export", "actionExport")
        self.quit_action = a("&Quit", self.close, None, None, "actionQuit")
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.search_action = a(
            "&Find in library", self.library_panel.focus_search, "Ctrl+F", "search", "actionFind"
        )
        self.run_all_action = a(
            "&Run all panes",
            self.run_all,
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")],
            "run",
            "actionRunAll",
        )
        self.stop_all_action = a(
            "S&top all panes", self.stop_all, "Ctrl+.", "stop", "actionStopAll"
        )
        self.stop_all_action.setEnabled(False)
        self.add_pane_action = a("&New pane", self.add_pane, "Ctrl+T", "pane", "actionNewPane")
        self.compare_action = a(
            "&Compare outputs…", self.compare_outputs, "Ctrl+D", "diff", "actionCompareOutputs"
        )
        self.cache_action = a("Use response &cache", self._on_cache_action_toggled)
        self.cache_action.setCheckable(True)
        self.cache_action.setToolTip("Answer a repeated identical request from the local cache")
        self.history_action = a(
            "&History", self._on_history_action_toggled, "Ctrl+H", "history", "actionHistory"
        )
        self.history_action.setCheckable(True)
        self.history_action.setChecked(True)
        self.settings_action = a(
            "&Settings…", self.open_settings, "Ctrl+,", "settings", "actionSettings"
        )
        self.shortcuts_action = a(
            "&Keyboard shortcuts", self.show_shortcuts, "F1", "keyboard", "actionShortcuts"
        )
        self.about_action = a("&About Prompt Playground", self.show_about)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.new_action, self.duplicate_action, self.rename_action):
            file_menu.addAction(act)
        file_menu.addAction(self.archive_action)
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.export_action)
        self.files.add_to_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.search_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.settings_action)
        run_menu = bar.addMenu("&Run")
        for act in (self.run_all_action, self.stop_all_action, self.add_pane_action):
            run_menu.addAction(act)
        run_menu.addAction(self.compare_action)
        run_menu.addSeparator()
        run_menu.addAction(self.cache_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.history_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        for act in (self.new_action, self.save_action):
            toolbar.addAction(act)
        toolbar.addSeparator()
        for act in (self.run_all_action, self.stop_all_action, self.add_pane_action):
            toolbar.addAction(act)
        toolbar.addAction(self.compare_action)
        toolbar.addSeparator()
        toolbar.addAction(self.history_action)
        toolbar.addAction(self.settings_action)

    def shortcut_actions(self) -> list[QAction]:
        """The actions Help → Keyboard shortcuts lists, in a sensible order."""
        return [
            self.run_all_action,
            self.stop_all_action,
            self.save_action,
            self.add_pane_action,
            self.search_action,
            self.new_action,
            self.export_action,
            self.files.import_action,
            self.compare_action,
            self.rename_action,
            self.history_action,
            self.settings_action,
            self.shortcuts_action,
            self.quit_action,
        ]

    def _connect(self) -> None:
        lib = self.library_panel
        lib.prompt_selected.connect(self._on_library_prompt_selected)
        lib.new_requested.connect(self.new_prompt)
        lib.duplicate_requested.connect(self._on_library_duplicate_requested)
        lib.rename_requested.connect(self._on_library_rename_requested)
        lib.archive_requested.connect(self._on_library_archive_requested)
        lib.search_changed.connect(self._on_library_search_changed)
        lib.show_archived_changed.connect(self._on_library_show_archived_changed)

        self.editor.document_changed.connect(self._on_editor_document_changed)
        self.editor.validity_changed.connect(self._on_editor_validity_changed)

        self.panes.pane_added.connect(self._on_panes_pane_added)
        self.panes.pane_removed.connect(self._on_panes_pane_removed)
        self.panes.add_requested.connect(self.add_pane)

        self.history.restore_requested.connect(self._on_history_restore_requested)
        self.history.label_requested.connect(self._on_history_label_requested)
        self.history.label_remove_requested.connect(self._on_history_label_remove_requested)
        self.history.compare_requested.connect(self._on_history_compare_requested)
        self.history.version_selected.connect(self._on_history_version_selected)
        self.history.run_open_requested.connect(self._on_history_run_open_requested)
        self.history.runs_compare_requested.connect(self._on_history_runs_compare_requested)

        self._drafts.state_changed.connect(self._on_drafts_state_changed)
        self._drafts.save_failed.connect(self._on_drafts_save_failed)
        self._runs.update.connect(self._on_runs_update)
        self._runs.busy_changed.connect(self._on_runs_busy_changed)
        self._runs.recorded.connect(self._on_runs_recorded)

    # ================================================================ layout memory

    def _restore_layout(self) -> None:
        s = self._settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for splitter in (self.main_splitter, self.top_splitter, self.centre_splitter):
            state = s.value(f"window/{splitter.objectName()}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
        visible = s.value("window/historyVisible", True, type=bool)
        self.history_action.setChecked(bool(visible))
        self.history.setVisible(bool(visible))
        self.cache_action.setChecked(bool(s.value("run/useCache", False, type=bool)))
        self._runs.use_cache = self.cache_action.isChecked()

    def save_layout(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        for splitter in (self.main_splitter, self.top_splitter, self.centre_splitter):
            s.setValue(f"window/{splitter.objectName()}", splitter.saveState())
        s.setValue("window/historyVisible", self.history_action.isChecked())
        s.setValue("run/useCache", self.cache_action.isChecked())
        if self._prompt_id is not None:
            s.setValue("library/lastPrompt", self._prompt_id)
        s.sync()

    # ================================================================ library

    def reload_library(self) -> None:
        query = self.library_panel.search.text().strip()
        archived = self.library_panel.show_archived.isChecked()
        try:
            if query:
                rows = self._library.search(query, include_archived=archived)
                self.library_panel.set_search_results(rows, self._prompt_id)
            else:
                self.library_panel.set_prompts(
                    self._library.prompts(include_archived=archived), self._prompt_id
                )
        except PlaygroundError as exc:
            self.show_error(str(exc))

    def _open_initial_prompt(self) -> None:
        last = self._settings.value("library/lastPrompt")
        ids = self.library_panel.ids()
        wanted = int(last) if isinstance(last, (int, str)) and str(last).isdigit() else None
        if wanted is not None and wanted in ids:
            self.open_prompt(wanted)
        elif ids:
            self.open_prompt(ids[0])
        else:
            self._show_editor(False)

    def open_prompt(self, prompt_id: int, *, reload: bool = False) -> None:
        """Show ``prompt_id``'s working copy; the previous prompt's edits are saved first.

        ``reload``: read it again even if it is open (its draft changed in the store)."""
        if prompt_id == self._prompt_id and not reload:
            return
        if not self._can_leave_draft():
            self.library_panel.select(self._prompt_id)
            return
        self._runs.stop()
        try:
            copy = self._library.working_copy(prompt_id)
            self._drafts.open(prompt_id, copy.name, copy.document, copy.base_version)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self._prompt_id = prompt_id
        self._loading = True
        try:
            self.editor.set_document(copy.document)
            schema = next(
                (t.json_schema_text for t in copy.document.targets if t.json_schema_text), None
            )
            self.editor.set_schema_text(schema)
            self._set_panes(copy.document)
        finally:
            self._loading = False
        self._show_editor(True)
        self.library_panel.select(prompt_id)
        self.refresh_history()
        self._on_editor_validity_changed(self.editor.is_valid(), self.editor.invalid_reason())

    def _set_panes(self, document: PromptDocument) -> None:
        """One pane per target of ``document`` (one default pane when it has none)."""
        self.panes.clear()
        targets = document.targets or (self._default_target(),)
        for target in targets:
            self.panes.add_pane(replace(target, json_schema_text=None) if target else None)

    def _show_editor(self, shown: bool) -> None:
        self.editor_stack.setCurrentWidget(self.editor if shown else self.empty_editor)
        for act in (
            self.save_action,
            self.export_action,
            self.run_all_action,
            self.add_pane_action,
            self.duplicate_action,
            self.rename_action,
            self.archive_action,
        ):
            act.setEnabled(shown)
        self.panes.setEnabled(shown)
        if not shown:
            self.setWindowTitle(APP_TITLE)
            self.history.clear()
            self.panes.clear()

    def new_prompt(self) -> None:
        name = self._library.unused_name()
        try:
            prompt_id = self._library.create(name, PromptDocument(name))
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.library_panel.clear_search()
        self.reload_library()
        self.open_prompt(prompt_id)
        self.library_panel.start_rename()

    def duplicate_prompt(self) -> None:
        if self._prompt_id is not None:
            self._on_library_duplicate_requested(self._prompt_id)

    def archive_prompt(self) -> None:
        if self._prompt_id is not None:
            self._on_library_archive_requested(self._prompt_id, True)

    def _on_library_prompt_selected(self, prompt_id: int) -> None:
        self.open_prompt(prompt_id)

    def _on_library_duplicate_requested(self, prompt_id: int) -> None:
        if not self._can_leave_draft():
            return
        try:
            name = self._library.unused_name(f"{self._library.name(prompt_id)} copy")
            new_id = self._library.duplicate(prompt_id, name)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.reload_library()
        self.open_prompt(new_id)
        self.status.showMessage(f"Duplicated as “{name}”.", 5000)

    def _on_library_rename_requested(self, prompt_id: int, name: str) -> None:
        if prompt_id == self._prompt_id and not self._can_leave_draft():
            self.reload_library()
            return
        try:
            new_name = self._library.rename(prompt_id, name)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            self.reload_library()
            return
        if prompt_id == self._prompt_id:
            # The store renamed the draft document; the editor keeps its text, undo and
            # caret, and current_document() takes the name from the draft controller.
            self._drafts.rename(new_name)
        self.reload_library()

    def _on_library_archive_requested(self, prompt_id: int, archive: bool) -> None:
        if prompt_id == self._prompt_id and not self._can_leave_draft():
            return
        try:
            name = self._library.name(prompt_id)
            self._library.set_archived(prompt_id, archive)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        if archive and not self.library_panel.show_archived.isChecked():
            if prompt_id == self._prompt_id:
                self._drafts.close()
                self._prompt_id = None
            self.reload_library()
            ids = self.library_panel.ids()
            if self._prompt_id is None:
                if ids:
                    self.open_prompt(ids[0])
                else:
                    self._show_editor(False)
            self.status.showMessage(
                f"Archived “{name}”. Tick “Archived” under the library to see it again.", 8000
            )
        else:
            self.reload_library()
            self.status.showMessage(f"“{name}” is back from the archive.", 5000)

    def _on_library_search_changed(self, _text: str) -> None:
        self.reload_library()

    def _on_library_show_archived_changed(self, _shown: bool) -> None:
        self.reload_library()

    # ================================================================ editing

    def current_document(self) -> PromptDocument:
        """The editor's document with the panes' targets and the JSON schema laid over it."""
        doc = self.editor.document()
        schema = self.editor.schema_text()
        targets = tuple(
            replace(t, json_schema_text=schema)
            for t in (p.target() for p in self.panes.panes() if not p.property(FROM_HISTORY))
            if t is not None
        )
        return replace(doc, name=self._drafts.name or doc.name, targets=targets)

    def _on_editor_document_changed(self) -> None:
        self._document_changed()

    def _document_changed(self) -> None:
        """An edit: the document is rebuilt at most every EDIT_SYNC_MS, not per keystroke."""
        if not self._loading and self._prompt_id is not None and not self._edit_timer.isActive():
            self._edit_timer.start()

    def _on_edit_timer_timeout(self) -> None:
        self._sync_edit()

    def _sync_edit(self) -> None:
        self._edit_timer.stop()
        if self._prompt_id is not None:
            self._drafts.edit(self.current_document())

    def flush_draft(self) -> bool:
        """Write the latest edit to the store now. False (with a notice) when it could not be."""
        self._sync_edit()
        return self._drafts.flush()

    def _can_leave_draft(self) -> bool:
        """Before the open prompt is replaced: its edits must be in the store first."""
        if self.flush_draft():
            return True
        self.notice.show_message(
            "The draft could not be saved, so it stays open to keep your edits. "
            "Free some disk space (or check the data folder), then try again.",
            "error",
        )
        return False

    def _on_editor_validity_changed(self, valid: bool, reason: str) -> None:
        text = "" if valid else f"Run is disabled: {reason}"
        self.run_blocked.setText(text)
        self.run_blocked.setVisible(not valid)
        self.run_all_action.setEnabled(valid and self._prompt_id is not None)
        self.run_all_action.setToolTip(text or "Run every pane (Ctrl+Enter)")
        for pane in self.panes.panes():
            pane.set_run_enabled(valid, reason)

    def _on_drafts_state_changed(self, name: str, unsaved: bool) -> None:
        marker = " •" if unsaved else ""
        self.setWindowTitle(f"{name}{marker} — {APP_TITLE}" if name else APP_TITLE)

    def _on_drafts_save_failed(self, message: str) -> None:
        self.notice.show_message(
            f"{message} Your edits are kept in memory and will be saved again "
            "with the next change.",
            "error",
        )

    # ================================================================ panes

    def _default_target(self) -> Target | None:
        """A target for a new pane: the first provider with a key, and its first model.

        Keyless local servers are not picked: one may not be running, and an
        empty pane says how to point it at one.
        """
        for row in self._rows():
            if row.has_key:
                models = self._models.get(row.name) or self._providers.default_models(row.name)
                if models:
                    return Target(row.name, models[0])
        return None

    def _rows(self) -> list[ProviderRow]:
        """Providers and their key status, read once (the keyring can be slow) until
        Settings changes them."""
        if self._provider_rows is None:
            try:
                self._provider_rows = self._providers.providers()
            except PlaygroundError as exc:
                log.warning("could not list providers: %s", exc)
                return []
        return self._provider_rows

    def add_pane(self) -> OutputPane | None:
        if self._prompt_id is None:
            return None
        panes = self.panes.panes()
        source = panes[-1].target() if panes else None
        pane = self.panes.add_pane(source or self._default_target())
        self._document_changed()
        return pane

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.attached and not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self._refresh_models)

    def _refresh_models(self) -> None:
        for pane in self.panes.panes():
            target = pane.target()
            if target is not None:
                self._load_models(target.provider, pane)

    def _on_panes_pane_added(self, pane: OutputPane) -> None:
        try:
            pane.set_providers(self._providers.provider_names())
        except PlaygroundError as exc:
            self.show_error(str(exc))
        pane.set_run_enabled(self.editor.is_valid(), self.editor.invalid_reason())
        self._update_pane_hint(pane)
        pane.run_requested.connect(lambda p=pane: self.run_panes([p]))
        pane.stop_requested.connect(lambda p=pane: self._runs.stop(p.pane_id))
        pane.remove_requested.connect(lambda p=pane: self._remove_pane(p))
        pane.provider_changed.connect(lambda name, p=pane: self._on_pane_provider_changed(p, name))
        pane.target_changed.connect(lambda p=pane: self._on_pane_target_changed(p))
        pane.diff_requested.connect(lambda p=pane: self.compare_outputs(p.pane_id))
        target = pane.target()
        if target is not None:
            self._load_models(target.provider, pane)

    def _remove_pane(self, pane: OutputPane) -> None:
        self._runs.stop(pane.pane_id)
        self.panes.remove_pane(pane.pane_id)

    def _on_panes_pane_removed(self, _pane_id: str) -> None:
        self._document_changed()

    def _on_pane_provider_changed(self, pane: OutputPane, name: str) -> None:
        self._update_pane_hint(pane)
        self._load_models(name, pane)

    def _on_pane_target_changed(self, pane: OutputPane) -> None:
        pane.setProperty(FROM_HISTORY, False)  # edited: now one of the prompt's targets
        self._update_pane_hint(pane)
        self._document_changed()

    def _update_pane_hint(self, pane: OutputPane) -> None:
        target = pane.target()
        hint = ""
        rows = {r.name: r for r in self._rows()}
        if not any(r.has_key for r in rows.values() if r.key_required):
            hint = NO_KEYS_HINT
        if target is not None and target.provider in rows:
            row = rows[target.provider]
            if row.key_required and not row.has_key:
                hint = f"No key for {row.display_name}. {NO_KEYS_HINT}"
            elif not row.key_required:
                hint = f"Runs on {row.display_name} at {row.base_url or 'its default address'}."
        pane.set_empty_hint(hint or "Press Ctrl+Enter to run every pane, or ▶ to run this one.")

    def _load_models(self, provider: str, pane: OutputPane | None = None) -> None:
        """Fill model combos from the provider's list, fetched once per session."""
        if provider in self._models:
            if pane is not None:
                pane.set_models(provider, self._models[provider])
            return
        if provider in self._model_tasks:
            return

        async def fetch() -> None:
            try:
                models = await self._providers.models(provider)
            except PlaygroundError as exc:
                log.info("no model list for %s: %s", provider, exc)
                models = []
            finally:
                self._model_tasks.pop(provider, None)
            self._models[provider] = models
            for p in self.panes.panes():
                target = p.target()
                if target is None or target.provider == provider:
                    p.set_models(provider, models)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Not running yet (the window is built before the loop starts): offer the
            # curated list for now; the first show asks the servers (_refresh_models).
            try:
                defaults = self._providers.default_models(provider)
            except PlaygroundError:
                defaults = []
            if pane is not None:
                pane.set_models(provider, defaults)
            return
        self._model_tasks[provider] = loop.create_task(fetch())

    # ================================================================ running

    def run_all(self) -> None:
        self.run_panes(self.panes.panes())

    def run_panes(self, panes: list[OutputPane]) -> None:
        if self._prompt_id is None or not panes:
            return
        if not self.editor.is_valid():
            self.notice.show_message(f"Run is disabled: {self.editor.invalid_reason()}", "warning")
            self.editor.focus_first_problem()
            return
        ready = [(p, None if p.parameter_error() else p.target()) for p in panes]
        missing = [p for p, t in ready if t is None]
        runnable = [(p, t) for p, t in ready if t is not None]
        if missing:
            self.status.showMessage(
                f"{len(missing)} pane(s) were skipped: they have no provider or model yet, "
                "or a parameter to fix.",
                8000,
            )
        if not runnable:
            return
        document = self.current_document()
        schema = self.editor.schema_text()
        try:
            self._runs.start(
                self._prompt_id,
                document,
                self.editor.variable_values(),
                [(p.pane_id, replace(t, json_schema_text=schema)) for p, t in runnable],
            )
        except TemplateError as exc:
            self.editor.show_problems(list(exc.problems))
            self.notice.show_message(f"The prompt cannot be rendered: {exc}", "error")
            return
        except PlaygroundError as exc:
            self.notice.show_message(str(exc), "error")
            return
        self.notice.hide()
        for pane, _ in runnable:
            pane.begin_run()

    def stop_all(self) -> None:
        self._runs.stop()

    def _on_runs_update(self, pane_id: str, event: object) -> None:
        pane = self.panes.pane(pane_id)
        if pane is not None:
            pane.apply_update(event)

    def _on_runs_busy_changed(self, busy: bool) -> None:
        self.stop_all_action.setEnabled(busy)

    def _on_runs_recorded(self) -> None:
        if not self._history_timer.isActive():
            self._history_timer.start()

    def _on_history_timer_timeout(self) -> None:
        self.refresh_history()

    # ================================================================ versions

    def save_version(self) -> SaveVersionDialog | None:
        if self._prompt_id is None:
            return None
        try:
            next_number = max((v.number for v in self._drafts.versions()), default=0) + 1
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return None
        dialog = SaveVersionDialog(
            self._drafts.name, next_number, self, self.files.write_back_name()
        )
        dialog.accepted.connect(lambda: self._save_version(dialog.text(), dialog.write_back()))
        self._keep(dialog)
        dialog.open()
        return dialog

    def _save_version(self, message: str, write_back: bool = False) -> None:
        self._sync_edit()
        try:
            result = self._drafts.save_version(self.current_document(), message)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        number = result.version.number
        if result.created:
            self.status.showMessage(f"Saved v{number}.", 5000)
        else:
            self.status.showMessage(f"Nothing changed since v{number}; no new version.", 5000)
        self.refresh_history()
        self.reload_library()
        self.files.after_save(number, write_back)

    def refresh_history(self) -> None:
        if self._prompt_id is None:
            self.history.clear()
            return
        try:
            # set_versions keeps what is selected and announces it, which refreshes the runs.
            self.history.set_versions(self._drafts.versions(), current=self._drafts.base_version)
        except PlaygroundError as exc:
            self.show_error(str(exc))

    def _on_history_version_selected(self, number: object) -> None:
        if self._prompt_id is None:
            return
        version = number if isinstance(number, int) else None
        try:
            self.history.set_runs(self._drafts.runs(version))
        except PlaygroundError as exc:
            self.show_error(str(exc))

    def _on_history_restore_requested(self, number: int) -> None:
        self._sync_edit()
        try:
            document = self._drafts.restore(number)
        except ConflictError:
            self._ask_restore(number)
            return
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self._show_restored(number, document)

    def _ask_restore(self, number: int) -> None:
        box = QMessageBox(self)
        box.setObjectName("restoreConflict")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved edits")
        box.setText(f"The draft has edits that are not saved as a version. Restore v{number}?")
        box.setInformativeText(
            "Save the edits as a version first to keep them in the history, or discard them."
        )
        save = box.addButton("Save version, then restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard edits", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def done() -> None:
            clicked = box.clickedButton()
            try:
                if clicked is save:
                    self._drafts.save_version(self.current_document(), "Before restoring")
                elif clicked is not discard:
                    return
                document = self._drafts.restore(number, discard_unsaved=True)
            except PlaygroundError as exc:
                self.show_error(str(exc))
                return
            self._show_restored(number, document)

        box.finished.connect(lambda _r: done())
        self._keep(box)
        box.open()

    def _show_restored(self, number: int, document: PromptDocument) -> None:
        self._loading = True
        try:
            self.editor.set_document(document)
            schema = next(
                (t.json_schema_text for t in document.targets if t.json_schema_text), None
            )
            self.editor.set_schema_text(schema)
            self._runs.stop()
            self._set_panes(document)
        finally:
            self._loading = False
        self.refresh_history()
        self.status.showMessage(f"Restored v{number} as the draft.", 5000)

    def _on_history_label_requested(self, number: int, label: str) -> None:
        try:
            self._drafts.set_label(label, number)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.refresh_history()
        self.reload_library()

    def _on_history_label_remove_requested(self, label: str) -> None:
        try:
            self._drafts.remove_label(label)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.refresh_history()
        self.reload_library()

    def _on_history_compare_requested(self, older: int, newer: int) -> None:
        try:
            old = self._drafts.version_document(older)
            new = self._drafts.version_document(newer)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self._keep(DiffDialog.for_documents(self, f"v{older}", old, f"v{newer}", new)).show()

    def _on_history_run_open_requested(self, run_id: int) -> None:
        try:
            run = self._drafts.run(run_id)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        result = result_from_run(run)
        version = f"v{run.version_number}" if run.version_number else "draft"
        self._loading = True
        try:
            pane = self.panes.add_pane(replace(result.target, json_schema_text=None))
        finally:
            self._loading = False
        # A past run shown for reference is not one of the prompt's targets.
        pane.setProperty(FROM_HISTORY, True)
        pane.show_result(result, title=f"Run #{run.id} · {version} · {run.created[:16]}")
        QTimer.singleShot(0, lambda: self.panes.ensureWidgetVisible(pane))

    def _on_history_runs_compare_requested(self, first: int, second: int) -> None:
        try:
            a, b = self._drafts.run(first), self._drafts.run(second)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self._keep(
            DiffDialog.for_outputs(
                self,
                f"Run #{a.id} · {a.record.provider}:{a.record.model}",
                a.record.output,
                f"Run #{b.id} · {b.record.provider}:{b.record.model}",
                b.record.output,
            )
        ).show()

    # ================================================================ comparing outputs

    def compare_outputs(self, first: str | None = None) -> None:
        panes = self.panes.panes()
        if len(panes) < 2:
            self.status.showMessage("Compare needs two panes with output.", 5000)
            return
        if len(panes) == 2 and first is None:
            self.compare_panes(panes[0].pane_id, panes[1].pane_id)
            return
        choices = [(p.pane_id, self._pane_title(p)) for p in panes]
        dialog = ChooseOutputsDialog(choices, first, self)
        dialog.accepted.connect(lambda: self.compare_panes(*dialog.chosen()))
        self._keep(dialog)
        dialog.open()

    def compare_panes(self, left_id: str, right_id: str) -> None:
        left, right = self.panes.pane(left_id), self.panes.pane(right_id)
        if left is None or right is None:
            return
        self._keep(
            DiffDialog.for_outputs(
                self,
                self._pane_title(left),
                left.output_text(),
                self._pane_title(right),
                right.output_text(),
            )
        ).show()

    @staticmethod
    def _pane_title(pane: OutputPane) -> str:
        target = pane.target()
        return f"Pane {pane.pane_id}" + (f" · {target.label}" if target else "")

    # ================================================================ dialogs

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self._providers, self)
        dialog.providers_changed.connect(self._on_settings_providers_changed)
        self._keep(dialog)
        dialog.open()
        return dialog

    def _on_settings_providers_changed(self) -> None:
        self._models.clear()
        self._provider_rows = None
        try:
            names = self._providers.provider_names()
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        for pane in self.panes.panes():
            pane.set_providers(names)
            self._update_pane_hint(pane)
            target = pane.target()
            if target is not None:
                self._load_models(target.provider, pane)

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.shortcut_actions(), self)
        self._keep(dialog)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        from playground import __version__

        QMessageBox.about(
            self,
            "About Prompt Playground",
            f"<b>Prompt Playground</b> {__version__}<br>"
            "A local-first playground for prompt engineers.<br>"
            f"Your library: {self.services.store.path}",
        )

    def export_prompt(self) -> QWidget | None:
        """Open the export dialog for the prompt as edited (its versions are offered too)."""
        if self._prompt_id is None:
            return None
        # Imported on first use: export code stays out of start-up.
        from playground.ui.controllers.export import ExportController
        from playground.ui.dialogs.export_dialog import ExportDialog

        controller = ExportController(
            self.services.store,
            self._prompt_id,
            self.current_document(),
            self.editor.variable_values(),
        )
        dialog = ExportDialog(controller, self)
        dialog.saved.connect(lambda text: self.status.showMessage(text, 5000))
        self._keep(dialog).show()
        return dialog

    def write_export(self, path: str, document: PromptDocument) -> bool:
        """Write ``document`` as native JSON at ``path``; False, with a notice, if it failed."""
        from pathlib import Path

        from playground.ui.controllers.export import write_native

        try:
            write_native(document, Path(path))
        except PlaygroundError as exc:
            self.show_error(f"Could not write the export: {exc}")
            return False
        self.status.showMessage(f"Exported to {path}.", 5000)
        return True

    def _keep(self, widget: QWidget) -> QWidget:
        """Keep a non-modal dialog alive while it is open; forget it when it closes."""
        self._dialogs.append(widget)
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        widget.destroyed.connect(lambda _o=None, w=widget: self._forget(w))
        return widget

    def _forget(self, widget: QWidget) -> None:
        if widget in self._dialogs:
            self._dialogs.remove(widget)

    def show_error(self, message: str) -> None:
        self.notice.show_message(message, "error")

    def show_notice(self, message: str) -> None:
        self.notice.show_message(message, "info")

    # ================================================================ view

    def _on_history_action_toggled(self) -> None:
        self.history.setVisible(self.history_action.isChecked())

    def _on_cache_action_toggled(self) -> None:
        self._runs.use_cache = self.cache_action.isChecked()

    def apply_palette(self) -> None:
        """Re-colour highlighters after the palette changed (dark/light switch)."""
        palette = self.palette()
        for action, name in self._action_icons.items():
            action.setIcon(icon(name))  # icons are drawn in the palette's text colour
        for highlighter in self.findChildren(QSyntaxHighlighter):
            set_palette = getattr(highlighter, "set_palette", None)
            if set_palette is not None:
                set_palette(palette)

    # ================================================================ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        """Quit keeps everything: the draft is written; runs stop, their partial output logged."""
        if not self.attached:  # closed while opening: nothing to keep yet
            event.accept()
            return
        if not self.flush_draft() and not self._closing:
            answer = QMessageBox.warning(
                self,
                "Draft not saved",
                "The draft could not be saved, so your latest edits would be lost. Quit anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self._closing = True
        if self._runs.busy:
            # Let the streams wind down on the running loop (each is logged as
            # cancelled with its partial output), then close for real.
            event.ignore()
            self._runs.stop()
            if self._close_task is None:
                self._close_task = asyncio.ensure_future(self._close_when_idle())
            return
        for task in list(self._model_tasks.values()):
            task.cancel()
        self.save_layout()
        event.accept()

    async def _close_when_idle(self) -> None:
        try:
            await asyncio.wait_for(self._runs.wait_idle(), CLOSE_WAIT_S)
        except TimeoutError:
            log.warning("runs did not stop within %s s; closing anyway", CLOSE_WAIT_S)
        self.close()
