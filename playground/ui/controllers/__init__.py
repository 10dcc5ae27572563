"""Controllers: the only path from widgets to the store, the keystore and the runner.

Widgets get plain data from controllers and send requests back through
signals wired in the main window; no widget touches SQL or an SDK.
"""

from playground.ui.controllers.library import LibraryController, PromptRow
from playground.ui.controllers.providers import ProviderRow, ProvidersController

__all__ = ["LibraryController", "PromptRow", "ProviderRow", "ProvidersController"]
