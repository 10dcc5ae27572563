"""The table model behind the examples table: a thin adapter over a list of Example.

Columns: enabled (a checkbox), input, output, and the estimated tokens the
example adds (read-only). Rows move with ``moveRows``; dragged rows travel as
their row numbers under :data:`MIME_TYPE`, and a drop moves them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from playground.core.document import Example
from playground.core.errors import TemplateProblem
from playground.core.tokens import estimate_tokens
from playground.ui.editor.text_edit import problem_text
from playground.ui.icons import icon

__all__ = [
    "ENABLED",
    "INPUT",
    "MIME_TYPE",
    "OUTPUT",
    "PARTS",
    "TOKENS",
    "ExamplesModel",
    "example_tokens",
]

#: Mime type of dragged example rows: the row numbers, comma separated.
MIME_TYPE = "application/x-playground-example-rows"

ENABLED, INPUT, OUTPUT, TOKENS = range(4)
_HEADERS = ("On", "Input", "Output", "Tokens")
PARTS = {INPUT: "input", OUTPUT: "output"}
_PREVIEW_LINES = 6

Index = QModelIndex | QPersistentModelIndex


def example_tokens(example: Example) -> int:
    """Estimated tokens an example adds to a request (its two turns, unrendered)."""
    return estimate_tokens(example.input) + estimate_tokens(example.output)


def _preview(text: str) -> str:
    lines = text.split("\n")
    if len(lines) <= _PREVIEW_LINES:
        return text
    return "\n".join([*lines[:_PREVIEW_LINES], "…"])


class ExamplesModel(QAbstractTableModel):
    """A thin adapter over a list of :class:`Example`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._examples: list[Example] = []
        self._ids: list[int] = []  # stable identities, for reordering by drag and drop
        self._next_id = itertools.count()
        self._problems: dict[tuple[int, str], list[TemplateProblem]] = {}

    # ------------------------------------------------------------ content

    def examples(self) -> tuple[Example, ...]:
        return tuple(self._examples)

    def set_examples(self, examples: Iterable[Example]) -> None:
        self.beginResetModel()
        self._examples = list(examples)
        self._ids = [next(self._next_id) for _ in self._examples]
        self._problems = {}
        self.endResetModel()

    def example(self, row: int) -> Example:
        return self._examples[row]

    def set_problems(self, problems: dict[tuple[int, str], list[TemplateProblem]]) -> None:
        """Problems by (row, "input" | "output"), shown as an icon and a tooltip."""
        if problems == self._problems:
            return
        self._problems = {k: list(v) for k, v in problems.items()}
        if self._examples:
            self.dataChanged.emit(
                self.index(0, INPUT),
                self.index(len(self._examples) - 1, OUTPUT),
                [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole],
            )

    def problems_at(self, row: int, part: str) -> list[TemplateProblem]:
        return self._problems.get((row, part), [])

    # ------------------------------------------------------------ reading

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._examples)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _HEADERS[section]
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ex = self._examples[index.row()]
        column = index.column()
        if column == ENABLED:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if ex.enabled else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Sent with the request" if ex.enabled else "Left out of the request"
            return None
        if column == TOKENS:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"≈{example_tokens(ex)}"
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Estimated tokens of input and output"
            return None
        text = ex.input if column == INPUT else ex.output
        problems = self._problems.get((index.row(), PARTS[column]), [])
        if role == Qt.ItemDataRole.DisplayRole:
            return _preview(text)
        if role == Qt.ItemDataRole.EditRole:
            return text
        if role == Qt.ItemDataRole.DecorationRole and problems:
            return icon("error")
        if role == Qt.ItemDataRole.ToolTipRole and problems:
            return "\n".join(problem_text(p) for p in problems)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        base |= Qt.ItemFlag.ItemIsDragEnabled
        if index.column() == ENABLED:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() in PARTS:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    # ------------------------------------------------------------ editing

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row, column = index.row(), index.column()
        ex = self._examples[row]
        if column == ENABLED and role == Qt.ItemDataRole.CheckStateRole:
            enabled = Qt.CheckState(value) == Qt.CheckState.Checked
            if enabled == ex.enabled:
                return True
            self._examples[row] = replace(ex, enabled=enabled)
        elif column in PARTS and role == Qt.ItemDataRole.EditRole:
            text = str(value)
            if text == (ex.input if column == INPUT else ex.output):
                return True
            if column == INPUT:
                self._examples[row] = replace(ex, input=text)
            else:
                self._examples[row] = replace(ex, output=text)
        else:
            return False
        # The token estimate in the same row follows the text.
        self.dataChanged.emit(index, self.index(row, TOKENS))
        return True

    def insertRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count < 1 or not 0 <= row <= len(self._examples):
            return False
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        self._examples[row:row] = [Example(input="", output="") for _ in range(count)]
        self._ids[row:row] = [next(self._next_id) for _ in range(count)]
        self.endInsertRows()
        return True

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._examples):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._examples[row : row + count]
        del self._ids[row : row + count]
        self.endRemoveRows()
        return True

    def moveRows(
        self,
        source_parent: Index,
        source_row: int,
        count: int,
        destination_parent: Index,
        destination_child: int,
    ) -> bool:
        """Move ``count`` rows so they sit before what was row ``destination_child``."""
        n = len(self._examples)
        if (
            source_parent.isValid()
            or destination_parent.isValid()
            or count < 1
            or source_row < 0
            or source_row + count > n
            or not 0 <= destination_child <= n
            or source_row <= destination_child <= source_row + count
        ):
            return False
        if not self.beginMoveRows(
            QModelIndex(), source_row, source_row + count - 1, QModelIndex(), destination_child
        ):
            return False
        for items in (self._examples, self._ids):
            block = items[source_row : source_row + count]
            del items[source_row : source_row + count]
            at = destination_child if destination_child < source_row else destination_child - count
            items[at:at] = block  # type: ignore[assignment]
        self.endMoveRows()
        return True

    def move_rows_to(self, rows: Sequence[int], destination: int) -> bool:
        """Move ``rows`` (any set, kept in order) to sit together before row ``destination``."""
        rows = sorted({r for r in rows if 0 <= r < len(self._examples)})
        if not rows:
            return False
        destination = min(max(destination, 0), len(self._examples))
        moving = [self._ids[r] for r in rows]
        staying = [i for i in self._ids if i not in moving]
        before = sum(1 for r in range(destination) if r not in rows)
        target = staying[:before] + moving + staying[before:]
        # One single-row move per misplaced row, front to back, so views keep
        # selections and open editors attached to the right examples.
        moved = False
        for position, wanted in enumerate(target):
            current = self._ids.index(wanted)
            if current != position:
                self.moveRows(QModelIndex(), current, 1, QModelIndex(), position)
                moved = True
        return moved

    # ------------------------------------------------------------ drag and drop

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray(",".join(map(str, rows)).encode("ascii")))
        return data

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(MIME_TYPE)

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        """Move the dragged rows before ``row`` (or before the row dropped on, or to the end)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        raw = bytes(data.data(MIME_TYPE).data()).decode("ascii", "replace")
        try:
            rows = [int(part) for part in raw.split(",") if part]
        except ValueError:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._examples)
        return self.move_rows_to(rows, row)
