"""Labels drawn as small rounded chips in a list column.

The item keeps its plain text ("production, staging") for copying, sorting and
accessibility; the delegate paints the chips listed in :data:`CHIPS_ROLE`
instead. A "label" chip is filled; a "marker" chip (such as the draft's base
version) is only outlined with a dashed line, so it never reads as a label.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from playground.ui.history.diff_text import blend

__all__ = ["CHIPS_ROLE", "ChipDelegate", "ChipStyle"]

#: Item data role holding a list of (text, style) pairs.
CHIPS_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ChipStyle = Literal["label", "marker"]

_PAD_X = 6
_GAP = 4
_MARGIN = 4

_Index = QModelIndex | QPersistentModelIndex


def _chips(index: _Index) -> list[tuple[str, ChipStyle]]:
    value = index.data(CHIPS_ROLE)
    return list(value) if isinstance(value, list | tuple) else []


class ChipDelegate(QStyledItemDelegate):
    """Paints the chips of :data:`CHIPS_ROLE` in place of the item's text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        chips = _chips(index)
        if not chips:
            super().paint(painter, option, index)
            return
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        palette: QPalette = opt.palette
        base = palette.color(QPalette.ColorRole.Base)
        text_colour = palette.color(QPalette.ColorRole.Text)
        fill = blend(base, palette.color(QPalette.ColorRole.Highlight), 0.28)
        outline = blend(base, text_colour, 0.5)
        # A marker has no fill of its own, so on a selected row it takes the
        # selection's text colour; a label chip keeps its fill and text.
        marker_colour = outline
        if opt.state & QStyle.StateFlag.State_Selected:
            marker_colour = palette.color(QPalette.ColorRole.HighlightedText)
        metrics = opt.fontMetrics
        rect = opt.rect
        height = metrics.height() + 2
        top = rect.center().y() - height / 2 + 1
        x = rect.left() + _MARGIN
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(opt.font)
        for text, kind in chips:
            width = metrics.horizontalAdvance(text) + 2 * _PAD_X
            if x + width > rect.right() and x > rect.left() + _MARGIN:
                painter.setPen(text_colour)
                painter.drawText(
                    QRectF(x, top, rect.right() - x, height), Qt.AlignmentFlag.AlignVCenter, "…"
                )
                break
            chip = QRectF(x, top, width, height)
            if kind == "label":
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill)
            else:
                pen = QPen(marker_colour)
                pen.setStyle(Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(chip.adjusted(0.5, 0.5, -0.5, -0.5), height / 2, height / 2)
            is_marker_on_selection = kind == "marker" and marker_colour is not outline
            painter.setPen(marker_colour if is_marker_on_selection else text_colour)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
            x += width + _GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        size = super().sizeHint(option, index)
        chips = _chips(index)
        if not chips:
            return size
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)  # the item's own font, bold or not
        metrics = opt.fontMetrics
        width = 2 * _MARGIN + sum(
            metrics.horizontalAdvance(text) + 2 * _PAD_X + _GAP for text, _ in chips
        )
        return QSize(max(size.width(), width), max(size.height(), metrics.height() + 6))
