"""Kill -9 after an edit: the next start restores the draft and says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.core.document import Message, PromptDocument
from playground.store import Store
from playground.ui.controllers.drafts import AUTOSAVE_MS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PLAYGROUND_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return env


def test_killed_app_restores_the_draft_on_next_start(playground_home: Path) -> None:
    with Store.open() as store:
        prompt = store.create_prompt(
            "essay",
            PromptDocument("essay", system="Write well.", messages=(Message("user", "Go"),)),
        )
        store.save_version(prompt.id, store.get_draft(prompt.id).document)  # type: ignore[union-attr]

    # The autosave promise: an edit is in the store within the interval.
    code = _edit_then_signal(
        playground_home, " Be bold.", signal.SIGKILL, wait=AUTOSAVE_MS / 1000 + 1.0
    )
    assert code == -signal.SIGKILL

    seen = _report(playground_home)
    assert seen["crashed"] is True
    assert seen["system"] == "Write well. Be bold."
    assert "did not close normally" in seen["notice"]
    assert "“essay”" in seen["notice"]
    assert seen["title"].startswith("essay •")

    # A clean quit leaves no crash behind.
    calm = _report(playground_home)
    assert calm["crashed"] is False
    assert calm["notice"] == ""
    assert calm["system"] == "Write well. Be bold."


def _edit_then_signal(home: Path, text: str, sig: signal.Signals, *, wait: float) -> int:
    """Start the app, type ``text``, wait, send ``sig``; the exit code."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.app_child", "edit", text],
        cwd=ROOT,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "EDITED", child.stderr.read() if child.stderr else line
        time.sleep(wait)
        child.send_signal(sig)
        return child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def _report(home: Path) -> dict[str, object]:
    """Start the app, read what it shows, quit normally."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.app_child", "report"],
        cwd=ROOT,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_sigterm_quits_cleanly_and_writes_the_last_edit(playground_home: Path) -> None:
    with Store.open() as store:
        prompt = store.create_prompt("essay", PromptDocument("essay", system="Write well."))
    # At once: before the autosave timer fires.
    assert _edit_then_signal(playground_home, " Now.", signal.SIGTERM, wait=0) == 0
    with Store.open() as store:
        assert store.get_draft(prompt.id).document.system == "Write well. Now."  # type: ignore[union-attr]
    assert list((playground_home / "sessions").iterdir()) == []
