"""Shared pieces of the desktop benchmarks: environment, tick meter, fake server, sample text.

Nothing here imports Qt or the app at module level: a benchmark first calls
:func:`prepare_environment` (which picks the offscreen platform when there is
no display, and a keyring that holds nothing), and only then imports PySide6.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: A keyring backend that stores nothing, so a benchmark never reads or writes real keys.
NULL_KEYRING = "keyring.backends.null.Keyring"


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_environment(home: Path) -> None:
    """Point the app at ``home`` and pick a Qt platform; call before importing Qt."""
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["PLAYGROUND_HOME"] = str(home)
    os.environ["PYTHON_KEYRING_BACKEND"] = NULL_KEYRING


@contextlib.contextmanager
def temp_home() -> Iterator[Path]:
    """A throw-away data dir, removed afterwards (never the user's own)."""
    with tempfile.TemporaryDirectory(prefix="playground-bench-") as folder:
        yield Path(folder)


def child_environment(home: Path, pycache: Path) -> dict[str, str]:
    """The environment for a child process measured by wall time.

    Bytecode is cached in ``pycache`` (outside the checkout), so after one
    warm-up run the children load compiled modules, as an installed app does,
    even when the parent was told not to write bytecode.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PLAYGROUND_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = NULL_KEYRING
    if not has_display():
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


# ---------------------------------------------------------------- figures


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


def gap_figures(
    ticks: list[float], start: float, end: float, cpu: list[float] | None = None
) -> dict[str, Any]:
    """Gaps (ms) between ticks from ``start`` to ``end``, the edges counted as ticks.

    Counting the edges means a stall right at the start or the end of the
    stretch is not missed just because no tick fell inside it. ``cpu`` holds
    the GUI thread's CPU time at each tick; with it, the worst gap between
    two ticks is also given as the CPU time the GUI thread used in it, which
    tells our own work from time the machine gave to other processes.
    """
    chosen = [i for i, t in enumerate(ticks) if start <= t <= end]
    inside = [ticks[i] for i in chosen]
    points = [start, *inside, end]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(points)]
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    between = (
        [
            ((inside[k + 1] - inside[k]) * 1000, (cpu[chosen[k + 1]] - cpu[chosen[k]]) * 1000)
            for k in range(len(inside) - 1)
        ]
        if cpu is not None
        else []
    )
    extra: dict[str, Any] = {}
    if between:
        wall, used = max(between)
        extra = {"worst_tick_gap_ms": round(wall, 2), "worst_tick_gap_cpu_ms": round(used, 2)}
    return {
        **extra,
        "max_gap_ms": round(gaps[worst], 2),
        "max_gap_at_ms": round((points[worst] - start) * 1000, 1),
        "p99_gap_ms": round(percentile(gaps, 0.99), 2),
        "median_gap_ms": round(statistics.median(gaps), 2) if gaps else 0.0,
        "gaps_over_16ms": sum(1 for g in gaps if g > 16),
        "gaps_over_50ms": sum(1 for g in gaps if g > 50),
        "ticks": len(inside),
    }


def rss_mb() -> float:
    """This process's resident set size now, in MB (VmRSS; ru_maxrss where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def peak_rss_mb() -> float:
    """The highest RSS this process has had, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def machine() -> dict[str, Any]:
    """What the figures depend on: CPUs, how busy the machine was, versions."""
    import PySide6

    return {
        "cpus": os.cpu_count(),
        # Other processes running at the same time make stalls longer; above
        # about half the CPU count, treat the figures with suspicion.
        "loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "pyside6": PySide6.__version__,
        "qt_platform": os.environ.get("QT_QPA_PLATFORM")
        or ("offscreen" if not has_display() else "default"),
    }


def emit(figures: dict[str, Any]) -> None:
    figures["machine"] = machine()
    print(json.dumps(figures, indent=2))


# ---------------------------------------------------------------- Qt helpers


class TickMeter:
    """A 5 ms precise timer that notes when each tick actually ran.

    A tick late by N ms means the GUI thread was busy for about N ms: the
    user would have seen the window freeze for that long.
    """

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.cpu: list[float] = []  # the GUI thread's CPU time at each tick
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.ticks.clear()
        self.cpu.clear()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        self.ticks.append(time.perf_counter())
        self.cpu.append(time.thread_time())


def process_events_for(seconds: float) -> None:
    """Run the Qt event loop for ``seconds`` without an asyncio loop (timers, paints)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(0, round(seconds * 1000)), loop.quit)
    loop.exec()


# ---------------------------------------------------------------- fake server


@contextlib.contextmanager
def fake_server(
    text: str, chunk_delay: float, *, chunks: int | None = None, timeout: float = 20.0
) -> Iterator[dict[str, str]]:
    """The loopback LLM server in its own process, answering every model with ``text``.

    A separate process, as a real server is: its threads then never compete
    with the GUI thread for the interpreter lock. Yields its base URLs.
    The text travels on the command line, so it must stay under 100 KB.
    """
    if len(text) > 100_000:
        raise ValueError("the fake server's text is passed as an argument: 100 KB at most")
    command = [
        sys.executable,
        "-m",
        "tests.fakes.llm_server",
        "--text",
        text,
        "--chunk-delay",
        str(chunk_delay),
    ]
    if chunks is not None:
        command += ["--chunks", str(chunks)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = ""
        while not line and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline().strip()
        if not line:
            raise RuntimeError("the fake LLM server did not start")
        urls: dict[str, str] = json.loads(line)
        yield urls
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- sample text

_PROSE = """
    the model answer should be clear and short so that a reader can follow each step
    without going back we first look at the input then we check every field against
    the schema and report what is missing if a value is out of range we say which one
    and why it matters for the result this keeps the output useful for people who read
    it later in a review or a support ticket data table function request response error
    value list order customer account email report summary example format language test
"""
_WORDS = _PROSE.split()

_PYTHON = '''```python
import json
from dataclasses import dataclass, field


@dataclass
class Order:
    """One customer order, as the shop's API returns it."""

    id: int
    customer: str
    items: list[dict[str, object]] = field(default_factory=list)
    total: float = 0.0

    def add(self, name: str, price: float, quantity: int = 1) -> None:
        # Prices are in euros; quantities are whole items.
        self.items.append({"name": name, "price": price, "quantity": quantity})
        self.total = round(self.total + price * quantity, 2)


def load_orders(path: str) -> list[Order]:
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    orders = [Order(int(r["id"]), r["customer"], r.get("items", [])) for r in raw]
    return sorted(orders, key=lambda o: (o.customer.lower(), -o.total))
```
'''

_JAVASCRIPT = """```javascript
// Debounce a function: call it once the input has been quiet for `wait` ms.
export function debounce(fn, wait = 250) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}

const search = document.querySelector("#search");
search.addEventListener("input", debounce(async (event) => {
  const response = await fetch(`/api/search?q=${encodeURIComponent(event.target.value)}`);
  const { results = [] } = await response.json();
  render(results.filter((r) => r.score > 0.5).map((r) => ({ ...r, title: r.title.trim() })));
}, 300));
```
"""


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 22))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", ",", "?", ":"])


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences)) + "\n\n"


def _json_block(rng: random.Random, minified: bool) -> str:
    records = [
        {
            "id": rng.randint(1000, 99999),
            "name": " ".join(rng.choices(_WORDS, k=3)),
            "active": rng.random() > 0.3,
            "score": round(rng.random() * 100, 3),
            "tags": rng.choices(_WORDS, k=rng.randint(1, 4)),
            "address": {
                "city": rng.choice(["Lyon", "Oslo", "Porto"]),
                "zip": f"{rng.randint(0, 99999):05d}",
            },
        }
        for _ in range(rng.randint(20, 40) if minified else rng.randint(3, 6))
    ]
    body = json.dumps(records, separators=(",", ":")) if minified else json.dumps(records, indent=2)
    return f"```json\n{body}\n```\n\n"


def realistic_text(size: int, seed: int = 7) -> str:
    """About ``size`` characters of model output, as a chatty model writes it.

    Sections of prose under headings, with bullet lists and fenced python,
    json and javascript blocks; every fourth section has one long wrapped
    paragraph (2 to 4 KB on one line), and every tenth a one-line minified
    JSON block (3 to 7 KB on one line).
    """
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    section = 0
    while length < size:
        section += 1
        pieces = [f"## Part {section}: {' '.join(rng.choices(_WORDS, k=4))}\n\n"]
        pieces.append(_paragraph(rng, rng.randint(2, 6)))
        code = (_PYTHON + "\n", _json_block(rng, minified=False), _JAVASCRIPT + "\n", "")
        pieces.append(code[section % len(code)])
        if section % 4 == 0:
            pieces.append(_paragraph(rng, rng.randint(20, 40)))
        if section % 10 == 3:
            pieces.append(_json_block(rng, minified=True))
        pieces.append("".join(f"- {_sentence(rng)}\n" for _ in range(rng.randint(2, 5))) + "\n")
        pieces.append(_paragraph(rng, rng.randint(1, 4)))
        for piece in pieces:
            parts.append(piece)
            length += len(piece)
    return "".join(parts)[:size]


def token_pieces(text: str, rng: random.Random) -> list[str]:
    """``text`` cut into deltas of 1 to 12 characters, the sizes streamed tokens come in."""
    pieces = []
    i = 0
    while i < len(text):
        step = rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8, 12))
        pieces.append(text[i : i + step])
        i += step
    return pieces
