"""API keys: kept in the OS keyring, read from the environment as a fallback, never written down.

The lookup order is explicit (after simonw/llm's ``get_key``):

1. the system keyring, service ``"playground"``, user name = the provider config's name;
2. the environment variable the config names in ``key_env`` (``OPENAI_API_KEY``,
   ``ANTHROPIC_API_KEY`` for the built-ins; custom providers name theirs).

A key never goes into SQLite, logs, exports, caches, exception text or
QSettings. Where no usable keyring exists (headless Linux has only keyring's
``fail`` backend) keys come from the environment alone, :attr:`KeyStore.warning`
says so, and :meth:`KeyStore.set` refuses; there is no plaintext-file fallback,
and keyring's own plaintext backend (``keyrings.alt``) is refused too.

:func:`redact` and :class:`RedactingFilter` scrub keys out of text that quotes
a server or ends up in a log.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import Literal

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from playground.core.errors import KeyStoreError, MissingKeyError, NotFoundError
from playground.core.provider_config import BUILTIN_PROVIDERS, ProviderConfig
from playground.core.redact import MASK, redact

__all__ = [
    "MASK",
    "SERVICE",
    "KeySource",
    "KeyStore",
    "RedactingFilter",
    "clean_key",
    "install_redaction",
    "redact",
]

log = logging.getLogger(__name__)

#: The keyring service name; the user name is the provider config's name.
SERVICE = "playground"
#: What a redacted secret is replaced with.

KeySource = Literal["keyring", "environment"]

# Backends that cannot keep a key: keyring's "no backend" and "disabled"
# placeholders, and keyrings.alt's plaintext file, which is exactly the
# fallback we promise never to use.
_UNUSABLE_BACKENDS = {
    "keyring.backends.fail.Keyring": "none",
    "keyring.backends.null.Keyring": "disabled",
    "keyrings.alt.file.PlaintextKeyring": "plaintext file",
}


def _qualified_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _builtin_env_vars() -> str:
    names = [c.key_env for c in BUILTIN_PROVIDERS if c.key_env]
    return " and ".join(names)


def clean_key(key: str, provider: str) -> str:
    """``key`` without surrounding white space; :class:`KeyStoreError` when it is empty
    or has white space inside (a pasted ``Bearer ...`` or two lines), never echoing it."""
    key = key.strip()
    if not key:
        raise KeyStoreError(f"The key for {provider} is empty, so nothing was stored.")
    if any(ch.isspace() for ch in key):
        raise KeyStoreError(
            "The key contains spaces or line breaks, so it was not stored; "
            "paste only the key itself."
        )
    return key


class KeyStore:
    """Where API keys are looked up, stored and deleted.

    ``backend`` is a keyring backend to use instead of the process-wide one
    (``keyring.get_keyring()``), and ``environ`` a mapping to read instead of
    ``os.environ``; tests pass both. Keys handed out or stored are remembered
    in memory only, so a :class:`RedactingFilter` built on this store can mask
    them; they never appear in ``repr``.
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._backend = keyring.get_keyring() if backend is None else backend
        self._environ: Mapping[str, str] = os.environ if environ is None else environ
        # Set when the backend turns out to have no keyring behind it only on use
        # (a chainer with nothing to chain, say), so later calls skip it.
        self._no_keyring = False
        self._seen: set[str] = set()

    def __repr__(self) -> str:
        return f"<KeyStore backend={self.backend_name()!r} available={self.available()}>"

    # ------------------------------------------------------------ the backend

    def backend_name(self) -> str:
        """A display name for the keyring backend, e.g. ``SecretService Keyring``."""
        unusable = _UNUSABLE_BACKENDS.get(_qualified_name(self._backend))
        if unusable is not None:
            return unusable
        name = getattr(type(self._backend), "name", None)
        return name if isinstance(name, str) else type(self._backend).__name__

    def available(self) -> bool:
        """Whether keys can be stored in (and read from) a system keyring here."""
        return not self._no_keyring and _qualified_name(self._backend) not in _UNUSABLE_BACKENDS

    @property
    def warning(self) -> str | None:
        """Why there is no keyring, in one sentence for a status line; ``None`` when there is."""
        if self.available():
            return None
        kind = self.backend_name()
        if kind == "plaintext file":
            why = (
                "The configured keyring backend keeps keys in a plain text file, "
                "which Prompt Playground does not use"
            )
        elif kind == "disabled":
            why = "The system keyring is disabled here"
        else:
            why = "No system keyring is available here"
        return (
            f"{why}, so keys come only from environment variables (such as {_builtin_env_vars()})."
        )

    # ------------------------------------------------------------ reading

    def get(self, config: ProviderConfig) -> str | None:
        """The key for ``config``: from the keyring, else its environment variable, else None."""
        found = self._lookup(config)
        return None if found is None else found[0]

    def source(self, config: ProviderConfig) -> KeySource | None:
        """Where :meth:`get` would find the key (never the key itself), or ``None``."""
        found = self._lookup(config)
        return None if found is None else found[1]

    def require(self, config: ProviderConfig) -> str | None:
        """The key for ``config``, or ``None`` when it needs none and none is set.

        Raise :class:`MissingKeyError` with what to do when a needed key is missing.
        """
        key = self.get(config)
        if key is not None or not config.key_required:
            return key
        raise MissingKeyError(config.display_name, self.missing_key_message(config))

    def missing_key_message(self, config: ProviderConfig) -> str:
        """What to tell a user whose provider has no key: the settings dialog and the variable."""
        who = config.display_name
        command = f"`playground keys set {config.name}`"
        if not self.available():
            if config.key_env:
                return (
                    f"No key for {who}. No system keyring is available here, so set "
                    f"{config.key_env} in the environment (Settings → Keys and {command} "
                    "need a keyring)."
                )
            return (
                f"No key for {who}. No system keyring is available here, and {who} reads no "
                "environment variable: give it one with `playground providers add "
                f"{config.name} --key-env VAR ...` and set that variable."
            )
        if config.key_env:
            return (
                f"No key for {who}. Set it in Settings → Keys, run {command}, "
                f"or set {config.key_env}."
            )
        return (
            f"No key for {who}. Set it in Settings → Keys or run {command} "
            "(or give the provider an environment variable with `playground providers add "
            f"{config.name} --key-env VAR ...`)."
        )

    def _lookup(self, config: ProviderConfig) -> tuple[str, KeySource] | None:
        try:
            key = self._from_keyring(config.name)
        except KeyStoreError:
            # A locked or broken keyring should not stop a user who also set the
            # variable; without one there is nothing to fall back to.
            env_key = self._from_environment(config)
            if env_key is None:
                raise
            log.warning(
                "the keyring could not be read for %s; using %s", config.name, config.key_env
            )
            return env_key, "environment"
        if key is not None:
            return key, "keyring"
        env_key = self._from_environment(config)
        return None if env_key is None else (env_key, "environment")

    def _from_environment(self, config: ProviderConfig) -> str | None:
        if not config.key_env:
            return None
        key = self._environ.get(config.key_env, "").strip()
        if not key:
            return None
        self._seen.add(key)
        return key

    def _from_keyring(self, name: str) -> str | None:
        if not self.available():
            return None
        try:
            key = self._backend.get_password(SERVICE, name)
        except keyring.errors.NoKeyringError:
            self._no_keyring = True
            return None
        except keyring.errors.KeyringError as exc:
            raise KeyStoreError(
                f"The system keyring ({self.backend_name()}) could not be read "
                f"({_describe(exc)}). Unlock it and try again."
            ) from None
        if key is None or not key.strip():
            return None
        key = key.strip()
        self._seen.add(key)
        return key

    # ------------------------------------------------------------ writing

    def stored(self, provider: ProviderConfig | str) -> bool:
        """Whether the keyring holds a key for this provider (the environment is not asked)."""
        name, _ = _name_and_env(provider)
        return self._from_keyring(name) is not None

    def check_can_store(self, provider: ProviderConfig | str) -> None:
        """Raise the :class:`KeyStoreError` :meth:`set` would for want of a keyring.

        Call it before asking someone to type a key that could not be kept.
        """
        if not self.available():
            raise KeyStoreError(self._no_keyring_to_store(*_name_and_env(provider)))

    def set(self, provider: ProviderConfig | str, key: str) -> None:
        """Store ``key`` for a provider (a config or its name) in the system keyring.

        Raise :class:`KeyStoreError` when there is no keyring, naming the
        environment variable to use instead; nothing is written anywhere else.
        """
        name, env = _name_and_env(provider)
        key = clean_key(key, name)
        # Known before the backend sees it, so a backend that fails with the key
        # in its message is redacted in the log too.
        self._seen.add(key)
        self.check_can_store(provider)
        try:
            self._backend.set_password(SERVICE, name, key)
        except keyring.errors.NoKeyringError:
            self._no_keyring = True
            raise KeyStoreError(self._no_keyring_to_store(name, env)) from None
        except keyring.errors.KeyringError as exc:
            raise KeyStoreError(
                f"The system keyring ({self.backend_name()}) could not store the key for "
                f"{name} ({_describe(exc, key)})."
            ) from None

    def delete(self, provider: ProviderConfig | str) -> None:
        """Remove the stored key of a provider; :class:`NotFoundError` when none is stored."""
        name, env = _name_and_env(provider)
        if not self.available():
            raise KeyStoreError(
                f"No system keyring is available here, so no key for {name} is stored "
                "in one." + (f" To stop using a key, unset {env}." if env else "")
            )
        if self._from_keyring(name) is None:
            if not self.available():
                raise KeyStoreError(
                    f"No system keyring is available here to delete {name}'s key from."
                )
            hint = f" (A key in {env} comes from the environment; unset it there.)" if env else ""
            raise NotFoundError(f"No key for {name} is stored in the keyring.{hint}")
        try:
            self._backend.delete_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise KeyStoreError(
                f"The system keyring ({self.backend_name()}) could not delete the key for "
                f"{name} ({_describe(exc)})."
            ) from None

    def _no_keyring_to_store(self, name: str, env: str | None) -> str:
        if env:
            instead = f"Set {env} in the environment instead."
        else:
            instead = (
                f"Give {name} an environment variable with "
                f"`playground providers add {name} --key-env VAR ...` and set that instead."
            )
        return (
            f"No system keyring is available here, so the key for {name} was not stored. {instead}"
        )

    # ------------------------------------------------------------ redaction

    def known_secrets(self) -> frozenset[str]:
        """Every key this store has read or stored so far, for redaction. Never log these."""
        return frozenset(self._seen)


def _name_and_env(provider: ProviderConfig | str) -> tuple[str, str | None]:
    if isinstance(provider, ProviderConfig):
        return provider.name, provider.key_env
    builtin = {c.name: c.key_env for c in BUILTIN_PROVIDERS}
    return provider, builtin.get(provider)


def _describe(exc: BaseException, *secrets: str) -> str:
    text = redact(str(exc), secrets).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class RedactingFilter(logging.Filter):
    """A logging filter that masks keys in records' messages, arguments and tracebacks.

    Give it a :class:`KeyStore` (whose keys it asks for at each record, so keys
    read later are covered too) or a fixed collection of secrets. Filters on a
    logger only see records logged on that very logger, so install it on the
    *handlers* to cover child loggers as well::

        for handler in logging.getLogger("playground").handlers:
            handler.addFilter(RedactingFilter(keystore))
    """

    def __init__(self, source: KeyStore | Iterable[str]) -> None:
        super().__init__()
        self._store: KeyStore | None
        self._fixed: frozenset[str]
        if isinstance(source, KeyStore):
            self._store, self._fixed = source, frozenset()
        else:
            self._store, self._fixed = None, frozenset(source)

    def _secrets(self) -> frozenset[str]:
        return self._store.known_secrets() if self._store is not None else self._fixed

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets()
        try:
            message = record.getMessage()
        except Exception:
            # Arguments that do not fit the format: logging would print them raw
            # when it reports the problem, so drop them.
            message = f"{record.msg!s} (log arguments dropped: they did not fit the message)"
        record.msg = redact(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


def install_redaction(source: KeyStore | Iterable[str], logger_name: str = "playground") -> None:
    """Put a :class:`RedactingFilter` for ``source`` on every handler of the named logger.

    A filter installed earlier by this function is replaced, so calling it
    once per command (or per KeyStore) does not pile filters up.
    """
    logger = logging.getLogger(logger_name)
    for handler in logger.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(RedactingFilter(source))
