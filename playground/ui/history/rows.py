"""The rows and lists of the history panel: how a version or a run reads in its list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QToolButton, QTreeWidget, QTreeWidgetItem

from playground.ui.history.chips import CHIPS_ROLE, ChipStyle
from playground.ui.history.formatting import (
    format_cost,
    format_latency,
    format_tokens,
    full_time,
    short_time,
)
from playground.ui.icons import icon

if TYPE_CHECKING:
    from playground.store.models import Run, VersionInfo

__all__ = [
    "DRAFT_BASE",
    "ID_ROLE",
    "RUN_COLUMNS",
    "R_COST",
    "R_LATENCY",
    "R_MODEL",
    "R_STATUS",
    "R_TIME",
    "R_TOKENS",
    "VERSION_COLUMNS",
    "V_LABELS",
    "V_MESSAGE",
    "V_NUMBER",
    "V_TIME",
    "action_button",
    "empty_label",
    "make_tree",
    "run_item",
    "version_item",
]

#: The marker next to the labels of the version the draft is based on.
DRAFT_BASE = "draft based on this"
ID_ROLE = int(Qt.ItemDataRole.UserRole)

VERSION_COLUMNS = ("#", "Message", "Saved", "Labels")
V_NUMBER, V_MESSAGE, V_TIME, V_LABELS = range(4)
RUN_COLUMNS = ("Time", "Model", "Status", "Tokens", "Latency", "Cost")
R_TIME, R_MODEL, R_STATUS, R_TOKENS, R_LATENCY, R_COST = range(6)

_STATUS_ICONS = {"ok": "ok", "error": "error", "cancelled": "stop"}


def make_tree(name: str, columns: Sequence[str], stretch: int) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setObjectName(name)
    tree.setColumnCount(len(columns))
    tree.setHeaderLabels(list(columns))
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAllColumnsShowFocus(True)
    tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
    tree.setSelectionBehavior(QTreeWidget.SelectionBehavior.SelectRows)
    tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header = tree.header()
    header.setStretchLastSection(False)
    for column in range(len(columns)):
        mode = QHeaderView.ResizeMode.Stretch if column == stretch else None
        header.setSectionResizeMode(column, mode or QHeaderView.ResizeMode.ResizeToContents)
    return tree


def empty_label(name: str, text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setEnabled(False)  # drawn in the palette's disabled (dimmed) text colour
    return label


def action_button(action: QAction, name: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


def version_item(version: VersionInfo, current: int | None, dim: QColor) -> QTreeWidgetItem:
    """A row of the versions list; ``current`` is the draft's base version."""
    message = version.message.strip()
    first_line = message.splitlines()[0] if message else ""
    if message and first_line != message:
        first_line += " …"
    item = QTreeWidgetItem(
        [
            f"v{version.number}",
            first_line or "(no message)",
            short_time(version.created),
            ", ".join(version.labels),
        ]
    )
    item.setData(0, ID_ROLE, version.number)
    item.setTextAlignment(V_NUMBER, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    item.setToolTip(V_MESSAGE, message or "This version was saved without a message.")
    item.setToolTip(V_TIME, full_time(version.created))
    if not message:
        item.setForeground(V_MESSAGE, QBrush(dim))
        font = item.font(V_MESSAGE)
        font.setItalic(True)
        item.setFont(V_MESSAGE, font)
    chips: list[tuple[str, ChipStyle]] = [(label, "label") for label in version.labels]
    tips = [f"Labels: {', '.join(version.labels)}"] if version.labels else []
    if version.number == current:
        chips.append((DRAFT_BASE, "marker"))
        tips.append("The draft you are editing is based on this version.")
        for column in range(len(VERSION_COLUMNS)):
            font = item.font(column)
            font.setWeight(QFont.Weight.Bold)
            item.setFont(column, font)
        item.setToolTip(V_NUMBER, f"v{version.number}: the draft is based on this version")
    item.setData(V_LABELS, CHIPS_ROLE, chips)
    if tips:
        item.setToolTip(V_LABELS, "\n".join(tips))
    return item


def run_item(run: Run) -> QTreeWidgetItem:
    """A row of the runs list."""
    record = run.record
    item = QTreeWidgetItem(
        [
            short_time(run.created),
            f"{record.provider}:{record.model}",
            record.status,
            format_tokens(record.tokens_in, record.tokens_out, record.tokens_estimated),
            format_latency(record.total_ms),
            format_cost(record.cost),
        ]
    )
    item.setData(0, ID_ROLE, run.id)
    for column in (R_TOKENS, R_LATENCY, R_COST):
        item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    item.setToolTip(R_TIME, f"Run #{run.id}, {full_time(run.created)}")
    item.setIcon(R_STATUS, icon(_STATUS_ICONS.get(record.status, "warning")))
    if record.status == "error" and record.error:
        item.setToolTip(R_STATUS, record.error)
    elif record.status == "cancelled":
        item.setToolTip(R_STATUS, "Stopped before the model finished")
    elif record.finish_reason:
        item.setToolTip(R_STATUS, f"Finished: {record.finish_reason}")
    tokens_tip = "Tokens in → out"
    if record.tokens_estimated:
        tokens_tip += " (estimated: the provider did not report them)"
    item.setToolTip(R_TOKENS, tokens_tip)
    latency_tip = f"Total {format_latency(record.total_ms)}"
    if record.ttft_ms is not None:
        latency_tip = f"First token after {format_latency(record.ttft_ms)}; " + latency_tip
    item.setToolTip(R_LATENCY, latency_tip)
    if record.cost is None:
        item.setToolTip(R_COST, "No price known for this model")
    return item
