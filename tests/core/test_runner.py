"""The runner: fan-out, isolation of failures, cancel, figures, cache and recording.

These use an in-process scripted provider, so they run without Qt or the SDKs;
tests/providers drives the real SDK clients through the runner as well.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from playground.core.document import Parameters, Target
from playground.core.errors import AuthenticationError, PlaygroundError
from playground.core.events import Finished, StreamEvent, TextDelta, Usage
from playground.core.pricing import Price, PriceTable
from playground.core.request import ChatMessage, RenderedRequest
from playground.core.runner import (
    Completed,
    Runner,
    RunTarget,
    RunUpdate,
    Started,
    TargetResult,
    cache_key,
)

REQUEST = RenderedRequest("Be brief.", (ChatMessage("user", "Hi"),))
PRICES = PriceTable({"openai": {"m-priced": Price(2.0, 8.0, "2025-09-15")}})


@dataclass
class ScriptedProvider:
    """Yields its pieces with a delay each; can fail before or after some text."""

    pieces: tuple[str, ...] = ("Hel", "lo", "!")
    delay: float = 0.01
    fail_after: int | None = None
    error: Exception = field(default_factory=lambda: AuthenticationError("Fake", "bad key"))
    usage: tuple[int, int] = (10, 3)
    calls: int = 0

    async def stream(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncIterator[StreamEvent]:
        self.calls += 1
        for i, piece in enumerate(self.pieces):
            if self.fail_after == i:
                raise self.error
            await asyncio.sleep(self.delay)
            yield TextDelta(piece)
        if self.fail_after == len(self.pieces):
            raise self.error
        yield Usage(*self.usage)
        yield Finished("stop")


def _target(rid: str, provider: ScriptedProvider, model: str = "m-priced") -> RunTarget:
    return RunTarget(rid, Target("fake", model, Parameters()), provider, "openai", None, "k")


def _run(runner: Runner, targets: list[RunTarget], **kw: bool) -> list[TargetResult]:
    return asyncio.run(runner.collect(REQUEST, targets, **kw))


def test_all_targets_complete_concurrently() -> None:
    providers = [ScriptedProvider(delay=0.1) for _ in range(4)]
    targets = [_target(f"p{i}", p) for i, p in enumerate(providers)]
    updates: list[RunUpdate] = []

    async def go() -> float:
        start = asyncio.get_running_loop().time()
        async for update in Runner().run(REQUEST, targets):
            updates.append(update)
        return asyncio.get_running_loop().time() - start

    elapsed = asyncio.run(go())
    # 4 targets × 3 pieces × 0.1 s would take 1.2 s one after another.
    assert elapsed < 0.6
    completed = [u for u in updates if isinstance(u.event, Completed)]
    assert sorted(u.target_id for u in completed) == ["p0", "p1", "p2", "p3"]
    assert all(u.event.result.output == "Hello!" for u in completed)  # type: ignore[union-attr]
    first_updates = [u.target_id for u in updates[:4]]
    assert all(isinstance(u.event, Started) for u in updates[:4]), first_updates
    # Text from different targets interleaves rather than arriving target by target.
    text_order = [u.target_id for u in updates if isinstance(u.event, TextDelta)]
    assert text_order[:4] != [text_order[0]] * 4


def test_one_failure_does_not_touch_the_others() -> None:
    bad = ScriptedProvider(fail_after=1)
    results = _run(
        Runner(),
        [
            _target("ok1", ScriptedProvider()),
            _target("bad", bad),
            _target("ok2", ScriptedProvider()),
        ],
    )
    assert [r.status for r in results] == ["ok", "error", "ok"]
    assert results[1].output == "Hel"  # what it said before failing is kept
    assert results[1].error == "bad key"
    assert results[1].error_kind == "AuthenticationError"
    assert results[0].output == results[2].output == "Hello!"


def test_a_provider_bug_is_contained_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    buggy = ScriptedProvider(fail_after=0, error=KeyError("secret-internal"))
    results = _run(Runner(), [_target("a", buggy), _target("b", ScriptedProvider())])
    assert results[0].status == "error"
    assert results[0].error_kind == "InternalError"
    assert "secret-internal" not in (results[0].error or "")
    assert "details are in the log" in (results[0].error or "")
    assert results[1].status == "ok"
    assert any("failed unexpectedly" in r.message for r in caplog.records)


def test_cancel_one_keeps_partial_output_and_others_finish() -> None:
    slow = ScriptedProvider(pieces=("a", "b", "c", "d", "e"), delay=0.1)
    runner = Runner()

    async def go() -> dict[str, TargetResult]:
        results: dict[str, TargetResult] = {}
        async for update in runner.run(
            REQUEST, [_target("slow", slow), _target("fast", ScriptedProvider())]
        ):
            event = update.event
            if isinstance(event, TextDelta) and update.target_id == "slow" and event.text == "b":
                runner.cancel("slow")
            if isinstance(update.event, Completed):
                results[update.target_id] = update.event.result
        return results

    results = asyncio.run(go())
    assert results["slow"].status == "cancelled"
    assert results["slow"].output == "ab"
    assert results["fast"].status == "ok"


def test_cancel_all() -> None:
    runner = Runner()
    targets = [_target(f"t{i}", ScriptedProvider(delay=0.2)) for i in range(3)]

    async def go() -> list[TargetResult]:
        out = []
        async for update in runner.run(REQUEST, targets):
            if isinstance(update.event, Started) and update.target_id == "t2":
                runner.cancel()
            if isinstance(update.event, Completed):
                out.append(update.event.result)
        return out

    results = asyncio.run(go())
    assert {r.status for r in results} == {"cancelled"}
    assert len(results) == 3


def test_figures_and_cost() -> None:
    provider = ScriptedProvider(pieces=("x",) * 5, delay=0.02, usage=(1000, 500))
    [priced] = _run(Runner(prices=PRICES), [_target("a", provider)])
    assert priced.ttft_ms is not None
    assert priced.total_ms is not None
    assert 15 <= priced.ttft_ms < priced.total_ms
    assert priced.total_ms >= 90
    assert priced.input_tokens == 1000
    assert priced.output_tokens == 500
    assert priced.cost == pytest.approx((1000 * 2.0 + 500 * 8.0) / 1_000_000)
    assert priced.tokens_per_s is not None
    assert priced.tokens_per_s == pytest.approx(500 / ((priced.total_ms - priced.ttft_ms) / 1000))
    [unknown] = _run(Runner(prices=PRICES), [_target("b", ScriptedProvider(), "m-unknown")])
    assert unknown.cost is None


def test_every_result_is_recorded_even_when_the_recorder_breaks() -> None:
    recorded: list[tuple[str, str]] = []

    def recorder(rt: RunTarget, request: RenderedRequest, result: TargetResult) -> None:
        recorded.append((rt.id, result.status))
        assert request == REQUEST
        if rt.id == "boom":
            raise OSError("disk full")

    results = _run(
        Runner(recorder=recorder),
        [
            _target("ok", ScriptedProvider()),
            _target("bad", ScriptedProvider(fail_after=0)),
            _target("boom", ScriptedProvider()),
        ],
    )
    assert sorted(recorded) == [("bad", "error"), ("boom", "ok"), ("ok", "ok")]
    assert results[2].status == "ok"


class DictCache:
    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def put(self, key: str, provider: str, model: str, result_json: str) -> None:
        self.data[key] = result_json


def test_cache_answers_without_calling_the_provider_and_keeps_figures() -> None:
    cache = DictCache()
    provider = ScriptedProvider(usage=(1000, 500))
    runner = Runner(prices=PRICES, cache=cache)
    [first] = _run(runner, [_target("a", provider)], use_cache=True)
    assert provider.calls == 1
    assert not first.cached
    assert len(cache.data) == 1
    [second] = _run(runner, [_target("b", provider)], use_cache=True)
    assert provider.calls == 1
    assert second.cached
    assert second.target_id == "b"
    assert second.output == first.output
    assert second.ttft_ms == first.ttft_ms
    assert second.cost == first.cost
    # Without use_cache the provider runs again.
    _run(runner, [_target("c", provider)])
    assert provider.calls == 2


def test_failed_runs_are_not_cached_and_bad_entries_are_ignored() -> None:
    cache = DictCache()
    _run(Runner(cache=cache), [_target("a", ScriptedProvider(fail_after=0))], use_cache=True)
    assert cache.data == {}
    rt = _target("a", ScriptedProvider())
    cache.data[cache_key(rt, REQUEST)] = "{not json"
    [result] = _run(Runner(cache=cache), [rt], use_cache=True)
    assert result.status == "ok"
    assert not result.cached
    assert json.loads(cache.data[cache_key(rt, REQUEST)])["output"] == "Hello!"


def test_cache_key_covers_the_request() -> None:
    rt = _target("a", ScriptedProvider())
    base = cache_key(rt, REQUEST)
    other_model = RunTarget("a", Target("fake", "other"), rt.provider, "openai")
    hotter = RunTarget(
        "a", Target("fake", "m-priced", Parameters(temperature=1.0)), rt.provider, "openai"
    )
    elsewhere = RunTarget("a", rt.target, rt.provider, "openai", "http://localhost:1/v1")
    other_request = RenderedRequest("Be long.", REQUEST.messages)
    keys = {
        base,
        cache_key(other_model, REQUEST),
        cache_key(hotter, REQUEST),
        cache_key(elsewhere, REQUEST),
        cache_key(rt, other_request),
    }
    assert len(keys) == 5
    # The key is not part of the cache key: rotating a key keeps the cache.
    rotated = RunTarget("z", rt.target, rt.provider, "openai", None, "other-key")
    assert cache_key(rotated, REQUEST) == base


def test_duplicate_target_ids_are_refused() -> None:
    p = ScriptedProvider()
    with pytest.raises(PlaygroundError):
        _run(Runner(), [_target("a", p), _target("a", p)])


def test_leaving_early_cancels_and_records_the_rest() -> None:
    recorded: list[str] = []
    runner = Runner(recorder=lambda rt, req, res: recorded.append(res.status))
    targets = [_target(f"t{i}", ScriptedProvider(delay=0.2)) for i in range(2)]

    async def go() -> None:
        async for update in runner.run(REQUEST, targets):
            if isinstance(update.event, Started):
                break

    asyncio.run(go())
    assert recorded == ["cancelled", "cancelled"]


def test_price_table_snapshots_and_unknowns() -> None:
    table = PriceTable(
        {
            "anthropic": {"claude-sonnet-4": Price(3.0, 15.0, "x")},
            "openai": {"gpt-4o": Price(2.5, 10.0, "x"), "gpt-4o-mini": Price(0.15, 0.6, "x")},
        }
    )
    assert table.price("anthropic", "claude-sonnet-4-20250514") == Price(3.0, 15.0, "x")
    assert table.price("openai", "gpt-4o-2024-08-06") == Price(2.5, 10.0, "x")
    assert table.price("openai", "gpt-4o-mini-2024-07-18") == Price(0.15, 0.6, "x")
    assert table.price("openai", "gpt-4o-audio-preview") is None
    assert table.price("openai-compatible", "gpt-4o") is None
    assert table.cost("openai", "gpt-4o", None, 5) is None


def test_bundled_price_table_loads_and_overrides(tmp_path) -> None:
    from playground.paths import resources_dir

    bundled = resources_dir() / "prices.json"
    override = tmp_path / "prices.json"
    override.write_text(
        json.dumps(
            {
                "models": {
                    "openai": {
                        "gpt-4o": {"input": 1, "output": 2, "checked": "2026-11-01"},
                        "my-fine-tune": {"input": 3, "output": 4},
                    }
                }
            }
        )
    )
    table = PriceTable.load(bundled, override)
    assert table.price("openai", "gpt-4o") == Price(1.0, 2.0, "2026-11-01")
    assert table.price("openai", "my-fine-tune") == Price(3.0, 4.0, "")
    assert table.price("anthropic", "claude-sonnet-4-5") is not None
    assert all(p.checked for p in PriceTable.load(bundled)._prices["openai"].values())


def test_a_single_burst_has_no_token_rate() -> None:
    [burst] = _run(Runner(), [_target("a", ScriptedProvider(pieces=("all at once",), delay=0))])
    assert burst.status == "ok"
    assert burst.tokens_per_s is None
