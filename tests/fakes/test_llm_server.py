"""Proof that the fake LLM server is faithful: the real OpenAI and Anthropic SDKs drive it.

Every test talks to the server through an unmodified SDK client (or a raw socket, where the
point is the server itself).  The SDK behaviour asserted here is what provider code must
handle, so a change in an SDK release shows up as a failure in this file first.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import openai
import pytest

from tests.fakes.llm_server import FakeLLMServer, Script, tokenize, unused_port

OPENAI_KEY = "sk-test-openai-0123456789"
ANTHROPIC_KEY = "sk-ant-test-0123456789"
MESSAGES = [{"role": "user", "content": "Say hello"}]  # two prompt tokens
REPO = Path(__file__).resolve().parents[2]
# Each SDK client builds its own SSL context (~70 ms) though the loopback server never uses
# TLS; sharing one through the public http_client option keeps the suite fast.
SHARED_SSL = ssl.create_default_context()


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as running:
        yield running


def openai_client(server: Any, **options: Any) -> openai.AsyncOpenAI:
    http_client = openai.DefaultAsyncHttpxClient(verify=SHARED_SSL)
    options = {"api_key": OPENAI_KEY, "max_retries": 0, "timeout": 5.0, **options}
    return openai.AsyncOpenAI(base_url=server.openai_base_url, http_client=http_client, **options)


def anthropic_client(server: Any, **options: Any) -> anthropic.AsyncAnthropic:
    http_client = anthropic.DefaultAsyncHttpxClient(verify=SHARED_SSL)
    options = {"api_key": ANTHROPIC_KEY, "max_retries": 0, "timeout": 5.0, **options}
    return anthropic.AsyncAnthropic(
        base_url=server.anthropic_base_url, http_client=http_client, **options
    )


async def openai_chunks(client: openai.AsyncOpenAI, model: str, **params: Any) -> list[Any]:
    """Stream a chat completion and return every chunk."""
    chunks = []
    async with client:
        stream = await client.chat.completions.create(
            model=model, messages=MESSAGES, stream=True, **params
        )
        async for chunk in stream:
            chunks.append(chunk)
    return chunks


def openai_text(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


async def anthropic_stream(
    client: anthropic.AsyncAnthropic, model: str, **params: Any
) -> tuple[list[str], Any]:
    """Stream with the SDK's messages.stream helper; return the text deltas and final message."""
    params = {"max_tokens": 100, **params}
    async with client, client.messages.stream(model=model, messages=MESSAGES, **params) as stream:
        texts = [text async for text in stream.text_stream]
        return texts, await stream.get_final_message()


def openai_create(server: FakeLLMServer, model: str, **params: Any) -> Any:
    async def call() -> Any:
        async with openai_client(server) as client:
            return await client.chat.completions.create(model=model, messages=MESSAGES, **params)

    return asyncio.run(call())


def anthropic_create(server: FakeLLMServer, model: str, **params: Any) -> Any:
    async def call() -> Any:
        async with anthropic_client(server) as client:
            params.setdefault("max_tokens", 100)
            return await client.messages.create(model=model, messages=MESSAGES, **params)

    return asyncio.run(call())


# ---------------------------------------------------------------------------- lifecycle


def test_server_binds_an_ephemeral_loopback_port_and_frees_it_on_exit() -> None:
    with FakeLLMServer() as server:
        port = server.port
        assert port != 0
        assert server.openai_base_url == f"http://127.0.0.1:{port}/v1"
        assert server.anthropic_base_url == f"http://127.0.0.1:{port}"
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_stop_is_prompt_while_a_stream_is_stalled() -> None:
    server = FakeLLMServer().start()
    server.script("slow", stall_after=1, stall_for=30)
    body = json.dumps({"model": "slow", "messages": MESSAGES, "stream": True}).encode()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            conn.sendall(
                b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            received = b""
            while b"Hello" not in received:
                received += conn.recv(4096)
            started = time.monotonic()
            server.stop()
            assert time.monotonic() - started < 2
            assert b"[DONE]" not in received
    finally:
        server.stop()


def test_unused_port_gives_connection_errors_in_both_sdks() -> None:
    port = unused_port()

    class Nowhere:
        openai_base_url = f"http://127.0.0.1:{port}/v1"
        anthropic_base_url = f"http://127.0.0.1:{port}"

    with pytest.raises(openai.APIConnectionError) as openai_error:
        asyncio.run(openai_chunks(openai_client(Nowhere), "m"))
    with pytest.raises(anthropic.APIConnectionError) as anthropic_error:
        asyncio.run(anthropic_stream(anthropic_client(Nowhere), "m"))
    for error in (openai_error.value, anthropic_error.value):
        assert str(error) == "Connection error."
        assert isinstance(error.__cause__, httpx2.ConnectError)


def test_runs_standalone_for_benchmarks() -> None:
    command = [sys.executable, "-m", "tests.fakes.llm_server", "--port", "0", "--text", "Bench."]
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            urls = json.loads(process.stdout.readline())
            client = openai.OpenAI(base_url=urls["openai_base_url"], api_key="k", max_retries=0)
            with client:
                reply = client.chat.completions.create(model="any", messages=MESSAGES)
            assert reply.choices[0].message.content == "Bench."
        finally:
            process.terminate()
            process.wait(timeout=5)


def test_sync_clients_work_too(server: FakeLLMServer) -> None:
    with openai.OpenAI(base_url=server.openai_base_url, api_key=OPENAI_KEY) as client:
        stream = client.chat.completions.create(model="gpt-sync", messages=MESSAGES, stream=True)
        assert openai_text(list(stream)) == "Hello from gpt-sync."
    with anthropic.Anthropic(base_url=server.anthropic_base_url, api_key=ANTHROPIC_KEY) as client:
        message = client.messages.create(model="claude-sync", max_tokens=10, messages=MESSAGES)
        assert message.content[0].text == "Hello from claude-sync."


# ---------------------------------------------------------------------------- OpenAI


def test_openai_stream_has_role_chunk_text_finish_and_usage_chunk(server: FakeLLMServer) -> None:
    chunks = asyncio.run(
        openai_chunks(openai_client(server), "gpt-test", stream_options={"include_usage": True})
    )

    first, *middle, finish, usage = chunks
    assert first.choices[0].delta.role == "assistant"
    assert first.choices[0].delta.content == ""
    assert [c.choices[0].delta.content for c in middle] == ["Hello ", "from ", "gpt-test."]
    assert all(c.choices[0].finish_reason is None and c.usage is None for c in middle)
    assert finish.choices[0].finish_reason == "stop"
    assert usage.choices == []
    assert (usage.usage.prompt_tokens, usage.usage.completion_tokens) == (2, 3)
    assert usage.usage.total_tokens == 5
    assert len({c.id for c in chunks}) == 1

    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert request.api_key == OPENAI_KEY
    assert request.body["stream_options"] == {"include_usage": True}


def test_openai_stream_without_include_usage_ends_at_finish(server: FakeLLMServer) -> None:
    chunks = asyncio.run(openai_chunks(openai_client(server), "gpt-test"))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks)


def test_openai_usage_false_omits_usage_like_local_servers(server: FakeLLMServer) -> None:
    server.script("local", usage=False)
    chunks = asyncio.run(
        openai_chunks(openai_client(server), "local", stream_options={"include_usage": True})
    )
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices and c.usage is None for c in chunks)
    assert openai_create(server, "local").usage is None


@pytest.mark.parametrize("limit_param", ["max_completion_tokens", "max_tokens"])
def test_openai_max_tokens_cuts_text_with_finish_length(
    server: FakeLLMServer, limit_param: str
) -> None:
    server.script("gpt-long", text="one two three four five", chunks=2)
    chunks = asyncio.run(
        openai_chunks(
            openai_client(server),
            "gpt-long",
            stream_options={"include_usage": True},
            **{limit_param: 3},
        )
    )
    assert [c.choices[0].delta.content for c in chunks[1:3]] == ["one two", " three "]
    assert chunks[-2].choices[0].finish_reason == "length"
    assert chunks[-1].usage.completion_tokens == 3


def test_openai_non_streaming_completion_records_response_format(server: FakeLLMServer) -> None:
    server.script("gpt-json", text='{"answer": 42}', prompt_tokens=11, completion_tokens=7)
    schema = {"name": "answer", "schema": {"type": "object"}, "strict": True}
    reply = openai_create(
        server, "gpt-json", response_format={"type": "json_schema", "json_schema": schema}
    )
    assert reply.object == "chat.completion"
    assert reply.choices[0].message.role == "assistant"
    assert reply.choices[0].message.content == '{"answer": 42}'
    assert reply.choices[0].finish_reason == "stop"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (11, 7)
    assert reply.usage.total_tokens == 18
    assert server.requests[0].body["response_format"]["json_schema"] == schema


def test_openai_models_list_and_retrieve(server: FakeLLMServer) -> None:
    server.script("gpt-a")
    server.script("gpt-b")

    async def call() -> tuple[list[Any], Any]:
        async with openai_client(server) as client:
            page = await client.models.list()
            return page.data, await client.models.retrieve("gpt-b")

    models, retrieved = asyncio.run(call())
    assert [m.id for m in models] == ["gpt-a", "gpt-b"]
    assert all(m.object == "model" and m.owned_by and m.created > 0 for m in models)
    assert retrieved.id == "gpt-b"
    assert server.requests[0].path == "/v1/models"
    assert "anthropic-version" not in server.requests[0].headers


# ---------------------------------------------------------------------------- Anthropic


def test_anthropic_stream_yields_text_and_final_message_with_usage(
    server: FakeLLMServer,
) -> None:
    texts, message = asyncio.run(anthropic_stream(anthropic_client(server), "claude-test"))

    assert texts == ["Hello ", "from ", "claude-test."]
    assert message.content[0].text == "Hello from claude-test."
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (2, 3)
    [request] = server.requests
    assert request.path == "/v1/messages"
    # anthropic 2.x sends api_key as a bearer token, not x-api-key
    assert request.headers["authorization"] == f"Bearer {ANTHROPIC_KEY}"
    assert "anthropic-version" in request.headers


def test_anthropic_raw_event_sequence(server: FakeLLMServer) -> None:
    server.script("claude-raw", text="a b", first_chunk_delay=0.01)

    async def call() -> list[Any]:
        async with anthropic_client(server) as client:
            stream = await client.messages.create(
                model="claude-raw", max_tokens=10, messages=MESSAGES, stream=True
            )
            return [event async for event in stream]

    events = asyncio.run(call())
    # The SDK drops the ping event itself.
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[0].message.usage.input_tokens == 2
    assert [e.delta.text for e in events[2:4]] == ["a ", "b"]
    assert events[5].delta.stop_reason == "end_turn"
    assert events[5].usage.output_tokens == 2


def test_anthropic_max_tokens_stop_reason(server: FakeLLMServer) -> None:
    server.script("claude-long", text="one two three four")
    texts, message = asyncio.run(
        anthropic_stream(anthropic_client(server), "claude-long", max_tokens=2)
    )
    assert "".join(texts) == "one two "
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 2
    assert anthropic_create(server, "claude-long", max_tokens=2).stop_reason == "max_tokens"


def test_anthropic_non_streaming_message(server: FakeLLMServer) -> None:
    message = anthropic_create(server, "claude-test", system="Be brief")
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.content[0].text == "Hello from claude-test."
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (4, 3)


FORCED_TOOL = {
    "tools": [{"name": "answer", "input_schema": {"type": "object"}}],
    "tool_choice": {"type": "tool", "name": "answer"},
}


def test_anthropic_forced_tool_streams_input_json(server: FakeLLMServer) -> None:
    server.script("claude-tool", text='{"answer": [1, 2], "ok": true}', chunks=4)

    async def call() -> tuple[list[str], Any]:
        async with (
            anthropic_client(server) as client,
            client.messages.stream(
                model="claude-tool", max_tokens=100, messages=MESSAGES, **FORCED_TOOL
            ) as stream,
        ):
            partial = [e.partial_json async for e in stream if e.type == "input_json"]
            return partial, await stream.get_final_message()

    partial, message = asyncio.run(call())
    assert "".join(partial) == '{"answer": [1, 2], "ok": true}'
    assert len(partial) == 4
    [block] = message.content
    assert (block.type, block.name, block.input) == (
        "tool_use",
        "answer",
        {"answer": [1, 2], "ok": True},
    )
    assert message.stop_reason == "tool_use"

    whole = anthropic_create(server, "claude-tool", **FORCED_TOOL)
    assert whole.content[0].input == {"answer": [1, 2], "ok": True}
    assert whole.stop_reason == "tool_use"


def test_anthropic_forced_tool_needs_json_text(server: FakeLLMServer) -> None:
    with pytest.raises(anthropic.InternalServerError, match="must be JSON"):
        anthropic_create(server, "claude-prose", **FORCED_TOOL)


def test_anthropic_models_list_pages_through_every_model(server: FakeLLMServer) -> None:
    for model in ("claude-a", "claude-b", "claude-c"):
        server.script(model)

    async def call() -> list[Any]:
        async with anthropic_client(server) as client:
            return [m async for m in client.models.list(limit=2)]

    models = asyncio.run(call())
    assert [m.id for m in models] == ["claude-a", "claude-b", "claude-c"]
    assert models[0].type == "model"
    assert models[0].display_name == "Claude A"
    assert models[0].created_at.year == 2025
    assert [r.path.partition("?")[0] for r in server.requests] == ["/v1/models"] * 2
    assert "after_id=claude-b" in server.requests[1].path


# ---------------------------------------------------------------------------- auth and models


def test_require_key_rejects_other_keys(server: FakeLLMServer) -> None:
    server.require_key = OPENAI_KEY
    assert openai_create(server, "gpt-test").choices[0].message.content
    server.require_key = "sk-the-only-valid-key"
    with pytest.raises(openai.AuthenticationError) as openai_error:
        openai_create(server, "gpt-test")
    with pytest.raises(anthropic.AuthenticationError) as anthropic_error:
        anthropic_create(server, "claude-test")
    # Like the real service, OpenAI echoes a masked key: our redaction must cope with it.
    assert OPENAI_KEY not in str(openai_error.value)
    assert "sk-*" in str(openai_error.value)
    assert openai_error.value.code == "invalid_api_key"
    assert anthropic_error.value.type == "authentication_error"


def test_strict_models_answers_unscripted_models_with_not_found(server: FakeLLMServer) -> None:
    server.strict_models = True
    server.script("known")
    assert openai_create(server, "known").choices[0].message.content == "Hello from known."
    with pytest.raises(openai.NotFoundError, match="`unknown` does not exist"):
        openai_create(server, "unknown")
    with pytest.raises(anthropic.NotFoundError, match="model: unknown"):
        anthropic_create(server, "unknown")


# ---------------------------------------------------------------------------- HTTP faults

HTTP_FAULTS = [
    # fault, OpenAI status and class, Anthropic status and class
    ("invalid_key", 401, openai.AuthenticationError, 401, anthropic.AuthenticationError),
    ("permission", 403, openai.PermissionDeniedError, 403, anthropic.PermissionDeniedError),
    ("not_found", 404, openai.NotFoundError, 404, anthropic.NotFoundError),
    ("rate_limit", 429, openai.RateLimitError, 429, anthropic.RateLimitError),
    ("quota", 429, openai.RateLimitError, 429, anthropic.EnforcedSpendLimitReachedError),
    ("server_error", 500, openai.InternalServerError, 500, anthropic.InternalServerError),
    ("overloaded", 503, openai.InternalServerError, 529, anthropic.OverloadedError),
]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize(
    ("fault", "openai_status", "openai_class", "anthropic_status", "anthropic_class"),
    HTTP_FAULTS,
    ids=[f[0] for f in HTTP_FAULTS],
)
def test_http_fault_raises_the_sdk_exception(
    server: FakeLLMServer,
    fault: str,
    openai_status: int,
    openai_class: type[Exception],
    anthropic_status: int,
    anthropic_class: type[Exception],
    stream: bool,
) -> None:
    server.script("m", fault=fault)
    with pytest.raises(openai_class) as openai_error:
        openai_create(server, "m", stream=stream)
    with pytest.raises(anthropic_class) as anthropic_error:
        anthropic_create(server, "m", stream=stream)
    assert openai_error.value.status_code == openai_status
    assert anthropic_error.value.status_code == anthropic_status
    assert openai_error.value.request_id.startswith("req_")
    assert anthropic_error.value.request_id.startswith("req_")
    assert server.attempts("m") == 2  # max_retries=0: one attempt per SDK


def test_quota_codes_identify_the_cause(server: FakeLLMServer) -> None:
    server.script("m", fault="quota")
    with pytest.raises(openai.RateLimitError) as openai_error:
        openai_create(server, "m")
    with pytest.raises(anthropic.RateLimitError) as anthropic_error:
        anthropic_create(server, "m")
    assert (openai_error.value.code, openai_error.value.type) == ("insufficient_quota",) * 2
    assert anthropic_error.value.error_code == "enforced_spend_limit_reached"


@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_retry_after_is_honoured_by_sdk_retries(server: FakeLLMServer, sdk: str) -> None:
    server.script("m", fault="rate_limit", fail_times=2, retry_after=0.2)
    started = time.monotonic()
    if sdk == "openai":
        chunks = asyncio.run(openai_chunks(openai_client(server, max_retries=2), "m"))
        assert openai_text(chunks) == "Hello from m."
    else:
        texts, _ = asyncio.run(anthropic_stream(anthropic_client(server, max_retries=2), "m"))
        assert "".join(texts) == "Hello from m."
    elapsed = time.monotonic() - started

    assert server.attempts("m") == 3
    assert [r.headers["x-stainless-retry-count"] for r in server.requests] == ["0", "1", "2"]
    gaps = [b.received_at - a.received_at for a, b in itertools.pairwise(server.requests)]
    assert all(gap >= 0.19 for gap in gaps), gaps
    # The SDKs' own backoff would wait at least 0.375 s and then 0.75 s.
    assert sum(gaps) < 1.1, gaps
    assert elapsed < 2


@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_retry_after_ms_wins_over_retry_after(server: FakeLLMServer, sdk: str) -> None:
    server.script("m", fault="server_error", fail_times=1, retry_after=60, retry_after_ms=100)
    started = time.monotonic()
    if sdk == "openai":
        assert openai_text(asyncio.run(openai_chunks(openai_client(server, max_retries=1), "m")))
    else:
        assert asyncio.run(anthropic_stream(anthropic_client(server, max_retries=1), "m"))[0]
    assert time.monotonic() - started < 1.5
    assert server.attempts("m") == 2


def test_quota_never_succeeds_though_the_sdks_retry_it(server: FakeLLMServer) -> None:
    server.script("m", fault="quota", retry_after=0.05)
    with pytest.raises(openai.RateLimitError):
        asyncio.run(openai_chunks(openai_client(server, max_retries=1), "m"))
    assert server.attempts("m") == 2
    with pytest.raises(anthropic.RateLimitError):
        asyncio.run(anthropic_stream(anthropic_client(server, max_retries=1), "m"))
    assert server.attempts("m") == 4


# ---------------------------------------------------------------------------- stream faults


def test_stall_times_out_and_anthropic_leaks_the_httpx2_error(server: FakeLLMServer) -> None:
    server.script("m", stall_after=1, stall_for=30)
    received: list[str] = []

    async def openai_call() -> None:
        async with openai_client(server, timeout=0.3) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            async for chunk in stream:
                received.append(chunk.choices[0].delta.content)

    async def anthropic_call() -> None:
        async with (
            anthropic_client(server, timeout=0.3) as client,
            client.messages.stream(model="m", max_tokens=10, messages=MESSAGES) as stream,
        ):
            async for text in stream.text_stream:
                received.append(text)

    with pytest.raises(openai.APITimeoutError, match="Request timed out"):
        asyncio.run(openai_call())
    # anthropic 2.x does not wrap errors raised while reading the SSE body
    with pytest.raises(httpx2.ReadTimeout):
        asyncio.run(anthropic_call())
    assert received == ["", "Hello ", "Hello "]


def test_stall_before_a_whole_reply_times_out(server: FakeLLMServer) -> None:
    server.script("m", stall_after=0, stall_for=30)

    async def call() -> None:
        async with openai_client(server, timeout=0.3) as client:
            await client.chat.completions.create(model="m", messages=MESSAGES)

    async def anthropic_call() -> None:
        async with anthropic_client(server, timeout=0.3) as client:
            await client.messages.create(model="m", max_tokens=10, messages=MESSAGES)

    with pytest.raises(openai.APITimeoutError):
        asyncio.run(call())
    with pytest.raises(anthropic.APITimeoutError):
        asyncio.run(anthropic_call())


def test_truncated_chunked_stream_is_a_connection_error(server: FakeLLMServer) -> None:
    server.script("m", truncate_after=2)
    with pytest.raises(openai.APIConnectionError) as openai_error:
        asyncio.run(openai_chunks(openai_client(server), "m"))
    with pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"):
        asyncio.run(anthropic_stream(anthropic_client(server), "m"))
    assert isinstance(openai_error.value.__cause__, httpx2.RemoteProtocolError)


def test_truncated_whole_reply_is_a_connection_error(server: FakeLLMServer) -> None:
    server.script("m", truncate_after=0)
    with pytest.raises(openai.APIConnectionError):
        openai_create(server, "m")
    with pytest.raises(anthropic.APIConnectionError):
        anthropic_create(server, "m")


def test_truncated_close_delimited_stream_ends_silently(server: FakeLLMServer) -> None:
    """Without chunked framing a cut stream looks complete: only the end marker is missing."""
    server.script("m", truncate_after=2, framing="close")
    chunks = asyncio.run(
        openai_chunks(openai_client(server), "m", stream_options={"include_usage": True})
    )
    assert openai_text(chunks) == "Hello from "
    assert all(c.choices[0].finish_reason is None for c in chunks)

    texts, message = asyncio.run(anthropic_stream(anthropic_client(server), "m"))
    assert texts == ["Hello ", "from "]
    assert message.stop_reason is None


def test_close_delimited_stream_completes_normally(server: FakeLLMServer) -> None:
    server.script("m", framing="close")
    chunks = asyncio.run(openai_chunks(openai_client(server), "m"))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert asyncio.run(anthropic_stream(anthropic_client(server), "m"))[1].stop_reason == "end_turn"


def test_mid_stream_error_event(server: FakeLLMServer) -> None:
    server.script("m", error_after=1)
    with pytest.raises(openai.APIError) as openai_error:
        asyncio.run(openai_chunks(openai_client(server), "m"))
    with pytest.raises(anthropic.APIStatusError) as anthropic_error:
        asyncio.run(anthropic_stream(anthropic_client(server), "m"))

    # OpenAI: a plain APIError, not a status error, built from the error object.
    assert type(openai_error.value) is openai.APIError
    assert openai_error.value.type == "server_error"
    assert "Sorry about that" in openai_error.value.message
    # Anthropic: the base APIStatusError carrying the 200 of the stream, not OverloadedError.
    error = anthropic_error.value
    assert type(error) is anthropic.APIStatusError
    assert error.status_code == 200
    assert error.type == "overloaded_error"
    assert error.api_message == "Overloaded"


def test_malformed_json_chunk_raises_json_decode_error(server: FakeLLMServer) -> None:
    server.script("m", malformed_after=1)
    with pytest.raises(json.JSONDecodeError):
        asyncio.run(openai_chunks(openai_client(server), "m"))
    with pytest.raises(json.JSONDecodeError):
        asyncio.run(anthropic_stream(anthropic_client(server), "m"))
    with pytest.raises(json.JSONDecodeError):
        openai_create(server, "m")
    with pytest.raises(json.JSONDecodeError):
        anthropic_create(server, "m")


@pytest.mark.parametrize(
    ("crlf", "no_space"),
    [(True, False), (False, True), (True, True)],
    ids=["crlf", "nospace", "both"],
)
def test_sse_line_variants_parse_to_the_same_text(
    server: FakeLLMServer, crlf: bool, no_space: bool
) -> None:
    server.script("m", text="Odd framing, same text.", crlf=crlf, no_space=no_space)
    chunks = asyncio.run(openai_chunks(openai_client(server), "m"))
    assert openai_text(chunks) == "Odd framing, same text."
    assert chunks[-1].choices[0].finish_reason == "stop"
    texts, message = asyncio.run(anthropic_stream(anthropic_client(server), "m"))
    assert "".join(texts) == "Odd framing, same text."
    assert message.stop_reason == "end_turn"


def test_delays_pace_the_stream(server: FakeLLMServer) -> None:
    server.script("m", text="a b c", first_chunk_delay=0.15, chunk_delay=0.05)
    arrivals: list[float] = []

    async def call() -> None:
        async with openai_client(server) as client:
            started = time.monotonic()
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            async for chunk in stream:
                if chunk.choices[0].delta.content:
                    arrivals.append(time.monotonic() - started)

    asyncio.run(call())
    assert len(arrivals) == 3
    assert 0.14 <= arrivals[0] < 1
    assert arrivals[2] - arrivals[0] >= 0.09


# ---------------------------------------------------------------------------- scripting API


def test_a_crash_in_the_fake_fails_loudly() -> None:
    with pytest.raises(RuntimeError, match="handler crashed"), FakeLLMServer() as server:  # noqa: PT012
        server.script("m", text=123)
        with pytest.raises(openai.APIConnectionError):
            openai_create(server, "m")


def test_script_accepts_a_dataclass_plus_overrides(server: FakeLLMServer) -> None:
    base = Script(text="Base.", chunks=1)
    assert server.script("m", base, chunk_delay=0.01) == Script(
        text="Base.", chunks=1, chunk_delay=0.01
    )
    assert server.models == ["m"]
    server.reset()
    assert (server.models, server.requests, server.attempts("m")) == ([], [], 0)


@pytest.mark.parametrize(
    "options", [{"fault": "teapot"}, {"chunks": 0}, {"chunk_delay": -1}, {"framing": "h2"}]
)
def test_script_rejects_nonsense(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        Script(**options)


@pytest.mark.parametrize("text", ["", "one", "  lead and trail  ", "a\nb\tc  d"])
def test_tokenize_round_trips(text: str) -> None:
    assert "".join(tokenize(text)) == text
