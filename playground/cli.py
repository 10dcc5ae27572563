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
from typing import TYPE_CHECKING

from playground import __version__

if TYPE_CHECKING:
    from playground.commands.common import Handler, Parser

__all__ = ["main"]

log = logging.getLogger("playground.cli")

# The same codes as playground.commands.common, which opening the app does not import.
_EXIT_FAILURE = 1
_EXIT_USAGE = 2
#: Arguments that only open the app: start-up then skips the command modules.
_GUI_ONLY = frozenset({"--smoke", "--smoke-full", "--verbose", "gui"})


def _command_modules() -> tuple[ModuleType, ...]:
    """The command groups, in help order (imported only when a command is given)."""
    from playground.commands import files, keys, prompts, providers, run

    return (prompts, files, providers, keys, run)


def _commands() -> dict[tuple[str, str | None], Handler]:
    table: dict[tuple[str, str | None], Handler] = {}
    for module in _command_modules():
        table.update(module.COMMANDS)
    return table


def _build_parser() -> Parser:
    from playground.commands.common import Parser

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
    parser.add_argument(
        "--smoke-full",
        action="store_true",
        help="like --smoke, but build the whole window (library, editor, panes) and paint it",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    sub.add_parser("gui", help="open the desktop app")

    for module in _command_modules():
        module.add_parsers(sub)
    return parser


def logging_problem(exc: OSError) -> str:
    """What to tell a user whose data folder cannot take the log."""
    from playground import paths

    return (
        f"the data folder cannot be used ({exc.strerror or exc}: {exc.filename}); "
        f"check it, or point {paths.HOME_ENV} at a writable folder"
    )


def _setup_logging(verbose: bool) -> int | None:
    from playground import logs

    try:
        logs.setup_logging(verbose=verbose)
    except OSError as exc:
        return _fail(logging_problem(exc), _EXIT_FAILURE)
    return None


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--run-host"]:  # the app's run process, in a frozen bundle
        from playground.run_host import host_main

        return host_main()
    if set(args_list) <= _GUI_ONLY and args_list.count("gui") <= 1:
        # Opening the app: nothing to parse, so none of the commands is imported,
        # and the log is set up once the window is on screen (see run_app).
        full = "--smoke-full" in args_list
        return _open_gui(
            smoke=full or "--smoke" in args_list, full=full, verbose="--verbose" in args_list
        )

    from playground.commands.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError
    from playground.core.errors import PlaygroundError, StoreError
    from playground.store import Store

    try:
        args = _build_parser().parse_args(args_list)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except SystemExit as exc:  # --help and --version print, then "exit"
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    if args.command in (None, "gui") or args.smoke or args.smoke_full:
        return _open_gui(
            smoke=args.smoke or args.smoke_full, full=args.smoke_full, verbose=args.verbose
        )
    failed = _setup_logging(args.verbose)
    if failed is not None:
        return failed
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
        from playground import logs

        return _fail(f"internal error; details were written to {logs.log_file()}", EXIT_FAILURE)


def _fail(message: str, code: int) -> int:
    print(f"playground: error: {message}", file=sys.stderr)
    return code


def _open_gui(*, smoke: bool = False, full: bool = False, verbose: bool = False) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        return _fail(
            "no display found; run the app in a desktop session, or use a command "
            "such as 'playground prompts list' (see 'playground --help')",
            _EXIT_USAGE,
        )
    from playground.app import run_app  # Qt is imported only when the GUI is wanted

    return run_app(smoke=smoke, ready=full, verbose=verbose)
