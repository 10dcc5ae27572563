"""Compare outputs: pick the two panes whose outputs to diff."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QWidget,
)

__all__ = ["ChooseOutputsDialog"]


class ChooseOutputsDialog(QDialog):
    """Two combos over (id, title) choices; OK only when they differ."""

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        first: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chooseOutputsDialog")
        self.setWindowTitle("Compare outputs")
        self.left = QComboBox()
        self.left.setObjectName("compareLeft")
        self.right = QComboBox()
        self.right.setObjectName("compareRight")
        for pane_id, title in choices:
            self.left.addItem(title, pane_id)
            self.right.addItem(title, pane_id)
        ids = [c[0] for c in choices]
        self.left.setCurrentIndex(ids.index(first) if first in ids else 0)
        self.right.setCurrentIndex(1 if self.left.currentIndex() == 0 and len(ids) > 1 else 0)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Left", self.left)
        form.addRow("Right", self.right)
        form.addRow(self.buttons)
        self.left.currentIndexChanged.connect(self._on_choice_changed)
        self.right.currentIndexChanged.connect(self._on_choice_changed)
        self._on_choice_changed()

    def chosen(self) -> tuple[str, str]:
        return str(self.left.currentData()), str(self.right.currentData())

    def _on_choice_changed(self, _index: int = 0) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.left.currentData() != self.right.currentData())
