"""The row of output panes, side by side, scrolling sideways when they do not fit.

Panes share the width equally and shrink to their minimum width (260 px),
so eight fit on a wide screen; past that the row scrolls horizontally. The
"Add pane" button sits in a strip above the row, outside the scrolled part,
so it stays in reach however far the row is scrolled.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from playground.core.document import Target
from playground.ui.icons import icon
from playground.ui.panes.output_pane import OutputPane

__all__ = ["PaneArea"]

#: Space between two panes, and around the row.
SPACING = 6


class PaneArea(QScrollArea):
    """Holds the output panes; gives each a fresh id ("1", "2", ...) that is never reused."""

    pane_added = Signal(object)  # OutputPane
    pane_removed = Signal(str)  # pane_id
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneArea")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._panes: list[OutputPane] = []
        # Every streamed delta is routed by pane id: a lookup, not a scan.
        self._by_id: dict[str, OutputPane] = {}
        self._last_id = 0

        self._row = QWidget()
        self._row.setObjectName("paneRow")
        self._layout = QHBoxLayout(self._row)
        self._layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        self._layout.setSpacing(SPACING)
        self._empty = QLabel("No panes yet. Add one to run the prompt against a model.")
        self._empty.setObjectName("paneAreaEmpty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._layout.addWidget(self._empty, 1)
        self.setWidget(self._row)

        # The header strip lives in the scroll area's top margin, not in the row.
        self._strip = QWidget(self)
        self._strip.setObjectName("paneAreaHeader")
        self._add_button = QToolButton()
        self._add_button.setObjectName("addPaneButton")
        self._add_button.setText("Add pane")
        self._add_button.setIcon(icon("add"))
        self._add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._add_button.setAutoRaise(True)
        self._add_button.setToolTip("Add a pane to run the prompt against one more model")
        self._add_button.clicked.connect(self._on_add_button_clicked)
        strip_layout = QHBoxLayout(self._strip)
        strip_layout.setContentsMargins(SPACING, 2, SPACING, 0)
        strip_layout.addWidget(self._add_button)
        strip_layout.addStretch(1)
        self.setViewportMargins(0, self._strip.sizeHint().height(), 0, 0)

    # ------------------------------------------------------------ panes

    def add_pane(self, target: Target | None = None) -> OutputPane:
        """Append a pane (showing ``target`` if given) and emit ``pane_added``."""
        self._last_id += 1
        pane = OutputPane(str(self._last_id))
        if target is not None:
            pane.set_target(target)
        pane.remove_requested.connect(lambda: self.remove_pane(pane.pane_id))
        self._layout.insertWidget(len(self._panes), pane, 1)
        self._panes.append(pane)
        self._by_id[pane.pane_id] = pane
        self._empty.hide()
        self.pane_added.emit(pane)
        return pane

    def remove_pane(self, pane_id: str) -> None:
        """Take a pane out (its timers stop at once) and emit ``pane_removed``."""
        pane = self.pane(pane_id)
        if pane is None:
            return
        self._panes.remove(pane)
        del self._by_id[pane_id]
        pane.shutdown()
        self._layout.removeWidget(pane)
        pane.hide()
        pane.deleteLater()
        self._empty.setVisible(not self._panes)
        self.pane_removed.emit(pane_id)

    def panes(self) -> list[OutputPane]:
        """The panes, left to right."""
        return list(self._panes)

    def pane(self, pane_id: str) -> OutputPane | None:
        return self._by_id.get(pane_id)

    def clear(self) -> None:
        """Remove every pane (ids keep counting up)."""
        for pane in list(self._panes):
            self.remove_pane(pane.pane_id)

    def set_empty_text(self, text: str) -> None:
        self._empty.setText(text)

    def empty_text(self) -> str:
        return self._empty.text()

    # ------------------------------------------------------------ conveniences

    def set_providers(self, names: list[str]) -> None:
        """``OutputPane.set_providers`` on every pane."""
        for pane in self._panes:
            pane.set_providers(names)

    def set_models(self, provider: str, models: list[str]) -> None:
        """``OutputPane.set_models`` on every pane."""
        for pane in self._panes:
            pane.set_models(provider, models)

    # ------------------------------------------------------------ layout

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._strip.setGeometry(rect.x(), rect.y(), rect.width(), self._strip.sizeHint().height())

    def _on_add_button_clicked(self) -> None:
        self.add_requested.emit()
