"""``Provider.stream``'s shared behaviour, driven by an in-process provider.

No server and no SDK: each attempt of :class:`ScriptedProvider` plays the next
script, yielding its events and raising its errors, so the retry rules, the
usage estimate and the schema check are tested on their own. Tests that meet a
long wait stop at the ``Retrying`` event and close the stream instead of
sleeping through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence

import pytest

from playground.core.document import Target
from playground.core.errors import (
    AuthenticationError,
    ProviderError,
    QuotaExhaustedError,
    RateLimitedError,
    ServerError,
)
from playground.core.events import (
    Finished,
    Retrying,
    SchemaChecked,
    StreamEvent,
    TextDelta,
    Usage,
)
from playground.core.provider_config import ProviderConfig
from playground.core.request import ChatMessage, RenderedRequest
from playground.providers.base import DEFAULT_MAX_RETRIES, MAX_RETRY_WAIT_S, Provider

# 8 characters of prompt (2 tokens) plus 4 tokens of framing for the one message.
REQUEST = RenderedRequest(system="", messages=(ChatMessage("user", "abcdefgh"),))
ESTIMATED_INPUT_TOKENS = 6
TARGET = Target("scripted", "model-1")
SCHEMA_TARGET = Target(
    "scripted",
    "model-1",
    json_schema_text=Target.schema_text(
        {"type": "object", "properties": {"reply": {"type": "string"}}, "required": ["reply"]}
    ),
)
ANSWER = (TextDelta("Hello"), Usage(10, 2), Finished("stop"))

Script = Sequence[StreamEvent | ProviderError]


class ScriptedProvider(Provider):
    """Attempt ``n`` plays ``scripts[n - 1]``: events are yielded, errors raised."""

    kind = "openai-compatible"

    def __init__(self, *scripts: Script, max_retries: int = DEFAULT_MAX_RETRIES) -> None:
        super().__init__(ProviderConfig("scripted", "openai-compatible"), max_retries=max_retries)
        self._scripts = scripts
        self.attempts = 0

    async def _attempt(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncGenerator[StreamEvent, None]:
        script = self._scripts[self.attempts]
        self.attempts += 1
        for item in script:
            if isinstance(item, ProviderError):
                raise item
            yield item

    async def list_models(self, key: str | None) -> list[str]:
        return []


def _collect(provider: Provider, target: Target = TARGET) -> list[StreamEvent]:
    async def main() -> list[StreamEvent]:
        return [event async for event in provider.stream(REQUEST, target, None)]

    return asyncio.run(main())


def _collect_until_error(provider: Provider, seen: list[StreamEvent]) -> None:
    """Stream into ``seen``; whatever the stream raises propagates."""

    async def main() -> None:
        async for event in provider.stream(REQUEST, TARGET, None):
            seen.append(event)

    asyncio.run(main())


def _first_retry(provider: Provider) -> Retrying:
    """The first Retrying event; the stream is closed there, so its wait never runs."""

    async def main() -> Retrying:
        events = provider.stream(REQUEST, TARGET, None)
        try:
            async for event in events:
                if isinstance(event, Retrying):
                    return event
        finally:
            await events.aclose()
        raise AssertionError("the stream ended without a Retrying event")

    return asyncio.run(main())


def _rate_limited(retry_after: float | None) -> RateLimitedError:
    return RateLimitedError("Scripted", "Too many requests.", retry_after=retry_after)


# ---------------------------------------------------------------- how long to wait


def test_retry_after_is_capped_at_the_maximum_wait() -> None:
    provider = ScriptedProvider([_rate_limited(100)], ANSWER)
    retrying = _first_retry(provider)
    assert MAX_RETRY_WAIT_S == 30.0
    assert retrying.attempt == 2
    assert retrying.wait_s == 30.0
    assert provider.attempts == 1


def test_short_retry_after_is_honoured_then_the_answer_streams() -> None:
    error = _rate_limited(0.05)
    provider = ScriptedProvider([error], ANSWER)
    events = _collect(provider)
    assert events == [
        Retrying(attempt=2, wait_s=0.05, reason=str(error)),
        TextDelta("Hello"),
        Usage(10, 2),
        Finished("stop"),
    ]
    assert provider.attempts == 2


def test_backoff_without_retry_after_is_half_a_second_with_jitter() -> None:
    waits = set()
    for _ in range(20):
        provider = ScriptedProvider([ServerError("Scripted", "Bad gateway.", status=502)], ANSWER)
        retrying = _first_retry(provider)
        assert retrying.attempt == 2
        assert 0.375 <= retrying.wait_s <= 0.625
        waits.add(retrying.wait_s)
    # Jitter spreads parallel panes out: twenty first retries do not all wait alike.
    assert len(waits) > 1


# ---------------------------------------------------------------- what is not retried


@pytest.mark.parametrize(
    "error",
    [
        AuthenticationError("Scripted", "The key was rejected.", status=401),
        QuotaExhaustedError("Scripted", "Out of credit.", status=429),
    ],
    ids=["authentication", "quota"],
)
def test_authentication_and_quota_errors_are_never_retried(error: ProviderError) -> None:
    provider = ScriptedProvider([error], ANSWER)
    seen: list[StreamEvent] = []
    with pytest.raises(type(error)) as info:
        _collect_until_error(provider, seen)
    assert info.value is error
    assert seen == []
    assert provider.attempts == 1


def test_a_retryable_error_after_text_is_raised_not_retried() -> None:
    error = ServerError("Scripted", "The stream broke.", status=500)
    provider = ScriptedProvider([TextDelta("Hel"), error], ANSWER)
    seen: list[StreamEvent] = []
    with pytest.raises(ServerError) as info:
        _collect_until_error(provider, seen)
    assert info.value is error
    assert seen == [TextDelta("Hel")]
    assert provider.attempts == 1


def test_no_retries_allowed_raises_at_once() -> None:
    error = _rate_limited(0.0)
    provider = ScriptedProvider([error], ANSWER, max_retries=0)
    seen: list[StreamEvent] = []
    with pytest.raises(RateLimitedError) as info:
        _collect_until_error(provider, seen)
    assert info.value is error
    assert seen == []
    assert provider.attempts == 1


def test_retries_stop_after_max_retries() -> None:
    errors = [_rate_limited(0.0) for _ in range(3)]
    provider = ScriptedProvider(*([e] for e in errors), ANSWER, max_retries=2)
    seen: list[StreamEvent] = []
    with pytest.raises(RateLimitedError) as info:
        _collect_until_error(provider, seen)
    assert info.value is errors[2]
    assert [e.attempt for e in seen if isinstance(e, Retrying)] == [2, 3]
    assert provider.attempts == 3


# ---------------------------------------------------------------- usage estimate


def test_missing_usage_is_estimated_before_finished() -> None:
    provider = ScriptedProvider([TextDelta("abcd"), TextDelta("efghijkl"), Finished("stop")])
    assert _collect(provider) == [
        TextDelta("abcd"),
        TextDelta("efghijkl"),
        Usage(ESTIMATED_INPUT_TOKENS, 3, estimated=True),
        Finished("stop"),
    ]


def test_missing_usage_and_finished_is_estimated_at_the_end() -> None:
    provider = ScriptedProvider([TextDelta("abcdefgh")])
    assert _collect(provider) == [
        TextDelta("abcdefgh"),
        Usage(ESTIMATED_INPUT_TOKENS, 2, estimated=True),
    ]


def test_reported_usage_is_passed_on_and_not_estimated() -> None:
    assert _collect(ScriptedProvider(ANSWER)) == list(ANSWER)


# ---------------------------------------------------------------- schema check


def test_valid_output_is_schema_checked_last() -> None:
    provider = ScriptedProvider([TextDelta('{"reply": '), TextDelta('"hi"}'), Finished("stop")])
    events = _collect(provider, SCHEMA_TARGET)
    assert events[-2:] == [Finished("stop"), SchemaChecked(valid=True)]


def test_invalid_output_is_schema_checked_with_the_violation() -> None:
    provider = ScriptedProvider([TextDelta('{"reply": 3}'), Usage(5, 4), Finished("stop")])
    *_, last = _collect(provider, SCHEMA_TARGET)
    assert isinstance(last, SchemaChecked)
    assert not last.valid
    assert last.error is not None
    assert last.error.startswith("at reply: ")
    assert "'string'" in last.error


def test_no_schema_means_no_schema_check() -> None:
    events = _collect(ScriptedProvider([TextDelta('{"reply": 3}'), Finished("stop")]))
    assert not any(isinstance(event, SchemaChecked) for event in events)
