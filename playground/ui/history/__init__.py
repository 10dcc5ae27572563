"""Version history of a prompt, and the windows that compare versions and outputs."""

from playground.ui.history.diff_dialog import DiffDialog
from playground.ui.history.document_diff import DocumentDiffView
from playground.ui.history.history_panel import HistoryPanel
from playground.ui.history.output_diff import OutputDiffView

__all__ = ["DiffDialog", "DocumentDiffView", "HistoryPanel", "OutputDiffView"]
