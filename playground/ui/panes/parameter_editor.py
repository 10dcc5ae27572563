"""A compact editor for one target's sampling parameters.

Collapsed, it is one line: a toggle button with a summary such as
``temp 0.7 · max 512 · seed 42``. Expanded, it is a small form. Every field
may be left empty, which means "the provider's default" and round-trips as
``None`` (or ``()`` for stop sequences) in :class:`Parameters`.

A field holding something invalid is marked in place and explained under the
form; :meth:`ParameterEditor.parameters` then keeps that field's last valid
value, so a half-typed number never reaches a run or the saved document.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.document import Parameters
from playground.ui.panes.tones import error_colour

__all__ = [
    "STOP_BOXES",
    "ParameterEditor",
    "decode_stop",
    "encode_stop",
    "summarize",
]

#: How many stop sequences the form offers (the most OpenAI-style APIs accept).
STOP_BOXES = 4

STOP_TOOLTIP = (
    "Up to 4 stop sequences, one per box; the model stops before writing any of them.\n"
    "Each box holds the text exactly, commas and spaces included.\n"
    "Write a new line as \\n, a tab as \\t and a backslash as \\\\.\n"
    "Empty boxes are ignored."
)

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def encode_stop(text: str) -> str:
    """A stop sequence as typed in its box: backslash, new line, tab and CR escaped."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def decode_stop(typed: str) -> str:
    """The stop sequence a box stands for; the inverse of :func:`encode_stop`.

    A backslash before any other character (or at the very end) is kept as
    typed, so a Windows path or a regex-looking string means what it shows.
    """
    out: list[str] = []
    i = 0
    while i < len(typed):
        ch = typed[i]
        if ch == "\\" and i + 1 < len(typed) and typed[i + 1] in _UNESCAPES:
            out.append(_UNESCAPES[typed[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _field_text(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    # repr is the shortest text that reads back as exactly the same float.
    return repr(float(value))


def _short_number(value: float) -> str:
    return f"{value:g}"


def summarize(p: Parameters) -> str:
    """One line for the collapsed editor, e.g. ``temp 0.7 · max 512 · seed 42``."""
    parts: list[str] = []
    if p.temperature is not None:
        parts.append(f"temp {_short_number(p.temperature)}")
    if p.max_tokens is not None:
        parts.append(f"max {p.max_tokens}")
    if p.top_p is not None:
        parts.append(f"top_p {_short_number(p.top_p)}")
    if p.stop:
        parts.append("1 stop" if len(p.stop) == 1 else f"{len(p.stop)} stops")
    if p.seed is not None:
        parts.append(f"seed {p.seed}")
    return " · ".join(parts) if parts else "default parameters"


# ---------------------------------------------------------------- parsing


class _Invalid(ValueError):
    """A field's text cannot be used; the message is for the user."""


def _parse_float(low: float, high: float, message: str) -> Callable[[str], float | None]:
    def parse(text: str) -> float | None:
        text = text.strip().replace(",", ".")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise _Invalid(message) from None
        if not math.isfinite(value) or not low <= value <= high:
            raise _Invalid(message)
        return value + 0.0  # -0.0 is 0.0

    return parse


def _parse_int(low: int, high: int, message: str) -> Callable[[str], int | None]:
    def parse(text: str) -> int | None:
        text = text.strip()
        if not text:
            return None
        try:
            value = int(text)
        except ValueError:
            raise _Invalid(message) from None
        if not low <= value <= high:
            raise _Invalid(message)
        return value

    return parse


@dataclass
class _Field:
    """One numeric box: its parser and the last valid value it held."""

    edit: QLineEdit
    parse: Callable[[str], float | int | None]
    tip: str
    value: float | int | None = None
    error: str = ""


# ---------------------------------------------------------------- widgets


class _SummaryButton(QToolButton):
    """A toggle that shows the parameter summary, elided to whatever width it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setCheckable(True)
        self.setAutoRaise(True)
        self.setArrowType(Qt.ArrowType.RightArrow)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # The text is elided to fit, so the button never widens the pane.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.toggled.connect(self._on_self_toggled)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(f"Parameters: {text}\nClick to edit them.")
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _on_self_toggled(self, checked: bool) -> None:
        self.setArrowType(Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow)

    def _elide(self) -> None:
        room = max(self.width() - self.iconSize().width() - 18, 20)
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room))


class ParameterEditor(QWidget):
    """The expandable parameter form; :attr:`toggle` is its one-line summary button.

    The owner places :attr:`toggle` where it wants it (a pane puts it in a
    row with other small buttons) and the editor itself below it.
    """

    edited = Signal()  # the user changed a field (the result may be invalid)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parametersForm")
        self.toggle = _SummaryButton()
        self.toggle.setObjectName("parametersToggle")

        self._temperature = self._field(
            "temperatureEdit",
            _parse_float(0.0, 2.0, "Temperature must be a number from 0 to 2."),
            "Temperature, 0 to 2: higher is more varied.\nLeave empty for the provider's default.",
        )
        self._max_tokens = self._field(
            "maxTokensEdit",
            _parse_int(1, 10_000_000, "Max tokens must be a whole number, at least 1."),
            "The most tokens the model may write.\nLeave empty for the provider's default.",
        )
        self._top_p = self._field(
            "topPEdit",
            _parse_float(0.0, 1.0, "Top p must be a number from 0 to 1."),
            "Nucleus sampling, 0 to 1.\nLeave empty for the provider's default.",
        )
        self._seed = self._field(
            "seedEdit",
            _parse_int(-(2**63), 2**63 - 1, "Seed must be a whole number."),
            "A seed asks for repeatable sampling (not every provider honours it).\n"
            "Leave empty for none.",
            placeholder="none",
        )
        self._fields = (self._temperature, self._max_tokens, self._top_p, self._seed)

        self._stop_grid = QGridLayout()
        self._stop_grid.setContentsMargins(0, 0, 0, 0)
        self._stop_grid.setSpacing(4)
        self._stop_edits: list[QLineEdit] = []
        self._ensure_stop_boxes(STOP_BOXES)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow("Temperature", self._temperature.edit)
        form.addRow("Max tokens", self._max_tokens.edit)
        form.addRow("Top p", self._top_p.edit)
        stop_label = QLabel("Stop")
        stop_label.setToolTip(STOP_TOOLTIP)
        form.addRow(stop_label, self._stop_grid)
        form.addRow("Seed", self._seed.edit)

        self._error_label = QLabel()
        self._error_label.setObjectName("parametersError")
        self._error_label.setWordWrap(True)
        self._error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self._error_label)

        self.setVisible(False)
        self.toggle.toggled.connect(self._on_toggle_toggled)
        self._apply_tones()
        self.toggle.set_full_text(summarize(self.parameters()))

    # ------------------------------------------------------------ public

    def parameters(self) -> Parameters:
        """The parameters as last validly entered (an invalid field keeps its old value)."""
        stops = tuple(decode_stop(e.text()) for e in self._stop_edits if e.text())
        return Parameters(
            temperature=_as_float(self._temperature.value),
            max_tokens=_as_int(self._max_tokens.value),
            top_p=_as_float(self._top_p.value),
            stop=stops,
            seed=_as_int(self._seed.value),
        )

    def set_parameters(self, p: Parameters) -> None:
        """Show ``p``; nothing is emitted. Out-of-range values are kept but marked."""
        values: tuple[float | int | None, ...] = (p.temperature, p.max_tokens, p.top_p, p.seed)
        for f, value in zip(self._fields, values, strict=True):
            f.value = value
            f.edit.setText(_field_text(value))
            f.error = ""
            self._check(f, keep_value=True)
        self._ensure_stop_boxes(max(STOP_BOXES, len(p.stop)))
        for i, edit in enumerate(self._stop_edits):
            edit.setText(encode_stop(p.stop[i]) if i < len(p.stop) else "")
        self._refresh()

    def error(self) -> str:
        """What is wrong with the entered fields, one sentence a line; "" when all are fine."""
        return "\n".join(f.error for f in self._fields if f.error)

    def summary(self) -> str:
        return self.toggle.full_text()

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)

    # ------------------------------------------------------------ internals

    def _field(
        self, name: str, parse: Callable[[str], float | int | None], tip: str, placeholder: str = ""
    ) -> _Field:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder or "default")
        edit.setClearButtonEnabled(True)
        edit.setToolTip(tip)
        f = _Field(edit, parse, tip)
        # textEdited: typing, pasting and the clear button, never set_parameters.
        edit.textEdited.connect(lambda _text: self._on_field_text_edited(f))
        return f

    def _ensure_stop_boxes(self, count: int) -> None:
        while len(self._stop_edits) < count:
            i = len(self._stop_edits)
            edit = QLineEdit()
            edit.setObjectName(f"stopEdit{i + 1}")
            edit.setPlaceholderText(f"stop {i + 1}")
            edit.setToolTip(STOP_TOOLTIP)
            edit.textEdited.connect(self._on_stop_text_edited)
            self._stop_grid.addWidget(edit, i // 2, i % 2)
            self._stop_edits.append(edit)

    def _check(self, f: _Field, *, keep_value: bool = False) -> None:
        try:
            value = f.parse(f.edit.text())
        except _Invalid as exc:
            f.error = str(exc)
        else:
            f.error = ""
            if not keep_value:
                f.value = value
        f.edit.setProperty("invalid", bool(f.error))
        self._tone_field(f)

    def _refresh(self) -> None:
        message = self.error()
        self._error_label.setText(message)
        self._error_label.setVisible(bool(message))
        summary = summarize(self.parameters())
        self.toggle.set_full_text(f"{summary} · needs a fix" if message else summary)
        if message:
            self.toggle.setToolTip(f"{message}\nClick to edit the parameters.")

    def _apply_tones(self) -> None:
        palette = QPalette(self.palette())
        palette.setColor(QPalette.ColorRole.WindowText, error_colour(self.palette()))
        self._error_label.setPalette(palette)
        for f in self._fields:
            self._tone_field(f)

    def _tone_field(self, f: _Field) -> None:
        palette = QPalette(self.palette())
        if f.error:
            palette.setColor(QPalette.ColorRole.Text, error_colour(self.palette()))
        f.edit.setPalette(palette)
        f.edit.setToolTip(f"{f.error}\n\n{f.tip}" if f.error else f.tip)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_tones()

    # ------------------------------------------------------------ slots

    def _on_toggle_toggled(self, checked: bool) -> None:
        self.setVisible(checked)

    def _on_field_text_edited(self, f: _Field) -> None:
        self._check(f)
        self._refresh()
        self.edited.emit()

    def _on_stop_text_edited(self, _text: str) -> None:
        self._refresh()
        self.edited.emit()


def _as_float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def _as_int(value: float | int | None) -> int | None:
    return None if value is None else int(value)
