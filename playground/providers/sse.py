"""A small incremental reader for ``text/event-stream`` bodies: the data of each event.

The streaming protocols send JSON in ``data:`` fields. Parsing them here, from
the raw bytes, costs a fraction of what building the SDKs' typed chunk
objects does, which matters when several panes stream at once on the GUI thread.

It follows the HTML event-stream rules this use needs:

- lines end with CRLF, LF or CR, also when a CRLF is split between two reads;
  nothing else ends a line (``str.splitlines`` would also split at U+2028
  or U+0085, which JSON allows unescaped inside strings);
- ``data:`` with or without the one space after the colon; several data lines
  of one event are joined with newlines;
- an empty line ends the event; an event without data is not dispatched;
- comments (``:`` lines) and the ``event``, ``id`` and ``retry`` fields are
  read past, as no caller needs them;
- an event still open when the body ends is dropped, as the spec says: the
  caller then sees a stream that ended without its end marker.
"""

from __future__ import annotations

__all__ = ["SSEDataReader"]


class SSEDataReader:
    """Feed it the body's bytes as they arrive; it returns each completed event's data."""

    __slots__ = ("_data", "_partial", "_skip_lf")

    def __init__(self) -> None:
        self._partial = b""  # the start of a line whose end has not arrived yet
        self._data: list[bytes] = []  # data lines of the event being read
        self._skip_lf = False  # the last read ended with CR: an LF next belongs to it

    def feed(self, chunk: bytes) -> list[str]:
        """The data of every event that ``chunk`` completes, in order (often none)."""
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._skip_lf = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if self._partial:
            chunk = self._partial + chunk
        *lines, self._partial = chunk.split(b"\n")
        if not lines:
            return []
        events: list[str] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    joined = data[0] if len(data) == 1 else b"\n".join(data)
                    # Invalid UTF-8 becomes U+FFFD rather than ending the answer.
                    events.append(joined.decode("utf-8", "replace"))
                    data.clear()
            elif line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value[:1] == b" " else value)
            elif line == b"data":
                data.append(b"")
        return events
