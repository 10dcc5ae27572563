"""Which provider class speaks each protocol, and which models to offer when a server can't say.

:func:`build_provider` turns a :class:`ProviderConfig` into a ready provider.
:func:`available_models` asks the server for its model ids and falls back to
the curated list in ``resources/models.json`` (with the reason) when it cannot
be reached, so a model picker always has something to show.
"""

from __future__ import annotations

import functools
import importlib
import json
from typing import Any

from playground.core.errors import PlaygroundError, ProviderError
from playground.core.provider_config import KINDS, ProviderConfig
from playground.paths import resources_dir
from playground.providers.base import DEFAULT_MAX_RETRIES, Provider, Timeouts

__all__ = ["available_models", "build_provider", "default_models", "provider_class"]

# Module and class per kind. The SDKs are imported only when a provider of
# that kind is first built: `import anthropic` alone takes about a second.
_CLASSES: dict[str, tuple[str, str]] = {
    "openai": ("playground.providers.openai_chat", "OpenAIChatProvider"),
    "openai-compatible": ("playground.providers.openai_chat", "OpenAICompatibleProvider"),
    "anthropic": ("playground.providers.anthropic_messages", "AnthropicMessagesProvider"),
}


def provider_class(kind: str) -> type[Provider]:
    """The provider class for a wire protocol (a :data:`KINDS` value)."""
    try:
        module_name, class_name = _CLASSES[kind]
    except KeyError:
        raise PlaygroundError(
            f"'{kind}' is not a provider kind: expected one of {', '.join(KINDS)}"
        ) from None
    cls = getattr(importlib.import_module(module_name), class_name)
    assert isinstance(cls, type)
    assert issubclass(cls, Provider)
    assert cls.kind == kind
    return cls


def build_provider(
    config: ProviderConfig,
    *,
    timeouts: Timeouts | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> Provider:
    """A provider for ``config``, ready to stream."""
    return provider_class(config.kind)(config, timeouts=timeouts, max_retries=max_retries)


def default_models(config: ProviderConfig) -> list[str]:
    """The config's own default models, then the curated list for its kind or server."""
    curated = _curated()
    if config.kind == "openai-compatible":
        by_server = curated.get("openai-compatible", {})
        listed = by_server.get(config.name, []) if isinstance(by_server, dict) else []
    else:
        listed = curated.get(config.kind, [])
    return list(dict.fromkeys([*config.default_models, *_strings(listed)]))


async def available_models(provider: Provider, key: str | None) -> tuple[list[str], str | None]:
    """The server's model ids and ``None``; or the curated list and why the server didn't say."""
    try:
        return await provider.list_models(key), None
    except ProviderError as exc:
        return default_models(provider.config), str(exc)


@functools.cache
def _curated() -> dict[str, Any]:
    path = resources_dir() / "models.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object")
    return data


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
