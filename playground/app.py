"""Composition root: builds the services, the QApplication on a qasync loop, the window."""

from __future__ import annotations

import asyncio
import logging
import sys

import qasync
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from playground import __version__, paths
from playground.core.errors import PlaygroundError
from playground.store import Store
from playground.ui.controllers import LibraryController
from playground.ui.main_window import MainWindow

__all__ = ["run_app"]

log = logging.getLogger("playground.app")


def run_app() -> int:
    """Open the desktop app and run until its last window closes."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Prompt Playground")
    app.setOrganizationName("playground")
    app.setApplicationVersion(__version__)
    icon = paths.resources_dir() / "icons" / "playground.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    try:
        store = Store.open()
    except PlaygroundError as exc:
        QMessageBox.critical(None, "Prompt Playground", str(exc))
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(LibraryController(store))
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        store.close()
    return 0
