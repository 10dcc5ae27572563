"""What every subcommand shares: exit codes, argument helpers, output and file reading."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from playground.core.document import PromptDocument
from playground.core.errors import PlaygroundError
from playground.keystore import KeyStore, install_redaction
from playground.store import Store

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "Handler",
    "Parser",
    "UsageError",
    "emit",
    "fail",
    "json_flag",
    "open_keystore",
    "parse_var",
    "positive_int",
    "read_prompt_file",
    "read_vars_file",
    "table",
]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

Handler = Callable[[Store, argparse.Namespace], int]


class UsageError(PlaygroundError):
    """Bad arguments or input on the command line."""


class Parser(argparse.ArgumentParser):
    """argparse that reports one clear line instead of usage + error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for machines")


MAX_COUNT = 1_000_000_000


def positive_int(text: str) -> int:
    """A whole number from 1 to a billion, written with ASCII digits."""
    if not re.fullmatch(r"[0-9]+", text.strip()):
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number")
    value = int(text)
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"'{text}' must be from 1 to {MAX_COUNT:,}")
    return value


def emit(args: argparse.Namespace, data: Any, text: str) -> int:
    """Print ``data`` as JSON with ``--json``, else ``text``; exit code 0."""
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
    return EXIT_OK


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def parse_var(item: str) -> tuple[str, str]:
    """``NAME=VALUE`` from ``--var``."""
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise UsageError(f"--var expects NAME=VALUE, got '{item}'")
    return name, value


def read_prompt_file(path: Path, *, quiet: bool = False) -> PromptDocument:
    """The one prompt in a prompt file of any format the app reads (.prompty, promptfoo,
    native JSON), with every failure as one clear :class:`UsageError`.

    What the file holds that the app cannot use is printed to stderr as a note,
    unless ``quiet``.
    """
    from playground.export import registry

    try:
        results = registry.import_path(path)
    except PlaygroundError as exc:
        raise UsageError(str(exc)) from None
    if len(results) != 1:
        names = ", ".join(repr(r.document.name) for r in results)
        raise UsageError(
            f"{path}: holds {len(results)} prompts ({names}); split them into one file each, "
            "or import them all with 'playground import'"
        )
    if not quiet:
        for warning in results[0].warnings:
            print(f"note: {path}: {warning}", file=sys.stderr)
    return results[0].document


def read_vars_file(path: Path) -> dict[str, str]:
    """A JSON object of variable values."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON object of variable values ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"{path}: expected a JSON object whose values are strings")
    return data


def fail(message: str, code: int = EXIT_FAILURE) -> int:
    """Print one error line the way ``playground`` does and return ``code``."""
    print(f"playground: error: {message}", file=sys.stderr)
    return code


def open_keystore() -> KeyStore:
    """The process keyring's KeyStore, with its keys masked in everything logged from now on."""
    keystore = KeyStore()
    install_redaction(keystore)
    return keystore
