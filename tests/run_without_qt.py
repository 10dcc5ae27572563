"""Run the core, store and export tests with Qt and the SDKs made unimportable.

The core and store must work in an environment without PySide6 (a headless
server running the CLI in CI, say). CI runs this script after the main suite.
"""

from __future__ import annotations

import importlib.abc
import sys

BLOCKED = ("PySide6", "shiboken6", "qasync", "pytestqt", "openai", "anthropic")


class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"{fullname} is blocked for this run")


def main() -> int:
    sys.meta_path.insert(0, _Blocker())
    import pytest

    # Without the pytest-qt plugin its ini keys are unknown, so --strict-config is dropped.
    args = [
        "-q",
        "-p",
        "no:pytest-qt",
        "-o",
        "addopts=--strict-markers",
        "-W",
        "ignore::pytest.PytestConfigWarning",
        "tests/core",
        "tests/store",
        "tests/export",
        "tests/test_exchange.py",
        # These run the exported programs, which import the SDKs (in-process, or in
        # subprocesses where nothing is blocked); the main suite covers them.
        "--ignore=tests/export/test_code.py",
        "--ignore=tests/export/test_code_run.py",
        "--ignore=tests/export/test_code_ts.py",
    ]
    return int(pytest.main([*args, *sys.argv[1:]]))


if __name__ == "__main__":
    raise SystemExit(main())
