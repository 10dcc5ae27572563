"""The library schema, as an ordered list of small named migrations.

Each migration is a function registered on :data:`MIGRATIONS` (a
``sqlite_utils.Migrations`` set called ``"playground"``). ``db.open_database``
applies the pending ones once, when the database is opened, inside one
``BEGIN IMMEDIATE`` transaction; sqlite-utils records each name in
``_sqlite_migrations`` as it goes, and ``PRAGMA user_version`` is then set to
:data:`SCHEMA_VERSION`, the number of migrations this version knows.

NEVER EDIT A RELEASED MIGRATION. Users' databases have already run it; a
changed body would never run for them and the schemas would drift apart.
Add a new migration at the end instead, and keep the old ones byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

__all__ = ["KNOWN_MIGRATIONS", "MIGRATIONS", "MIGRATION_SET", "SCHEMA_VERSION"]

MIGRATION_SET = "playground"
MIGRATIONS = Migrations(MIGRATION_SET)

_names: list[str] = []


def _migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    MIGRATIONS()(fn)
    _names.append(fn.__name__)
    return fn


def _run(db: Database, *statements: str) -> None:
    # One statement per execute(): sqlite3's executescript() would commit the
    # surrounding transaction first.
    for sql in statements:
        db.execute(sql)


@_migration
def m001_prompts(db: Database) -> None:
    # name_key is the case-folded name: SQLite's NOCASE only folds ASCII.
    _run(
        db,
        """
        CREATE TABLE prompts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))
        )
        """,
    )


@_migration
def m002_versions(db: Database) -> None:
    # UNIQUE (id, prompt_id) looks redundant, but it is what lets the composite
    # foreign keys below and in later tables say "a version of the same prompt".
    _run(
        db,
        """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            prompt_id INTEGER NOT NULL REFERENCES prompts (id),
            number INTEGER NOT NULL CHECK (number >= 1),
            parent_id INTEGER,
            content TEXT NOT NULL,
            hash TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            UNIQUE (prompt_id, number),
            UNIQUE (id, prompt_id),
            FOREIGN KEY (parent_id, prompt_id) REFERENCES versions (id, prompt_id)
        )
        """,
        """
        CREATE TRIGGER versions_number_in_sequence BEFORE INSERT ON versions
        WHEN NEW.number <> 1 + coalesce(
            (SELECT max(number) FROM versions WHERE prompt_id = NEW.prompt_id), 0)
        BEGIN
            SELECT RAISE(ABORT, 'version numbers must count up from 1 without gaps');
        END
        """,
        """
        CREATE TRIGGER versions_immutable_update BEFORE UPDATE ON versions
        BEGIN
            SELECT RAISE(ABORT, 'versions are immutable: save a new version instead');
        END
        """,
        """
        CREATE TRIGGER versions_immutable_delete BEFORE DELETE ON versions
        BEGIN
            SELECT RAISE(ABORT, 'versions are immutable: archive the prompt instead');
        END
        """,
    )


@_migration
def m003_labels(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE labels (
            prompt_id INTEGER NOT NULL REFERENCES prompts (id),
            name TEXT NOT NULL,
            version_id INTEGER NOT NULL,
            updated TEXT NOT NULL,
            PRIMARY KEY (prompt_id, name),
            FOREIGN KEY (version_id, prompt_id) REFERENCES versions (id, prompt_id)
        )
        """,
        "CREATE INDEX labels_version ON labels (version_id)",
    )


@_migration
def m004_drafts(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE drafts (
            prompt_id INTEGER PRIMARY KEY REFERENCES prompts (id),
            content TEXT NOT NULL,
            hash TEXT NOT NULL,
            base_version_id INTEGER,
            updated TEXT NOT NULL,
            FOREIGN KEY (base_version_id, prompt_id) REFERENCES versions (id, prompt_id)
        )
        """,
    )


@_migration
def m005_runs(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            prompt_id INTEGER NOT NULL REFERENCES prompts (id),
            version_id INTEGER,
            content_hash TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            target_json TEXT NOT NULL,
            request_json TEXT NOT NULL,
            variables_json TEXT NOT NULL,
            output TEXT NOT NULL,
            finish_reason TEXT,
            tokens_in INTEGER,
            tokens_out INTEGER,
            tokens_estimated INTEGER NOT NULL DEFAULT 0 CHECK (tokens_estimated IN (0, 1)),
            ttft_ms REAL,
            total_ms REAL,
            cost REAL,
            status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),
            error TEXT,
            created TEXT NOT NULL,
            FOREIGN KEY (version_id, prompt_id) REFERENCES versions (id, prompt_id)
        )
        """,
        "CREATE INDEX runs_prompt ON runs (prompt_id, id)",
        "CREATE INDEX runs_version ON runs (version_id, id)",
    )


@_migration
def m006_version_search(db: Database) -> None:
    # The text of each version, rowid = versions.id. body is a plain-text
    # rendering (see search.document_text), never the raw JSON, whose escapes
    # and keys would pollute the tokens. Versions are immutable, so rows are
    # only ever added, by save_version in the version's own transaction.
    _run(
        db,
        """
        CREATE VIRTUAL TABLE version_search USING fts5 (
            body,
            tokenize = 'unicode61 remove_diacritics 2'
        )
        """,
    )


@_migration
def m007_run_search(db: Database) -> None:
    # Run outputs, indexed straight from runs.output (external content, so the
    # text is not stored twice); rowid = runs.id. The triggers keep the index
    # in step inside the same transaction as the row.
    _run(
        db,
        """
        CREATE VIRTUAL TABLE run_search USING fts5 (
            output,
            content = 'runs',
            content_rowid = 'id',
            tokenize = 'unicode61 remove_diacritics 2'
        )
        """,
        """
        CREATE TRIGGER runs_search_insert AFTER INSERT ON runs
        BEGIN
            INSERT INTO run_search (rowid, output) VALUES (NEW.id, NEW.output);
        END
        """,
        """
        CREATE TRIGGER runs_search_delete AFTER DELETE ON runs
        BEGIN
            INSERT INTO run_search (run_search, rowid, output)
            VALUES ('delete', OLD.id, OLD.output);
        END
        """,
        """
        CREATE TRIGGER runs_search_update AFTER UPDATE OF output ON runs
        BEGIN
            INSERT INTO run_search (run_search, rowid, output)
            VALUES ('delete', OLD.id, OLD.output);
            INSERT INTO run_search (rowid, output) VALUES (NEW.id, NEW.output);
        END
        """,
    )


@_migration
def m008_provider_configs(db: Database) -> None:
    # Provider configurations the user added or overrode; the built-ins live in
    # code (core.provider_config). There is deliberately no column a key could
    # go in: keys live in the OS keyring or the environment, never here.
    _run(
        db,
        """
        CREATE TABLE provider_configs (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('openai', 'anthropic', 'openai-compatible')),
            base_url TEXT,
            key_env TEXT,
            default_models TEXT NOT NULL DEFAULT '[]'
                CHECK (json_valid(default_models) AND json_type(default_models) = 'array'),
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )
        """,
    )


@_migration
def m009_response_cache(db: Database) -> None:
    # Provider responses keyed by a sha256 of the request, computed by the
    # caller; response_json is the caller's serialised result, opaque here.
    _run(
        db,
        """
        CREATE TABLE response_cache (
            key TEXT PRIMARY KEY
                CHECK (length(key) = 64 AND key NOT GLOB '*[^0-9a-f]*'),
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            response_json TEXT NOT NULL,
            created TEXT NOT NULL
        )
        """,
    )


#: Names of the migrations this version knows, in order.
KNOWN_MIGRATIONS: tuple[str, ...] = tuple(_names)
#: The schema version this code writes: the number of known migrations.
SCHEMA_VERSION = len(KNOWN_MIGRATIONS)
