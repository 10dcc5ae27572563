"""Shared fixtures: every test gets its own data dir, an in-memory keyring, and offscreen Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.memory_keyring import MemoryKeyring, installed

# Qt must never need a display, so this is set before anything imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"


@pytest.fixture(autouse=True)
def playground_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point PLAYGROUND_HOME at a fresh temp dir so no test touches a real profile."""
    home = tmp_path_factory.mktemp("playground-home")
    monkeypatch.setenv("PLAYGROUND_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """No test may read or write the real OS keyring: this one lives in memory."""
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend
