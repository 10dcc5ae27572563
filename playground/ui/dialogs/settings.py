"""Settings → Keys & providers: API keys, server addresses and a connection test.

The dialog talks only to a :class:`ProvidersController`. A key typed here
goes straight to the keyring through it; the field is cleared once it is
saved and a stored key is never shown back. "Test connection" runs as an
asyncio task on the app's qasync loop, so the dialog stays responsive, and
closing the dialog cancels it.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.ui.controllers.providers import ProviderRow, ProvidersController, default_key_env
from playground.ui.icons import icon

__all__ = ["AddServerDialog", "ErrorLabel", "SettingsDialog", "error_colour"]

log = logging.getLogger("playground.ui")

_NAME_ROLE = Qt.ItemDataRole.UserRole


def error_colour(palette: QPalette) -> QColor:
    """A red that reads well on this palette's window colour (dark or light theme)."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#b3261e")


def _label(object_name: str, *, wrap: bool = True) -> QLabel:
    """A plain-text label: names and server words are never read as HTML."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def _button(icon_name: str | None, text: str, object_name: str) -> QPushButton:
    button = QPushButton(icon(icon_name), text) if icon_name else QPushButton(text)
    button.setObjectName(object_name)
    return button


class ErrorLabel(QLabel):
    """A plain-text, selectable, word-wrapped label in the palette's error red."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        # Server words are shown as they are: never interpreted as rich text.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._colour = QColor()
        self._apply_colour()
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_error(self) -> None:
        self.clear()
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_colour()

    def _apply_colour(self) -> None:
        colour = error_colour(self.palette())
        if colour == self._colour:
            return  # setting the palette sends a PaletteChange of its own
        self._colour = colour
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.setPalette(palette)


class AddServerDialog(QDialog):
    """Name, preset, address and key requirement of a new OpenAI-compatible server."""

    #: The name of the server that was added.
    server_added = Signal(str)

    def __init__(self, controller: ProvidersController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.setObjectName("addServerDialog")
        self.setWindowTitle("Add server")

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("serverNameEdit")
        self.name_edit.setPlaceholderText("e.g. gpu-box")
        self.name_edit.setToolTip("Lower-case letters, digits, '-', '_' or '.'")
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("serverPresetCombo")
        for preset in controller.presets():
            self.preset_combo.addItem(preset.display_name, (preset.name, preset.base_url or ""))
        self.preset_combo.addItem("Custom", ("custom", ""))
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("serverUrlEdit")
        self.url_edit.setPlaceholderText("http://host:port/v1")
        self.key_required_check = QCheckBox("The server needs an API key")
        self.key_required_check.setObjectName("serverKeyRequiredCheck")
        self.key_env_edit = QLineEdit()
        self.key_env_edit.setObjectName("serverKeyEnvEdit")
        self.key_env_edit.setToolTip(
            "Environment variable to read the key from when none is saved in the keyring"
        )
        self.error_label = ErrorLabel("serverError")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add")
        self.ok_button.setObjectName("addServerOkButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName(
            "addServerCancelButton"
        )

        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        form.addRow("Preset:", self.preset_combo)
        form.addRow("Base URL:", self.url_edit)
        form.addRow("", self.key_required_check)
        form.addRow("Key variable:", self.key_env_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._prefilled_url = ""
        self.preset_combo.currentIndexChanged.connect(self._on_preset_combo_current_index_changed)
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)
        self.key_required_check.toggled.connect(self._on_key_required_check_toggled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._on_preset_combo_current_index_changed(self.preset_combo.currentIndex())
        self._on_key_required_check_toggled(False)

    def preset(self) -> str:
        data = self.preset_combo.currentData()
        return str(data[0]) if data else "custom"

    def _on_preset_combo_current_index_changed(self, _index: int) -> None:
        data = self.preset_combo.currentData()
        url = str(data[1]) if data else ""
        # Replace the URL only while it is still the previous preset's.
        if self.url_edit.text().strip() in ("", self._prefilled_url):
            self.url_edit.setText(url)
        self._prefilled_url = url

    def _on_name_edit_text_changed(self, text: str) -> None:
        self.key_env_edit.setPlaceholderText(default_key_env(text.strip() or "server"))
        self.error_label.clear_error()

    def _on_key_required_check_toggled(self, checked: bool) -> None:
        self.key_env_edit.setEnabled(checked)
        self._on_name_edit_text_changed(self.name_edit.text())

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.error_label.show_error("Give the server a name, e.g. gpu-box.")
            return
        if name in self._controller.provider_names():
            self.error_label.show_error(
                f"There is already a provider named '{name}': select it in the list to change it."
            )
            return
        required = self.key_required_check.isChecked()
        try:
            row = self._controller.save_server(
                name,
                preset=self.preset(),
                base_url=self.url_edit.text(),
                key_required=required,
                key_env=self.key_env_edit.text() if required else None,
            )
        except PlaygroundError as exc:
            self.error_label.show_error(str(exc))
            return
        self.server_added.emit(row.name)
        super().accept()


class SettingsDialog(QDialog):
    """Keys & providers: each provider's key, address and a connection test."""

    #: A provider or a key was added, changed or removed.
    providers_changed = Signal()

    def __init__(self, controller: ProvidersController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._rows: dict[str, ProviderRow] = {}
        self._shown: str | None = None
        self._test_task: asyncio.Task[None] | None = None
        self._closed = False
        self.add_server_dialog: AddServerDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings — Keys & providers")
        self.resize(820, 520)

        # The banner for a machine without a keyring.
        self.keyring_banner = QFrame()
        self.keyring_banner.setObjectName("keyringBanner")
        self.keyring_banner.setFrameShape(QFrame.Shape.StyledPanel)
        banner_icon = QLabel()
        banner_icon.setPixmap(icon("warning").pixmap(20, 20))
        self.keyring_banner_text = _label("keyringBannerText")
        banner_layout = QHBoxLayout(self.keyring_banner)
        banner_layout.addWidget(banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        banner_layout.addWidget(self.keyring_banner_text, 1)

        # Errors that concern the whole dialog (the library cannot be read, say).
        self.error_label = ErrorLabel("settingsError")

        # Left: the providers.
        self.provider_list = QListWidget()
        self.provider_list.setObjectName("providerList")
        self.add_button = _button("add", "Add server…", "addServerButton")
        self.remove_button = _button("remove", "Remove", "removeServerButton")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.provider_list)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.add_button)
        left_buttons.addWidget(self.remove_button)
        left_layout.addLayout(left_buttons)

        # Right: the selected provider.
        self.title_label = _label("providerTitle", wrap=False)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title_label.setFont(font)

        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("baseUrlEdit")
        self.save_url_button = _button(None, "Save URL", "saveUrlButton")
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.save_url_button)
        self.url_error = ErrorLabel("baseUrlError")

        self.key_source_label = _label("keySourceLabel")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("keyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setClearButtonEnabled(True)
        self.show_key_action = QAction("Show", self)
        self.show_key_action.setObjectName("showKeyAction")
        self.show_key_action.setCheckable(True)
        self.show_key_action.setToolTip("Show the key you are typing")
        self.show_key_button = QToolButton()
        self.show_key_button.setObjectName("showKeyButton")
        self.show_key_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.show_key_button.setDefaultAction(self.show_key_action)
        self.save_key_button = _button("key", "Save key", "saveKeyButton")
        self.remove_key_button = _button("remove", "Remove key", "removeKeyButton")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key_button)
        key_buttons = QHBoxLayout()
        key_buttons.addWidget(self.save_key_button)
        key_buttons.addWidget(self.remove_key_button)
        key_buttons.addStretch(1)
        self.key_message = _label("keyMessage")
        self.key_error = ErrorLabel("keyError")

        self.test_button = _button("refresh", "Test connection", "testConnectionButton")
        self.test_status = _label("testStatusLabel")
        self.test_error = ErrorLabel("testErrorLabel")
        self.model_list = QListWidget()
        self.model_list.setObjectName("modelList")
        self.model_list.hide()

        form = QFormLayout()
        form.addRow("Base URL:", url_row)
        form.addRow("", self.url_error)
        form.addRow("Key:", self.key_source_label)
        form.addRow("", key_row)
        form.addRow("", key_buttons)
        form.addRow("", self.key_message)
        form.addRow("", self.key_error)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_status, 1)
        self.details = QWidget()
        self.details.setObjectName("providerDetails")
        details_layout = QVBoxLayout(self.details)
        details_layout.addWidget(self.title_label)
        details_layout.addLayout(form)
        details_layout.addLayout(test_row)
        details_layout.addWidget(self.test_error)
        details_layout.addWidget(self.model_list, 1)
        details_layout.addStretch(0)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("closeButton")
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_banner)
        layout.addWidget(self.error_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)

        self.provider_list.currentRowChanged.connect(self._on_provider_list_current_row_changed)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.url_edit.textChanged.connect(self._on_url_edit_text_changed)
        self.url_edit.returnPressed.connect(self._on_save_url_button_clicked)
        self.save_url_button.clicked.connect(self._on_save_url_button_clicked)
        self.key_edit.textChanged.connect(self._on_key_edit_text_changed)
        self.key_edit.returnPressed.connect(self._on_save_key_button_clicked)
        self.show_key_action.toggled.connect(self._on_show_key_action_toggled)
        self.save_key_button.clicked.connect(self._on_save_key_button_clicked)
        self.remove_key_button.clicked.connect(self._on_remove_key_button_clicked)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.buttons.rejected.connect(self.reject)

        self.reload()

    # ------------------------------------------------------------ state

    @property
    def test_task(self) -> asyncio.Task[None] | None:
        """The running connection test, if any."""
        return self._test_task

    def current_name(self) -> str | None:
        item = self.provider_list.currentItem()
        return None if item is None else str(item.data(_NAME_ROLE))

    def select(self, name: str) -> None:
        for i in range(self.provider_list.count()):
            if self.provider_list.item(i).data(_NAME_ROLE) == name:
                self.provider_list.setCurrentRow(i)
                return

    def reload(self, select: str | None = None) -> None:
        """Read the providers again, keeping (or moving to) a selection."""
        wanted = select or self.current_name()
        try:
            warning = self._controller.keyring_warning()
            rows = self._controller.providers()
        except PlaygroundError as exc:
            self.error_label.show_error(str(exc))
            return
        self.error_label.clear_error()
        self.keyring_banner_text.setText(warning or "")
        self.keyring_banner.setVisible(warning is not None)
        self._rows = {r.name: r for r in rows}
        blocked = self.provider_list.blockSignals(True)
        try:
            self.provider_list.clear()
            for r in rows:
                item = QListWidgetItem(f"{r.display_name}\n{r.key_status}")
                item.setData(_NAME_ROLE, r.name)
                item.setToolTip(r.base_url or r.effective_url or "")
                self.provider_list.addItem(item)
        finally:
            self.provider_list.blockSignals(blocked)
        names = [r.name for r in rows]
        if names:
            # The list was emptied, so this is a change: the slot shows the row.
            self.provider_list.setCurrentRow(names.index(wanted) if wanted in names else 0)
        else:
            self._show(None)

    def _show(self, row: ProviderRow | None) -> None:
        changed = row is None or row.name != self._shown
        if changed:
            self._cancel_test()
            self.key_edit.clear()
            self.show_key_action.setChecked(False)
            self.key_message.clear()
            self.key_error.clear_error()
            self.url_error.clear_error()
            self._clear_test_result()
        self._shown = None if row is None else row.name
        self.details.setEnabled(row is not None)
        self.remove_button.setEnabled(False)
        if row is None:
            self.title_label.clear()
            return

        kind = {"openai": "OpenAI API", "anthropic": "Anthropic API"}.get(
            row.kind, "OpenAI-compatible server"
        )
        self.title_label.setText(f"{row.display_name} — {kind}")
        if row.overridden:
            self.remove_button.setText("Reset")
            self.remove_button.setToolTip("Go back to the built-in settings of this provider")
            self.remove_button.setEnabled(True)
        else:
            self.remove_button.setText("Remove")
            self.remove_button.setEnabled(not row.builtin)
            self.remove_button.setToolTip(
                "Built-in providers cannot be removed" if row.builtin else "Remove this server"
            )

        editable = row.kind == "openai-compatible"
        if changed or not self.url_edit.isModified():
            self.url_edit.setText(row.base_url or "")
            self.url_edit.setModified(False)
        self.url_edit.setReadOnly(not editable)
        self.url_edit.setPlaceholderText(row.effective_url or "")
        self.url_edit.setToolTip(
            "" if editable else f"{row.display_name} uses its standard address"
        )
        self.save_url_button.setVisible(editable)
        self._on_url_edit_text_changed(self.url_edit.text())

        self.key_source_label.setText(_key_source_text(row))
        reason = self._key_entry_blocked(row)
        self.key_edit.setEnabled(reason is None)
        self.show_key_button.setEnabled(reason is None)
        self.key_edit.setPlaceholderText(reason or "Paste a key to save it in the keyring")
        self.key_edit.setToolTip(reason or "")
        self.save_key_button.setToolTip(reason or "Save the key in the system keyring")
        self.remove_key_button.setEnabled(row.key_source == "keyring")
        self._on_key_edit_text_changed(self.key_edit.text())

    def _key_entry_blocked(self, row: ProviderRow) -> str | None:
        if self._controller.keyring_available():
            return None
        if row.key_env:
            return f"No keyring here: set ${row.key_env} instead"
        return "No keyring here, and this provider reads no environment variable"

    # ------------------------------------------------------------ list and servers

    def _on_provider_list_current_row_changed(self, index: int) -> None:
        item = self.provider_list.item(index) if index >= 0 else None
        self._show(None if item is None else self._rows.get(str(item.data(_NAME_ROLE))))

    def _on_add_button_clicked(self) -> None:
        dialog = AddServerDialog(self._controller, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.server_added.connect(self._on_add_server_dialog_server_added)
        dialog.finished.connect(self._on_add_server_dialog_finished)
        self.add_server_dialog = dialog
        dialog.open()

    def _on_add_server_dialog_server_added(self, name: str) -> None:
        self.reload(select=name)
        self.providers_changed.emit()

    def _on_add_server_dialog_finished(self, _result: int) -> None:
        self.add_server_dialog = None

    def _on_remove_button_clicked(self) -> None:
        name = self.current_name()
        row = self._rows.get(name or "")
        if row is None:
            return
        if row.overridden:
            self._remove(row.name)
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove server",
            f"Remove {row.display_name}? A key saved for it is deleted from the keyring too.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmRemoveBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Yes).setText("Remove")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(self._on_confirm_box_button_clicked)
        box.setProperty("provider", row.name)
        self.confirm_box = box
        box.open()

    def _on_confirm_box_button_clicked(self, button: QAbstractButton) -> None:
        box = self.confirm_box
        self.confirm_box = None
        if box is None or box.standardButton(button) != QMessageBox.StandardButton.Yes:
            return
        self._remove(str(box.property("provider")))

    def _remove(self, name: str) -> None:
        try:
            self._controller.remove_server(name)
        except PlaygroundError as exc:
            self.error_label.show_error(str(exc))
            return
        self.reload(select=name)
        self.providers_changed.emit()

    def _on_url_edit_text_changed(self, text: str) -> None:
        row = self._rows.get(self._shown or "")
        saved = (row.base_url or "") if row is not None else ""
        self.save_url_button.setEnabled(text.strip() != saved)
        self.url_error.clear_error()

    def _on_save_url_button_clicked(self) -> None:
        row = self._rows.get(self._shown or "")
        if row is None or row.kind != "openai-compatible":
            return
        try:
            saved = self._controller.save_server(
                row.name,
                preset=None,
                base_url=self.url_edit.text(),
                key_required=row.key_required,
                key_env=row.key_env,
            )
        except PlaygroundError as exc:
            self.url_error.show_error(str(exc))
            return
        self.url_edit.setModified(False)
        self.reload(select=saved.name)
        self.url_edit.setText(saved.base_url or "")
        self.providers_changed.emit()

    # ------------------------------------------------------------ keys

    def _on_key_edit_text_changed(self, text: str) -> None:
        row = self._rows.get(self._shown or "")
        allowed = row is not None and self._key_entry_blocked(row) is None
        self.save_key_button.setEnabled(allowed and bool(text.strip()))

    def _on_show_key_action_toggled(self, shown: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key_action.setText("Hide" if shown else "Show")

    def _on_save_key_button_clicked(self) -> None:
        name = self._shown
        if name is None or not self.save_key_button.isEnabled():
            return
        self.key_error.clear_error()
        self.key_message.clear()
        try:
            self._controller.save_key(name, self.key_edit.text())
        except PlaygroundError as exc:
            self.key_error.show_error(str(exc))
            return
        self.key_edit.clear()
        self.show_key_action.setChecked(False)
        self.reload(select=name)
        self.key_message.setText("Saved in the system keyring.")
        self.providers_changed.emit()

    def _on_remove_key_button_clicked(self) -> None:
        name = self._shown
        if name is None:
            return
        self.key_error.clear_error()
        self.key_message.clear()
        try:
            self._controller.delete_key(name)
        except PlaygroundError as exc:
            self.key_error.show_error(str(exc))
            return
        self.reload(select=name)
        row = self._rows.get(name)
        now = f" {_key_source_text(row)} now." if row is not None and row.has_key else ""
        self.key_message.setText(f"Removed from the keyring.{now}")
        self.providers_changed.emit()

    # ------------------------------------------------------------ connection test

    def _on_test_button_clicked(self) -> None:
        row = self._rows.get(self._shown or "")
        if row is None or (self._test_task is not None and not self._test_task.done()):
            return
        key = self.key_edit.text().strip() if self.key_edit.isEnabled() else ""
        url = self.url_edit.text() if row.kind == "openai-compatible" else None
        self._clear_test_result()
        self.test_button.setEnabled(False)
        self.test_button.setText("Testing…")
        self._test_task = asyncio.ensure_future(self._run_test(row.name, key or None, url))

    async def _run_test(self, name: str, key: str | None, base_url: str | None) -> None:
        try:
            models = await self._controller.test_connection(name, key, base_url=base_url)
        except PlaygroundError as exc:
            if not self._closed:
                self.test_error.show_error(str(exc))
        except Exception:
            log.exception("testing the connection to %s failed", name)
            if not self._closed:
                self.test_error.show_error(
                    "The test failed unexpectedly; the details are in the log file."
                )
        else:
            if not self._closed:
                self._show_models(models)
        finally:
            # A cancelled test's clean-up must not touch the test that replaced it.
            if not self._closed and self._test_task is asyncio.current_task():
                self._reset_test_button()

    def _show_models(self, models: list[str]) -> None:
        noun = "model" if len(models) == 1 else "models"
        self.test_status.setText(f"Connected: {len(models)} {noun}")
        self.model_list.clear()
        self.model_list.addItems(models)
        self.model_list.setVisible(bool(models))

    def _clear_test_result(self) -> None:
        self.test_status.clear()
        self.test_error.clear_error()
        self.model_list.clear()
        self.model_list.hide()

    def _reset_test_button(self) -> None:
        self.test_button.setEnabled(True)
        self.test_button.setText("Test connection")

    def _cancel_test(self) -> None:
        task, self._test_task = self._test_task, None
        if task is not None and not task.done():
            task.cancel()
        if not self._closed:
            self._reset_test_button()

    # ------------------------------------------------------------ closing

    def done(self, result: int) -> None:
        self._cancel_test()
        self._closed = True
        super().done(result)

    def showEvent(self, event: QShowEvent) -> None:
        # A dialog kept and opened again works like a new one.
        self._closed = False
        super().showEvent(event)


def _key_source_text(row: ProviderRow) -> str:
    """The detail line: where the key comes from, in words."""
    if row.key_source == "keyring":
        return "Stored in the keyring"
    if row.key_source == "environment":
        return f"From ${row.key_env}"
    if row.key_problem is not None:
        return row.key_problem
    if not row.key_required:
        return "No key needed (a saved key is still sent)"
    if row.key_env:
        return f"No key — save one below or set ${row.key_env}"
    return "No key — save one below"
