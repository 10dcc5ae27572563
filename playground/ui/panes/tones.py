"""Colours for a pane's error, warning and success marks, derived from the widget's palette.

Qt palettes have no "error" role, so the accent hue is picked per theme (a
light or a dark set, as the highlighters do) and everything else is taken
from, or mixed with, the palette: text stays the palette's text colour and
backgrounds are a tint of its base colour, so a pane reads well in any theme.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from playground.ui.highlight import is_dark

__all__ = ["error_colour", "mix", "ok_colour", "tinted_background"]

# Reds and greens with at least 4.5:1 contrast on white and on near-black bases.
_ERROR_LIGHT, _ERROR_DARK = "#c62828", "#ff7b72"
_OK_LIGHT, _OK_DARK = "#2e7d32", "#7ee787"


def error_colour(palette: QPalette) -> QColor:
    """The accent for errors and invalid input in this palette's theme."""
    return QColor(_ERROR_DARK if is_dark(palette) else _ERROR_LIGHT)


def ok_colour(palette: QPalette) -> QColor:
    """The accent for a passed check in this palette's theme."""
    return QColor(_OK_DARK if is_dark(palette) else _OK_LIGHT)


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def tinted_background(palette: QPalette, accent: QColor) -> QColor:
    """The palette's base colour with a faint wash of ``accent``."""
    return mix(palette.color(QPalette.ColorRole.Base), accent, 0.14)
