"""What a pane says about a finished run besides its text: the schema check and any error.

The error box is written in plain words, selectable and word-wrapped, with
an error icon. Its colours come from the palette (a tint of the base colour
and a themed accent), so it reads well in light and dark themes alike.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QStyle, QVBoxLayout, QWidget

from playground.ui.icons import icon
from playground.ui.panes.tones import error_colour, ok_colour, tinted_background

__all__ = ["RunNotes"]

_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


class RunNotes(QWidget):
    """The schema line and the error box; hidden while it has nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneNotes")

        self._schema = QLabel()
        self._schema.setObjectName("schemaLabel")
        self._schema.setWordWrap(True)
        self._schema.setTextFormat(Qt.TextFormat.PlainText)
        self._schema.setTextInteractionFlags(_SELECTABLE)
        self._schema.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._schema.hide()

        self._error = QFrame()
        self._error.setObjectName("paneError")
        self._error_icon = QLabel()
        self._error_icon.setObjectName("paneErrorIcon")
        self._error_text = QLabel()
        self._error_text.setObjectName("paneErrorText")
        self._error_text.setWordWrap(True)
        self._error_text.setTextFormat(Qt.TextFormat.PlainText)
        self._error_text.setTextInteractionFlags(_SELECTABLE)
        self._error_text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self._error)
        row.setContentsMargins(6, 4, 6, 4)
        row.setSpacing(6)
        row.addWidget(self._error_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._error_text, 1)
        self._error.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self._schema)
        layout.addWidget(self._error)
        self._restyle()
        self.hide()

    def show_schema(self, valid: bool, error: str | None) -> None:
        """ "✓ matches the JSON schema", or "✗ " and the first violation."""
        self._schema.setText(
            "✓ matches the JSON schema" if valid else "✗ " + (error or "does not match")
        )
        self._schema.setProperty("valid", valid)
        self._schema.show()
        self._tone_schema()
        self.show()

    def show_error(self, message: str) -> None:
        self._error_text.setText(message)
        self._error.show()
        self.show()

    def clear(self) -> None:
        self._schema.clear()
        self._schema.hide()
        self._error_text.clear()
        self._error.hide()
        self.hide()

    def error_text(self) -> str:
        return "" if self._error.isHidden() else self._error_text.text()

    def schema_text(self) -> str:
        return "" if self._schema.isHidden() else self._schema.text()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()

    def _restyle(self) -> None:
        palette = self.palette()
        accent = error_colour(palette)
        background = tinted_background(palette, accent)
        self._error.setStyleSheet(
            f"QFrame#paneError {{ background: {background.name()};"
            f" border: 1px solid {accent.name()}; border-radius: 3px; }}"
        )
        # Icons are drawn in the palette's colours, so fetch it again after a change.
        error_icon = icon("error")
        if error_icon.isNull():
            error_icon = self.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxCritical, None, self
            )
        size = self.fontMetrics().height()
        self._error_icon.setPixmap(error_icon.pixmap(size, size))
        self._tone_schema()

    def _tone_schema(self) -> None:
        palette = QPalette(self.palette())
        valid = bool(self._schema.property("valid"))
        palette.setColor(
            QPalette.ColorRole.WindowText, ok_colour(palette) if valid else error_colour(palette)
        )
        self._schema.setPalette(palette)
