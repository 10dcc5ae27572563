"""Dialogs opened from the main window."""

from playground.ui.dialogs.settings import AddServerDialog, SettingsDialog

__all__ = ["AddServerDialog", "SettingsDialog"]
