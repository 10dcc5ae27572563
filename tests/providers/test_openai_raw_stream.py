"""The OpenAI provider reads the raw event stream itself: the reader, and what it makes of bodies.

The fake server covers the protocol as OpenAI speaks it (see test_fault_matrix
and test_openai_chat); here are the bodies it does not send: raw UTF-8 with
characters that other line splitters break at, reads split inside a CRLF,
multi-line data, odd or wrongly typed chunks and error chunks of every shape.
A differential test checks the provider against the SDK's own typed stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.core.document import Parameters, Target
from playground.core.errors import (
    BadRequestError,
    MalformedStreamError,
    ProviderError,
    QuotaExhaustedError,
    ServerError,
)
from playground.core.events import Finished, TextDelta, Usage
from playground.providers.sse import SSEDataReader
from tests.fakes.llm_server import FakeLLMServer
from tests.providers.conftest import KEY, OPENAI, REQUEST, Outcome, make_provider, run

# ---------------------------------------------------------------------------- the reader


def read_all(pieces: list[bytes]) -> list[str]:
    reader = SSEDataReader()
    return [data for piece in pieces for data in reader.feed(piece)]


BODY = (
    b": a comment\r\n"
    b"event: message\r\n"
    b"id: 7\r\n"
    b'data: {"a": 1}\r\n'
    b"\r\n"
    b'data:{"b":\r\n'
    b"data:  2}\n"
    b"\n"
    b"retry: 100\r"
    b"data: [DONE]\r"
    b"\r"
)
# One space after the colon is dropped, any more are data.
BODY_EVENTS = ['{"a": 1}', '{"b":\n 2}', "[DONE]"]


def test_reader_reads_fields_line_ends_and_multi_line_data() -> None:
    assert read_all([BODY]) == BODY_EVENTS


def test_reader_gives_the_same_events_for_every_split_in_two_or_three() -> None:
    for i in range(len(BODY) + 1):
        for j in range(i, len(BODY) + 1):
            assert read_all([BODY[:i], BODY[i:j], BODY[j:]]) == BODY_EVENTS, (i, j)


@given(st.lists(st.integers(min_value=0, max_value=len(BODY)), max_size=12))
def test_reader_gives_the_same_events_however_the_body_is_split(cuts: list[int]) -> None:
    points = [0, *sorted(cuts), len(BODY)]
    pieces = [BODY[a:b] for a, b in itertools.pairwise(points)]
    assert read_all(pieces) == BODY_EVENTS


def test_reader_joins_a_crlf_split_between_reads_into_one_line_end() -> None:
    # Counted as two line ends, the CR and the LF would end the event after its first line.
    assert read_all([b"data: x\r", b"\ndata: y\r", b"\n\r", b"\n"]) == ["x\ny"]


def test_reader_splits_lines_only_at_cr_and_lf() -> None:
    text = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg"
    body = f"data: {text}\n\n".encode()
    assert read_all([body]) == [text]


def test_reader_skips_events_without_data_and_drops_an_unfinished_one() -> None:
    assert read_all([b"event: ping\n\nid: 3\n\n: keep-alive\n\ndata: last"]) == []
    assert read_all([b"data\n\n"]) == [""]


def test_reader_replaces_invalid_utf8_instead_of_failing() -> None:
    assert read_all([b"data: caf\xe9\n\n"]) == ["caf\ufffd"]


def test_reader_keeps_multibyte_characters_split_between_reads() -> None:
    body = 'data: {"t": "żółw 🐢"}\n\n'.encode()
    assert read_all([body[:12], body[12:13], body[13:]]) == ['{"t": "żółw 🐢"}']


# ---------------------------------------------------------------------------- raw bodies


class RawSSEServer:
    """Answers every POST with 200 and a fixed event-stream body, one HTTP chunk per piece."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                # One response per connection: the client may hang up before the end.
                self.close_connection = True
                self.send_response(200)
                self.send_header("content-type", "text/event-stream; charset=utf-8")
                self.send_header("transfer-encoding", "chunked")
                self.send_header("connection", "close")
                self.end_headers()
                with contextlib.suppress(ConnectionError):
                    for piece in owner.pieces:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> RawSSEServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@pytest.fixture
def raw() -> Iterator[RawSSEServer]:
    with RawSSEServer() as running:
        yield running


def events(*chunks: Any, done: bool = True) -> list[bytes]:
    """One SSE event per chunk (a dict is sent as raw UTF-8 JSON), then ``[DONE]``."""
    pieces = []
    for chunk in chunks:
        data = chunk if isinstance(chunk, str) else json.dumps(chunk, ensure_ascii=False)
        pieces.append(f"data: {data}\n\n".encode())
    return pieces + ([b"data: [DONE]\n\n"] if done else [])


def delta(text: str | None = None, finish: str | None = None, **fields: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"content": text} if text is not None else {}
    choice = {"index": 0, "delta": {**d, **fields}, "finish_reason": finish}
    return {"object": "chat.completion.chunk", "choices": [choice]}


def run_raw(raw: RawSSEServer, pieces: list[bytes]) -> Outcome:
    raw.pieces = pieces
    return run(make_provider(OPENAI.config(None, base_url=raw.base_url)))


def test_raw_utf8_with_unicode_line_separators_comes_through_whole(raw: RawSSEServer) -> None:
    text = "Zażółć\u2028gęślą\x85jaźń 🐢"
    outcome = run_raw(raw, events(delta(text), delta(finish="stop")))

    assert outcome.error is None
    assert outcome.text == text
    assert outcome.events[-1] == Finished("stop")


def test_reads_split_anywhere_give_the_same_answer(raw: RawSSEServer) -> None:
    body = b"".join(events(delta("Hello "), delta("world ✓"), delta(finish="length")))
    body = body.replace(b"\n", b"\r\n")
    # A CR at the end of one read and its LF at the start of the next, a character cut in two.
    pieces = [body[i : i + 3] for i in range(0, len(body), 3)]
    outcome = run_raw(raw, pieces)

    assert outcome.error is None
    assert outcome.text == "Hello world ✓"
    assert outcome.events[-1] == Finished("length")


def test_odd_chunks_are_read_past(raw: RawSSEServer) -> None:
    outcome = run_raw(
        raw,
        events(
            '"just a string"',
            "[1, 2]",
            {"choices": None, "usage": None},
            {"choices": 5, "usage": 5},
            {"choices": {"index": 0, "delta": {"content": "not a list"}}},
            {"choices": ["not a choice", {"index": 1, "delta": {"content": "other choice"}}]},
            {"choices": [{"index": 0, "delta": None}]},
            {"choices": [{"index": 0, "delta": {"content": ["parts"]}}]},
            {"choices": [{"delta": {"content": "no index "}}]},  # index 0 is meant
            delta(None, refusal="I can't help with that."),
            {"choices": [{"index": 0, "delta": {}, "finish_reason": ["odd"]}]},
            delta(finish="content_filter"),
            {"choices": [], "usage": {"total_tokens": 9}},  # no counts: estimated instead
        ),
    )

    assert outcome.error is None
    assert outcome.text == "no index I can't help with that."
    [usage] = outcome.of(Usage)
    assert isinstance(usage, Usage)
    assert usage.estimated
    assert outcome.events[-1] == Finished("content_filter")


def test_usage_and_finish_come_last_in_that_order(raw: RawSSEServer) -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    outcome = run_raw(
        raw,
        events({"choices": [], "usage": usage}, delta("a"), delta("b", finish="tool_calls")),
    )

    assert outcome.events == [TextDelta("a"), TextDelta("b"), Usage(5, 2), Finished("tool_use")]


def test_nothing_after_done_is_read(raw: RawSSEServer) -> None:
    pieces = [*events(delta("ok", finish="stop")), b"data: {not json\n\n"]
    outcome = run_raw(raw, pieces)

    assert outcome.error is None
    assert outcome.text == "ok"


def test_a_body_without_a_finish_reason_ended_early(raw: RawSSEServer) -> None:
    outcome = run_raw(raw, events(delta("half"), done=True))

    assert isinstance(outcome.error, MalformedStreamError)
    assert "ended before it finished" in str(outcome.error)
    assert outcome.text == "half"


def test_an_unfinished_last_event_is_not_read(raw: RawSSEServer) -> None:
    # The finish reason sits in an event whose closing blank line never came.
    pieces = [
        *events(delta("half"), done=False),
        b'data: {"choices": [{"finish_reason": "stop"}]}\n',
    ]
    outcome = run_raw(raw, pieces)

    assert isinstance(outcome.error, MalformedStreamError)
    assert outcome.text == "half"


def test_malformed_json_names_the_parse_error(raw: RawSSEServer) -> None:
    outcome = run_raw(raw, events(delta("a"), '{"choices": [}', delta(finish="stop")))

    assert isinstance(outcome.error, MalformedStreamError)
    assert str(outcome.error) == (
        "OpenAI sent a piece of its answer that is not valid JSON "
        "(Expecting value; column 14), so the stream was abandoned."
    )
    assert outcome.text == "a"


@pytest.mark.parametrize(
    ("error", "expected", "words"),
    [
        (
            {"message": "You exceeded your quota.", "type": "insufficient_quota", "code": None},
            QuotaExhaustedError,
            "You exceeded your quota.",
        ),
        ({"message": "bad input", "type": "invalid_request_error"}, BadRequestError, "bad input"),
        ({"type": "server_error", "code": 500}, ServerError, "An error occurred during streaming"),
        ("the backend went away", ServerError, "the backend went away"),
        ("<html>502 Bad Gateway</html>", ServerError, "An error occurred during streaming"),
        (
            {"message": f"Incorrect API key provided: {KEY}"},
            ServerError,
            "Incorrect API key provided: ***",
        ),
    ],
    ids=["quota", "bad-request", "no-message", "plain-text", "html", "key-quoted"],
)
def test_error_chunks(raw: RawSSEServer, error: Any, expected: type, words: str) -> None:
    outcome = run_raw(raw, events(delta("a"), {"error": error}, delta(finish="stop")))

    assert type(outcome.error) is expected
    assert outcome.error is not None
    assert f"(reported mid-answer: {words})" in str(outcome.error)
    assert outcome.error.status is None
    assert KEY not in str(outcome.error)
    assert outcome.text == "a"


def test_an_empty_error_field_is_an_ordinary_chunk(raw: RawSSEServer) -> None:
    outcome = run_raw(raw, events({**delta("fine"), "error": None}, delta(finish="stop")))

    assert outcome.error is None
    assert outcome.text == "fine"


# ---------------------------------------------------------------------------- against the SDK


def sdk_outcome(server: FakeLLMServer) -> tuple[str, Usage | None, str | None]:
    """The text, usage and finish reason the SDK's typed stream gives for ``model`` "m"."""

    async def main() -> tuple[str, Usage | None, str | None]:
        async with openai.AsyncOpenAI(
            base_url=server.openai_base_url, api_key=KEY, max_retries=0
        ) as client:
            stream = await client.chat.completions.create(
                model="m",
                messages=[
                    {"role": "system", "content": REQUEST.system},
                    {"role": "user", "content": REQUEST.messages[0].content},
                ],
                stream=True,
                stream_options={"include_usage": True},
            )
            text, usage, finish = [], None, None
            async for chunk in stream:
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    text.append(choice.delta.content or "")
                    finish = choice.finish_reason or finish
            return "".join(text), usage, finish

    return asyncio.run(main())


@pytest.mark.parametrize(
    "script",
    [
        {},
        {"text": 'Zażółć gęślą jaźń, \u2028 \U0001f422 "quoted"\n\tand\\escaped', "chunks": 9},
        {"text": "one two three four five", "crlf": True, "no_space": True},
        {"text": "closed by the server", "framing": "close", "usage": False},
    ],
    ids=["default", "unicode", "crlf-nospace", "close-no-usage"],
)
def test_the_provider_reads_what_the_sdk_reads(
    server: FakeLLMServer, script: dict[str, Any]
) -> None:
    server.script("m", **script)
    text, usage, finish = sdk_outcome(server)
    outcome = run(make_provider(OPENAI.config(server)))

    assert outcome.error is None
    assert outcome.text == text
    assert [u for u in outcome.of(Usage) if isinstance(u, Usage) and not u.estimated] == (
        [usage] if usage else []
    )
    assert outcome.events[-1] == Finished(finish)


@pytest.mark.parametrize("script", [{}, {"error_after": 1}], ids=["done", "error-chunk"])
def test_no_http_reader_is_left_suspended_when_the_answer_ends(
    server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, script: dict[str, Any]
) -> None:
    # An event loop without async generator hooks (qasync's) cannot finalise a reader
    # left suspended: it fails later, wherever the garbage collector finds it.
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    server.script("m", **script)
    provider = make_provider(OPENAI.config(server))
    target = Target("openai", "m", Parameters())

    async def main() -> list[object]:
        sys.set_asyncgen_hooks(firstiter=None, finalizer=None)
        seen: list[object] = []
        with contextlib.suppress(ProviderError):
            async for event in provider.stream(REQUEST, target, KEY):
                seen.append(event)
        return seen

    seen = asyncio.run(main())
    gc.collect()
    assert seen
    assert [hook.exc_value for hook in unraisable] == []
