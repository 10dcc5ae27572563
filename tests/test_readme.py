"""The README's Quick start must stay true: CI runs the same commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[0].endswith("playground")
    assert "'.[test]'" in commands[1]
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, _, run = _quick_start_commands()[1].rpartition(" && ")
    # CI adds -q for quieter logs; the steps are otherwise the same.
    assert install.replace("pip install", "pip install -q") in ci
    assert run.replace("pytest", "pytest -q") in ci
