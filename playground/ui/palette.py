"""Palette facts shared by the theme and the highlighters (kept tiny: start-up imports it)."""

from __future__ import annotations

from PySide6.QtGui import QPalette

__all__ = ["is_dark"]


def is_dark(palette: QPalette) -> bool:
    """True when text is drawn lighter than its background, as in a dark theme."""
    text = palette.color(QPalette.ColorRole.Text).lightnessF()
    base = palette.color(QPalette.ColorRole.Base).lightnessF()
    return text > base
