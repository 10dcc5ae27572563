"""The optional JSON schema for structured output, and the check of its text.

The check follows the document format: the schema must be a JSON object
with finite numbers (what ``Target.schema_text`` can store), and a usable
JSON Schema (``core.structured.schema_problem``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QCheckBox, QLabel, QTextEdit, QVBoxLayout, QWidget

from playground.core.document import Target
from playground.core.structured import schema_problem
from playground.ui.editor.text_edit import (
    GrowingTextEdit,
    error_colour,
    error_style,
    move_cursor_to,
    plain_text,
)

__all__ = ["SchemaProblem", "SchemaSection", "check_schema_text"]

#: Start of every schema problem's text, so the reason says where to look.
PREFIX = "JSON schema: "


@dataclass(frozen=True)
class SchemaProblem:
    """Why a schema text cannot be used; ``line``/``column`` are 1-based, 0 when unknown."""

    message: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return self.message


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> object:
    raise _NotJson(f"{name} is not allowed (JSON has no such number)")


def check_schema_text(text: str) -> SchemaProblem | None:
    """The first problem with a schema's text, or ``None`` when it can be used."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return SchemaProblem(
            f"{PREFIX}{exc.msg} (line {exc.lineno}, column {exc.colno})", exc.lineno, exc.colno
        )
    except _NotJson as exc:
        return SchemaProblem(f"{PREFIX}{exc}")
    except (RecursionError, ValueError) as exc:
        return SchemaProblem(f"{PREFIX}cannot be read ({exc or 'nested too deeply'})")
    if not isinstance(value, dict):
        return SchemaProblem(
            f'{PREFIX}must be a JSON object, such as {{"type": "object"}}, not {_json_kind(value)}'
        )
    try:
        Target.schema_text(value)
    except (ValueError, UnicodeEncodeError) as exc:
        return SchemaProblem(f"{PREFIX}cannot be stored ({exc})")
    problem = schema_problem(value)
    if problem is not None:
        return SchemaProblem(f"{PREFIX}{problem.removeprefix('the JSON schema is ')}")
    return None


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "null"
    return "a number"


class SchemaSection(QWidget):
    """A checkbox that turns structured output on, revealing the schema editor."""

    #: The user toggled structured output or edited the schema.
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled_box = QCheckBox("Structured output (JSON schema)", self)
        self.enabled_box.setObjectName("schemaEnabled")
        self.enabled_box.setToolTip("Ask the model for JSON that matches a schema")
        self.edit = GrowingTextEdit(self, min_lines=6, max_lines=30)
        self.edit.setObjectName("schemaEdit")
        self.edit.setAccessibleName("JSON schema")
        self.edit.setPlaceholderText(
            '{\n  "type": "object",\n  "properties": {"answer": {"type": "string"}},\n'
            '  "required": ["answer"]\n}'
        )
        self.edit.setVisible(False)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("schemaError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(error_style(self.palette()))
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.enabled_box)
        layout.addWidget(self.edit)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self._problem: SchemaProblem | None = None
        self._loading = False

        self.enabled_box.toggled.connect(self._on_enabled_box_toggled)
        self.edit.textChanged.connect(self._on_edit_text_changed)

    # ------------------------------------------------------------ content

    def text(self) -> str | None:
        """The schema text when structured output is on and the text is not blank."""
        if not self.enabled_box.isChecked():
            return None
        text = plain_text(self.edit)
        return text if text.strip() else None

    def set_text(self, text: str | None) -> None:
        """Load a schema (``None``: structured output off). Valid JSON is shown indented."""
        self._loading = True
        try:
            self.enabled_box.setChecked(text is not None)
            self.edit.setPlainText(_pretty(text) if text is not None else "")
        finally:
            self._loading = False
        self.edit.setVisible(text is not None)

    def problem(self) -> SchemaProblem | None:
        """What is wrong with the schema, if structured output is on."""
        text = self.text()
        return None if text is None else check_schema_text(text)

    # ------------------------------------------------------------ problems

    def show_problem(self, problem: SchemaProblem | None) -> None:
        if problem == self._problem:
            return
        self._problem = problem
        selections: list[QTextEdit.ExtraSelection] = []
        if problem is None:
            self.error_label.clear()
            self.error_label.hide()
        else:
            self.error_label.setText(problem.message.removeprefix(PREFIX))
            self.error_label.show()
            if problem.line:
                selections.append(self._mark(problem.line, problem.column))
        self.edit.setExtraSelections(selections)

    def _mark(self, line: int, column: int) -> QTextEdit.ExtraSelection:
        block = self.edit.document().findBlockByNumber(line - 1)
        cursor = QTextCursor(block) if block.isValid() else QTextCursor(self.edit.document())
        offset = min(max(column - 1, 0), max(block.length() - 2, 0))
        cursor.movePosition(
            QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor, offset
        )
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        fmt.setUnderlineColor(error_colour(self.edit.palette()))
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        return selection

    @property
    def marked(self) -> tuple[int, int] | None:
        """The (line, column) underlined in the schema, if any."""
        if self._problem is None or not self._problem.line:
            return None
        return (self._problem.line, self._problem.column)

    def focus_problem(self) -> None:
        if not self.enabled_box.isChecked():
            self.enabled_box.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if self._problem is not None and self._problem.line:
            move_cursor_to(self.edit, self._problem.line, self._problem.column)

    # ------------------------------------------------------------ slots

    def _on_enabled_box_toggled(self, checked: bool) -> None:
        self.edit.setVisible(checked)
        if self._loading:
            return
        if checked:
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def _on_edit_text_changed(self) -> None:
        if not self._loading:
            self.changed.emit()


def _pretty(text: str) -> str:
    """One-line JSON (the stored, canonical form) indented for reading; other text as is."""
    if "\n" in text.strip():
        return text
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    if not isinstance(value, dict):
        return text
    return json.dumps(value, indent=2, ensure_ascii=False)
