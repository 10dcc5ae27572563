"""The export dialog: every format, live options, warnings, copy, save, errors, no keys.

The dialog is driven through its widgets and its controller talks to a real
store and the real export registry, so the preview is compared with what
``export_document`` gives for the same options: whatever formats exist
when the tests run are the ones tested.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextCharFormat
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit

from playground import exchange
from playground.core.document import (
    Example,
    Message,
    PromptDocument,
    Target,
    Variable,
)
from playground.core.errors import PlaygroundError
from playground.export import native, registry
from playground.export.base import ExportOptions
from playground.keystore import KeyStore
from playground.store import Store
from playground.ui.controllers.export import ExportController, ExportSettings, file_filter
from playground.ui.dialogs.export_dialog import ExportDialog, PreviewHighlighter, lex_lines
from playground.ui.highlight import CodeBlockHighlighter
from playground.ui.main_window import MainWindow, Services

ROOT = Path(__file__).resolve().parents[2]

DOC = PromptDocument(
    "greeter",
    description="Says hello.",
    tags=("demo",),
    system="You are {{ tone }}.",
    messages=(Message("user", "Say hello to {{ name }}."),),
    examples=(Example("Say hello to Bo.", "Hello, Bo!"),),
    variables=(Variable("tone", "kind"), Variable("name", "Ada")),
    targets=(Target("openai", "gpt-4o-mini"), Target("anthropic", "claude-3-5-haiku-latest")),
)
VALUES = {"tone": "cheerful", "name": "Grace"}


def expected(store: Store, doc: PromptDocument, format_id: str, **fields: object):
    """What the registry exports with the options the dialog should have built."""
    options = exchange.export_options(store, **fields)
    return registry.export_document(doc, format_id, options)


@pytest.fixture
def saved(store: Store) -> int:
    """The prompt in the library with one saved version (an older text) and DOC as draft."""
    info = store.create_prompt(DOC.name, DOC)
    store.save_version(info.id, PromptDocument(DOC.name, system="The first text."), "first")
    return info.id


@pytest.fixture
def make_dialog(qtbot, store: Store, saved: int) -> Callable[..., ExportDialog]:
    def make(
        doc: PromptDocument = DOC, values: dict[str, str] | None = None, **kwargs: object
    ) -> ExportDialog:
        controller = ExportController(store, saved, doc, VALUES if values is None else values)
        dialog = ExportDialog(controller, **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def settle(qtbot, dialog: ExportDialog) -> None:
    """Wait for the debounced re-render to run."""
    qtbot.waitUntil(lambda: not dialog._timer.isActive(), timeout=2000)


# ---------------------------------------------------------------- formats


def test_the_dialog_lists_every_format_under_code_and_prompt_files(make_dialog) -> None:
    dialog = make_dialog()
    assert [fid for fid, _ in dialog.format_choices()] == list(registry.FORMAT_IDS)
    labels = dict(dialog.format_choices())
    assert labels["curl"] == registry.get_format("curl").label
    combo = dialog.format_combo
    headings = [
        combo.itemText(i)
        for i in range(combo.count())
        if not combo.itemData(i, Qt.ItemDataRole.UserRole)
    ]
    assert headings == ["Code", "Prompt files"]
    model = combo.model()
    for i in range(combo.count()):
        chosen = bool(combo.itemData(i, Qt.ItemDataRole.UserRole))
        assert bool(model.flags(model.index(i, 0)) & Qt.ItemFlag.ItemIsEnabled) == chosen


def test_it_opens_on_the_code_format_that_speaks_the_first_targets_protocol(
    make_dialog, store: Store
) -> None:
    assert make_dialog().format_id() == "python-openai"
    anthropic_first = PromptDocument("a", system="x", targets=(Target("anthropic", "claude"),))
    assert make_dialog(anthropic_first).format_id() == "python-anthropic"


@pytest.mark.parametrize("format_id", registry.FORMAT_IDS)
def test_each_format_shows_its_export_or_a_calm_message(
    qtbot, make_dialog, store: Store, format_id: str
) -> None:
    dialog = make_dialog()
    dialog.select_format(format_id)
    settle(qtbot, dialog)
    problem: Exception | None = None
    try:
        result = expected(store, DOC, format_id, values=VALUES)
    except Exception as exc:
        problem = exc
    if isinstance(problem, PlaygroundError):  # the format's own message, as it says it
        assert dialog.shown_text() == str(problem)
        assert not dialog.save_button.isEnabled()
        return
    if problem is not None:  # a format still being written: the dialog must stay calm
        assert "Traceback" not in dialog.shown_text()
        assert "not available" in dialog.shown_text() or "went wrong" in dialog.shown_text()
        assert not dialog.copy_button.isEnabled()
        assert not dialog.save_button.isEnabled()
        return
    assert dialog.shown_file() == result.main.name
    assert dialog.shown_text() == result.main.text
    assert [dialog.file_tabs.tabText(i) for i in range(dialog.file_tabs.count())] == [
        f.name for f in result.files
    ]
    assert dialog.warnings() == result.warnings
    assert dialog.copy_button.isEnabled()


def test_switching_format_changes_the_preview(qtbot, make_dialog, store: Store) -> None:
    dialog = make_dialog()
    dialog.select_format("json")
    settle(qtbot, dialog)
    assert dialog.shown_text() == expected(store, DOC, "json").main.text
    dialog.select_format("python-openai")
    settle(qtbot, dialog)
    code = expected(store, DOC, "python-openai", values=VALUES).main.text
    assert dialog.shown_text() == code
    assert "Grace" in code  # the editor's values, not the samples, are inlined


def test_the_target_picker_follows_the_format(qtbot, make_dialog, store: Store) -> None:
    dialog = make_dialog()
    labels = [dialog.target_combo.itemText(i) for i in range(dialog.target_combo.count())]
    assert labels == ["openai:gpt-4o-mini", "anthropic:claude-3-5-haiku-latest"]
    assert dialog.target_combo.isEnabled()
    dialog.target_combo.setCurrentIndex(1)
    dialog.select_format("python-anthropic")
    settle(qtbot, dialog)
    assert (
        dialog.shown_text()
        == expected(store, DOC, "python-anthropic", target=1, values=VALUES).main.text
    )
    dialog.select_format("json")  # a prompt file carries every target
    settle(qtbot, dialog)
    assert not dialog.target_combo.isEnabled()
    assert "every target" in dialog.target_note.text()
    assert not dialog.code_box.isVisibleTo(dialog)


def test_a_prompt_without_targets_has_no_target_to_pick(make_dialog) -> None:
    dialog = make_dialog(PromptDocument("bare", system="Hi."))
    assert not dialog.target_combo.isEnabled()
    assert "no targets" in dialog.target_note.text()


# ---------------------------------------------------------------- options


def test_each_code_option_re_renders_the_preview(qtbot, make_dialog, store: Store) -> None:
    dialog = make_dialog()
    dialog.select_format("python-openai")
    settle(qtbot, dialog)
    before = dialog.shown_text()
    steps: list[tuple[Callable[[], None], dict[str, object]]] = [
        (lambda: dialog.stream_check.setChecked(True), {"stream": True}),
        (lambda: dialog.variables_combo.setCurrentIndex(1), {"variables": "parameters"}),
        (lambda: dialog.examples_combo.setCurrentIndex(1), {"examples": "flattened"}),
    ]
    fields: dict[str, object] = {"values": VALUES}
    for change, field in steps:
        change()
        fields.update(field)
        settle(qtbot, dialog)
        shown = dialog.shown_text()
        assert shown == expected(store, DOC, "python-openai", **fields).main.text
        assert shown != before, f"{field} changed nothing"
        before = shown


def test_a_format_error_shows_in_the_preview_and_an_option_can_clear_it(
    qtbot, make_dialog, store: Store
) -> None:
    # A variable with no value cannot be inlined: the format says so.
    doc = PromptDocument(
        "v", messages=(Message("user", "Hi {{ who }}"),), variables=(Variable("who"),)
    )
    dialog = make_dialog(doc, values={})
    dialog.select_format("python-openai")
    settle(qtbot, dialog)
    with pytest.raises(PlaygroundError) as caught:
        expected(store, doc, "python-openai")
    assert dialog.shown_text() == str(caught.value)
    assert not dialog.copy_button.isEnabled()
    assert not dialog.warnings_label.isVisibleTo(dialog)
    dialog.variables_combo.setCurrentIndex(1)
    settle(qtbot, dialog)
    assert (
        dialog.shown_text()
        == expected(store, doc, "python-openai", variables="parameters").main.text
    )
    assert dialog.copy_button.isEnabled()


def test_native_json_can_include_the_version_history(
    qtbot, make_dialog, store: Store, saved: int
) -> None:
    dialog = make_dialog()
    dialog.select_format("json")
    settle(qtbot, dialog)
    assert dialog.history_check.isVisibleTo(dialog)
    assert "history" not in json.loads(dialog.shown_text())
    dialog.history_check.setChecked(True)
    settle(qtbot, dialog)
    history = exchange.history_entries(store, saved)
    assert dialog.shown_text() == expected(store, DOC, "json", history=history).main.text
    assert [e["message"] for e in json.loads(dialog.shown_text())["history"]] == ["first"]
    dialog.select_format("python-openai")
    assert not dialog.history_check.isVisibleTo(dialog)


def test_a_saved_version_can_be_exported_instead_of_the_draft(
    qtbot, make_dialog, store: Store
) -> None:
    dialog = make_dialog()
    dialog.select_format("json")
    sources = [dialog.source_combo.itemData(i) for i in range(dialog.source_combo.count())]
    assert sources == [None, 1]
    dialog.source_combo.setCurrentIndex(1)
    settle(qtbot, dialog)
    version = PromptDocument(DOC.name, system="The first text.")
    assert dialog.shown_text() == native.export(version, ExportOptions()).main.text
    # The version has no targets: there is none to pick.
    assert not dialog.target_combo.isEnabled()


# ---------------------------------------------------------------- warnings


def test_warnings_are_listed_and_a_lossless_export_says_nothing_is_lost(
    qtbot, make_dialog, store: Store
) -> None:
    dialog = make_dialog()
    dialog.select_format("json")
    settle(qtbot, dialog)
    assert dialog.warnings() == ()
    assert "Nothing is lost" in dialog.warnings_label.text()
    warned = []
    for format_id in registry.FORMAT_IDS:
        try:
            result = expected(store, DOC, format_id, values=VALUES)
        except Exception:
            continue
        if result.warnings:
            warned.append((format_id, result.warnings))
    assert warned, "some real format should warn about this two-target prompt"
    format_id, warnings = warned[0]
    dialog.select_format(format_id)
    settle(qtbot, dialog)
    assert dialog.warnings_label.isVisibleTo(dialog)
    assert "cannot carry" in dialog.warnings_title.text()
    for warning in warnings:
        assert warning in dialog.warnings_label.text()
    assert "Nothing is lost" not in dialog.warnings_label.text()


def test_a_bug_in_a_format_is_logged_and_shown_calmly(
    qtbot, make_dialog, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(doc: PromptDocument, options: ExportOptions) -> None:
        raise RuntimeError("boom in the exporter")

    monkeypatch.setattr(native, "export", broken)
    dialog = make_dialog()
    with caplog.at_level(logging.ERROR, logger="playground.ui"):
        dialog.select_format("json")
        settle(qtbot, dialog)
    assert "went wrong" in dialog.shown_text()
    assert "boom" not in dialog.shown_text()
    assert "Traceback" not in dialog.shown_text()
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)
    assert not dialog.save_button.isEnabled()


# ---------------------------------------------------------------- copy and save


def test_copy_puts_the_shown_file_on_the_clipboard(qtbot, make_dialog) -> None:
    dialog = make_dialog()
    dialog.select_format("json")
    QGuiApplication.clipboard().setText("something else")
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)  # before the re-render ran
    assert QGuiApplication.clipboard().text() == dialog.shown_text()
    assert json.loads(QGuiApplication.clipboard().text())["name"] == "greeter"
    assert "Copied greeter.json" in dialog.status_label.text()


def test_save_as_writes_the_files_and_says_so(qtbot, make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog()
    dialog.select_format("python-openai")
    settle(qtbot, dialog)
    out = tmp_path / "hello.py"
    with qtbot.waitSignal(dialog.saved) as signal:
        dialog._on_file_dialog_file_selected(str(out))
    assert out.read_text(encoding="utf-8") == dialog.shown_text()
    assert "hello.py" in signal.args[0]
    assert "hello.py" in dialog.status_label.text()
    assert not dialog.error_label.isVisibleTo(dialog)


def test_a_multi_file_export_shows_each_file_and_saves_them_all(
    qtbot, make_dialog, store: Store, tmp_path: Path
) -> None:
    try:
        result = expected(store, DOC, "promptfoo")
    except Exception as exc:
        pytest.skip(f"the promptfoo format is not ready yet ({type(exc).__name__})")
    assert len(result.files) > 1
    dialog = make_dialog()
    dialog.select_format("promptfoo")
    settle(qtbot, dialog)
    assert dialog.files_note.isVisibleTo(dialog)
    dialog.file_tabs.setCurrentIndex(1)
    assert dialog.shown_file() == result.files[1].name
    assert dialog.shown_text() == result.files[1].text
    assert dialog.save_to(tmp_path / result.main.name)
    for file in result.files:
        assert (tmp_path / file.name).read_text(encoding="utf-8") == file.text


def test_a_write_error_is_shown_and_the_dialog_stays_open(
    qtbot, make_dialog, tmp_path: Path
) -> None:
    dialog = make_dialog()
    dialog.select_format("json")
    target = tmp_path / "no-such-folder" / "greeter.json"
    assert not dialog.save_to(target)
    assert dialog.isVisible()
    assert dialog.error_label.isVisibleTo(dialog)
    assert "does not exist" in dialog.error_label.text()
    assert not target.parent.exists()
    # Fixing the path works without reopening anything.
    assert dialog.save_to(tmp_path / "greeter.json")
    assert not dialog.error_label.isVisibleTo(dialog)


def test_save_as_offers_the_main_files_name_and_kind(qtbot, make_dialog) -> None:
    from PySide6.QtWidgets import QFileDialog

    dialog = make_dialog()
    dialog.select_format("json")
    dialog.save_button.click()
    files = dialog.findChild(QFileDialog, "exportFileDialog")
    assert files is not None
    assert files.nameFilters() == ["JSON files (*.json)", "All files (*)"]
    assert files.defaultSuffix() == "json"
    assert files.selectedFiles()[0].endswith("greeter.json")
    files.reject()


def test_file_filters_come_from_the_file_name() -> None:
    assert file_filter("greeter.py") == "Python files (*.py);;All files (*)"
    assert file_filter("promptfooconfig.yaml") == "YAML files (*.yaml);;All files (*)"
    assert file_filter("greeter.sh") == "Shell scripts (*.sh);;All files (*)"
    assert file_filter("notes.xyz") == "XYZ files (*.xyz);;All files (*)"
    assert file_filter("Makefile") == "All files (*)"


# ---------------------------------------------------------------- keys


def test_no_stored_or_environment_key_reaches_any_preview(
    store: Store, saved: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = ("sk-stored-SECRET-0123456789", "sk-ant-stored-SECRET-987654", "sk-env-SECRET-42")
    keys = KeyStore()
    keys.set("openai", secrets[0])
    keys.set("anthropic", secrets[1])
    monkeypatch.setenv("OPENAI_API_KEY", secrets[2])
    assert keys.get(store.provider_config("openai")) == secrets[0]
    controller = ExportController(store, saved, DOC, VALUES)
    shown = 0
    for format_id in registry.FORMAT_IDS:
        for target in (0, 1):
            for stream in (False, True):
                for variables in ("inline", "parameters"):
                    preview = controller.preview(
                        ExportSettings(
                            format_id,
                            target=target,
                            variables=variables,
                            stream=stream,
                            history=True,
                        )
                    )
                    texts = [f.text for f in preview.files] + [preview.error, *preview.warnings]
                    shown += bool(preview.files)
                    for text in texts:
                        assert not any(s in text for s in secrets), (format_id, target)
    assert shown >= 16  # at least the JSON and Python exports were looked at


# ---------------------------------------------------------------- highlighting


def palette(base: str, text: str) -> QPalette:
    p = QPalette()
    p.setColor(QPalette.ColorRole.Base, QColor(base))
    p.setColor(QPalette.ColorRole.Text, QColor(text))
    return p


def colour_runs(edit: QPlainTextEdit, line: int) -> list[tuple[int, int, str]]:
    ranges = edit.document().findBlockByNumber(line).layout().formats()
    return [
        (r.start, r.length, QTextCharFormat(r.format).foreground().color().name())
        for r in ranges
        if r.format.hasProperty(QTextCharFormat.Property.ForegroundBrush)
    ]


def test_the_preview_is_highlighted_whole_in_the_themes_colours(qtbot) -> None:
    text = 'prompt = """first\nsecond line\n"""\nprint(prompt)\n'
    edits = {}
    for name, pal in (
        ("light", palette("#ffffff", "#000000")),
        ("dark", palette("#1e1f22", "#e3e5e8")),
    ):
        edit = QPlainTextEdit()
        qtbot.addWidget(edit)
        highlighter = PreviewHighlighter(edit.document(), pal)
        highlighter.set_source(text, "python")
        edit.setPlainText(text)
        edits[name] = edit
    light, dark = edits["light"], edits["dark"]
    # The middle of a triple-quoted string is coloured as a string: it was lexed whole.
    middle = colour_runs(light, 1)
    assert middle
    assert middle[0][:2] == (0, len("second line"))
    assert colour_runs(light, 0)[-1][2] == middle[0][2]
    assert colour_runs(light, 1) != colour_runs(dark, 1)
    assert colour_runs(light, 3), "print(prompt) is coloured"


def test_lexed_lines_cover_tokens_that_span_lines() -> None:
    runs = lex_lines('a = "x"\nb = """1\n2"""\n', "python")
    assert len(runs) == 4
    assert runs[2]
    assert runs[2][0][:2] == (0, 1)
    assert all(0 <= s < e for line in runs for s, e, _t in line)


def test_a_line_that_was_not_lexed_stays_plain(qtbot) -> None:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    highlighter = PreviewHighlighter(edit.document(), palette("#ffffff", "#000000"))
    highlighter.set_source('x = "a"\n', "python")
    edit.setPlainText('y = "b"\n')  # not the text that was lexed
    assert colour_runs(edit, 0) == []


def test_the_dialog_module_does_not_import_pygments_when_loaded() -> None:
    code = (
        "import sys; import playground.ui.dialogs.export_dialog; print('pygments' in sys.modules)"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# ---------------------------------------------------------------- from the main window


@pytest.fixture
def make_window(qtbot, store: Store, tmp_path: Path) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(Services(store, KeyStore(), settings))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.services.drafts.close()
        window.services.runs.close()


def test_ctrl_e_opens_the_dialog_for_the_prompt_being_edited(
    qtbot, make_window, store: Store, saved: int
) -> None:
    window = make_window()
    assert window.export_action.text() == "&Export…"
    window.activateWindow()  # a window shortcut needs the window active
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Export “greeter”"
    dialog.select_format("json")
    settle(qtbot, dialog)
    current = window.current_document()
    assert current.name == "greeter"
    assert dialog.shown_text() == native.export(current, ExportOptions()).main.text
    # A theme switch reaches the preview's colours, as it does the rest of the window.
    assert dialog.highlighter.style_name == CodeBlockHighlighter.LIGHT_STYLE
    window.setPalette(palette("#1e1f22", "#e3e5e8"))
    window.apply_palette()
    assert dialog.highlighter.style_name == CodeBlockHighlighter.DARK_STYLE
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(ExportDialog) is None)
