"""Opening the library: migrations, refusing newer or foreign files, friendly errors."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from playground import paths
from playground.core.errors import (
    DatabaseBusyError,
    DatabaseCorruptError,
    DatabaseTooNewError,
    DiskFullError,
    ReadOnlyError,
    StoreError,
)
from playground.store import SCHEMA_VERSION, Store
from playground.store.db import translate_error
from playground.store.migrations import KNOWN_MIGRATIONS, MIGRATIONS

from .conftest import make_doc

TABLES = {"prompts", "versions", "labels", "drafts", "runs", "version_search", "run_search"}


def fingerprint(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection to the file, for looking behind the Store's back."""
    return sqlite3.connect(path)


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = raw(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_open_creates_the_schema_in_the_data_dir(playground_home: Path) -> None:
    with Store.open() as store:
        assert store.path == paths.db_path()
        assert store.path.parent == playground_home
        assert store.schema_version == SCHEMA_VERSION
        assert store._conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert store._conn.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        assert store._conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    names = {r[0] for r in query(paths.db_path(), "SELECT name FROM sqlite_master")}
    assert names >= TABLES
    assert query(paths.db_path(), "PRAGMA journal_mode") == [("wal",)]
    assert query(paths.db_path(), "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    applied = query(paths.db_path(), "SELECT name FROM _sqlite_migrations ORDER BY id")
    assert [r[0] for r in applied] == list(KNOWN_MIGRATIONS)


def test_open_creates_missing_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "library.db"
    with Store.open(path) as store:
        store.create_prompt("x")
    assert path.is_file()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    with Store.open(path) as store:
        store.create_prompt("kept")
    before = query(path, "SELECT id, name, applied_at FROM _sqlite_migrations ORDER BY id")
    for _ in range(2):
        with Store.open(path) as store:
            assert [p.name for p in store.list_prompts()] == ["kept"]
    after = query(path, "SELECT id, name, applied_at FROM _sqlite_migrations ORDER BY id")
    assert after == before
    assert len(after) == SCHEMA_VERSION


def test_an_older_library_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    with Database(path, execute_plugins=False) as db:
        MIGRATIONS.apply(db, stop_before=KNOWN_MIGRATIONS[3])
        db.execute(
            "INSERT INTO prompts (name, name_key, created, updated) VALUES ('old', 'old', 't', 't')"
        )
        db.execute("PRAGMA user_version = 3")
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [p.name for p in store.list_prompts()] == ["old"]
        old = store.get_prompt("old")
        assert store.save_version(old.id, make_doc(name="old")).version.number == 1


def _newer_library(path: Path, sql: str) -> None:
    with Store.open(path) as store:
        store.create_prompt("mine")
    conn = raw(path)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "sql",
    [
        f"PRAGMA user_version = {SCHEMA_VERSION + 1}",
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('playground', 'm999_from_the_future', '2030-01-01')",
    ],
    ids=["user_version", "unknown_migration"],
)
def test_a_newer_library_is_refused_and_left_untouched(tmp_path: Path, sql: str) -> None:
    path = tmp_path / "library.db"
    _newer_library(path, sql)
    before = fingerprint(path)
    with pytest.raises(DatabaseTooNewError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert "written by a newer version of Prompt Playground" in message
    assert f"this version knows up to {SCHEMA_VERSION})" in message
    assert f"schema {SCHEMA_VERSION + 1};" in message
    assert "The file was not changed." in message
    assert fingerprint(path) == before


def test_a_newer_library_with_a_leftover_wal_is_not_checkpointed(tmp_path: Path) -> None:
    # A process that dies leaves its commits in the -wal file. Opening that
    # read-write and closing it would copy them into the main file.
    path = tmp_path / "library.db"
    with Store.open(path) as store:
        store.create_prompt("mine")
    script = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1])\n"
        f"conn.execute('PRAGMA user_version = {SCHEMA_VERSION + 5}')\n"
        "conn.commit()\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    assert Path(f"{path}-wal").stat().st_size > 0
    before = fingerprint(path)
    with pytest.raises(DatabaseTooNewError, match=rf"schema {SCHEMA_VERSION + 5};"):
        Store.open(path)
    assert fingerprint(path) == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    path.write_bytes(b"This is a shopping list, not a database.\n" * 200)
    before = fingerprint(path)
    with pytest.raises(DatabaseCorruptError, match="is not a Prompt Playground library"):
        Store.open(path)
    assert fingerprint(path) == before


def test_someone_elses_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = raw(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.close()
    before = fingerprint(path)
    with pytest.raises(StoreError, match="not a Prompt Playground library"):
        Store.open(path)
    assert fingerprint(path) == before


def test_a_damaged_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    with Store.open(path) as store:
        for i in range(40):
            prompt = store.create_prompt(f"prompt {i}")
            store.save_version(prompt.id, make_doc("text " * 500 + str(i)))
    page_size = query(path, "PRAGMA page_size")[0][0]
    assert isinstance(page_size, int)
    data = bytearray(path.read_bytes())
    # Page 1 (the header and schema) stays intact; the pages after it are garbage.
    data[page_size:] = b"\xa5" * (len(data) - page_size)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorruptError, match="damaged"):
        _read_everything(path)


def _read_everything(path: Path) -> None:
    with Store.open(path) as store:
        for prompt in store.list_prompts():
            store.get_version(prompt.id)


def test_disk_full_is_reported_and_nothing_is_half_written(store: Store) -> None:
    prompt = store.create_prompt("big")
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DiskFullError, match="disk is full") as caught:
        store.save_version(prompt.id, make_doc("word " * 50_000))
    assert str(store.path) in str(caught.value)
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.list_versions(prompt.id) == []
    assert store._conn.execute("SELECT count(*) FROM version_search").fetchone() == (0,)
    assert store.integrity_check() == "ok"
    assert store.save_version(prompt.id, make_doc("word " * 50_000)).version.number == 1


def test_a_read_only_connection_is_reported(store: Store) -> None:
    store.create_prompt("first")
    store._conn.execute("PRAGMA query_only = ON")
    with pytest.raises(ReadOnlyError, match="read-only"):
        store.create_prompt("second")
    assert [p.name for p in store.list_prompts()] == ["first"]


def test_an_immutable_file_is_reported_as_read_only(tmp_path: Path) -> None:
    # Tests run as root, so chmod does not stop writes; the immutable
    # attribute does, where the file system and capabilities allow it.
    path = tmp_path / "library.db"
    with Store.open(path) as store:
        store.create_prompt("first")
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode:
        pytest.skip("cannot make a file immutable here")
    try:
        with Store.open(path) as store:
            assert [p.name for p in store.list_prompts()] == ["first"]
            with pytest.raises(ReadOnlyError, match=r"is read-only, so the change was not saved"):
                store.create_prompt("second")
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_a_path_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    with pytest.raises(ReadOnlyError, match="could not be opened"):
        Store.open(folder)
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    with pytest.raises(ReadOnlyError, match="could not be created"):
        Store.open(a_file / "library.db")


def test_a_held_write_lock_is_reported_as_busy(store: Store) -> None:
    store.create_prompt("first")
    other = raw(store.path)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "INSERT INTO prompts (name, name_key, created, updated) VALUES ('x', 'x', 't', 't')"
        )
        store._conn.execute("PRAGMA busy_timeout = 100")
        with pytest.raises(DatabaseBusyError) as caught:
            store.create_prompt("second")
        assert str(caught.value) == "The library is busy in another window or process; try again."
        # WAL: readers are not blocked by the writer and do not see its work.
        assert [p.name for p in store.list_prompts()] == ["first"]
        other.rollback()
    finally:
        other.close()
    store.create_prompt("second")
    assert [p.name for p in store.list_prompts()] == ["first", "second"]


def test_other_sqlite_errors_are_bugs_not_user_errors(tmp_path: Path) -> None:
    assert translate_error(sqlite3.OperationalError("no such table: x"), tmp_path) is None
    assert translate_error(sqlite3.IntegrityError("UNIQUE constraint failed"), tmp_path) is None


def test_integrity_check_reports_problems(store: Store) -> None:
    prompt = store.create_prompt("p")
    assert store.integrity_check() == "ok"
    store._conn.execute("PRAGMA foreign_keys = OFF")
    store._conn.execute("UPDATE drafts SET prompt_id = 999 WHERE prompt_id = ?", [prompt.id])
    store._conn.commit()
    assert "foreign key: drafts" in store.integrity_check()
