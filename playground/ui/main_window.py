"""The main window: the prompt library on the left, the selected prompt in the centre."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QSplitter,
)

from playground.core.document import PromptDocument
from playground.ui.controllers import LibraryController

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    def __init__(self, library: LibraryController) -> None:
        super().__init__()
        self._library = library
        self.setWindowTitle("Prompt Playground")
        self.resize(1100, 700)

        self.prompt_list = QListWidget()
        self.prompt_list.setObjectName("promptList")
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("promptPreview")
        self.preview.setReadOnly(True)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.prompt_list)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 3)
        self.setCentralWidget(splitter)

        self.prompt_list.currentItemChanged.connect(self._on_prompt_list_current_item_changed)
        self.reload()

    def reload(self) -> None:
        self.prompt_list.clear()
        for row in self._library.prompts():
            item = QListWidgetItem(row.name)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setToolTip(
                f"{row.versions} version(s)" + (f" · {row.labels}" if row.labels else "")
            )
            self.prompt_list.addItem(item)
        if self.prompt_list.count():
            self.prompt_list.setCurrentRow(0)
        else:
            self.preview.setPlainText("No prompts yet.")

    def _on_prompt_list_current_item_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        doc = self._library.working_copy(int(current.data(Qt.ItemDataRole.UserRole)))
        self.setWindowTitle(f"{current.text()} — Prompt Playground")
        self.preview.setPlainText(_as_text(doc) if doc is not None else "")


def _as_text(doc: PromptDocument) -> str:
    parts = [f"[system]\n{doc.system}"] if doc.system else []
    parts += [f"[example {i}]\n{e.input}\n→ {e.output}" for i, e in enumerate(doc.examples, 1)]
    parts += [f"[{m.role}]\n{m.content}" for m in doc.messages]
    return "\n\n".join(parts)
