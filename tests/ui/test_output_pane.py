"""An output pane driven as the run controller and a user would drive it."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QGuiApplication, QPalette, QTextFormat
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from playground.core.document import Parameters, Target
from playground.core.events import Finished, Retrying, SchemaChecked, TextDelta, Usage
from playground.core.runner import Completed, Started, TargetResult
from playground.ui.highlight import LIVE_LINE_LIMIT
from playground.ui.panes import MINIMUM_WIDTH, OutputPane
from playground.ui.panes.parameter_editor import decode_stop, encode_stop, summarize
from playground.ui.stream_buffer import MAX_FLUSH_CHARS, StreamBuffer

LEFT = Qt.MouseButton.LeftButton

# Qt's offscreen platform cannot pass a shown window's size limits on and says so.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

TARGET = Target("openai", "gpt-4o-mini", Parameters(temperature=0.7, max_tokens=512))
ANSWER = [
    "Here is a function:\n",
    "```py",
    "thon\n",
    "def add(a, b):\n",
    "    return a + b  ",
    "# sum\n",
    "```\n",
    "It adds.",
]


def make_pane(qtbot, target: Target | None = TARGET) -> OutputPane:
    pane = OutputPane("1")
    qtbot.addWidget(pane)
    pane.set_providers(["openai", "anthropic"])
    pane.set_models("openai", ["gpt-4o-mini", "gpt-4o"])
    pane.set_models("anthropic", ["claude-3-5-haiku-latest"])
    if target is not None:
        pane.set_target(target)
    pane.resize(320, 600)
    pane.show()
    return pane


def child(pane: QWidget, cls: type, name: str):
    found = pane.findChild(cls, name)
    assert found is not None, name
    return found


def button(pane: QWidget, name: str) -> QToolButton:
    return child(pane, QToolButton, name)


def output_view(pane: QWidget) -> QPlainTextEdit:
    return child(pane, QPlainTextEdit, "paneOutput")


def result(**overrides: object) -> TargetResult:
    fields: dict[str, object] = {
        "target_id": "1",
        "target": TARGET,
        "status": "ok",
        "output": "".join(ANSWER),
        "finish_reason": "stop",
        "input_tokens": 12,
        "output_tokens": 80,
        "ttft_ms": 420.0,
        "total_ms": 2420.0,  # 80 tokens in 2.0 s after the first: 40 tok/s
        "cost": 0.0012,
    }
    fields.update(overrides)
    return TargetResult(**fields)  # type: ignore[arg-type]


def code_formats(pane: OutputPane, needle: str):
    """The highlighter's format ranges on the first output line containing ``needle``."""
    block = output_view(pane).document().begin()
    while block.isValid():
        if needle in block.text():
            return block.layout().formats()
        block = block.next()
    raise AssertionError(f"no line contains {needle!r}")


def coloured(ranges) -> bool:
    return any(r.format.hasProperty(QTextFormat.Property.ForegroundBrush) for r in ranges)


def active_timers(pane: QObject) -> list[QTimer]:
    return [t for t in pane.findChildren(QTimer) if t.isActive()]


# ---------------------------------------------------------------- a whole run


def test_a_realistic_run_shows_text_figures_schema_and_highlighting(qtbot) -> None:
    pane = make_pane(qtbot)
    run, stop = button(pane, "runButton"), button(pane, "stopButton")
    assert run.isEnabled()
    assert not stop.isEnabled()

    pane.begin_run()
    assert pane.is_running()
    assert not run.isEnabled()
    assert stop.isEnabled()
    assert pane.footer.spinner.is_spinning()

    pane.apply_update(Started())
    pane.apply_update(Retrying(attempt=2, wait_s=2.2, reason="rate limited (429)"))
    assert pane.status_text() == "retrying in 3 s (attempt 2)"
    qtbot.waitUntil(lambda: pane.status_text() == "retrying in 2 s (attempt 2)", timeout=2500)

    for piece in ANSWER[:4]:
        pane.apply_update(TextDelta(piece))
    assert "retrying" not in pane.status_text()  # text arrived: the countdown is gone
    assert "TTFT" in pane.figures_text()  # measured live from the first text
    qtbot.wait(300)
    for piece in ANSWER[4:]:
        pane.apply_update(TextDelta(piece))
    qtbot.waitUntil(lambda: "≈" in pane.figures_text() and "tok/s" in pane.figures_text())

    pane.apply_update(Usage(12, 80))
    pane.apply_update(Finished("stop"))
    pane.apply_update(SchemaChecked(valid=True))
    pane.apply_update(Completed(result()))

    text = "".join(ANSWER)
    assert pane.output_text() == text
    assert output_view(pane).toPlainText() == text
    figures = pane.figures_text()
    for expected in ("TTFT 420 ms", "40 tok/s", "12 in · 80 out", "$0.0012"):
        assert expected in figures, figures
    assert "≈" not in figures
    assert "cached" not in figures
    assert pane.status_text() == "Done."
    assert not pane.is_running()
    assert not pane.footer.spinner.is_spinning()
    assert active_timers(pane) == []  # idle panes run no timers at all
    assert run.isEnabled()
    assert not stop.isEnabled()
    schema = child(pane, QLabel, "schemaLabel")
    assert schema.isVisible()
    assert schema.text() == "✓ matches the JSON schema"
    assert pane.error_text() == ""

    # The fenced code is coloured; prose is not; "Plain text" turns colouring off and on.
    assert coloured(code_formats(pane, "def add"))
    assert not coloured(code_formats(pane, "It adds."))
    qtbot.mouseClick(button(pane, "plainTextButton"), LEFT)
    assert not coloured(code_formats(pane, "def add"))
    qtbot.mouseClick(button(pane, "plainTextButton"), LEFT)
    assert coloured(code_formats(pane, "def add"))


def test_cached_and_estimated_figures_are_marked(qtbot) -> None:
    pane = make_pane(qtbot)
    pane.begin_run()
    pane.apply_update(Started())
    pane.apply_update(TextDelta("hello"))
    pane.apply_update(SchemaChecked(valid=False, error="'name' is a required property"))
    pane.apply_update(
        Completed(result(output="hello", tokens_estimated=True, cached=True, cost=None))
    )
    figures = pane.figures_text()
    assert "≈12 in · ≈80 out" in figures
    assert "≈40 tok/s" in figures
    assert figures.endswith("cached")
    assert "$" not in figures  # unknown cost: nothing, not "$0"
    assert child(pane, QLabel, "schemaLabel").text() == "✗ 'name' is a required property"


def test_finish_reason_length_is_explained(qtbot) -> None:
    pane = make_pane(qtbot)
    pane.begin_run()
    pane.apply_update(Completed(result(finish_reason="length", retries=1)))
    assert pane.status_text() == "Cut off at the token limit. (1 retry)"


def test_a_burst_of_deltas_is_painted_in_few_flushes(qtbot) -> None:
    pane = make_pane(qtbot)
    buffer = pane.findChild(StreamBuffer, "paneStreamBuffer")
    assert buffer is not None
    flushes: list[str] = []
    buffer.flushed.connect(flushes.append)
    pane.begin_run()
    document_edits: list[int] = []
    output_view(pane).document().contentsChange.connect(
        lambda _pos, _removed, added: document_edits.append(added) if added else None
    )
    pieces = [f"tok{i} " + ("\n" if i % 40 == 39 else "") for i in range(500)]
    started = time.monotonic()
    for i, piece in enumerate(pieces):
        pane.apply_update(TextDelta(piece))
        if i % 10 == 9:  # let the event loop run now and then, as a network read would
            qtbot.wait(2)
    elapsed = time.monotonic() - started
    pane.apply_update(Completed(result(output="".join(pieces))))

    assert pane.output_text() == "".join(pieces)  # exact at once
    # The tail is painted in the pane's next flush slot: a few milliseconds later.
    qtbot.waitUntil(lambda: output_view(pane).toPlainText() == "".join(pieces), timeout=200)
    assert 1 <= len(flushes) <= elapsed / 0.030 + 2
    assert len(flushes) < 50  # far fewer than 500
    assert "".join(flushes) == "".join(pieces)
    assert len(document_edits) == len(flushes)  # one document edit per flush, no rewrites


def test_a_flood_of_text_is_painted_in_bounded_pieces_without_losing_any(qtbot) -> None:
    pane = make_pane(qtbot)
    view = output_view(pane)
    pane.begin_run()
    inserted: list[int] = []
    view.document().contentsChange.connect(
        lambda _pos, _removed, added: inserted.append(added) if added else None
    )
    lines = [f"line {i}: " + "words " * 12 + "\n" for i in range(400)]  # about 32 KB
    for line in lines:  # all at once, faster than any pane paints
        pane.apply_update(TextDelta(line))
    text = "".join(lines)
    pane.apply_update(Completed(result(output=text)))
    assert pane.status_text() == "Done."  # the run is over at once...
    assert view.toPlainText() != text  # ...and the text is not dumped in one freeze
    qtbot.waitUntil(lambda: view.toPlainText() == text, timeout=5000)
    assert len(inserted) > len(text) // MAX_FLUSH_CHARS
    assert max(inserted) <= MAX_FLUSH_CHARS
    assert pane.output_text() == text


def test_a_long_last_line_of_code_is_coloured_when_the_run_ends(qtbot) -> None:
    pane = make_pane(qtbot)
    pane.begin_run()
    long_line = "total = 1" + " + 1" * LIVE_LINE_LIMIT  # no newline: the answer ends here
    answer = "Code:\n```python\n" + long_line
    pane.apply_update(TextDelta(answer))
    qtbot.waitUntil(lambda: output_view(pane).toPlainText() == answer, timeout=2000)
    assert not coloured(code_formats(pane, "total = 1"))  # still arriving, as far as we know
    pane.apply_update(Completed(result(output=answer)))
    assert coloured(code_formats(pane, "total = 1"))


def test_an_error_is_shown_in_the_pane_and_the_partial_output_stays(qtbot) -> None:
    pane = make_pane(qtbot)
    pane.begin_run()
    pane.apply_update(Started())
    pane.apply_update(TextDelta("The answer is"))
    message = "OpenAI: the server closed the connection. Check your network and try again."
    pane.apply_update(
        Completed(result(status="error", output="The answer is", error=message, cost=None))
    )
    assert pane.error_text() == message
    box = child(pane, QFrame, "paneError")
    assert box.isVisible()
    text = child(pane, QLabel, "paneErrorText")
    assert text.wordWrap()
    assert text.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert not child(pane, QLabel, "paneErrorIcon").pixmap().isNull()
    assert pane.output_text() == "The answer is"
    qtbot.waitUntil(lambda: output_view(pane).toPlainText() == "The answer is", timeout=200)
    assert pane.status_text() == "Failed."
    assert button(pane, "runButton").isEnabled()

    # The error box takes its colours from the palette: a dark theme gets a dark box.
    light_sheet = box.styleSheet()
    pane.setPalette(dark_palette(pane.palette()))
    assert box.styleSheet() != light_sheet
    background = QColor(box.styleSheet().split("background:")[1].split(";")[0].strip())
    assert background.lightnessF() < 0.4

    pane.begin_run()  # a new run clears the old error
    assert pane.error_text() == ""
    assert not box.isVisible()


def dark_palette(base: QPalette) -> QPalette:
    dark = QPalette(base)
    for role, colour in (
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Window, "#252526"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
    ):
        dark.setColor(role, QColor(colour))
    return dark


def test_a_theme_change_recolours_the_code(qtbot) -> None:
    pane = make_pane(qtbot)
    pane.show_result(result())

    def keyword_colour() -> str:
        for r in code_formats(pane, "def add"):
            if r.start == 0:
                return r.format.foreground().color().name()
        raise AssertionError("'def' is not coloured")

    light = keyword_colour()
    pane.setPalette(dark_palette(pane.palette()))
    dark = keyword_colour()
    assert dark != light
    assert QColor(dark).lightnessF() > QColor(light).lightnessF()  # light ink on a dark page


def test_a_cancelled_run_says_stopped_quietly(qtbot) -> None:
    pane = make_pane(qtbot)
    stop_requests: list[bool] = []
    pane.stop_requested.connect(lambda: stop_requests.append(True))
    pane.begin_run()
    pane.apply_update(TextDelta("partial"))
    qtbot.mouseClick(button(pane, "stopButton"), LEFT)
    assert stop_requests == [True]
    assert not button(pane, "stopButton").isEnabled()  # no second click while stopping
    pane.apply_update(Completed(result(status="cancelled", output="partial", error="Stopped.")))
    assert pane.status_text() == "Stopped."
    assert pane.error_text() == ""
    assert pane.output_text() == "partial"
    assert not pane.footer.spinner.is_spinning()


def test_the_view_follows_new_text_only_while_scrolled_to_the_bottom(qtbot) -> None:
    pane = make_pane(qtbot)
    view = output_view(pane)
    bar = view.verticalScrollBar()
    pane.begin_run()

    def stream(first: int) -> None:
        for i in range(first, first + 100):
            pane.apply_update(TextDelta(f"line {i}\n"))
        qtbot.waitUntil(lambda: view.toPlainText() == pane.output_text(), timeout=2000)

    stream(0)
    assert bar.maximum() > 0
    assert bar.value() == bar.maximum()
    bar.setValue(0)  # the user scrolls up to read
    stream(100)
    assert bar.value() == 0
    bar.setValue(bar.maximum())  # and back down: following resumes
    stream(200)
    assert bar.value() == bar.maximum()


def test_started_without_begin_run_still_starts_a_clean_run(qtbot) -> None:
    pane = make_pane(qtbot)
    pane.show_result(result(output="old"))
    pane.apply_update(Started())
    assert pane.is_running()
    assert pane.output_text() == ""
    assert pane.footer.spinner.is_spinning()


# ---------------------------------------------------------------- target and parameters


@pytest.mark.parametrize(
    "parameters",
    [
        Parameters(),
        Parameters(temperature=0.0, seed=0),
        Parameters(
            temperature=0.1 + 0.2,  # 0.30000000000000004 must not become 0.3
            max_tokens=4096,
            top_p=1.0,
            stop=("a, b", "\n", "\\n", " "),
            seed=-7,
        ),
        Parameters(stop=("1", "2", "3", "4", "five,six")),  # more than the form's 4 boxes
    ],
)
def test_parameters_round_trip_through_the_widgets(qtbot, parameters: Parameters) -> None:
    pane = make_pane(qtbot, target=None)
    changes: list[bool] = []
    pane.target_changed.connect(lambda: changes.append(True))
    target = Target("anthropic", "claude-3-5-haiku-latest", parameters)
    pane.set_target(target)
    assert pane.target() == target
    assert changes == []  # set_target is not a user edit
    # What the boxes show reads back as the very same numbers.
    shown = {n: child(pane, QLineEdit, n).text() for n in ("temperatureEdit", "topPEdit")}
    assert (float(shown["temperatureEdit"]) if shown["temperatureEdit"] else None) == (
        parameters.temperature
    )
    assert (float(shown["topPEdit"]) if shown["topPEdit"] else None) == parameters.top_p


def test_typed_parameters_are_parsed_and_bad_ones_explained(qtbot) -> None:
    pane = make_pane(qtbot, target=Target("openai", "gpt-4o", Parameters()))
    changes: list[bool] = []
    pane.target_changed.connect(lambda: changes.append(True))
    toggle = button(pane, "parametersToggle")
    assert "default parameters" in toggle.toolTip()
    qtbot.mouseClick(toggle, LEFT)
    form = child(pane, QWidget, "parametersForm")
    assert form.isVisible()

    qtbot.keyClicks(child(pane, QLineEdit, "temperatureEdit"), "0")
    qtbot.keyClicks(child(pane, QLineEdit, "seedEdit"), "0")
    qtbot.keyClicks(child(pane, QLineEdit, "stopEdit1"), "END, done")
    qtbot.keyClicks(child(pane, QLineEdit, "stopEdit2"), "\\n\\n")
    target = pane.target()
    assert target is not None
    assert target.parameters == Parameters(temperature=0.0, seed=0, stop=("END, done", "\n\n"))
    assert changes

    temperature = child(pane, QLineEdit, "temperatureEdit")
    qtbot.keyClicks(temperature, "9")  # "09" is more than 2
    error = child(pane, QLabel, "parametersError")
    assert error.isVisible()
    assert "Temperature must be a number from 0 to 2." in error.text()
    assert pane.parameter_error()
    run = button(pane, "runButton")
    assert not run.isEnabled()
    assert "Temperature" in run.toolTip()
    target = pane.target()
    assert target is not None
    assert target.parameters.temperature == 0.0

    temperature.selectAll()
    qtbot.keyClicks(temperature, "abc")
    assert "Temperature" in error.text()
    max_tokens = child(pane, QLineEdit, "maxTokensEdit")
    qtbot.keyClicks(max_tokens, "1.5")
    assert "Max tokens must be a whole number" in error.text()

    temperature.selectAll()
    qtbot.keyClick(temperature, Qt.Key.Key_Delete)  # empty means "default" again
    max_tokens.selectAll()
    qtbot.keyClicks(max_tokens, "256")
    assert not error.isVisible()
    assert pane.parameter_error() == ""
    assert run.isEnabled()
    target = pane.target()
    assert target is not None
    assert target.parameters.temperature is None
    assert target.parameters.max_tokens == 256
    assert "max 256" in toggle.toolTip()
    assert "seed 0" in toggle.toolTip()

    # The line edit's own clear button empties a field back to "unset" too.
    seed = child(pane, QLineEdit, "seedEdit")
    clear = seed.findChild(QToolButton)
    assert clear is not None
    qtbot.mouseClick(clear, LEFT)
    target = pane.target()
    assert target is not None
    assert target.parameters.seed is None


def test_out_of_range_saved_values_are_kept_but_flagged(qtbot) -> None:
    pane = make_pane(qtbot, target=None)
    target = Target("openai", "gpt-4o", Parameters(temperature=3.5))
    pane.set_target(target)
    assert pane.target() == target  # nothing is silently changed
    assert "Temperature" in pane.parameter_error()
    assert not button(pane, "runButton").isEnabled()


@given(st.text())
def test_stop_sequence_escaping_round_trips_any_string(text: str) -> None:
    typed = encode_stop(text)
    assert "\n" not in typed
    assert "\t" not in typed
    assert "\r" not in typed
    assert decode_stop(typed) == text


def test_stop_sequence_decoding_keeps_unknown_backslashes() -> None:
    assert decode_stop(r"C:\dir\new") == "C:\\dir\new"
    assert decode_stop("ends with \\") == "ends with \\"
    assert decode_stop(r"a\\nb") == "a\\nb"


def test_summary_of_parameters() -> None:
    assert summarize(Parameters()) == "default parameters"
    assert summarize(Parameters(temperature=0.7, max_tokens=512, seed=42)) == (
        "temp 0.7 · max 512 · seed 42"
    )
    assert summarize(Parameters(temperature=0.0, top_p=0.9, stop=("x",), seed=0)) == (
        "temp 0 · top_p 0.9 · 1 stop · seed 0"
    )


def test_provider_and_model_choices(qtbot) -> None:
    pane = make_pane(qtbot)
    providers = child(pane, QComboBox, "providerCombo")
    models = child(pane, QComboBox, "modelCombo")
    assert not providers.isEditable()
    assert models.isEditable()
    picked: list[str] = []
    changes: list[bool] = []
    pane.provider_changed.connect(picked.append)
    pane.target_changed.connect(lambda: changes.append(True))

    providers.setCurrentIndex(providers.findText("anthropic"))
    assert picked == ["anthropic"]
    assert changes
    assert [models.itemText(i) for i in range(models.count())] == ["claude-3-5-haiku-latest"]

    models.setEditText("")
    assert pane.target() is None
    assert not button(pane, "runButton").isEnabled()
    line = models.lineEdit()
    assert line is not None
    qtbot.keyClicks(line, "claude-custom")
    target = pane.target()
    assert target is not None
    assert target.label == "anthropic:claude-custom"

    # A fresh model list keeps what the user typed; another provider's list waits.
    pane.set_models("anthropic", ["claude-a", "claude-b"])
    assert models.currentText() == "claude-custom"
    assert models.count() == 2
    pane.set_models("openai", ["gpt-5"])
    assert models.count() == 2

    # A new provider list keeps the current provider, even one no longer set up,
    # so a saved target is never rewritten behind the user's back.
    picked.clear()
    pane.set_providers(["local", "anthropic"])
    assert providers.currentText() == "anthropic"
    pane.set_providers(["local"])
    assert providers.currentText() == "anthropic"
    assert [providers.itemText(i) for i in range(providers.count())] == ["local", "anthropic"]
    assert "not set up" in str(providers.itemData(1, Qt.ItemDataRole.ToolTipRole))
    assert picked == []
    target = pane.target()
    assert target is not None
    assert target.label == "anthropic:claude-custom"


def test_a_pane_without_a_provider_takes_the_first_one(qtbot) -> None:
    pane = make_pane(qtbot, target=None)  # set_providers ran before any target
    assert child(pane, QComboBox, "providerCombo").currentText() == "openai"
    fresh = OutputPane("2")
    qtbot.addWidget(fresh)
    picked: list[str] = []
    fresh.provider_changed.connect(picked.append)
    fresh.set_models("local", ["llama3"])
    fresh.set_providers(["local", "openai"])
    assert picked == ["local"]
    models = child(fresh, QComboBox, "modelCombo")
    assert [models.itemText(i) for i in range(models.count())] == ["llama3"]
    assert fresh.target() is None  # no model chosen yet


def test_run_can_be_disabled_with_a_reason(qtbot) -> None:
    pane = make_pane(qtbot)
    run = button(pane, "runButton")
    pane.set_run_enabled(False, "The template has an error on line 3.")
    assert not run.isEnabled()
    assert "The template has an error on line 3." in run.toolTip()
    pane.set_run_enabled(True)
    assert run.isEnabled()


def test_buttons_and_menu_emit_their_signals(qtbot) -> None:
    pane = make_pane(qtbot)
    with qtbot.waitSignal(pane.run_requested, timeout=500):
        qtbot.mouseClick(button(pane, "runButton"), LEFT)
    pane.show_result(result(output="some output"))
    compare = child(pane, QAction, "compareAction")
    assert compare.isEnabled()
    with qtbot.waitSignal(pane.diff_requested, timeout=500):
        compare.trigger()
    with qtbot.waitSignal(pane.remove_requested, timeout=500):
        child(pane, QAction, "removePaneAction").trigger()
    menu = button(pane, "paneMenuButton").menu()
    assert menu is not None
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Copy output",
        "Compare with…",
        "Remove pane",
    ]


def test_copy_puts_the_output_on_the_clipboard(qtbot) -> None:
    pane = make_pane(qtbot)
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("something else")
    copy = button(pane, "copyButton")
    assert not copy.isEnabled()  # nothing to copy yet
    text = "".join(ANSWER) + "\n, with a comma and ünïcode 🙂"
    pane.begin_run()
    pane.apply_update(TextDelta(text))
    pane.apply_update(Completed(result(output=text)))
    qtbot.mouseClick(copy, LEFT)
    assert clipboard.text() == text
    clipboard.setText("")
    child(pane, QAction, "copyOutputAction").trigger()
    assert clipboard.text() == text


def test_empty_hint_is_shown_while_there_is_no_output(qtbot) -> None:
    pane = make_pane(qtbot)
    hint = "Add a key in Settings, or point a pane at a local server"
    pane.set_empty_hint(hint)
    assert output_view(pane).placeholderText() == hint
    assert pane.output_text() == ""


def test_the_pane_is_tidy_at_its_minimum_width(qtbot) -> None:
    pane = make_pane(qtbot)
    pane.set_models("openai", ["gpt-4o-mini-2024-07-18-with-a-very-long-model-name-indeed"])
    pane.set_target(Target("openai", "gpt-4o-mini-2024-07-18-with-a-very-long-model-name-indeed"))
    pane.show_result(result(error="x" * 300, status="error", cached=True))
    button(pane, "parametersToggle").click()  # the open form must fit too
    assert pane.minimumWidth() == MINIMUM_WIDTH
    layout = pane.layout()
    assert layout is not None
    assert layout.minimumSize().width() <= MINIMUM_WIDTH
    pane.resize(MINIMUM_WIDTH, 700)
    qtbot.wait(10)
    for widget in pane.findChildren(QWidget):
        if widget.isVisible() and widget.parentWidget() is pane:
            geometry = widget.geometry()
            assert geometry.left() >= 0, widget.objectName()
            assert geometry.right() < MINIMUM_WIDTH, widget.objectName()
