"""The key store: lookup order, missing keys, no keyring, and keeping keys out of text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyring.backend import KeyringBackend

from playground.core.errors import KeyStoreError, MissingKeyError, NotFoundError
from playground.core.provider_config import BUILTIN_PROVIDERS, ProviderConfig
from playground.keystore import SERVICE, KeyStore, RedactingFilter, redact
from tests.fakes.memory_keyring import MemoryKeyring

OPENAI, ANTHROPIC, OLLAMA = BUILTIN_PROVIDERS[0], BUILTIN_PROVIDERS[1], BUILTIN_PROVIDERS[2]
KEY = "sk-proj-Zq8TvXw3Yb9LmN2kR7pQaa11"
ENV_KEY = "sk-ant-api03-EnvEnvEnvEnvEnvEnv99"
CUSTOM = ProviderConfig("together", "openai-compatible", "https://t.example/v1", "TOGETHER_KEY")


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


def files_under(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- lookup


def test_the_keyring_is_asked_first_and_wins_over_the_environment(memory: MemoryKeyring) -> None:
    memory.set_password(SERVICE, "openai", KEY)
    store = KeyStore(memory, {"OPENAI_API_KEY": ENV_KEY})
    assert store.get(OPENAI) == KEY
    assert store.source(OPENAI) == "keyring"
    assert store.require(OPENAI) == KEY


def test_the_environment_variable_is_the_fallback(memory: MemoryKeyring) -> None:
    store = KeyStore(memory, {"ANTHROPIC_API_KEY": f"  {ENV_KEY}\n"})
    assert store.get(ANTHROPIC) == ENV_KEY  # whitespace from a pasted export is dropped
    assert store.source(ANTHROPIC) == "environment"
    assert memory.reads == 2  # the keyring really was asked, each time


def test_a_custom_provider_reads_the_variable_it_names(memory: MemoryKeyring) -> None:
    store = KeyStore(memory, {"TOGETHER_KEY": ENV_KEY, "OPENAI_API_KEY": KEY})
    assert store.get(CUSTOM) == ENV_KEY
    no_env = ProviderConfig("mine", "openai-compatible", "http://x/v1")
    assert store.get(no_env) is None


def test_an_empty_variable_or_stored_key_counts_as_none(memory: MemoryKeyring) -> None:
    memory.set_password(SERVICE, "openai", "   ")
    store = KeyStore(memory, {"OPENAI_API_KEY": ""})
    assert store.get(OPENAI) is None
    assert store.source(OPENAI) is None


def test_keys_are_kept_per_provider_name(memory: MemoryKeyring) -> None:
    store = KeyStore(memory, {})
    store.set("openai", KEY)
    store.set(ANTHROPIC, ENV_KEY)
    assert memory.passwords == {(SERVICE, "openai"): KEY, (SERVICE, "anthropic"): ENV_KEY}
    assert (store.get(OPENAI), store.get(ANTHROPIC), store.get(OLLAMA)) == (KEY, ENV_KEY, None)


@pytest.mark.parametrize("config", [OPENAI, ANTHROPIC], ids=lambda c: c.name)
def test_a_missing_key_names_the_settings_dialog_the_command_and_the_variable(
    memory: MemoryKeyring, config: ProviderConfig
) -> None:
    with pytest.raises(MissingKeyError) as caught:
        KeyStore(memory, {}).require(config)
    message = str(caught.value)
    assert message.startswith(f"No key for {config.display_name}.")
    assert "Settings → Keys" in message
    assert f"playground keys set {config.name}" in message
    assert str(config.key_env) in message
    assert caught.value.provider == config.display_name
    assert not caught.value.retryable


def test_the_exact_missing_key_message_for_anthropic(memory: MemoryKeyring) -> None:
    with pytest.raises(MissingKeyError) as caught:
        KeyStore(memory, {}).require(ANTHROPIC)
    assert str(caught.value) == (
        "No key for Anthropic. Set it in Settings → Keys, run `playground keys set anthropic`, "
        "or set ANTHROPIC_API_KEY."
    )


def test_a_missing_key_for_a_provider_without_a_variable_says_how_to_add_one(
    memory: MemoryKeyring,
) -> None:
    config = ProviderConfig("hosted", "openai", key_env=None)
    with pytest.raises(MissingKeyError, match="Settings → Keys") as caught:
        KeyStore(memory, {}).require(config)
    assert "--key-env" in str(caught.value)


def test_a_provider_that_needs_no_key_gets_none_or_the_one_set(memory: MemoryKeyring) -> None:
    store = KeyStore(memory, {})
    assert store.require(OLLAMA) is None
    store.set("ollama", "local-token-1234")
    assert store.require(OLLAMA) == "local-token-1234"


# ---------------------------------------------------------------- no keyring


@pytest.fixture
def no_keyring() -> KeyStore:
    return KeyStore(keyring.backends.fail.Keyring(), {"OPENAI_API_KEY": ENV_KEY})


def test_without_a_keyring_reading_says_so_and_uses_the_environment(no_keyring: KeyStore) -> None:
    assert not no_keyring.available()
    assert no_keyring.backend_name() == "none"
    warning = no_keyring.warning
    assert warning is not None
    assert warning.startswith("No system keyring is available here, so keys come only from")
    assert "OPENAI_API_KEY" in warning
    assert "ANTHROPIC_API_KEY" in warning
    assert no_keyring.get(OPENAI) == ENV_KEY
    assert no_keyring.source(OPENAI) == "environment"
    assert no_keyring.get(ANTHROPIC) is None


def test_without_a_keyring_the_missing_key_message_points_at_the_variable(
    no_keyring: KeyStore,
) -> None:
    with pytest.raises(MissingKeyError) as caught:
        no_keyring.require(ANTHROPIC)
    message = str(caught.value)
    assert "No system keyring is available here, so set ANTHROPIC_API_KEY" in message
    assert "Settings → Keys" in message


def test_without_a_keyring_set_refuses_and_writes_no_file(
    no_keyring: KeyStore, playground_home: Path, tmp_path: Path
) -> None:
    before = files_under(playground_home), files_under(tmp_path)
    with pytest.raises(KeyStoreError) as caught:
        no_keyring.set(ANTHROPIC, KEY)
    message = str(caught.value)
    assert "No system keyring is available here" in message
    assert "Set ANTHROPIC_API_KEY in the environment instead." in message
    assert KEY not in message
    with pytest.raises(KeyStoreError, match="--key-env"):
        no_keyring.set(ProviderConfig("custom", "openai", key_env=None), KEY)
    assert (files_under(playground_home), files_under(tmp_path)) == before
    assert no_keyring.get(ANTHROPIC) is None


def test_without_a_keyring_delete_says_there_is_nothing_to_delete(no_keyring: KeyStore) -> None:
    with pytest.raises(KeyStoreError, match="unset OPENAI_API_KEY"):
        no_keyring.delete(OPENAI)


def test_the_null_backend_counts_as_no_keyring() -> None:
    store = KeyStore(keyring.backends.null.Keyring(), {})
    assert not store.available()
    assert store.warning is not None
    assert "disabled" in store.warning
    with pytest.raises(KeyStoreError):
        store.set("openai", KEY)


class _GoesAwayKeyring(MemoryKeyring):
    """A backend that looks usable but finds no keyring behind it when used."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("nothing behind this one")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("nothing behind this one")


def test_a_backend_that_finds_no_keyring_on_use_is_treated_as_none() -> None:
    store = KeyStore(_GoesAwayKeyring(), {"OPENAI_API_KEY": ENV_KEY})
    assert store.available()
    assert store.get(OPENAI) == ENV_KEY
    assert not store.available()
    assert store.warning is not None
    with pytest.raises(KeyStoreError, match="No system keyring"):
        KeyStore(_GoesAwayKeyring(), {}).set("openai", KEY)


class _LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"cannot store {password!r} right now")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("locked")


def test_a_failing_keyring_is_a_plain_keystore_error_without_the_key() -> None:
    store = KeyStore(_LockedKeyring(), {})
    with pytest.raises(KeyStoreError) as caught:
        store.get(OPENAI)
    assert str(caught.value) == (
        "The system keyring (test keystore _LockedKeyring) could not be read "
        "(KeyringLocked: Failed to unlock the collection!). Unlock it and try again."
    )
    with pytest.raises(KeyStoreError) as caught:
        store.set("openai", KEY)
    assert "could not store the key for openai (PasswordSetError: cannot store" in str(caught.value)
    assert KEY not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_a_failing_keyring_falls_back_to_a_set_variable(caplog: pytest.LogCaptureFixture) -> None:
    store = KeyStore(_LockedKeyring(), {"OPENAI_API_KEY": ENV_KEY})
    with caplog.at_level(logging.WARNING, logger="playground.keystore"):
        assert store.get(OPENAI) == ENV_KEY
    assert "using OPENAI_API_KEY" in caplog.text
    assert ENV_KEY not in caplog.text


def test_empty_keys_are_refused(memory: MemoryKeyring) -> None:
    with pytest.raises(KeyStoreError, match="empty"):
        KeyStore(memory, {}).set("openai", " \n")
    assert memory.passwords == {}


# ---------------------------------------------------------------- delete


def test_delete_removes_the_stored_key_only(memory: MemoryKeyring) -> None:
    store = KeyStore(memory, {"OPENAI_API_KEY": ENV_KEY})
    store.set("openai", KEY)
    store.delete(OPENAI)
    assert memory.passwords == {}
    assert store.source(OPENAI) == "environment"


def test_deleting_a_missing_key_is_a_plain_not_found(memory: MemoryKeyring) -> None:
    store = KeyStore(memory, {"OPENAI_API_KEY": ENV_KEY})
    with pytest.raises(NotFoundError) as caught:
        store.delete(OPENAI)
    assert str(caught.value).startswith("No key for openai is stored in the keyring.")
    assert "OPENAI_API_KEY" in str(caught.value)
    assert ENV_KEY not in str(caught.value)


# ---------------------------------------------------------------- no key in text


def test_repr_and_str_never_show_a_key(memory: MemoryKeyring) -> None:
    store = KeyStore(memory, {"OPENAI_API_KEY": ENV_KEY})
    store.set("anthropic", KEY)
    assert store.get(OPENAI) == ENV_KEY
    for text in (repr(store), str(store)):
        assert KEY not in text
        assert ENV_KEY not in text
    assert "memory keyring" in repr(store)
    assert store.known_secrets() == {KEY, ENV_KEY}


def test_the_default_backend_is_the_process_keyring(memory: MemoryKeyring) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        KeyStore().set("openai", KEY)
    finally:
        keyring.set_keyring(previous)
    assert memory.passwords == {(SERVICE, "openai"): KEY}


def test_redact_masks_each_secret_and_leaves_the_rest() -> None:
    text = f"auth failed for {KEY}; retry with {ENV_KEY} or not at all"
    assert redact(text, [KEY, ENV_KEY, ""]) == "auth failed for ***; retry with *** or not at all"


def test_redact_masks_distinctive_pieces_of_a_long_secret() -> None:
    secret = "AbCdEfGhIjKlMnOpQrStUvWx"
    assert redact(f"prefix={secret[:12]}...", [secret]) == "prefix=***..."
    assert redact(f"...{secret[-8:]} was sent", [secret]) == "...*** was sent"
    assert redact("a short one: abc", ["abc"]) == "a short one: ***"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key sk-abcdefghijklmnopqrstuv done", "key sk-*** done"),
        ("key sk-ant-api03-abcdefghijklmnop_-XY done", "key sk-*** done"),
        ("Authorization: Bearer abcdefghijklmnopqrstu", "Authorization: Bearer ***"),
        ('{"api_key": "abcdefghij12345"}', '{"api_key": "***"}'),
        ("x-api-key=0123456789abcdef", "x-api-key=***"),
        ("google AIzaSyA1234567890abcdefghijklmnopqrstuv", "google ***"),
        ("sk-short is fine, so is a task-list", "sk-short is fine, so is a task-list"),
    ],
)
def test_redact_masks_things_that_look_like_keys(text: str, expected: str) -> None:
    assert redact(text, []) == expected


@settings(max_examples=300, deadline=None)
@given(
    key=st.text(min_size=1, max_size=60),
    pieces=st.lists(st.text(max_size=20), min_size=1, max_size=5),
)
def test_redacted_text_never_contains_the_key(key: str, pieces: list[str]) -> None:
    text = key.join(pieces) + key
    assert key not in redact(text, [key])


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=3),
    pieces=st.lists(st.text(max_size=15), min_size=1, max_size=6),
    data=st.data(),
)
def test_redacted_text_never_contains_any_of_several_keys(
    keys: list[str], pieces: list[str], data: st.DataObject
) -> None:
    text = "".join(piece + data.draw(st.sampled_from(keys)) for piece in pieces)
    out = redact(text, keys)
    assert not any(k in out for k in keys)


# Text that cannot look like a key: no '-', ':', '=', 'z' or whitespace.
_PLAIN = st.text(st.characters(exclude_characters="-:=z", exclude_categories=("Zs", "Cc")))


@settings(max_examples=200, deadline=None)
@given(text=_PLAIN, key=st.text(min_size=1, max_size=40))
def test_text_without_a_secret_is_unchanged(text: str, key: str) -> None:
    pieces = {key, key.strip(), key[:12], key[-8:]} if len(key) >= 8 else {key, key.strip()}
    if any(p and p in text for p in pieces):
        return
    assert redact(text, [key]) == text


# ---------------------------------------------------------------- logging


@pytest.fixture
def file_logger(tmp_path: Path) -> Iterator[tuple[logging.Logger, logging.Handler, Path]]:
    path = tmp_path / "app.log"
    logger = logging.getLogger("playground.test_keystore")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, handler, path
    finally:
        logger.removeHandler(handler)
        handler.close()


def test_the_filter_redacts_messages_arguments_and_tracebacks(
    file_logger: tuple[logging.Logger, logging.Handler, Path], memory: MemoryKeyring
) -> None:
    logger, handler, path = file_logger
    store = KeyStore(memory, {"OPENAI_API_KEY": ENV_KEY})
    store.set("anthropic", KEY)
    handler.addFilter(RedactingFilter(store))
    # A key read after the filter was made is covered too.
    assert store.get(OPENAI) == ENV_KEY
    logger.info("sending with key %s to %s", ENV_KEY, "openai")
    logger.warning(f"server said: Incorrect API key provided: {KEY}")
    logger.getChild("child").error("child logger leaked %r", {"key": KEY})
    try:
        raise RuntimeError(f"boom with {KEY}")
    except RuntimeError:
        logger.exception("request failed")
    text = path.read_text(encoding="utf-8")
    assert KEY not in text
    assert ENV_KEY not in text
    assert KEY[:12] not in text
    assert "sending with key *** to openai" in text
    assert "server said: Incorrect API key provided: ***" in text
    assert "child logger leaked {'key': '***'}" in text
    assert "RuntimeError: boom with ***" in text
    assert "Traceback" in text


def test_the_filter_takes_a_fixed_list_and_works_on_a_logger(tmp_path: Path) -> None:
    path = tmp_path / "plain.log"
    logger = logging.getLogger("playground.test_keystore.fixed")
    handler = logging.FileHandler(path, encoding="utf-8")
    logger.addHandler(handler)
    logger.propagate = False
    redacting = RedactingFilter(["hunter2-secret"])
    logger.addFilter(redacting)
    try:
        logger.warning("password is %s", "hunter2-secret")
        logger.warning("bad format %s %s", "hunter2-secret")  # arguments that do not fit
    finally:
        logger.removeFilter(redacting)
        logger.removeHandler(handler)
        handler.close()
    text = path.read_text(encoding="utf-8")
    assert "hunter2-secret" not in text
    assert "password is ***" in text
    assert "log arguments dropped" in text


def test_a_keyring_backend_class_is_what_the_fake_is(memory: MemoryKeyring) -> None:
    assert isinstance(memory, KeyringBackend)
    with pytest.raises(keyring.errors.PasswordDeleteError):
        memory.delete_password(SERVICE, "nobody")
