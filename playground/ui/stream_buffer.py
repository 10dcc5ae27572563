"""Throttled streaming: text deltas are collected cheaply and painted at most every ~33 ms.

A model can send hundreds of deltas a second per pane. Inserting each one
into a text widget would lay out and repaint the pane hundreds of times a
second, and eight panes would starve the GUI thread. A ``StreamBuffer`` per
pane only appends deltas to a list; once per interval the text is joined and
handed to the pane.

The flushes of all panes are spread out by one shared :class:`FlushScheduler`:
it flushes at most one buffer per slot of a few milliseconds, the one that
has waited longest. Panes fed by the same burst of network data would
otherwise all flush, lay out and repaint in the same event-loop turn, and
eight panes painting at once froze the window for 25 to 50 ms; one at a time,
each turn stays a few milliseconds long.

One flush hands over at most ``max_chars`` characters. Inserting, laying out
and highlighting text costs time in proportion to its length (several
microseconds a character), so a pane that has fallen behind, or is fed
faster than anyone can read, catches up in pieces the GUI thread can take
without freezing, with the event loop running between them.
"""

from __future__ import annotations

import contextlib
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

__all__ = [
    "DEFAULT_INTERVAL_MS",
    "MAX_FLUSH_CHARS",
    "SLOT_MS",
    "FlushScheduler",
    "StreamBuffer",
    "append_plain_text",
]

#: About two frames at 60 Hz: smooth to the eye, and cheap.
DEFAULT_INTERVAL_MS = 33
#: The most text one flush hands over: about 15 ms of work for highlighted code.
MAX_FLUSH_CHARS = 2048
#: The scheduler flushes at most one buffer this often: eight panes fit in one interval.
SLOT_MS = 4


#: The least time between two flushes, whatever the timer does.
_MIN_GAP_S = SLOT_MS / 1000 * 0.75


class FlushScheduler(QObject):
    """Flushes due buffers one per slot, longest-waiting first.

    Its timer runs only while some buffer has text waiting, so an idle app
    has no timer ticking. One scheduler serves every buffer of the GUI thread
    (:meth:`shared`).
    """

    _instance: FlushScheduler | None = None

    def __init__(self) -> None:
        super().__init__()
        self._due: dict[StreamBuffer, float] = {}
        self._last_flush = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(SLOT_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @classmethod
    def shared(cls) -> FlushScheduler:
        if cls._instance is None:
            cls._instance = FlushScheduler()
        return cls._instance

    def schedule(self, buffer: StreamBuffer, delay_ms: float) -> None:
        """Flush ``buffer`` once ``delay_ms`` have passed (and its turn comes)."""
        self._due[buffer] = time.monotonic() + delay_ms / 1000
        if not self._timer.isActive():
            self._timer.start()

    def unschedule(self, buffer: StreamBuffer) -> None:
        self._due.pop(buffer, None)
        if not self._due:
            self._timer.stop()

    def scheduled(self, buffer: StreamBuffer) -> bool:
        return buffer in self._due

    def _on_timer_timeout(self) -> None:
        if not self._due:
            self._timer.stop()
            return
        now = time.monotonic()
        # A repeating timer that fired late catches up with its schedule, so two
        # ticks can come close together after a busy moment; a slot is a slot.
        if now - self._last_flush < _MIN_GAP_S:
            return
        buffer, due = min(self._due.items(), key=lambda item: item[1])
        if due > now:
            return
        del self._due[buffer]
        self._last_flush = now
        # RuntimeError: its pane was deleted while text waited, so nobody is left to show it to.
        with contextlib.suppress(RuntimeError):
            buffer.flush_due()
        if not self._due:
            self._timer.stop()


class StreamBuffer(QObject):
    """Collects text deltas for one pane and emits them joined, at most once per interval.

    The first delta after a flush books a flush with the shared scheduler,
    one interval later, so an idle pane has nothing booked, and two flushes
    are at least one interval apart unless the text pending exceeds
    ``max_chars``: then each flush emits up to ``max_chars`` (cut after a
    newline where one is near) and the rest follows in the next free slot.
    Call ``drain`` (or ``flush_now``) when the stream finishes or is stopped,
    so the tail is not left waiting.
    """

    flushed = Signal(str)

    def __init__(
        self,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        parent: QObject | None = None,
        *,
        max_chars: int = MAX_FLUSH_CHARS,
    ):
        super().__init__(parent)
        self._pending: list[str] = []
        self._pending_chars = 0
        self._interval_ms = interval_ms
        self._max_chars = max(1, max_chars)
        self._scheduler = FlushScheduler.shared()

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    @property
    def max_chars(self) -> int:
        return self._max_chars

    @property
    def pending(self) -> bool:
        """True while some appended text has not been flushed yet."""
        return bool(self._pending)

    @property
    def pending_chars(self) -> int:
        """How many characters wait for a flush."""
        return self._pending_chars

    @property
    def timer_active(self) -> bool:
        """True while a flush is booked."""
        return self._scheduler.scheduled(self)

    def append(self, text: str) -> None:
        """Queue a delta; it is emitted with the others at the next flush."""
        if not text:
            return
        self._pending.append(text)
        self._pending_chars += len(text)
        if not self._scheduler.scheduled(self):
            self._scheduler.schedule(self, self._interval_ms)

    def flush_now(self) -> None:
        """Emit whatever is pending at once, in one piece, however long."""
        self._scheduler.unschedule(self)
        self._flush(None)

    def drain(self) -> None:
        """Emit what is pending without waiting for the interval (for a finished stream).

        Text that fits in one flush is emitted at once, as ``flush_now`` does;
        a longer backlog goes out in ``max_chars`` pieces, one now and the
        rest as fast as the event loop takes them.
        """
        self._scheduler.unschedule(self)
        self._flush(None if self._pending_chars <= self._max_chars else self._max_chars)

    def flush_soon(self) -> None:
        """Emit what is pending in the next free slot, without waiting for the interval.

        For a stream that has finished: several panes finishing at once then
        paint their tails one after another, not all in the same moment.
        """
        if self._pending:
            self._scheduler.schedule(self, 0)

    def clear(self) -> None:
        """Drop pending text without emitting it (for a pane being reset)."""
        self._scheduler.unschedule(self)
        self._pending.clear()
        self._pending_chars = 0

    def flush_due(self) -> None:
        """The scheduler's call: this buffer's turn has come."""
        self._flush(self._max_chars)

    def _flush(self, limit: int | None) -> None:
        if not self._pending:
            return
        # Swap the list out first: a slot may append again while we emit.
        text = "".join(self._pending)
        self._pending = []
        self._pending_chars = 0
        rest = ""
        if limit is not None and len(text) > limit:
            # Cutting after a newline spares the highlighter a half line to redo.
            newline = text.rfind("\n", limit // 2, limit)
            cut = newline + 1 if newline >= 0 else limit
            text, rest = text[:cut], text[cut:]
            self._pending = [rest]
            self._pending_chars = len(rest)
        self.flushed.emit(text)
        if rest and self._pending:  # not cleared by a slot
            self._scheduler.schedule(self, 0)


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
