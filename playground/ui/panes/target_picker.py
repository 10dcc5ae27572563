"""The provider and model choosers at the top of a pane.

The provider list is fixed (not editable); the model list is editable, since
servers often know models that no list does. Model lists are remembered per
provider, so an owner may hand over every provider's models at once and a
switch of provider shows the right list straight away.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QSizePolicy

__all__ = ["TargetPicker"]


def _shrinkable(combo: QComboBox) -> None:
    # Long model ids must not widen the pane past its minimum width.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


class TargetPicker(QObject):
    """Owns ``provider_combo`` and ``model_combo``; the pane lays them out."""

    provider_changed = Signal(str)  # a new provider is current: its models are wanted
    edited = Signal()  # the user changed the provider or the model

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._models: dict[str, list[str]] = {}
        self._updating = False  # combos being set from code: emit nothing

        self.provider_combo = QComboBox()
        self.provider_combo.setObjectName("providerCombo")
        self.provider_combo.setToolTip("Provider")
        _shrinkable(self.provider_combo)
        self.provider_combo.currentIndexChanged.connect(
            self._on_provider_combo_current_index_changed
        )

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model_combo.setToolTip("Model: pick one or type its id")
        _shrinkable(self.model_combo)
        line_edit = self.model_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText("model id")
        completer = self.model_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.model_combo.currentTextChanged.connect(self._on_model_combo_current_text_changed)

    def provider(self) -> str:
        return self.provider_combo.currentText()

    def model(self) -> str:
        return self.model_combo.currentText().strip()

    def set_providers(self, names: list[str]) -> None:
        """Offer ``names``, keeping the current provider even if it is not among them.

        A provider no longer offered stays selected (marked "not set up"), so a
        saved target is never changed behind the user's back. With no provider
        yet, the first is taken and ``provider_changed`` is emitted.
        """
        current = self.provider()
        self._updating = True
        try:
            self.provider_combo.clear()
            self.provider_combo.addItems(names)
            if current:
                self._select_provider(current)
        finally:
            self._updating = False
        now = self.provider()
        if now != current:
            self._fill_models(now)
            if now:
                self.provider_changed.emit(now)

    def set_models(self, provider: str, models: list[str]) -> None:
        """Remember ``provider``'s models; show them now if it is the current provider."""
        self._models[provider] = list(models)
        if provider == self.provider():
            self._fill_models(provider)

    def set_choice(self, provider: str, model: str) -> None:
        """Select ``provider`` (added if missing) and ``model``; emits nothing."""
        self._updating = True
        try:
            self._select_provider(provider)
            self._fill_models(provider)
            self.model_combo.setEditText(model)
        finally:
            self._updating = False

    def _select_provider(self, name: str) -> None:
        index = self.provider_combo.findText(name, Qt.MatchFlag.MatchExactly)
        if index < 0:
            self.provider_combo.addItem(name)
            index = self.provider_combo.count() - 1
            self.provider_combo.setItemData(
                index,
                f"{name} is not set up: add it in Settings, or pick another provider.",
                Qt.ItemDataRole.ToolTipRole,
            )
            font = self.provider_combo.font()
            font.setItalic(True)
            self.provider_combo.setItemData(index, font, Qt.ItemDataRole.FontRole)
        self.provider_combo.setCurrentIndex(index)

    def _fill_models(self, provider: str) -> None:
        typed = self.model_combo.currentText()
        was_updating, self._updating = self._updating, True
        try:
            self.model_combo.clear()
            self.model_combo.addItems(self._models.get(provider, []))
            self.model_combo.setEditText(typed)  # what the user typed stays
        finally:
            self._updating = was_updating

    def _on_provider_combo_current_index_changed(self, _index: int) -> None:
        if self._updating:
            return
        provider = self.provider()
        self._fill_models(provider)
        self.provider_changed.emit(provider)
        self.edited.emit()

    def _on_model_combo_current_text_changed(self, _text: str) -> None:
        if not self._updating:
            self.edited.emit()
