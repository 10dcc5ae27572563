"""The prompt editor, driven by typing and clicking as a user would, plus its public API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QPushButton, QWidget

from playground.core.document import Example, Message, PromptDocument, Target, Variable
from playground.core.errors import TemplateProblem
from playground.core.templates import sync_variables
from playground.ui.editor import EditorWidget
from playground.ui.editor.variables import EMPTY_TEXT

LEFT = Qt.MouseButton.LeftButton

# Qt's offscreen platform cannot pass a shown window's size limits on and says so.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

RICH = PromptDocument(
    name="Support reply",
    description="Answers a customer",
    tags=("support", "en"),
    system="You are {{ persona }}.\nBe brief.",
    messages=(
        Message("user", "Customer says: {{ complaint }}"),
        Message("assistant", "I see."),
        Message("user", "Reply about {{ topic }}."),
    ),
    examples=(
        Example("Where is my {{ topic }}?", "On its way.", note="shipping"),
        Example("Refund?", "Sure.", enabled=False),
    ),
    variables=(
        Variable("persona", "a friendly agent", "who answers"),
        Variable("complaint", "late parcel"),
        Variable("topic", None, "what it is about"),
    ),
    targets=(
        Target("openai", "gpt-4o-mini", json_schema_text=Target.schema_text({"type": "object"})),
        Target("anthropic", "claude-haiku"),
    ),
)


def make_editor(
    qtbot: Any, doc: PromptDocument | None = None, *, show: bool = False
) -> EditorWidget:
    editor = EditorWidget()
    qtbot.addWidget(editor)
    if doc is not None:
        editor.set_document(doc)
    if show:
        editor.resize(900, 900)
        editor.show()
        with qtbot.waitActive(editor):
            editor.activateWindow()
    return editor


def child(editor: QWidget, cls: type, name: str) -> Any:
    found = editor.findChild(cls, name)
    assert found is not None, f"no {cls.__name__} called {name!r}"
    return found


def type_into(qtbot: Any, edit: QPlainTextEdit, text: str) -> None:
    """Type at the end of ``edit``; a newline is a press of Enter."""
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    for i, line in enumerate(text.split("\n")):
        if i:
            QTest.keyClick(edit, Qt.Key.Key_Return)
        if line:
            QTest.keyClicks(edit, line)


def value_edit(editor: EditorWidget, name: str) -> QPlainTextEdit | None:
    return editor.findChild(QPlainTextEdit, f"variableValue_{name}")


# ---------------------------------------------------------------- round trip


def test_set_document_then_document_is_equal_and_silent(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    with (
        qtbot.assertNotEmitted(editor.document_changed),
        qtbot.assertNotEmitted(editor.validity_changed),
    ):
        editor.set_document(RICH)
    assert editor.document() == RICH
    # The form shows the samples, and what is shown is what document() says.
    assert value_edit(editor, "persona").toPlainText() == "a friendly agent"
    assert value_edit(editor, "topic").toPlainText() == ""
    assert editor.variable_values() == {"persona": "a friendly agent", "complaint": "late parcel"}
    assert editor.is_valid()
    assert editor.invalid_reason() == ""


TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2029\ufdd0\ufdd1"
    )
    | st.sampled_from("\n\t{}%#\u00a0\u2028"),
    max_size=40,
)


@st.composite
def documents(draw: st.DrawFn) -> PromptDocument:
    messages = draw(
        st.lists(st.builds(Message, st.sampled_from(["user", "assistant"]), TEXT), max_size=4)
    )
    examples = draw(st.lists(st.builds(Example, TEXT, TEXT, st.booleans(), TEXT), max_size=3))
    names = draw(st.lists(st.sampled_from(["a", "b", "topic"]), unique=True, max_size=3))
    system = draw(TEXT) + "".join(f"{{{{ {n} }}}}" for n in names)
    doc = PromptDocument(
        name=draw(TEXT), system=system, messages=tuple(messages), examples=tuple(examples)
    )
    synced = sync_variables(doc)
    samples = draw(st.lists(st.none() | TEXT, min_size=len(synced), max_size=len(synced)))
    variables = tuple(Variable(v.name, s, "why") for v, s in zip(synced, samples, strict=True))
    return PromptDocument(
        name=doc.name,
        system=system,
        messages=doc.messages,
        examples=doc.examples,
        variables=variables,
        targets=(Target("openai", "m"),),
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents())
def test_any_document_round_trips(qtbot: Any, doc: PromptDocument) -> None:
    editor = EditorWidget()
    qtbot.addWidget(editor)
    editor.set_document(doc)
    assert editor.document() == doc


def test_special_spaces_and_line_separators_survive(qtbot: Any) -> None:
    doc = PromptDocument(
        name="p", system="a\u00a0b\u2028c\n", messages=(Message("user", "\u00a0"),)
    )
    editor = make_editor(qtbot, doc)
    assert editor.document() == doc


def test_out_of_sync_variables_are_synced(qtbot: Any) -> None:
    doc = PromptDocument(
        name="x",
        system="{{ b }} and {{ a }}",
        variables=(Variable("a", "1"), Variable("unused", "9", "gone")),
    )
    editor = make_editor(qtbot, doc)
    assert editor.document().variables == sync_variables(doc)
    assert [v.name for v in editor.document().variables] == ["a", "b"]
    assert editor.variable_values() == {"a": "1"}


def test_set_document_replaces_everything_and_resets_undo(qtbot: Any) -> None:
    editor = make_editor(qtbot, RICH)
    type_into(qtbot, editor.system.edit, " extra")
    editor.set_document(PromptDocument(name="other", system="plain"))
    assert editor.document() == PromptDocument(name="other", system="plain")
    assert not editor.system.edit.document().isUndoAvailable()
    assert len(editor.messages.turns()) == 0
    assert editor.examples.model.rowCount() == 0
    empty = child(editor, QLabel, "variablesEmpty")
    assert not empty.isHidden()
    assert empty.text() == EMPTY_TEXT


# ---------------------------------------------------------------- variables


def test_typing_a_variable_adds_a_row_whose_value_becomes_the_sample(qtbot: Any) -> None:
    editor = make_editor(qtbot, PromptDocument(name="p", system="Write about "), show=True)
    assert not child(editor, QLabel, "variablesEmpty").isHidden()
    with qtbot.waitSignal(editor.document_changed):
        type_into(qtbot, editor.system.edit, "{{ topic }}")
    # The form follows after a short pause, not on every keystroke.
    assert value_edit(editor, "topic") is None
    qtbot.waitUntil(lambda: value_edit(editor, "topic") is not None)
    assert child(editor, QLabel, "variablesEmpty").isHidden()
    assert [v.name for v in editor.document().variables] == ["topic"]
    assert editor.document().variables[0].sample is None

    with qtbot.waitSignal(editor.document_changed):
        type_into(qtbot, value_edit(editor, "topic"), "tea\nand cake")
    assert editor.document().variables == (Variable("topic", "tea\nand cake"),)
    assert editor.variable_values() == {"topic": "tea\nand cake"}


def test_values_survive_a_half_typed_tag(qtbot: Any) -> None:
    doc = PromptDocument(
        name="p",
        system="{{ a }} then ",
        messages=(Message("user", "{{ b }}"),),
        variables=(Variable("a", "alpha"), Variable("b", "beta")),
    )
    editor = make_editor(qtbot, doc, show=True)
    type_into(qtbot, editor.system.edit, "{{ top")
    assert not editor.is_valid()  # the system prompt does not parse now
    # Its variable is gone from the document, but its row stays while the text is broken.
    assert [v.name for v in editor.document().variables] == ["b"]
    assert value_edit(editor, "a") is not None
    type_into(qtbot, editor.system.edit, "ic }}")
    assert editor.is_valid()
    assert editor.document().variables == (
        Variable("a", "alpha"),
        Variable("b", "beta"),
        Variable("topic"),
    )
    assert value_edit(editor, "a").toPlainText() == "alpha"


def test_removing_the_last_use_removes_the_row(qtbot: Any) -> None:
    doc = PromptDocument(name="p", system="{{ a }}{{ b }}", variables=(Variable("a", "1"),))
    editor = make_editor(qtbot, doc)
    assert value_edit(editor, "b") is not None
    editor.system.edit.setPlainText("{{ a }}")
    qtbot.waitUntil(lambda: value_edit(editor, "b") is None)
    assert [v.name for v in editor.document().variables] == ["a"]


def test_a_cleared_value_means_no_value(qtbot: Any) -> None:
    editor = make_editor(
        qtbot, PromptDocument(name="p", system="{{ a }}", variables=(Variable("a", "x"),))
    )
    edit = value_edit(editor, "a")
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    assert editor.document().variables == (Variable("a", None),)
    assert editor.variable_values() == {}


# ---------------------------------------------------------------- messages


def test_add_move_and_remove_messages_with_buttons(qtbot: Any) -> None:
    editor = make_editor(
        qtbot, PromptDocument(name="p", messages=(Message("user", "one"),)), show=True
    )
    add = child(editor, QPushButton, "addMessage")
    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(add, LEFT)
    turns = editor.messages.turns()
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[1].field.edit.hasFocus()
    QTest.keyClicks(turns[1].field.edit, "two")
    QTest.mouseClick(add, LEFT)
    QTest.keyClicks(editor.messages.turns()[2].field.edit, "three")
    assert editor.document().messages == (
        Message("user", "one"),
        Message("assistant", "two"),
        Message("user", "three"),
    )

    # Move "three" up: it keeps its text (and its editor).
    third = editor.messages.turns()[2]
    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(third.up_button, LEFT)
    assert editor.messages.turns()[1] is third
    assert [m.content for m in editor.document().messages] == ["one", "three", "two"]
    assert not editor.messages.turns()[0].up_button.isEnabled()
    assert not editor.messages.turns()[2].down_button.isEnabled()
    QTest.mouseClick(editor.messages.turns()[0].down_button, LEFT)
    assert [m.content for m in editor.document().messages] == ["three", "one", "two"]

    # Change a role and remove a turn.
    editor.messages.turns()[2].role_box.setCurrentIndex(0)
    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(editor.messages.turns()[1].remove_button, LEFT)
    assert editor.document().messages == (Message("user", "three"), Message("user", "two"))


def test_message_editors_grow_with_their_text_then_scroll(qtbot: Any) -> None:
    editor = make_editor(
        qtbot, PromptDocument(name="p", messages=(Message("user", "x"),)), show=True
    )
    edit = editor.messages.turns()[0].field.edit
    small = edit.height()
    edit.setPlainText("\n".join(["line"] * 6))
    qtbot.waitUntil(lambda: edit.height() > small)
    grown = edit.height()
    edit.setPlainText("\n".join(["line"] * 200))
    qtbot.waitUntil(lambda: edit.height() > grown)
    capped = edit.height()
    assert capped < 40 * edit.fontMetrics().lineSpacing()
    assert edit.verticalScrollBar().maximum() > 0
    assert edit.tabChangesFocus()
    assert editor.system.edit.tabChangesFocus()


def test_tab_moves_from_the_system_prompt_to_the_first_message(qtbot: Any) -> None:
    editor = make_editor(qtbot, RICH, show=True)
    editor.system.edit.setFocus()
    qtbot.waitUntil(editor.system.edit.hasFocus)
    before = editor.system.edit.toPlainText()
    QTest.keyClick(editor.system.edit, Qt.Key.Key_Tab)
    assert editor.system.edit.toPlainText() == before
    assert not editor.system.edit.hasFocus()
    first = editor.messages.turns()[0]
    assert QApplication.focusWidget() in (first.role_box, first.field.edit)


# ---------------------------------------------------------------- problems


def test_a_broken_template_is_marked_and_fixing_it_clears_the_mark(qtbot: Any) -> None:
    editor = make_editor(qtbot, PromptDocument(name="p", system="Hi "), show=True)
    with qtbot.waitSignal(editor.validity_changed, timeout=2000) as blocker:
        type_into(qtbot, editor.system.edit, "{{ name ")
    valid, reason = blocker.args
    assert valid is False
    assert reason.startswith("system, line 1:")
    assert editor.invalid_reason() == reason
    assert editor.system.edit.highlighter.error is not None
    assert editor.system.edit.highlighter.error[0] == 1
    label = child(editor, QLabel, "systemError")
    assert not label.isHidden()
    assert "line 1:" in label.text()

    signals: list[tuple[bool, str]] = []
    editor.validity_changed.connect(lambda v, r: signals.append((v, r)))
    with qtbot.waitSignal(editor.validity_changed, timeout=2000) as blocker:
        QTest.keyClicks(editor.system.edit, "}}")
    assert blocker.args == [True, ""]
    assert editor.system.edit.highlighter.error is None
    assert label.isHidden()
    # More valid edits say nothing new.
    QTest.keyClicks(editor.system.edit, " ok")
    assert editor.is_valid()
    assert signals == [(True, "")]


def test_loading_a_broken_document_reports_validity_without_an_edit(qtbot: Any) -> None:
    editor = make_editor(qtbot)
    with (
        qtbot.waitSignal(editor.validity_changed) as blocker,
        qtbot.assertNotEmitted(editor.document_changed),
    ):
        editor.set_document(PromptDocument(name="p", system="ok\n{{ x }"))
    assert blocker.args[0] is False
    assert blocker.args[1].startswith("system, line 2:1: ")
    with qtbot.waitSignal(editor.validity_changed) as blocker:
        editor.set_document(RICH)
    assert blocker.args == [True, ""]


def test_a_broken_message_and_example_are_reported_first_to_last(qtbot: Any) -> None:
    doc = PromptDocument(
        name="p",
        messages=(Message("user", "fine"), Message("user", "a\n{% if x %}b")),
        examples=(Example("ok", "{{ y"),),
    )
    editor = make_editor(qtbot, doc)
    assert not editor.is_valid()
    assert editor.invalid_reason().startswith("message 2, line 2:")
    turn = editor.messages.turns()[1]
    assert turn.field.edit.highlighter.error == (2, 1)
    assert "line 2:1" in child(turn, QLabel, "messageError").text()
    # The example cell carries an icon and a tooltip, and the table lists the problem.
    model = editor.examples.model
    assert "line 1:1" in model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert not child(editor, QLabel, "examplesError").isHidden()
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) is None


def test_show_problems_marks_fields_until_the_next_edit(qtbot: Any) -> None:
    editor = make_editor(qtbot, RICH)
    validity: list[object] = []
    editor.validity_changed.connect(lambda *a: validity.append(a))
    changes: list[object] = []
    editor.document_changed.connect(lambda: changes.append(1))
    editor.show_problems(
        [
            TemplateProblem("message 3", 1, 14, "variable 'topic' has no value"),
            TemplateProblem("example 1 input", 1, 13, "variable 'topic' has no value"),
        ]
    )
    field = editor.messages.turns()[2].field
    assert field.edit.highlighter.error == (1, 14)
    assert field.error_label.text() == "line 1:14: variable 'topic' has no value"
    assert not field.error_label.isHidden()
    assert "line 1:13" in editor.examples.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    # The variable with no value is flagged in the form, and its tab says so.
    assert value_edit(editor, "topic").placeholderText() == "Needs a value"
    assert editor.tabs.tabToolTip(editor.tabs.indexOf(editor.variables)) != ""
    assert editor.is_valid()  # render-time problems do not block a retry
    assert validity == []
    assert changes == []  # marking is not editing
    qtbot.wait(400)  # and nothing re-checks it away on its own
    assert field.edit.highlighter.error == (1, 14)

    type_into(qtbot, value_edit(editor, "topic"), "parcels")
    qtbot.waitUntil(lambda: field.edit.highlighter.error is None)
    assert field.error_label.isHidden()
    assert value_edit(editor, "topic").placeholderText() == "No value yet"


def test_focus_first_problem_puts_the_caret_on_it(qtbot: Any) -> None:
    doc = PromptDocument(name="p", messages=(Message("user", "ok"), Message("user", "ab\ncd {{ x")))
    editor = make_editor(qtbot, doc, show=True)
    editor.focus_first_problem()
    edit = editor.messages.turns()[1].field.edit
    qtbot.waitUntil(edit.hasFocus)
    cursor = edit.textCursor()
    assert (cursor.blockNumber() + 1, cursor.positionInBlock() + 1) == (2, 4)


# ---------------------------------------------------------------- schema


def test_schema_is_checked_and_returned_when_on(qtbot: Any) -> None:
    editor = make_editor(qtbot, PromptDocument(name="p"), show=True)
    box = child(editor, QWidget, "schemaEnabled")
    schema_edit = child(editor, QPlainTextEdit, "schemaEdit")
    assert editor.schema_text() is None
    assert schema_edit.isHidden()
    editor.tabs.setCurrentWidget(editor.schema)
    with qtbot.waitSignal(editor.document_changed):
        QTest.mouseClick(box, LEFT, pos=QPoint(6, box.height() // 2))
    assert not schema_edit.isHidden()
    assert editor.schema_text() is None  # on, but still empty: nothing to send
    assert editor.is_valid()

    with qtbot.waitSignal(editor.validity_changed, timeout=2000) as blocker:
        type_into(qtbot, schema_edit, '{\n  "type": "object"\n  "x": 1\n}')
    assert blocker.args[0] is False
    assert blocker.args[1] == "JSON schema: Expecting ',' delimiter (line 3, column 3)"
    assert editor.schema.marked == (3, 3)
    assert "line 3, column 3" in child(editor, QLabel, "schemaError").text()
    assert editor.tabs.tabToolTip(editor.tabs.indexOf(editor.schema)) != ""

    schema_edit.setPlainText("[1, 2]")
    assert not editor.is_valid()
    assert "must be a JSON object" in editor.invalid_reason()
    schema_edit.setPlainText('{"type": "strin"}')
    assert not editor.is_valid()
    assert editor.invalid_reason().startswith("JSON schema: invalid")
    schema_edit.setPlainText('{"type": "object", "x": NaN}')
    assert "NaN" in editor.invalid_reason()

    good = '{"type": "object",\n "properties": {"a": {"type": "string"}}}'
    with qtbot.waitSignal(editor.validity_changed, timeout=2000) as blocker:
        schema_edit.setPlainText(good)
    assert blocker.args == [True, ""]
    # Ready for Target.json_schema_text: the canonical form of what was typed.
    assert editor.schema_text() == Target.schema_text(json.loads(good))
    assert editor.schema_text() == '{"properties":{"a":{"type":"string"}},"type":"object"}'
    assert child(editor, QLabel, "schemaError").isHidden()
    QTest.mouseClick(box, LEFT, pos=QPoint(6, box.height() // 2))
    assert editor.schema_text() is None
    assert editor.is_valid()


def test_set_schema_text_shows_stored_json_indented(qtbot: Any) -> None:
    editor = make_editor(qtbot, RICH)
    with qtbot.assertNotEmitted(editor.document_changed):
        editor.set_schema_text('{"type":"object","required":["a"]}')
    # Shown indented for reading, given back in canonical form, so a stored schema
    # reads back exactly as it was stored.
    assert "\n" in editor.schema.edit.toPlainText()
    assert editor.schema_text() == '{"required":["a"],"type":"object"}'
    stored = Target.schema_text({"type": "object", "required": ["a"]})
    editor.set_schema_text(stored)
    assert editor.schema_text() == stored
    editor.set_schema_text(None)
    assert editor.schema_text() is None
    editor.set_schema_text("{ not json")
    assert editor.schema_text() == "{ not json"
    assert not editor.is_valid()
    assert editor.invalid_reason().startswith("JSON schema: ")


# ---------------------------------------------------------------- tokens


def test_token_estimate_follows_text_and_variable_values(qtbot: Any) -> None:
    doc = PromptDocument(
        name="p",
        system="x" * 400,
        messages=(Message("user", "{{ v }}"),),
        examples=(Example("a" * 40, "b" * 40), Example("c" * 400, "d", enabled=False)),
        variables=(Variable("v", "y" * 400),),
    )
    editor = make_editor(qtbot, doc)
    label = child(editor, QLabel, "tokenEstimate")
    # Rendered: 100 (system) + 100 (the value) + 20 (enabled example only).
    assert editor.estimated_tokens() == 220
    assert label.text() == "≈20 tokens in examples · ≈220 tokens in the whole request"

    type_into(qtbot, editor.system.edit, "x" * 40)
    qtbot.waitUntil(lambda: "≈230 tokens in the whole request" in label.text())
    type_into(qtbot, value_edit(editor, "v"), "y" * 400)
    assert editor.estimated_tokens() == 330

    # A field that does not render counts as raw text; the others stay rendered.
    type_into(qtbot, editor.system.edit, "{{")
    assert editor.estimated_tokens() == round(442 / 4) + 200 + 20

    # Enabling the second example adds it to both numbers.
    model = editor.examples.model
    model.setData(model.index(1, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.waitUntil(lambda: label.text().startswith("≈121 tokens in examples"))
