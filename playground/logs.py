"""Logging to a rotating file in the data dir.

Bugs (unexpected exceptions) go here with their tracebacks; users see a calm
one-line message that points at this file. Nothing secret and no prompt or
output text is logged unless verbose logging is turned on.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from playground import paths

__all__ = ["LOG_FILE_NAME", "log_file", "setup_logging"]

LOG_FILE_NAME = "playground.log"
_HANDLER_NAME = "playground-file"


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE_NAME


def setup_logging(*, verbose: bool = False) -> Path:
    """Attach the rotating file handler to the ``playground`` logger (once per file)."""
    path = log_file()
    logger = logging.getLogger("playground")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:
            if Path(getattr(handler, "baseFilename", "")) == path:
                return path
            logger.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return path
