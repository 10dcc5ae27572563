"""Two model outputs compared word by word, side by side or inline.

Side by side, the left text marks what only it has (deletions) and the
right text what only it has (insertions); inline, one text shows both,
deletions struck through and insertions underlined.

``word_diff`` is pure Python and takes seconds on two long outputs (or on
two moderately long, repetitive ones), so all but short inputs are compared
on a worker thread while the
view shows the plain texts and "Comparing…". The worker touches no widget:
it computes into a :class:`concurrent.futures.Future`, and when that is done
a relay object that lives as long as the application posts the future to
the views (a queued signal, so the GUI thread is not woken before then).
A view only takes the future of its latest ``set_texts``: the result of a
superseded comparison is dropped, and a view closed mid-comparison leaves
nothing behind but a thread that finishes and is forgotten.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.diff import WordOp, diff_stats, word_diff
from playground.ui.history.diff_text import (
    DiffColors,
    DiffSide,
    ScrollLink,
    SpanKind,
    char_format,
    diff_colors,
    line_of_position,
    top_position,
)
from playground.ui.icons import icon

__all__ = ["LARGE_INPUT_CHARS", "OutputDiffView", "pending_jobs", "similarity", "stats_text"]

log = logging.getLogger("playground.ui")

#: Inputs longer than this in total (characters) are compared off the GUI thread.
#: Low on purpose: on repetitive text (numbered lists, JSON) ``word_diff`` grows
#: about with the cube of the length: some 60 ms at 1,700 characters, 0.5 s at
#: 3,500 and 20 s at 15,000. Below this it stays under a frame or two.
LARGE_INPUT_CHARS = 2_000

_Job = Future[list[WordOp]]


class _Relay(QObject):
    """Announces finished comparisons; a child of the application, so it outlives every job."""

    finished = Signal(object)  # the Future


_executor: ThreadPoolExecutor | None = None
_relay: _Relay | None = None
_pending: set[_Job] = set()
_pending_lock = threading.Lock()


def _the_relay() -> _Relay:
    """The relay, made on first use (from the GUI thread, so it lives there)."""
    global _relay
    if _relay is None:
        _relay = _Relay(QCoreApplication.instance())
    return _relay


def _submit(old: str, new: str) -> _Job:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="word-diff")
    relay = _the_relay()
    future = _executor.submit(word_diff, old, new)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(lambda done: _announce(relay, done))
    return future


def _announce(relay: _Relay, future: _Job) -> None:
    """Runs on the worker thread (or at once, if the job was already done)."""
    with _pending_lock:
        _pending.discard(future)
    with contextlib.suppress(RuntimeError):  # the application has quit: nobody is waiting
        relay.finished.emit(future)


def pending_jobs() -> int:
    """How many comparisons are queued or running, for any view (superseded ones included)."""
    with _pending_lock:
        return len(_pending)


def similarity(ops: Sequence[WordOp]) -> int:
    """Share of the two texts' characters that are common to both, as a whole percent.

    Rounded down, so two texts that differ at all are never "100% similar".
    """
    same = sum(len(op.text) for op in ops if op.op == "equal")
    total = sum(len(op.text) * (2 if op.op == "equal" else 1) for op in ops)
    if total == 0:
        return 100
    return (200 * same) // total


def stats_text(ops: Sequence[WordOp]) -> str:
    inserted, deleted = diff_stats(ops)
    return f"+{inserted} words / −{deleted} words, {similarity(ops)}% similar"


class _Anchors:
    """Where the equal runs sit on both sides, to map a position on one side to the other."""

    def __init__(self) -> None:
        self.left: list[int] = []
        self.right: list[int] = []
        self.length: list[int] = []

    def add(self, left: int, right: int, length: int) -> None:
        self.left.append(left)
        self.right.append(right)
        self.length.append(length)

    def map(self, position: int, *, from_left: bool) -> int:
        starts, targets = (self.left, self.right) if from_left else (self.right, self.left)
        index = bisect.bisect_right(starts, position) - 1
        if index < 0:
            return 0
        return targets[index] + min(position - starts[index], self.length[index])


class OutputDiffView(QWidget):
    """A word-level diff of two texts, with a side-by-side and an inline mode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._left_text = ""
        self._right_text = ""
        self._left_title = ""
        self._right_title = ""
        self._ops: list[WordOp] | None = None
        self._failed = False
        self._future: _Job | None = None
        self._anchors = _Anchors()
        self._inline_stale = True
        self._rendering = False
        # Queued even when emitted on this thread, so a job that finished
        # before ``set_texts`` kept its future is still recognised.
        _the_relay().finished.connect(self._on_relay_finished, Qt.ConnectionType.QueuedConnection)

        self._stats = QLabel()
        self._stats.setObjectName("outputDiffStats")
        self._inline_button = QToolButton()
        self._inline_button.setObjectName("outputDiffInline")
        self._inline_button.setText("Inline")
        self._inline_button.setIcon(icon("plain"))
        self._inline_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._inline_button.setCheckable(True)
        self._inline_button.setToolTip(
            "Show one text with deletions struck through and insertions underlined"
        )
        self._inline_button.toggled.connect(self._on_inline_button_toggled)

        self._left_label = self._title_label("outputDiffLeftTitle")
        self._right_label = self._title_label("outputDiffRightTitle")
        self._inline_label = self._title_label("outputDiffInlineTitle")
        self._left = DiffSide()
        self._left.setObjectName("outputDiffLeft")
        self._right = DiffSide()
        self._right.setObjectName("outputDiffRight")
        self._inline = DiffSide()
        self._inline.setObjectName("outputDiffInlineText")
        self._link = ScrollLink(self._left, self._right, self._align)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(_column(self._left_label, self._left))
        splitter.addWidget(_column(self._right_label, self._right))
        self._pages = QStackedWidget()
        self._pages.addWidget(splitter)
        self._pages.addWidget(_column(self._inline_label, self._inline))

        bar = QHBoxLayout()
        bar.addWidget(self._stats, 1)
        bar.addWidget(self._inline_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self._pages, 1)

    @staticmethod
    def _title_label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    # ------------------------------------------------------------ public

    def set_texts(self, left_title: str, left: str, right_title: str, right: str) -> None:
        """Compare ``left`` (the older or first text) with ``right``.

        Large inputs are compared in the background (see :func:`is_busy`);
        a later call replaces an earlier one still being compared.
        """
        if self._future is not None:
            self._future.cancel()  # a no-op once it runs; its result is ignored either way
        self._future = None
        self._left_title, self._left_text = left_title, left
        self._right_title, self._right_text = right_title, right
        self._left_label.setText(left_title)
        self._right_label.setText(right_title)
        self._inline_label.setText(f"{left_title} → {right_title}")
        self._ops = None
        self._failed = False
        if len(left) + len(right) > LARGE_INPUT_CHARS:
            self._future = _submit(left, right)
        else:
            self._ops = word_diff(left, right)
        self._render()

    def is_busy(self) -> bool:
        """True while the texts of the latest ``set_texts`` are still being compared."""
        return self._future is not None

    def ops(self) -> list[WordOp] | None:
        """The word diff shown, or None while it is being computed (or if it failed)."""
        return None if self._ops is None else list(self._ops)

    def stats(self) -> str:
        return self._stats.text()

    def is_inline(self) -> bool:
        return self._inline_button.isChecked()

    def set_inline(self, inline: bool) -> None:
        self._inline_button.setChecked(inline)

    def left_side(self) -> QPlainTextEdit:
        return self._left

    def right_side(self) -> QPlainTextEdit:
        return self._right

    def inline_side(self) -> QPlainTextEdit:
        return self._inline

    # ------------------------------------------------------------ background work

    def _on_relay_finished(self, future: object) -> None:
        if future is not self._future or not isinstance(future, Future):
            return  # another view's, or superseded
        self._future = None
        error = future.exception()
        if error is not None:
            log.error("Comparing two outputs failed", exc_info=error)
            self._failed = True
        else:
            self._ops = future.result()
        self._render()

    # ------------------------------------------------------------ drawing

    def _render(self) -> None:
        self._rendering = True
        try:
            colors = diff_colors(self.palette())
            if self._ops is None:
                self._stats.setText(
                    "Could not compare these texts." if self._failed else "Comparing…"
                )
                self._left.setPlainText(self._left_text)
                self._right.setPlainText(self._right_text)
                self._anchors = _Anchors()
            else:
                self._stats.setText(stats_text(self._ops))
                self._render_sides(self._ops, colors)
            self._inline_stale = True
            if self.is_inline():
                self._render_inline(colors)
        finally:
            self._rendering = False

    def _render_sides(self, ops: Sequence[WordOp], colors: DiffColors) -> None:
        self._left.clear()
        self._right.clear()
        left = QTextCursor(self._left.document())
        right = QTextCursor(self._right.document())
        left.beginEditBlock()
        right.beginEditBlock()
        plain = QTextCharFormat()
        removed = char_format("removed", colors)
        added = char_format("added", colors)
        anchors = _Anchors()
        for op in ops:
            if op.op == "equal":
                start_left, start_right = left.position(), right.position()
                left.insertText(op.text, plain)
                right.insertText(op.text, plain)
                anchors.add(start_left, start_right, left.position() - start_left)
            elif op.op == "delete":
                left.insertText(op.text, removed)
            else:
                right.insertText(op.text, added)
        left.endEditBlock()
        right.endEditBlock()
        self._anchors = anchors
        for side in (self._left, self._right):
            side.moveCursor(QTextCursor.MoveOperation.Start)

    def _render_inline(self, colors: DiffColors) -> None:
        self._inline_stale = False
        self._inline.clear()
        if self._ops is None:
            self._inline.setPlainText(self._stats.text())
            return
        cursor = QTextCursor(self._inline.document())
        cursor.beginEditBlock()
        kinds: dict[str, SpanKind] = {"equal": "plain", "delete": "struck", "insert": "underlined"}
        formats = {op: char_format(kind, colors) for op, kind in kinds.items()}
        for op in self._ops:
            cursor.insertText(op.text, formats[op.op])
        cursor.endEditBlock()
        self._inline.moveCursor(QTextCursor.MoveOperation.Start)

    def _align(self, source: QPlainTextEdit, target: QPlainTextEdit) -> int:
        position = self._anchors.map(top_position(source), from_left=source is self._left)
        return line_of_position(target, position)

    def _on_inline_button_toggled(self, checked: bool) -> None:
        if checked and self._inline_stale:
            self._render_inline(diff_colors(self.palette()))
        self._pages.setCurrentIndex(1 if checked else 0)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._rendering:
            self._render()


def _column(title: QLabel, side: QWidget) -> QWidget:
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(title)
    layout.addWidget(side)
    return column
