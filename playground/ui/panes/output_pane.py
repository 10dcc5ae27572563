"""One output pane: a target (provider, model, parameters) and the streaming answer it gets.

A pane is data-driven. It never starts a run: its buttons emit signals, and
whoever drives the run feeds it the runner's events through
:meth:`OutputPane.apply_update`, or a stored result through
:meth:`OutputPane.show_result`.

Streaming text is collected by a :class:`StreamBuffer` and painted at most
every ~33 ms, in pieces of bounded size; the code-block highlighter then
re-colours only the lines that changed. The pane keeps its own copy of the
text, so :meth:`output_text` is exact (and complete) even between two paints.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.document import Parameters, Target
from playground.core.events import Finished, Retrying, SchemaChecked, TextDelta, Usage
from playground.core.runner import Completed, Started, TargetResult
from playground.ui.highlight import CodeBlockHighlighter, warm_lexers_in_background
from playground.ui.icons import icon
from playground.ui.panes.footer import PaneFooter
from playground.ui.panes.parameter_editor import ParameterEditor
from playground.ui.panes.run_notes import RunNotes
from playground.ui.panes.target_picker import TargetPicker
from playground.ui.stream_buffer import StreamBuffer, append_plain_text

__all__ = ["MINIMUM_WIDTH", "OutputPane"]

log = logging.getLogger("playground.ui")

#: Narrow enough for eight panes side by side on a 2560 px screen.
MINIMUM_WIDTH = 260

# About four characters a token, as in playground.core.tokens: the live rate is a guide.
_CHARS_PER_TOKEN = 4
# A rate over a shorter stretch than this is mostly noise.
_MIN_RATE_WINDOW_S = 0.25
# The live rate is redrawn at most this often while streaming.
_RATE_EVERY_S = 0.5
# The code lexers are prepared on a worker thread this long after the first
# pane appears: after start-up has painted, before a first answer is likely.
_WARM_UP_DELAY_MS = 500

_FINISH_NOTES = {
    "length": "Cut off at the token limit.",
    "content_filter": "Stopped by the provider's content filter.",
    "tool_use": "The model asked to use a tool.",
}


def _tool_button(name: str, tip: str, text: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setText(text)  # shown if the icon is missing
    button.setAutoRaise(True)
    return button


class OutputPane(QFrame):
    """A target editor on top, the streamed answer in the middle, live figures below."""

    run_requested = Signal()
    stop_requested = Signal()
    remove_requested = Signal()
    provider_changed = Signal(str)
    target_changed = Signal()
    diff_requested = Signal()

    def __init__(self, pane_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pane_id = pane_id
        self.setObjectName(f"outputPane{pane_id}")
        self.setProperty("paneId", pane_id)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(MINIMUM_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self._running = False
        self._stopping = False
        self._run_allowed = True
        self._run_reason = ""
        self._parts: list[str] = []
        self._chars = 0
        self._started_at = time.monotonic()
        self._first_token_at: float | None = None
        self._rate_shown_at = 0.0

        self._build_header()
        self._build_output()
        self._notes = RunNotes()
        self.footer = PaneFooter()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(self._header_row)
        layout.addWidget(self._picker.model_combo)
        layout.addLayout(self._parameters_row)
        layout.addWidget(self._parameters)
        layout.addWidget(self._title)
        layout.addWidget(self._output, 1)
        layout.addWidget(self._notes)
        layout.addWidget(self.footer)

        self._buffer = StreamBuffer(parent=self)
        self._buffer.setObjectName("paneStreamBuffer")
        self._buffer.flushed.connect(self._on_buffer_flushed)

        self._set_icons()
        self._update_controls()
        QTimer.singleShot(_WARM_UP_DELAY_MS, warm_lexers_in_background)

    # ------------------------------------------------------------ building

    def _build_header(self) -> None:
        self._picker = TargetPicker(self)
        self._picker.provider_changed.connect(self._on_picker_provider_changed)
        self._picker.edited.connect(self._on_picker_edited)

        self._run_button = _tool_button("runButton", "Run this pane", "Run")
        self._run_button.clicked.connect(self._on_run_button_clicked)
        self._stop_button = _tool_button("stopButton", "Stop this pane", "Stop")
        self._stop_button.clicked.connect(self._on_stop_button_clicked)

        menu = QMenu(self)
        menu.setObjectName("paneMenu")
        self._copy_action = QAction("Copy output", menu)
        self._copy_action.setObjectName("copyOutputAction")
        self._copy_action.triggered.connect(self._on_copy_action_triggered)
        self._compare_action = QAction("Compare with…", menu)
        self._compare_action.setObjectName("compareAction")
        self._compare_action.triggered.connect(self._on_compare_action_triggered)
        self._remove_action = QAction("Remove pane", menu)
        self._remove_action.setObjectName("removePaneAction")
        self._remove_action.triggered.connect(self._on_remove_action_triggered)
        menu.addAction(self._copy_action)
        menu.addAction(self._compare_action)
        menu.addSeparator()
        menu.addAction(self._remove_action)
        self._menu_button = QToolButton()
        self._menu_button.setObjectName("paneMenuButton")
        self._menu_button.setText("⋯")
        self._menu_button.setToolTip("More: copy, compare, remove")
        self._menu_button.setAutoRaise(True)
        self._menu_button.setMenu(menu)
        self._menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")

        self._header_row = QHBoxLayout()
        self._header_row.setSpacing(2)
        self._header_row.addWidget(self._picker.provider_combo, 1)
        self._header_row.addWidget(self._run_button)
        self._header_row.addWidget(self._stop_button)
        self._header_row.addWidget(self._menu_button)

        self._parameters = ParameterEditor()
        self._parameters.edited.connect(self._on_parameters_edited)
        self._plain_button = _tool_button(
            "plainTextButton", "Plain text: turn code highlighting off", "Plain"
        )
        self._plain_button.setCheckable(True)
        self._plain_button.toggled.connect(self._on_plain_button_toggled)
        self._copy_button = _tool_button("copyButton", "Copy the output", "Copy")
        self._copy_button.clicked.connect(self._on_copy_button_clicked)
        self._parameters_row = QHBoxLayout()
        self._parameters_row.setSpacing(2)
        self._parameters_row.addWidget(self._parameters.toggle, 1)
        self._parameters_row.addWidget(self._plain_button)
        self._parameters_row.addWidget(self._copy_button)

    def _build_output(self) -> None:
        self._title = QLabel()
        self._title.setObjectName("paneTitle")
        self._title.setWordWrap(True)
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._title.hide()

        self._output = QPlainTextEdit()
        self._output.setObjectName("paneOutput")
        self._output.setReadOnly(True)
        self._output.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._output.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._output.setMinimumHeight(80)
        self._highlighter = CodeBlockHighlighter(self._output.document(), self._output.palette())

    def _icon(self, name: str, fallback: QStyle.StandardPixmap | None = None) -> QIcon:
        found = icon(name)
        if found.isNull() and fallback is not None:
            return self.style().standardIcon(fallback, None, self)
        return found

    def _set_icons(self) -> None:
        # Icons are drawn in the palette's colours: fetch them again after a theme change.
        self._run_button.setIcon(self._icon("run", QStyle.StandardPixmap.SP_MediaPlay))
        self._stop_button.setIcon(self._icon("stop", QStyle.StandardPixmap.SP_MediaStop))
        self._plain_button.setIcon(self._icon("plain"))
        self._copy_button.setIcon(self._icon("copy"))
        self._copy_action.setIcon(self._icon("copy"))
        self._compare_action.setIcon(self._icon("diff"))
        self._remove_action.setIcon(self._icon("remove"))

    # ------------------------------------------------------------ target

    @property
    def pane_id(self) -> str:
        return self._pane_id

    def set_providers(self, names: list[str]) -> None:
        """Offer ``names``, keeping the current provider even if it is not among them.

        A provider no longer offered stays selected (marked "not set up"), so
        a saved target is never changed behind the user's back. A pane with no
        provider yet takes the first, and ``provider_changed`` is emitted so the
        owner can send its models.
        """
        self._picker.set_providers(names)
        self._update_controls()

    def set_models(self, provider: str, models: list[str]) -> None:
        """Remember ``provider``'s models; show them now if it is the current provider.

        The model text is kept as it is, typed or picked.
        """
        self._picker.set_models(provider, models)

    def set_target(self, target: Target) -> None:
        """Show ``target`` in the widgets; emits nothing.

        A provider not in the list is added (marked "not set up"), so any saved
        target round-trips. The model list shown is the one last given to
        ``set_models`` for that provider.
        """
        self._picker.set_choice(target.provider, target.model)
        self._parameters.set_parameters(target.parameters)
        self._update_controls()

    def target(self) -> Target | None:
        """The target the widgets describe, or None without a provider and a model."""
        provider, model = self._picker.provider(), self._picker.model()
        if not provider or not model:
            return None
        return Target(provider=provider, model=model, parameters=self.parameters())

    def parameters(self) -> Parameters:
        """The parameters entered (an invalid field keeps its last valid value)."""
        return self._parameters.parameters()

    def parameter_error(self) -> str:
        """What is wrong with the entered parameters; "" when they are all usable."""
        return self._parameters.error()

    # ------------------------------------------------------------ run state

    def set_run_enabled(self, enabled: bool, reason: str = "") -> None:
        """Allow or forbid Run (say, while the template has errors); ``reason`` is the tooltip."""
        self._run_allowed = enabled
        self._run_reason = reason
        self._update_controls()

    def is_running(self) -> bool:
        return self._running

    def begin_run(self) -> None:
        """Clear the last answer and show that a run is under way."""
        warm_lexers_in_background()  # at once, if a run comes before the delayed start
        self._buffer.clear()
        self._parts = []
        self._chars = 0
        self._output.clear()
        self._highlighter.set_streaming(True)
        self._title.hide()
        self._notes.clear()
        self.footer.reset()
        self.footer.spinner.start()
        self.footer.set_note("Starting…")
        self._running = True
        self._stopping = False
        self._started_at = time.monotonic()
        self._first_token_at = None
        self._rate_shown_at = 0.0
        self._update_controls()

    def apply_update(self, event: object) -> None:
        """Take one event of this pane's run, as the runner yields it."""
        if isinstance(event, TextDelta):
            self._take_text(event.text)
        elif isinstance(event, Usage):
            self.footer.set_tokens(
                event.input_tokens, event.output_tokens, estimated=event.estimated
            )
        elif isinstance(event, Retrying):
            self.footer.start_retry(event.attempt, event.wait_s, event.reason)
        elif isinstance(event, SchemaChecked):
            self._notes.show_schema(event.valid, event.error)
        elif isinstance(event, Finished):
            pass  # the reason arrives again in the result, where it is shown
        elif isinstance(event, Started):
            if not self._running:
                self.begin_run()
            self._started_at = time.monotonic()
            self.footer.set_note("Waiting for the first token…")
        elif isinstance(event, Completed):
            if event.result.output != self.output_text():
                self._replace_output(event.result.output)
            else:
                # The tail is painted in this pane's next turn (a long backlog in
                # pieces), so panes finishing together do not all paint at once.
                self._buffer.flush_soon()
            self._finish(event.result)
        else:
            log.warning("pane %s ignored an unknown event %r", self._pane_id, type(event))

    def show_result(self, result: TargetResult, *, title: str = "") -> None:
        """Show a finished (perhaps old) run: its output, figures and any error at once."""
        self._buffer.clear()
        self._notes.clear()
        self.footer.reset()
        self._replace_output(result.output)
        self._title.setText(title)
        self._title.setVisible(bool(title))
        self._finish(result)

    def output_text(self) -> str:
        """All the output so far, including text not yet painted."""
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def error_text(self) -> str:
        """The error shown in the pane; "" when there is none."""
        return self._notes.error_text()

    def status_text(self) -> str:
        """The footer's status line, e.g. "Stopped." or "retrying in 3 s (attempt 2)"."""
        return self.footer.status_text()

    def figures_text(self) -> str:
        """The footer's figures, e.g. "TTFT 420 ms · 38 tok/s · 12 in · 80 out · $0.0012"."""
        return self.footer.figures_text()

    def set_empty_hint(self, text: str) -> None:
        self._output.setPlaceholderText(text)

    def shutdown(self) -> None:
        """Stop every timer and drop pending text (before the pane is deleted)."""
        self._buffer.clear()
        self.footer.reset()
        self._running = False

    # ------------------------------------------------------------ streaming

    def _take_text(self, text: str) -> None:
        if not text:
            return
        if self._first_token_at is None:
            self._first_token_at = time.monotonic()
            self.footer.set_ttft((self._first_token_at - self._started_at) * 1000)
            self.footer.clear_retry()
            self.footer.set_note("Streaming…")
        self._parts.append(text)
        self._chars += len(text)
        self._buffer.append(text)

    def _on_buffer_flushed(self, text: str) -> None:
        append_plain_text(self._output, text)
        if not self._running and not self._buffer.pending:
            self._highlighter.set_streaming(False)  # the last line is complete now
        if self._running and self._first_token_at is not None:
            now = time.monotonic()
            elapsed = now - self._first_token_at
            # Re-wrapping the figures line costs a layout pass: a few times a second is plenty.
            if elapsed >= _MIN_RATE_WINDOW_S and now - self._rate_shown_at >= _RATE_EVERY_S:
                self._rate_shown_at = now
                tokens = max(1, round(self._chars / _CHARS_PER_TOKEN))
                self.footer.set_rate(tokens / elapsed, estimated=True)
        self._update_actions()

    def _replace_output(self, text: str) -> None:
        self._buffer.clear()
        self._parts = [text] if text else []
        self._chars = len(text)
        self._highlighter.set_streaming(False)
        self._output.setPlainText(text)

    def _finish(self, result: TargetResult) -> None:
        self._running = False
        self._stopping = False
        if not self._buffer.pending:
            self._highlighter.set_streaming(False)
        footer = self.footer
        footer.spinner.stop()
        footer.clear_retry()
        footer.set_ttft(result.ttft_ms)
        footer.set_rate(result.tokens_per_s, estimated=result.tokens_estimated)
        footer.set_tokens(
            result.input_tokens, result.output_tokens, estimated=result.tokens_estimated
        )
        footer.set_cost(result.cost)
        footer.set_cached(result.cached)
        if result.schema_valid is not None:
            self._notes.show_schema(result.schema_valid, result.schema_error)
        if result.status == "error":
            self._notes.show_error(result.error or "The run failed.")
            footer.set_note("Failed.")
        elif result.status == "cancelled":
            footer.set_note("Stopped.")
        else:
            note = _FINISH_NOTES.get(result.finish_reason or "", "Done.")
            if result.retries:
                note += f" ({result.retries} {'retry' if result.retries == 1 else 'retries'})"
            footer.set_note(note)
        self._update_controls()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # Children may not have taken the new palette yet; the pane has.
            self._highlighter.set_palette(self.palette())
            self._set_icons()

    # ------------------------------------------------------------ controls

    def _update_controls(self) -> None:
        reason = ""
        if self._running:
            reason = "Running…"
        elif not self._run_allowed:
            reason = self._run_reason or "Running is not possible right now."
        elif self.target() is None:
            reason = "Pick a provider and a model first."
        elif self._parameters.error():
            reason = self._parameters.error()
        self._run_button.setEnabled(not reason)
        self._run_button.setToolTip(
            "Run this pane" if not reason else f"Run this pane — not now: {reason}"
        )
        self._stop_button.setEnabled(self._running and not self._stopping)
        self._update_actions()

    def _update_actions(self) -> None:
        has_output = bool(self._parts)
        self._copy_action.setEnabled(has_output)
        self._copy_button.setEnabled(has_output)
        self._compare_action.setEnabled(has_output and not self._running)

    def _copy_output(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.output_text())

    # ------------------------------------------------------------ slots

    def _on_picker_provider_changed(self, provider: str) -> None:
        self.provider_changed.emit(provider)

    def _on_picker_edited(self) -> None:
        self._update_controls()
        self.target_changed.emit()

    def _on_parameters_edited(self) -> None:
        self._update_controls()
        self.target_changed.emit()

    def _on_run_button_clicked(self) -> None:
        self.run_requested.emit()

    def _on_stop_button_clicked(self) -> None:
        self._stopping = True
        self.footer.set_note("Stopping…")
        self._update_controls()
        self.stop_requested.emit()

    def _on_plain_button_toggled(self, checked: bool) -> None:
        self._highlighter.set_enabled(not checked)
        self._plain_button.setToolTip(
            "Highlight code blocks again" if checked else "Plain text: turn code highlighting off"
        )

    def _on_copy_button_clicked(self) -> None:
        self._copy_output()

    def _on_copy_action_triggered(self) -> None:
        self._copy_output()

    def _on_compare_action_triggered(self) -> None:
        self.diff_requested.emit()

    def _on_remove_action_triggered(self) -> None:
        self.remove_requested.emit()
