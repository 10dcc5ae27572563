"""The :class:`Store`: the one object the app, CLI and tests use to reach the library.

Each public method is one transaction: writes take ``BEGIN IMMEDIATE``, reads
run in a deferred transaction so they see a single snapshot even while
another process writes. sqlite3 errors a user can fix come out as
:class:`playground.core.errors.StoreError` subclasses; anything else is a bug
and propagates unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import EllipsisType, TracebackType

from sqlite_utils import Database

from playground import paths
from playground.core.document import PromptDocument
from playground.core.errors import ConflictError, NotFoundError, ReadOnlyError
from playground.core.provider_config import ProviderConfig
from playground.store import cache, prompts, provider_configs, runs, search, versions
from playground.store.db import open_database, translate_errors, write_transaction
from playground.store.models import (
    Draft,
    PromptInfo,
    Run,
    RunRecord,
    SaveResult,
    SearchHit,
    Version,
    VersionInfo,
)

__all__ = ["Store"]


class Store:
    """The prompt library: prompts, versions, labels, drafts, runs, search,
    provider configurations and the response cache.

    Open it with :meth:`open` and close it when done (it is a context
    manager). A Store holds one SQLite connection, which must only be used
    from the thread that opened it.
    """

    def __init__(self, db: Database, path: Path) -> None:
        """Wrap an already opened and migrated database; use :meth:`open` instead."""
        self._db = db
        self._conn = db.conn
        self.path = path

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open the library at ``path`` (default: ``paths.db_path()``), creating it if needed."""
        try:
            path = paths.db_path() if path is None else Path(path).absolute()
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = path.parent if path is not None else paths.data_dir(create=False)
            raise ReadOnlyError(
                f"The folder for the library ({where}) could not be created: {exc.strerror}."
            ) from exc
        with translate_errors(path):
            db = open_database(path)
        return cls(db, path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {str(self.path)!r}>"

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file (``PRAGMA user_version``)."""
        with self._reading() as conn:
            version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        return version

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with translate_errors(self.path), write_transaction(self._conn) as conn:
            yield conn

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with translate_errors(self.path):
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                if self._conn.in_transaction:
                    self._conn.execute("COMMIT")

    # ------------------------------------------------------------ prompts

    def create_prompt(self, name: str, document: PromptDocument | None = None) -> PromptInfo:
        """Create a prompt whose draft is ``document`` (or an empty document)."""
        with self._writing() as conn:
            return prompts.create_prompt(conn, name, document)

    def get_or_create_prompt(self, name: str, document: PromptDocument | None = None) -> PromptInfo:
        """The prompt called ``name``, created (with ``document`` as its draft) if new.

        Safe when another process creates the same name at the same moment.
        """
        try:
            return self.get_prompt(name)
        except NotFoundError:
            pass
        try:
            return self.create_prompt(name, document)
        except ConflictError:  # another process won the race; use its prompt
            return self.get_prompt(name)

    def list_prompts(self, *, include_archived: bool = False) -> list[PromptInfo]:
        """Prompts ordered by name, ignoring case."""
        with self._reading() as conn:
            return prompts.list_prompts(conn, include_archived=include_archived)

    def get_prompt(self, name_or_id: str | int) -> PromptInfo:
        """A prompt by id, or by name ignoring case."""
        with self._reading() as conn:
            return prompts.get_prompt(conn, name_or_id)

    def rename_prompt(self, prompt_id: int, new_name: str) -> PromptInfo:
        """Rename a prompt; its draft document takes the new name too."""
        with self._writing() as conn:
            return prompts.rename_prompt(conn, prompt_id, new_name)

    def duplicate_prompt(self, prompt_id: int, new_name: str) -> PromptInfo:
        """A new prompt whose draft is a copy of this one's draft; no versions are copied."""
        with self._writing() as conn:
            return prompts.duplicate_prompt(conn, prompt_id, new_name)

    def set_archived(self, prompt_id: int, archived: bool) -> None:
        with self._writing() as conn:
            prompts.set_archived(conn, prompt_id, archived)

    # ------------------------------------------------------------ versions

    def save_version(
        self, prompt_id: int, document: PromptDocument, message: str = ""
    ) -> SaveResult:
        """Save ``document`` as the next version (unless identical to the latest)."""
        with self._writing() as conn:
            return versions.save_version(conn, prompt_id, document, message)

    def list_versions(self, prompt_id: int) -> list[VersionInfo]:
        """Every version of a prompt, newest first."""
        with self._reading() as conn:
            return versions.list_versions(conn, prompt_id)

    def get_version(
        self, prompt_id: int, number: int | None = None, *, label: str | None = None
    ) -> Version:
        """Version ``number``, or the one ``label`` points at, or else the latest."""
        with self._reading() as conn:
            return versions.get_version(conn, prompt_id, number, label)

    def version_by_id(self, version_id: int) -> Version:
        with self._reading() as conn:
            return versions.version_by_id(conn, version_id)

    # ------------------------------------------------------------ labels

    def set_label(self, prompt_id: int, label: str, number: int) -> None:
        """Point ``label`` at version ``number`` of the prompt, creating or moving it."""
        with self._writing() as conn:
            versions.set_label(conn, prompt_id, label, number)

    def remove_label(self, prompt_id: int, label: str) -> None:
        with self._writing() as conn:
            versions.remove_label(conn, prompt_id, label)

    def labels(self, prompt_id: int) -> dict[str, int]:
        """Label name -> version number."""
        with self._reading() as conn:
            return versions.labels(conn, prompt_id)

    # ------------------------------------------------------------ drafts

    def save_draft(
        self,
        prompt_id: int,
        document: PromptDocument,
        base_version: int | EllipsisType | None = ...,
    ) -> Draft:
        """Autosave the working copy; the base version is kept unless one is given."""
        with self._writing() as conn:
            return prompts.save_draft(conn, prompt_id, document, base_version)

    def get_draft(self, prompt_id: int) -> Draft | None:
        with self._reading() as conn:
            return prompts.get_draft(conn, prompt_id)

    def restore_version(
        self, prompt_id: int, number: int, *, discard_unsaved: bool = False
    ) -> Draft:
        """Make an old version the draft. No version is created or changed, and a draft
        with unsaved edits is kept (ConflictError) unless ``discard_unsaved``."""
        with self._writing() as conn:
            return prompts.restore_version(conn, prompt_id, number, discard_unsaved=discard_unsaved)

    # ------------------------------------------------------------ runs

    def record_run(self, run: RunRecord) -> int:
        """Store a finished (or failed, or cancelled) run and return its id."""
        with self._writing() as conn:
            return runs.record_run(conn, run)

    def get_run(self, run_id: int) -> Run:
        with self._reading() as conn:
            return runs.get_run(conn, run_id)

    def list_runs(
        self, prompt_id: int, *, version_number: int | None = None, limit: int = 100
    ) -> list[Run]:
        """Runs of a prompt, or of one of its versions, newest first."""
        with self._reading() as conn:
            return runs.list_runs(conn, prompt_id, version_number=version_number, limit=limit)

    # ------------------------------------------------------------ search

    def search(
        self, text: str, *, limit: int = 50, include_archived: bool = False
    ) -> list[SearchHit]:
        """Versions (the newest match per prompt) and run outputs matching ``text``, best first.

        ``text`` is free text, never query syntax; the last word matches as a prefix.
        """
        with self._reading() as conn:
            return search.search(conn, text, limit=limit, include_archived=include_archived)

    # ------------------------------------------------------------ providers

    def provider_configs(self) -> list[ProviderConfig]:
        """Every provider: the built-ins (each replaced by a stored override), then the user's."""
        with self._reading() as conn:
            return provider_configs.list_provider_configs(conn)

    def provider_config(self, name: str) -> ProviderConfig:
        """One provider by name; :class:`NotFoundError` lists the known names."""
        with self._reading() as conn:
            return provider_configs.get_provider_config(conn, name)

    def save_provider_config(self, config: ProviderConfig) -> ProviderConfig:
        """Add or replace a provider (a built-in's name overrides it); returns what was stored.

        The name, base URL (http or https, no credentials) and key variable name
        are checked first, with a :class:`PlaygroundError` that says what to fix.
        """
        checked = provider_configs.normalize_provider_config(config)
        with self._writing() as conn:
            return provider_configs.save_provider_config(conn, checked)

    def remove_provider_config(self, name: str) -> None:
        """Remove a stored provider; removing a built-in's override restores the built-in."""
        with self._writing() as conn:
            provider_configs.remove_provider_config(conn, name)

    # ------------------------------------------------------------ response cache

    def cache_get(self, key: str) -> str | None:
        """The cached response for ``key`` (a sha256 hex digest), or ``None``."""
        with self._reading() as conn:
            return cache.cache_get(conn, key)

    def cache_put(self, key: str, provider: str, model: str, response_json: str) -> None:
        """Cache ``response_json`` under ``key``, replacing any earlier entry."""
        with self._writing() as conn:
            cache.cache_put(conn, key, provider, model, response_json)

    def cache_clear(self) -> int:
        """Empty the response cache; returns the number of entries removed."""
        with self._writing() as conn:
            return cache.cache_clear(conn)

    # ------------------------------------------------------------ maintenance

    def integrity_check(self) -> str:
        """``'ok'``, or the problems SQLite finds in the file, one per line."""
        with self._reading() as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if problems == ["ok"]:
                problems = []
            problems.extend(
                f"foreign key: {table} row {rowid} points at a missing {parent}"
                for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
            )
        return "\n".join(problems) or "ok"
