"""Where Prompt Playground keeps its data.

Everything lives under one data directory: the platform's user data dir
(via platformdirs), or ``$PLAYGROUND_HOME`` when it is set. Tests point
``PLAYGROUND_HOME`` at a temporary directory so no test touches a real profile.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "playground"
HOME_ENV = "PLAYGROUND_HOME"

__all__ = ["HOME_ENV", "data_dir", "db_path", "log_dir", "resources_dir"]


def data_dir(*, create: bool = True) -> Path:
    """The data directory; created on first use unless ``create`` is false."""
    override = os.environ.get(HOME_ENV, "").strip()
    path = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def db_path() -> Path:
    """The library database file."""
    return data_dir() / "library.db"


def log_dir() -> Path:
    """The folder for log files."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """Bundled resources: inside the installed package, or the repo's ``resources/``."""
    here = Path(__file__).resolve().parent
    installed = here / "resources"
    if installed.is_dir():
        return installed
    return here.parent / "resources"
