"""The n-shot examples table: its cell editor, the view, and the section around it.

Cells are edited in a multi-line template editor where Enter starts a new
line and leaving the cell (Tab, a click elsewhere) commits; Escape cancels.
Rows move with drag and drop (an internal move through the model's
``moveRows``) or the Move up / Move down buttons.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QDrag, QDropEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import TemplateProblem
from playground.ui.editor.examples_model import (
    ENABLED,
    INPUT,
    OUTPUT,
    PARTS,
    TOKENS,
    ExamplesModel,
)
from playground.ui.editor.text_edit import (
    TemplateTextEdit,
    error_style,
    move_cursor_to,
    plain_text,
    problem_text,
)
from playground.ui.icons import icon

__all__ = ["ExampleTextDelegate", "ExamplesSection", "ExamplesView"]

Index = QModelIndex | QPersistentModelIndex


class ExampleTextDelegate(QStyledItemDelegate):
    """Edits input and output in a multi-line template editor; focus-out commits."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = TemplateTextEdit(parent, min_lines=4, max_lines=12)
        editor.setObjectName("exampleCellEdit")
        editor.setFrameShape(TemplateTextEdit.Shape.Box)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if not isinstance(editor, TemplateTextEdit):
            super().setEditorData(editor, index)
            return
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if plain_text(editor) != text:
            editor.setPlainText(text)
        model = index.model()
        if isinstance(model, ExamplesModel):
            problems = model.problems_at(index.row(), PARTS.get(index.column(), ""))
            if problems:
                editor.mark_error(problems[0].line, problems[0].column)
                move_cursor_to(editor, problems[0].line, problems[0].column)
            else:
                editor.moveCursor(QTextCursor.MoveOperation.End)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, TemplateTextEdit):
            model.setData(index, plain_text(editor), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        # The editor may be taller than the cell: it floats over the rows below.
        rect = QRect(option.rect)
        rect.setHeight(max(rect.height(), editor.height()))
        editor.setGeometry(rect)


class ExamplesView(QTableView):
    """The examples table; a drop moves rows inside the model and nothing else."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("examplesTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)  # Tab leaves the table, like every other field
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setItemDelegate(ExampleTextDelegate(self))
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setAccessibleName("N-shot examples")

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(ENABLED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(INPUT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OUTPUT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TOKENS, QHeaderView.ResizeMode.ResizeToContents)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # QAbstractItemView's own startDrag removes the source rows after a
        # move; here the drop has already moved them, so the drag only carries
        # the row numbers.
        model = self.model()
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        if not isinstance(model, ExamplesModel) or not rows:
            return
        drag = QDrag(self)
        drag.setMimeData(model.mimeData([model.index(r, INPUT) for r in rows]))
        first = self.visualRect(model.index(rows[0], INPUT))
        last = self.visualRect(model.index(rows[0], TOKENS))
        drag.setPixmap(self.viewport().grab(first.united(last)))
        drag.exec(Qt.DropAction.MoveAction, Qt.DropAction.MoveAction)

    def dropEvent(self, event: QDropEvent) -> None:
        model = self.model()
        if event.source() is not self or not isinstance(model, ExamplesModel):
            event.ignore()
            return
        index = self.indexAt(event.position().toPoint())
        if not index.isValid():
            row = model.rowCount()
        else:
            row = index.row()
            # The lower half of a row means "after it".
            if event.position().y() > self.visualRect(index).center().y():
                row += 1
        model.dropMimeData(event.mimeData(), Qt.DropAction.MoveAction, row, 0, QModelIndex())
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()


class ExamplesSection(QWidget):
    """The examples table with its buttons, problems and token summary."""

    #: The user changed an example, or their order or number.
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ExamplesModel(self)
        self.view = ExamplesView(self)
        self.view.setModel(self.model)

        self.add_button = self._button("examplesAdd", "add", "Add", "Add an example at the end")
        self.remove_button = self._button(
            "examplesRemove", "remove", "Remove", "Remove the selected examples"
        )
        self.up_button = self._button("examplesUp", "up", "Move up", "Move the example up")
        self.down_button = self._button(
            "examplesDown", "down", "Move down", "Move the example down"
        )
        self.error_label = QLabel(self)
        self.error_label.setObjectName("examplesError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(error_style(self.palette()))
        self.error_label.hide()

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error_label)

        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        self.model.dataChanged.connect(self._on_model_data_changed)
        self.model.rowsInserted.connect(self._on_model_rows_changed)
        self.model.rowsRemoved.connect(self._on_model_rows_changed)
        self.model.rowsMoved.connect(self._on_model_rows_changed)
        self.model.modelReset.connect(self._update_buttons)
        self.view.selectionModel().currentRowChanged.connect(self._on_selection_current_row_changed)
        self._update_buttons()

    def _button(self, name: str, icon_name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(icon(icon_name), text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def set_problems(
        self,
        problems: Sequence[TemplateProblem],
        by_cell: dict[tuple[int, str], list[TemplateProblem]],
    ) -> None:
        """Mark cells and list every problem under the table."""
        self.model.set_problems(by_cell)
        if problems:
            self.error_label.setText(
                "\n".join(f"{p.field.capitalize()}, {problem_text(p)}" for p in problems)
            )
            self.error_label.show()
        else:
            self.error_label.clear()
            self.error_label.hide()

    def focus_cell(self, row: int, part: str) -> None:
        column = INPUT if part == "input" else OUTPUT
        index = self.model.index(row, column)
        if not index.isValid():
            return
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    # ------------------------------------------------------------ slots

    def _on_add_button_clicked(self) -> None:
        row = self.model.rowCount()
        self.model.insertRows(row, 1)
        index = self.model.index(row, INPUT)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.view.edit(index)

    def _on_remove_button_clicked(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()}, reverse=True)
        if not rows and self.current_row() >= 0:
            rows = [self.current_row()]
        for row in rows:
            self.model.removeRows(row, 1)

    def _on_up_button_clicked(self) -> None:
        self._move_current(-1)

    def _on_down_button_clicked(self) -> None:
        self._move_current(1)

    def _move_current(self, delta: int) -> None:
        row = self.current_row()
        if row < 0:
            return
        target = row - 1 if delta < 0 else row + 2
        if self.model.moveRows(QModelIndex(), row, 1, QModelIndex(), target):
            new_row = row + delta
            column = max(self.view.currentIndex().column(), 0)
            self.view.selectionModel().setCurrentIndex(
                self.model.index(new_row, column),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _on_model_data_changed(
        self, _top: QModelIndex, _bottom: QModelIndex, roles: list[int]
    ) -> None:
        # Problem marks are display only; everything else is a user edit.
        if roles and all(
            r in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole) for r in roles
        ):
            return
        self.changed.emit()

    def _on_model_rows_changed(self, *_args: object) -> None:
        self._update_buttons()
        self.changed.emit()

    def _on_selection_current_row_changed(
        self, _current: QModelIndex, _previous: QModelIndex
    ) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.current_row()
        count = self.model.rowCount()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)
