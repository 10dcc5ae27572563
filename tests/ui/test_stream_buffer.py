"""StreamBuffer batches deltas per interval; append_plain_text appends without newlines."""

from __future__ import annotations

import itertools
import time

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from playground.ui.stream_buffer import (
    DEFAULT_INTERVAL_MS,
    SLOT_MS,
    StreamBuffer,
    append_plain_text,
)


def collect(buffer: StreamBuffer) -> list[str]:
    got: list[str] = []
    buffer.flushed.connect(got.append)
    return got


def test_many_appends_within_an_interval_flush_once_joined(qtbot) -> None:
    buffer = StreamBuffer()
    assert buffer.interval_ms == DEFAULT_INTERVAL_MS
    got = collect(buffer)
    with qtbot.waitSignal(buffer.flushed, timeout=1000) as blocker:
        for i in range(200):
            buffer.append(f"t{i} ")
        assert got == []  # nothing is emitted synchronously
    assert blocker.args == ["".join(f"t{i} " for i in range(200))]
    qtbot.wait(3 * buffer.interval_ms)
    assert len(got) == 1
    assert not buffer.pending


def test_timer_runs_only_while_text_is_pending(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=10)
    assert not buffer.timer_active
    buffer.append("")  # an empty delta is not worth a wake-up
    assert not buffer.timer_active
    buffer.append("a")
    assert buffer.timer_active
    with qtbot.waitSignal(buffer.flushed, timeout=1000):
        pass
    assert not buffer.timer_active
    assert not buffer.pending


def test_flushes_are_at_least_one_interval_apart(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=50)
    stamps: list[float] = []
    buffer.flushed.connect(lambda _text: stamps.append(time.monotonic()))
    with qtbot.waitSignal(buffer.flushed, timeout=1000):
        buffer.append("a")
    buffer.append("b")  # right after a flush
    with qtbot.waitSignal(buffer.flushed, timeout=1000):
        pass
    # A coarse timer may fire up to 5% early.
    assert stamps[1] - stamps[0] >= 0.9 * 0.050


def test_flush_now_emits_at_once_and_leaves_nothing_for_the_timer(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=10)
    got = collect(buffer)
    buffer.flush_now()
    assert got == []  # nothing pending, nothing emitted
    buffer.append("tail ")
    buffer.append("end")
    buffer.flush_now()
    assert got == ["tail end"]
    assert not buffer.timer_active
    qtbot.wait(40)
    assert got == ["tail end"]


def test_clear_drops_pending_text(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=10)
    got = collect(buffer)
    buffer.append("stale")
    buffer.clear()
    assert not buffer.pending
    assert not buffer.timer_active
    qtbot.wait(40)
    buffer.flush_now()
    assert got == []


def test_a_slot_may_append_while_handling_a_flush(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=10)
    got: list[str] = []

    def on_flushed(text: str) -> None:
        got.append(text)
        if text == "first":
            buffer.append("second")

    buffer.flushed.connect(on_flushed)
    buffer.append("first")
    qtbot.waitUntil(lambda: got == ["first", "second"], timeout=1000)


def shown_edit(qtbot, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.resize(300, 120)
    edit.setPlainText("\n".join(f"line {i}" for i in range(lines)))
    edit.show()
    qtbot.waitExposed(edit)
    return edit


def test_append_plain_text_adds_no_newlines(qtbot) -> None:
    edit = shown_edit(qtbot, 1)
    for piece in [" con", "tinued", "\nnext", " line"]:
        append_plain_text(edit, piece)
    assert edit.toPlainText() == "line 0 continued\nnext line"


def test_append_follows_the_bottom_when_pinned(qtbot) -> None:
    edit = shown_edit(qtbot, 100)
    bar = edit.verticalScrollBar()
    bar.setValue(bar.maximum())
    old_maximum = bar.maximum()
    append_plain_text(edit, "\nmore" * 20)
    assert bar.maximum() > old_maximum
    assert bar.value() == bar.maximum()


def test_append_keeps_the_view_when_reading_further_up(qtbot) -> None:
    edit = shown_edit(qtbot, 100)
    bar = edit.verticalScrollBar()
    bar.setValue(10)
    old_maximum = bar.maximum()
    append_plain_text(edit, "\nmore" * 20)
    assert bar.maximum() > old_maximum
    assert bar.value() == 10


def test_append_leaves_the_users_selection_alone(qtbot) -> None:
    edit = shown_edit(qtbot, 3)
    cursor = edit.textCursor()
    cursor.setPosition(0)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfWord, QTextCursor.MoveMode.KeepAnchor)
    edit.setTextCursor(cursor)
    append_plain_text(edit, " tail")
    assert edit.textCursor().selectedText() == "line"
    assert edit.toPlainText().endswith("line 2 tail")


# ---------------------------------------------------------------- bounded flushes


def test_a_long_backlog_goes_out_in_pieces_cut_after_newlines(qtbot) -> None:
    # A slow interval: only the catch-up pace can deliver ten pieces within the timeout.
    buffer = StreamBuffer(interval_ms=400, max_chars=100)
    got = collect(buffer)
    text = "".join(f"{i:04d}" + "x" * 25 + "\n" for i in range(34))  # 34 lines of 30
    buffer.append(text)
    qtbot.waitUntil(lambda: "".join(got) == text, timeout=1500)
    assert len(got) == 12  # 90 characters (three whole lines) a piece, then 30
    assert all(len(piece) <= 100 and piece.endswith("\n") for piece in got)
    assert not buffer.pending
    assert not buffer.timer_active


def test_a_backlog_without_newlines_is_cut_at_the_limit(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=10, max_chars=100)
    got = collect(buffer)
    buffer.append("a" * 150)
    buffer.append("b" * 100)
    qtbot.waitUntil(lambda: len("".join(got)) == 250, timeout=1000)
    assert got == ["a" * 100, "a" * 50 + "b" * 50, "b" * 50]


def test_drain_emits_a_short_tail_at_once_and_a_long_one_in_pieces(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=1000, max_chars=100)
    got = collect(buffer)
    buffer.append("short tail")
    buffer.drain()
    assert got == ["short tail"]
    assert not buffer.timer_active
    got.clear()
    buffer.append("z" * 250)
    assert buffer.pending_chars == 250
    buffer.drain()
    assert got == ["z" * 100]  # one piece now...
    assert buffer.pending_chars == 150
    qtbot.waitUntil(lambda: len(got) == 3, timeout=500)  # ...the rest well before the interval
    assert "".join(got) == "z" * 250


def test_flush_now_still_emits_everything_in_one_piece(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=10, max_chars=100)
    got = collect(buffer)
    buffer.append("q" * 250)
    buffer.flush_now()
    assert got == ["q" * 250]
    assert buffer.pending_chars == 0


def test_clear_stops_a_catch_up_under_way(qtbot) -> None:
    buffer = StreamBuffer(interval_ms=10, max_chars=100)
    got: list[str] = []

    def on_flushed(text: str) -> None:
        got.append(text)
        buffer.clear()  # as a pane starting a new run would

    buffer.flushed.connect(on_flushed)
    buffer.append("r" * 250)
    qtbot.waitUntil(lambda: bool(got), timeout=1000)
    qtbot.wait(50)
    assert got == ["r" * 100]
    assert not buffer.timer_active


def test_flush_soon_emits_in_the_next_free_slot_one_buffer_at_a_time(qtbot) -> None:
    buffers = [StreamBuffer(interval_ms=1000, max_chars=100) for _ in range(3)]
    got: list[tuple[int, str, float]] = []
    for i, buffer in enumerate(buffers):
        buffer.flushed.connect(lambda text, i=i: got.append((i, text, time.monotonic())))
        buffer.append(f"tail {i}")
    for buffer in buffers:
        buffer.flush_soon()
    assert got == []  # not in this event-loop turn...
    qtbot.waitUntil(lambda: len(got) == 3, timeout=500)  # ...but long before the interval
    assert sorted(text for _, text, _ in got) == ["tail 0", "tail 1", "tail 2"]
    times = [t for _, _, t in got]
    # Each in a slot of its own, not all three in one turn.
    assert all(b - a >= SLOT_MS / 1000 * 0.5 for a, b in itertools.pairwise(times))
