"""HistoryPanel: versions and runs as a user sees and drives them, and the signals it sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QStackedWidget, QToolButton, QTreeWidget

from playground.store.models import Run, RunRecord, VersionInfo
from playground.ui.history import HistoryPanel
from playground.ui.history.chips import CHIPS_ROLE
from playground.ui.history.label_dialog import LabelDialog

# The offscreen platform says so whenever a window is shown; it is not a fault.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def version(
    number: int, message: str = "", labels: tuple[str, ...] = (), prompt_id: int = 1
) -> VersionInfo:
    return VersionInfo(
        id=100 * prompt_id + number,
        prompt_id=prompt_id,
        number=number,
        parent_number=number - 1 or None,
        hash=f"h{number}",
        message=message,
        created=stamp(T0 + timedelta(hours=number)),
        labels=labels,
    )


def run(
    run_id: int,
    number: int | None = 2,
    *,
    minutes: int = 0,
    status: str = "ok",
    output: str = "out",
    error: str | None = None,
) -> Run:
    record = RunRecord(
        prompt_id=1,
        version_id=None,
        content_hash="h",
        provider="openai",
        model="gpt-4o-mini",
        target_json="{}",
        request_json="{}",
        variables={},
        output=output,
        finish_reason="stop",
        tokens_in=1204,
        tokens_out=356,
        tokens_estimated=False,
        ttft_ms=310.0,
        total_ms=1234.0,
        cost=0.0031,
        status=status,  # type: ignore[arg-type]
        error=error,
    )
    return Run(
        id=run_id,
        created=stamp(T0 + timedelta(minutes=minutes)),
        record=record,
        version_number=number,
    )


VERSIONS = [
    version(1, "First try"),
    version(2, "", ("staging",)),
    version(3, "Shorter system prompt\nand a second line", ("prod", "review")),
]


@pytest.fixture
def panel(qtbot) -> HistoryPanel:
    widget = HistoryPanel()
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def tree(panel: HistoryPanel, name: str) -> QTreeWidget:
    found = panel.findChild(QTreeWidget, name)
    assert found is not None
    return found


def button(panel: HistoryPanel, name: str) -> QToolButton:
    found = panel.findChild(QToolButton, name)
    assert found is not None
    return found


def rows(view: QTreeWidget) -> list[list[str]]:
    return [
        [view.topLevelItem(r).text(c) for c in range(view.columnCount())]
        for r in range(view.topLevelItemCount())
    ]


def click_row(
    view: QTreeWidget, row: int, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    rect = view.visualItemRect(view.topLevelItem(row))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def double_click_row(view: QTreeWidget, row: int) -> None:
    rect = view.visualItemRect(view.topLevelItem(row))
    # An item view only takes a double click on the item the first click pressed.
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click(widget: QToolButton) -> None:
    assert widget.isEnabled(), f"{widget.objectName()} is disabled"
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def visible_page(panel: HistoryPanel, tree_name: str) -> object:
    stack = tree(panel, tree_name).parent()
    assert isinstance(stack, QStackedWidget)
    return stack.currentWidget()


# ---------------------------------------------------------------- versions


def test_versions_are_listed_newest_first_with_message_time_and_labels(panel) -> None:
    panel.set_versions(VERSIONS, current=2)
    view = tree(panel, "historyVersions")
    got = rows(view)
    assert [r[0] for r in got] == ["v3", "v2", "v1"]
    assert got[0][1] == "Shorter system prompt …"
    assert got[1][1] == "(no message)"
    assert got[2][1] == "First try"
    assert [r[3] for r in got] == ["prod, review", "staging", ""]
    assert got[2][2] == "20 Nov 2026 " + (T0 + timedelta(hours=1)).astimezone().strftime("%H:%M")
    # Full message and full time in tooltips.
    assert view.topLevelItem(0).toolTip(1) == "Shorter system prompt\nand a second line"
    assert "2026-11-20 10:30:00 UTC" in view.topLevelItem(2).toolTip(2)
    # The draft's base version is bold and carries a marker next to its labels.
    assert view.topLevelItem(1).font(0).weight() == QFont.Weight.Bold
    assert view.topLevelItem(0).font(0).weight() != QFont.Weight.Bold
    assert view.topLevelItem(1).data(3, CHIPS_ROLE) == [
        ("staging", "label"),
        ("draft based on this", "marker"),
    ]
    assert visible_page(panel, "historyVersions") is view


def test_empty_states(panel) -> None:
    panel.set_versions([])
    page = visible_page(panel, "historyVersions")
    assert isinstance(page, QLabel)
    assert page.text() == "No versions yet. Press Ctrl+S to save one."
    panel.set_versions(VERSIONS)
    click_row(tree(panel, "historyVersions"), 0)
    panel.set_runs([])
    runs_page = visible_page(panel, "historyRuns")
    assert isinstance(runs_page, QLabel)
    assert runs_page.text() == "No runs of this version yet."


def test_selecting_two_versions_and_compare_emits_older_first(panel, qtbot) -> None:
    panel.set_versions(VERSIONS)
    view = tree(panel, "historyVersions")
    compare = button(panel, "historyCompare")
    click_row(view, 0)  # v3
    assert not compare.isEnabled()
    click_row(view, 2, Qt.KeyboardModifier.ControlModifier)  # v1
    assert panel.selected_versions() == [1, 3]
    assert not button(panel, "historyRestore").isEnabled()
    with qtbot.waitSignal(panel.compare_requested, timeout=1000) as blocker:
        click(compare)
    assert blocker.args == [1, 3]


def test_restore_emits_the_selected_number(panel, qtbot) -> None:
    panel.set_versions(VERSIONS)
    restore = button(panel, "historyRestore")
    assert not restore.isEnabled()
    click_row(tree(panel, "historyVersions"), 1)
    with qtbot.waitSignal(panel.restore_requested, timeout=1000) as blocker:
        click(restore)
    assert blocker.args == [2]


def test_double_click_compares_with_the_version_before(panel, qtbot) -> None:
    panel.set_versions([VERSIONS[0], VERSIONS[2]])  # v2 was never listed: v3 follows v1
    view = tree(panel, "historyVersions")
    with qtbot.waitSignal(panel.compare_requested, timeout=1000) as blocker:
        double_click_row(view, 0)
    assert blocker.args == [1, 3]
    with qtbot.assertNotEmitted(panel.compare_requested):
        double_click_row(view, 1)  # v1 has nothing before it


def test_set_label_refuses_blank_names_then_emits(panel, qtbot) -> None:
    panel.set_versions(VERSIONS)
    click_row(tree(panel, "historyVersions"), 2)  # v1
    with qtbot.assertNotEmitted(panel.label_requested):
        click(button(panel, "historySetLabel"))
        dialog = panel.findChild(LabelDialog, "labelDialog")
        assert dialog is not None
        assert dialog.isVisible()
        # Existing labels are offered.
        items = [dialog.combo.itemText(i) for i in range(dialog.combo.count())]
        assert {"prod", "review", "staging"} <= set(items)
        dialog.combo.setEditText("   ")
        QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()
        assert dialog.error.isVisible()
        assert dialog.error.text() == "Type a label name, such as production."
        dialog.combo.setEditText("prod")
        assert not dialog.error.isVisible()  # typing clears the complaint
        assert dialog.hint.text() == "Moves “prod” from v3 to v1."
    with qtbot.waitSignal(panel.label_requested, timeout=1000) as blocker:
        QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [1, "prod"]
    assert not dialog.isVisible()


def test_set_label_refuses_a_label_already_on_that_version(panel, qtbot) -> None:
    panel.set_versions(VERSIONS)
    click_row(tree(panel, "historyVersions"), 0)  # v3 has prod
    click(button(panel, "historySetLabel"))
    dialog = panel.findChild(LabelDialog, "labelDialog")
    assert dialog is not None
    line_edit = dialog.combo.lineEdit()
    assert line_edit is not None
    QTest.keyClicks(line_edit, "prod")
    with qtbot.assertNotEmitted(panel.label_requested):
        QTest.keyClick(line_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error.text() == "“prod” already points at v3."
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_remove_label_offers_the_selected_versions_labels(panel, qtbot) -> None:
    panel.set_versions(VERSIONS)
    remove = button(panel, "historyRemoveLabel")
    view = tree(panel, "historyVersions")
    click_row(view, 2)  # v1 has no labels
    assert not remove.isEnabled()
    click_row(view, 0)  # v3
    assert remove.isEnabled()
    actions = panel.remove_label_menu.actions()
    assert [a.text() for a in actions] == ["prod", "review"]
    with qtbot.waitSignal(panel.label_remove_requested, timeout=1000) as blocker:
        actions[1].trigger()
    assert blocker.args == ["review"]


def test_version_selected_follows_the_selection(panel, qtbot) -> None:
    got: list[object] = []
    panel.version_selected.connect(got.append)
    panel.set_versions(VERSIONS)
    assert got == [None]  # nothing selected: the draft's runs
    view = tree(panel, "historyVersions")
    click_row(view, 1)
    assert got[-1] == 2
    click_row(view, 0, Qt.KeyboardModifier.ControlModifier)
    assert got[-1] == 3  # with two selected, the one clicked last
    count = len(got)
    click_row(view, 0, Qt.KeyboardModifier.ControlModifier)  # deselect v3 again
    assert got[count:] == [2]
    view.clearSelection()
    assert got[-1] is None


def test_set_versions_keeps_the_selection_and_asks_for_runs_again(panel) -> None:
    got: list[object] = []
    panel.set_versions(VERSIONS)
    click_row(tree(panel, "historyVersions"), 1)
    panel.version_selected.connect(got.append)
    panel.set_versions([*VERSIONS, version(4, "Newer")])
    assert panel.selected_versions() == [2]
    assert got == [2]  # so the runs list can be refreshed
    # Another prompt's versions: nothing of the old selection survives.
    panel.set_versions([version(2, "other", prompt_id=9)])
    assert panel.selected_versions() == []
    assert got[-1] is None


def test_clear_forgets_everything_without_signals(panel, qtbot) -> None:
    panel.set_versions(VERSIONS)
    click_row(tree(panel, "historyVersions"), 0)
    panel.set_runs([run(1)])
    with qtbot.assertNotEmitted(panel.version_selected):
        panel.clear()
    assert tree(panel, "historyVersions").topLevelItemCount() == 0
    assert tree(panel, "historyRuns").topLevelItemCount() == 0
    assert panel.selected_versions() == []


# ---------------------------------------------------------------- runs


def test_runs_show_metrics_and_double_click_opens_one(panel, qtbot) -> None:
    panel.set_versions(VERSIONS)
    click_row(tree(panel, "historyVersions"), 1)
    panel.set_runs(
        [
            run(8, minutes=5, status="error", error="The key was rejected."),
            run(7, minutes=1),
        ]
    )
    view = tree(panel, "historyRuns")
    got = rows(view)
    assert got[1][1:] == ["openai:gpt-4o-mini", "ok", "1,204 → 356", "1.2 s", "$0.0031"]
    assert got[0][2] == "error"
    assert view.topLevelItem(0).toolTip(2) == "The key was rejected."
    title = panel.findChild(QLabel, "historyRunsTitle")
    assert title is not None
    assert title.text() == "Runs of v2"
    with qtbot.waitSignal(panel.run_open_requested, timeout=1000) as blocker:
        double_click_row(view, 1)
    assert blocker.args == [7]


def test_open_in_pane_and_return_key_open_the_selected_run(panel, qtbot) -> None:
    panel.set_runs([run(5), run(6, minutes=1)])
    view = tree(panel, "historyRuns")
    click_row(view, 1)
    with qtbot.waitSignal(panel.run_open_requested, timeout=1000) as blocker:
        click(button(panel, "historyRunOpen"))
    assert blocker.args == [6]
    view.setFocus()
    with qtbot.waitSignal(panel.run_open_requested, timeout=1000) as blocker:
        QTest.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == [6]


def test_compare_outputs_emits_older_run_first(panel, qtbot) -> None:
    panel.set_runs([run(9, minutes=9), run(4, minutes=2), run(3, minutes=1)])
    view = tree(panel, "historyRuns")
    compare = button(panel, "historyRunsCompare")
    click_row(view, 2)  # run 3
    assert not compare.isEnabled()
    click_row(view, 0, Qt.KeyboardModifier.ControlModifier)  # run 9
    assert panel.selected_runs() == [3, 9]
    assert not button(panel, "historyRunOpen").isEnabled()
    with qtbot.waitSignal(panel.runs_compare_requested, timeout=1000) as blocker:
        click(compare)
    assert blocker.args == [3, 9]


def test_set_runs_keeps_selected_runs(panel) -> None:
    panel.set_runs([run(1), run(2, minutes=1)])
    click_row(tree(panel, "historyRuns"), 0)
    panel.set_runs([run(3, minutes=2), run(1), run(2, minutes=1)])
    assert panel.selected_runs() == [1]


def test_choosing_another_version_empties_the_runs_until_they_arrive(panel) -> None:
    panel.set_versions(VERSIONS)
    view = tree(panel, "historyVersions")
    click_row(view, 0)
    panel.set_runs([run(1, 3)])
    asked: list[object] = []
    panel.version_selected.connect(asked.append)
    click_row(view, 1)
    assert asked == [2]
    assert tree(panel, "historyRuns").topLevelItemCount() == 0


@pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))"
)
def test_context_menu_holds_the_version_actions(panel) -> None:
    panel.set_versions(VERSIONS)
    view = tree(panel, "historyVersions")
    click_row(view, 0)
    rect = view.visualItemRect(view.topLevelItem(0))
    view.customContextMenuRequested.emit(rect.center())
    menu = panel._version_menu
    assert menu.isVisible()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Restore", "Compare", "Set label…", "Remove label"]
    menu.close()
    view.customContextMenuRequested.emit(QPoint(5, rect.bottom() + 200))  # not on a row
    assert not menu.isVisible()
