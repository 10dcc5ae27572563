"""Save version: an optional message, then the version is saved (and maybe written to its file)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

__all__ = ["SaveVersionDialog"]


class SaveVersionDialog(QDialog):
    """Asks for a version message; opened with ``open()`` so the app keeps running."""

    def __init__(
        self,
        prompt_name: str,
        next_number: int,
        parent: QWidget | None = None,
        file_name: str | None = None,
    ) -> None:
        """``file_name``: the opened folder's file for this prompt, offered for write-back."""
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
        self.write_file: QCheckBox | None = None
        if file_name:
            self.write_file = QCheckBox(f"Also write {file_name}")
            self.write_file.setObjectName("writeBack")
            self.write_file.setToolTip(
                "Write the saved version to the prompt's file, in its format"
            )
            self.write_file.setChecked(True)
            layout.addWidget(self.write_file)
        layout.addWidget(buttons)
        self.resize(420, self.sizeHint().height())

    def text(self) -> str:
        return self.message.text().strip()

    def write_back(self) -> bool:
        return self.write_file is not None and self.write_file.isChecked()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
