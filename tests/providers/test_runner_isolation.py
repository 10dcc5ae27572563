"""Every fault at once, one per target, through the runner: each fails alone.

This is the pane view of the fault matrix: a dozen targets run side by side
against the loopback server, each with its own fault (or none), and every
target must end with its own error class while the healthy ones complete
with their full text.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from playground.core.document import Target
from playground.core.provider_config import ProviderConfig
from playground.core.runner import Runner, RunTarget, TargetResult
from playground.providers.base import Timeouts
from playground.providers.registry import build_provider
from tests.fakes.llm_server import FakeLLMServer, unused_port
from tests.providers.conftest import ANTHROPIC, KEY, OPENAI, REQUEST, Dialect

TIMEOUTS = Timeouts(connect=2.0, idle=0.5)

# model id -> (script options, expected error class name or None for success)
SCENARIOS: dict[str, tuple[dict[str, Any], str | None]] = {
    "healthy-a": ({"text": "Alpha is fine.", "chunk_delay": 0.01}, None),
    "healthy-b": ({"text": "Bravo is fine too.", "chunks": 4}, None),
    "invalid-key": ({"fault": "invalid_key"}, "AuthenticationError"),
    "permission": ({"fault": "permission"}, "PermissionDeniedError"),
    "not-found": ({"fault": "not_found"}, "ModelNotFoundError"),
    "rate-then-ok": (
        {"text": "Waited my turn.", "fault": "rate_limit", "fail_times": 1, "retry_after": 0.1},
        None,
    ),
    "quota": ({"fault": "quota"}, "QuotaExhaustedError"),
    "500-then-ok": ({"text": "Back again.", "fault": "server_error", "fail_times": 1}, None),
    "stall": (
        {"text": "one two three four", "stall_after": 2, "stall_for": 5},
        "RequestTimeoutError",
    ),
    "truncated": ({"text": "one two three four", "truncate_after": 2}, "MalformedStreamError"),
    "crlf-nospace": ({"text": "Odd framing parses.", "crlf": True, "no_space": True}, None),
    "mid-error": ({"text": "one two three", "error_after": 1}, "OverloadedError"),
    "malformed": ({"text": "one two three", "malformed_after": 1}, "MalformedStreamError"),
}


def _results(dialect: Dialect, server: FakeLLMServer) -> dict[str, TargetResult]:
    for model, (options, _) in SCENARIOS.items():
        server.script(model, **options)
    config = dialect.config(server)
    dead = ProviderConfig("dead", dialect.kind, base_url=f"http://127.0.0.1:{unused_port()}/v1")
    targets = [
        RunTarget(
            model,
            Target(dialect.kind, model),
            build_provider(config, timeouts=TIMEOUTS, max_retries=1),
            dialect.kind,
            config.base_url,
            KEY,
        )
        for model in SCENARIOS
    ]
    targets.append(
        RunTarget(
            "refused",
            Target("dead", "m"),
            build_provider(dead, timeouts=TIMEOUTS, max_retries=0),
            dialect.kind,
            dead.base_url,
            KEY,
        )
    )
    results = asyncio.run(Runner().collect(REQUEST, targets))
    return {r.target_id: r for r in results}


@pytest.mark.parametrize("dialect", [OPENAI, ANTHROPIC], ids=lambda d: d.kind)
def test_each_target_fails_alone(dialect: Dialect) -> None:
    with FakeLLMServer(require_key=KEY) as server:
        results = _results(dialect, server)
    for model, (options, expected) in SCENARIOS.items():
        result = results[model]
        if expected is None:
            assert result.status == "ok", f"{model}: {result.error}"
            assert result.output == options["text"], model
            assert result.error is None
        else:
            assert result.status == "error", f"{model} should have failed"
            if model == "mid-error" and dialect is OPENAI:
                # OpenAI's mid-stream error event is a server_error; Anthropic's is overloaded.
                expected = "ServerError"
            assert result.error_kind == expected, f"{model}: {result.error}"
            assert dialect.display_name in (result.error or "")
            assert KEY not in (result.error or "")
    assert results["rate-then-ok"].retries == 1
    assert results["500-then-ok"].retries == 1
    assert results["stall"].output.startswith("one")  # text before the stall is kept
    refused = results["refused"]
    assert refused.status == "error"
    assert refused.error_kind == "ConnectionFailedError"
