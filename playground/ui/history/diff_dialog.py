"""A window around a diff view: compare two versions, or two outputs, beside the main window.

The dialog is not modal, so several comparisons can stay open while the user
keeps editing. "Copy diff" puts a plain-text unified diff on the clipboard,
ready to paste into a review or an issue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.diff import FieldChange
from playground.core.document import PromptDocument
from playground.ui.history.document_diff import DocumentDiffView, summary_text
from playground.ui.history.output_diff import OutputDiffView
from playground.ui.icons import icon

__all__ = ["DiffDialog", "documents_patch", "outputs_patch"]

COPIED_FEEDBACK_MS = 1500


def documents_patch(old_title: str, new_title: str, changes: Sequence[FieldChange]) -> str:
    """The changes as text: a title line, then a unified diff per field."""
    lines = [f"{old_title} → {new_title}: {summary_text(changes)}"]
    for change in changes:
        lines.append("")
        lines += change.unified()
    return "\n".join(lines) + "\n"


def outputs_patch(left_title: str, left: str, right_title: str, right: str) -> str:
    """A unified diff (by lines) from ``left`` to ``right``, headed with their titles."""
    if left == right:
        return f"{left_title} → {right_title}: No differences.\n"
    lines = FieldChange("output", "changed", left, right).unified()
    lines[:2] = [f"--- {left_title}", f"+++ {right_title}"]
    return "\n".join(lines) + "\n"


class DiffDialog(QDialog):
    """A non-modal window showing one diff view, with Copy diff and Close."""

    def __init__(
        self, parent: QWidget | None, view: QWidget, title: str, patch: Callable[[], str]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("diffDialog")
        self.setWindowTitle(title)
        self.setModal(False)
        self._view = view
        self._patch = patch

        self._copy = QPushButton(icon("copy"), "Copy diff")
        self._copy.setObjectName("diffCopy")
        self._copy.setToolTip("Copy the differences as a plain-text unified diff")
        self._copy.setAutoDefault(False)
        self._copy.clicked.connect(self._on_copy_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("diffButtons")
        buttons.addButton(self._copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)
        self._fit_to_screen()

    @classmethod
    def for_documents(
        cls,
        parent: QWidget | None,
        old_title: str,
        old: PromptDocument,
        new_title: str,
        new: PromptDocument,
    ) -> DiffDialog:
        """A dialog comparing two prompt documents (not shown yet: call ``show()``)."""
        view = DocumentDiffView()
        view.set_documents(old_title, old, new_title, new)
        return cls(
            parent,
            view,
            f"Compare {old_title} → {new_title}",
            lambda: documents_patch(old_title, new_title, view.changes()),
        )

    @classmethod
    def for_outputs(
        cls, parent: QWidget | None, left_title: str, left: str, right_title: str, right: str
    ) -> DiffDialog:
        """A dialog comparing two outputs word by word (not shown yet: call ``show()``)."""
        view = OutputDiffView()
        view.set_texts(left_title, left, right_title, right)
        return cls(
            parent,
            view,
            "Compare outputs",
            lambda: outputs_patch(left_title, left, right_title, right),
        )

    def view(self) -> QWidget:
        """The hosted :class:`DocumentDiffView` or :class:`OutputDiffView`."""
        return self._view

    def patch_text(self) -> str:
        """What "Copy diff" puts on the clipboard."""
        return self._patch()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._patch())
        self._copy.setText("Copied")
        QTimer.singleShot(COPIED_FEEDBACK_MS, self, self._on_copied_timeout)

    def _on_copied_timeout(self) -> None:
        self._copy.setText("Copy diff")

    def _fit_to_screen(self) -> None:
        width, height = 1100, 720
        screen = (self.parentWidget() or self).screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            width = min(width, int(area.width() * 0.9))
            height = min(height, int(area.height() * 0.85))
        self.resize(width, height)
