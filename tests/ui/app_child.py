"""A real app process for the crash-restore test: ``edit TEXT`` or ``report``.

``edit`` opens the app, types TEXT at the end of the system prompt, prints
``EDITED`` and keeps running until it is killed. ``report`` opens the app,
prints what the user would see (notice, system prompt, title) as JSON, and
quits normally.
"""

from __future__ import annotations

import asyncio
import json
import sys

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from playground.app import install_sigterm, start


def main() -> None:
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    session = start(app)
    install_sigterm(app)
    window = session.window
    window.show()
    system = window.editor.findChild(QPlainTextEdit, "systemEdit")
    assert system is not None

    def edit() -> None:
        system.setFocus()
        system.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(system, sys.argv[2])
        print("EDITED", flush=True)

    def report() -> None:
        print(
            json.dumps(
                {
                    "notice": window.notice.message(),
                    "system": system.toPlainText(),
                    "title": window.windowTitle(),
                    "crashed": session.crashed,
                }
            ),
            flush=True,
        )
        window.close()
        app.quit()

    QTimer.singleShot(100, edit if sys.argv[1] == "edit" else report)
    with loop:
        loop.run_forever()
    session.close()


if __name__ == "__main__":
    main()
