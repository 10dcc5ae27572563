"""``playground keys``: storing, deleting and checking keys, and never showing them."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest

from playground.keystore import SERVICE
from tests.fakes.memory_keyring import MemoryKeyring, installed

KEY = "sk-proj-K3yThatMustNeverLeak0123456789"
ENV_KEY = "sk-ant-api03-EnvironmentKeyNeverShown42"

Run = tuple[int, str, str]


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def no_keyring() -> Iterator[None]:
    with installed(keyring.backends.fail.Keyring()):
        yield


@pytest.fixture(autouse=True)
def _no_key_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "TOGETHER_API_KEY"):
        monkeypatch.delenv(name, raising=False)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def files_containing(root: Path, needle: str) -> list[Path]:
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


# ---------------------------------------------------------------- set


def test_set_reads_a_piped_key_and_confirms_without_echoing_it(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    code, out, err = cli("keys", "set", "openai", stdin=KEY + "\nignored second line\n")
    assert code == 0, err
    assert memory.passwords == {(SERVICE, "openai"): KEY}
    assert (
        out.strip()
        == "Stored the key for OpenAI in the system keyring (memory keyring MemoryKeyring)."
    )
    assert err == ""


def test_set_on_a_terminal_asks_without_echo(
    cli: Callable[..., Run], memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "Password: ", stream: object = None) -> str:
        prompts.append(prompt)
        return f"  {KEY}  "

    monkeypatch.setattr(sys, "stdin", _Terminal("this must not be read\n"))
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    code, out, err = cli("keys", "set", "anthropic", "--json")
    assert code == 0, err
    assert prompts == ["Key for Anthropic (input is hidden): "]
    assert json.loads(out) == {
        "provider": "anthropic",
        "stored": True,
        "backend": "memory keyring MemoryKeyring",
    }
    assert memory.passwords == {(SERVICE, "anthropic"): KEY}
    assert sys.stdin.read() == "this must not be read\n"


def test_set_mentions_that_the_keyring_beats_a_set_variable(
    cli: Callable[..., Run], memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    code, out, _ = cli("keys", "set", "openai", stdin=KEY)
    assert code == 0
    assert "It takes precedence over OPENAI_API_KEY." in out
    assert ENV_KEY not in out


@pytest.mark.parametrize("typed", ["", "\n", "   \n"])
def test_set_refuses_an_empty_key(
    cli: Callable[..., Run], memory: MemoryKeyring, typed: str
) -> None:
    code, out, err = cli("keys", "set", "openai", stdin=typed)
    assert code == 2
    assert out == ""
    assert err.startswith("playground: error: no key given for openai")
    assert len(err.strip().splitlines()) == 1
    assert memory.passwords == {}


def test_set_refuses_a_key_with_spaces_without_echoing_it(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    code, out, err = cli("keys", "set", "openai", stdin=f"Bearer {KEY}")
    assert code == 2
    assert "contains spaces" in err
    assert KEY not in err
    assert memory.passwords == {}


def test_set_for_an_unknown_provider_is_a_usage_error(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    code, out, err = cli("keys", "set", "openia", stdin=KEY)
    assert code == 2
    assert out == ""
    assert "No provider named 'openia'" in err
    assert "openai, anthropic" in err
    assert len(err.strip().splitlines()) == 1
    assert memory.passwords == {}


def test_set_without_a_keyring_exits_1_naming_the_variable_before_reading(
    cli: Callable[..., Run], no_keyring: None, playground_home: Path
) -> None:
    code, out, err = cli("keys", "set", "anthropic", stdin=KEY + "\n")
    assert code == 1
    assert out == ""
    assert err == (
        "playground: error: No system keyring is available here, so the key for anthropic "
        "was not stored. Set ANTHROPIC_API_KEY in the environment instead.\n"
    )
    assert sys.stdin.read() == KEY + "\n"  # not even read
    assert files_containing(playground_home, KEY) == []


def test_set_for_a_custom_provider(cli: Callable[..., Run], memory: MemoryKeyring) -> None:
    code, _, err = cli(
        "providers", "add", "together", "--kind", "openai-compatible",
        "--base-url", "https://api.together.xyz/v1", "--key-env", "TOGETHER_API_KEY",
    )  # fmt: skip
    assert code == 0, err
    assert cli("keys", "set", "together", stdin=KEY)[0] == 0
    assert memory.passwords == {(SERVICE, "together"): KEY}


# ---------------------------------------------------------------- delete


def test_delete_removes_the_key(cli: Callable[..., Run], memory: MemoryKeyring) -> None:
    memory.set_password(SERVICE, "openai", KEY)
    code, out, err = cli("keys", "delete", "openai", "--json")
    assert code == 0, err
    assert json.loads(out) == {"provider": "openai", "deleted": True, "source": None}
    assert memory.passwords == {}


def test_delete_says_when_the_environment_key_takes_over(
    cli: Callable[..., Run], memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory.set_password(SERVICE, "anthropic", KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    code, out, _ = cli("keys", "delete", "anthropic")
    assert code == 0
    assert out.strip() == (
        "Deleted the key for Anthropic from the system keyring. "
        "Anthropic will now use the key in ANTHROPIC_API_KEY."
    )


def test_deleting_a_key_that_is_not_there_is_a_plain_message(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    code, out, err = cli("keys", "delete", "openai")
    assert code == 2
    assert out == ""
    assert err.startswith("playground: error: No key for openai is stored in the keyring.")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_delete_for_an_unknown_provider_is_a_usage_error(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    code, _, err = cli("keys", "delete", "nobody")
    assert code == 2
    assert "No provider named 'nobody'" in err


def test_delete_can_clear_the_key_of_a_removed_provider(
    cli: Callable[..., Run], memory: MemoryKeyring
) -> None:
    memory.set_password(SERVICE, "gone", KEY)
    code, out, err = cli("keys", "delete", "gone")
    assert code == 0, err
    assert memory.passwords == {}


def test_delete_without_a_keyring_exits_1(cli: Callable[..., Run], no_keyring: None) -> None:
    code, _, err = cli("keys", "delete", "openai")
    assert code == 1
    assert "No system keyring is available here" in err
    assert "OPENAI_API_KEY" in err


# ---------------------------------------------------------------- status


def test_status_reports_where_each_key_comes_from(
    cli: Callable[..., Run], memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory.set_password(SERVICE, "openai", KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    code, out, err = cli("keys", "status", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["keyring"] == {
        "backend": "memory keyring MemoryKeyring",
        "available": True,
        "warning": None,
        "error": None,
    }
    rows = {r["provider"]: r for r in data["providers"]}
    assert rows["openai"] == {
        "provider": "openai",
        "source": "keyring",
        "keyEnv": "OPENAI_API_KEY",
        "keyRequired": True,
    }
    assert rows["anthropic"]["source"] == "environment"
    assert rows["ollama"] == {
        "provider": "ollama",
        "source": None,
        "keyEnv": None,
        "keyRequired": False,
    }
    code, out, _ = cli("keys", "status")
    assert out.startswith("Keyring: memory keyring MemoryKeyring\n")
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert lines["openai"] == ["keyring", "OPENAI_API_KEY", "(set)"]
    assert lines["anthropic"] == ["environment", "ANTHROPIC_API_KEY"]
    assert lines["ollama"] == ["not", "needed", "-"]
    for text in (out, err):
        assert KEY not in text
        assert ENV_KEY not in text


def test_status_without_a_keyring_says_so(
    cli: Callable[..., Run], no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    code, out, _ = cli("keys", "status")
    assert code == 0
    assert out.splitlines()[0] == "Keyring: none"
    assert out.splitlines()[1].startswith("No system keyring is available here")
    assert "anthropic  none" in out
    data = json.loads(cli("keys", "status", "--json")[1])
    assert data["keyring"]["available"] is False
    assert data["keyring"]["warning"].startswith("No system keyring is available here")
    assert {r["provider"]: r["source"] for r in data["providers"]}["openai"] == "environment"


# ---------------------------------------------------------------- never shown


def test_the_key_never_reaches_output_logs_or_the_database(
    cli: Callable[..., Run],
    memory: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    playground_home: Path,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    runs: list[Run] = [
        cli("--verbose", "keys", "set", "openai", stdin=KEY),
        cli("--verbose", "keys", "set", "openai", "--json", stdin=KEY),
        cli("--verbose", "keys", "status"),
        cli("--verbose", "keys", "status", "--json"),
        cli("--verbose", "providers", "list"),
        cli("--verbose", "providers", "list", "--json"),
        cli("--verbose", "providers", "add", "x", "--kind", "openai", "--key-env", KEY),
        cli("--verbose", "keys", "set", "nobody", stdin=KEY),
        cli("--verbose", "keys", "delete", "openai"),
        cli("--verbose", "keys", "delete", "openai"),
    ]
    assert [code for code, _, _ in runs] == [0, 0, 0, 0, 0, 0, 2, 2, 0, 2]
    for secret in (KEY, ENV_KEY, KEY[:12], KEY[-8:]):
        for _, out, err in runs:
            assert secret not in out
            assert secret not in err
        assert files_containing(playground_home, secret) == []
    assert (playground_home / "library.db").is_file()


# Shaped like no known provider's key, so only the KeyStore's own memory can mask it.
PLAIN_KEY = "q7Wm2Lx9Rt4Vb8Nc3Hs6Jd1Kf5"


def test_a_bug_that_quotes_the_key_is_logged_without_it(
    cli: Callable[..., Run],
    memory: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    playground_home: Path,
) -> None:
    def broken(self: MemoryKeyring, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"backend bug while storing {password}")

    monkeypatch.setattr(MemoryKeyring, "set_password", broken)
    code, out, err = cli("keys", "set", "openai", stdin=PLAIN_KEY)
    assert code == 1
    assert "internal error" in err
    log = (playground_home / "logs" / "playground.log").read_text(encoding="utf-8")
    assert "RuntimeError: backend bug while storing ***" in log
    assert "Traceback" in log
    assert files_containing(playground_home, PLAIN_KEY) == []
    assert files_containing(playground_home, PLAIN_KEY[-8:]) == []
    assert PLAIN_KEY not in out + err


def _json(out: str) -> Any:
    return json.loads(out)
