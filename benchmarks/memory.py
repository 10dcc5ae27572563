"""Resident memory of the app with eight full panes; prints one JSON object.

Measures RSS (``VmRSS`` from /proc/self/status) at each step:

1. ``baseline``: PySide6 imported and a QApplication made, nothing else;
2. ``window``: the real main window built by ``playground.app.start`` (with a
   prompt that has eight panes), shown and painted;
3. ``outputs``: each pane fed 100 KB of realistic output (prose and fenced
   python, json and javascript, highlighted) as ``TextDelta`` events through
   ``apply_update``, the run completed, everything painted;
4. ``scrolled``: each pane scrolled from top to bottom, painting every page on
   the way, so every line has been laid out once (the most a pane keeps);
5. ``run_host``: the run process (``playground.run_host``), where the SDKs
   live, started as the app starts it and given time to import both SDKs;
   its own RSS is read from /proc.

The app never imports an SDK itself, so its figure after step 4 is its
last. Target: the app plus its run process ≤ 300 MB (``total_mb``). The
peak RSS of the app's process is also given.

Run from the repository root: ``python benchmarks/memory.py``.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ui

TARGET_MB = 300.0


def settle(seconds: float = 0.2) -> float:
    """Let Qt finish (flushes, paints), collect garbage, return the RSS in MB."""
    _ui.process_events_for(seconds)
    gc.collect()
    return _ui.rss_mb()


def fill_panes(window: Any, size: int) -> list[bool]:
    from PySide6.QtWidgets import QPlainTextEdit

    from playground.core.events import TextDelta
    from playground.core.runner import Completed, Started, TargetResult

    texts = {}
    for number, pane in enumerate(window.panes.panes()):
        text = _ui.realistic_text(size, seed=100 + number)  # a different answer in each
        texts[pane.pane_id] = text
        pane.apply_update(Started())
        pieces = _ui.token_pieces(text, random.Random(number))
        for i, piece in enumerate(pieces):
            pane.apply_update(TextDelta(piece))
            if i % 2000 == 1999:
                _ui.process_events_for(0.005)  # flushes run as the stream goes
        target = pane.target()
        assert target is not None
        pane.apply_update(Completed(TargetResult(pane.pane_id, target, "ok", text)))
    complete = []
    for pane in window.panes.panes():
        edit = pane.findChild(QPlainTextEdit, "paneOutput")
        for _ in range(400):  # a long backlog is painted in pieces: wait for all of it
            if edit.toPlainText() == texts[pane.pane_id]:
                break
            _ui.process_events_for(0.02)
        complete.append(edit.toPlainText() == texts[pane.pane_id])
    return complete


def scroll_through(window: Any) -> None:
    from PySide6.QtWidgets import QPlainTextEdit

    for pane in window.panes.panes():
        edit = pane.findChild(QPlainTextEdit, "paneOutput")
        bar = edit.verticalScrollBar()
        bar.setValue(0)
        while bar.value() < bar.maximum():
            edit.viewport().repaint()
            bar.setValue(bar.value() + bar.pageStep())
        edit.viewport().repaint()


def start_run_host(window: Any, warm_up_s: float = 8.0) -> int:
    """Start the window's run process and give it time to import the SDKs; its pid."""
    window.services.runs.warm_up()
    proc = window.services.host._proc
    if proc is None:
        raise RuntimeError("the run process did not start")
    _ui.process_events_for(warm_up_s)
    return int(proc.pid)


def child_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no RSS for process {pid}")


def measure(panes: int, size: int) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    rss: dict[str, float] = {"baseline": settle(0.05)}

    import asyncio

    import qasync

    from playground.app import start
    from playground.core.document import Message, PromptDocument, Target
    from playground.core.provider_config import ProviderConfig
    from playground.store import Store

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with Store.open() as store:
        # Nothing listens here; with no asyncio loop running, no model list is fetched.
        store.save_provider_config(
            ProviderConfig(
                "local", "openai-compatible", base_url="http://127.0.0.1:9/v1", key_required=False
            )
        )
        document = PromptDocument(
            "Memory benchmark",
            messages=(Message("user", "Explain the order loader."),),
            targets=tuple(Target("local", f"model-{i}") for i in range(panes)),
        )
        store.create_prompt(document.name, document)
    session = start(app)
    window = session.window
    try:
        window.resize(2560, 1200)
        window.show()
        rss["window"] = settle(0.5)
        complete = fill_panes(window, size)
        rss["outputs"] = settle()
        scroll_through(window)
        rss["scrolled"] = settle()
        host_pid = start_run_host(window)
        rss["run_host"] = child_rss_mb(host_pid)
        sdk_in_app = sorted(m for m in ("openai", "anthropic", "httpx2") if m in sys.modules)
    finally:
        session.close()
        window.close()
        loop.close()
    return {
        "rss_mb": rss,
        "total_mb": round(rss["scrolled"] + rss["run_host"], 1),
        "app_over_baseline_mb": round(rss["scrolled"] - rss["baseline"], 1),
        "sdk_imported_in_app": sdk_in_app,
        "outputs_mb": round(rss["outputs"] - rss["window"], 1),
        "peak_rss_mb": _ui.peak_rss_mb(),
        "panes": panes,
        "chars_per_pane": size,
        "all_output_painted": all(complete),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panes", type=int, default=8)
    parser.add_argument("--size", type=int, default=100_000, help="characters per pane")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with _ui.temp_home() as home:
        _ui.prepare_environment(home)
        try:
            figures.update(measure(args.panes, args.size))
        except Exception as exc:  # still one JSON object, saying what went wrong
            figures["error"] = f"{type(exc).__name__}: {exc}"
    final = figures.get("total_mb", float("inf"))
    figures["target"] = {"total_mb": TARGET_MB}
    figures["ok"] = bool(
        final <= TARGET_MB
        and figures.get("all_output_painted")
        and figures.get("sdk_imported_in_app") == []
    )
    _ui.emit(figures)


if __name__ == "__main__":
    main()
