"""OpenAI Chat Completions providers against the fake server: what is sent, what comes back."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from playground.core.document import Parameters
from playground.core.errors import AuthenticationError, MissingKeyError
from playground.core.events import Finished, SchemaChecked, TextDelta, Usage
from playground.core.provider_config import BUILTIN_PROVIDERS
from playground.providers.openai_chat import (
    OpenAIChatProvider,
    OpenAICompatibleProvider,
    strict_compatible,
)
from tests.fakes.llm_server import FakeLLMServer
from tests.providers.conftest import KEY, OPENAI, local_config, make_provider, run

SCHEMA = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
STRICT_SCHEMA = {**SCHEMA, "additionalProperties": False}


def test_streams_text_then_usage_then_finish(server: FakeLLMServer) -> None:
    outcome = run(make_provider(OPENAI.config(server)), "gpt-test")

    assert outcome.error is None
    assert outcome.events == [
        TextDelta("Hello "),
        TextDelta("from "),
        TextDelta("gpt-test."),
        Usage(4, 3),
        Finished("stop"),
    ]


def test_request_carries_system_messages_key_and_stream_options(server: FakeLLMServer) -> None:
    run(make_provider(OPENAI.config(server)), "gpt-test")

    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.api_key == KEY
    assert request.body == {
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Say hello"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_every_set_parameter_is_sent_under_its_openai_name(server: FakeLLMServer) -> None:
    parameters = Parameters(temperature=0.2, max_tokens=50, top_p=0.9, stop=("END",), seed=7)
    run(make_provider(OPENAI.config(server)), parameters=parameters)

    body = server.requests[0].body
    assert (body["temperature"], body["top_p"], body["stop"], body["seed"]) == (
        0.2,
        0.9,
        ["END"],
        7,
    )
    assert body["max_completion_tokens"] == 50
    assert "max_tokens" not in body


def test_zero_is_a_value_and_is_sent(server: FakeLLMServer) -> None:
    run(make_provider(OPENAI.config(server)), parameters=Parameters(temperature=0.0, seed=0))

    body = server.requests[0].body
    assert (body["temperature"], body["seed"]) == (0.0, 0)
    assert not {"top_p", "stop", "max_tokens", "max_completion_tokens"} & body.keys()


def test_compatible_servers_get_max_tokens(server: FakeLLMServer) -> None:
    run(make_provider(local_config(server)), key=None, parameters=Parameters(max_tokens=5))

    body = server.requests[0].body
    assert body["max_tokens"] == 5
    assert "max_completion_tokens" not in body


def test_a_max_tokens_cut_finishes_with_length(server: FakeLLMServer) -> None:
    server.script("m", text="one two three four")
    outcome = run(make_provider(OPENAI.config(server)), parameters=Parameters(max_tokens=2))

    assert outcome.text == "one two "
    assert outcome.of(Finished) == [Finished("length")]
    assert outcome.of(Usage) == [Usage(4, 2)]


def test_the_usage_chunk_with_empty_choices_is_read_not_tripped_over(
    server: FakeLLMServer,
) -> None:
    # The fake's last chunk is `"choices": []` with the usage, as OpenAI sends it.
    server.script("m", prompt_tokens=11, completion_tokens=7)
    outcome = run(make_provider(OPENAI.config(server)))

    assert outcome.error is None
    assert outcome.of(Usage) == [Usage(11, 7)]


def test_local_server_without_usage_gets_an_estimate_and_a_placeholder_key(
    server: FakeLLMServer,
) -> None:
    server.script("llama3.2", usage=False)
    outcome = run(make_provider(local_config(server)), "llama3.2", key=None)

    assert outcome.error is None
    assert outcome.text == "Hello from llama3.2."
    # About four characters a token, plus four of framing for each of the two messages.
    assert outcome.of(Usage) == [Usage(12, 5, estimated=True)]
    assert outcome.events[-1] == Finished("stop")
    assert server.requests[0].api_key == "not-needed"


def test_missing_key_names_the_settings_and_the_variable(server: FakeLLMServer) -> None:
    outcome = run(make_provider(OPENAI.config(server)), key=None)

    assert isinstance(outcome.error, MissingKeyError)
    assert "Settings → Keys" in str(outcome.error)
    assert "OPENAI_API_KEY" in str(outcome.error)
    assert server.requests == []


@pytest.mark.parametrize(
    ("schema", "strict"), [(STRICT_SCHEMA, True), (SCHEMA, False)], ids=["strict", "lenient"]
)
def test_structured_output_request_shape(
    server: FakeLLMServer, schema: dict[str, Any], strict: bool
) -> None:
    server.script("m", text='{"answer": 42}')
    outcome = run(make_provider(OPENAI.config(server)), schema_text=json.dumps(schema))

    assert server.requests[0].body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "response", "schema": schema, "strict": strict},
    }
    assert outcome.text == '{"answer": 42}'
    assert outcome.events[-1] == SchemaChecked(valid=True)


def test_structured_output_that_breaks_the_schema_is_reported(server: FakeLLMServer) -> None:
    server.script("m", text='{"answer": "forty-two"}')
    outcome = run(make_provider(local_config(server)), key=None, schema_text=json.dumps(SCHEMA))

    assert outcome.error is None
    [checked] = outcome.of(SchemaChecked)
    assert not checked.valid
    assert checked.error is not None
    assert "answer" in checked.error


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (STRICT_SCHEMA, True),
        (SCHEMA, False),  # open object
        ({"type": "array", "items": {"type": "string"}}, False),  # not an object at the top
        ({**STRICT_SCHEMA, "required": []}, False),  # optional property
        (
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["items"],
                "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/item"}}},
                "$defs": {
                    "item": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {"name": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
                    }
                },
            },
            True,
        ),
        (
            {
                **STRICT_SCHEMA,
                "properties": {"answer": {"type": "object", "properties": {}}},
            },
            False,  # a nested object that is open
        ),
        ({**STRICT_SCHEMA, "allOf": [{"type": "object"}]}, False),
    ],
    ids=["closed", "open", "array", "optional", "refs-and-anyof", "nested-open", "allOf"],
)
def test_strict_compatible(schema: dict[str, Any], expected: bool) -> None:
    assert strict_compatible(schema) is expected


def test_list_models_returns_the_servers_ids(server: FakeLLMServer) -> None:
    for model in ("gpt-a", "gpt-b"):
        server.script(model)
    provider = make_provider(OPENAI.config(server))

    assert asyncio.run(provider.list_models(KEY)) == ["gpt-a", "gpt-b"]
    assert server.requests[0].api_key == KEY


def test_list_models_maps_errors(server: FakeLLMServer) -> None:
    server.require_key = "sk-the-only-good-key-000"
    provider = make_provider(OPENAI.config(server))

    with pytest.raises(AuthenticationError, match="OpenAI rejected the key") as error:
        asyncio.run(provider.list_models(KEY))
    assert KEY not in str(error.value)


def test_builtin_openai_honours_openai_base_url(
    server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base_url)
    [builtin] = [c for c in BUILTIN_PROVIDERS if c.name == "openai"]
    assert builtin.base_url is None

    outcome = run(make_provider(builtin), "gpt-env")

    assert outcome.text == "Hello from gpt-env."
    assert server.requests[0].model == "gpt-env"


def test_kinds_and_capabilities() -> None:
    assert (OpenAIChatProvider.kind, OpenAICompatibleProvider.kind) == (
        "openai",
        "openai-compatible",
    )
    assert OpenAIChatProvider.reports_usage
    assert not OpenAICompatibleProvider.reports_usage
