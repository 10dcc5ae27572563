"""The n-shot examples table: buttons, cell editing, drag-and-drop moves, token column."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from playground.core.document import Example, Message, PromptDocument
from playground.ui.editor import EditorWidget
from playground.ui.editor.examples_model import MIME_TYPE, ExamplesModel

LEFT = Qt.MouseButton.LeftButton
INPUT, OUTPUT, TOKENS = 1, 2, 3

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

THREE = (Example("a", "1"), Example("b", "2", enabled=False), Example("c", "3", note="n"))


def make_editor(qtbot: Any, examples: tuple[Example, ...] = THREE) -> EditorWidget:
    editor = EditorWidget()
    qtbot.addWidget(editor)
    editor.set_document(
        PromptDocument(name="p", messages=(Message("user", "q"),), examples=examples)
    )
    editor.resize(900, 900)
    editor.show()
    with qtbot.waitActive(editor):
        editor.activateWindow()
    editor.tabs.setCurrentWidget(editor.examples)
    return editor


def inputs(editor: EditorWidget) -> list[str]:
    return [e.input for e in editor.document().examples]


def button(editor: EditorWidget, name: str) -> QPushButton:
    found = editor.findChild(QPushButton, name)
    assert found is not None
    return found


def select_row(editor: EditorWidget, row: int) -> None:
    view = editor.examples.view
    view.setCurrentIndex(view.model().index(row, INPUT))


def test_buttons_add_remove_and_move_examples(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    view = editor.examples.view
    select_row(editor, 0)
    assert not button(editor, "examplesUp").isEnabled()
    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(button(editor, "examplesDown"), LEFT)
    assert inputs(editor) == ["b", "a", "c"]
    assert view.currentIndex().row() == 1  # the moved example stays selected
    QTest.mouseClick(button(editor, "examplesDown"), LEFT)
    assert inputs(editor) == ["b", "c", "a"]
    assert not button(editor, "examplesDown").isEnabled()
    QTest.mouseClick(button(editor, "examplesUp"), LEFT)
    assert inputs(editor) == ["b", "a", "c"]
    # Moving keeps every field of the example, not only its text.
    assert editor.document().examples[2] == Example("c", "3", note="n")

    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(button(editor, "examplesRemove"), LEFT)
    assert inputs(editor) == ["b", "c"]

    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(button(editor, "examplesAdd"), LEFT)
    assert editor.document().examples[-1] == Example("", "")
    # The new input cell is open for typing straight away.
    cell = view.findChild(QPlainTextEdit, "exampleCellEdit")
    assert cell is not None
    qtbot.waitUntil(cell.hasFocus)


def test_cell_editor_takes_several_lines_and_commits_on_leaving(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    view = editor.examples.view
    index = view.model().index(0, OUTPUT)
    view.setCurrentIndex(index)
    view.edit(index)
    cell = view.findChild(QPlainTextEdit, "exampleCellEdit")
    assert cell is not None
    qtbot.waitUntil(cell.hasFocus)
    assert cell.toPlainText() == "1"
    QTest.keyClicks(cell, " first")
    QTest.keyClick(cell, Qt.Key.Key_Return)  # a new line, not "done"
    QTest.keyClicks(cell, "second {{ x }}")
    assert editor.document().examples[0].output == "1"
    with qtbot.waitSignal(editor.document_changed):
        QTest.keyClick(cell, Qt.Key.Key_Tab)  # leaving the cell commits
    assert editor.document().examples[0].output == "1 first\nsecond {{ x }}"
    # The variable used in an enabled example reaches the form.
    qtbot.waitUntil(lambda: editor.variables.names() == ("x",))


def test_escape_cancels_a_cell_edit(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    view = editor.examples.view
    index = view.model().index(0, INPUT)
    view.setCurrentIndex(index)
    view.edit(index)
    cell = view.findChild(QPlainTextEdit, "exampleCellEdit")
    qtbot.waitUntil(cell.hasFocus)
    QTest.keyClicks(cell, "zzz")
    with qtbot.assertNotEmitted(editor.document_changed):
        QTest.keyClick(cell, Qt.Key.Key_Escape)
    assert inputs(editor) == ["a", "b", "c"]


def test_checkbox_enables_and_disables_an_example(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    model = editor.examples.model
    assert model.index(1, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    view = editor.examples.view
    rect = view.visualRect(model.index(1, 0))
    # Click the check box itself (centred in the narrow first column).
    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(view.viewport(), LEFT, pos=rect.center())
    assert editor.document().examples[1].enabled is True
    editor.is_valid()  # let the pending refresh run
    assert editor.tabs.tabText(editor.tabs.indexOf(editor.examples)) == "Examples (3)"
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert [e.enabled for e in editor.document().examples] == [False, True, True]
    editor.is_valid()  # let the pending refresh run
    assert editor.tabs.tabText(editor.tabs.indexOf(editor.examples)) == "Examples (2/3)"


def test_token_column_follows_the_text(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    model = editor.examples.model
    tokens = model.index(0, TOKENS)
    assert tokens.data() == "≈2"
    assert not model.flags(tokens) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(model.dataChanged):
        model.setData(model.index(0, INPUT), "x" * 80)
    assert tokens.data() == "≈21"


def test_move_rows_and_a_mime_drop_reorder_examples(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    model = editor.examples.model
    with qtbot.waitSignal(editor.document_changed):
        assert model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)
    assert inputs(editor) == ["b", "c", "a"]
    assert not model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 1)  # onto itself
    assert not model.moveRows(QModelIndex(), 2, 2, QModelIndex(), 0)  # past the end

    # Drag "a" (row 2) and drop it on row 0: it goes before "b".
    mime = model.mimeData([model.index(2, INPUT), model.index(2, OUTPUT)])
    assert mime.hasFormat(MIME_TYPE)
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index(0, 1))
    with qtbot.waitSignal(editor.document_changed):
        assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index(0, 1))
    assert inputs(editor) == ["a", "b", "c"]
    # Dropped below the last row: to the end. Nothing is lost or duplicated.
    mime = model.mimeData([model.index(0, INPUT)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert inputs(editor) == ["b", "c", "a"]
    assert len(editor.document().examples) == 3


@pytest.mark.parametrize(
    ("rows", "destination"),
    [*itertools.product([(0,), (1,), (0, 2), (1, 3), (0, 1, 4)], range(6))],
)
def test_moving_any_rows_anywhere_keeps_them_together_in_order(
    qtbot: Any, rows: tuple[int, ...], destination: int
) -> None:
    model = ExamplesModel()
    examples = [Example(str(i), "") for i in range(5)]
    model.set_examples(examples)
    model.move_rows_to(rows, destination)
    before = [e for i, e in enumerate(examples[:destination]) if i not in rows]
    after = [e for i, e in enumerate(examples[destination:], destination) if i not in rows]
    assert list(model.examples()) == before + [examples[r] for r in rows] + after


def test_a_drop_event_in_the_view_moves_and_does_not_delete(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    view = editor.examples.view
    model = editor.examples.model
    mime = model.mimeData([model.index(0, INPUT)])
    target = view.visualRect(model.index(2, INPUT))
    below_last = QPointF(target.center().x(), target.bottom() - 1)
    event = QDropEvent(
        below_last, Qt.DropAction.MoveAction, mime, LEFT, Qt.KeyboardModifier.NoModifier
    )
    # Only drags that started in this table are accepted.
    view.dropEvent(event)
    assert not event.isAccepted()
    assert inputs(editor) == ["a", "b", "c"]
    event = QDropEvent(
        below_last, Qt.DropAction.MoveAction, mime, LEFT, Qt.KeyboardModifier.NoModifier
    )
    event.source = lambda: view  # type: ignore[method-assign]
    view.dropEvent(event)
    assert inputs(editor) == ["b", "c", "a"]
    assert event.isAccepted()


def test_focus_first_problem_opens_the_examples_tab_on_the_cell(qtbot: Any) -> None:
    editor = make_editor(qtbot, (Example("a", "1"), Example("b", "{% for %}", enabled=False)))
    editor.tabs.setCurrentWidget(editor.variables)
    assert editor.invalid_reason().startswith("example 2 output, line 1:")
    editor.focus_first_problem()
    assert editor.tabs.currentWidget() is editor.examples
    current = editor.examples.view.currentIndex()
    assert (current.row(), current.column()) == (1, OUTPUT)
    assert editor.tabs.tabToolTip(editor.tabs.indexOf(editor.examples)) != ""
