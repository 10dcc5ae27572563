"""Two versions of a prompt side by side: what each changed field said before and after.

Only changed fields are shown, each under a header naming the field and how
it changed. Lines of a multi-line field are aligned (difflib on lines), and
the shorter side is padded with blank filler rows, so row *n* on the left
always faces row *n* on the right and the two sides scroll row for row.
Within a changed line the words that differ are marked (``word_diff``);
long runs of unchanged lines fold into "⋯ 12 unchanged lines".
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from playground.core.diff import FieldChange, diff_documents, word_diff
from playground.core.document import PromptDocument
from playground.ui.history.diff_text import (
    DiffLine,
    DiffSide,
    LineKind,
    ScrollLink,
    SpanKind,
    diff_colors,
    render_lines,
)

__all__ = ["CONTEXT_LINES", "DocumentDiffView", "document_rows", "summary_text"]

#: Unchanged lines kept around a change before the rest is folded away.
CONTEXT_LINES = 3
#: A changed line pair longer than this (in characters) is marked as a whole
#: line, not word by word: ``word_diff`` of long, repetitive lines takes
#: seconds, and this view is drawn on the GUI thread.
WORD_DIFF_LIMIT = 4_000

Rows = tuple[list[DiffLine], list[DiffLine]]


def summary_text(changes: Sequence[FieldChange]) -> str:
    if not changes:
        return "No differences."
    return f"{len(changes)} field{'s' if len(changes) != 1 else ''} changed"


def _lines(value: str) -> tuple[list[str], bool]:
    """The lines of a field (none when it is empty), and whether it ends with a line break."""
    if not value:
        return [], False
    if value.endswith("\n"):
        return value[:-1].split("\n"), True
    return value.split("\n"), False


def _filler(count: int, note: str = "") -> list[DiffLine]:
    rows = [DiffLine("filler") for _ in range(count)]
    if rows and note:
        rows[0] = DiffLine("filler", ((note, "dim"),))
    return rows


def _whole(line_kind: LineKind, lines: Sequence[str]) -> list[DiffLine]:
    return [DiffLine(line_kind, ((line, "plain"),)) for line in lines]


def _paired(old: str, new: str) -> tuple[DiffLine, DiffLine]:
    """A changed line facing its new form, the words that differ marked on each side."""
    if len(old) + len(new) > WORD_DIFF_LIMIT:
        return DiffLine("removed", ((old, "plain"),)), DiffLine("added", ((new, "plain"),))
    left: list[tuple[str, SpanKind]] = []
    right: list[tuple[str, SpanKind]] = []
    for op in word_diff(old, new):
        if op.op == "equal":
            left.append((op.text, "plain"))
            right.append((op.text, "plain"))
        elif op.op == "delete":
            left.append((op.text, "removed"))
        else:
            right.append((op.text, "added"))
    return DiffLine("removed", tuple(left)), DiffLine("added", tuple(right))


def _context(lines: Sequence[str], first: bool, last: bool) -> list[DiffLine]:
    """Unchanged lines, dimmed, with the middle of a long run folded away."""
    head = 0 if first else CONTEXT_LINES
    tail = 0 if last else CONTEXT_LINES
    if first and last:
        head = tail = CONTEXT_LINES  # nothing changed in the lines themselves
    if len(lines) <= head + tail + 1:
        return [DiffLine("context", ((line, "dim"),)) for line in lines]
    hidden = len(lines) - head - tail
    folded = DiffLine("gap", ((f"⋯ {hidden} unchanged line{'s' if hidden != 1 else ''}", "dim"),))
    rows = [DiffLine("context", ((line, "dim"),)) for line in lines[:head]]
    rows.append(folded)
    rows += [DiffLine("context", ((line, "dim"),)) for line in lines[len(lines) - tail :]]
    return rows


def _changed_rows(before: str, after: str) -> Rows:
    old, old_break = _lines(before)
    new, new_break = _lines(after)
    left: list[DiffLine] = []
    right: list[DiffLine] = []
    if old == new:  # only the final line break differs
        note = DiffLine("gap", (("(only a line break at the end differs)", "dim"),))
        rows = _context(old, True, True)
        left += [*rows, note]
        right += [*rows, note]
        left.append(DiffLine("removed" if old_break else "filler", (("⏎", "dim"),)))
        right.append(DiffLine("added" if new_break else "filler", (("⏎", "dim"),)))
        return left, right
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows = _context(old[i1:i2], index == 0, index == len(opcodes) - 1)
            left += rows
            right += rows
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            a, b = _paired(old[i1 + k], new[j1 + k])
            left.append(a)
            right.append(b)
        extra_old = old[i1 + paired : i2]
        extra_new = new[j1 + paired : j2]
        left += _whole("removed", extra_old)
        right += _filler(len(extra_old), "(empty)" if not new else "")
        left += _filler(len(extra_new), "(empty)" if not old else "")
        right += _whole("added", extra_new)
    return left, right


def _change_rows(change: FieldChange) -> Rows:
    header = DiffLine("header", ((f"{change.field} — {change.kind}", "header"),))
    left = [header]
    right = [header]
    if change.kind == "added":
        lines, _ = _lines(change.after)
        shown = _whole("added", lines) or [DiffLine("added", (("(empty)", "dim"),))]
        left += _filler(len(shown), "(not present)")
        right += shown
    elif change.kind == "removed":
        lines, _ = _lines(change.before)
        shown = _whole("removed", lines) or [DiffLine("removed", (("(empty)", "dim"),))]
        left += shown
        right += _filler(len(shown), "(not present)")
    else:
        old_rows, new_rows = _changed_rows(change.before, change.after)
        left += old_rows
        right += new_rows
    return left, right


def document_rows(changes: Sequence[FieldChange]) -> Rows:
    """The rows of the old and the new side, the same number on each."""
    left: list[DiffLine] = []
    right: list[DiffLine] = []
    for index, change in enumerate(changes):
        if index:
            left.append(DiffLine("blank"))
            right.append(DiffLine("blank"))
        old_rows, new_rows = _change_rows(change)
        left += old_rows
        right += new_rows
    return left, right


class DocumentDiffView(QWidget):
    """The changed fields of two prompt documents, old on the left and new on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._changes: list[FieldChange] = []
        self._rendering = False

        self._summary = QLabel()
        self._summary.setObjectName("documentDiffSummary")
        self._old_title = QLabel()
        self._old_title.setObjectName("documentDiffOldTitle")
        self._new_title = QLabel()
        self._new_title.setObjectName("documentDiffNewTitle")
        for title in (self._old_title, self._new_title):
            title.setTextFormat(Qt.TextFormat.PlainText)
            font = title.font()
            font.setBold(True)
            title.setFont(font)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._old = DiffSide()
        self._old.setObjectName("documentDiffOld")
        self._new = DiffSide()
        self._new.setObjectName("documentDiffNew")
        for side in (self._old, self._new):
            side.setFont(fixed)
        self._link = ScrollLink(self._old, self._new)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        for title, side in ((self._old_title, self._old), (self._new_title, self._new)):
            column = QWidget()
            column_layout = QVBoxLayout(column)
            column_layout.setContentsMargins(0, 0, 0, 0)
            column_layout.addWidget(title)
            column_layout.addWidget(side)
            splitter.addWidget(column)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._summary)
        layout.addWidget(splitter, 1)

    def set_documents(
        self, old_title: str, old: PromptDocument, new_title: str, new: PromptDocument
    ) -> None:
        """Compare ``old`` with ``new`` and show the fields that changed."""
        self._changes = diff_documents(old, new)
        self._old_title.setText(old_title)
        self._new_title.setText(new_title)
        self._summary.setText(summary_text(self._changes))
        self._render()

    def changes(self) -> list[FieldChange]:
        """The changes now shown, as ``diff_documents`` listed them."""
        return list(self._changes)

    def old_side(self) -> DiffSide:
        return self._old

    def new_side(self) -> DiffSide:
        return self._new

    def _render(self) -> None:
        self._rendering = True
        try:
            colors = diff_colors(self.palette())
            left, right = document_rows(self._changes)
            render_lines(self._old, left, colors)
            render_lines(self._new, right, colors)
        finally:
            self._rendering = False

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._rendering:
            self._render()
