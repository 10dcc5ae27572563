"""The app's icon set: SVGs in resources/icons, coloured for the current palette."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from playground import paths

__all__ = ["icon"]


def icon(name: str) -> QIcon:
    """The icon called ``name`` (an empty icon when it does not exist)."""
    path = paths.resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
