"""Throttled streaming: text deltas are collected cheaply and painted at most every ~33 ms.

A model can send hundreds of deltas a second per pane. Inserting each one
into a text widget would lay out and repaint the pane hundreds of times a
second, and eight panes would starve the GUI thread. A ``StreamBuffer`` per
pane only appends deltas to a list; a timer joins them and hands the text to
the pane once per interval.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

__all__ = ["DEFAULT_INTERVAL_MS", "StreamBuffer", "append_plain_text"]

#: About two frames at 60 Hz: smooth to the eye, and cheap.
DEFAULT_INTERVAL_MS = 33


class StreamBuffer(QObject):
    """Collects text deltas for one pane and emits them joined, at most once per interval.

    The timer is single-shot and armed by the first delta after a flush, so
    an idle pane has no timer running at all, and two flushes are always at
    least one interval apart. Call ``flush_now`` when the stream finishes or
    is stopped, so the tail is not left waiting for the timer.
    """

    flushed = Signal(str)

    def __init__(self, interval_ms: int = DEFAULT_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer (within 5%) lets Qt batch the wake-ups of several panes.
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def pending(self) -> bool:
        """True while some appended text has not been flushed yet."""
        return bool(self._pending)

    @property
    def timer_active(self) -> bool:
        return self._timer.isActive()

    def append(self, text: str) -> None:
        """Queue a delta; it is emitted with the others at the next flush."""
        if not text:
            return
        self._pending.append(text)
        if not self._timer.isActive():
            self._timer.start()

    def flush_now(self) -> None:
        """Emit whatever is pending at once (for a finished or stopped stream)."""
        self._timer.stop()
        self._flush()

    def clear(self) -> None:
        """Drop pending text without emitting it (for a pane being reset)."""
        self._timer.stop()
        self._pending.clear()

    def _on_timer_timeout(self) -> None:
        self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        # Swap the list out first: a slot may append again while we emit.
        text = "".join(self._pending)
        self._pending = []
        self.flushed.emit(text)


def append_plain_text(edit: QPlainTextEdit, text: str) -> None:
    """Insert ``text`` at the very end of ``edit``, adding no newline of its own.

    ``QPlainTextEdit.appendPlainText`` starts a new paragraph each call, which
    would split a streamed word across lines. The user's cursor and selection
    are left alone, and the view follows the new text only if it was already
    scrolled to the bottom, so someone reading further up is not yanked down.
    """
    if not text:
        return
    bar = edit.verticalScrollBar()
    pinned = bar.value() >= bar.maximum()
    cursor = QTextCursor(edit.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(text)
    if pinned:
        bar.setValue(bar.maximum())
