"""Exported Python and curl scripts, run against the loopback fake server.

Each script runs in a subprocess with the server's base URL and a test key in
its environment, exactly as a user would run it; it must print the model's
text and nothing else, and the request the server recorded must carry the
prompt as the app renders it, with the target's parameters.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from playground.core import templates
from playground.core.document import PromptDocument
from playground.export.base import ExportOptions
from playground.export.registry import export_document
from tests.export.test_code import CASES, LOGIC, PLAIN, STRUCTURED, export_case
from tests.fakes.llm_server import FakeLLMServer

ANSWER = 'Tides rise twice a day — "mostly". ✓'
KEY = "sk-test-run"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(require_key=KEY) as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh(server: FakeLLMServer) -> None:
    server.reset()


def _environment(server: FakeLLMServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.update(
        OPENAI_API_KEY=KEY,
        ANTHROPIC_API_KEY=KEY,
        OLLAMA_API_KEY=KEY,
        OPENAI_BASE_URL=server.openai_base_url,
        OLLAMA_BASE_URL=server.openai_base_url,
        ANTHROPIC_BASE_URL=server.anthropic_base_url,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


def _run(command: Sequence[str], server: FakeLLMServer) -> str:
    done = subprocess.run(
        command,
        env=_environment(server),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert done.stderr == ""
    return done.stdout


def _run_python(text: str, tmp_path: Path, server: FakeLLMServer, *args: str) -> str:
    script = tmp_path / "exported.py"
    script.write_text(text, encoding="utf-8")
    return _run([sys.executable, str(script), *args], server)


def _body(server: FakeLLMServer) -> dict[str, Any]:
    posts = [r for r in server.requests if r.method == "POST"]
    assert len(posts) == 1
    body = posts[0].body
    assert isinstance(body, dict)
    return body


def _expected_turns(doc: PromptDocument, values: dict[str, str]) -> tuple[str, list[Any]]:
    request = templates.render(doc, values)
    return request.system, [{"role": m.role, "content": m.content} for m in request.messages]


# ---------------------------------------------------------------- Python, OpenAI


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("variables", ["inline", "parameters"])
def test_python_openai_prints_the_answer_and_sends_the_prompt(
    server: FakeLLMServer, tmp_path: Path, stream: bool, variables: str
) -> None:
    server.script("gpt-4.1-mini", text=ANSWER, chunks=4)
    options = ExportOptions(stream=stream, variables=variables)  # type: ignore[arg-type]
    text = export_document(PLAIN, "python-openai", options).main.text
    args = ("--topic", "volcanoes") if variables == "parameters" else ()
    assert _run_python(text, tmp_path, server, *args) == ANSWER + "\n"

    body = _body(server)
    values = {"topic": "volcanoes"} if variables == "parameters" else {}
    system, turns = _expected_turns(PLAIN, values)
    assert body["messages"] == [{"role": "system", "content": system}, *turns]
    assert body["model"] == "gpt-4.1-mini"
    assert body.get("stream", False) is stream
    for name, value in {
        "temperature": 0.3,
        "top_p": 0.9,
        "max_completion_tokens": 200,
        "stop": ["END"],
        "seed": 7,
    }.items():
        assert body[name] == value
    assert server.requests[0].api_key == KEY


def test_python_openai_for_a_local_server_reads_its_own_url(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    server.script("llama3.2", text=ANSWER)
    text = export_document(PLAIN, "python-openai", ExportOptions(target=2, stream=True)).main.text
    assert _run_python(text, tmp_path, server) == ANSWER + "\n"
    body = _body(server)
    assert (body["model"], body["max_tokens"], body["temperature"]) == ("llama3.2", 50, 0.5)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_python_with_jinja_logic_renders_as_the_app_does(
    server: FakeLLMServer, tmp_path: Path, stream: bool
) -> None:
    server.script("gpt-4.1-mini", text=ANSWER)
    options = ExportOptions(variables="parameters", stream=stream)
    text = export_document(LOGIC, "python-openai", options).main.text
    output = _run_python(text, tmp_path, server, "--steps", "a, b", "--strict", "1")
    assert output == ANSWER + "\n"
    system, turns = _expected_turns(LOGIC, {"steps": "a, b", "strict": "1"})
    assert system.endswith("Be strict.")
    assert _body(server)["messages"] == [{"role": "system", "content": system}, *turns]


def test_python_openai_asks_for_the_schema(server: FakeLLMServer, tmp_path: Path) -> None:
    answer = '{"answer": "yes", "score": 3}'
    server.script("gpt-4.1-mini", text=answer)
    text = export_case("python-openai-schema").main.text
    assert _run_python(text, tmp_path, server) == answer + "\n"
    schema = _body(server)["response_format"]["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["required"] == ["answer", "score"]


# ---------------------------------------------------------------- Python, Anthropic


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("variables", ["inline", "parameters"])
def test_python_anthropic_prints_the_answer_and_sends_the_prompt(
    server: FakeLLMServer, tmp_path: Path, stream: bool, variables: str
) -> None:
    server.script("claude-haiku-4-5", text=ANSWER, chunks=3)
    options = ExportOptions(target=1, stream=stream, variables=variables)  # type: ignore[arg-type]
    text = export_document(PLAIN, "python-anthropic", options).main.text
    args = ("--audience", "sailor") if variables == "parameters" else ()
    assert _run_python(text, tmp_path, server, *args) == ANSWER + "\n"

    body = _body(server)
    values = {"audience": "sailor"} if variables == "parameters" else {}
    system, turns = _expected_turns(PLAIN, values)
    assert body["system"] == system
    assert body["messages"] == turns
    assert (body["max_tokens"], body["stop_sequences"]) == (300, ["END"])
    assert body.get("stream", False) is stream
    assert server.requests[0].api_key == KEY


def test_python_anthropic_defaults_max_tokens_and_flattens_examples(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    server.script("claude-haiku-4-5", text=ANSWER)
    doc = replace(
        PLAIN,
        targets=(
            replace(
                PLAIN.targets[1], parameters=replace(PLAIN.targets[1].parameters, max_tokens=None)
            ),
        ),
    )
    text = export_document(doc, "python-anthropic", ExportOptions(examples="flattened")).main.text
    assert _run_python(text, tmp_path, server) == ANSWER + "\n"
    body = _body(server)
    assert body["max_tokens"] == 1024
    assert "<example>\n<input>\nExplain childs.\n</input>" in body["system"]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]


@pytest.mark.parametrize("case", ["python-anthropic-schema", "python-anthropic-schema-stream"])
def test_python_anthropic_structured_output_prints_the_json(
    server: FakeLLMServer, tmp_path: Path, case: str
) -> None:
    answer = '{"answer": "yes", "score": 3}'
    server.script("claude-haiku-4-5", text=answer, chunks=3)
    output = _run_python(export_case(case).main.text, tmp_path, server)
    assert json.loads(output) == json.loads(answer)
    assert output.endswith("}\n")
    body = _body(server)
    assert body["tool_choice"] == {"type": "tool", "name": "respond"}
    assert body["tools"][0]["input_schema"]["required"] == ["answer", "score"]


def test_python_anthropic_with_jinja_logic(server: FakeLLMServer, tmp_path: Path) -> None:
    server.script("claude-haiku-4-5", text=ANSWER)
    output = _run_python(export_case("python-anthropic-jinja-stream").main.text, tmp_path, server)
    assert output == ANSWER + "\n"
    system, turns = _expected_turns(LOGIC, {})
    body = _body(server)
    assert (body["system"], body["messages"]) == (system, turns)
    assert "- TENT" not in turns[0]["content"]
    assert "- tent\n" in turns[0]["content"]


# ---------------------------------------------------------------- curl

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@pytest.mark.parametrize("name", sorted(n for n, case in CASES.items() if case[0] == "curl"))
def test_every_curl_export_is_valid_bash(name: str, tmp_path: Path) -> None:
    script = tmp_path / "exported.sh"
    script.write_text(export_case(name).main.text, encoding="utf-8")
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def _run_curl(text: str, tmp_path: Path, server: FakeLLMServer) -> str:
    script = tmp_path / "exported.sh"
    script.write_text(text, encoding="utf-8")
    return _run(["bash", str(script)], server)


@needs_curl
@pytest.mark.parametrize(("case", "target"), [("curl-openai", 0), ("curl-ollama", 2)])
def test_curl_against_chat_completions(
    server: FakeLLMServer, tmp_path: Path, case: str, target: int
) -> None:
    model = PLAIN.targets[target].model
    server.script(model, text=ANSWER)
    output = _run_curl(export_case(case).main.text, tmp_path, server)
    response = json.loads(output)
    assert response["choices"][0]["message"]["content"] == ANSWER
    system, turns = _expected_turns(PLAIN, {})
    assert _body(server)["messages"] == [{"role": "system", "content": system}, *turns]


@needs_curl
def test_curl_against_messages(server: FakeLLMServer, tmp_path: Path) -> None:
    server.script("claude-haiku-4-5", text=ANSWER)
    output = _run_curl(export_case("curl-anthropic").main.text, tmp_path, server)
    assert json.loads(output)["content"][0]["text"] == ANSWER
    body = _body(server)
    assert body["system"].startswith("You explain tides to a child.")
    assert server.requests[0].headers["x-api-key"] == KEY
    assert server.requests[0].headers["anthropic-version"] == "2026-10-21"


@needs_curl
def test_curl_streams_server_sent_events(server: FakeLLMServer, tmp_path: Path) -> None:
    server.script("claude-haiku-4-5", text=ANSWER, chunks=3)
    output = _run_curl(export_case("curl-anthropic-stream").main.text, tmp_path, server)
    texts = [
        json.loads(line.removeprefix("data: "))["delta"].get("text", "")
        for line in output.splitlines()
        if line.startswith("data: ") and '"content_block_delta"' in line
    ]
    assert "".join(texts) == ANSWER
    assert _body(server)["stream"] is True


@needs_curl
def test_curl_with_schema_streams_openai_chunks(server: FakeLLMServer, tmp_path: Path) -> None:
    answer = '{"answer": "no", "score": 1}'
    server.script("gpt-4.1-mini", text=answer, chunks=2)
    output = _run_curl(export_case("curl-openai-schema-stream").main.text, tmp_path, server)
    chunks = [
        json.loads(line.removeprefix("data: "))
        for line in output.splitlines()
        if line.startswith("data: {")
    ]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == answer
    assert _body(server)["response_format"]["type"] == "json_schema"
    assert STRUCTURED.targets[0].schema == _body(server)["response_format"]["json_schema"]["schema"]
