"""Qt test helpers: a qasync loop for async UI code, and the loopback fake server.

The app runs asyncio on the Qt event loop (qasync). A test that needs both
runs a coroutine with the ``aio`` fixture: ``aio(scenario())``. While the
coroutine awaits, Qt events are processed too, so clicks, timers and
streaming all happen as they would in the app. ``wait_until`` polls a
condition without blocking either loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from playground.store import Store
from tests.fakes.llm_server import FakeLLMServer

T = TypeVar("T")


@pytest.fixture(scope="session")
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp)
    try:
        yield loop
    finally:
        loop.close()  # while the QApplication still exists


@pytest.fixture
def aio(qasync_loop: qasync.QEventLoop) -> Iterator[Callable[..., Any]]:
    """``aio(coro, timeout=30)`` runs ``coro`` on the Qt-driven asyncio loop."""
    asyncio.set_event_loop(qasync_loop)

    def run(coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return qasync_loop.run_until_complete(asyncio.wait_for(coro, timeout))

    try:
        yield run
    finally:
        # Let cancelled tasks finish their clean-up before the next test.
        pending = [t for t in asyncio.all_tasks(qasync_loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            qasync_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        asyncio.set_event_loop(None)


async def wait_until(
    condition: Callable[[], object], timeout: float = 10.0, what: str = "condition"
) -> None:
    """Poll ``condition`` every 10 ms while both loops run; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as running:
        yield running


@pytest.fixture
def store() -> Iterator[Store]:
    """The library in the test's own data dir."""
    with Store.open() as s:
        yield s


@pytest.fixture
def no_key_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """No provider key or base URL leaks in from the developer's environment."""
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "GPU_BOX_API_KEY"):
        monkeypatch.delenv(name, raising=False)
