"""The registry: protocol -> class, building providers, and the curated model lists."""

from __future__ import annotations

import asyncio
import datetime
import json

import pytest

from playground.core.errors import PlaygroundError
from playground.core.provider_config import BUILTIN_PROVIDERS, KINDS, ProviderConfig
from playground.paths import resources_dir
from playground.providers.anthropic_messages import AnthropicMessagesProvider
from playground.providers.base import Timeouts
from playground.providers.openai_chat import OpenAIChatProvider, OpenAICompatibleProvider
from playground.providers.registry import (
    available_models,
    build_provider,
    default_models,
    provider_class,
)
from tests.fakes.llm_server import FakeLLMServer, unused_port
from tests.providers.conftest import KEY, OPENAI, local_config

CURATED = json.loads((resources_dir() / "models.json").read_text(encoding="utf-8"))


def test_each_kind_has_its_class() -> None:
    assert provider_class("openai") is OpenAIChatProvider
    assert provider_class("openai-compatible") is OpenAICompatibleProvider
    assert provider_class("anthropic") is AnthropicMessagesProvider
    assert all(provider_class(kind).kind == kind for kind in KINDS)


def test_an_unknown_kind_is_a_known_error() -> None:
    with pytest.raises(PlaygroundError, match="'gemini' is not a provider kind: expected one of"):
        provider_class("gemini")


def test_build_provider_passes_config_timeouts_and_retries() -> None:
    config = ProviderConfig("lab", "openai-compatible", base_url="http://gpu-box:8000/v1")
    timeouts = Timeouts(connect=3.0, idle=90.0)
    provider = build_provider(config, timeouts=timeouts, max_retries=5)

    assert isinstance(provider, OpenAICompatibleProvider)
    assert (provider.config, provider.timeouts, provider.max_retries) == (config, timeouts, 5)


@pytest.mark.parametrize("config", BUILTIN_PROVIDERS, ids=lambda c: c.name)
def test_every_builtin_builds(config: ProviderConfig) -> None:
    assert build_provider(config).kind == config.kind


def test_models_json_is_well_formed() -> None:
    datetime.date.fromisoformat(CURATED["checked"])
    lists = [CURATED["openai"], CURATED["anthropic"], *CURATED["openai-compatible"].values()]
    for models in lists:
        assert all(isinstance(m, str) and m.strip() == m and m for m in models)
        assert len(set(models)) == len(models)
    assert CURATED["openai"]
    assert CURATED["anthropic"]
    compatible = {c.name for c in BUILTIN_PROVIDERS if c.kind == "openai-compatible"}
    assert set(CURATED["openai-compatible"]) == compatible


@pytest.mark.parametrize("name", ["openai", "anthropic", "ollama"])
def test_default_models_come_from_the_curated_list(name: str) -> None:
    [config] = [c for c in BUILTIN_PROVIDERS if c.name == name]
    expected = CURATED[name] if name in CURATED else CURATED["openai-compatible"][name]

    assert default_models(config) == expected
    assert expected


def test_a_configs_own_models_come_first_without_duplicates() -> None:
    first_curated = CURATED["anthropic"][0]
    config = ProviderConfig("anthropic", "anthropic", default_models=("my-tuned", first_curated))

    models = default_models(config)
    assert models[:2] == ["my-tuned", first_curated]
    assert models.count(first_curated) == 1


def test_a_custom_compatible_server_has_only_its_own_models() -> None:
    config = ProviderConfig("lab", "openai-compatible", default_models=("qwen-lab",))
    assert default_models(config) == ["qwen-lab"]


def test_available_models_asks_the_server(server: FakeLLMServer) -> None:
    server.script("gpt-live")
    provider = build_provider(OPENAI.config(server))

    assert asyncio.run(available_models(provider, KEY)) == (["gpt-live"], None)


def test_available_models_falls_back_to_the_curated_list_with_the_reason() -> None:
    config = ProviderConfig(
        "ollama",
        "openai-compatible",
        base_url=f"http://127.0.0.1:{unused_port()}/v1",
        key_required=False,
    )
    models, reason = asyncio.run(available_models(build_provider(config, max_retries=0), None))

    assert models == CURATED["openai-compatible"]["ollama"]
    assert reason == f"Nothing is listening at {config.base_url} — is Ollama running?"


def test_available_models_reports_a_rejected_key(server: FakeLLMServer) -> None:
    server.require_key = "sk-other-0000000000"
    provider = build_provider(local_config(server))

    models, reason = asyncio.run(available_models(provider, "wrong-key"))
    assert models == CURATED["openai-compatible"]["ollama"]
    assert reason == "Ollama rejected the key — set it in Settings → Keys."
