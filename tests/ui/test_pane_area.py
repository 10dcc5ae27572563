"""The pane row: panes side by side, equal widths, sideways scrolling, ids never reused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QToolButton

from playground.core.document import Parameters, Target
from playground.core.events import TextDelta
from playground.core.runner import TargetResult
from playground.ui.panes import MINIMUM_WIDTH, OutputPane, PaneArea
from playground.ui.panes.pane_area import SPACING

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

TARGET = Target("openai", "gpt-4o-mini", Parameters(seed=3))


def make_area(qtbot, width: int, height: int = 700) -> PaneArea:
    area = PaneArea()
    qtbot.addWidget(area)
    area.resize(width, height)
    area.show()
    return area


def row_width_for(count: int) -> int:
    """The width ``count`` panes need at their minimum, with the gaps and margins."""
    return count * MINIMUM_WIDTH + (count - 1) * SPACING + 2 * SPACING


def settle(qtbot, area: PaneArea) -> None:
    """Let the queued shows, layouts and the scroll range catch up."""
    qtbot.waitUntil(lambda: all(p.isVisible() for p in area.panes()), timeout=2000)
    qtbot.wait(20)


def test_nine_panes_in_1400_px_scroll_sideways(qtbot) -> None:
    area = make_area(qtbot, 1400)
    for _ in range(9):
        area.add_pane(TARGET)
    settle(qtbot, area)
    bar = area.horizontalScrollBar()
    assert bar.isVisible()
    assert bar.maximum() > 0
    assert all(p.width() == MINIMUM_WIDTH for p in area.panes())


def test_eight_panes_fit_at_their_minimum_width_and_a_ninth_scrolls(qtbot) -> None:
    area = make_area(qtbot, row_width_for(8))
    for _ in range(8):
        area.add_pane(TARGET)
    settle(qtbot, area)
    assert area.widget().minimumSizeHint().width() <= row_width_for(8)
    assert not area.horizontalScrollBar().isVisible()
    assert all(p.width() >= MINIMUM_WIDTH for p in area.panes())
    lefts = [p.geometry().left() for p in area.panes()]
    assert lefts == sorted(lefts)  # side by side, left to right

    area.add_pane(TARGET)
    settle(qtbot, area)
    assert area.horizontalScrollBar().isVisible()


def test_panes_share_the_width_equally_when_there_is_room(qtbot) -> None:
    area = make_area(qtbot, 1400)
    first, second = area.add_pane(TARGET), area.add_pane(TARGET)
    settle(qtbot, area)
    assert abs(first.width() - second.width()) <= 1
    assert first.width() > 600
    assert not area.horizontalScrollBar().isVisible()


def test_ids_count_up_and_are_never_reused(qtbot) -> None:
    area = make_area(qtbot, 1400)
    added: list[OutputPane] = []
    removed: list[str] = []
    area.pane_added.connect(added.append)
    area.pane_removed.connect(removed.append)

    panes = [area.add_pane() for _ in range(3)]
    assert [p.pane_id for p in panes] == ["1", "2", "3"]
    assert added == panes
    assert area.pane("2") is panes[1]

    panes[1].begin_run()
    panes[1].apply_update(TextDelta("streaming"))
    remove = panes[1].findChild(QAction, "removePaneAction")
    assert remove is not None
    remove.trigger()  # the pane's own "Remove pane"
    assert removed == ["2"]
    assert [p.pane_id for p in area.panes()] == ["1", "3"]
    assert area.pane("2") is None
    assert not panes[1].footer.spinner.is_spinning()  # its timers stopped with it

    assert area.add_pane().pane_id == "4"
    area.clear()
    assert area.panes() == []
    assert removed == ["2", "1", "3", "4"]
    assert area.add_pane().pane_id == "5"


def test_add_pane_target_and_empty_text(qtbot) -> None:
    area = make_area(qtbot, 1000)
    empty = area.findChild(QLabel, "paneAreaEmpty")
    assert empty is not None
    assert empty.isVisible()
    area.set_empty_text("Add a key in Settings to get started.")
    assert empty.text() == "Add a key in Settings to get started."

    pane = area.add_pane(TARGET)
    assert pane.target() == TARGET
    assert not empty.isVisible()
    area.remove_pane(pane.pane_id)
    assert empty.isVisible()


def test_provider_and_model_lists_reach_every_pane(qtbot) -> None:
    area = make_area(qtbot, 1000)
    first, second = area.add_pane(), area.add_pane(Target("local", "llama3"))
    area.set_providers(["openai", "local"])
    area.set_models("local", ["llama3", "qwen2.5"])
    assert first.target() is None
    target = second.target()
    assert target is not None
    assert target.label == "local:llama3"
    models = second.findChild(QComboBox, "modelCombo")
    assert models is not None
    assert models.count() == 2


def test_add_button_stays_in_reach_when_scrolled(qtbot) -> None:
    area = make_area(qtbot, 900)
    for _ in range(6):
        area.add_pane()
    settle(qtbot, area)
    add = area.findChild(QToolButton, "addPaneButton")
    assert add is not None
    bar = area.horizontalScrollBar()
    bar.setValue(bar.maximum())
    settle(qtbot, area)
    assert add.isVisible()
    top_left = add.mapTo(area, add.rect().topLeft())
    assert area.rect().contains(top_left)
    assert not area.viewport().geometry().intersects(add.geometry())  # not over a pane
    with qtbot.waitSignal(area.add_requested, timeout=500):
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)


def test_show_result_of_a_past_run(qtbot) -> None:
    area = make_area(qtbot, 1000)
    pane = area.add_pane(TARGET)
    settle(qtbot, area)
    pane.begin_run()
    pane.apply_update(TextDelta("in progress"))
    past = TargetResult(
        target_id="1",
        target=TARGET,
        status="ok",
        output="Paris is the capital of France.",
        finish_reason="stop",
        input_tokens=9,
        output_tokens=8,
        ttft_ms=1250.0,
        total_ms=1650.0,
        cost=0.00031,
        cached=True,
    )
    pane.show_result(past, title="Run #12 · v3 · 2026-11-20 14:03")
    assert not pane.is_running()
    assert pane.output_text() == "Paris is the capital of France."
    view = pane.findChild(QPlainTextEdit, "paneOutput")
    assert view is not None
    assert view.toPlainText() == "Paris is the capital of France."
    title = pane.findChild(QLabel, "paneTitle")
    assert title is not None
    assert title.isVisible()
    assert title.text() == "Run #12 · v3 · 2026-11-20 14:03"
    assert pane.figures_text() == "TTFT 1.25 s · 20 tok/s · 9 in · 8 out · $0.0003 · cached"

    pane.begin_run()  # a new run drops the old title
    assert not title.isVisible()
    assert pane.figures_text() == ""
