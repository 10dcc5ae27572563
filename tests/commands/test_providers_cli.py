"""``playground providers``: list, add, remove, and test against the loopback server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring.backends.fail
import pytest

from playground.core.provider_config import BUILTIN_PROVIDERS
from playground.keystore import SERVICE
from tests.fakes.llm_server import FakeLLMServer, unused_port
from tests.fakes.memory_keyring import MemoryKeyring, installed

KEY = "sk-proj-ServerKeyThatMustNotLeak987654"
ENV_KEY = "sk-ant-api03-AnEnvironmentKey0000000"
BUILTIN_NAMES = [c.name for c in BUILTIN_PROVIDERS]

Run = tuple[int, str, str]


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture(autouse=True)
def _no_key_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "FAKE_KEY"):
        monkeypatch.delenv(name, raising=False)


def one_error_line(err: str) -> str:
    assert err.startswith("playground: error: ")
    assert len(err.strip().splitlines()) == 1, err
    return err.strip().removeprefix("playground: error: ")


# ---------------------------------------------------------------- list


def test_list_shows_the_builtins_and_where_keys_come_from(
    cli: Callable[..., Run], memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory.set_password(SERVICE, "openai", KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    code, out, err = cli("providers", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "BASE", "URL", "KEY", "ENV", "KEY"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == BUILTIN_NAMES
    assert rows["openai"].split() == [
        "openai",
        "openai",
        "(SDK",
        "default)",
        "OPENAI_API_KEY",
        "keyring",
    ]
    assert rows["anthropic"].split()[-2:] == ["ANTHROPIC_API_KEY", "environment"]
    assert rows["ollama"].split() == [
        "ollama", "openai-compatible", "http://localhost:11434/v1", "-", "not", "needed",
    ]  # fmt: skip
    assert KEY not in out
    assert ENV_KEY not in out


def test_list_json_shape(cli: Callable[..., Run], memory: MemoryKeyring) -> None:
    code, out, _ = cli("providers", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == BUILTIN_NAMES
    assert rows[0] == {
        "name": "openai",
        "displayName": "OpenAI",
        "kind": "openai",
        "baseUrl": None,
        "keyEnv": "OPENAI_API_KEY",
        "keyRequired": True,
        "keySource": None,
        "defaultModels": [],
        "builtin": True,
        "overridesBuiltin": False,
    }
    assert rows[2]["keyRequired"] is False


def test_list_without_a_keyring_notes_it(cli: Callable[..., Run]) -> None:
    with installed(keyring.backends.fail.Keyring()):
        code, out, _ = cli("providers", "list")
    assert code == 0
    assert out.splitlines()[-1].startswith("No system keyring is available here")
    assert " none" in out.splitlines()[1]


# ---------------------------------------------------------------- add / remove


def test_add_then_list_then_remove(cli: Callable[..., Run], memory: MemoryKeyring) -> None:
    code, out, err = cli(
        "providers", "add", "together", "--kind", "openai-compatible",
        "--base-url", "https://api.together.xyz/v1/", "--key-env", "TOGETHER_API_KEY",
        "--model", "llama-3-8b", "--model", "mixtral",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == (
        "Added provider 'together' (openai-compatible, https://api.together.xyz/v1). "
        "Store its key with `playground keys set together` or set TOGETHER_API_KEY."
    )
    rows = json.loads(cli("providers", "list", "--json")[1])
    assert [r["name"] for r in rows] == [*BUILTIN_NAMES, "together"]
    assert rows[-1]["defaultModels"] == ["llama-3-8b", "mixtral"]
    assert rows[-1]["builtin"] is False
    assert rows[-1]["keySource"] is None
    code, out, _ = cli("providers", "remove", "together", "--json")
    assert code == 0
    assert json.loads(out) == {"removed": "together", "builtinRestored": False}
    assert [r["name"] for r in json.loads(cli("providers", "list", "--json")[1])] == BUILTIN_NAMES


def test_adding_again_replaces(cli: Callable[..., Run], memory: MemoryKeyring) -> None:
    base = ("providers", "add", "box", "--kind", "openai-compatible", "--base-url")
    assert cli(*base, "http://box:1/v1")[0] == 0
    code, out, _ = cli(*base, "http://box:2/v1", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["action"] == "replaced"
    assert data["provider"]["baseUrl"] == "http://box:2/v1"
    assert data["provider"]["keyRequired"] is False


def test_a_builtin_can_be_changed_and_restored_but_not_removed(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    code, out, _ = cli(
        "providers", "add", "ollama", "--kind", "openai-compatible",
        "--base-url", "http://gpu-box:11434/v1", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["action"] == "overrode"
    listed = cli("providers", "list")[1]
    assert "ollama (changed)" in listed
    assert "http://gpu-box:11434/v1" in listed
    code, out, _ = cli("providers", "remove", "ollama")
    assert code == 0
    assert "built-in settings are back" in out
    assert "http://localhost:11434/v1" in cli("providers", "list")[1]
    code, out, err = cli("providers", "remove", "ollama")
    assert code == 2
    assert out == ""
    assert "built-in providers cannot be removed" in one_error_line(err)


def test_removing_a_provider_mentions_a_key_left_behind(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    assert (
        cli("providers", "add", "hosted", "--kind", "anthropic", "--key-env", "HOSTED_KEY")[0] == 0
    )
    assert cli("keys", "set", "hosted", stdin=KEY)[0] == 0
    code, out, _ = cli("providers", "remove", "hosted")
    assert code == 0
    assert "`playground keys delete hosted`" in out
    assert memory.passwords == {(SERVICE, "hosted"): KEY}


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("providers", "add", "x", "--kind", "gemini"), "invalid choice: 'gemini'"),
        (("providers", "add", "x"), "--kind"),
        (("providers", "add", "Bad Name", "--kind", "openai"), "not a valid provider name"),
        (("providers", "add", "x", "--kind", "openai-compatible"), "needs a base URL"),
        (("providers", "add", "x", "--kind", "openai", "--base-url", "ftp://h/v1"), "https://"),
        (("providers", "add", "x", "--kind", "openai", "--key-env", "lower"), "variable name"),
        (("providers", "remove", "nobody"), "No provider named 'nobody'"),
        (("providers", "test", "nobody"), "No provider named 'nobody'"),
        (("providers", "test", "openai", "--timeout", "0"), "more than 0"),
        (("providers", "test", "openai", "--timeout", "soon"), "not a number of seconds"),
        (("providers", "frobnicate"), "frobnicate"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(
    cli: Callable[..., Run], memory: MemoryKeyring, argv: tuple[str, ...], needle: str
) -> None:
    code, out, err = cli(*argv)
    assert code == 2, err
    assert out == ""
    assert needle in one_error_line(err)


def test_a_key_given_as_the_variable_name_is_refused_and_not_echoed(
    cli: Callable[..., Run], memory: MemoryKeyring, playground_home: Path
) -> None:
    code, out, err = cli("providers", "add", "x", "--kind", "openai", "--key-env", KEY)
    assert code == 2
    assert KEY not in out + err
    code, out, err = cli(
        "providers", "add", "x", "--kind", "openai", "--base-url", f"https://u:{KEY}@h.example/v1"
    )
    assert code == 2
    assert "user name or password" in err
    assert KEY not in out + err
    assert not any(
        KEY.encode() in p.read_bytes() for p in playground_home.rglob("*") if p.is_file()
    )


# ---------------------------------------------------------------- test (needs the registry)


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(require_key=KEY) as running:
        running.script("gpt-alpha")
        running.script("gpt-beta")
        yield running


def _add_fake(
    cli: Callable[..., Run], server: FakeLLMServer, kind: str = "openai-compatible"
) -> None:
    url = server.anthropic_base_url if kind == "anthropic" else server.openai_base_url
    code, _, err = cli(
        "providers", "add", "fake", "--kind", kind, "--base-url", url, "--key-env", "FAKE_KEY"
    )
    assert code == 0, err


@pytest.mark.parametrize("kind", ["openai-compatible", "openai", "anthropic"])
def test_test_lists_the_servers_models(
    cli: Callable[..., Run], memory: MemoryKeyring, server: FakeLLMServer, kind: str
) -> None:
    _add_fake(cli, server, kind)
    assert cli("keys", "set", "fake", stdin=KEY)[0] == 0
    code, out, err = cli("providers", "test", "fake")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("fake answered at http://127.0.0.1:")
    assert lines[0].endswith(": 2 models.")
    assert [line.strip() for line in lines[1:]] == ["gpt-alpha", "gpt-beta"]
    assert server.requests[-1].path.startswith("/v1/models")
    assert server.requests[-1].api_key == KEY
    code, out, _ = cli("providers", "test", "fake", "--json")
    data = json.loads(out)
    assert data["ok"] is True
    assert data["models"] == ["gpt-alpha", "gpt-beta"]
    assert data["provider"] == "fake"
    assert KEY not in out


def test_test_uses_the_environment_variable(
    cli: Callable[..., Run],
    memory: MemoryKeyring,
    server: FakeLLMServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _add_fake(cli, server)
    monkeypatch.setenv("FAKE_KEY", KEY)
    code, _, err = cli("providers", "test", "fake")
    assert code == 0, err
    assert server.requests[-1].api_key == KEY


def test_a_rejected_key_prints_the_error_and_exits_1(
    cli: Callable[..., Run], memory: MemoryKeyring, server: FakeLLMServer, playground_home: Path
) -> None:
    _add_fake(cli, server)
    wrong = "sk-proj-WrongKeyWrongKeyWrong1234"
    assert cli("keys", "set", "fake", stdin=wrong)[0] == 0
    code, out, err = cli("--verbose", "providers", "test", "fake")
    assert code == 1
    assert out == ""
    message = one_error_line(err)
    assert message  # the provider's own words, whatever they are
    assert wrong not in err
    code, out, err = cli("providers", "test", "fake", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["errorType"] == "AuthenticationError"
    assert data["status"] == 401
    assert data["error"] == message
    for path in playground_home.rglob("*"):
        if path.is_file():
            assert wrong.encode() not in path.read_bytes()


def test_a_missing_key_exits_1_naming_the_settings_and_the_variable(
    cli: Callable[..., Run], memory: MemoryKeyring, server: FakeLLMServer
) -> None:
    _add_fake(cli, server)
    code, out, err = cli("providers", "test", "fake")
    assert code == 1
    assert one_error_line(err) == (
        "No key for fake. Set it in Settings → Keys, run `playground keys set fake`, "
        "or set FAKE_KEY."
    )
    assert server.requests == []


def test_nothing_listening_is_a_connection_error(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    port = unused_port()
    code, _, err = cli(
        "providers", "add", "dead", "--kind", "openai-compatible",
        "--base-url", f"http://127.0.0.1:{port}/v1",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli("providers", "test", "dead", "--timeout", "2", "--json")
    assert code == 1
    assert json.loads(out)["errorType"] == "ConnectionFailedError"
    assert one_error_line(err)
