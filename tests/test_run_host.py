"""The run host: its wire format, and a real child process driving runs against the fake server."""

from __future__ import annotations

import asyncio
import io
import os
import queue
import signal
import time
from collections.abc import Iterator

import pytest

from playground.core.document import Message, PromptDocument, Target, content_hash
from playground.core.errors import MissingKeyError, RateLimitedError
from playground.core.events import TextDelta
from playground.core.provider_config import ProviderConfig
from playground.core.runner import Completed, RunUpdate
from playground.core.templates import render
from playground.run_host import (
    HostFailure,
    KeyFailure,
    RunHost,
    RunJob,
    read_frame,
    write_frame,
)
from playground.running import RunContext
from playground.store import Store
from tests.fakes.llm_server import FakeLLMServer

SECRET = "sk-run-host-secret-0123456789"


def test_frames_round_trip_and_end_cleanly() -> None:
    stream = io.BytesIO()
    update = RunUpdate("3", TextDelta("héllo"))
    write_frame(stream, ("updates", [(1, update), (1, None)]))
    write_frame(stream, ("cancel", 1, None))
    stream.seek(0)
    assert read_frame(stream) == ("updates", [(1, update), (1, None)])
    assert read_frame(stream) == ("cancel", 1, None)
    assert read_frame(stream) is None  # the end of the stream, not an error


def test_a_cut_frame_reads_as_the_end() -> None:
    stream = io.BytesIO()
    write_frame(stream, ("cancel", 1, "2"))
    cut = io.BytesIO(stream.getvalue()[:-3])
    assert read_frame(cut) is None


def test_an_oversized_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        read_frame(io.BytesIO(b"\xff\xff\xff\xff"))


def test_key_failures_come_back_as_the_same_error() -> None:
    missing = KeyFailure.of(MissingKeyError("OpenAI", "No key for OpenAI. Add one in Settings."))
    error = missing.error()
    assert type(error) is MissingKeyError
    assert (error.provider, str(error)) == ("OpenAI", "No key for OpenAI. Add one in Settings.")
    limited = KeyFailure.of(RateLimitedError("X", "slow down")).error()
    assert type(limited) is RateLimitedError
    assert limited.status == 429
    assert type(KeyFailure("NoSuchError", "X", "odd").error()).__name__ == "ProviderError"


# ---------------------------------------------------------------- a real child


class Collector:
    """What the reader thread hands over, per run."""

    def __init__(self) -> None:
        self.items: queue.Queue[object] = queue.Queue()

    def __call__(self, batch: list[object]) -> None:
        for item in batch:
            self.items.put(item)

    def until_run_ends(self, number: int, timeout: float = 60.0) -> list[RunUpdate]:
        updates: list[RunUpdate] = []
        deadline = time.monotonic() + timeout
        while True:
            item = self.items.get(timeout=max(0.1, deadline - time.monotonic()))
            if isinstance(item, HostFailure):
                raise AssertionError(f"the run host died: {item.message}")
            assert isinstance(item, tuple)
            got, update = item
            if got != number:
                continue
            if update is None:
                return updates
            updates.append(update)


def job(
    store: Store,
    number: int,
    panes: tuple[tuple[str, Target], ...],
    keys: dict[str, str | KeyFailure | None],
) -> RunJob:
    doc = PromptDocument("greet", system="Be brief.", messages=(Message("user", "Hi"),))
    prompt = store.create_prompt(f"greet {number}", doc)
    context = RunContext(prompt.id, None, content_hash(doc), {})
    return RunJob(number, str(store.path), render(doc, {}), context, panes, keys)


@pytest.fixture
def server_process() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(require_key=SECRET) as running:
        yield running


def test_the_child_streams_logs_and_keeps_keys_out_of_the_log(
    server_process: FakeLLMServer, playground_home
) -> None:
    server_process.script("m-ok", text="Hello from the child.", chunk_delay=0.002)
    with Store.open() as store:
        store.save_provider_config(
            ProviderConfig(
                "fake",
                "openai-compatible",
                base_url=server_process.openai_base_url,
                key_required=True,
            )
        )
        collector = Collector()
        host = RunHost(collector)
        try:
            panes = (("a", Target("fake", "m-ok")), ("b", Target("fake", "m-ok")))
            host.submit(job(store, 1, panes, {"fake": SECRET}))
            updates = collector.until_run_ends(1)
            missing = KeyFailure.of(MissingKeyError("fake", "No key for fake."))
            host.submit(job(store, 2, (("c", Target("fake", "m-ok")),), {"fake": missing}))
            failed = collector.until_run_ends(2)
        finally:
            host.close()
        text = {
            p: "".join(
                u.event.text for u in updates if u.target_id == p and isinstance(u.event, TextDelta)
            )
            for p in ("a", "b")
        }
        assert text == {"a": "Hello from the child.", "b": "Hello from the child."}
        done = [u.event.result for u in failed if isinstance(u.event, Completed)]
        assert [(r.status, r.error, r.error_kind) for r in done] == [
            ("error", "No key for fake.", "MissingKeyError")
        ]
        logged = sorted(
            r.record.status for p in store.list_prompts() for r in store.list_runs(p.id)
        )
        assert logged == ["error", "ok", "ok"]  # written by the child's own connection
    assert not host.running
    for path in playground_home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_a_killed_child_is_reported_and_the_next_run_starts_a_new_one(
    server_process: FakeLLMServer,
) -> None:
    server_process.script("slow", text="word " * 400, chunk_delay=0.01)
    server_process.script("quick", text="back again")
    with Store.open() as store:
        store.save_provider_config(
            ProviderConfig("fake", "openai-compatible", base_url=server_process.openai_base_url)
        )
        collector = Collector()
        host = RunHost(collector)
        try:
            host.submit(job(store, 1, (("a", Target("fake", "slow")),), {"fake": SECRET}))
            first = collector.items.get(timeout=60)
            assert isinstance(first, tuple)
            assert host._proc is not None
            os.kill(host._proc.pid, signal.SIGKILL)
            while not isinstance(item := collector.items.get(timeout=30), HostFailure):
                pass
            assert "stopped unexpectedly" in item.message
            host.submit(job(store, 2, (("a", Target("fake", "quick")),), {"fake": SECRET}))
            again = collector.until_run_ends(2)
        finally:
            host.close()
        assert (
            "".join(u.event.text for u in again if isinstance(u.event, TextDelta)) == "back again"
        )


def test_closing_stops_what_runs_and_logs_it_as_cancelled(
    server_process: FakeLLMServer,
) -> None:
    server_process.script("slow", text="word " * 400, chunk_delay=0.01)
    with Store.open() as store:
        store.save_provider_config(
            ProviderConfig("fake", "openai-compatible", base_url=server_process.openai_base_url)
        )
        collector = Collector()
        host = RunHost(collector)
        host.submit(job(store, 1, (("a", Target("fake", "slow")),), {"fake": SECRET}))
        while True:  # wait for text, so the target is really streaming
            item = collector.items.get(timeout=60)
            assert isinstance(item, tuple)
            if item[1] is not None and isinstance(item[1].event, TextDelta):
                break
        host.close()
        assert not host.running
        runs = [r for p in store.list_prompts() for r in store.list_runs(p.id)]
        assert [r.record.status for r in runs] == ["cancelled"]
        assert runs[0].record.output.startswith("word")


def test_a_batch_joins_each_panes_consecutive_text_and_keeps_the_order() -> None:
    from playground.core.events import Finished
    from playground.run_host import join_text

    def delta(pane: str, text: str) -> RunUpdate:
        return RunUpdate(pane, TextDelta(text))

    batch = [
        (1, delta("a", "He")),
        (1, delta("b", "Hi")),
        (1, delta("a", "llo")),
        (1, RunUpdate("a", Finished("stop"))),
        (1, delta("a", " again")),
        (2, delta("a", "new")),
        (1, delta("b", "!")),
        (1, None),
        (1, delta("b", "late")),
    ]
    joined = join_text(batch)
    assert joined == [
        (1, delta("a", "Hello")),
        (1, delta("b", "Hi!")),
        (1, RunUpdate("a", Finished("stop"))),
        (1, delta("a", " again")),
        (2, delta("a", "new")),
        (1, None),
        (1, delta("b", "late")),
    ]


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="Unix scheduling priorities")
def test_the_child_runs_at_a_lower_priority_than_the_app() -> None:
    from playground.run_host import HOST_NICENESS

    host = RunHost(Collector())
    host.start()
    try:
        assert host._proc is not None
        pid = host._proc.pid
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        deadline = time.monotonic() + 30
        while os.getpriority(os.PRIO_PROCESS, pid) == ours and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(ours + HOST_NICENESS, 19)
    finally:
        host.close()


def test_an_unknown_message_is_logged_by_its_tag_alone() -> None:
    from playground.run_host import ModelsRequest, _tag

    config = ProviderConfig("fake", "openai-compatible", base_url="http://127.0.0.1:9/v1")
    odd = ("models", "not-a-number", ModelsRequest(config, SECRET, 1.0, 1.0))
    assert _tag(odd) == "'models' with 2 field(s)"
    assert SECRET not in _tag(odd)
    assert _tag(b"\x00junk") == "bytes"


def test_a_stop_for_a_run_that_is_over_is_not_kept() -> None:
    from playground.run_host import _Host

    async def scenario() -> tuple[dict[int, list[str | None]], list[str | None]]:
        host = _Host(io.BytesIO())
        host._on_message(("cancel", 7, None))  # run 7 has ended (or never came)
        host._received.add(8)  # run 8 received, its runner not built yet
        host._on_message(("cancel", 8, "a"))
        return host._early_stops, host._early_stops.get(8, [])

    stops, early = asyncio.run(scenario())
    assert 7 not in stops
    assert early == ["a"]
