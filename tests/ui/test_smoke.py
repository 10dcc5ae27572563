"""`playground --smoke`: opens the main window, waits for its first paint, exits 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from playground.cli import main
code = main([sys.argv[1]])
watched = ("openai", "anthropic", "httpx2", "keyring.backends.SecretService",
           "playground.store", "playground.ui.editor", "playground.ui.panes")
print(json.dumps({"code": code, "loaded": sorted(m for m in watched if m in sys.modules)}))
"""

SDKS = ("openai", "anthropic", "httpx2")


def smoke(flag: str, home: Path) -> dict[str, object]:
    env = dict(os.environ, PLAYGROUND_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, flag],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_smoke_paints_the_window_before_loading_the_library(playground_home: Path) -> None:
    result = smoke("--smoke", playground_home)
    assert result["code"] == 0
    # The first paint comes before the library, the editor and the panes are even
    # imported (they follow it in a real start), and long before any SDK.
    assert result["loaded"] == []
    assert not (playground_home / "library.db").exists()


def test_smoke_full_builds_and_paints_the_whole_window(playground_home: Path) -> None:
    result = smoke("--smoke-full", playground_home)
    assert result["code"] == 0
    loaded = result["loaded"]
    assert isinstance(loaded, list)
    assert {"playground.store", "playground.ui.editor", "playground.ui.panes"} <= set(loaded)
    # The SDKs cost about a second to import; the window must not wait for them.
    assert [m for m in loaded if m in SDKS] == []
    assert (playground_home / "library.db").exists()
    # A clean exit leaves no crash marker behind.
    assert list((playground_home / "sessions").iterdir()) == []
