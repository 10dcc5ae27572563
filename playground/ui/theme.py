"""Light and dark themes: the Fusion style with a palette that follows the system.

``apply_theme(app)`` picks light or dark from the system's colour scheme (Qt
6.5+ reports it through ``QStyleHints.colorScheme``) and sets the Fusion style
with a matching palette: Fusion's own light palette, or the dark one drawn
here. ``ThemeWatcher`` re-applies the theme when the system scheme changes and
says so with ``changed``, so views can refresh their icons and highlighters.

The environment variable ``PLAYGROUND_THEME=light|dark`` stands in for the
system's choice, so screenshots and benchmarks look the same on every machine.
A scheme asked for by name (a user setting of "light" or "dark") still wins.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from playground.ui.palette import is_dark

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

__all__ = [
    "SCHEMES",
    "THEME_ENV",
    "ThemeWatcher",
    "apply_theme",
    "current_scheme",
    "dark_palette",
    "light_palette",
    "system_scheme",
]

log = logging.getLogger("playground.ui")

#: What ``apply_theme`` accepts.
SCHEMES = ("system", "light", "dark")
#: Environment variable that decides "system" for screenshots and benchmarks.
THEME_ENV = "PLAYGROUND_THEME"
_STYLE = "Fusion"

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup
_GROUPS = (_Group.Active, _Group.Inactive, _Group.Disabled)
_ROLES = tuple(r for r in _Role if r not in (_Role.NoRole, _Role.NColorRoles))

# The palette the platform gave the app before the first apply_theme: the
# fallback for "system" when the platform cannot say light or dark.
_platform_palette: QPalette | None = None
_bad_env_value: str | None = None

# ---------------------------------------------------------------- palettes

# Neutral greys with a blue accent. Text on Base is 13:1, on Window 11:1,
# placeholder text 5.9:1 and links 7.4:1; disabled text (4.4:1) is dimmer on
# purpose but still legible.
_DARK: dict[_Role, str] = {
    _Role.Window: "#2b2d31",
    _Role.WindowText: "#e3e5e8",
    _Role.Base: "#1e1f22",
    _Role.AlternateBase: "#25272b",
    _Role.ToolTipBase: "#3a3c42",
    _Role.ToolTipText: "#e3e5e8",
    _Role.PlaceholderText: "#949ba4",
    _Role.Text: "#e3e5e8",
    _Role.Button: "#35373c",
    _Role.ButtonText: "#e3e5e8",
    _Role.BrightText: "#ff6b6b",
    # Fusion draws bevels and frames from these, lightest to darkest.
    _Role.Light: "#4a4d54",
    _Role.Midlight: "#404248",
    _Role.Mid: "#27292d",
    _Role.Dark: "#18191c",
    _Role.Shadow: "#0b0c0d",
    _Role.Highlight: "#2f6fd0",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#6cb2ff",
    _Role.LinkVisited: "#c79bff",
    _Role.Accent: "#2f6fd0",
}
_DARK_INACTIVE: dict[_Role, str] = {
    # A selection in a window without focus is quieter.
    _Role.Highlight: "#2a4a78",
    _Role.Accent: "#2a4a78",
}
_DARK_DISABLED: dict[_Role, str] = {
    _Role.WindowText: "#80848e",
    _Role.Text: "#80848e",
    _Role.ButtonText: "#80848e",
    _Role.PlaceholderText: "#5c6068",
    _Role.Button: "#2f3136",
    _Role.Highlight: "#3a3c42",
    _Role.HighlightedText: "#a0a4ab",
    _Role.Accent: "#3a3c42",
    _Role.Link: "#4f7299",
    _Role.LinkVisited: "#7d6a99",
    _Role.BrightText: "#a05a5a",
}

# Fusion's light palette leaves links to the platform, which may be a dark
# theme's pale blue; these read well on white.
_LIGHT_LINKS: dict[_Role, str] = {_Role.Link: "#0b57d0", _Role.LinkVisited: "#7b1fa2"}


def dark_palette() -> QPalette:
    """The dark palette: every role set in every colour group."""
    palette = QPalette()
    for group in _GROUPS:
        for role, colour in _DARK.items():
            palette.setColor(group, role, QColor(colour))
    for role, colour in _DARK_INACTIVE.items():
        palette.setColor(_Group.Inactive, role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(_Group.Disabled, role, QColor(colour))
    return palette


def light_palette() -> QPalette:
    """Fusion's standard light palette, with every role pinned down.

    Each colour is set explicitly, so no role falls through to the platform's
    palette (which is dark when the system is and the user picked light).
    """
    fusion = QStyleFactory.create(_STYLE)
    standard = fusion.standardPalette()
    palette = QPalette()
    for group in _GROUPS:
        for role in _ROLES:
            colour = standard.color(group, role)
            if role in _LIGHT_LINKS and not standard.isBrushSet(group, role):
                colour = QColor(_LIGHT_LINKS[role])
            palette.setColor(group, role, colour)
    return palette


# ---------------------------------------------------------------- applying


def apply_theme(app: QApplication, scheme: str = "system", *, quick: bool = False) -> str:
    """Set the Fusion style and the palette for ``scheme``; returns "light" or "dark".

    ``scheme`` is "light", "dark", or "system": the ``PLAYGROUND_THEME``
    variable when set, else the system's colour scheme, else (when the
    platform does not say) the lightness of the palette it started with.

    ``quick`` skips asking the platform for its colour scheme (the answer
    costs ~20 ms, as Qt sets up its enums) and goes by the palette alone;
    start-up paints its first frame that way, then applies the theme again.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown theme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    global _platform_palette
    if _platform_palette is None:
        _platform_palette = app.palette()  # a copy (QPalette(...) would wake all Qt enums)
    resolved = _resolve(scheme, quick=quick)
    style = app.style()
    if style is None or style.name().lower() != _STYLE.lower():
        app.setStyle(_STYLE)
    app.setPalette(dark_palette() if resolved == "dark" else light_palette())
    icons = sys.modules.get("playground.ui.icons")
    if icons is not None:  # nothing is cached before the icons are first used
        icons.clear_cache()
    return resolved


def current_scheme() -> str:
    """ "dark" or "light": what the application's palette looks like now."""
    if QGuiApplication.instance() is None:
        raise RuntimeError("current_scheme() needs a QApplication")
    return "dark" if is_dark(QGuiApplication.palette()) else "light"


def system_scheme(*, quick: bool = False) -> str:
    """The system's choice, "light" or "dark", ignoring ``PLAYGROUND_THEME``.

    ``quick``: by the platform's palette alone (see :func:`apply_theme`).
    """
    palette = _platform_palette if _platform_palette is not None else QGuiApplication.palette()
    if quick:
        return "dark" if is_dark(palette) else "light"
    from PySide6.QtCore import Qt

    reported = QGuiApplication.styleHints().colorScheme()
    if reported == Qt.ColorScheme.Dark:
        return "dark"
    if reported == Qt.ColorScheme.Light:
        return "light"
    return "dark" if is_dark(palette) else "light"


def _resolve(scheme: str, *, quick: bool = False) -> str:
    if scheme != "system":
        return scheme
    forced = os.environ.get(THEME_ENV, "").strip().lower()
    if forced in ("light", "dark"):
        return forced
    if forced not in ("", "system"):
        global _bad_env_value
        if forced != _bad_env_value:
            _bad_env_value = forced
            log.warning("%s=%r is not light or dark; following the system", THEME_ENV, forced)
    return system_scheme(quick=quick)


# ---------------------------------------------------------------- watching


class ThemeWatcher(QObject):
    """Keeps the theme in step with the system, and with the user's choice.

    It does not apply anything when created: call ``apply_theme`` (or
    ``reapply``) at start-up. After that, a change of the system colour scheme
    re-applies the theme while the choice is "system". Every re-application
    clears the icon cache and then emits ``changed`` with "light" or "dark";
    widgets then set their icons again and highlighters take the new palette.
    """

    changed = Signal(str)

    def __init__(self, app: QApplication, scheme: str = "system") -> None:
        super().__init__(app)
        if scheme not in SCHEMES:
            raise ValueError(f"unknown theme {scheme!r}; expected one of {', '.join(SCHEMES)}")
        self._app = app
        self._scheme = scheme
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            self._on_style_hints_color_scheme_changed
        )

    @property
    def scheme(self) -> str:
        """The choice being followed: "system", "light" or "dark"."""
        return self._scheme

    def set_scheme(self, scheme: str) -> str:
        """Follow ``scheme`` from now on and apply it; returns what was applied."""
        if scheme not in SCHEMES:
            raise ValueError(f"unknown theme {scheme!r}; expected one of {', '.join(SCHEMES)}")
        self._scheme = scheme
        return self.reapply()

    def reapply(self) -> str:
        """Apply the current choice again; ``changed`` follows once widgets have it.

        Qt hands the new palette to existing widgets through posted events, so
        ``changed`` is queued behind them: a slot that reads ``widget.palette()``
        sees the new colours.
        """
        applied = apply_theme(self._app, self._scheme)
        QTimer.singleShot(0, self, lambda: self.changed.emit(applied))
        return applied

    def _on_style_hints_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._scheme == "system":
            self.reapply()
