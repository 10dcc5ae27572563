"""Shared fixtures: every test gets its own data dir, an in-memory keyring, and offscreen Qt."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
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


CliRun = tuple[int, str, str]


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliRun]:
    """Run ``playground ARGS...`` in-process: returns (exit code, stdout, stderr)."""
    from playground.cli import main

    def run(*argv: str, stdin: str | None = None) -> CliRun:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
