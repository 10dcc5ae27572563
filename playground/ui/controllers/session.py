"""Did the last session end cleanly? A marker file in the data dir says so.

The app writes ``sessions/<pid>`` when it starts and removes it when
it quits normally. A marker left behind by a process that is gone means the
app was killed or crashed; drafts are in the store either way, so the next
start reopens them and tells the user what was recovered. Another running
instance's marker (its pid is alive) is not a crash.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from playground import paths

__all__ = ["SessionMarker"]

log = logging.getLogger("playground.ui")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own pid, reused after a crash: that session is gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, but not ours to signal
    return True


class SessionMarker:
    """Running-session markers for one data dir: ``sessions/<pid>`` per running app."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else paths.data_dir() / "sessions"
        self.path = self.folder / str(os.getpid())

    def begin(self) -> bool:
        """Write our marker; True when an earlier session did not end cleanly."""
        crashed = False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for marker in self.folder.iterdir():
                pid = int(marker.name) if marker.name.isdigit() else 0
                if pid > 0 and _alive(pid):
                    continue  # another instance is running
                crashed = True
                marker.unlink(missing_ok=True)
            self.path.write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
        except OSError as exc:
            log.warning("could not use the session markers in %s: %s", self.folder, exc)
        return crashed

    def end(self) -> None:
        """The session ends cleanly: remove our marker."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove the session marker %s: %s", self.path, exc)
