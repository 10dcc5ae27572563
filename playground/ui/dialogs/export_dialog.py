"""File → Export: pick a format and a target, see the files live, copy or save them.

The dialog shows what an :class:`~playground.ui.controllers.export.ExportController`
hands it and nothing else: it never touches the store or the export
modules itself. Every change of a control re-renders the preview after a
short pause (so a burst of clicks costs one export), the warnings say what
the chosen format cannot carry, and "Save as…" writes exactly the files on
show. A format that cannot export the prompt says why in the preview area.

The preview is coloured with pygments through :class:`PreviewHighlighter`,
which lexes a whole file at once (a Python triple-quoted prompt is one
string, not a line of code per line) and paints it a line at a time, in the
same light and dark styles as code blocks in model output. pygments is
imported when the first preview is coloured, not when the app starts.
"""

from __future__ import annotations

import bisect
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFontDatabase,
    QGuiApplication,
    QPalette,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.ui.controllers.export import (
    ExportController,
    ExportPreview,
    ExportSettings,
    FormatChoice,
    file_filter,
)
from playground.ui.dialogs.settings import ErrorLabel
from playground.ui.highlight import (
    MAX_HIGHLIGHTED_LINE,
    CodeBlockHighlighter,
    LineHighlighter,
    make_lexer,
    token_format,
)

if TYPE_CHECKING:
    from pygments.token import _TokenType

__all__ = ["MAX_COLOURED_CHARS", "PREVIEW_DELAY_MS", "ExportDialog", "PreviewHighlighter"]

log = logging.getLogger("playground.ui")

#: Controls re-render the preview this long after the last change.
PREVIEW_DELAY_MS = 100
#: Files longer than this are shown plain: lexing them would hold up the GUI.
MAX_COLOURED_CHARS = 400_000

_FORMAT_ROLE = Qt.ItemDataRole.UserRole
_KIND_TITLES = {"code": "Code", "file": "Prompt files"}
_LOSSLESS = "Nothing is lost: this format carries everything in the prompt."


# ---------------------------------------------------------------- highlighting

#: One file's colours: per line, (start, end, token type) in Python indices.
_Runs = list[list[tuple[int, int, "_TokenType"]]]


def lex_lines(text: str, lexer_name: str) -> _Runs:
    """Lex ``text`` whole with the pygments lexer ``lexer_name``, split into lines."""
    starts = [0]
    newline = text.find("\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = text.find("\n", newline + 1)
    runs: _Runs = [[] for _ in starts]
    lexer = make_lexer(lexer_name)
    for index, token, value in lexer.get_tokens_unprocessed(text):
        pos, end = index, index + len(value)
        line = bisect.bisect_right(starts, pos) - 1
        # A token may span lines (a multi-line string): each line gets its part.
        while pos < end:
            line_end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
            part_end = min(end, line_end)
            if part_end > pos:
                runs[line].append((pos - starts[line], part_end - starts[line], token))
            if end <= line_end + 1:
                break
            line += 1
            pos = starts[line]
    return runs


class PreviewHighlighter(LineHighlighter):
    """Colours a read-only file lexed whole by :func:`lex_lines`.

    Call :meth:`set_source` with the text before putting it in the document.
    A line whose text differs from what was lexed stays plain, so the colours
    can never land in the wrong place.
    """

    def __init__(self, parent: QTextDocument | QObject, palette: QPalette | None = None) -> None:
        self._lines: list[str] = []
        self._runs: _Runs = []
        super().__init__(parent, palette)

    def _build_formats(self) -> None:
        styles = CodeBlockHighlighter
        self.style_name = styles.DARK_STYLE if self.dark else styles.LIGHT_STYLE

    def set_source(self, text: str, lexer_name: str) -> None:
        """Lex ``text`` for the next highlight; an empty lexer name means plain text."""
        self._lines, self._runs = [], []
        if not lexer_name or len(text) > MAX_COLOURED_CHARS:
            return
        try:
            self._runs = lex_lines(text, lexer_name)
        except Exception:  # a lexer bug must not stop the preview: it is shown plain
            log.warning("could not colour the export preview", exc_info=True)
            return
        self._lines = text.split("\n")

    def highlightBlock(self, text: str) -> None:
        number = self.currentBlock().blockNumber()
        if number >= len(self._runs) or self._lines[number] != text:
            return
        if len(text) > MAX_HIGHLIGHTED_LINE:
            return  # laying out a huge formatted line is slow, and nobody reads it as code
        self._begin_line(text)
        for start, end, token in self._runs[number]:
            fmt = token_format(self.style_name, token)
            if fmt is not None:
                self._paint(start, end, fmt)


# ---------------------------------------------------------------- the dialog


def _combo(name: str, items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # prompt and file names are never HTML
    label.setWordWrap(True)
    return label


class ExportDialog(QDialog):
    """Non-modal; ``saved`` carries a sentence for the status bar after a save."""

    saved = Signal(str)

    def __init__(
        self,
        controller: ExportController,
        parent: QWidget | None = None,
        *,
        format_id: str | None = None,
        version: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(f"Export “{controller.name}”")
        self._controller = controller
        self._preview = ExportPreview(ExportSettings(format_id or ""))
        self._shown_file = ""
        self._building = True

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

        self._build()
        self._fill_sources(version)
        self._fill_formats(format_id or controller.suggested_format(self.version()))
        self._fill_targets()
        self._update_controls()
        self._building = False
        self.refresh()
        self.resize(1040, 680)

    # ------------------------------------------------------------ building

    def _build(self) -> None:
        self.source_combo = _combo("exportSource", [])
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("exportFormat")
        self.target_combo = _combo("exportTarget", [])
        self.target_note = _label("exportTargetNote")
        self.target_note.setEnabled(False)  # drawn dimmed: a remark, not a control

        self.variables_combo = _combo(
            "exportVariables",
            [("Inline the current values", "inline"), ("As function parameters", "parameters")],
        )
        self.stream_check = QCheckBox("Stream the response")
        self.stream_check.setObjectName("exportStream")
        self.examples_combo = _combo(
            "exportExamples",
            [("As conversation turns", "turns"), ("Flattened into the prompt", "flattened")],
        )
        self.code_box = QGroupBox("Code")
        self.code_box.setObjectName("exportCodeOptions")
        code_form = QFormLayout(self.code_box)
        code_form.addRow("Variables", self.variables_combo)
        code_form.addRow("Examples", self.examples_combo)
        code_form.addRow(self.stream_check)
        self.history_check = QCheckBox("Include the version history")
        self.history_check.setObjectName("exportHistory")

        self.warnings_title = _label("exportWarningsTitle")
        font = self.warnings_title.font()
        font.setBold(True)
        self.warnings_title.setFont(font)
        self.warnings_label = _label("exportWarnings")
        self.warnings_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Export", self.source_combo)
        form.addRow("Format", self.format_combo)
        form.addRow("Target", self.target_combo)
        form.addRow("", self.target_note)
        controls = QWidget()
        column = QVBoxLayout(controls)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.code_box)
        column.addWidget(self.history_check)
        column.addSpacing(8)
        column.addWidget(self.warnings_title)
        column.addWidget(self.warnings_label)
        column.addStretch()

        self.file_tabs = QTabBar()
        self.file_tabs.setObjectName("exportFiles")
        self.file_tabs.setExpanding(False)
        self.files_note = _label("exportFilesNote")
        self.preview_edit = QPlainTextEdit()
        self.preview_edit.setObjectName("exportPreview")
        self.preview_edit.setReadOnly(True)
        self.preview_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PreviewHighlighter(self.preview_edit.document(), self.palette())
        preview = QWidget()
        preview_column = QVBoxLayout(preview)
        preview_column.setContentsMargins(0, 0, 0, 0)
        preview_column.setSpacing(2)
        preview_column.addWidget(self.file_tabs)
        preview_column.addWidget(self.preview_edit, 1)
        preview_column.addWidget(self.files_note)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(controls)
        splitter.addWidget(preview)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 720])

        self.error_label = ErrorLabel("exportError")
        self.status_label = _label("exportStatus")
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setObjectName("exportCopy")
        self.copy_button.setToolTip("Copy the file shown to the clipboard")
        self.save_button = QPushButton("&Save as…")
        self.save_button.setObjectName("exportSave")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.status_label, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(row)

        self.source_combo.currentIndexChanged.connect(self._on_source_combo_current_index_changed)
        self.format_combo.currentIndexChanged.connect(self._on_format_combo_current_index_changed)
        self.target_combo.currentIndexChanged.connect(self._on_option_changed)
        self.variables_combo.currentIndexChanged.connect(self._on_option_changed)
        self.examples_combo.currentIndexChanged.connect(self._on_option_changed)
        self.stream_check.toggled.connect(self._on_option_changed)
        self.history_check.toggled.connect(self._on_option_changed)
        self.file_tabs.currentChanged.connect(self._on_file_tabs_current_changed)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)

    def _fill_sources(self, version: int | None) -> None:
        for choice in self._controller.sources():
            self.source_combo.addItem(choice.label, choice.version)
        index = self.source_combo.findData(version)
        self.source_combo.setCurrentIndex(max(index, 0))
        self.source_combo.setEnabled(self.source_combo.count() > 1)

    def _fill_formats(self, selected: str) -> None:
        model = QStandardItemModel(self.format_combo)
        by_kind: dict[str, list[FormatChoice]] = {}
        for choice in self._controller.formats():
            by_kind.setdefault(choice.kind, []).append(choice)
        for kind, choices in by_kind.items():
            header = QStandardItem(_KIND_TITLES.get(kind, kind.title()))
            header.setFlags(Qt.ItemFlag.NoItemFlags)  # a heading: cannot be chosen
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            model.appendRow(header)
            for choice in choices:
                item = QStandardItem(f"    {choice.label}")
                item.setData(choice.id, _FORMAT_ROLE)
                item.setToolTip(choice.id)
                model.appendRow(item)
        self.format_combo.setModel(model)
        index = self.format_combo.findData(selected, _FORMAT_ROLE)
        if index < 0:
            index = next(
                i for i in range(model.rowCount()) if self.format_combo.itemData(i, _FORMAT_ROLE)
            )
        self.format_combo.setCurrentIndex(index)

    def _fill_targets(self) -> None:
        previous = self.target_combo.currentData()
        with QSignalBlocker(self.target_combo):
            self.target_combo.clear()
            for choice in self._controller.targets(self.version()):
                self.target_combo.addItem(choice.label, choice.index)
            if self.target_combo.count() == 0:
                self.target_combo.addItem("No targets: add a pane with a model", None)
            index = self.target_combo.findData(previous)
            self.target_combo.setCurrentIndex(max(index, 0))

    # ------------------------------------------------------------ state

    def format_choices(self) -> list[tuple[str, str]]:
        """The formats offered, as (id, label), in the order shown."""
        combo = self.format_combo
        return [
            (str(combo.itemData(i, _FORMAT_ROLE)), combo.itemText(i).strip())
            for i in range(combo.count())
            if combo.itemData(i, _FORMAT_ROLE)
        ]

    def select_format(self, format_id: str) -> None:
        index = self.format_combo.findData(format_id, _FORMAT_ROLE)
        if index < 0:
            raise ValueError(f"no format {format_id!r} in the dialog")
        self.format_combo.setCurrentIndex(index)

    def format_id(self) -> str:
        return str(self.format_combo.currentData(_FORMAT_ROLE) or "")

    def version(self) -> int | None:
        data = self.source_combo.currentData()
        return data if isinstance(data, int) else None

    def settings(self) -> ExportSettings:
        """What the controls say now."""
        target = self.target_combo.currentData()
        as_parameters = self.variables_combo.currentData() == "parameters"
        flattened = self.examples_combo.currentData() == "flattened"
        return ExportSettings(
            format_id=self.format_id(),
            version=self.version(),
            target=target if isinstance(target, int) else 0,
            variables="parameters" if as_parameters else "inline",
            stream=self.stream_check.isChecked(),
            examples="flattened" if flattened else "turns",
            history=self.history_check.isChecked(),
        )

    @property
    def preview(self) -> ExportPreview:
        """The export on show (re-rendered first if a change is waiting)."""
        if self._timer.isActive():
            self.refresh()
        return self._preview

    def shown_text(self) -> str:
        return self.preview_edit.toPlainText()

    def shown_file(self) -> str:
        """The name of the file in the preview ("" when the export failed)."""
        return self._shown_file

    def warnings(self) -> tuple[str, ...]:
        return self._preview.warnings

    def _update_controls(self) -> None:
        try:
            choice = self._controller.format_choice(self.format_id())
        except PlaygroundError:
            return
        has_targets = isinstance(self.target_combo.itemData(0), int)
        self.target_combo.setEnabled(has_targets and choice.uses_target)
        if not has_targets:
            self.target_note.setText("The prompt has no targets yet.")
        elif not choice.uses_target:
            self.target_note.setText("This format writes every target of the prompt.")
        else:
            self.target_note.setText("")
        self.target_note.setVisible(bool(self.target_note.text()))
        self.code_box.setVisible(choice.kind == "code")
        self.history_check.setVisible(choice.carries_history)
        self.history_check.setEnabled(self.source_combo.count() > 1)
        if self.source_combo.count() <= 1:
            self.history_check.setToolTip("The prompt has no saved versions yet.")

    # ------------------------------------------------------------ rendering

    def refresh(self) -> None:
        """Export with the current settings now and show the result."""
        self._timer.stop()
        self._preview = self._controller.preview(self.settings())
        self._show_preview()

    def _schedule(self) -> None:
        if not self._building:
            self._timer.start()

    def _show_preview(self) -> None:
        preview = self._preview
        names = [f.name for f in preview.files]
        keep = self._shown_file if self._shown_file in names else (names[0] if names else "")
        with QSignalBlocker(self.file_tabs):
            while self.file_tabs.count():
                self.file_tabs.removeTab(0)
            for name in names:
                self.file_tabs.addTab(name)
            if keep:
                self.file_tabs.setCurrentIndex(names.index(keep))
        self.file_tabs.setVisible(bool(names))
        if len(names) > 1:
            self.files_note.setText(
                f"Save as… writes these {len(names)} files side by side: the first under the "
                "name you choose, the others under the names shown."
            )
        self.files_note.setVisible(len(names) > 1)
        self._show_file(keep)
        self._show_warnings()
        self.copy_button.setEnabled(preview.ok)
        self.save_button.setEnabled(preview.ok)

    def _show_file(self, name: str) -> None:
        file = next((f for f in self._preview.files if f.name == name), None)
        scroll = self.preview_edit.verticalScrollBar()
        position = scroll.value() if name and name == self._shown_file else 0
        self._shown_file = name
        if file is None:
            self.highlighter.set_source("", "")
            self.preview_edit.setPlainText(self._preview.error or "Nothing to show.")
        else:
            self.highlighter.set_source(file.text, file.lexer)
            self.preview_edit.setPlainText(file.text)
        scroll.setValue(position)

    def _show_warnings(self) -> None:
        preview = self._preview
        if not preview.ok:
            self.warnings_title.hide()
            self.warnings_label.hide()
            return
        self.warnings_title.show()
        self.warnings_label.show()
        if preview.warnings:
            count = len(preview.warnings)
            self.warnings_title.setText(
                f"⚠ This format cannot carry {count} thing{'s' if count > 1 else ''}:"
            )
            self.warnings_label.setText("\n".join(f"• {w}" for w in preview.warnings))
        else:
            self.warnings_title.setText("No warnings")
            self.warnings_label.setText(_LOSSLESS)

    # ------------------------------------------------------------ copy and save

    def copy_shown_file(self) -> bool:
        """Put the file on show on the clipboard; False when there is none."""
        preview = self.preview
        file = next((f for f in preview.files if f.name == self._shown_file), None)
        if file is None:
            return False
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(file.text)
        self.status_label.setText(f"Copied {file.name} to the clipboard.")
        return True

    def save_to(self, path: Path) -> bool:
        """Write the export on show with its main file at ``path``; False (shown) on failure."""
        preview = self.preview
        try:
            written = self._controller.save(preview, path)
        except PlaygroundError as exc:
            self._save_failed(str(exc))
            return False
        except Exception:
            log.exception("saving an export to %s failed", path)
            self._save_failed(
                f"{path}: something went wrong while saving; the details are in the log."
            )
            return False
        self.error_label.clear_error()
        folder = written[0].parent if written else path.parent
        names = ", ".join(p.name for p in written)
        message = f"Saved {names} in {folder}."
        self.status_label.setText(message)
        self.saved.emit(message)
        return True

    def _save_failed(self, message: str) -> None:
        self.status_label.setText("")
        self.error_label.show_error(f"Could not save the export. {message}")

    # ------------------------------------------------------------ slots

    def _on_source_combo_current_index_changed(self, _index: int) -> None:
        self._fill_targets()
        self._update_controls()
        self._schedule()

    def _on_format_combo_current_index_changed(self, _index: int) -> None:
        self._update_controls()
        self._schedule()

    def _on_option_changed(self, *_args: object) -> None:
        self._schedule()

    def _on_timer_timeout(self) -> None:
        self.refresh()

    def _on_file_tabs_current_changed(self, index: int) -> None:
        if 0 <= index < len(self._preview.files):
            self._show_file(self._preview.files[index].name)

    def _on_copy_button_clicked(self) -> None:
        self.copy_shown_file()

    def _on_save_button_clicked(self) -> None:
        main = self.preview.main
        if main is None:
            return
        dialog = QFileDialog(self, "Save export as")
        dialog.setObjectName("exportFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(file_filter(main.name).split(";;"))
        suffix = Path(main.name).suffix.lstrip(".")
        if suffix:
            dialog.setDefaultSuffix(suffix)
        dialog.selectFile(main.name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.fileSelected.connect(self._on_file_dialog_file_selected)
        dialog.open()

    def _on_file_dialog_file_selected(self, path: str) -> None:
        self.save_to(Path(path))
