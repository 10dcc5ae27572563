"""Opening the library database, and the rules every connection follows.

- One file, opened with a 5 s busy timeout, ``foreign_keys=ON``, WAL and
  ``synchronous=NORMAL``.
- A database written by a newer schema is refused *before* anything is
  written or any mode is changed; it is probed through a read-only
  connection, which cannot checkpoint a leftover WAL into the file on close.
- Pending migrations are applied once, under ``BEGIN IMMEDIATE``, so two
  processes opening a fresh file at the same time do not race.
- Every write transaction starts with ``BEGIN IMMEDIATE`` (:func:`write_transaction`).
- sqlite3 errors a user can do something about become :mod:`playground.core.errors`
  (:func:`translate_errors`); anything else propagates as a bug.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from playground.core.errors import (
    DatabaseBusyError,
    DatabaseCorruptError,
    DatabaseTooNewError,
    DiskFullError,
    ReadOnlyError,
    StoreError,
)
from playground.store.migrations import (
    KNOWN_MIGRATIONS,
    MIGRATION_SET,
    MIGRATIONS,
    SCHEMA_VERSION,
)

__all__ = [
    "BUSY_TIMEOUT_S",
    "open_database",
    "translate_error",
    "translate_errors",
    "utc_now",
    "write_transaction",
]

#: How long a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_S = 5.0

# Primary result codes (the low byte of extended codes).
_SQLITE_CORRUPT = 11
_SQLITE_BUSY = 5
_SQLITE_READONLY = 8
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26


def utc_now() -> str:
    """The current time as ISO-8601 UTC with milliseconds: ``2026-11-22T10:11:12.345Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- errors


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _is_busy(exc: sqlite3.Error) -> bool:
    return _primary_code(exc) == _SQLITE_BUSY or "database is locked" in str(exc).lower()


def translate_error(exc: sqlite3.Error, path: Path) -> StoreError | None:
    """The user-facing error for ``exc``, or ``None`` when it is a bug."""
    primary = _primary_code(exc)
    text = str(exc).lower()
    if _is_busy(exc):
        return DatabaseBusyError("The library is busy in another window or process; try again.")
    if primary == _SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError(
            f"The disk is full, so the library ({path}) could not be saved to. "
            "Free some space and try again; nothing was half-written."
        )
    if primary == _SQLITE_READONLY or "readonly" in text:
        return ReadOnlyError(
            f"The library ({path}) is read-only, so the change was not saved. "
            "Check that the file and its folder are writable."
        )
    if primary == _SQLITE_CANTOPEN or "unable to open" in text:
        return ReadOnlyError(
            f"The library ({path}) could not be opened. "
            "Check that the file and its folder exist and are writable."
        )
    if primary == _SQLITE_NOTADB or "file is not a database" in text:
        return DatabaseCorruptError(
            f"The file {path} is not a Prompt Playground library (it is not an SQLite "
            "database at all). It was not changed."
        )
    if primary == _SQLITE_CORRUPT or "malformed" in text:
        return DatabaseCorruptError(
            f"The library {path} is damaged (SQLite says: {exc}). "
            "Restore it from a backup, or move it aside to start a new library."
        )
    return None


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Re-raise sqlite3 errors a user can fix as :class:`StoreError` subclasses."""
    try:
        yield
    except sqlite3.Error as exc:
        error = translate_error(exc, path)
        if error is None:
            raise
        raise error from exc


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error.

    IMMEDIATE takes the write lock up front, waiting up to the busy timeout.
    A deferred ``BEGIN`` would take it on the first write, and in WAL mode that
    upgrade fails at once with SQLITE_BUSY when another process committed in
    between, without waiting at all.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # An error such as SQLITE_FULL may already have rolled the transaction back.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------- opening


def open_database(path: Path) -> Database:
    """Open (creating if needed) and migrate the library at ``path``.

    Raise :class:`DatabaseTooNewError` for a newer schema and
    :class:`DatabaseCorruptError` for a file that is not a database, leaving
    the file as it was. sqlite3 errors are translated by the caller.
    """
    _probe_read_only(path)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        db = Database(conn, execute_plugins=False)
        conn.execute("PRAGMA foreign_keys = ON")
        _enable_wal(conn)
        # In WAL mode NORMAL skips the fsync on each commit but still writes the
        # commit to the WAL file before COMMIT returns, so a killed *process*
        # loses nothing acknowledged and the file stays consistent. Only a power
        # cut or OS crash can drop the last few commits, never corrupt the file.
        conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(db, path)
    except BaseException:
        conn.close()
        raise
    return db


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting up to the busy timeout for other openers.

    Changing the journal mode needs an exclusive lock, and SQLite does not
    call the busy handler for it when that could deadlock: two processes
    opening a fresh library at once get SQLITE_BUSY at once. So retry here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def _probe_read_only(path: Path) -> None:
    """Refuse a newer or foreign database through a connection that cannot write."""
    if not path.is_file() or path.stat().st_size == 0:
        return  # a new library; or not a file, which the real open will report
    # mode=ro: a read-write connection that found a WAL left by a killed
    # process would checkpoint it into the file when it closes.
    uri = f"{path.absolute().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        problem = _schema_problem(conn, path)
    finally:
        conn.close()
    if problem is not None:
        raise problem


def _schema_problem(conn: sqlite3.Connection, path: Path) -> StoreError | None:
    """Why this code must not use the database, or ``None`` when it may."""
    user_version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    applied: list[str] = []
    if MIGRATIONS.migrations_table in tables:
        applied = [
            row[0]
            for row in conn.execute(
                f"SELECT name FROM [{MIGRATIONS.migrations_table}] "
                "WHERE migration_set = ? ORDER BY rowid",
                [MIGRATION_SET],
            )
        ]
    elif tables:
        return StoreError(
            f"The file {path} is an SQLite database, but not a Prompt Playground library. "
            "It was not changed."
        )
    unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
    if user_version > SCHEMA_VERSION or unknown:
        theirs = max(user_version, len(applied), SCHEMA_VERSION + len(unknown))
        return DatabaseTooNewError(
            f"The library {path} was written by a newer version of Prompt Playground "
            f"(schema {theirs}; this version knows up to {SCHEMA_VERSION}). "
            "Upgrade the app to open it. The file was not changed."
        )
    return None


def _migrate(db: Database, path: Path) -> None:
    # Looking for pending migrations takes no lock, so an up-to-date library
    # opens without waiting for a writer in another process.
    if not MIGRATIONS.pending(db):
        return
    with write_transaction(db.conn) as conn:
        # Another process may have migrated (or a newer app upgraded) the file
        # since we looked; under the write lock the answer is final.
        problem = _schema_problem(conn, path)
        if problem is not None:
            raise problem
        # Inside our transaction each migration's db.atomic() is a savepoint.
        MIGRATIONS.apply(db)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
