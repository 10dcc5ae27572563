"""Themes: the Fusion style with a light or dark palette, following the system."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from playground.ui import theme
from playground.ui.highlight import TemplateHighlighter, is_dark
from playground.ui.icons import clear_cache, icon
from playground.ui.theme import (
    THEME_ENV,
    ThemeWatcher,
    apply_theme,
    current_scheme,
    dark_palette,
    light_palette,
)

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup
GROUPS = (_Group.Active, _Group.Inactive, _Group.Disabled)
ROLES = [r for r in _Role if r not in (_Role.NoRole, _Role.NColorRoles)]


@pytest.fixture(autouse=True)
def restore_theme(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[QApplication]:
    """Put the style and palette back, so other tests see the app as it was."""
    monkeypatch.delenv(THEME_ENV, raising=False)
    style = qapp.style().name()
    palette = QPalette(qapp.palette())
    yield qapp
    if qapp.style().name() != style:
        qapp.setStyle(style)
    qapp.setPalette(palette)
    clear_cache()


@pytest.fixture
def make_watcher(qapp: QApplication) -> Iterator[Callable[..., ThemeWatcher]]:
    """Watchers are children of the app, which outlives the test: delete them after."""
    made: list[ThemeWatcher] = []

    def make(scheme: str = "system") -> ThemeWatcher:
        watcher = ThemeWatcher(qapp, scheme)
        made.append(watcher)
        return watcher

    yield make
    for watcher in made:
        shiboken6.delete(watcher)


@pytest.fixture
def system_is(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Stand in for the platform's colour scheme, which offscreen Qt cannot change."""

    def set_scheme(scheme: str) -> None:
        monkeypatch.setattr(theme, "system_scheme", lambda *, quick=False: scheme)

    return set_scheme


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# ---------------------------------------------------------------- apply_theme


def test_dark_theme_is_dark_and_fusion(qapp: QApplication) -> None:
    assert apply_theme(qapp, "dark") == "dark"
    assert is_dark(qapp.palette())
    assert qapp.style().name().lower() == "fusion"
    assert current_scheme() == "dark"


def test_light_theme_is_light_and_fusion(qapp: QApplication) -> None:
    apply_theme(qapp, "dark")
    assert apply_theme(qapp, "light") == "light"
    assert not is_dark(qapp.palette())
    assert qapp.style().name().lower() == "fusion"
    assert current_scheme() == "light"


def test_widgets_take_the_new_palette(qapp: QApplication, qtbot: QtBot) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    # Qt hands an application palette to existing widgets through posted events.
    apply_theme(qapp, "dark")
    qtbot.waitUntil(lambda: is_dark(field.palette()), timeout=1000)
    apply_theme(qapp, "light")
    qtbot.waitUntil(lambda: not is_dark(field.palette()), timeout=1000)


def test_unknown_scheme_is_refused(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="sepia"):
        apply_theme(qapp, "sepia")


@pytest.mark.parametrize("make", [dark_palette, light_palette])
def test_palettes_set_every_role_in_every_group(make: Callable[[], QPalette]) -> None:
    palette = make()
    for group in GROUPS:
        for role in ROLES:
            assert palette.isBrushSet(group, role), f"{group.name} {role.name} left to chance"


def test_dark_palette_is_readable() -> None:
    palette = dark_palette()

    def colour(role: QPalette.ColorRole, group: QPalette.ColorGroup = _Group.Active) -> QColor:
        return palette.color(group, role)

    assert is_dark(palette)
    assert contrast(colour(_Role.Text), colour(_Role.Base)) >= 7
    assert contrast(colour(_Role.WindowText), colour(_Role.Window)) >= 7
    assert contrast(colour(_Role.ButtonText), colour(_Role.Button)) >= 7
    assert contrast(colour(_Role.ToolTipText), colour(_Role.ToolTipBase)) >= 7
    assert contrast(colour(_Role.HighlightedText), colour(_Role.Highlight)) >= 4.5
    assert contrast(colour(_Role.PlaceholderText), colour(_Role.Base)) >= 4.5
    assert contrast(colour(_Role.Link), colour(_Role.Base)) >= 4.5
    assert contrast(colour(_Role.LinkVisited), colour(_Role.Base)) >= 4.5
    # Disabled text is dimmer than normal text, yet still there to read.
    disabled = colour(_Role.Text, _Group.Disabled)
    assert disabled != colour(_Role.Text)
    assert (
        3
        <= contrast(disabled, colour(_Role.Base))
        < contrast(colour(_Role.Text), colour(_Role.Base))
    )
    # Fusion's bevels need the light-to-dark ramp in order.
    ramp = [_Role.Light, _Role.Midlight, _Role.Button, _Role.Mid, _Role.Dark, _Role.Shadow]
    lightness = [colour(r).lightness() for r in ramp]
    assert lightness == sorted(lightness, reverse=True)


def test_light_palette_has_readable_links() -> None:
    palette = light_palette()
    assert not is_dark(palette)
    base = palette.color(_Role.Base)
    assert contrast(palette.color(_Role.Link), base) >= 4.5
    assert contrast(palette.color(_Role.LinkVisited), base) >= 4.5


def test_highlighters_pick_colours_from_the_applied_palette(qapp: QApplication) -> None:
    apply_theme(qapp, "dark")
    highlighter = TemplateHighlighter(qapp)
    assert highlighter.dark
    apply_theme(qapp, "light")
    highlighter.set_palette(qapp.palette())
    assert not highlighter.dark
    shiboken6.delete(highlighter)


# ---------------------------------------------------------------- "system"


def test_system_follows_the_platform_palette_when_the_scheme_is_unknown(
    qapp: QApplication,
) -> None:
    if QGuiApplication.styleHints().colorScheme() != Qt.ColorScheme.Unknown:
        pytest.skip("this platform reports a colour scheme")
    platform_dark = is_dark(qapp.palette())
    expected = "dark" if platform_dark else "light"
    assert apply_theme(qapp, "system") == expected
    # Our own palette must not stick: after forcing the other scheme,
    # "system" still answers from the palette the platform gave.
    apply_theme(qapp, "light" if platform_dark else "dark")
    assert apply_theme(qapp, "system") == expected


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_system_follows_the_system_scheme(
    qapp: QApplication, system_is: Callable[[str], None], scheme: str
) -> None:
    system_is(scheme)
    assert apply_theme(qapp) == scheme
    assert current_scheme() == scheme


@pytest.mark.parametrize(("forced", "system"), [("dark", "light"), ("light", "dark")])
def test_env_variable_decides_system(
    qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
    system_is: Callable[[str], None],
    forced: str,
    system: str,
) -> None:
    system_is(system)
    monkeypatch.setenv(THEME_ENV, f" {forced.upper()} ")
    assert apply_theme(qapp, "system") == forced
    assert is_dark(qapp.palette()) == (forced == "dark")


def test_an_explicit_choice_beats_the_env_variable(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(THEME_ENV, "dark")
    assert apply_theme(qapp, "light") == "light"
    assert not is_dark(qapp.palette())


def test_a_bad_env_value_is_logged_and_ignored(
    qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
    system_is: Callable[[str], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    system_is("dark")
    monkeypatch.setattr(theme, "_bad_env_value", None)
    monkeypatch.setenv(THEME_ENV, "purple")
    with caplog.at_level(logging.WARNING, logger="playground.ui"):
        assert apply_theme(qapp) == "dark"
        assert apply_theme(qapp) == "dark"
    assert [r.getMessage() for r in caplog.records].count(
        "PLAYGROUND_THEME='purple' is not light or dark; following the system"
    ) == 1


# ---------------------------------------------------------------- ThemeWatcher


def test_watcher_follows_a_system_change(
    qapp: QApplication,
    qtbot: QtBot,
    system_is: Callable[[str], None],
    make_watcher: Callable[..., ThemeWatcher],
) -> None:
    system_is("light")
    apply_theme(qapp)
    watcher = make_watcher()
    light_icon = icon("run").pixmap(24).toImage()

    # The offscreen platform cannot switch the system scheme (setColorScheme
    # is ignored there), so stand in for the platform: change what the system
    # reports and emit the style hints' own signal the watcher listens to.
    system_is("dark")
    with qtbot.waitSignal(watcher.changed, timeout=1000) as blocker:
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert blocker.args == ["dark"]
    assert is_dark(qapp.palette())
    # The icon cache was cleared and icons now come out in the dark theme's colours.
    assert icon("run").pixmap(24).toImage() != light_icon


def test_widgets_have_the_new_palette_when_changed_is_emitted(
    qapp: QApplication,
    qtbot: QtBot,
    system_is: Callable[[str], None],
    make_watcher: Callable[..., ThemeWatcher],
) -> None:
    system_is("light")
    apply_theme(qapp)
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitUntil(lambda: not is_dark(field.palette()), timeout=1000)
    watcher = make_watcher()
    seen: list[bool] = []
    watcher.changed.connect(lambda _scheme: seen.append(is_dark(field.palette())))
    with qtbot.waitSignal(watcher.changed, timeout=1000):
        watcher.set_scheme("dark")
    assert seen == [True]


def test_watcher_keeps_an_explicit_choice(
    qapp: QApplication,
    qtbot: QtBot,
    system_is: Callable[[str], None],
    make_watcher: Callable[..., ThemeWatcher],
) -> None:
    watcher = make_watcher("light")
    assert watcher.scheme == "light"
    apply_theme(qapp, watcher.scheme)
    system_is("dark")
    with qtbot.assertNotEmitted(watcher.changed, wait=50):
        watcher._on_style_hints_color_scheme_changed(Qt.ColorScheme.Dark)
    assert not is_dark(qapp.palette())


def test_watcher_set_scheme_applies_and_emits(
    qapp: QApplication, qtbot: QtBot, make_watcher: Callable[..., ThemeWatcher]
) -> None:
    watcher = make_watcher()
    with qtbot.waitSignal(watcher.changed, timeout=1000) as blocker:
        assert watcher.set_scheme("dark") == "dark"
    assert blocker.args == ["dark"]
    assert watcher.scheme == "dark"
    assert is_dark(qapp.palette())
    with qtbot.waitSignal(watcher.changed, timeout=1000) as blocker:
        watcher.reapply()
    assert blocker.args == ["dark"]
    with pytest.raises(ValueError, match="auto"):
        watcher.set_scheme("auto")
    assert watcher.scheme == "dark"


def test_a_deleted_watcher_no_longer_listens(
    qapp: QApplication, system_is: Callable[[str], None]
) -> None:
    system_is("light")
    apply_theme(qapp)
    watcher = ThemeWatcher(qapp)
    shiboken6.delete(watcher)
    system_is("dark")
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qapp.processEvents()
    assert not is_dark(qapp.palette())


def test_the_quick_answer_goes_by_the_platform_palette(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-up's first frame does not ask Qt for the colour scheme, only the palette."""
    for palette, expected in ((theme.dark_palette(), "dark"), (theme.light_palette(), "light")):
        monkeypatch.setattr(theme, "_platform_palette", palette)
        assert theme.system_scheme(quick=True) == expected
