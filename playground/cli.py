"""Command line: no arguments opens the app; subcommands work headless.

Every command prints human-readable text, or JSON with ``--json``. Usage and
input errors print one clear line and exit 2; problems with the library
(a locked or newer database, a full disk) exit 1; a bug is logged with its
traceback and reported in one line that says where the log is.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from playground import __version__, logs, paths
from playground.commands import keys, prompts, providers, run
from playground.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Handler,
    Parser,
    UsageError,
)
from playground.core.errors import PlaygroundError, StoreError
from playground.store import Store

__all__ = ["main"]

log = logging.getLogger("playground.cli")

_COMMAND_MODULES: tuple[ModuleType, ...] = (prompts, providers, keys, run)


def _commands() -> dict[tuple[str, str | None], Handler]:
    table: dict[tuple[str, str | None], Handler] = {}
    for module in _COMMAND_MODULES:
        table.update(module.COMMANDS)
    return table


def _build_parser() -> Parser:
    parser = Parser(
        prog="playground", description="Prompt Playground. With no command, opens the desktop app."
    )
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    parser.add_argument("--verbose", action="store_true", help="verbose logging")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the main window, wait for its first paint, and exit (for start-up checks)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    sub.add_parser("gui", help="open the desktop app")

    for module in _COMMAND_MODULES:
        module.add_parsers(sub)
    return parser


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--run-host"]:  # the app's run process, in a frozen bundle
        from playground.run_host import host_main

        return host_main()
    try:
        args = _build_parser().parse_args(args_list)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except SystemExit as exc:  # --help and --version print, then "exit"
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    try:
        logs.setup_logging(verbose=args.verbose)
    except OSError as exc:
        return _fail(
            f"the data folder cannot be used ({exc.strerror or exc}: {exc.filename}); "
            f"check it, or point {paths.HOME_ENV} at a writable folder",
            EXIT_FAILURE,
        )
    if args.command in (None, "gui") or args.smoke:
        return _open_gui(smoke=args.smoke)
    handler = _commands()[(args.command, getattr(args, "action", None))]
    try:
        with Store.open() as store:
            return handler(store, args)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except StoreError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    except PlaygroundError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("unexpected error running %s", args_list[:2])
        return _fail(f"internal error; details were written to {logs.log_file()}", EXIT_FAILURE)


def _fail(message: str, code: int) -> int:
    print(f"playground: error: {message}", file=sys.stderr)
    return code


def _open_gui(*, smoke: bool = False) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        return _fail(
            "no display found; run the app in a desktop session, or use a command "
            "such as 'playground prompts list' (see 'playground --help')",
            EXIT_USAGE,
        )
    from playground.app import run_app  # Qt is imported only when the GUI is wanted

    return run_app(smoke=smoke)
