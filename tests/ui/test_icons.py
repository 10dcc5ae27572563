"""The icon set: files that follow the drawing rules, and icons in the palette's colours."""

from __future__ import annotations

import importlib.util
import logging
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from playground import paths
from playground.ui import icons
from playground.ui.icons import APP_ICON_SIZES, ICON_NAMES, app_icon, clear_cache, icon
from playground.ui.theme import apply_theme, dark_palette

ICONS_DIR = paths.resources_dir() / "icons"
SVG = "{http://www.w3.org/2000/svg}"

# The names other parts of the app rely on; removing one breaks them.
REQUIRED = [
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
]


@pytest.fixture(autouse=True)
def restore_theme(qapp: QApplication) -> Iterator[QApplication]:
    """Put the style and palette back, so other tests see the app as it was."""
    style = qapp.style().name()
    palette = QPalette(qapp.palette())
    yield qapp
    if qapp.style().name() != style:
        qapp.setStyle(style)
    qapp.setPalette(palette)
    clear_cache()


def opaque_colours(image: QImage) -> list[QColor]:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    found = []
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if colour.alpha() >= 250:
                found.append(colour)
    return found


def assert_drawn_in(image: QImage, expected: QColor) -> None:
    """The image has a solid stroke, and every solid pixel is ``expected``."""
    colours = opaque_colours(image)
    assert len(colours) >= 12, "the icon drew (almost) nothing"
    for colour in colours:
        assert abs(colour.red() - expected.red()) <= 3
        assert abs(colour.green() - expected.green()) <= 3
        assert abs(colour.blue() - expected.blue()) <= 3


def text_colour(group: QPalette.ColorGroup = QPalette.ColorGroup.Active) -> QColor:
    return QApplication.palette().color(group, QPalette.ColorRole.Text)


# ---------------------------------------------------------------- the files


def test_the_set_holds_exactly_the_required_names_and_files() -> None:
    assert sorted(ICON_NAMES) == sorted(REQUIRED)
    assert len(set(ICON_NAMES)) == len(ICON_NAMES)
    on_disk = {p.stem for p in ICONS_DIR.glob("*.svg")} - {"playground"}
    assert on_disk == set(ICON_NAMES), "every SVG must be listed, and every name drawn"


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icon_file_follows_the_drawing_rules(name: str) -> None:
    path = ICONS_DIR / f"{name}.svg"
    text = path.read_text(encoding="utf-8")
    assert QSvgRenderer(str(path)).isValid()
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 24 24"
    assert root.get("stroke") == "currentColor"
    assert root.get("stroke-width") == "2"
    assert root.get("stroke-linecap") == "round"
    assert root.get("stroke-linejoin") == "round"
    assert root.get("fill") == "none"
    # Colour comes from the palette only: no literal colours, nothing translucent.
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|opacity|gradient", text)
    for element in root.iter():
        for attribute in ("stroke", "fill"):
            assert element.get(attribute) in (None, "none", "currentColor")
        assert element.get("stroke-width") in (None, "2")


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icon_stays_inside_the_two_pixel_margin(name: str) -> None:
    renderer = QSvgRenderer(str(ICONS_DIR / f"{name}.svg"))
    image = icons.render_svg(renderer, 24).convertToFormat(QImage.Format.Format_ARGB32)
    edge = [(x, y) for x in range(24) for y in (0, 1, 22, 23)]
    edge += [(x, y) for x in (0, 1, 22, 23) for y in range(24)]
    assert max(image.pixelColor(x, y).alpha() for x, y in edge) <= 8


# ---------------------------------------------------------------- colours


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icon_is_drawn_in_the_palette_text_colour(qapp: QApplication, name: str) -> None:
    apply_theme(qapp, "light")
    pixmap = icon(name).pixmap(24)
    assert pixmap.size() == QSize(24, 24)
    assert_drawn_in(pixmap.toImage(), text_colour())

    apply_theme(qapp, "dark")
    assert_drawn_in(icon(name).pixmap(24).toImage(), text_colour())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_disabled_and_selected_icons_use_their_own_colours(qapp: QApplication, scheme: str) -> None:
    apply_theme(qapp, scheme)
    palette = QApplication.palette()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    selected = palette.color(QPalette.ColorRole.HighlightedText)
    assert disabled != text_colour()

    run = icon("run")
    size = QSize(24, 24)
    assert_drawn_in(run.pixmap(size, QIcon.Mode.Disabled).toImage(), disabled)
    assert_drawn_in(run.pixmap(size, QIcon.Mode.Selected).toImage(), selected)
    assert_drawn_in(run.pixmap(size, QIcon.Mode.Active).toImage(), text_colour())


def test_light_and_dark_palettes_give_different_colours(qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    light = opaque_colours(icon("save").pixmap(24).toImage())[0]
    apply_theme(qapp, "dark")
    dark = opaque_colours(icon("save").pixmap(24).toImage())[0]
    assert light.lightness() < 80 < 180 < dark.lightness()


def test_a_new_palette_gives_new_colours_even_without_clearing(qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    before = icon("copy")
    qapp.setPalette(dark_palette())  # as a platform might, behind the theme's back
    after = icon("copy")
    assert after.cacheKey() != before.cacheKey()
    assert_drawn_in(after.pixmap(24).toImage(), text_colour())


def test_icons_are_cached_until_cleared() -> None:
    first = icon("folder")
    assert icon("folder").cacheKey() == first.cacheKey()
    clear_cache()
    assert icon("folder").cacheKey() != first.cacheKey()


def test_common_sizes_are_rendered_sharp(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test screen is 1x; pretend a 2x screen is attached too.
    monkeypatch.setattr(icons, "_scales", lambda: [1.0, 2.0])
    clear_cache()
    key = icon("key")
    for size in icons.ICON_SIZES:
        assert QSize(size, size) in key.availableSizes()
        crisp = icons.render_svg(
            QSvgRenderer(
                (ICONS_DIR / "key.svg")
                .read_text()
                .replace("currentColor", text_colour().name())
                .encode()
            ),
            size * 2,
        )
        pixmap = key.pixmap(QSize(size, size), 2.0)
        assert pixmap.devicePixelRatio() == 2.0
        assert pixmap.size() == QSize(size * 2, size * 2)
        assert pixmap.toImage().convertToFormat(crisp.format()) == crisp


def test_real_scales_cover_every_screen(qapp: QApplication) -> None:
    scales = icons._scales()
    assert 1.0 in scales
    for screen in qapp.screens():
        assert round(screen.devicePixelRatio(), 2) in scales


# ---------------------------------------------------------------- unknown names


def test_unknown_name_gives_an_empty_icon_and_one_log_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = f"no-such-icon-{uuid.uuid4().hex[:8]}"
    with caplog.at_level(logging.WARNING, logger="playground.ui"):
        assert icon(name).isNull()
        assert icon(name).isNull()
    records = [r for r in caplog.records if r.name == "playground.ui"]
    assert len(records) == 1
    assert name in records[0].getMessage()


@pytest.mark.parametrize("name", ["playground", "../icons/run", "", "Run"])
def test_names_outside_the_set_are_not_loaded(name: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="playground.ui"):
        assert icon(name).isNull()


# ---------------------------------------------------------------- the app icon


def test_hicolor_pngs_exist_at_their_sizes() -> None:
    for size in APP_ICON_SIZES:
        path = ICONS_DIR / "hicolor" / f"{size}x{size}" / "apps" / "playground.png"
        image = QImage(str(path))
        assert not image.isNull(), f"missing {path}"
        assert image.size() == QSize(size, size)
        assert image.hasAlphaChannel()


def _render_script() -> ModuleType:
    path = ICONS_DIR / "render_app_icon.py"
    spec = importlib.util.spec_from_file_location("render_app_icon", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hicolor_pngs_match_the_svg() -> None:
    assert _render_script().main(["--check"]) == 0


def test_render_script_check_catches_a_stale_png(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _render_script()
    monkeypatch.setattr(script, "HERE", tmp_path)
    monkeypatch.setattr(script, "SOURCE", ICONS_DIR / "playground.svg")
    assert script.main(["--check"]) == 1  # nothing there yet
    assert script.main([]) == 0
    assert script.main(["--check"]) == 0
    blank = QImage(64, 64, QImage.Format.Format_ARGB32)
    blank.fill(QColor("#ff0000"))
    assert blank.save(str(tmp_path / "hicolor" / "64x64" / "apps" / "playground.png"))
    assert script.main(["--check"]) == 1


def test_app_icon_offers_every_size() -> None:
    app = app_icon()
    assert not app.isNull()
    for size in APP_ICON_SIZES:
        assert QSize(size, size) in app.availableSizes()
    big = app.pixmap(QSize(256, 256)).toImage()
    png = QImage(str(ICONS_DIR / "hicolor" / "256x256" / "apps" / "playground.png"))
    # Compare in one pixel format: un-premultiplying a pixmap's pixels rounds the
    # semi-transparent edges differently on different Qt builds.
    premultiplied = QImage.Format.Format_ARGB32_Premultiplied
    assert big.convertToFormat(premultiplied) == png.convertToFormat(premultiplied)
