"""The app's icon set: SVGs in resources/icons, coloured for the current palette.

Every icon is a line drawing with ``stroke="currentColor"``. ``icon(name)``
swaps that for the palette's text colour (and the disabled and selected text
colours for those icon modes), renders the SVG at the usual toolbar and menu
sizes for each screen scale, and caches the result per name and colours. A
theme change gives new colours and so new icons; ``clear_cache`` drops the old
ones. See resources/icons/README.md for how the drawings are made.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from playground import paths

__all__ = ["APP_ICON_SIZES", "ICON_NAMES", "ICON_SIZES", "app_icon", "clear_cache", "icon"]

log = logging.getLogger("playground.ui")

#: Every icon the set holds; each is ``resources/icons/<name>.svg``.
ICON_NAMES: tuple[str, ...] = (
    "run",
    "stop",
    "add",
    "remove",
    "copy",
    "save",
    "history",
    "diff",
    "settings",
    "search",
    "new",
    "duplicate",
    "rename",
    "archive",
    "restore",
    "label",
    "export",
    "import",
    "up",
    "down",
    "code",
    "plain",
    "pane",
    "keyboard",
    "warning",
    "error",
    "ok",
    "folder",
    "clock",
    "key",
    "refresh",
    "close",
)

#: Logical sizes rendered ahead of time: menus, buttons, toolbars, large toolbars.
ICON_SIZES: tuple[int, ...] = (16, 20, 24, 32)

#: Pixel sizes of the app icon's PNG renders under resources/icons/hicolor.
APP_ICON_SIZES: tuple[int, ...] = (16, 32, 48, 64, 128, 256, 512)

_ColourKey = tuple[str, str, str]

_icons: dict[tuple[str, _ColourKey], QIcon] = {}
_sources: dict[str, str] = {}
_warned: set[str] = set()
_app_icon: QIcon | None = None


def icons_dir() -> Path:
    """The folder holding the SVG files."""
    return paths.resources_dir() / "icons"


def icon(name: str) -> QIcon:
    """The icon called ``name``, drawn in the current palette's colours.

    An unknown name is logged once and gives an empty icon, so a typo shows as
    a missing picture rather than a crash.
    """
    source = _source(name)
    if source is None:
        return QIcon()
    colours = _colour_key(_palette())
    key = (name, colours)
    cached = _icons.get(key)
    if cached is None:
        cached = _icons[key] = _build(source, colours)
    return QIcon(cached)


def clear_cache() -> None:
    """Forget every rendered icon, so the next ``icon()`` call draws afresh.

    Icons are keyed by colour, so a new palette never returns stale ones; this
    frees the old renders (after a theme change) and re-reads the SVG files.
    """
    global _app_icon
    _icons.clear()
    _sources.clear()
    _app_icon = None


def app_icon() -> QIcon:
    """The application icon: the PNG renders where present, the SVG drawn at the rest."""
    global _app_icon
    if _app_icon is not None:
        return QIcon(_app_icon)
    _require_gui()
    folder = icons_dir()
    svg = folder / "playground.svg"
    renderer = QSvgRenderer(str(svg)) if svg.is_file() else None
    result = QIcon()
    for size in APP_ICON_SIZES:
        png = folder / "hicolor" / f"{size}x{size}" / "apps" / "playground.png"
        if png.is_file():
            result.addFile(str(png), QSize(size, size))
        elif renderer is not None and renderer.isValid():
            result.addPixmap(QPixmap.fromImage(render_svg(renderer, size)))
    if result.isNull():
        log.warning("The app icon is missing from %s", folder)
    _app_icon = result
    return QIcon(result)


def render_svg(renderer: QSvgRenderer, pixels: int, opacity: float = 1.0) -> QImage:
    """Draw ``renderer`` into a transparent, antialiased square image ``pixels`` wide."""
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setOpacity(opacity)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    return image


# ---------------------------------------------------------------- internals


def _source(name: str) -> str | None:
    """The SVG text of icon ``name``, or None (logged once) when there is none."""
    cached = _sources.get(name)
    if cached is not None:
        return cached
    path = icons_dir() / f"{name}.svg"
    # Only listed names: "playground" (the app icon, drawn in its own colours)
    # or a stray "../x" must not be read as a line icon.
    if name in ICON_NAMES and path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            _warn_once(name, f"Icon {name!r} could not be read: {exc}")
            return None
        _sources[name] = text
        return text
    _warn_once(name, f"Unknown icon {name!r}; showing none")
    return None


def _warn_once(name: str, message: str) -> None:
    if name not in _warned:
        _warned.add(name)
        log.warning("%s", message)


def _require_gui() -> None:
    # A QPixmap made before the QGuiApplication aborts the whole process.
    if QGuiApplication.instance() is None:
        raise RuntimeError("icons need a QApplication; create one first")


def _palette() -> QPalette:
    _require_gui()
    return QGuiApplication.palette()


def _colour_key(palette: QPalette) -> _ColourKey:
    """The colours an icon is drawn in: normal, disabled, and on a selection."""
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    selected = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    return (_css(normal), _css(disabled), _css(selected))


def _css(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexArgb)


def _coloured(source: str, argb: str) -> tuple[QSvgRenderer, float]:
    """A renderer for ``source`` in colour ``argb``, and the opacity to draw it at.

    SVG colours have no alpha, and some platform palettes (macOS's disabled
    text, say) are translucent: the alpha becomes the painter's opacity.
    """
    colour = QColor(argb)
    text = source.replace("currentColor", colour.name(QColor.NameFormat.HexRgb))
    return QSvgRenderer(QByteArray(text.encode("utf-8"))), colour.alphaF()


def _scales() -> list[float]:
    """Device pixel ratios to pre-render: 1x and each screen's own.

    A screen that appears later (a laptop docked to a high-DPI monitor) gets
    the nearest render scaled until the next ``clear_cache``; the 32 px render
    already serves 16 px at 2x exactly.
    """
    scales = {1.0}
    for screen in QGuiApplication.screens():
        scales.add(round(screen.devicePixelRatio(), 2))
    return sorted(scales)


def _build(source: str, colours: _ColourKey) -> QIcon:
    normal, disabled, selected = colours
    result = QIcon()
    scales = _scales()
    # Active (hovered) falls back to the Normal pixmaps, so it needs none of its own.
    modes = (
        (QIcon.Mode.Normal, normal),
        (QIcon.Mode.Disabled, disabled),
        (QIcon.Mode.Selected, selected),
    )
    for mode, colour in modes:
        renderer, opacity = _coloured(source, colour)
        for size in ICON_SIZES:
            for scale in scales:
                pixels = round(size * scale)
                pixmap = QPixmap.fromImage(render_svg(renderer, pixels, opacity))
                pixmap.setDevicePixelRatio(pixels / size)
                result.addPixmap(pixmap, mode, QIcon.State.Off)
    return result
