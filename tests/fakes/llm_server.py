"""A loopback HTTP server that speaks the OpenAI and Anthropic wire protocols.

Tests point the real SDK clients at it through ``base_url`` and nothing else:

    with FakeLLMServer() as server:
        server.script("gpt-test", text="Hi there.", chunks=3)
        client = openai.AsyncOpenAI(base_url=server.openai_base_url, api_key="sk-test")

Routes: ``POST /v1/chat/completions`` (OpenAI), ``POST /v1/messages`` (Anthropic), and
``GET /v1/models[/{id}]``, answered in Anthropic's shape when the request carries an
``anthropic-version`` header and in OpenAI's shape otherwise.

What goes on the wire is what the real services send: their status codes, error bodies,
``retry-after`` headers and SSE event sequences, streamed with chunked transfer encoding
over HTTP/1.1. Faults are declarative options on a `Script`. Every request is recorded in
``server.requests``.

Token counts are computed with a toy tokenizer: a token is a run of non-space characters
plus the whitespace after it, so "Hello from gpt." is three tokens.

Standalone, for benchmarks (prints one JSON line with the base URLs, runs until Ctrl-C):

    python -m tests.fakes.llm_server --port 8123 --chunks 50 --chunk-delay 0.01
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

__all__ = ["FAULTS", "FakeLLMServer", "RecordedRequest", "Script", "unused_port"]

log = logging.getLogger(__name__)

Fault = Literal[
    "invalid_key", "permission", "not_found", "rate_limit", "quota", "server_error", "overloaded"
]
FAULTS: tuple[str, ...] = Fault.__args__  # type: ignore[attr-defined]
Dialect = Literal["openai", "anthropic"]

# status, error type, error code, message.  OpenAI's "overloaded" is its 503; Anthropic's
# "quota" is the 429 its SDK maps to EnforcedSpendLimitReachedError via details.error_code.
_OPENAI_ERRORS: dict[str, tuple[int, str, str | None, str]] = {
    "invalid_key": (
        401,
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided: {key}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
    ),
    "permission": (
        403,
        "invalid_request_error",
        "model_not_found",
        "Project `proj_fake` does not have access to model `{model}`",
    ),
    "not_found": (
        404,
        "invalid_request_error",
        "model_not_found",
        "The model `{model}` does not exist or you do not have access to it.",
    ),
    "rate_limit": (
        429,
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for {model} in organization org-fake on requests per min (RPM): "
        "Limit 3, Used 3, Requested 1. Please try again in 20s.",
    ),
    "quota": (
        429,
        "insufficient_quota",
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    "server_error": (
        500,
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    "overloaded": (
        503,
        "server_error",
        None,
        "The engine is currently overloaded, please try again later.",
    ),
}
_ANTHROPIC_ERRORS: dict[str, tuple[int, str, str | None, str]] = {
    "invalid_key": (401, "authentication_error", None, "invalid x-api-key"),
    "permission": (
        403,
        "permission_error",
        None,
        "Your API key does not have permission to use the specified resource.",
    ),
    "not_found": (404, "not_found_error", None, "model: {model}"),
    "rate_limit": (
        429,
        "rate_limit_error",
        None,
        "Number of requests has exceeded your per-minute rate limit. Please try again later.",
    ),
    "quota": (
        429,
        "rate_limit_error",
        "enforced_spend_limit_reached",
        "You have reached your specified API usage limits.",
    ),
    "server_error": (500, "api_error", None, "Internal server error"),
    "overloaded": (529, "overloaded_error", None, "Overloaded"),
}


@dataclass(frozen=True)
class Script:
    """How the server answers one model.  Every field has a harmless default.

    Faults that fire "after N" count content chunks already sent: 0 means before the first.
    A non-streaming reply waits out the whole stream's delays; any ``stall_after`` stalls
    it, any ``truncate_after`` cuts its body in half mid-transfer, any ``malformed_after``
    sends half the JSON with a matching content-length; ``error_after`` is stream-only.
    Mid-stream errors are Anthropic's ``event: error`` (overloaded_error) or, for OpenAI, a
    ``data: {"error": {...}}`` chunk (server_error); both end the stream without its marker.
    """

    text: str | None = None  # None: "Hello from <model>."
    chunks: int | None = None  # None: one chunk per token; else split the text evenly
    chunk_delay: float = 0.0  # seconds between content chunks
    first_chunk_delay: float = 0.0  # seconds before the first content chunk
    prompt_tokens: int | None = None  # None: counted from the request's messages
    completion_tokens: int | None = None  # None: counted from the text actually sent
    usage: bool = True  # False: OpenAI omits usage, like some local servers
    fault: Fault | None = None  # answer with this HTTP error instead
    fail_times: int | None = None  # the fault hits only the first K attempts; None: always
    retry_after: float | None = None  # seconds, sent as `retry-after` with the fault
    retry_after_ms: int | None = None  # sent as `retry-after-ms` with the fault
    stall_after: int | None = None  # go silent (connection open) after N chunks...
    stall_for: float = 30.0  # ...for this long, or until the server stops
    truncate_after: int | None = None  # drop the connection mid-body after N chunks
    error_after: int | None = None  # send a mid-stream error event after N chunks, then end
    malformed_after: int | None = None  # send one chunk of broken JSON after N chunks
    crlf: bool = False  # end SSE lines with CRLF
    no_space: bool = False  # "data:{...}" instead of "data: {...}"
    framing: Literal["chunked", "close"] = "chunked"  # "close": body ends when socket closes

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; expected one of {FAULTS}")
        if self.chunks is not None and self.chunks < 1:
            raise ValueError("chunks must be at least 1")
        if min(self.chunk_delay, self.first_chunk_delay, self.stall_for) < 0:
            raise ValueError("delays must not be negative")
        if self.framing not in ("chunked", "close"):
            raise ValueError("framing must be 'chunked' or 'close'")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it.  Header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when there was no valid JSON body
    received_at: float  # time.monotonic() when the request was read

    @property
    def api_key(self) -> str | None:
        """The key sent in ``x-api-key`` or as an ``Authorization: Bearer`` token."""
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" else None

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None


def tokenize(text: str) -> list[str]:
    """Split text into the fake's tokens; joining them gives the text back."""
    return re.findall(r"\S+\s*|\s+", text)


def _split_evenly(text: str, parts: int) -> list[str]:
    parts = min(parts, len(text))
    if parts == 0:
        return []
    size, extra = divmod(len(text), parts)
    pieces, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def _prompt_text(body: dict[str, Any]) -> str:
    def text_of(content: Any) -> str:
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(b.get("text", "") for b in content if isinstance(b, dict))
        return ""

    parts = [text_of(body.get("system"))]
    parts += [text_of(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict)]
    return " ".join(p for p in parts if p)


def _mask_key(key: str | None) -> str:
    # Real OpenAI echoes a masked key; tests of our own redaction rely on that.
    if not key:
        return ""
    return f"{key[:3]}{'*' * max(len(key) - 7, 3)}{key[-4:]}" if len(key) > 8 else "***"


@dataclass
class _Plan:
    """What one successful request will send."""

    model: str
    script: Script
    body: dict[str, Any]
    pieces: list[str]
    truncated: bool  # max_tokens cut the text
    prompt_tokens: int
    completion_tokens: int

    @property
    def text(self) -> str:
        return "".join(self.pieces)


class _Abort(Exception):
    """Drop the connection without finishing the response body."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # still joined at server_close, because block_on_close is True
    # socketserver's default listen backlog is 5: a sixth simultaneous connect
    # waits for a SYN retry (about 1 s), which would serialise 8 parallel panes.
    request_queue_size = 128

    def __init__(self, owner: FakeLLMServer, address: tuple[str, int]) -> None:
        self.owner = owner
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def abort_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._connections_lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return  # the client went away; that is the client's business
        log.error("fake LLM server handler crashed", exc_info=error)
        if error is not None:
            self.owner.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    _request: RecordedRequest | None = None
    _dialect: Dialect = "openai"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        # The SDKs expose these as `error.request_id`.
        name = "request-id" if self._dialect == "anthropic" else "x-request-id"
        self.send_header(name, f"req_{uuid.uuid4().hex[:24]}")

    # ------------------------------------------------------------------ routing
    def do_GET(self) -> None:
        request = self._record(None)
        dialect: Dialect = "anthropic" if "anthropic-version" in request.headers else "openai"
        self._dialect = dialect
        if not self._authorized(request, dialect):
            return
        path = urlsplit(self.path).path.rstrip("/")
        if path == "/v1/models":
            self._list_models(dialect)
        elif path.startswith("/v1/models/"):
            model = path.removeprefix("/v1/models/")
            if model in self._owner.models:
                self._send_json(200, self._model_object(model, dialect))
            else:
                self._send_error(dialect, "not_found", model)
        else:
            self._send_error(dialect, "unknown_path")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = self._record(body)
        dialect: Dialect = "anthropic" if path == "/v1/messages" else "openai"
        self._dialect = dialect
        if path not in ("/v1/chat/completions", "/v1/messages"):
            self._send_error(dialect, "unknown_path")
            return
        if not self._authorized(request, dialect):
            return
        try:
            self._generate(dialect, body)
        except _Abort:
            self.close_connection = True

    # ------------------------------------------------------------------ helpers
    @property
    def _owner(self) -> FakeLLMServer:
        return self.server.owner

    def _record(self, body: Any) -> RecordedRequest:
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = RecordedRequest(self.command, self.path, headers, body, time.monotonic())
        self._owner._record(request)
        self._request = request
        return request

    def _authorized(self, request: RecordedRequest, dialect: Dialect) -> bool:
        required = self._owner.require_key
        if required is None or request.api_key == required:
            return True
        self._send_error(dialect, "invalid_key", key=request.api_key)
        return False

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._owner._stopping.wait(seconds):
            raise _Abort

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(
        self,
        dialect: Dialect,
        kind: str,  # a Fault, "bad_request" or "unknown_path"
        model: str = "",
        *,
        key: str | None = None,
        message: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        if kind == "unknown_path":
            status, etype, code = 404, "invalid_request_error", None
            message = f"Invalid URL ({self.command} {urlsplit(self.path).path})"
            if dialect == "anthropic":
                etype, message = "not_found_error", "Not Found"
        elif kind == "bad_request":
            status, etype, code = 400, "invalid_request_error", None
        else:
            table = _ANTHROPIC_ERRORS if dialect == "anthropic" else _OPENAI_ERRORS
            status, etype, code, template = table[kind]
            message = message or template.format(model=model, key=_mask_key(key))
        self._send_json(status, _error_body(dialect, etype, code, message), headers)

    # ------------------------------------------------------------------ models
    def _model_object(self, model: str, dialect: Dialect) -> dict[str, Any]:
        if dialect == "openai":
            return {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "fake"}
        return {
            "type": "model",
            "id": model,
            "display_name": model.replace("-", " ").title(),
            "created_at": "2025-01-01T00:00:00Z",
            "lifecycle": "active",
        }

    def _list_models(self, dialect: Dialect) -> None:
        models = self._owner.models
        if dialect == "openai":
            data = [self._model_object(m, dialect) for m in models]
            self._send_json(200, {"object": "list", "data": data})
            return
        query = parse_qs(urlsplit(self.path).query)
        limit = int(query.get("limit", ["20"])[0])
        after = query.get("after_id", [None])[0]
        start = models.index(after) + 1 if after in models else 0
        page = models[start : start + limit]
        self._send_json(
            200,
            {
                "data": [self._model_object(m, dialect) for m in page],
                "has_more": start + limit < len(models),
                "first_id": page[0] if page else None,
                "last_id": page[-1] if page else None,
            },
        )

    # ------------------------------------------------------------------ generation
    def _generate(self, dialect: Dialect, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            self._send_error(dialect, "bad_request", message="model: Field required")
            return
        if not isinstance(body.get("messages"), list):
            self._send_error(dialect, "bad_request", message="messages: Field required")
            return
        if dialect == "anthropic" and not isinstance(body.get("max_tokens"), int):
            self._send_error(dialect, "bad_request", message="max_tokens: Field required")
            return
        model = body["model"]
        attempt = self._owner._count_attempt(model)
        script = self._owner._script_for(model)
        if script is None:
            self._send_error(dialect, "not_found", model)
            return
        if script.fault and (script.fail_times is None or attempt <= script.fail_times):
            headers = {}
            if script.retry_after is not None:
                headers["retry-after"] = f"{script.retry_after:g}"
            if script.retry_after_ms is not None:
                headers["retry-after-ms"] = str(script.retry_after_ms)
            key = self._request.api_key if self._request else None
            self._send_error(dialect, script.fault, model, key=key, headers=headers)
            return
        plan = _make_plan(model, script, body)
        tool = _forced_tool(body) if dialect == "anthropic" else None
        if tool is not None and not plan.truncated:
            try:
                json.loads(plan.text)
            except ValueError:
                self._send_error(
                    dialect,
                    "server_error",
                    message="FakeLLMServer: scripted text must be JSON for a forced tool_use",
                )
                return
        if body.get("stream"):
            stream = _SSEWriter(self, script)
            if dialect == "openai":
                self._openai_stream(stream, plan)
            else:
                self._anthropic_stream(stream, plan, tool)
        elif dialect == "openai":
            self._reply_whole(plan, _openai_completion(plan))
        else:
            self._reply_whole(plan, _anthropic_message(plan, tool))

    def _reply_whole(self, plan: _Plan, payload: dict[str, Any]) -> None:
        script = plan.script
        # A non-streaming reply arrives after the whole generation time.
        self._wait(script.first_chunk_delay + script.chunk_delay * max(len(plan.pieces) - 1, 0))
        if script.stall_after is not None:
            self._wait(script.stall_for)
        data = json.dumps(payload, separators=(",", ":")).encode()
        if script.malformed_after is not None:
            data = data[: len(data) // 2]
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if script.truncate_after is not None:
            self.wfile.write(data[: len(data) // 2])
            raise _Abort
        self.wfile.write(data)

    def _stream_pieces(
        self, stream: _SSEWriter, plan: _Plan, send_piece: Callable[[str], None]
    ) -> bool:
        """Send the content pieces with their pacing and faults; False if the stream ended."""
        script = plan.script
        for i in range(len(plan.pieces) + 1):
            if script.malformed_after == i:
                stream.event('{"choices": [{"delta": {"content": "broken', name=stream.data_event)
            if script.stall_after == i:
                self._wait(script.stall_for)
            if script.error_after == i:
                stream.mid_stream_error()
                return False
            if script.truncate_after == i:
                raise _Abort
            if i < len(plan.pieces):
                self._wait(script.first_chunk_delay if i == 0 else script.chunk_delay)
                send_piece(plan.pieces[i])
        return True

    def _openai_stream(self, stream: _SSEWriter, plan: _Plan) -> None:
        options = plan.body.get("stream_options") or {}
        with_usage = bool(options.get("include_usage")) and plan.script.usage
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": plan.model,
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return {**base, "choices": [choice], **({"usage": None} if with_usage else {})}

        stream.start("openai")
        stream.json(chunk({"role": "assistant", "content": "", "refusal": None}))
        if not self._stream_pieces(stream, plan, lambda p: stream.json(chunk({"content": p}))):
            return
        stream.json(chunk({}, "length" if plan.truncated else "stop"))
        if with_usage:
            stream.json({**base, "choices": [], "usage": _openai_usage(plan)})
        stream.event("[DONE]")
        stream.end()

    def _anthropic_stream(self, stream: _SSEWriter, plan: _Plan, tool: str | None) -> None:
        message = _anthropic_message(plan, tool)
        usage = {**message["usage"], "output_tokens": 1}
        start = {**message, "content": [], "stop_reason": None, "usage": usage}
        if tool is None:
            block: dict[str, Any] = {"type": "text", "text": ""}
            delta_type, delta_field = "text_delta", "text"
        else:
            block = {**message["content"][0], "input": {}}
            delta_type, delta_field = "input_json_delta", "partial_json"

        stream.start("anthropic")
        stream.json({"type": "message_start", "message": start}, "message_start")
        opening = {"type": "content_block_start", "index": 0, "content_block": block}
        stream.json(opening, "content_block_start")
        stream.json({"type": "ping"}, "ping")

        def send_piece(piece: str) -> None:
            delta = {"type": delta_type, delta_field: piece}
            event = {"type": "content_block_delta", "index": 0, "delta": delta}
            stream.json(event, "content_block_delta")

        if not self._stream_pieces(stream, plan, send_piece):
            return
        stream.json({"type": "content_block_stop", "index": 0}, "content_block_stop")
        stop = {"stop_reason": message["stop_reason"], "stop_sequence": None}
        usage = {"output_tokens": plan.completion_tokens}
        stream.json({"type": "message_delta", "delta": stop, "usage": usage}, "message_delta")
        stream.json({"type": "message_stop"}, "message_stop")
        stream.end()


class _SSEWriter:
    """Writes one text/event-stream body with the script's framing and line endings."""

    def __init__(self, handler: _Handler, script: Script) -> None:
        self._handler = handler
        self._eol = "\r\n" if script.crlf else "\n"
        self._colon = ":" if script.no_space else ": "
        self._chunked = script.framing == "chunked"
        self._dialect: Dialect = "openai"

    @property
    def data_event(self) -> str | None:
        return "content_block_delta" if self._dialect == "anthropic" else None

    def start(self, dialect: Dialect) -> None:
        self._dialect = dialect
        handler = self._handler
        handler.send_response(200)
        handler.send_header("content-type", "text/event-stream; charset=utf-8")
        handler.send_header("cache-control", "no-cache")
        if self._chunked:
            handler.send_header("transfer-encoding", "chunked")
        else:
            handler.send_header("connection", "close")
            handler.close_connection = True
        handler.end_headers()

    def event(self, data: str, name: str | None = None) -> None:
        lines = ([f"event{self._colon}{name}"] if name else []) + [f"data{self._colon}{data}"]
        payload = (self._eol.join(lines) + self._eol * 2).encode()
        if self._chunked:
            payload = f"{len(payload):x}\r\n".encode() + payload + b"\r\n"
        self._handler.wfile.write(payload)

    def json(self, payload: dict[str, Any], name: str | None = None) -> None:
        self.event(json.dumps(payload, separators=(",", ":")), name)

    def mid_stream_error(self) -> None:
        if self._dialect == "anthropic":
            error = _error_body("anthropic", "overloaded_error", None, "Overloaded")
            self.json(error, "error")
        else:
            message = _OPENAI_ERRORS["server_error"][3]
            self.json(_error_body("openai", "server_error", None, message))
        self.end()

    def end(self) -> None:
        if self._chunked:
            self._handler.wfile.write(b"0\r\n\r\n")
        else:
            raise _Abort  # close-delimited bodies end by closing the connection


def _error_body(dialect: Dialect, etype: str, code: str | None, message: str) -> dict[str, Any]:
    if dialect == "openai":
        return {"error": {"message": message, "type": etype, "param": None, "code": code}}
    error: dict[str, Any] = {"type": etype, "message": message}
    if code:
        error["details"] = {"error_code": code}
    return {"type": "error", "error": error}


def _make_plan(model: str, script: Script, body: dict[str, Any]) -> _Plan:
    text = script.text if script.text is not None else f"Hello from {model}."
    tokens = tokenize(text)
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    truncated = isinstance(limit, int) and limit < len(tokens)
    if truncated:
        tokens = tokens[:limit]
    sent = "".join(tokens)
    pieces = tokens if script.chunks is None else _split_evenly(sent, script.chunks)
    prompt, completion = script.prompt_tokens, script.completion_tokens
    return _Plan(
        model=model,
        script=script,
        body=body,
        pieces=pieces,
        truncated=truncated,
        prompt_tokens=len(tokenize(_prompt_text(body))) if prompt is None else prompt,
        completion_tokens=len(tokens) if completion is None else completion,
    )


def _forced_tool(body: dict[str, Any]) -> str | None:
    """The tool's name when the request forces its only tool (structured output)."""
    tools, choice = body.get("tools"), body.get("tool_choice") or {}
    if not isinstance(tools, list) or len(tools) != 1 or not isinstance(choice, dict):
        return None
    if choice.get("type") not in ("tool", "any"):
        return None
    name = tools[0].get("name") if isinstance(tools[0], dict) else None
    return name if isinstance(name, str) else None


def _openai_usage(plan: _Plan) -> dict[str, Any]:
    return {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _openai_completion(plan: _Plan) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": plan.text, "refusal": None}
    message["annotations"] = []
    finish = "length" if plan.truncated else "stop"
    completion = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": plan.model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }
    if plan.script.usage:
        completion["usage"] = _openai_usage(plan)
    return completion


def _anthropic_message(plan: _Plan, tool: str | None) -> dict[str, Any]:
    if tool is None:
        content: dict[str, Any] = {"type": "text", "text": plan.text}
        stop_reason = "end_turn"
    else:
        tool_input = {} if plan.truncated else json.loads(plan.text)
        content = {
            "type": "tool_use",
            "id": f"toolu_01{uuid.uuid4().hex[:22]}",
            "name": tool,
            "input": tool_input,
        }
        stop_reason = "tool_use"
    return {
        "id": f"msg_01{uuid.uuid4().hex[:22]}",
        "type": "message",
        "role": "assistant",
        "model": plan.model,
        "content": [content],
        "stop_reason": "max_tokens" if plan.truncated else stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": plan.prompt_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": plan.completion_tokens,
        },
    }


@dataclass(eq=False)
class FakeLLMServer:
    """The loopback server.  Use as a context manager, or call start() and stop().

    ``require_key``: when set, any other key gets a 401.  ``strict_models``: unscripted
    models get a 404 instead of the ``default`` script.
    """

    host: str = "127.0.0.1"
    port: int = 0
    require_key: str | None = None
    strict_models: bool = False
    default: Script = field(default_factory=Script)
    requests: list[RecordedRequest] = field(default_factory=list, init=False)
    errors: list[BaseException] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._scripts: dict[str, Script] = {}
        self._attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeLLMServer:
        if self._httpd is not None:
            raise RuntimeError("FakeLLMServer is already running")
        self._stopping.clear()
        self._httpd = _HTTPServer(self, (self.host, self.port))
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeLLMServer:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake stalled streams, close every connection and join all threads."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.abort_connections()
        httpd.server_close()  # joins the handler threads
        thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.stop()
        if self.errors and exc is None:
            raise RuntimeError(f"FakeLLMServer handler crashed: {self.errors[0]!r}")

    # ------------------------------------------------------------------ addresses
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    # ------------------------------------------------------------------ scripting
    def script(self, model: str, script: Script | None = None, /, **options: Any) -> Script:
        """Set how ``model`` answers; ``options`` are `Script` fields.  Returns the script."""
        scripted = dataclasses.replace(script or Script(), **options)
        with self._lock:
            self._scripts[model] = scripted
        return scripted

    @property
    def models(self) -> list[str]:
        """The scripted model ids, in the order they were scripted (what /v1/models lists)."""
        with self._lock:
            return list(self._scripts)

    def attempts(self, model: str) -> int:
        """How many generation requests named ``model`` (whatever their outcome)."""
        with self._lock:
            return self._attempts[model]

    def reset(self) -> None:
        """Forget scripts, attempts and recorded requests."""
        with self._lock:
            self._scripts.clear()
            self._attempts.clear()
            self.requests.clear()

    def _script_for(self, model: str) -> Script | None:
        with self._lock:
            if model in self._scripts:
                return self._scripts[model]
        return None if self.strict_models else self.default

    def _count_attempt(self, model: str) -> int:
        with self._lock:
            self._attempts[model] += 1
            return self._attempts[model]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def unused_port(host: str = "127.0.0.1") -> int:
    """A port with nothing listening on it, for "connection refused" tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--require-key")
    parser.add_argument("--text", help='reply text (default "Hello from <model>.")')
    parser.add_argument("--chunks", type=int)
    parser.add_argument("--chunk-delay", type=float, default=0.0)
    parser.add_argument("--first-chunk-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    default = Script(
        text=args.text,
        chunks=args.chunks,
        chunk_delay=args.chunk_delay,
        first_chunk_delay=args.first_chunk_delay,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    server = FakeLLMServer(args.host, args.port, args.require_key, default=default)
    with server:
        urls = {"openai_base_url": server.openai_base_url}
        print(json.dumps({**urls, "anthropic_base_url": server.anthropic_base_url}), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            done.wait()


if __name__ == "__main__":
    main()
