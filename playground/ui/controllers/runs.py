"""Runs from the panes: render once, fan out through the runner, hand events back per pane.

Each call to :meth:`RunController.start` renders the prompt, prepares the
targets (provider, key, base URL) and drives one :class:`Runner` as an
asyncio task on the qasync loop. Every event is re-emitted as
``update(pane_id, event)``; the run log is written by the runner's recorder
as each target finishes. A pane started again while it is still running is
stopped first, and the old run's late events are dropped, so a pane only
ever shows its newest run.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from playground.core.document import Parameters, PromptDocument, Target, content_hash
from playground.core.errors import PlaygroundError
from playground.core.events import TextDelta
from playground.core.pricing import PriceTable
from playground.core.request import RenderedRequest
from playground.core.runner import Completed, Runner, RunTarget, RunUpdate, TargetResult
from playground.core.templates import render
from playground.keystore import KeyStore
from playground.providers.registry import provider_class
from playground.running import RunContext, load_prices, make_runner, prepare_targets
from playground.store import Run, Store

__all__ = ["RunController", "result_from_run"]

log = logging.getLogger("playground.ui")

#: The run hands the loop (and so Qt) a turn at least every this many events.
RELAY_BATCH = 64


class RunController(QObject):
    """Starts and stops runs for the output panes."""

    #: (pane id, event): a StreamEvent, ``Started`` or ``Completed``.
    update = Signal(str, object)
    #: True while any pane is running.
    busy_changed = Signal(bool)
    #: A finished target was written to the run log.
    recorded = Signal()

    def __init__(self, store: Store, keys: KeyStore, *, prices: PriceTable | None = None) -> None:
        super().__init__()
        self._store = store
        self._keys = keys
        self._prices = prices
        self._owner: dict[str, Runner] = {}  # pane id -> the runner that drives it now
        self._tasks: set[asyncio.Task[None]] = set()
        self.use_cache = False

    def running_panes(self) -> set[str]:
        return set(self._owner)

    @property
    def busy(self) -> bool:
        return bool(self._owner)

    def start(
        self,
        prompt_id: int,
        document: PromptDocument,
        values: Mapping[str, str],
        panes: Sequence[tuple[str, Target]],
    ) -> None:
        """Run ``document`` in each pane; raises ``TemplateError`` before anything starts
        when it cannot render. A pane whose provider is unknown fails on its own."""
        if not panes:
            return
        request = render(document, values)
        digest = content_hash(document)
        version_id = next(
            (v.id for v in self._store.list_versions(prompt_id) if v.hash == digest), None
        )
        context = RunContext(prompt_id, version_id, digest, dict(values))
        if self._prices is None:
            self._prices = load_prices()
        runner = make_runner(self._store, context, prices=self._prices)
        was_busy = self.busy
        for pane_id, _ in panes:
            old = self._owner.get(pane_id)
            if old is not None:
                old.cancel(pane_id)
            self._owner[pane_id] = runner
        task = asyncio.ensure_future(self._drive(runner, request, list(panes)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if not was_busy:
            self.busy_changed.emit(True)

    def stop(self, pane_id: str | None = None) -> None:
        """Stop one pane, or every pane; each keeps its partial output."""
        owners = self._owner if pane_id is None else {pane_id: self._owner.get(pane_id)}
        for pid, runner in list(owners.items()):
            if runner is not None:
                runner.cancel(pid)

    async def wait_idle(self) -> None:
        """Return once no run is in progress."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _drive(
        self, runner: Runner, request: RenderedRequest, panes: list[tuple[str, Target]]
    ) -> None:
        targets: list[RunTarget] = []
        try:
            known: list[tuple[str, Target]] = []
            kinds: set[str] = set()
            for pane_id, target in panes:
                try:
                    kinds.add(self._store.provider_config(target.provider).kind)
                except PlaygroundError as exc:  # removed in Settings, say: only this pane fails
                    failed = TargetResult(pane_id, target, "error", "", error=str(exc))
                    self._deliver(runner, RunUpdate(pane_id, Completed(failed)))
                    continue
                known.append((pane_id, target))
            # The first run of a provider imports its SDK (a second or more): off the GUI thread.
            await asyncio.to_thread(lambda: [provider_class(k) for k in sorted(kinds)])
            prepared = prepare_targets(self._store, self._keys, [t for _, t in known])
            targets = [replace(rt, id=pid) for rt, (pid, _) in zip(prepared, known, strict=True)]
            await self._relay(runner, request, targets)
        except Exception:  # a bug here must not leave panes spinning forever
            log.exception("a run failed unexpectedly")
            for pane_id, target in panes:
                failed = TargetResult(
                    pane_id,
                    target,
                    "error",
                    "",
                    error="The run stopped unexpectedly; details are in the log.",
                    error_kind="InternalError",
                )
                self._deliver(runner, RunUpdate(pane_id, Completed(failed)))
        finally:
            for pane_id, _ in panes:
                if self._owner.get(pane_id) is runner:
                    del self._owner[pane_id]
            if not self._owner:
                self.busy_changed.emit(False)

    async def _relay(
        self, runner: Runner, request: RenderedRequest, targets: list[RunTarget]
    ) -> None:
        """Pass the runner's updates on, joining each pane's text deltas per loop turn.

        After one socket read the runner can have hundreds of deltas queued; a
        signal and a pane update per delta would hold the GUI thread for the
        whole burst. Deltas are joined until the burst ends (or another event
        of that pane arrives), and the loop gets a turn every RELAY_BATCH events.
        """
        loop = asyncio.get_running_loop()
        pending: dict[str, list[str]] = {}
        scheduled = False

        def flush() -> None:
            nonlocal scheduled
            scheduled = False
            for pane_id, parts in list(pending.items()):
                self._deliver(runner, RunUpdate(pane_id, TextDelta("".join(parts))))
            pending.clear()

        count = 0
        async for update in runner.run(request, targets, use_cache=self.use_cache):
            if isinstance(update.event, TextDelta):
                pending.setdefault(update.target_id, []).append(update.event.text)
                if not scheduled:
                    scheduled = True
                    loop.call_soon(flush)
            else:
                parts = pending.pop(update.target_id, None)
                if parts:
                    self._deliver(runner, RunUpdate(update.target_id, TextDelta("".join(parts))))
                self._deliver(runner, update)
            count += 1
            if count % RELAY_BATCH == 0:
                await asyncio.sleep(0)
        flush()

    def _deliver(self, runner: Runner, update: RunUpdate) -> None:
        if self._owner.get(update.target_id) is not runner:
            return  # a newer run took this pane over
        if isinstance(update.event, Completed):
            del self._owner[update.target_id]
            self.recorded.emit()
        self.update.emit(update.target_id, update.event)


def result_from_run(run: Run) -> TargetResult:
    """A recorded run as the result a pane shows (its target, output and figures)."""
    record = run.record
    details: dict[str, Any] = {}
    try:
        loaded = json.loads(record.target_json)
        details = loaded if isinstance(loaded, dict) else {}
    except ValueError:
        log.warning("run %s has an unreadable target", run.id)
    params = details.get("parameters") or {}
    stop = params.get("stop") or ()
    schema = details.get("jsonSchema")
    target = Target(
        record.provider,
        record.model,
        Parameters(
            temperature=params.get("temperature"),
            max_tokens=params.get("maxTokens"),
            top_p=params.get("topP"),
            stop=tuple(str(s) for s in stop),
            seed=params.get("seed"),
        ),
        json_schema_text=Target.schema_text(schema) if isinstance(schema, dict) else None,
    )
    return TargetResult(
        target_id=str(run.id),
        target=target,
        status=record.status,
        output=record.output,
        finish_reason=record.finish_reason,
        input_tokens=record.tokens_in,
        output_tokens=record.tokens_out,
        tokens_estimated=record.tokens_estimated,
        ttft_ms=record.ttft_ms,
        total_ms=record.total_ms,
        cost=record.cost,
        error=record.error,
        schema_valid=details.get("schemaValid"),
        schema_error=details.get("schemaError"),
        retries=int(details.get("retries") or 0),
        cached=bool(details.get("cached")),
    )
