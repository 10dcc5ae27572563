"""The providers controller: keys to the keyring, servers to the store, tests on the fake."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest

from playground.core.errors import (
    AuthenticationError,
    ConnectionFailedError,
    KeyStoreError,
    MissingKeyError,
    NotFoundError,
    PlaygroundError,
)
from playground.keystore import SERVICE, KeyStore
from playground.store import Store
from playground.ui.controllers.providers import ProvidersController, default_key_env
from tests.fakes.llm_server import FakeLLMServer, unused_port
from tests.fakes.memory_keyring import MemoryKeyring, installed

pytestmark = pytest.mark.usefixtures("no_key_variables")

KEY = "sk-proj-ControllerKeyThatMustNotLeak1234"
WRONG = "sk-proj-WrongKeyThatMustNotLeakEither987"


@pytest.fixture
def controller(store: Store) -> ProvidersController:
    return ProvidersController(store, KeyStore())


def row(controller: ProvidersController, name: str) -> Any:
    return {r.name: r for r in controller.providers()}[name]


# ---------------------------------------------------------------- listing


def test_lists_builtins_in_order_with_key_status(
    controller: ProvidersController, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.set_password(SERVICE, "openai", KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-FromTheEnvironment0000")
    rows = controller.providers()
    assert [r.name for r in rows] == [
        "openai",
        "anthropic",
        "ollama",
        "lmstudio",
        "llamacpp",
        "vllm",
    ]
    assert controller.provider_names() == [r.name for r in rows]
    by_name = {r.name: r for r in rows}
    assert by_name["openai"].key_status == "Key in keyring"
    assert by_name["openai"].has_key
    assert by_name["openai"].effective_url == "https://api.openai.com/v1"
    assert by_name["anthropic"].key_status == "Key from $ANTHROPIC_API_KEY"
    assert by_name["anthropic"].key_source == "environment"
    assert by_name["ollama"].key_status == "No key needed"
    assert not by_name["ollama"].has_key
    assert all(r.builtin and not r.overridden for r in rows)
    assert KEY not in repr(rows)


def test_presets_are_the_local_servers_with_their_urls(controller: ProvidersController) -> None:
    presets = {p.name: p.base_url for p in controller.presets()}
    assert presets == {
        "ollama": "http://localhost:11434/v1",
        "lmstudio": "http://localhost:1234/v1",
        "llamacpp": "http://localhost:8080/v1",
        "vllm": "http://localhost:8000/v1",
    }


# ---------------------------------------------------------------- keys


def test_save_and_delete_key(
    controller: ProvidersController,
    memory_keyring: MemoryKeyring,
    playground_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert row(controller, "openai").key_status == "No key"
    controller.save_key("openai", f"  {KEY}\n")
    assert memory_keyring.passwords == {(SERVICE, "openai"): KEY}
    saved = row(controller, "openai")
    assert saved.key_status == "Key in keyring"
    assert saved.has_key

    controller.delete_key("openai")
    assert memory_keyring.passwords == {}
    assert row(controller, "openai").key_status == "No key"
    with pytest.raises(NotFoundError, match="No key for openai is stored"):
        controller.delete_key("openai")

    # The key went to the keyring only: not into the database, its journal or the log.
    for path in playground_home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in caplog.text


def test_save_key_refuses_a_key_with_spaces_inside(
    controller: ProvidersController, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(KeyStoreError, match="spaces or line breaks") as caught:
        controller.save_key("openai", "sk-first half\nsecond-half")
    assert "first half" not in str(caught.value)
    assert memory_keyring.passwords == {}


def test_save_key_for_an_unknown_provider(controller: ProvidersController) -> None:
    with pytest.raises(NotFoundError, match="No provider named 'nope'"):
        controller.save_key("nope", KEY)


def test_no_keyring_warns_with_the_variables_and_refuses_to_store(store: Store) -> None:
    with installed(keyring.backends.fail.Keyring()):
        controller = ProvidersController(store, KeyStore())
        controller.save_server(
            "gpu-box", preset=None, base_url="http://gpu:8000/v1", key_required=True
        )
        warning = controller.keyring_warning()
        assert warning is not None
        assert "No system keyring" in warning
        assert "OpenAI reads $OPENAI_API_KEY" in warning
        assert "Anthropic reads $ANTHROPIC_API_KEY" in warning
        assert "gpu-box reads $GPU_BOX_API_KEY" in warning
        assert not controller.keyring_available()
        with pytest.raises(KeyStoreError, match="Set ANTHROPIC_API_KEY in the environment"):
            controller.save_key("anthropic", KEY)


def test_keyring_warning_is_none_with_a_keyring(controller: ProvidersController) -> None:
    assert controller.keyring_warning() is None
    assert controller.keyring_available()


# ---------------------------------------------------------------- servers


def test_save_server_from_a_preset(controller: ProvidersController, store: Store) -> None:
    saved = controller.save_server("gpu-box", preset="ollama", base_url="", key_required=False)
    assert saved.base_url == "http://localhost:11434/v1"
    assert saved.kind == "openai-compatible"
    assert not saved.builtin
    assert saved.key_status == "No key needed"
    config = store.provider_config("gpu-box")
    assert config.base_url == "http://localhost:11434/v1"
    assert config.key_env is None
    # The preset's curated models are the fallback list of a server it started.
    assert "llama3.2" in config.default_models
    assert controller.provider_names()[-1] == "gpu-box"


def test_save_server_needing_a_key_gets_a_variable(
    controller: ProvidersController, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = controller.save_server(
        "gpu-box", preset=None, base_url="http://gpu:8000/v1/", key_required=True
    )
    assert saved.key_env == "GPU_BOX_API_KEY"
    assert saved.key_required
    assert saved.key_status == "No key"
    assert store.provider_config("gpu-box").base_url == "http://gpu:8000/v1"
    monkeypatch.setenv("GPU_BOX_API_KEY", "whatever-key-value")
    assert row(controller, "gpu-box").key_status == "Key from $GPU_BOX_API_KEY"

    # Editing keeps the variable; turning the key off drops it.
    edited = controller.save_server(
        "gpu-box", preset=None, base_url="http://gpu:9000/v1", key_required=True
    )
    assert (edited.base_url, edited.key_env) == ("http://gpu:9000/v1", "GPU_BOX_API_KEY")
    off = controller.save_server(
        "gpu-box", preset=None, base_url="http://gpu:9000/v1", key_required=False
    )
    assert off.key_env is None
    assert not off.key_required


def test_default_key_env() -> None:
    assert default_key_env("gpu-box") == "GPU_BOX_API_KEY"
    assert default_key_env("my.server_2") == "MY_SERVER_2_API_KEY"
    assert default_key_env("4090") == "SERVER_4090_API_KEY"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("localhost:11434", "must be an http:// or https:// URL"),
        ("http://user:pw@host/v1", "must not contain a user name or password"),
        ("http://host/v1?key=abc", "must not have a query string"),
    ],
)
def test_save_server_reports_the_stores_url_checks(
    controller: ProvidersController, store: Store, url: str, message: str
) -> None:
    with pytest.raises(PlaygroundError, match=message):
        controller.save_server("gpu-box", preset=None, base_url=url, key_required=False)
    assert "gpu-box" not in [c.name for c in store.provider_configs()]


def test_save_server_refuses_a_bad_name_and_a_bad_preset(controller: ProvidersController) -> None:
    with pytest.raises(PlaygroundError, match="not a valid provider name"):
        controller.save_server("GPU Box", preset=None, base_url="http://gpu/v1", key_required=False)
    with pytest.raises(PlaygroundError, match="not a server preset"):
        controller.save_server("gpu", preset="nope", base_url="http://gpu/v1", key_required=False)


def test_override_and_reset_a_builtin(controller: ProvidersController, store: Store) -> None:
    changed = controller.save_server(
        "anthropic", preset=None, base_url="http://proxy:9000", key_required=False
    )
    assert changed.kind == "anthropic"
    assert changed.key_env == "ANTHROPIC_API_KEY"
    assert changed.key_required
    assert changed.builtin
    assert changed.overridden
    assert store.provider_config("anthropic").base_url == "http://proxy:9000"
    controller.remove_server("anthropic")
    reset = row(controller, "anthropic")
    assert reset.base_url is None
    assert not reset.overridden
    with pytest.raises(PlaygroundError, match="built-in providers cannot be removed"):
        controller.remove_server("anthropic")


def test_remove_server_takes_its_key_along(
    controller: ProvidersController, memory_keyring: MemoryKeyring
) -> None:
    controller.save_server("gpu-box", preset=None, base_url="http://gpu/v1", key_required=True)
    controller.save_key("gpu-box", KEY)
    assert (SERVICE, "gpu-box") in memory_keyring.passwords
    controller.remove_server("gpu-box")
    assert "gpu-box" not in controller.provider_names()
    assert memory_keyring.passwords == {}
    with pytest.raises(NotFoundError):
        controller.remove_server("gpu-box")


# ---------------------------------------------------------------- the network


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(require_key=KEY) as server:
        server.script("model-a", text="A")
        server.script("model-b", text="B")
        yield server


def test_connection_lists_a_custom_servers_models(
    controller: ProvidersController, fake: FakeLLMServer, aio: Callable[..., Any]
) -> None:
    controller.save_server("gpu-box", preset=None, base_url=fake.openai_base_url, key_required=True)
    assert aio(controller.test_connection("gpu-box", KEY)) == ["model-a", "model-b"]
    assert fake.requests[-1].api_key == KEY


def test_connection_lists_anthropics_models_with_the_stored_key(
    controller: ProvidersController, fake: FakeLLMServer, aio: Callable[..., Any]
) -> None:
    controller.save_server(
        "anthropic", preset=None, base_url=fake.anthropic_base_url, key_required=True
    )
    controller.save_key("anthropic", KEY)
    assert aio(controller.test_connection("anthropic")) == ["model-a", "model-b"]
    assert fake.requests[-1].headers.get("anthropic-version")


def test_connection_tries_an_unsaved_url(
    controller: ProvidersController, fake: FakeLLMServer, aio: Callable[..., Any], store: Store
) -> None:
    models = aio(controller.test_connection("vllm", KEY, base_url=fake.openai_base_url))
    assert models == ["model-a", "model-b"]
    assert store.provider_config("vllm").base_url == "http://localhost:8000/v1"
    with pytest.raises(PlaygroundError, match="must be an http:// or https:// URL"):
        aio(controller.test_connection("vllm", KEY, base_url="nowhere"))


@pytest.mark.parametrize("name", ["gpu-box", "anthropic"])
def test_connection_with_a_wrong_key(
    controller: ProvidersController,
    fake: FakeLLMServer,
    aio: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    url = fake.openai_base_url if name == "gpu-box" else fake.anthropic_base_url
    controller.save_server(name, preset=None, base_url=url, key_required=True)
    with pytest.raises(AuthenticationError) as caught:
        aio(controller.test_connection(name, WRONG))
    message = str(caught.value)
    assert "rejected the key" in message
    assert WRONG not in message
    assert WRONG[:12] not in message
    assert WRONG not in caplog.text


def test_connection_to_a_dead_server(
    controller: ProvidersController, aio: Callable[..., Any]
) -> None:
    port = unused_port()
    controller.save_server(
        "gpu-box", preset=None, base_url=f"http://127.0.0.1:{port}/v1", key_required=False
    )
    with pytest.raises(ConnectionFailedError) as caught:
        aio(controller.test_connection("gpu-box"))
    assert str(caught.value) == (
        f"Nothing is listening at http://127.0.0.1:{port}/v1 — is gpu-box running?"
    )


def test_connection_without_a_key_says_where_to_put_one(
    controller: ProvidersController, aio: Callable[..., Any]
) -> None:
    with pytest.raises(MissingKeyError) as caught:
        aio(controller.test_connection("anthropic"))
    assert "Settings" in str(caught.value)
    assert "ANTHROPIC_API_KEY" in str(caught.value)


def test_models_from_the_server_and_the_fallback(
    controller: ProvidersController,
    fake: FakeLLMServer,
    aio: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    controller.save_server("ollama", preset=None, base_url=fake.openai_base_url, key_required=False)
    controller.save_key("ollama", KEY)
    assert aio(controller.models("ollama")) == ["model-a", "model-b"]

    caplog.set_level(logging.INFO, logger="playground.ui")
    port = unused_port()
    controller.save_server(
        "ollama", preset=None, base_url=f"http://127.0.0.1:{port}/v1", key_required=False
    )
    fallback = aio(controller.models("ollama"))
    assert fallback[0] == "llama3.2"
    assert "Nothing is listening" in caplog.text
    assert KEY not in caplog.text


def test_default_models_are_the_curated_list(controller: ProvidersController) -> None:
    assert controller.default_models("ollama")[0] == "llama3.2"
    assert "claude-haiku-4-5" in controller.default_models("anthropic")
    with pytest.raises(NotFoundError):
        controller.default_models("nope")
