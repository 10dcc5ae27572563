"""Shared parts of the diff views: palette-aware colours, read-only sides, linked scrolling.

A diff side is a :class:`QPlainTextEdit` filled with :class:`DiffLine` rows
(or with formatted runs of text). Colours are blended from the widget's
own palette, so a removal reads as red and an addition as green on light
and dark themes alike, with the text colour left untouched for contrast.

Two sides scroll together through :class:`ScrollLink`. It maps "the line at
the top of this side" to a line of the other side: by row number when the
two sides were built row for row (the version diff pads the shorter side),
or through a position map when they were not (the output diff).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QObject
from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from playground.ui.highlight import is_dark

__all__ = [
    "DiffColors",
    "DiffLine",
    "DiffSide",
    "LineKind",
    "ScrollLink",
    "SpanKind",
    "blend",
    "block_format",
    "char_format",
    "diff_colors",
    "line_of_position",
    "qt_length",
    "render_lines",
    "same_row",
    "top_position",
]

LineKind = Literal["header", "context", "removed", "added", "filler", "gap", "blank"]
SpanKind = Literal["plain", "dim", "removed", "added", "struck", "underlined", "header"]


def blend(base: QColor, tint: QColor, amount: float) -> QColor:
    """``tint`` laid over ``base`` at ``amount`` (0 = base, 1 = tint), fully opaque."""

    def mix(a: int, b: int) -> int:
        return round(a + (b - a) * amount)

    return QColor(
        mix(base.red(), tint.red()),
        mix(base.green(), tint.green()),
        mix(base.blue(), tint.blue()),
    )


@dataclass(frozen=True)
class DiffColors:
    removed_line: QColor
    removed_word: QColor
    removed_text: QColor
    added_line: QColor
    added_word: QColor
    added_text: QColor
    dim: QColor
    filler: QColor
    header: QColor


def diff_colors(palette: QPalette) -> DiffColors:
    """Diff colours for text drawn on ``palette``'s base colour."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    dark = is_dark(palette)
    # The strong tints stay light enough behind dark text, and dark enough
    # behind light text, for a contrast ratio of about 5:1 or better.
    red = QColor("#f85149") if dark else QColor("#cf222e")
    green = QColor("#3fb950") if dark else QColor("#1a7f37")
    return DiffColors(
        removed_line=blend(base, red, 0.16 if dark else 0.10),
        removed_word=blend(base, red, 0.42 if dark else 0.30),
        removed_text=QColor("#ff7b72") if dark else red,
        added_line=blend(base, green, 0.16 if dark else 0.10),
        added_word=blend(base, green, 0.42 if dark else 0.30),
        added_text=QColor("#56d364") if dark else green,
        dim=blend(base, text, 0.55),
        filler=blend(base, text, 0.05),
        header=blend(base, palette.color(QPalette.ColorRole.Highlight), 0.16),
    )


def char_format(kind: SpanKind, colors: DiffColors) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if kind == "dim":
        fmt.setForeground(colors.dim)
    elif kind == "removed":
        fmt.setBackground(colors.removed_word)
    elif kind == "added":
        fmt.setBackground(colors.added_word)
    elif kind == "struck":
        fmt.setFontStrikeOut(True)
        fmt.setForeground(colors.removed_text)
        fmt.setBackground(colors.removed_line)
    elif kind == "underlined":
        fmt.setFontUnderline(True)
        fmt.setForeground(colors.added_text)
        fmt.setBackground(colors.added_line)
    elif kind == "header":
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


def block_format(kind: LineKind, colors: DiffColors) -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    background = {
        "header": colors.header,
        "removed": colors.removed_line,
        "added": colors.added_line,
        "filler": colors.filler,
    }.get(kind)
    if background is not None:
        fmt.setBackground(background)
    return fmt


@dataclass(frozen=True)
class DiffLine:
    """One row of a diff side: its kind (which sets the row colour) and its text runs."""

    kind: LineKind
    spans: tuple[tuple[str, SpanKind], ...] = ()

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.spans)


class DiffSide(QPlainTextEdit):
    """A read-only, wrapping text side of a diff."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)


def render_lines(edit: QPlainTextEdit, lines: Sequence[DiffLine], colors: DiffColors) -> None:
    """Replace ``edit``'s text with ``lines``, one block each, in their colours."""
    edit.clear()
    cursor = QTextCursor(edit.document())
    cursor.beginEditBlock()
    formats: dict[SpanKind, QTextCharFormat] = {}
    blocks: dict[LineKind, QTextBlockFormat] = {}
    for index, line in enumerate(lines):
        bf = blocks.get(line.kind)
        if bf is None:
            bf = blocks[line.kind] = block_format(line.kind, colors)
        if index == 0:
            cursor.setBlockFormat(bf)
        else:
            cursor.insertBlock(bf, QTextCharFormat())
        for text, span in line.spans:
            fmt = formats.get(span)
            if fmt is None:
                fmt = formats[span] = char_format(span, colors)
            cursor.insertText(text, fmt)
    cursor.endEditBlock()


def qt_length(text: str) -> int:
    """The length of ``text`` in Qt's units (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# ---------------------------------------------------------------- scrolling


def _top_line(edit: QPlainTextEdit) -> tuple[int, int]:
    """(block number, wrapped line within it) of the line at the top of ``edit``."""
    value = edit.verticalScrollBar().value()
    block = edit.document().findBlockByLineNumber(value)
    if not block.isValid():
        block = edit.document().lastBlock()
    return block.blockNumber(), max(0, value - block.firstLineNumber())


def top_position(edit: QPlainTextEdit) -> int:
    """The document position where the line at the top of ``edit`` starts."""
    number, line = _top_line(edit)
    block = edit.document().findBlockByNumber(number)
    layout = block.layout()
    if layout is not None and line < layout.lineCount():
        return block.position() + layout.lineAt(line).textStart()
    return block.position()


def line_of_position(edit: QPlainTextEdit, position: int) -> int:
    """The scroll value that puts the line holding ``position`` at the top of ``edit``."""
    document = edit.document()
    position = max(0, min(position, document.characterCount() - 1))
    block = document.findBlock(position)
    layout = block.layout()
    line = 0
    if layout is not None and layout.lineCount() > 0:
        text_line = layout.lineForTextPosition(position - block.position())
        if text_line.isValid():
            line = text_line.lineNumber()
    return block.firstLineNumber() + line


def same_row(source: QPlainTextEdit, target: QPlainTextEdit) -> int:
    """Scroll value of ``target`` showing the row at the top of ``source``."""
    number, line = _top_line(source)
    block = target.document().findBlockByNumber(number)
    if not block.isValid():
        return target.verticalScrollBar().maximum()
    return block.firstLineNumber() + min(line, max(0, block.lineCount() - 1))


class ScrollLink(QObject):
    """Keeps two sides scrolled to matching places, both ways.

    ``align(source, target)`` returns the scroll value of ``target`` that
    matches where ``source`` is now; :func:`same_row` fits sides built row
    for row. Horizontal scrolling (only with wrapping off) follows value for value.
    """

    def __init__(
        self,
        left: QPlainTextEdit,
        right: QPlainTextEdit,
        align: Callable[[QPlainTextEdit, QPlainTextEdit], int] = same_row,
    ) -> None:
        super().__init__(left)
        self._left = left
        self._right = right
        self._align = align
        self._busy = False
        left.verticalScrollBar().valueChanged.connect(self._on_left_scrolled)
        right.verticalScrollBar().valueChanged.connect(self._on_right_scrolled)
        left.horizontalScrollBar().valueChanged.connect(self._on_left_panned)
        right.horizontalScrollBar().valueChanged.connect(self._on_right_panned)

    def _follow(self, source: QPlainTextEdit, target: QPlainTextEdit) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            target.verticalScrollBar().setValue(self._align(source, target))
        finally:
            self._busy = False

    def _pan(self, source: QPlainTextEdit, target: QPlainTextEdit) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            target.horizontalScrollBar().setValue(source.horizontalScrollBar().value())
        finally:
            self._busy = False

    def _on_left_scrolled(self, _value: int) -> None:
        self._follow(self._left, self._right)

    def _on_right_scrolled(self, _value: int) -> None:
        self._follow(self._right, self._left)

    def _on_left_panned(self, _value: int) -> None:
        self._pan(self._left, self._right)

    def _on_right_panned(self, _value: int) -> None:
        self._pan(self._right, self._left)
