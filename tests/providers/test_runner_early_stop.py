"""A stop that comes before the targets have started is not lost."""

from __future__ import annotations

import asyncio

from playground.core.document import Target
from playground.core.events import StreamEvent, TextDelta
from playground.core.request import ChatMessage, RenderedRequest
from playground.core.runner import Completed, Runner, RunTarget

REQUEST = RenderedRequest(system="", messages=(ChatMessage("user", "hi"),))


class Slow:
    def __init__(self) -> None:
        self.started = 0

    async def stream(self, request: RenderedRequest, target: Target, key: str | None):  # type: ignore[no-untyped-def]
        self.started += 1
        for _ in range(100):
            await asyncio.sleep(0.01)
            yield TextDelta("x")


def _targets(provider: Slow) -> list[RunTarget]:
    return [RunTarget(str(i), Target("p", f"m{i}"), provider, "openai") for i in (1, 2)]


def test_stop_all_before_the_run_starts_cancels_every_target() -> None:
    provider = Slow()

    async def main() -> list[Completed]:
        runner = Runner()
        runner.cancel()  # pressed before the run got going
        done = []
        async for update in runner.run(REQUEST, _targets(provider)):
            if isinstance(update.event, Completed):
                done.append(update.event)
        return done

    done = asyncio.run(asyncio.wait_for(main(), 5))
    assert sorted(c.result.status for c in done) == ["cancelled", "cancelled"]
    assert provider.started == 0


def test_stop_one_target_right_after_start_still_completes_it() -> None:
    provider = Slow()

    async def main() -> dict[str, str]:
        runner = Runner()
        statuses: dict[str, str] = {}
        events: list[StreamEvent | object] = []
        async for update in runner.run(REQUEST, _targets(provider)):
            events.append(update.event)
            if len(events) == 1:
                runner.cancel("2")  # before target 2's task took its first step
                runner.cancel("1")
            if isinstance(update.event, Completed):
                statuses[update.target_id] = update.event.result.status
        return statuses

    assert asyncio.run(asyncio.wait_for(main(), 5)) == {"1": "cancelled", "2": "cancelled"}
