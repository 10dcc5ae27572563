"""Shared fixtures: every test gets its own data dir and runs Qt offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
