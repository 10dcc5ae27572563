"""Composition root: builds the services, the QApplication on a qasync loop, the window.

Start-up shows the main window's frame first ("Opening your prompt
library…"), as soon as Qt is up, and only then imports and builds the rest
(about half a second): the library, the editor, the panes, the asyncio loop.
The window appears at once; it fills in a moment later, in place.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QEventLoop, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from playground import __version__, paths
from playground.ui.main_window import MainWindow
from playground.ui.theme import ThemeWatcher, apply_theme

if TYPE_CHECKING:
    from playground.ui.controllers.session import SessionMarker
    from playground.ui.main_window import Services

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
#: The run process is started this long after the window is ready.
RUN_HOST_WARM_UP_MS = 1000


def settings() -> QSettings:
    """Window layout and preferences, as an INI file in the data dir (never a key)."""
    return QSettings(str(paths.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


class _FirstPaint(QObject):
    """Notes the watched window's first paint and ends a local event loop there."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            QTimer.singleShot(0, self._loop.quit)
        return False


def show_and_wait_for_paint(window: MainWindow, timeout_ms: int = SMOKE_TIMEOUT_MS) -> bool:
    """Show ``window`` and run Qt's events until it has painted; False if it never did."""
    loop = QEventLoop()
    first_paint = _FirstPaint(loop)
    window.installEventFilter(first_paint)
    QTimer.singleShot(timeout_ms, loop.quit)
    window.show()
    if not first_paint.painted:
        loop.exec()
    window.removeEventFilter(first_paint)
    return first_paint.painted


def recovery_message(names: list[str]) -> str:
    shown = ", ".join(f"“{n}”" for n in names[:5]) + (" and more" if len(names) > 5 else "")
    return (
        "Prompt Playground did not close normally last time. Nothing was lost: "
        f"the unsaved drafts of {shown} were restored from the library."
    )


class AppSession:
    """The running app's parts, as :func:`start` built them."""

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        services: Services,
        marker: SessionMarker,
        crashed: bool,
    ) -> None:
        self.app = app
        self.window = window
        self.services = services
        self.marker = marker
        self.crashed = crashed

    def close(self) -> None:
        """Save what is pending and end the session cleanly (what quitting does)."""
        self.window.flush_draft()
        self.window.save_layout()
        self.services.runs.close()
        self.marker.end()
        self.services.store.close()


def _name_app(app: QApplication) -> None:
    app.setApplicationName("Prompt Playground")
    app.setOrganizationName("playground")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("playground")


def start(app: QApplication, window: MainWindow | None = None) -> AppSession:
    """Build the services and the main window on ``app`` (not shown yet), or
    attach them to ``window``, a frame already on screen.

    Raises :class:`PlaygroundError` when the library cannot be opened.
    """
    from playground.core.errors import PlaygroundError
    from playground.keystore import KeyStore, install_redaction
    from playground.store import Store
    from playground.ui.controllers.library import LibraryController
    from playground.ui.controllers.session import SessionMarker
    from playground.ui.icons import app_icon
    from playground.ui.main_window import Services

    _name_app(app)
    if window is None:
        apply_theme(app)
    app.setWindowIcon(app_icon())
    store = Store.open()
    keys = KeyStore()
    install_redaction(keys)
    marker = SessionMarker()
    crashed = marker.begin()
    services = Services(store, keys, settings())
    if window is None:
        window = MainWindow(services)
    else:
        window.attach(services)
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


def run_app(*, smoke: bool = False, ready: bool = False, verbose: bool = False) -> int:
    """Open the desktop app and run until its last window closes.

    ``smoke``: show the main window, wait for its first paint, and exit 0.
    ``ready``: with ``smoke``, first build the whole window and paint it too.
    ``verbose``: log at debug level.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    _name_app(app)
    apply_theme(app, quick=True)
    window = MainWindow()
    geometry = settings().value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    painted = show_and_wait_for_paint(window)
    if smoke and not painted:
        print("playground: error: the main window did not paint", file=sys.stderr)
        return 1
    if smoke and not ready:
        window.close()
        return 0
    from playground.cli import logging_problem
    from playground.logs import setup_logging

    try:
        setup_logging(verbose=verbose)
    except OSError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(window, "Prompt Playground", logging_problem(exc).capitalize() + ".")
        return 1

    apply_theme(app)  # now asking the platform for its colour scheme too
    import asyncio

    import qasync

    from playground.core.errors import PlaygroundError

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        session = start(app, window)
    except PlaygroundError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(window, "Prompt Playground", str(exc))
        return 1
    # What start-up built lives as long as the app: keep the collector from
    # walking it again and again (a full collection took ~75 ms mid-run).
    gc.collect()
    gc.freeze()
    watcher = ThemeWatcher(app)
    watcher.changed.connect(lambda _scheme: window.apply_palette())
    _install_excepthook(window)
    if smoke:
        window.repaint()  # the whole window, built, paints (or this raises)
        session.close()
        return 0
    # The run process takes a moment to start: have it ready before the first Run.
    QTimer.singleShot(RUN_HOST_WARM_UP_MS, session.services.runs.warm_up)

    install_sigterm(app)
    closed = asyncio.Event()
    # Logging out or app.quit() skips closeEvent: aboutToQuit saves what is pending too.
    app.aboutToQuit.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        session.close()
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
