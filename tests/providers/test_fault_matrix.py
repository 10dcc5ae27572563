"""Every fault the fake server can inject, through both protocols, to the right error.

Each failure must raise the right ProviderError subclass with a message that
names the provider and never contains the key; retryable ones are retried by
``Provider.stream`` (with a Retrying event) only before any text was shown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from playground.core.document import Parameters, Target
from playground.core.errors import (
    AuthenticationError,
    BadRequestError,
    ConnectionFailedError,
    MalformedStreamError,
    ModelNotFoundError,
    OverloadedError,
    PermissionDeniedError,
    ProviderError,
    QuotaExhaustedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
)
from playground.core.events import Finished, Retrying, TextDelta
from playground.core.provider_config import ProviderConfig
from playground.providers import anthropic_messages, openai_chat
from playground.providers.base import Timeouts
from playground.providers.errors import ErrorContext, from_status, parse_retry_after, redact
from tests.fakes.llm_server import FAULTS, FakeLLMServer, unused_port
from tests.providers.conftest import KEY, REQUEST, Dialect, Outcome, make_provider, run

IDLE = Timeouts(connect=2.0, idle=0.3)


def failed(outcome: Outcome, error_class: type[ProviderError], dialect: Dialect) -> ProviderError:
    """The outcome's error, checked for its class, the provider's name and the key's absence."""
    error = outcome.error
    assert isinstance(error, error_class), f"{type(error).__name__}: {error}"
    assert error.provider == dialect.display_name
    message = str(error)
    assert dialect.display_name in message
    assert KEY not in message
    assert "SECRET" not in message
    return error


# ---------------------------------------------------------------------------- HTTP errors


def test_401_says_where_to_set_the_key(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", fault="invalid_key")
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    error = failed(outcome, AuthenticationError, dialect)
    assert str(error) == (
        f"{dialect.display_name} rejected the key — "
        f"set it in Settings → Keys or in {dialect.key_env}."
    )
    assert error.status == 401
    assert server.attempts("m") == 1


def test_a_key_the_server_refuses(server: FakeLLMServer, dialect: Dialect) -> None:
    server.require_key = "sk-the-only-good-key-0000"
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    failed(outcome, AuthenticationError, dialect)
    assert len(server.requests) == 1


def test_403_is_permission_denied(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", fault="permission")
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    error = failed(outcome, PermissionDeniedError, dialect)
    assert error.status == 403
    assert "model 'm'" in str(error)
    assert server.attempts("m") == 1


@pytest.mark.parametrize("how", ["unscripted", "scripted"])
def test_404_unknown_model_points_at_the_model_list(
    server: FakeLLMServer, dialect: Dialect, how: str
) -> None:
    if how == "scripted":
        server.script("no-such-model", fault="not_found")
    else:
        server.strict_models = True
    outcome = run(make_provider(dialect.config(server), max_retries=2), "no-such-model")

    error = failed(outcome, ModelNotFoundError, dialect)
    assert str(error) == (
        f"{dialect.display_name} has no model 'no-such-model' — check the model id; "
        f"`playground providers test {dialect.kind}` lists the models."
    )
    assert server.attempts("no-such-model") == 1


def test_404_at_a_wrong_address_points_at_the_base_url(
    server: FakeLLMServer, dialect: Dialect
) -> None:
    config = dialect.config(server, base_url=server.url + "/wrong")
    outcome = run(make_provider(config))

    error = failed(outcome, BadRequestError, dialect)
    assert error.status == 404
    assert f"has nothing at {server.url}/wrong" in str(error)
    assert "check the provider's base URL" in str(error)


def test_429_with_retry_after_is_retried_after_that_wait(
    server: FakeLLMServer, dialect: Dialect
) -> None:
    server.script("m", fault="rate_limit", fail_times=1, retry_after=0.2)
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    assert outcome.error is None
    [retrying] = outcome.of(Retrying)
    assert outcome.events[0] is retrying
    assert (retrying.attempt, retrying.wait_s) == (2, 0.2)
    assert dialect.display_name in retrying.reason
    assert KEY not in retrying.reason
    assert outcome.text == "Hello from m."
    assert server.attempts("m") == 2
    first, second = server.requests
    assert second.received_at - first.received_at >= 0.19


def test_retry_after_ms_wins_over_retry_after(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", fault="rate_limit", fail_times=1, retry_after=60, retry_after_ms=150)
    outcome = run(make_provider(dialect.config(server), max_retries=1))

    assert outcome.error is None
    assert [(r.attempt, r.wait_s) for r in outcome.of(Retrying)] == [(2, 0.15)]


def test_429_rate_limit_carries_retry_after_when_retries_run_out(
    server: FakeLLMServer, dialect: Dialect
) -> None:
    server.script("m", fault="rate_limit", retry_after=0.05)
    outcome = run(make_provider(dialect.config(server), max_retries=1))

    error = failed(outcome, RateLimitedError, dialect)
    assert isinstance(error, RateLimitedError)
    assert (error.status, error.retry_after) == (429, 0.05)
    assert server.attempts("m") == 2


def test_429_quota_is_not_retried(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", fault="quota", retry_after=0.05)
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    error = failed(outcome, QuotaExhaustedError, dialect)
    assert "retrying will not help" in str(error)
    assert outcome.of(Retrying) == []
    assert server.attempts("m") == 1


def test_500_is_retried_then_succeeds(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", fault="server_error", fail_times=1)
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    assert outcome.error is None
    [retrying] = outcome.of(Retrying)
    assert retrying.attempt == 2
    assert 0.3 <= retrying.wait_s <= 0.7  # the first backoff: 0.5 s with jitter
    assert outcome.text == "Hello from m."
    assert server.attempts("m") == 2


def test_500_without_retries_is_a_server_error(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", fault="server_error")
    outcome = run(make_provider(dialect.config(server)))

    error = failed(outcome, ServerError, dialect)
    assert error.status == 500
    assert error.retryable


def test_overloaded_is_its_own_retryable_error(server: FakeLLMServer, dialect: Dialect) -> None:
    # Anthropic's 529 (overloaded_error), OpenAI's 503.
    server.script("m", fault="overloaded", fail_times=1)
    provider = make_provider(dialect.config(server))

    error = failed(run(provider), OverloadedError, dialect)
    assert error.status == (529 if dialect.kind == "anthropic" else 503)
    assert error.retryable
    assert run(provider).text == "Hello from m."  # the fault hit only the first attempt


# ---------------------------------------------------------------------------- the network


def test_connection_refused_asks_whether_the_server_runs(dialect: Dialect) -> None:
    port = unused_port()
    base_url = f"http://127.0.0.1:{port}" + ("" if dialect.kind == "anthropic" else "/v1")
    outcome = run(make_provider(dialect.config(None, base_url=base_url)))

    error = failed(outcome, ConnectionFailedError, dialect)
    assert str(error) == f"Nothing is listening at {base_url} — is {dialect.display_name} running?"
    assert error.retryable


def test_a_stream_that_stalls_times_out_and_keeps_its_text(
    server: FakeLLMServer, dialect: Dialect
) -> None:
    server.script("m", stall_after=1, stall_for=5)
    outcome = run(make_provider(dialect.config(server), max_retries=2, timeouts=IDLE))

    error = failed(outcome, RequestTimeoutError, dialect)
    assert "stopped sending for 0.3 s" in str(error)
    assert outcome.text == "Hello "
    assert server.attempts("m") == 1  # text was shown, so no retry


def test_a_server_that_never_answers_times_out(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", stall_after=0, stall_for=5)
    outcome = run(make_provider(dialect.config(server), timeouts=IDLE))

    error = failed(outcome, RequestTimeoutError, dialect)
    assert error.retryable
    assert outcome.text == ""


def test_a_chunked_stream_cut_mid_body_is_malformed(
    server: FakeLLMServer, dialect: Dialect
) -> None:
    server.script("m", truncate_after=2)
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    error = failed(outcome, MalformedStreamError, dialect)
    assert "cut off before it finished" in str(error)
    assert outcome.text == "Hello from "
    assert server.attempts("m") == 1


def test_a_close_delimited_stream_without_its_end_is_malformed(
    server: FakeLLMServer, dialect: Dialect
) -> None:
    server.script("m", truncate_after=2, framing="close")
    outcome = run(make_provider(dialect.config(server)))

    error = failed(outcome, MalformedStreamError, dialect)
    assert "ended before it finished" in str(error)
    assert outcome.text == "Hello from "


def test_a_close_delimited_stream_that_finishes_is_fine(
    server: FakeLLMServer, dialect: Dialect
) -> None:
    server.script("m", framing="close")
    outcome = run(make_provider(dialect.config(server)))

    assert outcome.error is None
    assert outcome.text == "Hello from m."
    assert outcome.of(Finished) == [Finished("stop")]


@pytest.mark.parametrize(
    ("crlf", "no_space"),
    [(True, False), (False, True), (True, True)],
    ids=["crlf", "nospace", "both"],
)
def test_sse_line_variants_parse_to_the_same_answer(
    server: FakeLLMServer, dialect: Dialect, crlf: bool, no_space: bool
) -> None:
    server.script("m", text="Odd framing, same text.", crlf=crlf, no_space=no_space)
    outcome = run(make_provider(dialect.config(server)))

    assert outcome.error is None
    assert outcome.text == "Odd framing, same text."
    assert outcome.events[-1] == Finished("stop")


# ---------------------------------------------------------------------------- broken streams


def test_an_error_event_mid_stream(server: FakeLLMServer, dialect: Dialect) -> None:
    # Anthropic sends `event: error` (overloaded_error); OpenAI a data chunk with an error.
    server.script("m", error_after=1)
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    expected = OverloadedError if dialect.kind == "anthropic" else ServerError
    error = failed(outcome, expected, dialect)
    assert "reported mid-answer" in str(error)
    assert error.status is None
    assert outcome.text == "Hello "
    assert server.attempts("m") == 1


def test_a_malformed_json_chunk(server: FakeLLMServer, dialect: Dialect) -> None:
    server.script("m", malformed_after=1)
    outcome = run(make_provider(dialect.config(server), max_retries=2))

    error = failed(outcome, MalformedStreamError, dialect)
    assert "not valid JSON" in str(error)
    assert outcome.text == "Hello "


# ---------------------------------------------------------------------------- cancellation


def record_clients(dialect: Dialect, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every SDK client the provider module's factory makes, from now on."""
    module: Any = anthropic_messages if dialect.kind == "anthropic" else openai_chat
    clients: list[Any] = []
    real_make_client = module.make_client

    def recording_make_client(*args: Any) -> Any:
        clients.append(real_make_client(*args))
        return clients[-1]

    monkeypatch.setattr(module, "make_client", recording_make_client)
    return clients


def test_cancelling_propagates_and_closes_the_client(
    server: FakeLLMServer, dialect: Dialect, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script("m", text="a b c d e f g h", chunk_delay=0.2)
    clients = record_clients(dialect, monkeypatch)
    provider = make_provider(dialect.config(server))
    target = Target(dialect.kind, "m", Parameters())
    seen: list[str] = []

    async def main() -> None:
        first_text = asyncio.Event()

        async def consume() -> None:
            async for event in provider.stream(REQUEST, target, KEY):
                if isinstance(event, TextDelta):
                    seen.append(event.text)
                    first_text.set()

        task = asyncio.create_task(consume())
        await first_text.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert seen == ["a "]
    [client] = clients
    assert client.is_closed()


def test_a_consumer_that_stops_early_closes_the_client_at_once(
    server: FakeLLMServer, dialect: Dialect, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script("m", text="a b c d e f g h", chunk_delay=0.05)
    clients = record_clients(dialect, monkeypatch)
    provider = make_provider(dialect.config(server))
    target = Target(dialect.kind, "m", Parameters())

    async def main() -> bool:
        events = provider.stream(REQUEST, target, KEY)
        async for event in events:
            if isinstance(event, TextDelta):
                break
        await events.aclose()
        return bool(clients[0].is_closed())

    assert asyncio.run(main())


# ---------------------------------------------------------------------------- the pieces


CTX = ErrorContext(
    config=ProviderConfig("anthropic", "anthropic", key_env="ANTHROPIC_API_KEY"),
    base_url="https://api.anthropic.com",
    model="claude-x",
    key=KEY,
)


@pytest.mark.parametrize(
    ("status", "error_type", "error_code", "expected"),
    [
        (402, "billing_error", None, QuotaExhaustedError),
        (400, "billing_error", None, QuotaExhaustedError),
        (429, "rate_limit_error", "contract_spend_limit_reached", QuotaExhaustedError),
        (429, "rate_limit_error", "ramp_limit_exceeded", RateLimitedError),
        (None, "insufficient_quota", "insufficient_quota", QuotaExhaustedError),
        (None, "api_error", None, ServerError),
        (None, "overloaded_error", None, OverloadedError),
        (None, "rate_limit_error", None, RateLimitedError),
        (None, "invalid_request_error", None, BadRequestError),
        (None, None, None, ServerError),
        (422, None, None, BadRequestError),
        (408, None, None, RequestTimeoutError),
        (502, None, None, ServerError),
        (503, None, None, OverloadedError),
    ],
)
def test_status_and_type_mapping(
    status: int | None, error_type: str | None, error_code: str | None, expected: type
) -> None:
    error = from_status(CTX, status, "details", error_type=error_type, error_code=error_code)
    assert type(error) is expected
    assert error.provider == "Anthropic"


def test_a_key_the_server_quotes_back_is_masked() -> None:
    error = from_status(CTX, 400, f"bad header: Authorization: Bearer {KEY}; also {KEY}")
    assert KEY not in str(error)
    assert "***" in str(error)
    assert str(error).startswith("Anthropic refused the request (HTTP 400: bad header:")


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (f"key {KEY} rejected", KEY, "key *** rejected"),
        ("Incorrect API key provided: sk-tes*****cdef.", KEY, "Incorrect API key provided: ***"),
        ("Bearer abc.def", None, "***"),
        ("nothing secret here", KEY, "nothing secret here"),
        ("local-key-1 leaked", "local-key-1", "*** leaked"),
    ],
)
def test_redact(text: str, key: str | None, expected: str) -> None:
    assert redact(text, key) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "20"}, 20.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "1500", "retry-after": "60"}, 1.5),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:30 GMT"}, 30.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:27:00 GMT"}, 0.0),  # already past
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after(headers, now=now) == expected


def test_error_context_repr_hides_the_key() -> None:
    assert KEY not in repr(CTX)


def test_every_fault_of_the_fake_is_covered_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert [fault for fault in FAULTS if f'fault="{fault}"' not in source] == []
