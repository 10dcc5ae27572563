"""The opened folder's prompt files, shown under the library with each one's status.

A thin view over :class:`~playground.ui.controllers.files.FolderRow` values:
it shows them and says which one the user picked; the window's file actions
decide what picking means.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.controllers.files import FolderRow
from playground.ui.icons import icon

__all__ = ["STATUS_ROLE", "FolderPanel"]

_KEY = Qt.ItemDataRole.UserRole
#: The entry's status ("new", "same", "differs" or "error"), for tests and styling.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
_PATH = Qt.ItemDataRole.UserRole + 2

# The words are there as well as the icons: a mark must not rest on colour alone.
_MARKS = {
    "new": ("add", "new"),
    "same": ("ok", ""),
    "differs": ("diff", "differs"),
    "error": ("error", "error"),
}


class FolderPanel(QWidget):
    """A header (folder name, refresh, close) and the list of the folder's prompt files."""

    entry_activated = Signal(int)  # the row's key
    refresh_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("folderPanel")
        self.title = QLabel()
        self.title.setObjectName("folderTitle")
        self.refresh_button = self._button("refresh", "Check the files again", "folderRefresh")
        self.close_button = self._button("close", "Close the folder", "folderClose")
        self.list = QListWidget()
        self.list.setObjectName("folderList")
        self.list.setUniformItemSizes(True)
        self.empty = QLabel("No prompt files in this folder.")
        self.empty.setObjectName("folderEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        folder_icon = QLabel()
        folder_icon.setPixmap(icon("folder").pixmap(16, 16))
        header.addWidget(folder_icon)
        header.addWidget(self.title, 1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)

        # A click picks an entry, and so do Enter and a double-click; acting on an
        # entry twice is harmless (the file actions make each pick idempotent).
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.close_button.clicked.connect(self.close_requested)

    def _button(self, name: str, tip: str, object_name: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon(name))
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setObjectName(object_name)
        button.setAutoRaise(True)
        return button

    def set_folder(self, name: str, path: str) -> None:
        self.title.setText(name)
        self.title.setToolTip(path)

    def set_rows(self, rows: Sequence[FolderRow]) -> None:
        """Show ``rows``; the file that was selected stays selected."""
        current = self.list.currentItem()
        selected = current.data(_PATH) if current is not None else None
        with QSignalBlocker(self.list):
            self.list.clear()
            for row in rows:
                name, word = _MARKS[row.status]
                text = f"{row.title}  ·  {word}" if word else row.title
                item = QListWidgetItem(icon(name), text)
                item.setData(_KEY, row.key)
                item.setData(STATUS_ROLE, row.status)
                item.setData(_PATH, row.detail)
                item.setToolTip(row.tooltip)
                self.list.addItem(item)
                if row.detail == selected:
                    self.list.setCurrentItem(item)
        self.list.setVisible(bool(rows))
        self.empty.setVisible(not rows)

    def statuses(self) -> dict[str, str]:
        """Each listed file (relative to the folder) and its status."""
        return {
            str(self.list.item(i).data(_PATH)): str(self.list.item(i).data(STATUS_ROLE))
            for i in range(self.list.count())
        }

    def key_of(self, detail: str) -> int | None:
        """The key of the row for the file ``detail`` (relative to the folder)."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(_PATH) == detail:
                return int(item.data(_KEY))
        return None

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        self.entry_activated.emit(int(item.data(_KEY)))

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        self.entry_activated.emit(int(item.data(_KEY)))
