"""The prompt library on the left: a search box, the list, and new/duplicate/rename/archive."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.controllers.library import PromptRow, SearchRow
from playground.ui.icons import icon

__all__ = ["LibraryPanel"]

_ID = Qt.ItemDataRole.UserRole
_ARCHIVED = Qt.ItemDataRole.UserRole + 1
#: Search waits for a pause in typing this long.
SEARCH_DEBOUNCE_MS = 150


class LibraryPanel(QWidget):
    """Lists prompts (or search results); every change is a request to the main window."""

    prompt_selected = Signal(int)
    new_requested = Signal()
    duplicate_requested = Signal(int)
    rename_requested = Signal(int, str)
    archive_requested = Signal(int, bool)  # prompt id, archive (False: bring back)
    search_changed = Signal(str)
    show_archived_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search prompts and outputs  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)

        self.list = QListWidget()
        self.list.setObjectName("promptList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setUniformItemSizes(True)

        self.empty = QLabel()
        self.empty.setObjectName("libraryEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)  # drawn in the dimmed text colour

        self.new_button = self._button("new", "New prompt (Ctrl+N)", "libraryNew")
        self.duplicate_button = self._button("duplicate", "Duplicate", "libraryDuplicate")
        self.rename_button = self._button("rename", "Rename (F2)", "libraryRename")
        self.archive_button = self._button("archive", "Archive", "libraryArchive")
        self.show_archived = QCheckBox("Archived")
        self.show_archived.setObjectName("libraryShowArchived")
        self.show_archived.setToolTip("Show archived prompts too")

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.new_button, self.duplicate_button, self.rename_button, self.archive_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.show_archived)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self._searching = False

        self.search.textChanged.connect(self._on_search_text_changed)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemChanged.connect(self._on_list_item_changed)
        self.new_button.clicked.connect(self.new_requested)
        self.duplicate_button.clicked.connect(self._on_duplicate_button_clicked)
        self.rename_button.clicked.connect(self._on_rename_button_clicked)
        self.archive_button.clicked.connect(self._on_archive_button_clicked)
        self.show_archived.toggled.connect(self.show_archived_changed)
        self._update_buttons()

    def _button(self, name: str, tip: str, object_name: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon(name))
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setObjectName(object_name)
        button.setAutoRaise(True)
        return button

    # ------------------------------------------------------------ filling

    def set_prompts(self, rows: Sequence[PromptRow], current: int | None = None) -> None:
        """Show the whole library (the search box is empty)."""
        self._searching = False
        with QSignalBlocker(self.list):
            self.list.clear()
            for row in rows:
                item = QListWidgetItem(row.name)
                item.setData(_ID, row.id)
                item.setData(_ARCHIVED, row.archived)
                item.setIcon(icon("archive") if row.archived else icon("new"))
                tip = f"{row.versions} version(s)" + (f" · {row.labels}" if row.labels else "")
                item.setToolTip(tip + (" · archived" if row.archived else ""))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
        self.empty.setText("No prompts yet. Press Ctrl+N to create one.")
        self.select(current)

    def set_search_results(self, rows: Sequence[SearchRow], current: int | None = None) -> None:
        self._searching = True
        with QSignalBlocker(self.list):
            self.list.clear()
            for row in rows:
                snippet = row.snippet.replace("\n", " ")
                text = f"{row.name}\n  {row.where}: {snippet}" if snippet else row.name
                item = QListWidgetItem(text)
                item.setData(_ID, row.prompt_id)
                item.setData(_ARCHIVED, False)
                item.setToolTip(f"{row.name} — matched in {row.where}")
                self.list.addItem(item)
        self.empty.setText("Nothing matches. Try fewer or other words.")
        self.select(current)

    def select(self, prompt_id: int | None) -> None:
        has_items = self.list.count() > 0
        self.list.setVisible(has_items)
        self.empty.setVisible(not has_items)
        with QSignalBlocker(self.list):
            ids = self.ids()
            # Not listed (filtered out by a search): select nothing rather than
            # leave another prompt highlighted.
            self.list.setCurrentRow(ids.index(prompt_id) if prompt_id in ids else -1)
        self._update_buttons()

    # ------------------------------------------------------------ queries

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(_ID))

    def ids(self) -> list[int]:
        return [int(self.list.item(i).data(_ID)) for i in range(self.list.count())]

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def clear_search(self) -> None:
        """Empty the search box without a delayed reload (the caller reloads)."""
        with QSignalBlocker(self.search):
            self.search.clear()
        self._search_timer.stop()

    def add_section(self, widget: QWidget) -> None:
        """Show ``widget`` under the library's buttons (the opened folder's files)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(widget, 1)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def start_rename(self) -> None:
        item = self.list.currentItem()
        if item is not None and not self._searching:
            self.list.editItem(item)

    # ------------------------------------------------------------ slots

    def _update_buttons(self) -> None:
        item = self.list.currentItem()
        selected = item is not None
        self.duplicate_button.setEnabled(selected)
        self.rename_button.setEnabled(selected and not self._searching)
        self.archive_button.setEnabled(selected)
        archived = bool(item.data(_ARCHIVED)) if item is not None else False
        self.archive_button.setToolTip("Bring back from the archive" if archived else "Archive")

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self.search_changed.emit(self.search.text())

    def _on_list_current_item_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        self._update_buttons()
        if current is not None:
            self.prompt_selected.emit(int(current.data(_ID)))

    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        if not self._searching:
            self.rename_requested.emit(int(item.data(_ID)), item.text())

    def _on_duplicate_button_clicked(self) -> None:
        prompt_id = self.current_id()
        if prompt_id is not None:
            self.duplicate_requested.emit(prompt_id)

    def _on_rename_button_clicked(self) -> None:
        self.start_rename()

    def _on_archive_button_clicked(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.archive_requested.emit(int(item.data(_ID)), not bool(item.data(_ARCHIVED)))
