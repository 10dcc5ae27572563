"""Provider configurations: which server to talk to, with which protocol.

A :class:`ProviderConfig` is plain data: a name the user picks, the wire
protocol (``kind``), an optional base URL, the environment variable that may
hold its key, and default model ids. Configurations live in the store; keys
never do (see ``playground.keystore``). The built-in ones below always exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from playground.core.errors import PlaygroundError

__all__ = [
    "BUILTIN_PROVIDERS",
    "KINDS",
    "ProviderConfig",
    "ProviderKind",
    "parse_target_spec",
    "validate_provider_name",
]

ProviderKind = Literal["openai", "anthropic", "openai-compatible"]
KINDS: tuple[ProviderKind, ...] = get_args(ProviderKind)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class ProviderConfig:
    """How to reach one provider.

    ``base_url`` ``None`` means the SDK's default, which honours
    ``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL``. ``key_env`` names the
    environment variable consulted after the keyring. ``key_required`` is
    false for local servers, which usually accept any key or none.
    """

    name: str
    kind: ProviderKind
    base_url: str | None = None
    key_env: str | None = None
    default_models: tuple[str, ...] = ()
    key_required: bool = True
    builtin: bool = False

    @property
    def display_name(self) -> str:
        return {
            "openai": "OpenAI",
            "anthropic": "Anthropic",
            "ollama": "Ollama",
            "lmstudio": "LM Studio",
            "llamacpp": "llama.cpp server",
            "vllm": "vLLM",
        }.get(self.name, self.name)


def _local(name: str, port: int) -> ProviderConfig:
    return ProviderConfig(
        name=name,
        kind="openai-compatible",
        base_url=f"http://localhost:{port}/v1",
        key_env=None,
        key_required=False,
        builtin=True,
    )


#: Always present; a stored configuration with the same name overrides one.
BUILTIN_PROVIDERS: tuple[ProviderConfig, ...] = (
    ProviderConfig("openai", "openai", key_env="OPENAI_API_KEY", builtin=True),
    ProviderConfig("anthropic", "anthropic", key_env="ANTHROPIC_API_KEY", builtin=True),
    _local("ollama", 11434),
    _local("lmstudio", 1234),
    _local("llamacpp", 8080),
    _local("vllm", 8000),
)


def validate_provider_name(name: str) -> str:
    """A provider name: lower-case letters, digits, ``-``, ``_``, ``.``; no colon."""
    if not _NAME.match(name):
        raise PlaygroundError(
            f"'{name}' is not a valid provider name: use 1 to 40 lower-case letters, digits, "
            "'-', '_' or '.', starting with a letter or digit (no ':')"
        )
    return name


def parse_target_spec(spec: str) -> tuple[str, str]:
    """``PROVIDER:MODEL`` split at the *first* colon: ``ollama:llama3.2:3b`` works."""
    provider, sep, model = spec.partition(":")
    if not sep or not provider.strip() or not model.strip():
        raise PlaygroundError(
            f"'{spec}' is not a target: write PROVIDER:MODEL, e.g. openai:gpt-4o-mini "
            "or ollama:llama3.2:3b"
        )
    return provider.strip(), model.strip()
