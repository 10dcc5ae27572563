"""The Keys & providers dialog, driven with clicks and typing as a user would."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QWidget

from playground.keystore import SERVICE, KeyStore
from playground.store import Store
from playground.ui.controllers.providers import ProvidersController
from playground.ui.dialogs import AddServerDialog, SettingsDialog
from playground.ui.dialogs.settings import ErrorLabel
from tests.fakes.llm_server import FakeLLMServer, unused_port
from tests.fakes.memory_keyring import MemoryKeyring, installed
from tests.ui.conftest import wait_until

KEY = "sk-proj-DialogKeyThatMustNotLeak12345678"
WRONG = "sk-proj-WrongDialogKeyMustNotLeak0000000"
LEFT = Qt.MouseButton.LeftButton

# Qt's offscreen platform cannot pass a shown dialog's size limits on and says so.
pytestmark = pytest.mark.usefixtures("no_key_variables")


@pytest.fixture
def controller(store: Store) -> ProvidersController:
    return ProvidersController(store, KeyStore())


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(require_key=KEY) as server:
        server.script("model-a", text="A")
        server.script("model-b", text="B")
        yield server


def open_dialog(
    qtbot: Any, controller: ProvidersController, select: str, parent: QWidget | None = None
) -> SettingsDialog:
    dialog = SettingsDialog(controller, parent)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select(select)
    assert dialog.current_name() == select
    return dialog


def list_texts(dialog: SettingsDialog) -> dict[str, str]:
    items = (dialog.provider_list.item(i) for i in range(dialog.provider_list.count()))
    return {item.data(Qt.ItemDataRole.UserRole): item.text() for item in items}


def shown_texts(widget: QWidget) -> str:
    labels = [w.text() for w in widget.findChildren(QLabel)]
    edits = [w.text() for w in widget.findChildren(QLineEdit)]
    return "\n".join(labels + edits)


# ---------------------------------------------------------------- keys


def test_save_and_remove_a_key(
    qtbot: Any, controller: ProvidersController, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, controller, "openai")
    assert dialog.keyring_banner.isHidden()
    assert dialog.key_source_label.text().startswith("No key")
    assert list_texts(dialog)["openai"] == "OpenAI\nNo key"
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.save_key_button.isEnabled()
    assert not dialog.remove_key_button.isEnabled()

    qtbot.keyClicks(dialog.key_edit, KEY)
    assert dialog.save_key_button.isEnabled()
    with qtbot.waitSignal(dialog.providers_changed, timeout=1000):
        qtbot.mouseClick(dialog.save_key_button, LEFT)

    assert memory_keyring.passwords == {(SERVICE, "openai"): KEY}
    assert dialog.key_edit.text() == ""
    assert dialog.key_source_label.text() == "Stored in the keyring"
    assert dialog.key_message.text() == "Saved in the system keyring."
    assert list_texts(dialog)["openai"] == "OpenAI\nKey in keyring"
    assert dialog.current_name() == "openai"
    assert dialog.remove_key_button.isEnabled()
    assert KEY not in shown_texts(dialog)

    # A new dialog shows where the key is, never the key.
    again = open_dialog(qtbot, controller, "openai")
    assert again.key_edit.text() == ""
    assert again.key_source_label.text() == "Stored in the keyring"
    assert KEY not in shown_texts(again)

    with qtbot.waitSignal(dialog.providers_changed, timeout=1000):
        qtbot.mouseClick(dialog.remove_key_button, LEFT)
    assert memory_keyring.passwords == {}
    assert dialog.key_source_label.text().startswith("No key")
    assert dialog.key_message.text() == "Removed from the keyring."
    assert not dialog.remove_key_button.isEnabled()


def test_removing_the_stored_key_falls_back_to_the_variable(
    qtbot: Any,
    controller: ProvidersController,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-FromTheEnvironment00000")
    memory_keyring.set_password(SERVICE, "anthropic", KEY)
    dialog = open_dialog(qtbot, controller, "anthropic")
    assert dialog.key_source_label.text() == "Stored in the keyring"
    qtbot.mouseClick(dialog.remove_key_button, LEFT)
    assert dialog.key_source_label.text() == "From $ANTHROPIC_API_KEY"
    assert list_texts(dialog)["anthropic"] == "Anthropic\nKey from $ANTHROPIC_API_KEY"
    assert "From $ANTHROPIC_API_KEY now" in dialog.key_message.text()


def test_show_and_hide_the_typed_key(qtbot: Any, controller: ProvidersController) -> None:
    dialog = open_dialog(qtbot, controller, "openai")
    qtbot.keyClicks(dialog.key_edit, KEY)
    qtbot.mouseClick(dialog.show_key_button, LEFT)
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.show_key_action.text() == "Hide"
    qtbot.mouseClick(dialog.show_key_button, LEFT)
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    # Moving to another provider forgets what was typed and hides again.
    qtbot.mouseClick(dialog.show_key_button, LEFT)
    dialog.select("anthropic")
    assert dialog.key_edit.text() == ""
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password


def test_a_key_with_spaces_shows_an_error_and_is_kept_out(
    qtbot: Any, controller: ProvidersController, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, controller, "openai")
    qtbot.keyClicks(dialog.key_edit, "sk-one half")
    qtbot.mouseClick(dialog.save_key_button, LEFT)
    assert memory_keyring.passwords == {}
    assert dialog.key_error.isVisible()
    assert "spaces or line breaks" in dialog.key_error.text()
    assert dialog.key_edit.text() == "sk-one half"  # kept, to fix and try again


def test_without_a_keyring_the_banner_explains_the_variables(qtbot: Any, store: Store) -> None:
    with installed(keyring.backends.fail.Keyring()):
        controller = ProvidersController(store, KeyStore())
        dialog = open_dialog(qtbot, controller, "openai")
        assert dialog.keyring_banner.isVisible()
        banner = dialog.keyring_banner_text.text()
        assert "No system keyring" in banner
        assert "OpenAI reads $OPENAI_API_KEY" in banner
        assert "Anthropic reads $ANTHROPIC_API_KEY" in banner
        assert not dialog.key_edit.isEnabled()
        assert not dialog.save_key_button.isEnabled()
        assert "$OPENAI_API_KEY" in dialog.key_edit.placeholderText()
        assert "$OPENAI_API_KEY" in dialog.save_key_button.toolTip()
        dialog.select("anthropic")
        assert "$ANTHROPIC_API_KEY" in dialog.key_edit.placeholderText()
        assert not dialog.save_key_button.isEnabled()


# ---------------------------------------------------------------- connection test


def test_connection_lists_the_models(
    qtbot: Any,
    controller: ProvidersController,
    fake: FakeLLMServer,
    memory_keyring: MemoryKeyring,
    aio: Callable[..., Any],
) -> None:
    controller.save_server("gpu-box", preset=None, base_url=fake.openai_base_url, key_required=True)
    dialog = open_dialog(qtbot, controller, "gpu-box")

    async def scenario() -> None:
        qtbot.keyClicks(dialog.key_edit, KEY)
        qtbot.mouseClick(dialog.test_button, LEFT)
        assert dialog.test_button.text() == "Testing…"
        assert not dialog.test_button.isEnabled()
        await wait_until(lambda: dialog.test_button.isEnabled(), what="the test to finish")

    aio(scenario())
    assert dialog.test_status.text() == "Connected: 2 models"
    models = [dialog.model_list.item(i).text() for i in range(dialog.model_list.count())]
    assert models == ["model-a", "model-b"]
    assert dialog.model_list.isVisible()
    assert dialog.test_error.isHidden()
    assert dialog.test_button.text() == "Test connection"
    assert fake.requests[-1].api_key == KEY
    assert memory_keyring.passwords == {}  # testing a typed key does not save it


def test_connection_to_anthropic_with_the_saved_key(
    qtbot: Any,
    controller: ProvidersController,
    fake: FakeLLMServer,
    aio: Callable[..., Any],
) -> None:
    controller.save_server(
        "anthropic", preset=None, base_url=fake.anthropic_base_url, key_required=True
    )
    controller.save_key("anthropic", KEY)
    dialog = open_dialog(qtbot, controller, "anthropic")
    assert dialog.url_edit.isReadOnly()
    assert dialog.save_url_button.isHidden()

    async def scenario() -> None:
        qtbot.mouseClick(dialog.test_button, LEFT)
        await wait_until(lambda: dialog.test_status.text(), what="a result")

    aio(scenario())
    assert dialog.test_status.text() == "Connected: 2 models"
    assert dialog.model_list.count() == 2


def test_connection_with_a_wrong_key_shows_the_error(
    qtbot: Any,
    controller: ProvidersController,
    fake: FakeLLMServer,
    aio: Callable[..., Any],
) -> None:
    controller.save_server("gpu-box", preset=None, base_url=fake.openai_base_url, key_required=True)
    dialog = open_dialog(qtbot, controller, "gpu-box")

    async def scenario() -> None:
        qtbot.keyClicks(dialog.key_edit, WRONG)
        qtbot.mouseClick(dialog.test_button, LEFT)
        await wait_until(lambda: dialog.test_error.isVisible(), what="the error")

    aio(scenario())
    assert dialog.test_error.text() == (
        "gpu-box rejected the key — set it in Settings → Keys or in GPU_BOX_API_KEY."
    )
    assert dialog.test_status.text() == ""
    assert dialog.model_list.isHidden()
    assert dialog.test_button.isEnabled()
    assert WRONG not in shown_texts(dialog).replace(dialog.key_edit.text(), "")


def test_connection_to_a_dead_server(
    qtbot: Any, controller: ProvidersController, aio: Callable[..., Any]
) -> None:
    port = unused_port()
    dialog = open_dialog(qtbot, controller, "ollama")
    # An edited but unsaved address is what gets tested.
    dialog.url_edit.setText(f"http://127.0.0.1:{port}/v1")

    async def scenario() -> None:
        qtbot.mouseClick(dialog.test_button, LEFT)
        await wait_until(lambda: dialog.test_error.isVisible(), what="the error")

    aio(scenario())
    assert dialog.test_error.text() == (
        f"Nothing is listening at http://127.0.0.1:{port}/v1 — is Ollama running?"
    )


def test_closing_the_dialog_cancels_a_running_test(
    qtbot: Any, controller: ProvidersController, aio: Callable[..., Any]
) -> None:
    # Accepts connections and never answers: the test would wait for its timeout.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        controller.save_server("gpu-box", preset=None, base_url=url, key_required=False)
        # Opened over a window, as in the app: closing the last window would quit Qt.
        window = QWidget()
        qtbot.addWidget(window)
        window.show()
        dialog = open_dialog(qtbot, controller, "gpu-box", window)

        async def scenario() -> asyncio.Task[None]:
            qtbot.mouseClick(dialog.test_button, LEFT)
            task = dialog.test_task
            assert task is not None
            await asyncio.sleep(0.2)
            assert not task.done()
            qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Close), LEFT)
            await wait_until(task.done, what="the test to stop")
            return task

        task = aio(scenario(), timeout=5)
    assert task.cancelled()
    assert not dialog.isVisible()
    assert dialog.test_error.text() == ""
    assert dialog.test_status.text() == ""


# ---------------------------------------------------------------- servers


def test_add_a_server_from_the_ollama_preset(
    qtbot: Any, controller: ProvidersController, store: Store
) -> None:
    dialog = open_dialog(qtbot, controller, "openai")
    qtbot.mouseClick(dialog.add_button, LEFT)
    add = dialog.add_server_dialog
    assert isinstance(add, AddServerDialog)
    assert add.isVisible()
    presets = [add.preset_combo.itemText(i) for i in range(add.preset_combo.count())]
    assert presets == ["Ollama", "LM Studio", "llama.cpp server", "vLLM", "Custom"]

    add.preset_combo.setCurrentIndex(presets.index("LM Studio"))
    assert add.url_edit.text() == "http://localhost:1234/v1"
    add.preset_combo.setCurrentIndex(presets.index("Ollama"))
    assert add.url_edit.text() == "http://localhost:11434/v1"

    # A taken name is refused in place.
    qtbot.keyClicks(add.name_edit, "ollama")
    qtbot.mouseClick(add.ok_button, LEFT)
    assert add.isVisible()
    assert "already a provider named 'ollama'" in add.error_label.text()

    add.name_edit.clear()
    qtbot.keyClicks(add.name_edit, "gpu-box")
    assert add.error_label.isHidden()
    with qtbot.waitSignal(dialog.providers_changed, timeout=1000):
        qtbot.mouseClick(add.ok_button, LEFT)

    assert not add.isVisible()
    assert list_texts(dialog)["gpu-box"] == "gpu-box\nNo key needed"
    assert dialog.current_name() == "gpu-box"
    assert dialog.url_edit.text() == "http://localhost:11434/v1"
    saved = {c.name: c for c in store.provider_configs()}["gpu-box"]
    assert saved.kind == "openai-compatible"
    assert saved.base_url == "http://localhost:11434/v1"
    assert not saved.key_required


def test_add_server_needing_a_key_and_a_bad_url(
    qtbot: Any, controller: ProvidersController, store: Store
) -> None:
    dialog = open_dialog(qtbot, controller, "openai")
    qtbot.mouseClick(dialog.add_button, LEFT)
    add = dialog.add_server_dialog
    assert add is not None
    add.preset_combo.setCurrentIndex(add.preset_combo.count() - 1)  # Custom
    assert add.url_edit.text() == ""
    qtbot.keyClicks(add.name_edit, "gpu-box")
    assert not add.key_env_edit.isEnabled()
    qtbot.mouseClick(add.key_required_check, LEFT)
    assert add.key_env_edit.isEnabled()
    assert add.key_env_edit.placeholderText() == "GPU_BOX_API_KEY"
    qtbot.keyClicks(add.url_edit, "gpu-box:8000")
    qtbot.mouseClick(add.ok_button, LEFT)
    assert add.isVisible()
    assert "must be an http:// or https:// URL" in add.error_label.text()
    assert "gpu-box" not in [c.name for c in store.provider_configs()]

    add.url_edit.setText("http://gpu-box:8000/v1")
    qtbot.mouseClick(add.ok_button, LEFT)
    assert not add.isVisible()
    assert store.provider_config("gpu-box").key_env == "GPU_BOX_API_KEY"
    assert dialog.key_source_label.text() == "No key — save one below or set $GPU_BOX_API_KEY"


def test_edit_a_url_with_inline_errors_then_reset(
    qtbot: Any, controller: ProvidersController, store: Store
) -> None:
    dialog = open_dialog(qtbot, controller, "ollama")
    assert not dialog.remove_button.isEnabled()
    assert not dialog.save_url_button.isEnabled()
    dialog.url_edit.selectAll()
    qtbot.keyClicks(dialog.url_edit, "http://me:secret@gpu:11434/v1")
    assert dialog.save_url_button.isEnabled()
    qtbot.mouseClick(dialog.save_url_button, LEFT)
    assert dialog.url_error.isVisible()
    assert "must not contain a user name or password" in dialog.url_error.text()
    assert "secret" not in dialog.url_error.text()
    assert store.provider_config("ollama").base_url == "http://localhost:11434/v1"

    dialog.url_edit.selectAll()
    qtbot.keyClicks(dialog.url_edit, "http://gpu:11434/v1")
    assert dialog.url_error.isHidden()
    with qtbot.waitSignal(dialog.providers_changed, timeout=1000):
        qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)
    assert store.provider_config("ollama").base_url == "http://gpu:11434/v1"
    assert not dialog.save_url_button.isEnabled()
    assert dialog.remove_button.text() == "Reset"
    assert dialog.remove_button.isEnabled()

    with qtbot.waitSignal(dialog.providers_changed, timeout=1000):
        qtbot.mouseClick(dialog.remove_button, LEFT)
    assert store.provider_config("ollama").base_url == "http://localhost:11434/v1"
    assert dialog.url_edit.text() == "http://localhost:11434/v1"
    assert dialog.remove_button.text() == "Remove"
    assert not dialog.remove_button.isEnabled()


def test_remove_a_server_after_confirming(
    qtbot: Any,
    controller: ProvidersController,
    store: Store,
    memory_keyring: MemoryKeyring,
) -> None:
    controller.save_server("gpu-box", preset=None, base_url="http://gpu/v1", key_required=True)
    controller.save_key("gpu-box", KEY)
    dialog = open_dialog(qtbot, controller, "gpu-box")
    assert dialog.remove_button.text() == "Remove"

    qtbot.mouseClick(dialog.remove_button, LEFT)
    box = dialog.confirm_box
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), LEFT)
    assert "gpu-box" in controller.provider_names()

    qtbot.mouseClick(dialog.remove_button, LEFT)
    box = dialog.confirm_box
    assert box is not None
    assert "gpu-box" in box.text()
    with qtbot.waitSignal(dialog.providers_changed, timeout=1000):
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    assert "gpu-box" not in list_texts(dialog)
    assert "gpu-box" not in [c.name for c in store.provider_configs()]
    assert memory_keyring.passwords == {}
    assert dialog.current_name() == "openai"


def test_builtin_hosted_providers_show_their_standard_address(
    qtbot: Any, controller: ProvidersController
) -> None:
    dialog = open_dialog(qtbot, controller, "openai")
    assert dialog.title_label.text() == "OpenAI — OpenAI API"
    assert dialog.url_edit.isReadOnly()
    assert dialog.url_edit.text() == ""
    assert dialog.url_edit.placeholderText() == "https://api.openai.com/v1"
    assert not dialog.remove_button.isEnabled()
    dialog.select("vllm")
    assert not dialog.url_edit.isReadOnly()
    assert dialog.url_edit.text() == "http://localhost:8000/v1"
    assert dialog.key_source_label.text().startswith("No key needed")
    assert list(list_texts(dialog)) == [
        "openai",
        "anthropic",
        "ollama",
        "lmstudio",
        "llamacpp",
        "vllm",
    ]


def test_error_red_follows_a_dark_or_light_palette(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    label = ErrorLabel("someError", parent)
    text = QPalette.ColorRole.WindowText
    for window, red in (("#1e1e1e", "#ff8a80"), ("#f5f5f5", "#b3261e"), ("#101018", "#ff8a80")):
        palette = QPalette(parent.palette())
        palette.setColor(QPalette.ColorRole.Window, QColor(window))
        parent.setPalette(palette)
        assert label.palette().color(text) == QColor(red), window
        # Only the text colour is the label's own; the rest still follows the parent.
        assert label.palette().color(QPalette.ColorRole.Window) == QColor(window)
    label.show_error("<b>not bold</b>")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert not label.isHidden()
    label.clear_error()
    assert label.isHidden()
