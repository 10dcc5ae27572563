"""Save version: an optional message, then the version is saved."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

__all__ = ["SaveVersionDialog"]


class SaveVersionDialog(QDialog):
    """Asks for a version message; opened with ``open()`` so the app keeps running."""

    def __init__(self, prompt_name: str, next_number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveVersionDialog")
        self.setWindowTitle("Save version")
        self.message = QLineEdit()
        self.message.setObjectName("versionMessage")
        self.message.setPlaceholderText("What changed? (optional)")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Save <b>{_escape(prompt_name)}</b> as v{next_number}."))
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(420, self.sizeHint().height())

    def text(self) -> str:
        return self.message.text().strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
