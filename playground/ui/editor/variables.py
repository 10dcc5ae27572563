"""The variables form: one value editor per variable the templates use.

Rows follow the variable list the editor derives from the text (see
``templates.sync_variables``). A row whose variable disappears is dropped, but
the editor widget remembers values for the session, so a variable that comes
back gets its value back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from playground.core.document import Variable
from playground.ui.editor.text_edit import GrowingTextEdit, error_style, plain_text

__all__ = ["EMPTY_TEXT", "VariableRow", "VariablesSection"]

EMPTY_TEXT = "No variables yet. Type {{ name }} in a message to add one."


class VariableRow:
    """The label and value editor of one variable (they live in the section's grid)."""

    def __init__(self, variable: Variable, parent: QWidget) -> None:
        self.name = variable.name
        self.label = QLabel(variable.name, parent)
        self.label.setObjectName(f"variableName_{variable.name}")
        self.label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.value_edit = GrowingTextEdit(parent, min_lines=1, max_lines=8)
        self.value_edit.setObjectName(f"variableValue_{variable.name}")
        self.value_edit.setPlainText(variable.sample or "")
        self.value_edit.setPlaceholderText("No value yet")
        self.value_edit.setAccessibleName(f"Value of {variable.name}")
        self.label.setBuddy(self.value_edit)
        self.set_description(variable.description)

    def set_description(self, description: str) -> None:
        tip = description or f"Value of {{{{ {self.name} }}}} for runs from the editor"
        self.label.setToolTip(tip)
        self.value_edit.setToolTip(tip)

    @property
    def value(self) -> str:
        return plain_text(self.value_edit)

    def set_missing(self, missing: bool) -> None:
        """Flag a variable a run found without a value."""
        self.label.setStyleSheet(error_style(self.label.palette()) if missing else "")
        self.value_edit.setPlaceholderText("Needs a value" if missing else "No value yet")

    def dispose(self) -> None:
        for widget in (self.label, self.value_edit):
            widget.hide()
            widget.setParent(None)  # out of findChild's reach at once
            widget.deleteLater()


class VariablesSection(QScrollArea):
    """A scrolling form with a row per variable, or a hint when there are none."""

    #: The user edited a value: (name, text).
    value_changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variablesForm")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self._grid.setVerticalSpacing(4)
        self.empty_label = QLabel(EMPTY_TEXT, body)
        self.empty_label.setObjectName("variablesEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._grid)
        layout.addStretch(1)
        self.setWidget(body)
        self._body = body
        self._rows: dict[str, VariableRow] = {}
        self._order: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """The variables shown, top to bottom."""
        return self._order

    def row(self, name: str) -> VariableRow | None:
        return self._rows.get(name)

    def values(self) -> dict[str, str]:
        return {name: self._rows[name].value for name in self._order}

    def show_variables(self, variables: Sequence[Variable]) -> None:
        """Show one row per variable, in order; existing rows keep their editor and text."""
        order = tuple(v.name for v in variables)
        for variable in variables:
            row = self._rows.get(variable.name)
            if row is None:
                row = VariableRow(variable, self._body)
                row.value_edit.textChanged.connect(self._value_slot(row))
                self._rows[variable.name] = row
            else:
                row.set_description(variable.description)
        for name in [n for n in self._rows if n not in order]:
            self._rows.pop(name).dispose()
        if order != self._order:
            self._order = order
            self._relayout()
        self.empty_label.setVisible(not self._order)

    def mark_missing(self, names: set[str]) -> None:
        """Flag the rows of variables that a run found without a value."""
        for name, row in self._rows.items():
            row.set_missing(name in names)

    def clear(self) -> None:
        self.show_variables(())

    def _relayout(self) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        previous: QWidget | None = None
        for i, name in enumerate(self._order):
            row = self._rows[name]
            self._grid.addWidget(row.label, i, 0)
            self._grid.addWidget(row.value_edit, i, 1)
            row.label.show()
            row.value_edit.show()
            if previous is not None:
                QWidget.setTabOrder(previous, row.value_edit)
            previous = row.value_edit

    def _value_slot(self, row: VariableRow) -> Callable[[], None]:
        def _on_value_edit_text_changed() -> None:
            self.value_changed.emit(row.name, row.value)

        return _on_value_edit_text_changed
