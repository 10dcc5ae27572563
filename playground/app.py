"""Composition root: builds the services, the QApplication on a qasync loop, the window."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from dataclasses import dataclass
from types import TracebackType

import qasync
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from playground import __version__, paths
from playground.core.errors import PlaygroundError
from playground.keystore import KeyStore, install_redaction
from playground.store import Store
from playground.ui.controllers.library import LibraryController
from playground.ui.controllers.session import SessionMarker
from playground.ui.icons import app_icon
from playground.ui.main_window import MainWindow, Services
from playground.ui.theme import ThemeWatcher, apply_theme

__all__ = [
    "AppSession",
    "install_sigterm",
    "recovery_message",
    "run_app",
    "settings",
    "start",
]

log = logging.getLogger("playground.app")

#: --smoke gives up when the window has not painted within this long.
SMOKE_TIMEOUT_MS = 30_000


def settings() -> QSettings:
    """Window layout and preferences, as an INI file in the data dir (never a key)."""
    return QSettings(str(paths.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


class _FirstPaint(QObject):
    """Quits the app once the watched window has painted (for ``--smoke``)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self._app = app
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            QTimer.singleShot(0, self._app.quit)
        return False


def recovery_message(names: list[str]) -> str:
    shown = ", ".join(f"“{n}”" for n in names[:5]) + (" and more" if len(names) > 5 else "")
    return (
        "Prompt Playground did not close normally last time. Nothing was lost: "
        f"the unsaved drafts of {shown} were restored from the library."
    )


@dataclass
class AppSession:
    """The running app's parts, as :func:`start` built them."""

    app: QApplication
    window: MainWindow
    services: Services
    marker: SessionMarker
    crashed: bool

    def close(self) -> None:
        """Save what is pending and end the session cleanly (what quitting does)."""
        self.window.flush_draft()
        self.window.save_layout()
        self.services.runs.close()
        self.marker.end()
        self.services.store.close()


def start(app: QApplication) -> AppSession:
    """Build the services and the main window on ``app`` (not shown yet).

    Raises :class:`PlaygroundError` when the library cannot be opened.
    """
    app.setApplicationName("Prompt Playground")
    app.setOrganizationName("playground")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("playground")
    apply_theme(app)
    app.setWindowIcon(app_icon())
    store = Store.open()
    keys = KeyStore()
    install_redaction(keys)
    marker = SessionMarker()
    crashed = marker.begin()
    services = Services(store, keys, settings())
    window = MainWindow(services)
    if crashed:
        try:
            names = LibraryController(store).unsaved_prompts()
        except PlaygroundError:
            names = []
        if names:
            window.show_notice(recovery_message(names))
    if keys.warning:
        window.status.showMessage(keys.warning, 15000)
    return AppSession(app, window, services, marker, crashed)


def run_app(*, smoke: bool = False) -> int:
    """Open the desktop app and run until its last window closes.

    ``smoke``: open the main window, wait for its first paint, and exit 0.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        session = start(app)
    except PlaygroundError as exc:
        QMessageBox.critical(None, "Prompt Playground", str(exc))
        return 1
    window = session.window
    # What start-up built lives as long as the app: keep the collector from
    # walking it again and again (a full collection took ~75 ms mid-run).
    gc.collect()
    gc.freeze()
    watcher = ThemeWatcher(app)
    watcher.changed.connect(lambda _scheme: window.apply_palette())
    _install_excepthook(window)
    first_paint = _FirstPaint(app)
    if smoke:
        window.installEventFilter(first_paint)
        QTimer.singleShot(SMOKE_TIMEOUT_MS, app.quit)
    window.show()

    install_sigterm(app)
    closed = asyncio.Event()
    # Logging out or app.quit() skips closeEvent: aboutToQuit saves what is pending too.
    app.aboutToQuit.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        session.close()
    if smoke and not first_paint.painted:
        print("playground: error: the main window did not paint", file=sys.stderr)
        return 1
    return 0


def install_sigterm(app: QApplication) -> None:
    """A plain ``kill`` (logout, a service manager) quits like the Quit menu: edits are written.

    Python runs signal handlers only between bytecodes; a light timer makes sure
    it gets the chance while Qt idles.
    """
    signal.signal(signal.SIGTERM, lambda _sig, _frame: app.quit())
    wake = QTimer(app)
    wake.setInterval(250)
    wake.timeout.connect(lambda: None)
    wake.start()


def _install_excepthook(window: MainWindow) -> None:
    """A bug in a slot must not kill the app or lose work: save, log, tell the user calmly."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        log.error("unexpected error", exc_info=(kind, exc, tb))
        try:
            window.flush_draft()
            window.show_error(
                "Something went wrong inside Prompt Playground. Your draft is saved and you "
                "can carry on; the details are in the log."
            )
        except Exception:
            log.exception("could not report an unexpected error")

    sys.excepthook = hook
