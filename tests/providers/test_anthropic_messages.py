"""Anthropic Messages provider against the fake server: what is sent, what comes back."""

from __future__ import annotations

import asyncio
import json

import pytest

from playground.core.document import Parameters
from playground.core.errors import AuthenticationError, BadRequestError, PermissionDeniedError
from playground.core.events import Finished, SchemaChecked, TextDelta, Usage
from playground.core.provider_config import BUILTIN_PROVIDERS
from playground.core.request import ChatMessage, RenderedRequest
from playground.providers.anthropic_messages import DEFAULT_MAX_TOKENS, STRUCTURED_TOOL
from tests.fakes.llm_server import FakeLLMServer
from tests.providers.conftest import ANTHROPIC, KEY, make_provider, run

SCHEMA = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}


def test_streams_text_then_usage_then_finish(server: FakeLLMServer) -> None:
    outcome = run(make_provider(ANTHROPIC.config(server)), "claude-test")

    assert outcome.error is None
    assert outcome.events == [
        TextDelta("Hello "),
        TextDelta("from "),
        TextDelta("claude-test."),
        Usage(4, 3),
        Finished("stop"),
    ]


def test_system_goes_top_level_and_max_tokens_defaults(server: FakeLLMServer) -> None:
    run(make_provider(ANTHROPIC.config(server)), "claude-test")

    [request] = server.requests
    assert request.path == "/v1/messages"
    assert request.api_key == KEY
    assert request.body == {
        "model": "claude-test",
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Say hello"}],
        "max_tokens": DEFAULT_MAX_TOKENS,
        "stream": True,
    }


def test_empty_system_is_left_out(server: FakeLLMServer) -> None:
    request = RenderedRequest(
        system="",
        messages=(
            ChatMessage("user", "Hi"),
            ChatMessage("assistant", "Hello."),
            ChatMessage("user", "Again"),
        ),
    )
    run(make_provider(ANTHROPIC.config(server)), request=request)

    body = server.requests[0].body
    assert "system" not in body
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]


def test_set_parameters_are_sent_and_seed_is_not(server: FakeLLMServer) -> None:
    parameters = Parameters(max_tokens=50, stop=("END", "STOP"), seed=7)
    run(make_provider(ANTHROPIC.config(server)), parameters=parameters)

    body = server.requests[0].body
    assert (body["max_tokens"], body["stop_sequences"]) == (50, ["END", "STOP"])
    assert not {"seed", "temperature", "top_p"} & body.keys()


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        (Parameters(temperature=0.5), "Temperature"),
        (Parameters(temperature=1.5), "Temperature"),
        (Parameters(top_p=0.9), "Top P"),
    ],
    ids=["temperature", "temperature-above-1", "top_p"],
)
def test_sampling_parameters_are_refused_before_sending(
    server: FakeLLMServer, parameters: Parameters, named: str
) -> None:
    outcome = run(make_provider(ANTHROPIC.config(server), max_retries=2), parameters=parameters)

    assert isinstance(outcome.error, BadRequestError)
    message = str(outcome.error)
    assert message.startswith("Anthropic does not accept")
    assert f"Clear {named} for the target anthropic:m" in message
    assert server.requests == []


def test_a_max_tokens_cut_finishes_with_length(server: FakeLLMServer) -> None:
    server.script("m", text="one two three four")
    outcome = run(make_provider(ANTHROPIC.config(server)), parameters=Parameters(max_tokens=2))

    assert outcome.text == "one two "
    assert outcome.of(Usage) == [Usage(4, 2)]
    assert outcome.of(Finished) == [Finished("length")]


def test_structured_output_forces_one_tool_and_streams_its_json(server: FakeLLMServer) -> None:
    server.script("m", text='{"answer": 42}', chunks=3)
    outcome = run(make_provider(ANTHROPIC.config(server)), schema_text=json.dumps(SCHEMA))

    body = server.requests[0].body
    assert body["tools"] == [
        {
            "name": STRUCTURED_TOOL,
            "description": "Give the answer, as JSON that follows this schema.",
            "input_schema": SCHEMA,
        }
    ]
    assert body["tool_choice"] == {"type": "tool", "name": STRUCTURED_TOOL}
    assert len(outcome.of(TextDelta)) == 3
    assert outcome.text == '{"answer": 42}'
    assert outcome.events[-3:] == [Usage(4, 2), Finished("stop"), SchemaChecked(valid=True)]


def test_structured_output_that_breaks_the_schema_is_reported(server: FakeLLMServer) -> None:
    server.script("m", text='{"answer": "forty-two"}')
    outcome = run(make_provider(ANTHROPIC.config(server)), schema_text=json.dumps(SCHEMA))

    assert outcome.error is None
    [checked] = outcome.of(SchemaChecked)
    assert not checked.valid
    assert checked.error is not None
    assert "answer" in checked.error


def test_a_schema_that_is_not_an_object_is_refused(server: FakeLLMServer) -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    outcome = run(make_provider(ANTHROPIC.config(server)), schema_text=json.dumps(schema))

    assert isinstance(outcome.error, BadRequestError)
    assert "wrap it in an object" in str(outcome.error)
    assert server.requests == []


def test_list_models_returns_every_model(server: FakeLLMServer) -> None:
    for model in ("claude-a", "claude-b", "claude-c"):
        server.script(model)
    provider = make_provider(ANTHROPIC.config(server))

    assert asyncio.run(provider.list_models(KEY)) == ["claude-a", "claude-b", "claude-c"]
    assert "anthropic-version" in server.requests[0].headers


def test_list_models_maps_errors(server: FakeLLMServer) -> None:
    server.require_key = "sk-ant-the-only-good-key"
    provider = make_provider(ANTHROPIC.config(server, name="proxy", key_env=None))

    with pytest.raises(AuthenticationError) as error:
        asyncio.run(provider.list_models(KEY))
    # A custom provider with no variable of its own: only the dialog is named.
    assert str(error.value) == "proxy rejected the key — set it in Settings → Keys."


def test_permission_message_names_the_model(server: FakeLLMServer) -> None:
    server.script("claude-locked", fault="permission")
    outcome = run(make_provider(ANTHROPIC.config(server)), "claude-locked")

    assert isinstance(outcome.error, PermissionDeniedError)
    assert "model 'claude-locked'" in str(outcome.error)


def test_builtin_anthropic_honours_anthropic_base_url(
    server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.anthropic_base_url)
    [builtin] = [c for c in BUILTIN_PROVIDERS if c.name == "anthropic"]
    assert builtin.base_url is None

    outcome = run(make_provider(builtin), "claude-env")

    assert outcome.text == "Hello from claude-env."
    assert server.requests[0].model == "claude-env"
