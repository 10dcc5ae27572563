"""Anthropic's Messages protocol, streamed.

One request is one ``messages.create(stream=True)`` call on a fresh SDK client
(built by :func:`make_client`, SDK retries off, closed when the attempt ends
however it ends). The raw events are read directly rather than through the
SDK's ``messages.stream`` helper: that helper rebuilds a snapshot of the whole
message on every event, re-parsing all tool-input JSON so far each time, which
is quadratic in the length of a structured answer and which we never use.

What is sent: the system prompt as the top-level ``system`` (left out when
empty), ``max_tokens`` always (4096 when the target sets none) and
``stop_sequences`` when set. Anthropic's current API (the version the SDK
speaks, 2026-10-21) rejects ``temperature`` and ``top_p`` at any value, so a
target that sets them fails at once with a message saying to clear them;
Anthropic has no ``seed``, so that one is left out.

Structured output is the documented forced-tool approach: one tool,
``respond``, whose ``input_schema`` is the target's schema, and
``tool_choice`` forcing it. The tool input's JSON streams out as the answer text.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from typing import Any, ClassVar

import anthropic
from anthropic.types import MessageParam, ToolChoiceToolParam, ToolParam

from playground.core.document import JSONValue, Target
from playground.core.errors import BadRequestError, ProviderError
from playground.core.events import Finished, StreamEvent, TextDelta, Usage
from playground.core.provider_config import ProviderConfig, ProviderKind
from playground.core.request import RenderedRequest
from playground.providers.base import Provider, Timeouts, sdk_timeout, shared_ssl_context
from playground.providers.errors import (
    TRANSPORT_ERRORS,
    ErrorContext,
    api_key_for,
    ended_early,
    from_status,
    from_transport,
    malformed_json,
    timed_out,
)

__all__ = ["DEFAULT_MAX_TOKENS", "STRUCTURED_TOOL", "AnthropicMessagesProvider", "make_client"]

#: Sent when the target sets no limit: the API requires one.
DEFAULT_MAX_TOKENS = 4096
#: The one tool forced for structured output; its input is the answer.
STRUCTURED_TOOL = "respond"

_STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_use",
    "refusal": "content_filter",
}
_SDK_ERRORS: tuple[type[Exception], ...] = (
    anthropic.APIError,
    json.JSONDecodeError,
    *TRANSPORT_ERRORS,
)


def make_client(config: ProviderConfig, key: str, timeouts: Timeouts) -> anthropic.AsyncAnthropic:
    """An SDK client for one request or listing: no SDK retries, our timeouts, shared TLS.

    ``config.base_url`` ``None`` lets the SDK use ``ANTHROPIC_BASE_URL``, then its default.
    """
    timeout = sdk_timeout(timeouts)
    http_client = anthropic.DefaultAsyncHttpxClient(verify=shared_ssl_context(), timeout=timeout)
    return anthropic.AsyncAnthropic(
        base_url=config.base_url,
        api_key=key,
        max_retries=0,
        timeout=timeout,
        http_client=http_client,
    )


class AnthropicMessagesProvider(Provider):
    """Anthropic's API (or a server speaking its protocol), streamed through Messages."""

    kind: ClassVar[ProviderKind] = "anthropic"

    async def _attempt(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncGenerator[StreamEvent, None]:
        params = self._parameters(request, target)
        structured = "tools" in params
        client = make_client(self.config, api_key_for(self.config, key), self.timeouts)
        ctx = ErrorContext.for_provider(self, client.base_url, target.model, key)
        streaming = False
        try:
            async with client:
                stream = await client.messages.create(
                    model=target.model,
                    messages=_messages(request),
                    stream=True,
                    **params,
                )
                streaming = True
                async with stream:
                    input_tokens: int | None = None
                    output_tokens: int | None = None
                    stop_reason: str | None = None
                    tool_blocks: dict[int, object] = {}  # index -> the input it started with
                    streamed_json: set[int] = set()
                    async for event in stream:
                        if event.type == "message_start":
                            input_tokens = _all_input_tokens(event.message.usage)
                            output_tokens = event.message.usage.output_tokens
                        elif event.type == "content_block_start":
                            block = event.content_block
                            if block.type == "tool_use" and block.name == STRUCTURED_TOOL:
                                tool_blocks[event.index] = block.input
                        elif event.type == "content_block_delta":
                            delta = event.delta
                            if delta.type == "text_delta" and not structured and delta.text:
                                yield TextDelta(delta.text)
                            elif (
                                delta.type == "input_json_delta"
                                and event.index in tool_blocks
                                and delta.partial_json
                            ):
                                streamed_json.add(event.index)
                                yield TextDelta(delta.partial_json)
                        elif event.type == "content_block_stop":
                            if event.index in tool_blocks and event.index not in streamed_json:
                                # The whole input came with the block's start, none as deltas.
                                yield TextDelta(json.dumps(tool_blocks[event.index]))
                        elif event.type == "message_delta":
                            stop_reason = event.delta.stop_reason or stop_reason
                            output_tokens = event.usage.output_tokens
                            if event.usage.input_tokens is not None:
                                input_tokens = _all_input_tokens(event.usage)
                    if stop_reason is None:
                        raise ended_early(ctx)
                    if input_tokens is not None or output_tokens is not None:
                        yield Usage(input_tokens, output_tokens)
                    if structured and stop_reason == "tool_use":
                        # The forced tool is how the answer arrives, not a tool call.
                        yield Finished("stop")
                    else:
                        yield Finished(_STOP_REASONS.get(stop_reason, stop_reason))
        except _SDK_ERRORS as exc:
            raise _provider_error(exc, ctx, streaming=streaming) from None

    async def list_models(self, key: str | None) -> list[str]:
        client = make_client(self.config, api_key_for(self.config, key), self.timeouts)
        ctx = ErrorContext.for_provider(self, client.base_url, None, key)
        try:
            async with client:
                return [model.id async for model in client.models.list(limit=1000)]
        except _SDK_ERRORS as exc:
            raise _provider_error(exc, ctx, streaming=False) from None

    def _parameters(self, request: RenderedRequest, target: Target) -> dict[str, Any]:
        """The request fields besides model and messages; raises for what cannot be sent."""
        p = target.parameters
        refused = [
            label
            for label, value in (("Temperature", p.temperature), ("Top P", p.top_p))
            if value is not None
        ]
        if refused:
            names = " and ".join(refused)
            raise BadRequestError(
                self.name,
                f"{self.name} does not accept {names}: its current API rejects sampling "
                f"parameters at any value. Clear {names} for the target {target.label}.",
            )
        params: dict[str, Any] = {
            "max_tokens": p.max_tokens if p.max_tokens is not None else DEFAULT_MAX_TOKENS
        }
        if request.system:
            params["system"] = request.system
        if p.stop:
            params["stop_sequences"] = list(p.stop)
        schema = target.schema
        if schema is not None:
            params["tools"] = [self._structured_tool(schema, target)]
            choice: ToolChoiceToolParam = {"type": "tool", "name": STRUCTURED_TOOL}
            params["tool_choice"] = choice
        return params

    def _structured_tool(self, schema: Mapping[str, JSONValue], target: Target) -> ToolParam:
        # A tool's input is always a JSON object, so only an object schema can describe it.
        if schema.get("type", "object") != "object":
            raise BadRequestError(
                self.name,
                f"{self.name} can only return a JSON object as structured output, but the "
                f"schema for {target.label} asks for {schema.get('type')!r} at the top level; "
                "wrap it in an object.",
            )
        input_schema: dict[str, object] = dict(schema)
        return {
            "name": STRUCTURED_TOOL,
            "description": "Give the answer, as JSON that follows this schema.",
            "input_schema": input_schema,
        }


def _messages(request: RenderedRequest) -> list[MessageParam]:
    messages: list[MessageParam] = []
    for message in request.messages:
        if message.role == "user":
            messages.append({"role": "user", "content": message.content})
        else:
            messages.append({"role": "assistant", "content": message.content})
    return messages


def _all_input_tokens(usage: anthropic.types.Usage | anthropic.types.MessageDeltaUsage) -> int:
    """Cached prompt tokens too, as OpenAI counts them, so the two compare."""
    return (
        (usage.input_tokens or 0)
        + (usage.cache_creation_input_tokens or 0)
        + (usage.cache_read_input_tokens or 0)
    )


def _provider_error(exc: Exception, ctx: ErrorContext, *, streaming: bool) -> ProviderError:
    if isinstance(exc, anthropic.APIStatusError):
        # Status 200 is an `event: error` inside the stream; its type says what happened.
        return from_status(
            ctx,
            exc.status_code,
            exc.api_message or "",
            error_type=exc.type,
            error_code=exc.error_code,
            headers=exc.response.headers,
        )
    if isinstance(exc, anthropic.APIConnectionError):  # APITimeoutError included
        cause = exc.__cause__
        if isinstance(cause, TRANSPORT_ERRORS):
            return from_transport(ctx, cause, streaming=streaming)
        if isinstance(exc, anthropic.APITimeoutError):
            return timed_out(ctx, streaming=streaming)
        return from_transport(ctx, exc, streaming=streaming)
    if isinstance(exc, anthropic.APIError):
        return from_status(ctx, None, exc.message)
    if isinstance(exc, json.JSONDecodeError):
        return malformed_json(ctx, exc)
    return from_transport(ctx, exc, streaming=streaming)
