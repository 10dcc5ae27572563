"""Provider tests: a loopback fake server, configs pointing at it, and stream runners.

Tests drive the real SDK clients against ``tests.fakes.llm_server`` through
``base_url`` alone. Sync tests run the async code with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from playground.core.document import Parameters, Target
from playground.core.errors import ProviderError
from playground.core.events import StreamEvent, TextDelta
from playground.core.provider_config import ProviderConfig, ProviderKind
from playground.core.request import ChatMessage, RenderedRequest
from playground.providers.base import Provider, Timeouts
from playground.providers.registry import build_provider
from tests.fakes.llm_server import FakeLLMServer

#: Shaped like a real key, so the redaction of key-like text is exercised too.
KEY = "sk-test-SECRET-0123456789abcdef"
#: The fake counts "Be brief. Say hello" as four prompt tokens.
REQUEST = RenderedRequest(system="Be brief.", messages=(ChatMessage("user", "Say hello"),))
TIMEOUTS = Timeouts(connect=2.0, idle=5.0)


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as running:
        yield running


@dataclass(frozen=True)
class Dialect:
    """One wire protocol as the tests see it: its builtin name and how to reach the fake."""

    kind: ProviderKind
    display_name: str
    key_env: str

    def config(self, server: FakeLLMServer | None, **changes: Any) -> ProviderConfig:
        """The builtin config for this protocol, pointed at ``server`` (None: the default)."""
        base_url = None
        if server is not None:
            base_url = (
                server.anthropic_base_url if self.kind == "anthropic" else server.openai_base_url
            )
        config = ProviderConfig(self.kind, self.kind, base_url=base_url, key_env=self.key_env)
        return dataclasses.replace(config, **changes)


OPENAI = Dialect("openai", "OpenAI", "OPENAI_API_KEY")
ANTHROPIC = Dialect("anthropic", "Anthropic", "ANTHROPIC_API_KEY")


@pytest.fixture(params=[OPENAI, ANTHROPIC], ids=lambda d: d.kind)
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return request.param


def local_config(server: FakeLLMServer) -> ProviderConfig:
    """An Ollama-like server: OpenAI's protocol, no key."""
    return ProviderConfig(
        "ollama", "openai-compatible", base_url=server.openai_base_url, key_required=False
    )


def make_provider(
    config: ProviderConfig, *, max_retries: int = 0, timeouts: Timeouts = TIMEOUTS
) -> Provider:
    return build_provider(config, timeouts=timeouts, max_retries=max_retries)


@dataclass
class Outcome:
    """Every event a stream yielded, and the error that ended it, if one did."""

    events: list[StreamEvent] = field(default_factory=list)
    error: ProviderError | None = None

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, TextDelta))

    def of(self, kind: type) -> list[StreamEvent]:
        return [e for e in self.events if isinstance(e, kind)]


def run(
    provider: Provider,
    model: str = "m",
    *,
    key: str | None = KEY,
    parameters: Parameters | None = None,
    schema_text: str | None = None,
    request: RenderedRequest = REQUEST,
) -> Outcome:
    """Stream one request through ``provider.stream`` (retries included) to its end."""
    target = Target(provider.config.name, model, parameters or Parameters(), schema_text)
    outcome = Outcome()

    async def consume() -> None:
        try:
            async for event in provider.stream(request, target, key):
                outcome.events.append(event)
        except ProviderError as exc:
            outcome.error = exc

    asyncio.run(consume())
    return outcome
