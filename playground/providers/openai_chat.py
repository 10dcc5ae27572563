"""OpenAI's Chat Completions protocol: OpenAI itself, and the local servers that copy it.

One request is one streamed ``chat.completions.create`` call on a fresh SDK
client (built by :func:`make_client`, SDK retries off, closed when the attempt
ends however it ends). Only the parameters a target sets are sent. Structured
output uses ``response_format`` ``json_schema``, strict when OpenAI's strict
mode accepts the schema as it is.

The call goes through the SDK's raw streaming response
(``with_streaming_response``): the SDK builds and sends the request and turns
an error status into its exceptions, as for any call, but the event stream is
read here, with :class:`~playground.providers.sse.SSEDataReader` and
``json.loads``. Building the SDK's typed chunk objects costs several times
more CPU per chunk, and eight panes streaming at once on the GUI thread feel it.

Chunks are read leniently, as plain JSON: a chunk with an empty ``choices``
list (the usage chunk, or a keep-alive) is fine, usage may arrive in any chunk
or not at all, fields of the wrong type are read past, and the finish reason is
reported after the usage, whatever order they came in. An ``error`` chunk ends
the answer with that error. A stream that stops without a finish reason was
cut off, and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any, ClassVar, Literal, TypeVar

import openai
from openai import Omit, omit
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from playground.core.document import Target
from playground.core.errors import ProviderError
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
from playground.providers.sse import SSEDataReader

__all__ = [
    "OpenAIChatProvider",
    "OpenAICompatibleProvider",
    "make_client",
    "response_format",
    "strict_compatible",
]

_T = TypeVar("_T")

_FINISH_REASONS = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
}
# JSON Schema keywords OpenAI's strict mode rejects; with any of them, strict is off.
_NOT_STRICT = frozenset(
    {
        "allOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "patternProperties",
        "unevaluatedProperties",
        "propertyNames",
    }
)
#: How long to read on after the answer ended (see ``_drain``).
_DRAIN_S = 0.1
#: What an error chunk that gives no message of its own is reported as.
_STREAM_ERROR = "An error occurred during streaming"
_SDK_ERRORS: tuple[type[Exception], ...] = (
    openai.APIError,
    json.JSONDecodeError,
    *TRANSPORT_ERRORS,
)


def make_client(config: ProviderConfig, key: str, timeouts: Timeouts) -> openai.AsyncOpenAI:
    """An SDK client for one request or listing: no SDK retries, our timeouts, shared TLS.

    ``config.base_url`` ``None`` lets the SDK use ``OPENAI_BASE_URL``, then its default.
    """
    timeout = sdk_timeout(timeouts)
    http_client = openai.DefaultAsyncHttpxClient(verify=shared_ssl_context(), timeout=timeout)
    return openai.AsyncOpenAI(
        base_url=config.base_url,
        api_key=key,
        max_retries=0,
        timeout=timeout,
        http_client=http_client,
    )


class OpenAIChatProvider(Provider):
    """OpenAI's own API, streamed through Chat Completions."""

    kind: ClassVar[ProviderKind] = "openai"
    #: The field that caps the answer. OpenAI's newer models refuse ``max_tokens``.
    max_tokens_field: ClassVar[Literal["max_completion_tokens", "max_tokens"]] = (
        "max_completion_tokens"
    )

    async def _attempt(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncGenerator[StreamEvent, None]:
        client = make_client(self.config, api_key_for(self.config, key), self.timeouts)
        ctx = ErrorContext.for_provider(self, client.base_url, target.model, key)
        streaming = False
        try:
            async with (
                client,
                # The raw response: the SDK still sends the request and raises its
                # status errors, but the body is read here (see the module docstring).
                client.chat.completions.with_streaming_response.create(
                    model=target.model,
                    messages=_messages(request),
                    stream=True,
                    stream_options={"include_usage": True},
                    **self._parameters(target),
                ) as response,
                aclosing(response.iter_bytes()) as body,
            ):
                streaming = True
                reader = SSEDataReader()
                finish: str | None = None
                usage: Usage | None = None
                done = False
                try:
                    async for raw in body:
                        for data in reader.feed(raw):
                            if data.startswith("[DONE]"):
                                done = True
                                break
                            texts, counts, reason = _read_chunk(ctx, data)
                            usage = counts or usage
                            finish = reason or finish
                            for text in texts:
                                yield TextDelta(text)
                        if done:
                            break
                except (json.JSONDecodeError, ProviderError):
                    await _drain(body)  # servers end the body after a broken chunk
                    raise
                if done:
                    await _drain(body)
                if finish is None:
                    raise ended_early(ctx)
                if usage is not None:
                    yield usage
                yield Finished(_FINISH_REASONS.get(finish, finish))
        except _SDK_ERRORS as exc:
            raise _provider_error(exc, ctx, streaming=streaming) from None

    async def list_models(self, key: str | None) -> list[str]:
        client = make_client(self.config, api_key_for(self.config, key), self.timeouts)
        ctx = ErrorContext.for_provider(self, client.base_url, None, key)
        try:
            async with client:
                return [model.id async for model in client.models.list()]
        except _SDK_ERRORS as exc:
            raise _provider_error(exc, ctx, streaming=False) from None

    def _parameters(self, target: Target) -> dict[str, Any]:
        """The optional request fields: only those the target sets."""
        p = target.parameters
        params: dict[str, Any] = {
            "temperature": _given(p.temperature),
            "top_p": _given(p.top_p),
            "seed": _given(p.seed),
            "stop": list(p.stop) if p.stop else omit,
            self.max_tokens_field: _given(p.max_tokens),
        }
        schema = target.schema
        if schema is not None:
            params["response_format"] = response_format(schema)
        return {name: value for name, value in params.items() if value is not omit}


class OpenAICompatibleProvider(OpenAIChatProvider):
    """A server that speaks Chat Completions: Ollama, LM Studio, llama.cpp, vLLM...

    Such servers may send no usage (the base class then estimates it), may need
    no key (a placeholder is sent), and know ``max_tokens`` rather than
    ``max_completion_tokens``.
    """

    kind: ClassVar[ProviderKind] = "openai-compatible"
    reports_usage: ClassVar[bool] = False
    max_tokens_field: ClassVar[Literal["max_completion_tokens", "max_tokens"]] = "max_tokens"


def response_format(schema: Mapping[str, Any]) -> ResponseFormatJSONSchema:
    """``response_format`` asking for JSON that follows ``schema``."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "response",
            "schema": dict(schema),
            "strict": strict_compatible(schema),
        },
    }


def strict_compatible(schema: Mapping[str, Any]) -> bool:
    """Whether OpenAI's strict mode accepts ``schema`` unchanged.

    Strict mode needs an object at the top, every object closed
    (``additionalProperties: false``) with all its properties required, and
    none of the keywords it does not support. Anything else is sent with
    ``strict: false``: the output is still checked against the schema here.
    """
    return schema.get("type") == "object" and _strict_node(schema)


def _strict_node(node: object) -> bool:
    if not isinstance(node, Mapping):
        return False
    if _NOT_STRICT & node.keys():
        return False
    types = node.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types)
    if is_object or "properties" in node:
        properties = node.get("properties") or {}
        if not isinstance(properties, Mapping) or node.get("additionalProperties") is not False:
            return False
        if set(node.get("required") or ()) != set(properties):
            return False
        if not all(_strict_node(child) for child in properties.values()):
            return False
    children: list[object] = []
    if "items" in node:
        children.append(node["items"])
    for key in ("anyOf", "prefixItems"):
        value = node.get(key)
        if value is not None:
            if not isinstance(value, list):
                return False
            children.extend(value)
    for key in ("$defs", "definitions"):
        value = node.get(key)
        if value is not None:
            if not isinstance(value, Mapping):
                return False
            children.extend(value.values())
    return all(_strict_node(child) for child in children)


def _messages(request: RenderedRequest) -> list[ChatCompletionMessageParam]:
    messages: list[ChatCompletionMessageParam] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    for message in request.messages:
        if message.role == "user":
            messages.append({"role": "user", "content": message.content})
        else:
            messages.append({"role": "assistant", "content": message.content})
    return messages


def _given(value: _T | None) -> _T | Omit:
    return omit if value is None else value


async def _drain(body: AsyncIterator[bytes]) -> None:
    """Read the rest of ``body`` (for :data:`_DRAIN_S` at most) after we stopped listening.

    Breaking off mid-body would leave the HTTP layer's nested async generators
    suspended; one finalised later, with no loop running (as under qasync),
    fails noisily. Servers end the body right after ``[DONE]`` or an error
    chunk, so this costs nothing in practice. Whatever it reads is ignored.
    """
    with contextlib.suppress(TimeoutError, *TRANSPORT_ERRORS):
        async with asyncio.timeout(_DRAIN_S):
            async for _ in body:
                pass


def _read_chunk(ctx: ErrorContext, data: str) -> tuple[list[str], Usage | None, str]:
    """One chunk's text pieces, its usage, and its finish reason (``""``: none).

    Only the first choice is shown; a choice without an ``index`` is taken to be it.
    Raises ``json.JSONDecodeError``, or the reported error for an error chunk.
    """
    chunk = json.loads(data)
    if not isinstance(chunk, dict):
        return [], None, ""  # not a chunk at all; read past it, as other oddities
    if chunk.get("error"):
        raise _stream_error(ctx, chunk["error"])
    counts = chunk.get("usage")
    usage = _usage(counts) if isinstance(counts, dict) else None
    texts: list[str] = []
    finish = ""
    choices = chunk.get("choices")
    for choice in choices if isinstance(choices, list) else ():
        if not isinstance(choice, dict) or choice.get("index", 0) != 0:
            continue
        delta = choice.get("delta")
        if isinstance(delta, dict):
            # A refusal replaces the content; show it rather than nothing.
            text = delta.get("content") or delta.get("refusal")
            if text and isinstance(text, str):
                texts.append(text)
        reason = choice.get("finish_reason")
        if reason and isinstance(reason, str):
            finish = reason
    return texts, usage, finish


def _usage(counts: Mapping[str, Any]) -> Usage | None:
    """The chunk's ``usage`` object as our event; ``None`` when it holds no counts."""
    prompt, completion = counts.get("prompt_tokens"), counts.get("completion_tokens")
    prompt = prompt if type(prompt) is int else None
    completion = completion if type(completion) is int else None
    if prompt is None and completion is None:
        return None
    return Usage(prompt, completion)


def _stream_error(ctx: ErrorContext, error: object) -> ProviderError:
    """The error for an ``{"error": ...}`` chunk: the server gave up after the 200.

    Read as the SDK reads it: the server's message, else its plain-text error,
    else a generic word; ``type`` and ``code`` pick the error class.
    """
    if isinstance(error, Mapping):
        message = error.get("message")
        said = message if isinstance(message, str) else _STREAM_ERROR
        error_type = error.get("type")
        code = error.get("code")
        return from_status(
            ctx,
            None,
            said,
            error_type=error_type if isinstance(error_type, str) else None,
            error_code=None if code is None else str(code),
        )
    if isinstance(error, str) and not error.lstrip().startswith("<"):
        return from_status(ctx, None, error)
    return from_status(ctx, None, _STREAM_ERROR)


def _provider_error(exc: Exception, ctx: ErrorContext, *, streaming: bool) -> ProviderError:
    if isinstance(exc, openai.APIStatusError):
        return from_status(
            ctx,
            exc.status_code,
            _server_message(exc),
            error_type=exc.type,
            error_code=exc.code,
            headers=exc.response.headers,
        )
    if isinstance(exc, openai.APIConnectionError):  # APITimeoutError included
        cause = exc.__cause__
        if isinstance(cause, TRANSPORT_ERRORS):
            return from_transport(ctx, cause, streaming=streaming)
        if isinstance(exc, openai.APITimeoutError):
            return timed_out(ctx, streaming=streaming)
        return from_transport(ctx, exc, streaming=streaming)
    if isinstance(exc, openai.APIError):
        # An error object sent inside the stream, after the 200.
        return from_status(
            ctx, None, _server_message(exc), error_type=exc.type, error_code=exc.code
        )
    if isinstance(exc, json.JSONDecodeError):
        return malformed_json(ctx, exc)
    return from_transport(ctx, exc, streaming=streaming)


def _server_message(exc: openai.APIError) -> str:
    """The server's own words: the SDK's message wraps them in a repr of the whole body."""
    body = exc.body
    if isinstance(body, Mapping):
        message = body.get("message")
        if isinstance(message, str):
            return message
    if isinstance(body, str) and not body.lstrip().startswith("<"):
        return body  # plain text; an HTML error page from a proxy says nothing useful
    return "" if isinstance(exc, openai.APIStatusError) else exc.message
