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
code = main(["--smoke"])
heavy = sorted(m for m in ("openai", "anthropic", "httpx2", "keyring.backends.SecretService")
               if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_smoke_opens_paints_and_exits_without_loading_the_sdks(playground_home: Path) -> None:
    env = dict(os.environ, PLAYGROUND_HOME=str(playground_home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    # The SDKs cost about a second to import; the window must not wait for them.
    assert [m for m in result["heavy"] if m in ("openai", "anthropic", "httpx2")] == []
    # A clean exit leaves no crash marker behind.
    assert list((playground_home / "sessions").iterdir()) == []
