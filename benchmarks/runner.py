"""Runner benchmarks against the loopback fake server; prints one JSON object.

- fan-out: wall time for 8 targets that each stream for about 1 s, divided
  by the wall time for 1 such target (target: ≤ 1.10);
- overhead: median time to first token through the runner (provider class,
  retries wrapper, event queue), minus the raw ``openai`` SDK's on the same
  server (target: ≤ 5 ms).

Run from the repository root: ``python benchmarks/runner.py``.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai

from playground.core.document import Target
from playground.core.events import TextDelta
from playground.core.provider_config import ProviderConfig
from playground.core.request import ChatMessage, RenderedRequest
from playground.core.runner import Completed, Runner, RunTarget
from playground.providers.base import Timeouts
from playground.providers.registry import build_provider
from tests.fakes.llm_server import FakeLLMServer

KEY = "sk-bench"
REQUEST = RenderedRequest("Be brief.", (ChatMessage("user", "Count to twenty."),))
CHUNKS = 20
CHUNK_DELAY = 0.05  # 20 × 50 ms ≈ 1 s of streaming per target


async def _wall(server: FakeLLMServer, n: int) -> float:
    config = ProviderConfig("bench", "openai", base_url=server.openai_base_url)
    targets = [
        RunTarget(
            str(i),
            Target("bench", f"stream-{i}"),
            build_provider(config, timeouts=Timeouts(5, 10), max_retries=0),
            "openai",
            config.base_url,
            KEY,
        )
        for i in range(n)
    ]
    start = time.perf_counter()
    results = await Runner().collect(REQUEST, targets)
    elapsed = time.perf_counter() - start
    assert all(r.status == "ok" for r in results), [r.error for r in results]
    return elapsed


async def _ttft_runner(server: FakeLLMServer) -> float:
    config = ProviderConfig("bench", "openai", base_url=server.openai_base_url)
    provider = build_provider(config, timeouts=Timeouts(5, 10), max_retries=0)
    rt = RunTarget("1", Target("bench", "quick"), provider, "openai", config.base_url, KEY)
    start = time.perf_counter()
    first = None
    async for update in Runner().run(REQUEST, [rt]):
        if first is None and isinstance(update.event, TextDelta):
            first = time.perf_counter()
        if isinstance(update.event, Completed):
            assert update.event.result.status == "ok", update.event.result.error
    assert first is not None
    return (first - start) * 1000


async def _ttft_raw(server: FakeLLMServer, tls: ssl.SSLContext) -> float:
    # A fresh client per request, as the provider makes, with a TLS context made
    # once, as the provider shares one: the difference is then our own layers.
    start = time.perf_counter()
    client = openai.AsyncOpenAI(
        base_url=server.openai_base_url,
        api_key=KEY,
        max_retries=0,
        http_client=openai.DefaultAsyncHttpxClient(verify=tls),
    )
    first = None
    try:
        stream = await client.chat.completions.create(
            model="quick",
            messages=[
                {"role": "system", "content": REQUEST.system},
                {"role": "user", "content": REQUEST.messages[0].content},
            ],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter()
    finally:
        await client.close()
    assert first is not None
    return (first - start) * 1000


async def main() -> dict[str, object]:
    with FakeLLMServer(require_key=KEY) as server:
        for i in range(8):
            server.script(
                f"stream-{i}",
                text=" ".join(["word"] * CHUNKS),
                chunks=CHUNKS,
                chunk_delay=CHUNK_DELAY,
            )
        server.script("quick", text="Hi there.", chunks=3)
        await _wall(server, 1)  # warm up imports and connections
        one = statistics.median([await _wall(server, 1) for _ in range(3)])
        eight = statistics.median([await _wall(server, 8) for _ in range(3)])
        runner_ttft: list[float] = []
        raw_ttft: list[float] = []
        tls = ssl.create_default_context()
        for _ in range(3):
            await _ttft_runner(server)
            await _ttft_raw(server, tls)
        for _ in range(30):  # interleaved so drift hits both equally
            runner_ttft.append(await _ttft_runner(server))
            raw_ttft.append(await _ttft_raw(server, tls))
    ratio = eight / one
    overhead = statistics.median(runner_ttft) - statistics.median(raw_ttft)
    return {
        "fanout": {
            "wall_1_s": round(one, 3),
            "wall_8_s": round(eight, 3),
            "ratio": round(ratio, 3),
            "target": 1.10,
            "pass": ratio <= 1.10,
        },
        "ttft_overhead": {
            "runner_median_ms": round(statistics.median(runner_ttft), 2),
            "raw_sdk_median_ms": round(statistics.median(raw_ttft), 2),
            "overhead_ms": round(overhead, 2),
            "trials": len(runner_ttft),
            "target_ms": 5.0,
            "pass": overhead <= 5.0,
        },
        "python": sys.version.split()[0],
        "openai_sdk": openai.__version__,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2))
