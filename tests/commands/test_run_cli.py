"""``playground run`` end to end: real SDK clients against the loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from playground.core import document
from playground.core.document import Message, PromptDocument, Target, Variable
from playground.store import Store
from tests.fakes.llm_server import FakeLLMServer, unused_port

KEY = "sk-test-run-cli-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(require_key=KEY) as s:
        yield s


@pytest.fixture
def providers(cli, server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> FakeLLMServer:
    monkeypatch.setenv("FAKE_KEY", KEY)
    for name, kind, url in (
        ("oai", "openai", server.openai_base_url),
        ("ant", "anthropic", server.anthropic_base_url),
        ("local", "openai-compatible", server.openai_base_url),
    ):
        # The fake wants a key from everyone; keyless local servers are covered in
        # tests/providers.
        argv = ["providers", "add", name, "--kind", kind, "--base-url", url]
        code, _, err = cli(*argv, "--key-env", "FAKE_KEY")
        assert code == 0, err
    return server


def _prompt_file(tmp_path: Path, **kw: Any) -> Path:
    doc = PromptDocument(
        name="greet",
        system="Be kind.",
        messages=(Message("user", "Say hi to {{ who }}."),),
        **{"variables": (Variable("who", sample="Ada"),), **kw},
    )
    path = tmp_path / "greet.json"
    path.write_text(document.to_json(doc, indent=2))
    return path


def test_one_target_streams_to_stdout_and_is_recorded(cli, providers, tmp_path: Path) -> None:
    providers.script("gpt-test", text="Hello there, Ada.")
    code, out, err = cli("run", str(_prompt_file(tmp_path)), "--model", "oai:gpt-test")
    assert code == 0, err
    assert out == "Hello there, Ada.\n"
    assert "oai:gpt-test" in err
    assert "ok" in err
    body = providers.requests[-1].body
    assert body["messages"][0] == {"role": "system", "content": "Be kind."}
    assert body["messages"][-1] == {"role": "user", "content": "Say hi to Ada."}
    with Store.open() as store:
        prompt = store.get_prompt("greet")
        [run] = store.list_runs(prompt.id)
    assert run.record.output == "Hello there, Ada."
    assert run.record.status == "ok"
    assert run.record.variables == {"who": "Ada"}
    assert run.record.tokens_out is not None


def test_several_targets_print_outputs_and_a_summary(cli, providers, tmp_path: Path) -> None:
    providers.script("gpt-test", text="From OpenAI.")
    providers.script("claude-test", text="From Anthropic.")
    providers.script("llama3.2:3b", text="From Ollama.", usage=False)
    code, out, err = cli(
        "run",
        str(_prompt_file(tmp_path)),
        "--var",
        "who=Grace",
        "-m",
        "oai:gpt-test",
        "-m",
        "ant:claude-test",
        "-m",
        "local:llama3.2:3b",
    )
    assert code == 0, err
    assert out.index("== oai:gpt-test ==") < out.index("From OpenAI.")
    assert out.index("== ant:claude-test ==") < out.index("From Anthropic.")
    assert "== local:llama3.2:3b ==" in out  # split at the first colon only
    summary = out[out.index("TARGET") :]
    assert summary.count("ok") >= 3
    assert "(est.)" in summary  # the local server sent no usage
    anthropic_body = next(r.body for r in providers.requests if r.path.endswith("/messages"))
    assert anthropic_body["system"] == "Be kind."
    assert anthropic_body["max_tokens"] > 0


def test_one_failure_exits_1_and_the_others_complete(cli, providers, tmp_path: Path) -> None:
    providers.script("gpt-test", text="Fine.")
    providers.strict_models = True
    code, out, err = cli(
        "run",
        str(_prompt_file(tmp_path)),
        "--json",
        "-m",
        "oai:gpt-test",
        "-m",
        "oai:no-such-model",
    )
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["status"] for line in lines] == ["ok", "error"]
    assert lines[0]["output"] == "Fine."
    assert lines[1]["errorKind"] == "ModelNotFoundError"
    assert "no-such-model" in lines[1]["error"]
    assert KEY not in out + err


def test_dead_server_and_missing_key_fail_only_their_target(
    cli, providers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    providers.script("gpt-test", text="Still here.")
    assert (
        cli(
            "providers",
            "add",
            "dead",
            "--kind",
            "openai-compatible",
            "--base-url",
            f"http://127.0.0.1:{unused_port()}/v1",
        )[0]
        == 0
    )
    assert (
        cli(
            "providers",
            "add",
            "nokey",
            "--kind",
            "openai",
            "--base-url",
            providers.openai_base_url,
            "--key-env",
            "UNSET_KEY_VAR",
        )[0]
        == 0
    )
    monkeypatch.delenv("UNSET_KEY_VAR", raising=False)
    code, out, _ = cli(
        "run",
        str(_prompt_file(tmp_path)),
        "--json",
        "--retries",
        "0",
        "-m",
        "oai:gpt-test",
        "-m",
        "dead:m",
        "-m",
        "nokey:gpt-test",
    )
    assert code == 1
    by_target = {line["target"]: line for line in map(json.loads, out.splitlines())}
    assert by_target["oai:gpt-test"]["status"] == "ok"
    assert by_target["dead:m"]["errorKind"] == "ConnectionFailedError"
    assert by_target["nokey:gpt-test"]["errorKind"] == "MissingKeyError"
    assert "UNSET_KEY_VAR" in by_target["nokey:gpt-test"]["error"]


def test_rows_from_csv_run_once_each(cli, providers, tmp_path: Path) -> None:
    providers.script("gpt-test", text="Hi.")
    rows = tmp_path / "rows.csv"
    rows.write_text("who\nAda\nGrace\nLinus\n")
    code, out, err = cli(
        "run", str(_prompt_file(tmp_path)), "--json", "--vars-file", str(rows), "-m", "oai:gpt-test"
    )
    assert code == 0, err
    assert [json.loads(line)["row"] for line in out.splitlines()] == [1, 2, 3]
    sent = [
        r.body["messages"][-1]["content"]
        for r in providers.requests
        if r.path.endswith("/chat/completions")
    ]
    assert sent == ["Say hi to Ada.", "Say hi to Grace.", "Say hi to Linus."]


def test_cache_answers_the_second_run(cli, providers, tmp_path: Path) -> None:
    providers.script("gpt-test", text="Cached words.")
    path = str(_prompt_file(tmp_path))
    assert cli("run", path, "--cache", "-m", "oai:gpt-test", "--json")[0] == 0
    code, out, _ = cli("run", path, "--cache", "-m", "oai:gpt-test", "--json")
    assert code == 0
    line = json.loads(out)
    assert line["cached"] is True
    assert line["output"] == "Cached words."
    assert providers.attempts("gpt-test") == 1
    cli("run", path, "-m", "oai:gpt-test", "--json")
    assert providers.attempts("gpt-test") == 2


def test_library_prompt_uses_its_own_targets(cli, providers, tmp_path: Path) -> None:
    providers.script("claude-test", text="Library run.")
    path = _prompt_file(tmp_path, targets=(Target("ant", "claude-test"),))
    assert cli("prompts", "save", str(path))[0] == 0
    code, out, err = cli("run", "greet")
    assert code == 0, err
    assert out == "Library run.\n"
    with Store.open() as store:
        prompt = store.get_prompt("greet")
        [run] = store.list_runs(prompt.id)
    assert run.version_number == 1


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("run", "greet.json", "-m", "nocolon"), "PROVIDER:MODEL"),
        (("run", "greet.json", "-m", "nosuch:model"), "nosuch"),
        (("run", "greet.json"), "no targets"),
        (("run", "greet.json", "-m", "oai:m", "--vars-file", "rows.txt"), ".csv"),
        (("run", "missing.json", "-m", "oai:m"), "no such file"),
    ],
)
def test_usage_errors_exit_2(cli, providers, tmp_path: Path, monkeypatch, argv, needle) -> None:
    _prompt_file(tmp_path)
    (tmp_path / "rows.txt").write_text("who\nAda\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*argv)
    assert code == 2, err
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_every_row_is_checked_before_any_request(cli, providers, tmp_path: Path) -> None:
    providers.script("gpt-test", text="Hi.")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"who": "Ada"}\n{"other": "x"}\n')
    path = _prompt_file(tmp_path, variables=())  # no sample: row 2 lacks 'who'
    code, _, err = cli("run", str(path), "--vars-file", str(rows), "-m", "oai:gpt-test")
    assert code == 2
    assert "row 2" in err
    assert "who" in err
    assert providers.attempts("gpt-test") == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("who,who\nA,B\n", "appears twice"),
        ("who,extra\nAda\n", "fewer values"),
        ("who\nAda,Grace\n", "more values"),
    ],
)
def test_malformed_csv_rows(cli, providers, tmp_path: Path, content: str, needle: str) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(content)
    code, _, err = cli(
        "run", str(_prompt_file(tmp_path)), "--vars-file", str(rows), "-m", "oai:gpt-test"
    )
    assert code == 2
    assert needle in err


def test_cache_tells_servers_apart(
    cli, providers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    providers.script("gpt-test", text="From the fake.")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", providers.openai_base_url)
    path = str(_prompt_file(tmp_path))
    assert cli("run", path, "--cache", "-m", "openai:gpt-test", "--json")[0] == 0
    with FakeLLMServer(require_key=KEY) as other:
        other.script("gpt-test", text="From another server.")
        monkeypatch.setenv("OPENAI_BASE_URL", other.openai_base_url)
        code, out, _ = cli("run", path, "--cache", "-m", "openai:gpt-test", "--json")
        assert code == 0
        line = json.loads(out)
        assert line["cached"] is False
        assert line["output"] == "From another server."
    with Store.open() as store:
        runs = store.list_runs(store.get_prompt("greet").id)
    urls = {json.loads(r.record.target_json)["baseUrl"] for r in runs}
    assert urls == {providers.openai_base_url, other.openai_base_url}


def test_ctrl_c_shows_partial_outputs_and_records_them(
    providers, tmp_path: Path, playground_home: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    providers.script("slow", text="one two three four five six", chunk_delay=1.0)
    providers.script("fast", text="Done quickly.")
    env = {**os.environ, "FAKE_KEY": KEY, "PLAYGROUND_HOME": str(playground_home)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "playground",
            "run",
            str(_prompt_file(tmp_path)),
            "-m",
            "oai:fast",
            "-m",
            "oai:slow",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 30
    while providers.attempts("slow") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # a word or two of the slow answer has arrived
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Done quickly." in out
    assert "== oai:slow ==" in out
    assert "[cancelled]" in out
    assert "Stopped" in err
    with Store.open() as store:
        runs = store.list_runs(store.get_prompt("greet").id)
    statuses = {r.record.model: r.record.status for r in runs}
    assert statuses == {"fast": "ok", "slow": "cancelled"}
    slow = next(r for r in runs if r.record.model == "slow")
    assert slow.record.output.startswith("one")


@pytest.mark.parametrize("fmt", ["prompty", "promptfoo", "json"])
def test_run_takes_prompt_files_of_every_importable_format(
    cli, providers, tmp_path: Path, fmt: str
) -> None:
    from playground.exchange import write_export
    from playground.export import registry
    from playground.export.base import ExportOptions

    doc = PromptDocument(
        name="greet",
        system="Be kind.",
        messages=(Message("user", "Say hi to {{ who }}."),),
        variables=(Variable("who", sample="Ada"),),
        targets=(document.Target("oai", "gpt-test"),),
    )
    with Store.open() as store:
        configs = {c.name: c for c in store.provider_configs()}
    result = registry.export_document(doc, fmt, ExportOptions(providers=configs))
    [main] = write_export(result, tmp_path / result.main.name)[:1]
    providers.script("gpt-test", text="Hello there, Ada.")
    code, out, err = cli("run", str(main))  # the file's own target
    assert code == 0, err
    assert out == "Hello there, Ada.\n"
    body = providers.requests[-1].body
    assert body["messages"][0] == {"role": "system", "content": "Be kind."}
    assert body["messages"][-1] == {"role": "user", "content": "Say hi to Ada."}
