"""Headless subcommands of ``playground``: one module per command group.

Each module exposes ``add_parsers(sub)`` to add its argparse subcommands and
``COMMANDS``, a table from ``(command, action)`` to a handler that takes the
open :class:`~playground.store.Store` and the parsed arguments and returns
the exit code.
"""

from playground.commands.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Handler, UsageError

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "Handler", "UsageError"]
