"""The history of one prompt: its saved versions, their labels, and the runs of each version.

The panel shows what it is given and asks for everything else with signals:
the main window answers ``version_selected`` with :meth:`HistoryPanel.set_runs`,
and turns ``restore_requested``, ``label_requested`` and the compare signals
into store calls and diff windows.

Selecting versions drives the runs list below: with one version selected it
shows that version's runs; with several, the runs of the one last clicked;
with none, ``version_selected(None)`` asks for the runs of the draft.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.history.chips import ChipDelegate
from playground.ui.history.diff_text import diff_colors
from playground.ui.history.label_dialog import LabelDialog
from playground.ui.history.rows import (
    ID_ROLE,
    R_COST,
    R_LATENCY,
    R_MODEL,
    R_TOKENS,
    RUN_COLUMNS,
    V_LABELS,
    V_MESSAGE,
    VERSION_COLUMNS,
    action_button,
    empty_label,
    make_tree,
    run_item,
    version_item,
)
from playground.ui.icons import icon

if TYPE_CHECKING:
    from playground.store.models import Run, VersionInfo

__all__ = ["NO_RUNS", "NO_VERSIONS", "HistoryPanel"]

NO_VERSIONS = "No versions yet. Press Ctrl+S to save one."
NO_RUNS = "No runs of this version yet."
NO_DRAFT_RUNS = "No runs of this prompt yet."


class HistoryPanel(QWidget):
    """Versions (newest first) above, the runs of the selected version below."""

    restore_requested = Signal(int)
    label_requested = Signal(int, str)
    label_remove_requested = Signal(str)
    compare_requested = Signal(int, int)
    version_selected = Signal(object)
    run_open_requested = Signal(int)
    runs_compare_requested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._versions: list[VersionInfo] = []
        self._runs: list[Run] = []
        self._current: int | None = None
        self._prompt_id: int | None = None
        self._shown: int | None = None  # the version whose runs were last asked for
        self._label_dialog: LabelDialog | None = None

        # ---- actions
        self.restore_action = self._action(
            "Restore",
            "restore",
            "Replace the draft with the selected version",
            self._on_restore_action_triggered,
        )
        self.compare_action = self._action(
            "Compare",
            "diff",
            "Compare the two selected versions (double-click a version to compare it "
            "with the one before)",
            self._on_compare_action_triggered,
        )
        self.set_label_action = self._action(
            "Set label…",
            "label",
            "Point a label such as production at the selected version",
            self._on_set_label_action_triggered,
        )
        self.remove_label_menu = QMenu("Remove label", self)
        self.remove_label_menu.setObjectName("historyRemoveLabelMenu")
        self.remove_label_menu.setIcon(icon("remove"))
        self.remove_label_menu.setToolTip("Remove a label from the selected version")
        self.open_run_action = self._action(
            "Open in pane",
            "pane",
            "Show the selected run in a new output pane",
            self._on_open_run_action_triggered,
        )
        self.open_run_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.open_run_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.compare_runs_action = self._action(
            "Compare outputs",
            "diff",
            "Compare the outputs of the two selected runs word by word",
            self._on_compare_runs_action_triggered,
        )

        # ---- versions
        self._versions_tree = make_tree("historyVersions", VERSION_COLUMNS, V_MESSAGE)
        self._versions_tree.setItemDelegateForColumn(V_LABELS, ChipDelegate(self._versions_tree))
        self._versions_tree.setToolTip(
            "Double-click a version to compare it with the one before it"
        )
        self._versions_tree.itemSelectionChanged.connect(
            self._on_versions_tree_item_selection_changed
        )
        self._versions_tree.itemDoubleClicked.connect(self._on_versions_tree_item_double_clicked)
        self._versions_tree.customContextMenuRequested.connect(
            self._on_versions_tree_custom_context_menu_requested
        )
        self._versions_stack = QStackedWidget()
        self._versions_stack.addWidget(self._versions_tree)
        self._versions_stack.addWidget(empty_label("historyVersionsEmpty", NO_VERSIONS))

        remove_button = QToolButton()
        remove_button.setObjectName("historyRemoveLabel")
        remove_button.setText("Remove label")
        remove_button.setIcon(icon("remove"))
        remove_button.setToolTip("Remove a label from the selected version")
        remove_button.setMenu(self.remove_label_menu)
        remove_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        remove_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._remove_label_button = remove_button

        self._version_menu = QMenu(self)
        self._version_menu.setObjectName("historyVersionMenu")
        self._version_menu.addAction(self.restore_action)
        self._version_menu.addAction(self.compare_action)
        self._version_menu.addSeparator()
        self._version_menu.addAction(self.set_label_action)
        self._version_menu.addMenu(self.remove_label_menu)

        version_bar = QHBoxLayout()
        version_bar.setContentsMargins(0, 0, 0, 0)
        version_bar.addWidget(action_button(self.restore_action, "historyRestore"))
        version_bar.addWidget(action_button(self.compare_action, "historyCompare"))
        version_bar.addWidget(action_button(self.set_label_action, "historySetLabel"))
        version_bar.addWidget(remove_button)
        version_bar.addStretch(1)

        versions_title = QLabel("Versions")
        versions_title.setObjectName("historyVersionsTitle")
        versions_box = QWidget()
        versions_layout = QVBoxLayout(versions_box)
        versions_layout.setContentsMargins(0, 0, 0, 0)
        versions_layout.addWidget(versions_title)
        versions_layout.addWidget(self._versions_stack, 1)
        versions_layout.addLayout(version_bar)

        # ---- runs
        self._runs_tree = make_tree("historyRuns", RUN_COLUMNS, R_MODEL)
        for column in (R_TOKENS, R_LATENCY, R_COST):
            self._runs_tree.headerItem().setTextAlignment(
                column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        self._runs_tree.setToolTip("Double-click a run to open it in a pane")
        self._runs_tree.addAction(self.open_run_action)  # Return opens the current run
        self._runs_tree.itemSelectionChanged.connect(self._on_runs_tree_item_selection_changed)
        self._runs_tree.itemDoubleClicked.connect(self._on_runs_tree_item_double_clicked)
        self._runs_tree.customContextMenuRequested.connect(
            self._on_runs_tree_custom_context_menu_requested
        )
        self._runs_empty = empty_label("historyRunsEmpty", NO_DRAFT_RUNS)
        self._runs_stack = QStackedWidget()
        self._runs_stack.addWidget(self._runs_tree)
        self._runs_stack.addWidget(self._runs_empty)

        self._run_menu = QMenu(self)
        self._run_menu.setObjectName("historyRunMenu")
        self._run_menu.addAction(self.open_run_action)
        self._run_menu.addAction(self.compare_runs_action)

        run_bar = QHBoxLayout()
        run_bar.setContentsMargins(0, 0, 0, 0)
        run_bar.addWidget(action_button(self.open_run_action, "historyRunOpen"))
        run_bar.addWidget(action_button(self.compare_runs_action, "historyRunsCompare"))
        run_bar.addStretch(1)

        self._runs_title = QLabel()
        self._runs_title.setObjectName("historyRunsTitle")
        runs_box = QWidget()
        runs_layout = QVBoxLayout(runs_box)
        runs_layout.setContentsMargins(0, 0, 0, 0)
        runs_layout.addWidget(self._runs_title)
        runs_layout.addWidget(self._runs_stack, 1)
        runs_layout.addLayout(run_bar)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("historySplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(versions_box)
        splitter.addWidget(runs_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self._rebuild_versions()
        self._rebuild_runs()

    def _action(self, text: str, icon_name: str, tip: str, slot: Callable[[], None]) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    # ------------------------------------------------------------ public

    def set_versions(self, versions: Sequence[VersionInfo], *, current: int | None = None) -> None:
        """Show ``versions`` (any order; listed newest first), marking ``current``,
        the version the draft is based on.

        The selection is kept for the versions still listed (it is dropped when
        the versions belong to another prompt), and ``version_selected`` is
        emitted afterwards, so the runs list can be refreshed.
        """
        prompt_id = versions[0].prompt_id if versions else self._prompt_id
        same_prompt = prompt_id == self._prompt_id
        keep = set(self.selected_versions()) if same_prompt else set()
        focused = self._item_number(self._versions_tree.currentItem()) if same_prompt else None
        self._versions = sorted(versions, key=lambda v: v.number, reverse=True)
        self._current = current
        self._prompt_id = prompt_id
        if not same_prompt:
            self._shown = None
        self._rebuild_versions(keep, focused)
        dialog = self._label_dialog
        if dialog is not None and (
            not same_prompt or all(v.number != dialog.number for v in self._versions)
        ):
            dialog.reject()
        self._announce_version(always=True)

    def set_runs(self, runs: Sequence[Run]) -> None:
        """Show ``runs`` (the answer to ``version_selected``), keeping the selected ones."""
        self._runs = list(runs)
        self._rebuild_runs(set(self.selected_runs()))

    def selected_versions(self) -> list[int]:
        """The selected version numbers, oldest first."""
        numbers = (self._item_number(item) for item in self._versions_tree.selectedItems())
        return sorted(n for n in numbers if n is not None)

    def selected_runs(self) -> list[int]:
        """The selected run ids, oldest first."""
        ids = {self._item_number(item) for item in self._runs_tree.selectedItems()}
        return [run.id for run in self._runs_by_age() if run.id in ids]

    def clear(self) -> None:
        """Forget the prompt: no versions, no runs, no selection (no signal is emitted)."""
        if self._label_dialog is not None:
            self._label_dialog.reject()
        self._versions = []
        self._runs = []
        self._current = None
        self._prompt_id = None
        self._shown = None
        self._rebuild_versions()
        self._rebuild_runs()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the dimmed text colour follows
            current = self._item_number(self._versions_tree.currentItem())
            self._rebuild_versions(set(self.selected_versions()), current)

    # ------------------------------------------------------------ building

    @staticmethod
    def _item_number(item: QTreeWidgetItem | None) -> int | None:
        if item is None:
            return None
        value = item.data(0, ID_ROLE)
        return value if isinstance(value, int) else None

    def _rebuild_versions(self, keep: set[int] | None = None, focused: int | None = None) -> None:
        tree = self._versions_tree
        dim = diff_colors(self.palette()).dim
        with QSignalBlocker(tree):
            tree.clear()
            focus_item: QTreeWidgetItem | None = None
            for version in self._versions:
                item = version_item(version, self._current, dim)
                tree.addTopLevelItem(item)
                if keep and version.number in keep:
                    item.setSelected(True)
                if version.number == focused:
                    focus_item = item
            if focus_item is not None:
                tree.setCurrentItem(focus_item, 0, tree.selectionModel().SelectionFlag.NoUpdate)
        self._versions_stack.setCurrentIndex(0 if self._versions else 1)
        self._update_version_actions()

    def _runs_by_age(self) -> list[Run]:
        return sorted(self._runs, key=lambda run: (run.created, run.id))

    def _rebuild_runs(self, keep: set[int] | None = None) -> None:
        tree = self._runs_tree
        with QSignalBlocker(tree):
            tree.clear()
            for run in self._runs:
                item = run_item(run)
                tree.addTopLevelItem(item)
                if keep and run.id in keep:
                    item.setSelected(True)
        self._runs_title.setText(
            "All runs of this prompt" if self._shown is None else f"Runs of v{self._shown}"
        )
        self._runs_empty.setText(NO_DRAFT_RUNS if self._shown is None else NO_RUNS)
        self._runs_stack.setCurrentIndex(0 if self._runs else 1)
        self._update_run_actions()

    # ------------------------------------------------------------ state

    def _update_version_actions(self) -> None:
        selected = self.selected_versions()
        self.restore_action.setEnabled(len(selected) == 1)
        self.compare_action.setEnabled(len(selected) == 2)
        self.set_label_action.setEnabled(len(selected) == 1)
        self.remove_label_menu.clear()
        labels: tuple[str, ...] = ()
        if len(selected) == 1:
            labels = next((v.labels for v in self._versions if v.number == selected[0]), ())
        for label in labels:
            action = self.remove_label_menu.addAction(icon("label"), label)
            action.setObjectName(f"historyRemoveLabel:{label}")
            action.setData(label)
            action.triggered.connect(self._on_remove_label_action_triggered)
        self.remove_label_menu.setEnabled(bool(labels))
        self._remove_label_button.setEnabled(bool(labels))

    def _update_run_actions(self) -> None:
        count = len(self._runs_tree.selectedItems())
        self.open_run_action.setEnabled(count == 1)
        self.compare_runs_action.setEnabled(count == 2)

    def _effective_version(self) -> int | None:
        items = self._versions_tree.selectedItems()
        if not items:
            return None
        current = self._versions_tree.currentItem()
        item = current if current is not None and current.isSelected() else items[0]
        return self._item_number(item)

    def _announce_version(self, *, always: bool = False) -> None:
        number = self._effective_version()
        if number == self._shown and not always:
            return
        if number != self._shown:
            self._shown = number
            self._runs = []  # stale until the answer to version_selected arrives
            self._rebuild_runs()
        self.version_selected.emit(number)

    def _label_map(self) -> dict[str, int]:
        return {label: v.number for v in self._versions for label in v.labels}

    # ------------------------------------------------------------ slots: versions

    def _on_versions_tree_item_selection_changed(self) -> None:
        self._update_version_actions()
        self._announce_version()

    def _on_versions_tree_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        number = self._item_number(item)
        if number is None:
            return
        older = [v.number for v in self._versions if v.number < number]
        if older:
            self.compare_requested.emit(max(older), number)

    def _on_versions_tree_custom_context_menu_requested(self, point: QPoint) -> None:
        if self._versions_tree.itemAt(point) is None:
            return
        self._version_menu.popup(self._versions_tree.viewport().mapToGlobal(point))

    def _on_restore_action_triggered(self) -> None:
        selected = self.selected_versions()
        if len(selected) == 1:
            self.restore_requested.emit(selected[0])

    def _on_compare_action_triggered(self) -> None:
        selected = self.selected_versions()
        if len(selected) == 2:
            self.compare_requested.emit(selected[0], selected[1])

    def _on_set_label_action_triggered(self) -> None:
        selected = self.selected_versions()
        if len(selected) != 1:
            return
        if self._label_dialog is not None:
            self._label_dialog.reject()
        dialog = LabelDialog(selected[0], self._label_map(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(self._on_label_dialog_accepted)
        dialog.finished.connect(self._on_label_dialog_finished)
        self._label_dialog = dialog
        dialog.open()

    def _on_label_dialog_accepted(self) -> None:
        dialog = self._label_dialog
        if dialog is not None:
            self.label_requested.emit(dialog.number, dialog.label())

    def _on_label_dialog_finished(self, _result: int) -> None:
        self._label_dialog = None

    def _on_remove_label_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and isinstance(action.data(), str):
            self.label_remove_requested.emit(action.data())

    # ------------------------------------------------------------ slots: runs

    def _on_runs_tree_item_selection_changed(self) -> None:
        self._update_run_actions()

    def _on_runs_tree_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        run_id = self._item_number(item)
        if run_id is not None:
            self.run_open_requested.emit(run_id)

    def _on_runs_tree_custom_context_menu_requested(self, point: QPoint) -> None:
        if self._runs_tree.itemAt(point) is None:
            return
        self._run_menu.popup(self._runs_tree.viewport().mapToGlobal(point))

    def _on_open_run_action_triggered(self) -> None:
        selected = self.selected_runs()
        if len(selected) == 1:
            self.run_open_requested.emit(selected[0])

    def _on_compare_runs_action_triggered(self) -> None:
        selected = self.selected_runs()
        if len(selected) == 2:
            self.runs_compare_requested.emit(selected[0], selected[1])
