"""Run one rendered request against N targets at once, with honest figures.

One asyncio task per target. A failure, timeout or cancel in one target
never touches the others: each task turns its own outcome into a
:class:`TargetResult`. Events from all targets arrive, in the order they
happen, through one async iterator of :class:`RunUpdate`; the GUI and the
CLI both drive this same runner.

The runner knows nothing of SDKs, Qt or SQLite. It talks to providers
through :class:`StreamingProvider`, looks answers up in an optional
:class:`ResponseCache`, and hands every finished result (ok, error, or
cancelled with its partial output) to an optional ``recorder``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Sequence
from contextlib import aclosing
from dataclasses import asdict, dataclass, field, replace
from typing import Literal, Protocol

from playground.core.document import JSONValue, Target, canonical_json
from playground.core.errors import PlaygroundError, ProviderError
from playground.core.events import (
    Finished,
    Retrying,
    SchemaChecked,
    StreamEvent,
    TextDelta,
    Usage,
)
from playground.core.pricing import PriceTable
from playground.core.request import RenderedRequest

__all__ = [
    "Completed",
    "ResponseCache",
    "RunTarget",
    "RunUpdate",
    "Runner",
    "Started",
    "StreamingProvider",
    "TargetResult",
    "cache_key",
]

log = logging.getLogger("playground.runner")

Status = Literal["ok", "error", "cancelled"]


class StreamingProvider(Protocol):
    """What the runner needs of a provider (``playground.providers.base.Provider`` fits)."""

    def stream(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncGenerator[StreamEvent, None]: ...


class ResponseCache(Protocol):
    """Where cached answers live (the store implements it)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, provider: str, model: str, result_json: str) -> None: ...


@dataclass(frozen=True)
class RunTarget:
    """One pane's worth of work: a target, the provider to reach it, and its key."""

    id: str  # unique within a run, e.g. the pane id
    target: Target
    provider: StreamingProvider
    provider_kind: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TargetResult:
    """Everything measured about one target's run."""

    target_id: str
    target: Target
    status: Status
    output: str
    finish_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_estimated: bool = False
    ttft_ms: float | None = None
    total_ms: float | None = None
    cost: float | None = None
    error: str | None = None
    error_kind: str | None = None
    schema_valid: bool | None = None
    schema_error: str | None = None
    retries: int = 0
    cached: bool = False

    @property
    def tokens_per_s(self) -> float | None:
        """Output tokens per second of generation (after the first token), when measurable."""
        if not self.output_tokens or self.total_ms is None or self.ttft_ms is None:
            return None
        seconds = (self.total_ms - self.ttft_ms) / 1000
        # An answer that arrives in one burst has no meaningful rate.
        return self.output_tokens / seconds if seconds >= 0.05 and self.output_tokens > 1 else None

    def to_json(self) -> str:
        data = asdict(self)
        data["target"] = {"provider": self.target.provider, "model": self.target.model}
        return json.dumps(data, sort_keys=True)


@dataclass(frozen=True)
class Started:
    """The target's task began (or was answered from the cache)."""


@dataclass(frozen=True)
class Completed:
    result: TargetResult


@dataclass(frozen=True)
class RunUpdate:
    target_id: str
    event: StreamEvent | Started | Completed


def cache_key(rt: RunTarget, request: RenderedRequest) -> str:
    """sha256 of the canonical request: provider kind, base URL, model, parameters, messages."""
    p = rt.target.parameters
    data: dict[str, JSONValue] = {
        "kind": rt.provider_kind,
        "baseUrl": rt.base_url,
        "model": rt.target.model,
        "parameters": {
            "temperature": p.temperature,
            "maxTokens": p.max_tokens,
            "topP": p.top_p,
            "stop": list(p.stop),
            "seed": p.seed,
        },
        "jsonSchema": rt.target.schema,
        "request": request.to_dict(),
    }
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


Recorder = Callable[[RunTarget, RenderedRequest, TargetResult], None]


class Runner:
    """Fans one request out to several targets; cancel one or all while it runs.

    A runner drives one run at a time; make one per run to run several at once.
    """

    def __init__(
        self,
        *,
        prices: PriceTable | None = None,
        cache: ResponseCache | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self._prices = prices
        self._cache = cache
        self._recorder = recorder
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping: set[str] = set()
        self._stop_all_early = False

    def cancel(self, target_id: str | None = None) -> None:
        """Stop one target (or all); each keeps its partial output, marked cancelled.

        A stop that comes before :meth:`run` has started its targets is kept
        and applied as they start, so a quick Stop is never lost.
        """
        if target_id is None and not self._tasks:
            self._stop_all_early = True
        ids = list(self._tasks) if target_id is None else [target_id]
        for tid in ids:
            task = self._tasks.get(tid)
            if task is None:
                self._stopping.add(tid)
            elif not task.done():
                self._stopping.add(tid)
                task.cancel()

    async def run(
        self, request: RenderedRequest, targets: Sequence[RunTarget], *, use_cache: bool = False
    ) -> AsyncIterator[RunUpdate]:
        """Yield every target's events as they happen, each ending with ``Completed``."""
        ids = [t.id for t in targets]
        if len(set(ids)) != len(ids):
            raise PlaygroundError("each target in a run needs its own id")
        queue: asyncio.Queue[RunUpdate] = asyncio.Queue()
        early = set(ids) if self._stop_all_early else self._stopping & set(ids)
        self._stopping = set()
        self._stop_all_early = False
        self._tasks = {}
        for rt in targets:
            task = asyncio.create_task(self._run_target(rt, request, queue, use_cache))
            # A task cancelled before its first step never runs its own code:
            # report it as stopped here, so every target still ends with Completed.
            task.add_done_callback(functools.partial(self._never_started, rt=rt, queue=queue))
            self._tasks[rt.id] = task
        for tid in early:
            self.cancel(tid)
        remaining = len(targets)
        try:
            while remaining:
                update = await queue.get()
                if isinstance(update.event, Completed):
                    remaining -= 1
                yield update
        finally:
            # The consumer went away (or was cancelled): stop what is still running.
            self.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            self._stopping.clear()

    def _never_started(
        self, task: asyncio.Task[None], *, rt: RunTarget, queue: asyncio.Queue[RunUpdate]
    ) -> None:
        # A started task that is stopped catches the cancellation and reports
        # itself (see _stream), so a *cancelled* task that was being stopped
        # never got to run at all.
        if task.cancelled() and rt.id in self._stopping:
            result = TargetResult(rt.id, rt.target, "cancelled", "", error="Stopped.")
            queue.put_nowait(RunUpdate(rt.id, Completed(result)))

    async def collect(
        self, request: RenderedRequest, targets: Sequence[RunTarget], *, use_cache: bool = False
    ) -> list[TargetResult]:
        """Run to the end and return the results in target order."""
        results: dict[str, TargetResult] = {}
        async for update in self.run(request, targets, use_cache=use_cache):
            if isinstance(update.event, Completed):
                results[update.target_id] = update.event.result
        return [results[t.id] for t in targets]

    # ------------------------------------------------------------ one target

    async def _run_target(
        self,
        rt: RunTarget,
        request: RenderedRequest,
        queue: asyncio.Queue[RunUpdate],
        use_cache: bool,
    ) -> None:
        queue.put_nowait(RunUpdate(rt.id, Started()))
        key = cache_key(rt, request) if use_cache and self._cache is not None else None
        result = self._from_cache(rt, key, queue) if key is not None else None
        if result is None:
            result = await self._stream(rt, request, queue)
            cache = self._cache
            if key is not None and cache is not None and result.status == "ok":
                fresh = result
                self._safely(
                    "caching",
                    lambda: cache.put(key, rt.target.provider, rt.target.model, fresh.to_json()),
                )
        recorder = self._recorder
        if recorder is not None:
            final = result
            self._safely("recording the run", lambda: recorder(rt, request, final))
        queue.put_nowait(RunUpdate(rt.id, Completed(result)))

    async def _stream(
        self, rt: RunTarget, request: RenderedRequest, queue: asyncio.Queue[RunUpdate]
    ) -> TargetResult:
        state = _Progress(rt, time.perf_counter())
        try:
            # aclosing: a cancelled target closes its stream (and SDK client) at once.
            async with aclosing(rt.provider.stream(request, rt.target, rt.api_key)) as events:
                async for event in events:
                    state.take(event)
                    queue.put_nowait(RunUpdate(rt.id, event))
        except asyncio.CancelledError:
            if rt.id not in self._stopping:
                raise
            return state.result("cancelled", self._prices, error="Stopped.")
        except ProviderError as exc:
            return state.result("error", self._prices, error=str(exc), kind=type(exc).__name__)
        except Exception as exc:  # a provider bug must not take the other panes down
            log.exception("provider %s failed unexpectedly", rt.target.provider)
            return state.result(
                "error",
                self._prices,
                error=f"Unexpected error in the {rt.target.provider} provider "
                f"({type(exc).__name__}); details are in the log.",
                kind="InternalError",
            )
        return state.result("ok", self._prices)

    def _from_cache(
        self, rt: RunTarget, key: str, queue: asyncio.Queue[RunUpdate]
    ) -> TargetResult | None:
        try:
            raw = self._cache.get(key) if self._cache is not None else None
            if raw is None:
                return None
            data = json.loads(raw)
            data.pop("target", None)
            data["target_id"] = rt.id
            result = replace(TargetResult(target=rt.target, **data), cached=True)
        except Exception:
            log.exception("unreadable cache entry %s; running instead", key[:12])
            return None
        for event in _replay(result):
            queue.put_nowait(RunUpdate(rt.id, event))
        return result

    @staticmethod
    def _safely(what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:  # the run itself succeeded; keep its result on screen
            log.exception("failed while %s", what)


def _replay(result: TargetResult) -> Iterable[StreamEvent]:
    if result.output:
        yield TextDelta(result.output)
    yield Usage(result.input_tokens, result.output_tokens, result.tokens_estimated)
    yield Finished(result.finish_reason)
    if result.schema_valid is not None:
        yield SchemaChecked(result.schema_valid, result.schema_error)


@dataclass
class _Progress:
    """What one target has produced so far."""

    rt: RunTarget
    started: float
    first_token: float | None = None
    text: list[str] = field(default_factory=list)
    usage: Usage | None = None
    finish_reason: str | None = None
    schema: SchemaChecked | None = None
    retries: int = 0

    def take(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            if self.first_token is None and event.text:
                self.first_token = time.perf_counter()
            self.text.append(event.text)
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Finished):
            self.finish_reason = event.reason
        elif isinstance(event, SchemaChecked):
            self.schema = event
        elif isinstance(event, Retrying):
            self.retries += 1

    def result(
        self,
        status: Status,
        prices: PriceTable | None,
        *,
        error: str | None = None,
        kind: str | None = None,
    ) -> TargetResult:
        now = time.perf_counter()
        usage = self.usage or Usage(None, None)
        target = self.rt.target
        cost = (
            prices.cost(
                self.rt.provider_kind, target.model, usage.input_tokens, usage.output_tokens
            )
            if prices is not None
            else None
        )
        return TargetResult(
            target_id=self.rt.id,
            target=target,
            status=status,
            output="".join(self.text),
            finish_reason=self.finish_reason,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            tokens_estimated=usage.estimated,
            ttft_ms=None if self.first_token is None else (self.first_token - self.started) * 1000,
            total_ms=(now - self.started) * 1000,
            cost=cost,
            error=error,
            error_kind=kind,
            schema_valid=None if self.schema is None else self.schema.valid,
            schema_error=None if self.schema is None else self.schema.error,
            retries=self.retries,
        )
