"""A pane's footer: a spinner, a status word and the run's figures.

Figures are shown as one word-wrapped line (``TTFT 420 ms · 38 tok/s ·
120 in · 450 out · $0.0012 · cached``). Inside a figure the spaces are
non-breaking, so a narrow pane wraps between figures, never inside one.
Counts the server did not send (we estimated them) are marked with ``≈``.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

__all__ = [
    "PaneFooter",
    "Spinner",
    "format_cost",
    "format_duration",
    "format_rate",
    "format_tokens",
]

NBSP = "\u00a0"
SEPARATOR = " · "
ESTIMATED = "≈"


def format_duration(ms: float) -> str:
    """``420 ms`` under a second, else ``1.23 s`` (``12.3 s`` past ten seconds)."""
    if ms < 1000:
        return f"{max(ms, 0):.0f}{NBSP}ms"
    seconds = ms / 1000
    return f"{seconds:.2f}{NBSP}s" if seconds < 10 else f"{seconds:.1f}{NBSP}s"


def format_rate(per_s: float, *, estimated: bool = False) -> str:
    """``38 tok/s``; one decimal under ten."""
    number = f"{per_s:.1f}" if per_s < 10 else f"{per_s:.0f}"
    return f"{ESTIMATED if estimated else ''}{number}{NBSP}tok/s"


def format_tokens(
    input_tokens: int | None, output_tokens: int | None, *, estimated: bool = False
) -> str:
    """``120 in · 450 out``; unknown counts are left out, estimated ones get ``≈``."""
    mark = ESTIMATED if estimated else ""
    parts = []
    if input_tokens is not None:
        parts.append(f"{mark}{input_tokens:,}{NBSP}in")
    if output_tokens is not None:
        parts.append(f"{mark}{output_tokens:,}{NBSP}out")
    return SEPARATOR.join(parts)


def format_cost(cost: float) -> str:
    """``$0.0012``: four decimals under a dollar, two above; ``<$0.0001`` for crumbs."""
    if cost <= 0:
        return "$0.00"
    if cost < 0.0001:
        return "<$0.0001"
    return f"${cost:.4f}" if cost < 1 else f"${cost:,.2f}"


class Spinner(QLabel):
    """A small text spinner; its timer runs only while it spins."""

    FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
    INTERVAL_MS = 80

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame = 0
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A fixed size: the status text does not jump when the spinner stops, and a
        # new frame repaints the spinner alone (a label that can change size asks
        # its whole pane row to lay itself out again, twelve times a second).
        metrics = QFontMetrics(self.font())
        self.setFixedSize(metrics.horizontalAdvance("⠿") + 6, metrics.height())

    def is_spinning(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if not self._timer.isActive():
            self._frame = 0
            self.setText(self.FRAMES[0])
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.setText("")

    def _on_timer_timeout(self) -> None:
        self._frame = (self._frame + 1) % len(self.FRAMES)
        self.setText(self.FRAMES[self._frame])


class PaneFooter(QWidget):
    """Spinner and status on one line, figures below; a retry countdown in the status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneFooter")
        self.spinner = Spinner()
        self.spinner.setObjectName("paneSpinner")
        self.status = QLabel()
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.figures = QLabel()
        self.figures.setObjectName("figuresLabel")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.figures.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.figures.setToolTip(
            "TTFT: time to the first token · output speed · tokens in and out · cost\n"
            "≈ marks figures estimated here because the server sent no counts."
        )
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        for label in (self.status, self.figures):
            label.setFont(font)

        self._ttft = ""
        self._rate = ""
        self._tokens = ""
        self._cost = ""
        self._cached = False
        self._note = ""
        self._retry_left = 0
        self._retry_attempt = 0
        self._retry_timer = QTimer(self)
        self._retry_timer.setInterval(1000)
        self._retry_timer.timeout.connect(self._on_retry_timer_timeout)

        layout = QGridLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setHorizontalSpacing(4)
        layout.setVerticalSpacing(0)
        layout.addWidget(self.spinner, 0, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.status, 0, 1)
        layout.addWidget(self.figures, 1, 0, 1, 2)
        layout.setColumnStretch(1, 1)
        self._render()

    # ------------------------------------------------------------ figures

    def reset(self) -> None:
        """Back to a blank footer: no figures, no status, no countdown, spinner stopped."""
        self.spinner.stop()
        self._retry_timer.stop()
        self._ttft = self._rate = self._tokens = self._cost = self._note = ""
        self._cached = False
        self._render()

    def set_ttft(self, ms: float | None) -> None:
        self._ttft = "" if ms is None else f"TTFT{NBSP}{format_duration(ms)}"
        self._render()

    def set_rate(self, per_s: float | None, *, estimated: bool = False) -> None:
        self._rate = "" if per_s is None else format_rate(per_s, estimated=estimated)
        self._render()

    def set_tokens(
        self, input_tokens: int | None, output_tokens: int | None, *, estimated: bool = False
    ) -> None:
        self._tokens = format_tokens(input_tokens, output_tokens, estimated=estimated)
        self._render()

    def set_cost(self, cost: float | None) -> None:
        self._cost = "" if cost is None else format_cost(cost)
        self._render()

    def set_cached(self, cached: bool) -> None:
        self._cached = cached
        self._render()

    def set_note(self, text: str) -> None:
        """The status line when no countdown is running ("Streaming…", "Stopped.")."""
        self._note = text
        self._render()

    # ------------------------------------------------------------ retry countdown

    def start_retry(self, attempt: int, wait_s: float, reason: str = "") -> None:
        """Show "retrying in N s (attempt k)" and count it down once a second."""
        self._retry_attempt = attempt
        self._retry_left = max(math.ceil(wait_s), 0)
        self.status.setToolTip(reason)
        if self._retry_left > 0:
            self._retry_timer.start()
        else:
            self._retry_timer.stop()
        self._render()

    def clear_retry(self) -> None:
        if self._retry_attempt:
            self._retry_attempt = 0
            self._retry_timer.stop()
            self.status.setToolTip("")
            self._render()

    def retry_active(self) -> bool:
        return bool(self._retry_attempt)

    def _on_retry_timer_timeout(self) -> None:
        self._retry_left = max(self._retry_left - 1, 0)
        if self._retry_left == 0:
            self._retry_timer.stop()
        self._render()

    # ------------------------------------------------------------ text

    def status_text(self) -> str:
        return self.status.text()

    def figures_text(self) -> str:
        """The figures with ordinary spaces, as a test or a copy would want them."""
        return self.figures.text().replace(NBSP, " ")

    def _render(self) -> None:
        if self._retry_attempt:
            when = f"in {self._retry_left} s" if self._retry_left else "now"
            self.status.setText(f"retrying {when} (attempt {self._retry_attempt})")
        else:
            self.status.setText(self._note)
        parts = [self._ttft, self._rate, self._tokens, self._cost, "cached" if self._cached else ""]
        self.figures.setText(SEPARATOR.join(p for p in parts if p))
        self.figures.setVisible(bool(self.figures.text()))
