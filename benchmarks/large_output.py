"""GUI stalls while 1 MB of output streams into one pane; prints one JSON object.

One :class:`OutputPane` (code highlighting on) is shown at a typical size and
fed ``TextDelta`` events through ``apply_update``, exactly as a run feeds it:
1 MB of realistic model output (prose, long wrapped lines, fenced python,
json and javascript, including one-line minified JSON of several KB) cut
into deltas of 1 to 12 characters, sent from an asyncio task on the qasync
loop at a steady rate (default 100 KB/s, far faster than any real model, so
the pane's per-flush work is larger than it will ever be in use).

A 5 ms precise QTimer notes when it actually fires; the largest gap between
ticks is the longest the GUI froze. Target: no gap over 50 ms.

Run from the repository root: ``python benchmarks/large_output.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ui

TARGET_MAX_GAP_MS = 50.0


async def stream(pane: Any, pieces: list[str], rate: float) -> tuple[float, float]:
    """Feed ``pieces`` at ``rate`` characters a second; returns (start, end) times."""
    from playground.core.events import TextDelta
    from playground.core.runner import Started

    pane.apply_update(Started())
    start = time.perf_counter()
    sent = 0
    index = 0
    while index < len(pieces):
        # Catch up with the clock, as a socket buffer would after a stall.
        due = rate * (time.perf_counter() - start)
        while index < len(pieces) and sent <= due:
            pane.apply_update(TextDelta(pieces[index]))
            sent += len(pieces[index])
            index += 1
        await asyncio.sleep(0.002)
    return start, time.perf_counter()


async def scenario(pane: Any, text: str, pieces: list[str], rate: float) -> dict[str, Any]:
    from PySide6.QtWidgets import QPlainTextEdit

    from playground.core.document import Target
    from playground.core.runner import Completed, TargetResult

    meter = _ui.TickMeter(5)
    await asyncio.sleep(1.5)  # first paint; the app has been open a moment before a run
    meter.start()
    await asyncio.sleep(0.05)
    start, fed = await stream(pane, pieces, rate)
    done_at = time.perf_counter()
    pane.apply_update(Completed(TargetResult("1", Target("bench", "bench"), "ok", text)))
    completed = time.perf_counter()
    await asyncio.sleep(0.2)  # the last flush and paint
    end = time.perf_counter()
    meter.stop()
    edit = pane.findChild(QPlainTextEdit, "paneOutput")
    figures = _ui.gap_figures(meter.ticks, start, end, meter.cpu)
    # Work that grows with the document would show as later tenths getting worse.
    tenth = (fed - start) / 10
    figures["p99_gap_ms_by_tenth"] = [
        _ui.gap_figures(meter.ticks, start + i * tenth, start + (i + 1) * tenth)["p99_gap_ms"]
        for i in range(10)
    ]
    figures.update(
        {
            "stream_s": round(fed - start, 2),
            "achieved_kb_s": round(len(text) / 1000 / (fed - start), 1),
            "completed_call_ms": round((completed - done_at) * 1000, 1),
            "text_complete": pane.output_text() == text,
            "painted_complete": edit is not None and edit.toPlainText() == text,
            "blocks": edit.document().blockCount() if edit is not None else 0,
        }
    )
    return figures


def measure(text: str, pieces: list[str], rate: float, timeout: float) -> dict[str, Any]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from playground.ui.panes.output_pane import OutputPane

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    pane = OutputPane("1")
    pane.resize(700, 900)
    pane.show()
    try:
        return loop.run_until_complete(
            asyncio.wait_for(scenario(pane, text, pieces, rate), timeout)
        )
    finally:
        pane.shutdown()
        pane.close()
        loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters to stream")
    parser.add_argument("--rate", type=float, default=100_000, help="characters per second")
    parser.add_argument("--timeout", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    text = _ui.realistic_text(args.size, seed=args.seed)
    pieces = _ui.token_pieces(text, random.Random(args.seed))
    figures: dict[str, Any] = {}
    with _ui.temp_home() as home:
        _ui.prepare_environment(home)
        try:
            figures.update(measure(text, pieces, args.rate, args.timeout))
        except TimeoutError:
            figures["error"] = f"did not finish within {args.timeout} s"
        except Exception as exc:  # still one JSON object, saying what went wrong
            figures["error"] = f"{type(exc).__name__}: {exc}"
    figures["target"] = {"max_gap_ms": TARGET_MAX_GAP_MS}
    figures["setup"] = {
        "chars": len(text),
        "deltas": len(pieces),
        "lines": text.count("\n") + 1,
        "longest_line": max(len(line) for line in text.split("\n")),
        "code_fences": text.count("```") // 2,
        "rate_chars_s": args.rate,
    }
    figures["ok"] = bool(
        "max_gap_ms" in figures
        and figures["max_gap_ms"] <= TARGET_MAX_GAP_MS
        and figures.get("text_complete")
        and figures.get("painted_complete")
    )
    _ui.emit(figures)


if __name__ == "__main__":
    main()
