"""Start-up time of the app against a bare PySide6 window; prints one JSON object.

Wall time, process start to exit, of

- ``python -m playground --smoke`` (opens the main window, waits for its
  first paint, exits), each run with a fresh, empty ``PLAYGROUND_HOME``, and
  again with one that already holds a library (a second launch);
- a bare script that creates a QApplication and a QMainWindow of the same
  size, shows it, waits for its first paint and exits.

The app paints its window's frame first and builds the library, editor and
panes right after, so ``--smoke`` measures the time until a window is on
screen. ``python -m playground --smoke-full``, which also builds the whole
window and paints it, is timed as well (``app_ready_second_launch``): the time
until the window can be used. It has no target; it is reported so the first
figure is not read as the second.

One warm-up run of each comes first and is not counted; then the runs
alternate, so a busy moment on the machine hits both. Bytecode is cached in
a temporary folder, as an installed app has it, even where the environment
says not to write bytecode. Target: median app / median bare ≤ 1.3.

Then one more smoke run with ``-X importtime`` and a look at ``sys.modules``
at exit: the SDKs and their HTTP stack must not be imported to show the
window; for any that is, the import chain that pulled it in is given. The
heaviest imports are listed with their cumulative times.

The key store sees an empty keyring (never the user's own).

Run from the repository root: ``python benchmarks/startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ui

TARGET_RATIO = 1.3
RUN_TIMEOUT_S = 30

#: Must not be imported before the first run: the SDKs and their HTTP stack.
NOT_AT_START = (
    "openai",
    "anthropic",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "h11",
    "anyio",
    "pydantic",
    "pydantic_core",
)
#: Imports worth watching at start-up, with their cumulative import time.
WATCHED = (
    "PySide6.QtCore",
    "PySide6.QtGui",
    "PySide6.QtWidgets",
    "PySide6.QtSvg",
    "qasync",
    "sqlite_utils",
    "jinja2",
    "jsonschema",
    "keyring",
    "pygments",
    "pygments.lexers",
    "platformdirs",
    "playground.cli",
    "playground.commands",
    "playground.running",
    "playground.providers",
    "playground.store",
    "playground.keystore",
    "playground.app",
    "playground.ui.main_window",
    "playground.ui.editor",
    "playground.ui.panes",
    "playground.ui.highlight",
    "playground.ui.icons",
)

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class FirstPaint(QObject):
    painted = False

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            QTimer.singleShot(0, app.quit)
        return False


app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1400, 860)
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
app.exec()
sys.exit(0 if watcher.painted else 1)
"""

# Runs the app's own entry point and writes the names in sys.modules at exit.
PROBE = """
import atexit, json, os, runpy, sys
atexit.register(
    lambda: open(os.environ["BENCH_MODULES"], "w").write(json.dumps(sorted(sys.modules)))
)
sys.argv = ["playground", "--smoke"]
runpy.run_module("playground", run_name="__main__", alter_sys=True)
"""


def timed_run(command: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit; raises if the process fails."""
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=_ui.REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[1:]} exited {done.returncode}: {done.stderr[-500:]}")
    return elapsed


def summary(samples: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "runs": [round(s, 3) for s in samples],
    }


def parse_importtime(stderr: str) -> list[tuple[str, int, int]]:
    """(module, nesting depth, cumulative µs) per ``-X importtime`` line, in its order."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if not cumulative.strip().isdigit():
            continue  # the header line
        stripped = name.lstrip(" ")
        depth = (len(name) - len(stripped) - 1) // 2
        rows.append((stripped.strip(), depth, int(cumulative)))
    return rows


def import_chain(rows: list[tuple[str, int, int]], module: str) -> list[str]:
    """Who imported ``module`` first, from the top-level import down to it.

    ``-X importtime`` prints a module when its import finishes, so its
    importer is the next line below it with one level less of nesting.
    """
    for i, (name, depth, _) in enumerate(rows):
        if name == module:
            chain = [name]
            wanted = depth - 1
            for later, later_depth, _ in rows[i + 1 :]:
                if wanted < 0:
                    break
                if later_depth == wanted:
                    chain.append(later)
                    wanted -= 1
            return list(reversed(chain))
    return []


def inspect_imports(env: dict[str, str], folder: Path) -> dict[str, Any]:
    modules_file = folder / "modules.json"
    probe_env = {**env, "BENCH_MODULES": str(modules_file)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE],
        cwd=_ui.REPO,
        env=probe_env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0 or not modules_file.exists():
        return {"error": f"probe exited {done.returncode}: {done.stderr[-500:]}"}
    loaded = set(json.loads(modules_file.read_text()))
    rows = parse_importtime(done.stderr)
    cumulative = {}
    for name, _depth, micros in rows:
        cumulative.setdefault(name, micros)
    present = [m for m in NOT_AT_START if m in loaded]
    return {
        "sdk_stack_imported": present,
        "sdk_stack_ok": not present,
        "chains": {m: import_chain(rows, m) for m in present},
        "modules_loaded": len(loaded),
        "playground_modules_loaded": sum(1 for m in loaded if m.startswith("playground")),
        "lexer_modules_loaded": sorted(m for m in loaded if m.startswith("pygments.lexers.")),
        # Cumulative (with what each imports first), from one run: a guide, not a benchmark.
        "import_ms": {m: round(cumulative[m] / 1000, 1) for m in WATCHED if m in cumulative},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Eleven: with five, one busy moment on a 2-core machine moved the ratio by 0.1.
    parser.add_argument("--runs", type=int, default=11, help="counted runs of each")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="playground-startup-") as name:
        folder = Path(name)
        pycache = folder / "pycache"
        bare_script = folder / "bare_window.py"
        bare_script.write_text(BARE)
        homes = iter(folder / f"home-{i}" for i in range(10_000))
        kept_home = folder / "home-kept"
        bare_cmd = [sys.executable, str(bare_script)]
        app_cmd = [sys.executable, "-m", "playground", "--smoke"]
        ready_cmd = [sys.executable, "-m", "playground", "--smoke-full"]
        try:
            # Warm-up: bytecode, font caches, the kept home's library.
            timed_run(bare_cmd, _ui.child_environment(next(homes), pycache))
            timed_run(app_cmd, _ui.child_environment(next(homes), pycache))
            timed_run(app_cmd, _ui.child_environment(kept_home, pycache))
            timed_run(ready_cmd, _ui.child_environment(kept_home, pycache))
            bare: list[float] = []
            ready: list[float] = []
            fresh: list[float] = []
            again: list[float] = []
            for _ in range(args.runs):
                bare.append(timed_run(bare_cmd, _ui.child_environment(next(homes), pycache)))
                fresh.append(timed_run(app_cmd, _ui.child_environment(next(homes), pycache)))
                again.append(timed_run(app_cmd, _ui.child_environment(kept_home, pycache)))
                ready.append(timed_run(ready_cmd, _ui.child_environment(kept_home, pycache)))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            figures["error"] = str(exc)
        else:
            ratio = statistics.median(fresh) / statistics.median(bare)
            figures["bare_pyside6"] = summary(bare)
            figures["app_smoke_fresh_home"] = summary(fresh)
            figures["app_smoke_second_launch"] = summary(again)
            figures["ratio"] = round(ratio, 2)
            figures["ratio_second_launch"] = round(
                statistics.median(again) / statistics.median(bare), 2
            )
            figures["app_ready_second_launch"] = summary(ready)
            figures["ready_ratio"] = round(statistics.median(ready) / statistics.median(bare), 2)
            figures["app_minus_bare_ms"] = round(
                (statistics.median(fresh) - statistics.median(bare)) * 1000
            )
        figures["imports"] = inspect_imports(_ui.child_environment(next(homes), pycache), folder)
    figures["target"] = {"ratio": TARGET_RATIO, "sdk_stack_imported": []}
    figures["ok"] = bool(
        "ratio" in figures
        and figures["ratio"] <= TARGET_RATIO
        and figures["imports"].get("sdk_stack_ok", False)
    )
    _ui.emit(figures)


if __name__ == "__main__":
    main()
