"""The conversation turns of a prompt: one editor per message, in order.

Each turn is a widget with a role selector, a highlighted template editor,
move up/down and remove buttons. Moving a turn moves its widget, so the text
and that editor's undo history travel with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.document import ROLES, Message, Role
from playground.core.errors import TemplateProblem
from playground.ui.editor.text_edit import FieldEditor, plain_text
from playground.ui.icons import icon

__all__ = ["MessageTurn", "MessagesSection"]

_ROLE_LABELS: dict[Role, str] = {"user": "User", "assistant": "Assistant"}


class MessageTurn(QFrame):
    """One message: role, template text, and the buttons that move or remove it."""

    changed = Signal()
    move_requested = Signal(object, int)  # (turn, -1 up | +1 down)
    remove_requested = Signal(object)

    def __init__(self, message: Message, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageTurn")
        self.setFrameShape(QFrame.Shape.NoFrame)

        self.role_box = QComboBox(self)
        self.role_box.setObjectName("messageRole")
        for role in ROLES:
            self.role_box.addItem(_ROLE_LABELS[role], role)
        self.role_box.setCurrentIndex(ROLES.index(message.role))
        self.role_box.setToolTip("Who says this turn")

        self.field = FieldEditor("message", self, min_lines=2, max_lines=16)
        self.field.edit.setPlainText(message.content)
        self.field.edit.setPlaceholderText("Message text. Use {{ name }} for a variable.")

        self.up_button = self._tool_button("messageUp", "up", "Up", "Move this message up")
        self.down_button = self._tool_button(
            "messageDown", "down", "Down", "Move this message down"
        )
        self.remove_button = self._tool_button(
            "messageRemove", "remove", "Remove", "Remove this message"
        )

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.role_box)
        header.addStretch(1)
        for button in (self.up_button, self.down_button, self.remove_button):
            header.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.field)

        self.role_box.currentIndexChanged.connect(self._on_role_box_current_index_changed)
        self.field.edit.textChanged.connect(self._on_edit_text_changed)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

    def _tool_button(self, name: str, icon_name: str, label: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setIcon(icon(icon_name))
        button.setText(label)  # shown only if the icon is missing
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        return button

    @property
    def role(self) -> Role:
        role: Role = self.role_box.currentData()
        return role

    def set_role(self, role: Role) -> None:
        self.role_box.setCurrentIndex(ROLES.index(role))

    @property
    def text(self) -> str:
        return plain_text(self.field.edit)

    def message(self) -> Message:
        return Message(role=self.role, content=self.text)

    def set_position(self, index: int, count: int) -> None:
        """Label the turn and enable only the moves that make sense."""
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(index < count - 1)
        self.field.edit.setAccessibleName(f"Message {index + 1}")

    def _on_role_box_current_index_changed(self, _index: int) -> None:
        self.changed.emit()

    def _on_edit_text_changed(self) -> None:
        self.changed.emit()

    def _on_up_button_clicked(self) -> None:
        self.move_requested.emit(self, -1)

    def _on_down_button_clicked(self) -> None:
        self.move_requested.emit(self, 1)

    def _on_remove_button_clicked(self) -> None:
        self.remove_requested.emit(self)


class MessagesSection(QWidget):
    """The ordered list of turns plus an "Add message" button."""

    #: Text, role, order or number of turns changed by the user.
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._turns: list[MessageTurn] = []
        #: The widget Tab comes from into the first turn (the system prompt, say).
        self.focus_before: QWidget | None = None
        self._turn_layout = QVBoxLayout()
        self._turn_layout.setContentsMargins(0, 0, 0, 0)
        self._turn_layout.setSpacing(4)
        self.empty_label = QLabel("No messages yet. Add a user message for the model to answer.")
        self.empty_label.setObjectName("messagesEmpty")
        self.empty_label.setEnabled(False)
        self.add_button = QPushButton(icon("add"), "Add message", self)
        self.add_button.setObjectName("addMessage")
        self.add_button.setToolTip("Add a turn after the last one")

        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.add_button)
        footer.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._turn_layout)
        layout.addLayout(footer)

        self.add_button.clicked.connect(self._on_add_button_clicked)

    # ------------------------------------------------------------ content

    def turns(self) -> list[MessageTurn]:
        """The turn widgets, in conversation order."""
        return list(self._turns)

    def messages(self) -> tuple[Message, ...]:
        return tuple(t.message() for t in self._turns)

    def set_messages(self, messages: Sequence[Message]) -> None:
        """Replace every turn (fresh editors, so no undo history carries over)."""
        for turn in self._turns:
            self._turn_layout.removeWidget(turn)
            turn.hide()
            turn.setParent(None)  # out of findChild's reach at once
            turn.deleteLater()
        self._turns = []
        for message in messages:
            self._append(message)
        self._renumber()

    def add_message(self) -> MessageTurn:
        """Append a turn whose role follows on from the last one, and focus it."""
        last = self._turns[-1].role if self._turns else "assistant"
        role: Role = "assistant" if last == "user" else "user"
        turn = self._append(Message(role=role, content=""))
        self._renumber()
        turn.show()  # now, not on the next event loop pass, so it can take the focus
        turn.field.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()
        return turn

    def move_turn(self, index: int, delta: int) -> None:
        """Move the turn at ``index`` by ``delta`` places (clamped)."""
        target = min(max(index + delta, 0), len(self._turns) - 1)
        if target == index or not 0 <= index < len(self._turns):
            return
        turn = self._turns.pop(index)
        self._turns.insert(target, turn)
        self._turn_layout.removeWidget(turn)
        self._turn_layout.insertWidget(target, turn)
        self._renumber()
        self.changed.emit()

    def remove_turn(self, index: int) -> None:
        if not 0 <= index < len(self._turns):
            return
        turn = self._turns.pop(index)
        had_focus = turn.isAncestorOf(self.focusWidget()) if self.focusWidget() else False
        self._turn_layout.removeWidget(turn)
        turn.hide()
        turn.setParent(None)
        turn.deleteLater()
        self._renumber()
        if had_focus:
            # Keep the keyboard user in the list: the turn that took its place, or the button.
            following = self._turns[min(index, len(self._turns) - 1)] if self._turns else None
            target = following.field.edit if following is not None else self.add_button
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def show_problems(self, by_index: dict[int, list[TemplateProblem]]) -> None:
        for i, turn in enumerate(self._turns):
            turn.field.show_problems(by_index.get(i, []))

    # ------------------------------------------------------------ internals

    def _append(self, message: Message) -> MessageTurn:
        turn = MessageTurn(message, self)
        turn.changed.connect(self._on_turn_changed)
        turn.move_requested.connect(self._on_turn_move_requested)
        turn.remove_requested.connect(self._on_turn_remove_requested)
        self._turns.append(turn)
        self._turn_layout.addWidget(turn)
        return turn

    def _renumber(self) -> None:
        for i, turn in enumerate(self._turns):
            turn.set_position(i, len(self._turns))
        self.empty_label.setVisible(not self._turns)
        # Tab follows the conversation, however the turns were added or moved.
        chain: list[QWidget] = [] if self.focus_before is None else [self.focus_before]
        for turn in self._turns:
            chain += [
                turn.role_box,
                turn.field.edit,
                turn.up_button,
                turn.down_button,
                turn.remove_button,
            ]
        chain.append(self.add_button)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _on_add_button_clicked(self) -> None:
        self.add_message()

    def _on_turn_changed(self) -> None:
        self.changed.emit()

    def _on_turn_move_requested(self, turn: MessageTurn, delta: int) -> None:
        index = self._turns.index(turn)
        self.move_turn(index, delta)
        # Keep focus on the button that was pressed, so repeated moves need no mouse.
        button = turn.up_button if delta < 0 else turn.down_button
        if button.isEnabled():
            button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            turn.field.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_turn_remove_requested(self, turn: MessageTurn) -> None:
        self.remove_turn(self._turns.index(turn))
