"""Output panes: one prompt's answers from several models, streamed side by side."""

from playground.ui.panes.output_pane import MINIMUM_WIDTH, OutputPane
from playground.ui.panes.pane_area import PaneArea
from playground.ui.panes.parameter_editor import ParameterEditor

__all__ = ["MINIMUM_WIDTH", "OutputPane", "PaneArea", "ParameterEditor"]
