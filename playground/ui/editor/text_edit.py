"""Plain-text editors for the prompt editor: auto-growing, and with template highlighting.

Every text field in the editor keeps Tab for moving focus (``setTabChangesFocus``)
so the whole form can be driven from the keyboard. Editors grow with their
content between a minimum and a maximum number of lines, then scroll.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt
from PySide6.QtGui import QColor, QFontDatabase, QPalette, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import TemplateProblem
from playground.ui.highlight import TemplateHighlighter, is_dark

__all__ = [
    "FieldEditor",
    "GrowingTextEdit",
    "TemplateTextEdit",
    "error_colour",
    "error_style",
    "move_cursor_to",
    "plain_text",
    "problem_text",
]


def plain_text(edit: QPlainTextEdit) -> str:
    """The editor's text exactly as typed or loaded, line breaks as ``\n``.

    ``toPlainText`` turns non-breaking and line-separator characters into
    plain spaces and newlines, which would quietly change a prompt.
    """
    return edit.document().toRawText().replace("\u2029", "\n")


def error_colour(palette: QPalette) -> QColor:
    """The red the template highlighter uses for errors, for this palette."""
    return QColor("#ff6b6b" if is_dark(palette) else "#d32f2f")


def error_style(palette: QPalette) -> str:
    """Style sheet for a problem label."""
    return f"color: {error_colour(palette).name()};"


def problem_text(problem: TemplateProblem) -> str:
    """How a problem reads under its field: the position, then the message."""
    return f"line {problem.line}:{problem.column}: {problem.message}"


def move_cursor_to(edit: QPlainTextEdit, line: int, column: int) -> None:
    """Put the caret at 1-based ``line:column`` (clamped to the text) and show it."""
    block = edit.document().findBlockByNumber(max(line - 1, 0))
    if not block.isValid():
        block = edit.document().lastBlock()
    cursor = QTextCursor(block)
    offset = min(max(column - 1, 0), max(block.length() - 1, 0))
    cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor, offset)
    edit.setTextCursor(cursor)
    edit.ensureCursorVisible()


class GrowingTextEdit(QPlainTextEdit):
    """A plain-text editor whose height follows its line count, within limits."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        min_lines: int = 1,
        max_lines: int = 12,
        monospace: bool = True,
    ) -> None:
        super().__init__(parent)
        self._min_lines = min_lines
        self._max_lines = max_lines
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        if monospace:
            self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(
            self._on_layout_document_size_changed
        )
        self.cursorPositionChanged.connect(self._on_self_cursor_position_changed)
        self._fit()

    def _lines(self) -> int:
        # The plain-text layout reports its height in (wrapped) lines.
        return max(round(self.document().size().height()), 1)

    def _height_for(self, lines: int) -> int:
        margins = self.contentsMargins()
        doc_margin = self.document().documentMargin()
        return int(
            lines * self.fontMetrics().lineSpacing()
            + 2 * doc_margin
            + margins.top()
            + margins.bottom()
            + 2
        )

    def _fit(self) -> None:
        lines = min(max(self._lines(), self._min_lines), self._max_lines)
        height = self._height_for(lines)
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self._height_for(self._min_lines))

    def _on_layout_document_size_changed(self, _size: object) -> None:
        self._fit()

    def _on_self_cursor_position_changed(self) -> None:
        # Inside a scrolling form, typing past the bottom must not hide the caret.
        if not self.hasFocus():
            return
        area = self._enclosing_scroll_area()
        body = area.widget() if area is not None else None
        if area is None or body is None:
            return
        rect = self.cursorRect()
        centre = self.viewport().mapTo(body, rect.center())
        area.ensureVisible(centre.x(), centre.y(), 10, rect.height())

    def _enclosing_scroll_area(self) -> QScrollArea | None:
        widget = self.parentWidget()
        while widget is not None:
            if isinstance(widget, QScrollArea):
                return widget
            widget = widget.parentWidget()
        return None

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()


class TemplateTextEdit(GrowingTextEdit):
    """A growing editor for one template field, with ``{{ }}`` highlighting."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        min_lines: int = 2,
        max_lines: int = 16,
    ) -> None:
        super().__init__(parent, min_lines=min_lines, max_lines=max_lines)
        self.highlighter = TemplateHighlighter(self.document(), self.palette())

    # Re-highlighting marks the document dirty, and QPlainTextEdit reports that
    # as textChanged; signals are held so listeners see only real edits.

    def mark_error(self, line: int, column: int) -> None:
        """Underline the template problem at 1-based ``line:column``."""
        if self.highlighter.error == (line, column):
            return
        with QSignalBlocker(self):
            self.highlighter.set_error(line, column)

    def clear_error_mark(self) -> None:
        if self.highlighter.error is None:
            return
        with QSignalBlocker(self):
            self.highlighter.clear_error()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            with QSignalBlocker(self):
                self.highlighter.set_palette(self.palette())


class FieldEditor(QWidget):
    """A template editor with its problems shown just below it."""

    def __init__(
        self,
        name: str,
        parent: QWidget | None = None,
        *,
        min_lines: int = 2,
        max_lines: int = 16,
    ) -> None:
        super().__init__(parent)
        self.edit = TemplateTextEdit(self, min_lines=min_lines, max_lines=max_lines)
        self.edit.setObjectName(f"{name}Edit")
        self.error_label = QLabel(self)
        self.error_label.setObjectName(f"{name}Error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(error_style(self.palette()))
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error_label)
        self._problems: tuple[TemplateProblem, ...] = ()

    @property
    def problems(self) -> tuple[TemplateProblem, ...]:
        return self._problems

    def show_problems(self, problems: Sequence[TemplateProblem]) -> None:
        """Mark the first problem in the text and list them all under the field."""
        problems = tuple(problems)
        if problems == self._problems:
            return
        self._problems = problems
        if problems:
            self.edit.mark_error(problems[0].line, problems[0].column)
            self.error_label.setText("\n".join(problem_text(p) for p in problems))
            self.error_label.show()
        else:
            self.edit.clear_error_mark()
            self.error_label.clear()
            self.error_label.hide()

    def focus_problem(self) -> None:
        """Put the caret on the first problem (or just focus the field)."""
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if self._problems:
            move_cursor_to(self.edit, self._problems[0].line, self._problems[0].column)
