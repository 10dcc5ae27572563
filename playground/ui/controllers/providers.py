"""Providers and their keys as the settings dialog and the panes see them.

Plain Python (no Qt): the dialog asks this controller for rows of plain data
and sends changes back through it. Configurations live in the store, keys in
the keystore (the system keyring, with environment variables as the fallback);
a key passes through here on its way to the keyring and is never kept,
logged or put into error text.
"""

from __future__ import annotations

import logging
import re
import weakref
from dataclasses import dataclass, replace

from playground.core.errors import KeyStoreError, PlaygroundError, ProviderError
from playground.core.provider_config import BUILTIN_PROVIDERS, ProviderConfig
from playground.keystore import KeySource, KeyStore, redact
from playground.providers.base import DEFAULT_MAX_RETRIES
from playground.providers.registry import default_models
from playground.run_host import ModelsRequest, RunHost
from playground.running import effective_base_url
from playground.store import Store
from playground.store.provider_configs import normalize_provider_config

__all__ = ["TEST_TIMEOUT_S", "ProviderRow", "ProvidersController"]

log = logging.getLogger("playground.ui")

#: Seconds "Test connection" waits to connect and for the answer.
TEST_TIMEOUT_S = 10.0
# A model picker should not hang on a server that is down: shorter waits.
_MODELS_CONNECT_S = 5.0
_MODELS_IDLE_S = 10.0

_BUILTINS = {c.name: c for c in BUILTIN_PROVIDERS}
_PRESETS = tuple(c for c in BUILTIN_PROVIDERS if c.kind == "openai-compatible")


@dataclass(frozen=True)
class ProviderRow:
    """One provider as the settings dialog lists it. Never holds a key."""

    name: str
    kind: str
    display_name: str
    base_url: str | None
    builtin: bool  # one of the built-in providers: it can be reset, not removed
    key_required: bool
    key_env: str | None
    key_status: str  # "Key in keyring", "Key from $OPENAI_API_KEY", "No key needed", "No key"
    has_key: bool
    #: "keyring", "environment" or None.
    key_source: str | None = None
    #: A built-in whose settings the user changed (so "Reset" applies).
    overridden: bool = False
    #: Where requests go when ``base_url`` is None (the SDK's default address).
    effective_url: str | None = None
    #: Why the key's whereabouts are unknown (a locked keyring), if they are.
    key_problem: str | None = None


class ProvidersController:
    """Lists, adds, edits and tests providers, and stores or deletes their keys."""

    def __init__(self, store: Store, keys: KeyStore, *, host: RunHost | None = None) -> None:
        """``host`` asks the servers (the SDKs live in the run process); one of its own
        is started when needed if none is given."""
        self._store = store
        self._keys = keys
        if host is None:
            host = RunHost()
            weakref.finalize(self, host.close)
        self._host = host

    # ------------------------------------------------------------ reading

    def providers(self) -> list[ProviderRow]:
        """Every provider: OpenAI, Anthropic, the local presets, then the user's servers."""
        return [self._row(config) for config in self._store.provider_configs()]

    def provider(self, name: str) -> ProviderRow:
        """One provider by name; :class:`NotFoundError` when there is none."""
        return self._row(self._store.provider_config(name))

    def provider_names(self) -> list[str]:
        return [config.name for config in self._store.provider_configs()]

    def presets(self) -> list[ProviderConfig]:
        """The OpenAI-compatible servers there are presets for, with their usual local URLs."""
        return list(_PRESETS)

    def keyring_available(self) -> bool:
        return self._keys.available()

    def keyring_warning(self) -> str | None:
        """``None`` with a usable keyring; else why there is none and which variables to set."""
        warning = self._keys.warning
        if warning is None:
            return None
        variables = [
            f"{c.display_name} reads ${c.key_env}"
            for c in self._store.provider_configs()
            if c.key_env
        ]
        if not variables:
            return warning
        return (
            f"{warning} Keys cannot be saved here. Set the variable before starting "
            f"Prompt Playground: {'; '.join(variables)}."
        )

    # ------------------------------------------------------------ keys

    def save_key(self, name: str, key: str) -> None:
        """Store ``key`` for provider ``name`` in the system keyring (and nowhere else)."""
        self._keys.set(self._store.provider_config(name), key)

    def delete_key(self, name: str) -> None:
        """Remove provider ``name``'s key from the keyring; :class:`NotFoundError` if none."""
        self._keys.delete(self._store.provider_config(name))

    # ------------------------------------------------------------ servers

    def save_server(
        self,
        name: str,
        *,
        preset: str | None,
        base_url: str,
        key_required: bool,
        key_env: str | None = None,
    ) -> ProviderRow:
        """Add or change an OpenAI-compatible server, or change a built-in's URL.

        ``preset`` (``"ollama"``, ``"lmstudio"``... or ``None`` for a custom
        server) fills in an empty URL and seeds a new server's fallback model
        list. A server that needs a key reads it from the keyring, then from
        ``key_env``, which defaults to ``NAME_API_KEY``. For OpenAI and
        Anthropic only the URL changes (empty: the SDK's default).
        """
        name = name.strip()
        preset_config = self._preset(preset)
        url = base_url.strip() or (preset_config.base_url if preset_config else "") or ""
        existing = self._existing(name)
        if existing is not None and existing.kind != "openai-compatible":
            config = replace(existing, base_url=url or None)
        else:
            env = (key_env or "").strip() or (existing.key_env if existing else None)
            if key_required and env is None:
                env = default_key_env(name)
            models = existing.default_models if existing is not None else ()
            if existing is None and preset_config is not None:
                models = tuple(default_models(preset_config))
            config = ProviderConfig(
                name=name,
                kind="openai-compatible",
                base_url=url or None,
                key_env=env if key_required else None,
                default_models=models,
            )
        saved = self._store.save_provider_config(config)
        return self._row(saved)

    def remove_server(self, name: str) -> None:
        """Remove a server the user added (and its stored key), or reset a changed built-in."""
        self._store.remove_provider_config(name)
        if name in _BUILTINS:
            return
        # The dialog is the only place a key can be seen to exist, so a key
        # left behind by a removed server could never be found again.
        try:
            if self._keys.available() and self._keys.stored(name):
                self._keys.delete(name)
        except PlaygroundError as exc:
            log.warning("the key of removed provider %s was not deleted: %s", name, exc)

    # ------------------------------------------------------------ the network

    async def test_connection(
        self, name: str, key: str | None = None, *, base_url: str | None = None
    ) -> list[str]:
        """The server's model ids, asked with ``key`` (typed, not saved) or the stored one.

        ``base_url`` tests an address before it is saved. Raises
        :class:`PlaygroundError` (a :class:`ProviderError` for what the server
        or network said) whose message never contains the key.
        """
        config = self._store.provider_config(name)
        if base_url is not None and base_url.strip() != (config.base_url or ""):
            config = normalize_provider_config(replace(config, base_url=base_url))
        typed = key.strip() if key else ""
        secrets = set(self._keys.known_secrets())
        if typed:
            secrets.add(typed)
        try:
            use = typed or self._keys.require(config)
            request = ModelsRequest(
                config, use, TEST_TIMEOUT_S, TEST_TIMEOUT_S, max_retries=DEFAULT_MAX_RETRIES
            )
            return await self._host.list_models(request)
        except ProviderError as exc:
            message = redact(str(exc), secrets)
            if message == str(exc):
                raise
            raise type(exc)(exc.provider, message, status=exc.status) from None
        except PlaygroundError as exc:
            message = redact(str(exc), secrets)
            if message == str(exc):
                raise
            raise PlaygroundError(message) from None

    async def models(self, name: str) -> list[str]:
        """Model ids for a picker: the server's, else the curated list (never a network error)."""
        config = self._store.provider_config(name)
        try:
            key = self._keys.get(config)
        except KeyStoreError as exc:
            log.info("models for %s: %s; offering the curated list", name, exc)
            return default_models(config)
        request = ModelsRequest(config, key, _MODELS_CONNECT_S, _MODELS_IDLE_S)
        try:
            return await self._host.list_models(request)
        except ProviderError as exc:
            log.info("models for %s: %s; offering the curated list", name, exc)
            return default_models(config)

    def default_models(self, name: str) -> list[str]:
        """The curated model ids for a provider, without asking its server."""
        return default_models(self._store.provider_config(name))

    # ------------------------------------------------------------ helpers

    def _existing(self, name: str) -> ProviderConfig | None:
        for config in self._store.provider_configs():
            if config.name == name:
                return config
        return None

    def _preset(self, preset: str | None) -> ProviderConfig | None:
        if preset is None or preset in ("", "custom"):
            return None
        for config in _PRESETS:
            if config.name == preset:
                return config
        names = ", ".join(c.name for c in _PRESETS)
        raise PlaygroundError(f"'{preset}' is not a server preset: use one of {names} or custom")

    def _row(self, config: ProviderConfig) -> ProviderRow:
        source: KeySource | None = None
        problem: str | None = None
        try:
            source = self._keys.source(config)
        except KeyStoreError as exc:
            problem = str(exc)
        if source == "keyring":
            status = "Key in keyring"
        elif source == "environment":
            status = f"Key from ${config.key_env}"
        elif problem is not None:
            status = "Keyring locked"
        elif config.key_required:
            status = "No key"
        else:
            status = "No key needed"
        return ProviderRow(
            name=config.name,
            kind=config.kind,
            display_name=config.display_name,
            base_url=config.base_url,
            builtin=config.name in _BUILTINS,
            key_required=config.key_required,
            key_env=config.key_env,
            key_status=status,
            has_key=source is not None,
            key_source=source,
            overridden=not config.builtin and config.name in _BUILTINS,
            effective_url=effective_base_url(config),
            key_problem=problem,
        )


def default_key_env(name: str) -> str:
    """The environment variable a server named ``name`` reads its key from by default."""
    stem = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "SERVER"
    if stem[0].isdigit():
        stem = f"SERVER_{stem}"
    return f"{stem}_API_KEY"
