"""File → Import, Open folder and Close folder; files dropped on the window; write-back.

The main window builds one :class:`FileActions` and routes to it: its menu
gets the actions, its drag and drop events come here (an event filter), and Save Version asks
here whether the prompt has a file to write back to. The work is in
:class:`~playground.ui.controllers.files.FilesController`; this class turns
user actions into its calls and shows the results (status bar for good news,
the notice bar for problems), so the window stays a router.

Nothing here loses the open draft: the window's pending edit is written to
the store before any import, and loading a file over a draft with unsaved
edits asks first, offering only choices that keep both.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QFileSystemWatcher, QMimeData, QObject, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from playground.core.errors import ConflictError, PlaygroundError
from playground.export.registry import IMPORT_SUFFIXES
from playground.ui.controllers.files import FilesController, ImportReport, is_importable
from playground.ui.folder_panel import FolderPanel

if TYPE_CHECKING:
    from playground.ui.main_window import MainWindow

__all__ = ["FOLDER_KEY", "FOLDER_REFRESH_MS", "FileActions"]

log = logging.getLogger("playground.ui")

#: QSettings key of the opened folder, reopened at the next launch.
FOLDER_KEY = "folder/path"
#: A burst of file changes (a git checkout) is checked once, this long after it ends.
FOLDER_REFRESH_MS = 400
#: Warnings listed in the notice; all of them are in its tooltip.
MAX_SHOWN = 5

_SUFFIX_TEXT = ", ".join(IMPORT_SUFFIXES)


class FileActions(QObject):
    """Owns the import and folder actions, the folder list and its file watcher."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._files = FilesController(window.services.store)
        self._settings = window.services.settings
        self._asking = False  # a question about unsaved edits is open

        self.panel = FolderPanel()
        self.panel.hide()
        window.library_panel.add_section(self.panel)

        # The window's action factory: shortcuts scoped to the window, icons that
        # follow the palette.
        a = window._action
        self.import_action = a(
            "&Import…", self.choose_files, "Ctrl+Shift+O", "import", "actionImport"
        )
        self.import_action.setToolTip(f"Import prompt files ({_SUFFIX_TEXT}) into the library")
        self.open_folder_action = a(
            "Open &folder…", self.choose_folder, None, "folder", "actionOpenFolder"
        )
        self.close_folder_action = a(
            "C&lose folder", self.close_folder, None, "close", "actionCloseFolder"
        )
        self.close_folder_action.setEnabled(False)

        self._watcher = QFileSystemWatcher(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FOLDER_REFRESH_MS)

        self.panel.entry_activated.connect(self._on_panel_entry_activated)
        self.panel.refresh_requested.connect(self.refresh)
        self.panel.close_requested.connect(self.close_folder)
        self._watcher.directoryChanged.connect(self._on_watcher_changed)
        self._watcher.fileChanged.connect(self._on_watcher_changed)
        self._timer.timeout.connect(self._on_timer_timeout)
        # Drops on the window come here through an event filter, so the window
        # needs no drag handlers of its own.
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    @property
    def controller(self) -> FilesController:
        return self._files

    def add_to_menu(self, menu: QMenu) -> None:
        menu.addAction(self.import_action)
        menu.addAction(self.open_folder_action)
        menu.addAction(self.close_folder_action)

    # ================================================================ import

    def choose_files(self) -> QFileDialog:
        dialog = QFileDialog(self._window, "Import prompt files")
        dialog.setObjectName("importDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        patterns = " ".join(f"*{s}" for s in IMPORT_SUFFIXES)
        dialog.setNameFilters([f"Prompt files ({patterns})", "All files (*)"])
        if self._files.folder is not None:
            dialog.setDirectory(str(self._files.folder))
        dialog.filesSelected.connect(self._on_import_dialog_files_selected)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def _on_import_dialog_files_selected(self, names: Sequence[str]) -> None:
        self.import_files([Path(n) for n in names if n])

    def import_files(self, paths: Sequence[Path]) -> ImportReport | None:
        """Import ``paths`` (each file on its own); the last prompt imported is opened."""
        if not paths or not self._flushed("nothing was imported"):
            return None
        report = self._files.import_files(paths)
        self.show_report(report)
        return report

    def show_report(self, report: ImportReport) -> None:
        """Open the last prompt imported, and say calmly what happened to each file."""
        w = self._window
        prompt_id = report.last_prompt_id
        if prompt_id is not None:
            w.library_panel.clear_search()
            w.reload_library()
            # The import may have moved the open prompt's draft to the new version.
            w.open_prompt(prompt_id, reload=True)
            self.refresh()
        lines = report.lines()
        if not report.errors and not report.warnings:
            if lines:
                w.status.showMessage(" ".join(lines), 8000)
            return
        parts = [" ".join(lines)] if lines else []
        if report.errors:
            parts.append(f"Could not import {len(report.errors)} file(s):")
            parts.extend(report.errors)
        if report.warnings:
            shown = report.warnings[:MAX_SHOWN]
            parts.append(f"{len(report.warnings)} warning(s):")
            parts.extend(f"• {text}" for text in shown)
            if len(report.warnings) > len(shown):
                parts.append(f"… and {len(report.warnings) - len(shown)} more (hover to see all)")
        w.notice.show_message("\n".join(parts), "error" if report.errors else "warning")
        w.notice.text.setToolTip("\n".join((*report.errors, *report.warnings)))

    def _flushed(self, otherwise: str) -> bool:
        """Write the open draft's latest edit first, so nothing below can lose it."""
        if self._window.flush_draft():
            return True
        self._window.show_error(
            f"The draft could not be saved, so {otherwise}: your edits stay open. "
            "Free some disk space (or check the data folder), then try again."
        )
        return False

    # ================================================================ drag and drop

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window:
            kind = event.type()
            if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                assert isinstance(event, QDragMoveEvent)  # a QDragEnterEvent is one too
                self.drag_enter(event)
                return True
            if kind == QEvent.Type.Drop:
                assert isinstance(event, QDropEvent)
                self.drop(event)
                return True
        return super().eventFilter(watched, event)

    def drag_enter(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        if any(is_importable(p) for p in _local_files(event.mimeData())):
            event.acceptProposedAction()
            return
        event.ignore()
        if event.type() == QEvent.Type.DragEnter:
            self._window.status.showMessage(
                f"Only prompt files can be dropped here ({_SUFFIX_TEXT}).", 5000
            )

    def drop(self, event: QDropEvent) -> None:
        paths = _local_files(event.mimeData())
        if not any(is_importable(p) for p in paths):
            event.ignore()
            self._window.status.showMessage(
                f"Only prompt files can be dropped here ({_SUFFIX_TEXT}).", 5000
            )
            return
        event.acceptProposedAction()
        # Every dropped file goes through the importer, so one that is not a
        # prompt file is named in the report with the reason, not skipped unseen.
        self.import_files(paths)

    # ================================================================ the folder

    def choose_folder(self) -> QFileDialog:
        dialog = QFileDialog(self._window, "Open a folder of prompt files")
        dialog.setObjectName("openFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self._on_folder_dialog_file_selected)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def _on_folder_dialog_file_selected(self, name: str) -> None:
        if name:
            self.open_folder(Path(name))

    def open_folder(self, folder: Path) -> bool:
        """List ``folder``'s prompt files beside the library, and remember it."""
        started = time.perf_counter()
        try:
            rows = self._files.open_folder(folder)
        except PlaygroundError as exc:
            self._window.show_error(str(exc))
            return False
        log.info("scanned %s in %.0f ms", folder, (time.perf_counter() - started) * 1000)
        self._settings.setValue(FOLDER_KEY, str(folder))
        self.panel.set_folder(folder.name or str(folder), str(folder))
        self.panel.set_rows(rows)
        self.panel.show()
        self.close_folder_action.setEnabled(True)
        self._watch()
        self._window.status.showMessage(f"Opened {folder.name or folder}: {self.summary()}.", 8000)
        return True

    def restore(self) -> None:
        """Reopen the folder of the last session, if it is still there."""
        value = self._settings.value(FOLDER_KEY)
        if not isinstance(value, str) or not value:
            return
        if Path(value).is_dir():
            self.open_folder(Path(value))
        else:
            self._window.status.showMessage(
                f"The prompt folder {value} is not there any more.", 8000
            )

    def close_folder(self) -> None:
        self._files.close_folder()
        self._settings.remove(FOLDER_KEY)
        self._timer.stop()
        self._unwatch()
        self.panel.hide()
        self.close_folder_action.setEnabled(False)

    def refresh(self) -> None:
        """Check the opened folder's files against the library again."""
        if self._files.folder is None:
            return
        try:
            rows = self._files.rescan()
        except PlaygroundError as exc:
            self.close_folder()
            self._window.show_error(f"{exc}; the folder is closed.")
            return
        self.panel.set_rows(rows)
        self._watch()

    def summary(self) -> str:
        counts = self._files.counts()
        total = sum(counts.values())
        parts = [f"{counts['new']} new"] if counts["new"] else []
        if counts["differs"]:
            parts.append(f"{counts['differs']} differ from the library")
        if counts["error"]:
            parts.append(f"{counts['error']} cannot be read")
        text = f"{total} prompt file(s)"
        return f"{text}: {', '.join(parts)}" if parts else text

    def _watch(self) -> None:
        self._unwatch()
        # Atomic saves replace a file, which drops it from the watcher: the list
        # is rebuilt after every scan. Only paths that exist (Qt warns on others).
        paths = [str(p) for p in self._files.watched_paths() if p.exists()]
        if paths:
            self._watcher.addPaths(paths)

    def _unwatch(self) -> None:
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)

    def _on_watcher_changed(self, _path: str) -> None:
        self._timer.start()  # restarted by each change: one scan after the burst

    def _on_timer_timeout(self) -> None:
        self.refresh()

    # ================================================================ picking a file

    def _on_panel_entry_activated(self, key: int) -> None:
        if self._asking:
            return
        try:
            entry = self._files.entry(key)
        except PlaygroundError as exc:
            self._window.show_error(str(exc))
            return
        if entry.status == "error":
            self._window.show_error(entry.message)
        elif entry.status == "new":
            if self._flushed("the file was not imported"):
                self.show_report(self._files.import_entry(key))
        elif entry.status == "same" and entry.prompt_id is not None:
            self._window.open_prompt(entry.prompt_id)
        elif entry.status == "differs":
            self.load_file(key)

    def load_file(self, key: int, *, save_edits_first: bool = False) -> None:
        """Open a "differs" file's prompt with the file's content as its draft."""
        if not self._flushed("the file was not loaded"):
            return
        try:
            entry = self._files.entry(key)
            prompt_id = self._files.load_as_draft(key, save_edits_first=save_edits_first)
        except ConflictError:
            self._ask_load(key)
            return
        except PlaygroundError as exc:
            self._window.show_error(str(exc))
            return
        w = self._window
        w.reload_library()
        w.open_prompt(prompt_id, reload=True)
        self.refresh()
        w.status.showMessage(
            f"Loaded {entry.path.name} as the draft of '{w.services.drafts.name}'. "
            f"Save a version to keep it; v{entry.version} in the library is unchanged.",
            10000,
        )

    def _ask_load(self, key: int) -> None:
        entry = self._files.entry(key)
        box = QMessageBox(self._window)
        box.setObjectName("loadFileConflict")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved edits")
        box.setText(
            f"The draft of '{entry.name}' has edits that are not saved as a version. "
            f"Load {entry.path.name} as the draft?"
        )
        box.setInformativeText(
            "Save the edits as a version first, so both are kept; "
            "or open the draft as it is and leave the file for later."
        )
        save = box.addButton(
            "Save edits as a version, then load the file", QMessageBox.ButtonRole.AcceptRole
        )
        keep = box.addButton("Open the draft as it is", QMessageBox.ButtonRole.RejectRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        path, index, prompt_id = entry.path, entry.index, entry.prompt_id

        def done() -> None:
            self._asking = False
            clicked = box.clickedButton()
            if clicked is save:
                # The folder may have been checked again while the question was open.
                again = self._files.find(path, index)
                if again is not None:
                    self.load_file(again, save_edits_first=True)
            elif clicked is keep and prompt_id is not None:
                self._window.open_prompt(prompt_id)

        self._asking = True
        box.finished.connect(lambda _result: done())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()

    # ================================================================ write-back

    def write_back_name(self) -> str | None:
        """The file Save Version can also write, for the open prompt (None: no file)."""
        entry = self._files.write_back_entry(self._window.services.drafts.prompt_id)
        return entry.path.name if entry is not None else None

    def after_save(self, number: int, write_back: bool) -> None:
        """A version was saved: write it to its file if asked, and check the folder again."""
        if write_back:
            self.write_back(number)  # checks the folder again, written or not
        else:
            self.refresh()  # the library's latest version changed

    def write_back(self, number: int) -> bool:
        """Write the open prompt's version ``number`` to its file; problems are shown."""
        w = self._window
        prompt_id = w.services.drafts.prompt_id
        if prompt_id is None:
            return False
        try:
            paths = self._files.write_back(prompt_id, number)
        except PlaygroundError as exc:
            w.show_error(f"v{number} is saved, but its file was not written: {exc}")
            return False
        finally:
            self.refresh()
        w.status.showMessage(f"Saved v{number} and wrote {', '.join(p.name for p in paths)}.", 8000)
        return True


def _local_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
