"""Runs from the panes: render once, fan out in the run host, hand events back per pane.

Each call to :meth:`RunController.start` renders the prompt on the GUI
thread (so a template error is raised before anything starts), looks up the
keys its targets need, and hands the job to the run host, a child process
(:mod:`playground.run_host`) where provider set-up, the SDK streams, the
response cache and the run log all happen. Streaming never competes with
painting for the GUI thread or the interpreter lock.

Updates come back in batches through an inbox. The first batch after a quiet
spell wakes the GUI thread, which drains everything that has arrived a few
milliseconds later at once, joining each pane's text deltas, and re-emits it
as ``update(pane_id, event)``. A pane started again while it is still
running is stopped first, and the old run's late events are dropped, so a
pane only ever shows its newest run.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from playground.core.document import Parameters, PromptDocument, Target, content_hash
from playground.core.errors import PlaygroundError, ProviderError
from playground.core.events import TextDelta
from playground.core.pricing import PriceTable
from playground.core.runner import Completed, RunUpdate, TargetResult
from playground.core.templates import render
from playground.keystore import KeyStore
from playground.run_host import HostFailure, KeyFailure, Posted, RunHost, RunJob
from playground.running import RunContext
from playground.store import Run, Store

__all__ = ["RunController", "result_from_run"]

log = logging.getLogger("playground.ui")

#: After a wake-up, the GUI waits this long for more updates before draining.
DRAIN_DELAY_MS = 5


class RunController(QObject):
    """Starts and stops runs for the output panes."""

    #: (pane id, event): a StreamEvent, ``Started`` or ``Completed``.
    update = Signal(str, object)
    #: True while any pane is running.
    busy_changed = Signal(bool)
    #: A finished target was written to the run log.
    recorded = Signal()
    #: Emitted from the run host's reader thread when the inbox stops being empty.
    _woken = Signal()

    def __init__(
        self,
        store: Store,
        keys: KeyStore,
        *,
        prices: PriceTable | None = None,
        host: RunHost | None = None,
    ) -> None:
        super().__init__()
        self._store = store
        self._keys = keys
        self._prices = prices
        self._numbers = itertools.count(1)
        self._owner: dict[str, int] = {}  # pane id -> the run that drives it now
        self._jobs: dict[int, tuple[tuple[str, Target], ...]] = {}  # runs not yet seen end
        self._idle: asyncio.Event | None = None
        self._busy_shown = False
        self.use_cache = False
        self._lock = threading.Lock()
        self._inbox: list[Posted | HostFailure] = []
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.setInterval(DRAIN_DELAY_MS)
        self._drain_timer.timeout.connect(self._on_drain_timer_timeout)
        self._woken.connect(self._on_self_woken)
        self._host = host if host is not None else RunHost()
        self._host.on_updates = self._take_updates
        self._finalizer = weakref.finalize(self, self._host.close)

    def running_panes(self) -> set[str]:
        return set(self._owner)

    @property
    def busy(self) -> bool:
        return bool(self._owner)

    def warm_up(self) -> None:
        """Start the run host now, so the first run does not wait for it."""
        try:
            self._host.start()
        except OSError:
            log.exception("could not start the run host")

    def close(self) -> None:
        """Stop every run (each is logged as cancelled) and end the run host."""
        self._finalizer()

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
        number = next(self._numbers)
        for pane_id, _ in panes:
            old = self._owner.get(pane_id)
            if old is not None:
                self._host.cancel(old, pane_id)
            self._owner[pane_id] = number
        self._jobs[number] = tuple(panes)
        job = RunJob(
            number,
            str(self._store.path),
            request,
            context,
            tuple(panes),
            self._keys_for(t for _, t in panes),
            self.use_cache,
            self._prices,
        )
        if not self._busy_shown:
            self._busy_shown = True
            self.busy_changed.emit(True)
        try:
            self._host.submit(job)
        except OSError as exc:  # the interpreter cannot be started: say so in every pane
            log.exception("could not start the run host")
            self._inbox.append(HostFailure(f"Runs cannot start: {exc.strerror or exc}."))
            self._drain_timer.start()

    def stop(self, pane_id: str | None = None) -> None:
        """Stop one pane, or every pane; each keeps its partial output."""
        chosen = self._owner if pane_id is None else {pane_id: self._owner.get(pane_id)}
        for pid, number in list(chosen.items()):
            if number is not None:
                self._host.cancel(number, pid)

    async def wait_idle(self) -> None:
        """Return once no run is in progress and every update has been delivered."""
        while self._jobs:
            if self._idle is None or self._idle.is_set():
                self._idle = asyncio.Event()
            await self._idle.wait()

    def _keys_for(self, targets: Any) -> dict[str, str | KeyFailure | None]:
        """Each provider's key, looked up here: the run host never reads the keyring."""
        keys: dict[str, str | KeyFailure | None] = {}
        for name in sorted({t.provider for t in targets}):
            try:
                config = self._store.provider_config(name)
            except PlaygroundError:
                continue  # the run host fails that pane with the reason
            try:
                keys[name] = self._keys.require(config)
            except ProviderError as exc:
                keys[name] = KeyFailure.of(exc)
            except PlaygroundError as exc:  # the keyring itself failed
                keys[name] = KeyFailure("MissingKeyError", config.display_name, str(exc))
        return keys

    # ------------------------------------------------------------ reader thread

    def _take_updates(self, batch: list[Posted] | list[HostFailure]) -> None:
        with self._lock:
            wake = not self._inbox
            self._inbox.extend(batch)
        if wake:
            # Queued: the slot runs on the GUI thread. RuntimeError: the controller is gone.
            with contextlib.suppress(RuntimeError):
                self._woken.emit()

    # ------------------------------------------------------------ GUI thread

    def _on_self_woken(self) -> None:
        if not self._drain_timer.isActive():
            self._drain_timer.start()

    def _on_drain_timer_timeout(self) -> None:
        with self._lock:
            items, self._inbox = self._inbox, []
        # Join each pane's consecutive deltas: one pane update per drain, not one per token.
        pending: dict[tuple[int, str], list[str]] = {}
        for item in items:
            if isinstance(item, HostFailure):
                self._flush_text(pending)
                self._fail_all(item.message)
                continue
            number, update = item
            if update is None:
                self._flush_text(pending)
                self._finish(number)
                continue
            key = (number, update.target_id)
            if isinstance(update.event, TextDelta):
                pending.setdefault(key, []).append(update.event.text)
                continue
            parts = pending.pop(key, None)
            if parts:
                self._deliver(number, RunUpdate(update.target_id, TextDelta("".join(parts))))
            self._deliver(number, update)
        self._flush_text(pending)

    def _flush_text(self, pending: dict[tuple[int, str], list[str]]) -> None:
        for (number, pane_id), parts in pending.items():
            self._deliver(number, RunUpdate(pane_id, TextDelta("".join(parts))))
        pending.clear()

    def _fail_all(self, message: str) -> None:
        for number, panes in list(self._jobs.items()):
            for pane_id, target in panes:
                failed = TargetResult(
                    pane_id, target, "error", "", error=message, error_kind="InternalError"
                )
                self._deliver(number, RunUpdate(pane_id, Completed(failed)))
            self._finish(number)

    def _finish(self, number: int) -> None:
        for pane_id, owner in list(self._owner.items()):
            if owner == number:  # the run ended without a Completed: never leave it spinning
                del self._owner[pane_id]
        self._jobs.pop(number, None)
        if not self._owner and self._busy_shown:
            self._busy_shown = False
            self.busy_changed.emit(False)
        if not self._jobs and self._idle is not None:
            self._idle.set()

    def _deliver(self, number: int, update: RunUpdate) -> None:
        if self._owner.get(update.target_id) != number:
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
