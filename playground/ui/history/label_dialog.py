"""Set label: name a label (new, or one to move) to point at a version.

The dialog is opened with ``open()``, so the app keeps running while it is
up; the caller reads :meth:`LabelDialog.label` once it is accepted. A name
that cannot be a label is refused inline, and the dialog stays open; the
store has the last word on what a label may be.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from playground.ui.history.diff_text import diff_colors

__all__ = ["LabelDialog", "label_problem"]

#: Offered in the list even before a prompt has any labels.
SUGGESTED_LABELS = ("production", "staging")


def label_problem(label: str) -> str | None:
    """Why ``label`` cannot be used, in a short sentence, or None when it looks fine."""
    if not label.strip():
        return "Type a label name, such as production."
    if any(ch.isspace() for ch in label.strip()):
        return "A label cannot contain spaces."
    return None


class LabelDialog(QDialog):
    """Asks which label should point at version ``number``.

    ``labels`` maps the prompt's existing labels to the versions they point at;
    they are offered in the list, and the dialog says when a label would move.
    """

    def __init__(
        self, number: int, labels: Mapping[str, int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("labelDialog")
        self.setWindowTitle(f"Set label on v{number}")
        self._number = number
        self._labels = dict(labels)

        self.combo = QComboBox()
        self.combo.setObjectName("labelName")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        names = sorted(self._labels)
        names += [name for name in SUGGESTED_LABELS if name not in self._labels]
        self.combo.addItems(names)
        self.combo.setCurrentIndex(-1)
        self.combo.setEditText("")
        line_edit = self.combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText("production")
        self.combo.editTextChanged.connect(self._on_combo_edit_text_changed)

        self.hint = QLabel()
        self.hint.setObjectName("labelHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.error = QLabel()
        self.error.setObjectName("labelError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        palette = self.error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, diff_colors(palette).removed_text)
        self.error.setPalette(palette)
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.hide()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("labelOk")
        self.ok_button.setText("Set label")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        intro = QLabel(
            f"Point a label at v{number}. A label names one version; "
            "setting one that exists moves it here."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.combo)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(380, self.sizeHint().height())
        self._on_combo_edit_text_changed("")

    @property
    def number(self) -> int:
        """The version the label is for."""
        return self._number

    def label(self) -> str:
        """The label typed or picked, without surrounding white space."""
        return self.combo.currentText().strip()

    def _on_combo_edit_text_changed(self, text: str) -> None:
        self.error.hide()
        name = text.strip()
        where = self._labels.get(name)
        if where is None or not name:
            self.hint.setText("")
            self.hint.hide()
        elif where == self._number:
            self.hint.setText(f"“{name}” already points at v{where}.")
            self.hint.show()
        else:
            self.hint.setText(f"Moves “{name}” from v{where} to v{self._number}.")
            self.hint.show()

    def _on_buttons_accepted(self) -> None:
        problem = label_problem(self.combo.currentText())
        if problem is None and self._labels.get(self.label()) == self._number:
            problem = f"“{self.label()}” already points at v{self._number}."
        if problem is not None:
            self.error.setText(problem)
            self.error.show()
            self.combo.setFocus()
            return
        self.accept()
