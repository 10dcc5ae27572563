"""The run host: a child process that talks to the providers for the desktop app.

Eight panes streaming at once means thousands of socket reads a second, each
passing through an SDK's HTTP stack. Done inside the GUI process, that work
either held the GUI thread itself or, on a second thread, held the
interpreter lock whenever Qt needed it to paint a widget: the window froze
for tens of milliseconds at a time. In a process of its own it competes for
nothing but a CPU core.

The app's :class:`RunHost` starts ``python -m playground.run_host`` and keeps
it for the app's lifetime. Both ends speak the same small protocol over the
child's stdin and stdout: each message is a 4-byte big-endian length and a
pickle (both ends are this program; nothing else writes to these pipes).

- Parent to child: ``("run", RunJob)``, ``("cancel", run_number, pane_id | None)``,
  ``("models", request_id, ModelsRequest)``. End of input means quit: running
  targets are stopped (and logged as cancelled), then the child exits.
- Child to parent: ``("updates", [(run_number, RunUpdate | None), ...])``,
  batched every few milliseconds (``None`` marks the end of a run), and
  ``("models", request_id, [model ids] | KeyFailure)``.

The SDKs are imported only here: the app's own process never loads them.

The child drives each job with the same :class:`Runner` the CLI uses, writes
the run log and the response cache through a database connection of its
own, and never sees a key except the ones the parent looked up for its
jobs. Keys travel only through the pipe, in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import pickle
import struct
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from playground.core import errors
from playground.core.document import Target
from playground.core.errors import PlaygroundError, ProviderError
from playground.core.events import TextDelta
from playground.core.pricing import PriceTable
from playground.core.provider_config import ProviderConfig
from playground.core.request import RenderedRequest
from playground.core.runner import Completed, Runner, RunUpdate, TargetResult

__all__ = [
    "HostFailure",
    "KeyFailure",
    "ModelsRequest",
    "Posted",
    "RunHost",
    "RunJob",
    "host_main",
    "join_text",
    "read_frame",
    "write_frame",
]

log = logging.getLogger("playground.run_host")

#: The child sends what it has at most this often (and at once when idle before).
BATCH_S = 0.008
#: How much lower than the app's the child's scheduling priority is (Unix).
HOST_NICENESS = 5
#: How long closing waits for the child to log its stopped runs and exit.
CLOSE_TIMEOUT_S = 5.0
_HEADER = struct.Struct(">I")
_MAX_FRAME = 256 * 1024 * 1024


# ---------------------------------------------------------------- protocol


def write_frame(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> object | None:
    """The next message, or ``None`` at the end of the stream."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > _MAX_FRAME:
        raise ValueError(f"a run-host message of {size} bytes is too large")
    body = _read_exactly(stream, size)
    if body is None:
        return None
    message: object = pickle.loads(body)
    return message


@dataclass(frozen=True)
class KeyFailure:
    """A key lookup that failed in the parent, to be raised as the target starts."""

    kind: str
    provider: str
    message: str
    status: int | None = None

    @classmethod
    def of(cls, exc: ProviderError) -> KeyFailure:
        return cls(type(exc).__name__, exc.provider, str(exc), exc.status)

    def error(self) -> ProviderError:
        found = getattr(errors, self.kind, None)
        kind = (
            found if isinstance(found, type) and issubclass(found, ProviderError) else ProviderError
        )
        return kind(self.provider, self.message, status=self.status)


@dataclass(frozen=True)
class RunJob:
    """One start of one or more panes, as the child needs it."""

    number: int
    store_path: str
    request: RenderedRequest
    #: The run log's context (a ``playground.running.RunContext``).
    context: Any
    panes: tuple[tuple[str, Target], ...]
    #: Provider name -> its key (``None`` when it needs none), or why there is none.
    keys: Mapping[str, str | KeyFailure | None]
    use_cache: bool = False
    prices: PriceTable | None = None


@dataclass(frozen=True)
class ModelsRequest:
    """Ask a provider's server for its model ids (Settings' test, the model pickers)."""

    config: ProviderConfig
    key: str | None
    connect_s: float
    idle_s: float
    max_retries: int = 0


#: (run number, update), or (run number, None) at the end of that run.
Posted = tuple[int, RunUpdate | None]


@dataclass(frozen=True)
class HostFailure:
    """Posted in place of updates when the child died: every active run failed."""

    message: str


def join_text(batch: list[Posted]) -> list[Posted]:
    """``batch`` with each pane's consecutive text deltas joined into one.

    A batch of a few milliseconds holds dozens of one-token deltas per pane;
    sending them joined saves pickling them here and handling them in the app.
    """
    joined: list[Posted] = []
    pieces: dict[int, list[str]] = {}  # index in joined of a delta -> the texts it gathers
    open_text: dict[tuple[int, str], int] = {}  # (run, pane) -> index of its last delta
    for number, update in batch:
        if update is not None and isinstance(update.event, TextDelta):
            key = (number, update.target_id)
            index = open_text.get(key)
            if index is not None:
                pieces[index].append(update.event.text)
                continue
            open_text[key] = len(joined)
            pieces[len(joined)] = [update.event.text]
        elif update is not None:
            open_text.pop((number, update.target_id), None)
        else:
            open_text = {k: v for k, v in open_text.items() if k[0] != number}
        joined.append((number, update))
    for index, texts in pieces.items():
        if len(texts) > 1:
            number, update = joined[index]
            assert update is not None
            joined[index] = (number, RunUpdate(update.target_id, TextDelta("".join(texts))))
    return joined


def _tag(message: object) -> str:
    """What a message is, for the log, without its contents."""
    if isinstance(message, tuple) and message and isinstance(message[0], str):
        return f"{message[0]!r} with {len(message) - 1} field(s)"
    return type(message).__name__


class _GivenKeys:
    """The keys the parent looked up for one job, with the KeyStore's ``require``."""

    def __init__(self, keys: Mapping[str, str | KeyFailure | None]) -> None:
        self._keys = keys

    def require(self, config: ProviderConfig) -> str | None:
        value = self._keys.get(config.name)
        if isinstance(value, KeyFailure):
            raise value.error()
        return value


# ---------------------------------------------------------------- the child


class _Host:
    """The child's side: drives jobs on its asyncio loop, sends batched updates."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._loop = asyncio.get_running_loop()
        self._runners: dict[int, Runner] = {}
        self._received: set[int] = set()  # jobs whose runner does not exist yet
        self._early_stops: dict[int, list[str | None]] = {}
        self._drives: set[asyncio.Task[None]] = set()
        self._batch: list[Posted] = []
        self._send_scheduled = False
        self._stores: dict[str, Any] = {}
        self._prices: PriceTable | None = None
        self._secrets: set[str] = set()
        self._done = asyncio.Event()

    async def serve(self, incoming: IO[bytes]) -> None:
        reader = threading.Thread(
            target=self._read_loop, args=(incoming,), name="run-host-input", daemon=True
        )
        reader.start()
        await self._done.wait()
        for runner in self._runners.values():
            runner.cancel()
        while self._drives:
            await asyncio.gather(*list(self._drives), return_exceptions=True)
        self._send()
        for store in self._stores.values():
            store.close()

    def _read_loop(self, incoming: IO[bytes]) -> None:
        try:
            while (message := read_frame(incoming)) is not None:
                self._loop.call_soon_threadsafe(self._on_message, message)
        except Exception:
            log.exception("the run host could not read its input")
        finally:
            self._loop.call_soon_threadsafe(self._done.set)

    def _on_message(self, message: object) -> None:
        match message:
            case ("run", RunJob() as job):
                self._received.add(job.number)
                task = self._loop.create_task(self._drive(job))
                self._drives.add(task)
                task.add_done_callback(self._drives.discard)
            case ("models", int(request_id), ModelsRequest() as request):
                task = self._loop.create_task(self._list_models(request_id, request))
                self._drives.add(task)
                task.add_done_callback(self._drives.discard)
            case ("cancel", int(number), str() | None as pane_id):
                runner = self._runners.get(number)
                if runner is not None:
                    runner.cancel(pane_id)
                elif number in self._received:  # not started yet: applied as soon as it is
                    self._early_stops.setdefault(number, []).append(pane_id)
                # else: that run is over already
            case _:  # only the tag: a message can hold keys, prompts and outputs
                log.error("the run host got a message it does not know: %s", _tag(message))

    async def _list_models(self, request_id: int, request: ModelsRequest) -> None:
        from playground.providers.base import Timeouts
        from playground.providers.registry import build_provider, provider_class

        answer: list[str] | KeyFailure
        try:
            if request.key:
                self._protect({"": request.key})
            await asyncio.to_thread(provider_class, request.config.kind)
            provider = build_provider(
                request.config,
                timeouts=Timeouts(connect=request.connect_s, idle=request.idle_s),
                max_retries=request.max_retries,
            )
            answer = await provider.list_models(request.key)
        except ProviderError as exc:
            answer = KeyFailure.of(exc)
        except Exception:
            log.exception("listing the models of %s failed unexpectedly", request.config.name)
            answer = KeyFailure(
                "ProviderError",
                request.config.display_name,
                "The model list could not be read; details are in the log.",
            )
        try:
            write_frame(self._out, ("models", request_id, answer))
        except (BrokenPipeError, ValueError, OSError):
            self._done.set()

    def _post(self, item: Posted) -> None:
        self._batch.append(item)
        if not self._send_scheduled:
            self._send_scheduled = True
            self._loop.call_later(BATCH_S, self._send)

    def _send(self) -> None:
        self._send_scheduled = False
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        try:
            write_frame(self._out, ("updates", join_text(batch)))
        except (BrokenPipeError, ValueError, OSError):  # the app has gone: nobody to tell
            self._done.set()

    def _store(self, path: str) -> Any:
        from playground.store import Store

        if path not in self._stores:
            self._stores[path] = Store.open(Path(path))
        return self._stores[path]

    def _protect(self, keys: Mapping[str, str | KeyFailure | None]) -> None:
        from playground.keystore import install_redaction

        fresh = {k for k in keys.values() if isinstance(k, str) and k}
        if not fresh <= self._secrets:
            self._secrets |= fresh
            install_redaction(sorted(self._secrets))

    async def _drive(self, job: RunJob) -> None:
        from playground.providers.registry import provider_class
        from playground.running import load_prices, make_runner, prepare_targets

        panes = list(job.panes)
        self._received.discard(job.number)
        try:
            self._protect(job.keys)
            store = self._store(job.store_path)
            if job.prices is not None:
                prices = job.prices
            else:
                if self._prices is None:
                    self._prices = load_prices()
                prices = self._prices
            runner = make_runner(store, job.context, prices=prices)
            self._runners[job.number] = runner
            for pane_id in self._early_stops.pop(job.number, []):
                runner.cancel(pane_id)
            known: list[tuple[str, Target]] = []
            kinds: set[str] = set()
            for pane_id, target in panes:
                try:
                    kinds.add(store.provider_config(target.provider).kind)
                except PlaygroundError as exc:  # removed in Settings, say: only this pane fails
                    failed = TargetResult(pane_id, target, "error", "", error=str(exc))
                    self._post((job.number, RunUpdate(pane_id, Completed(failed))))
                    continue
                known.append((pane_id, target))
            for kind in sorted(kinds):
                # The first run of a kind imports its SDK (a second or more): not on this loop.
                await asyncio.to_thread(provider_class, kind)
            keys = _GivenKeys(job.keys)
            prepared = prepare_targets(store, keys, [t for _, t in known])
            targets = [replace(rt, id=pid) for rt, (pid, _) in zip(prepared, known, strict=True)]
            async for update in runner.run(job.request, targets, use_cache=job.use_cache):
                self._post((job.number, update))
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
                self._post((job.number, RunUpdate(pane_id, Completed(failed))))
        finally:
            self._runners.pop(job.number, None)
            self._early_stops.pop(job.number, None)
            self._post((job.number, None))


def _warm_sdks() -> None:
    """Import the SDKs before the first run needs them (about a second each, cold)."""
    from playground.providers.registry import provider_class

    for kind in ("openai", "anthropic"):
        try:
            provider_class(kind)
        except Exception:
            log.exception("could not import the %s SDK", kind)


def host_main() -> int:
    """The child's entry point: serve the parent until its pipe closes."""
    from playground.logs import setup_logging

    # The protocol owns the real stdout; anything a library prints goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with contextlib.suppress(OSError):  # an unwritable log folder must not stop the runs
        setup_logging()
    # When the cores are busy, the window comes first: a paint waits for nothing
    # the streams do. The streams need far less than a core, so they lose no speed.
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(HOST_NICENESS)
    threading.Thread(target=_warm_sdks, name="run-host-warm-up", daemon=True).start()

    async def main() -> None:
        await _Host(out).serve(sys.stdin.buffer)

    asyncio.run(main())
    with contextlib.suppress(OSError):
        out.close()
    return 0


# ---------------------------------------------------------------- the parent


def host_command() -> list[str]:
    """How to start the child: this interpreter, or the frozen app's own binary."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--run-host"]
    return [sys.executable, "-m", "playground.run_host"]


UpdatesCallback = Callable[[list[Posted] | list[HostFailure]], None]


class RunHost:
    """The parent's side: starts the child on first use and relays its updates.

    ``on_updates`` is called on a reader thread with each batch (a list of
    :data:`Posted`, or ``[HostFailure]`` when the child died); the caller
    hands them to its own thread. One host can serve several controllers:
    the runs set ``on_updates``, the providers ask for model lists.
    """

    def __init__(self, on_updates: UpdatesCallback | None = None) -> None:
        self.on_updates: UpdatesCallback = on_updates or (lambda _batch: None)
        self._proc: subprocess.Popen[bytes] | None = None
        self._write_lock = threading.Lock()
        self._closing = False
        self._request_ids = itertools.count(1)
        # request id -> (the child asked, the asking loop, its future), resolved
        # from that child's reader thread.
        self._waiting: dict[
            int,
            tuple[
                subprocess.Popen[bytes],
                asyncio.AbstractEventLoop,
                asyncio.Future[list[str] | KeyFailure],
            ],
        ] = {}

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the child now (it takes a moment to import what runs need)."""
        if self.running:
            return
        self._closing = False
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[1])
        installed = {
            str(Path(sysconfig.get_paths()[kind]).resolve()) for kind in ("purelib", "platlib")
        }
        if package_root not in installed:  # run from a source checkout: let the child find it
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        proc = subprocess.Popen(
            host_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self._proc = proc
        threading.Thread(
            target=self._read_loop, args=(proc,), name="run-host-reader", daemon=True
        ).start()

    def submit(self, job: RunJob) -> None:
        self._send(("run", job))

    async def list_models(self, request: ModelsRequest) -> list[str]:
        """The server's model ids; raises the :class:`ProviderError` the child met."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[str] | KeyFailure] = loop.create_future()
        request_id = next(self._request_ids)
        if not self.running:
            self.start()
        assert self._proc is not None
        self._waiting[request_id] = (self._proc, loop, future)
        try:
            self._send(("models", request_id, request))
            answer = await future
        finally:
            self._waiting.pop(request_id, None)
        if isinstance(answer, KeyFailure):
            raise answer.error()
        return answer

    def cancel(self, number: int, pane_id: str | None) -> None:
        if self.running:
            self._send(("cancel", number, pane_id))

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Ask the child to stop its runs and exit; kill it if it does not."""
        proc = self._proc
        if proc is None:
            return
        self._closing = True
        with self._write_lock, contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the run host did not exit in %s s; killing it", timeout)
            proc.kill()
            proc.wait()
        self._proc = None

    def _send(self, message: object) -> None:
        if not self.running:
            self.start()
        proc = self._proc
        assert proc is not None
        assert proc.stdin is not None
        try:
            with self._write_lock:
                write_frame(proc.stdin, message)
        except (BrokenPipeError, OSError, ValueError):
            log.warning("the run host is gone; its runs are reported as failed")
            # The reader thread sees the end of the child's output and reports it.

    def _read_loop(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        try:
            while (message := read_frame(proc.stdout)) is not None:
                match message:
                    case ("updates", list(batch)):
                        self.on_updates(batch)
                    case ("models", int(request_id), answer):
                        self._answer(request_id, answer)
                    case _:
                        log.error("unexpected message from the run host: %s", _tag(message))
        except Exception:
            log.exception("could not read from the run host")
        code = proc.wait()
        with self._write_lock:
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        gone = KeyFailure(
            "ConnectionFailedError",
            "Prompt Playground",
            "The run process stopped before it answered; try again.",
        )
        for request_id, (asked, _loop, _future) in list(self._waiting.items()):
            if asked is proc:  # a question to a newer child is still answered
                self._answer(request_id, gone)
        if not (self._closing and code == 0):
            log.error("the run host exited unexpectedly (code %s)", code)
            self.on_updates(
                [HostFailure("The run process stopped unexpectedly; details are in the log.")]
            )

    def _answer(self, request_id: int, answer: object) -> None:
        waiting = self._waiting.get(request_id)
        if waiting is None:
            return  # the asker gave up (cancelled) meanwhile
        _proc, loop, future = waiting

        def resolve() -> None:
            if not future.done():
                future.set_result(answer if isinstance(answer, KeyFailure | list) else [])

        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody is waiting
            loop.call_soon_threadsafe(resolve)


if __name__ == "__main__":
    # Run the imported module's code, not this ``__main__`` copy: the messages
    # unpickle as ``playground.run_host`` classes, which the copy's are not.
    from playground.run_host import host_main as _imported_main

    sys.exit(_imported_main())
