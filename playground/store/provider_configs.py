"""Provider configurations the user added, or saved over a built-in one.

The built-in presets (:data:`~playground.core.provider_config.BUILTIN_PROVIDERS`)
live in code and always exist; a stored configuration with a built-in's name
replaces it until it is removed. Keys are not part of a configuration and the
table has nowhere to put one (see ``playground.keystore``).

Writers expect to run inside ``db.write_transaction``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import urlsplit

from playground.core.errors import NotFoundError, PlaygroundError
from playground.core.provider_config import (
    BUILTIN_PROVIDERS,
    KINDS,
    ProviderConfig,
    validate_provider_name,
)
from playground.store.db import utc_now

__all__ = [
    "get_provider_config",
    "list_provider_configs",
    "normalize_provider_config",
    "remove_provider_config",
    "save_provider_config",
]

_BUILTINS = {c.name: c for c in BUILTIN_PROVIDERS}
# Upper case by convention, and so that a key pasted by mistake (keys mix
# cases) is refused instead of stored as if it were a variable name.
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
_MAX_MODEL_ID = 200

_COLUMNS = "name, kind, base_url, key_env, default_models"


def normalize_provider_config(config: ProviderConfig) -> ProviderConfig:
    """``config`` checked and tidied as it would be stored, or a :class:`PlaygroundError`."""
    name = validate_provider_name(config.name.strip())
    if config.kind not in KINDS:
        raise PlaygroundError(
            f"'{config.kind}' is not a provider kind: use one of {', '.join(KINDS)}"
        )
    base_url = _check_base_url(name, config.base_url)
    if config.kind == "openai-compatible" and base_url is None:
        raise PlaygroundError(
            f"Provider '{name}' is OpenAI-compatible, so it needs a base URL, "
            "e.g. http://localhost:8000/v1"
        )
    key_env = _check_key_env(config.key_env)
    models = _check_models(config.default_models)
    return ProviderConfig(
        name=name,
        kind=config.kind,
        base_url=base_url,
        key_env=key_env,
        default_models=models,
        key_required=_key_required(config.kind, key_env),
        builtin=False,
    )


def _key_required(kind: str, key_env: str | None) -> bool:
    # The hosted protocols always need a key. An OpenAI-compatible server
    # needs one when the user said where it comes from; local servers usually
    # accept none (a key stored in the keyring is still sent when there is one).
    return kind != "openai-compatible" or key_env is not None


def _check_base_url(name: str, base_url: str | None) -> str | None:
    if base_url is None or not base_url.strip():
        return None
    url = base_url.strip()
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlaygroundError(
            f"The base URL of '{name}' must be an http:// or https:// URL with a host, "
            "e.g. http://localhost:11434/v1"
        )
    if any(ch.isspace() for ch in url):
        raise PlaygroundError(f"The base URL of '{name}' must not contain spaces")
    if parts.username is not None or parts.password is not None:
        # Never echo the URL here: the part before '@' may well be a key.
        raise PlaygroundError(
            f"The base URL of '{name}' must not contain a user name or password; "
            f"store the key with `playground keys set {name}` instead"
        )
    if parts.query or parts.fragment:
        raise PlaygroundError(
            f"The base URL of '{name}' must not have a query string or fragment "
            "(a key never belongs in a URL; keys go in the keyring)"
        )
    return url.rstrip("/")


def _check_key_env(key_env: str | None) -> str | None:
    if key_env is None or not key_env.strip():
        return None
    if not _ENV_NAME.match(key_env.strip()):
        # Not echoed: what was typed here may be the key itself.
        raise PlaygroundError(
            "The key's environment variable must be a variable name such as MY_API_KEY: "
            "upper-case letters, digits and '_', not starting with a digit "
            "(the key itself goes in the keyring, not here)"
        )
    return key_env.strip()


def _check_models(models: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for model in models:
        model = model.strip()
        if not model or len(model) > _MAX_MODEL_ID or any(ch.isspace() for ch in model):
            raise PlaygroundError(
                f"'{model}' is not a model id: ids are 1 to {_MAX_MODEL_ID} characters "
                "without spaces"
            )
        seen.setdefault(model, None)
    return tuple(seen)


def _from_row(row: tuple[str, str, str | None, str | None, str]) -> ProviderConfig:
    name, kind, base_url, key_env, models = row
    if kind not in KINDS:  # the CHECK constraint makes this a bug
        raise ValueError(f"provider_configs row {name!r} has unknown kind {kind!r}")
    return ProviderConfig(
        name=name,
        kind=kind,
        base_url=base_url,
        key_env=key_env,
        default_models=tuple(json.loads(models)),
        key_required=_key_required(kind, key_env),
        builtin=False,
    )


def _stored(conn: sqlite3.Connection) -> dict[str, ProviderConfig]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM provider_configs ORDER BY name").fetchall()
    return {row[0]: _from_row(row) for row in rows}


def list_provider_configs(conn: sqlite3.Connection) -> list[ProviderConfig]:
    """The built-ins in their usual order (each replaced by its override, if any),
    then the user's own providers by name."""
    stored = _stored(conn)
    merged = [stored.pop(c.name, c) for c in BUILTIN_PROVIDERS]
    return merged + list(stored.values())


def get_provider_config(conn: sqlite3.Connection, name: str) -> ProviderConfig:
    row = conn.execute(f"SELECT {_COLUMNS} FROM provider_configs WHERE name = ?", [name]).fetchone()
    if row is not None:
        return _from_row(row)
    if name in _BUILTINS:
        return _BUILTINS[name]
    known = ", ".join(c.name for c in list_provider_configs(conn))
    raise NotFoundError(f"No provider named '{name}'. Known providers: {known}.")


def save_provider_config(conn: sqlite3.Connection, config: ProviderConfig) -> ProviderConfig:
    """Add ``config``, or replace the stored one of that name; returns what was stored."""
    config = normalize_provider_config(config)
    now = utc_now()
    conn.execute(
        """
        INSERT INTO provider_configs
            (name, kind, base_url, key_env, default_models, created, updated)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET
            kind = excluded.kind,
            base_url = excluded.base_url,
            key_env = excluded.key_env,
            default_models = excluded.default_models,
            updated = excluded.updated
        """,
        [
            config.name,
            config.kind,
            config.base_url,
            config.key_env,
            json.dumps(list(config.default_models), ensure_ascii=False),
            now,
            now,
        ],
    )
    return config


def remove_provider_config(conn: sqlite3.Connection, name: str) -> None:
    """Delete a stored configuration; removing a built-in's override restores the built-in."""
    deleted = conn.execute("DELETE FROM provider_configs WHERE name = ?", [name]).rowcount
    if deleted:
        return
    if name in _BUILTINS:
        raise PlaygroundError(
            f"'{name}' is a built-in provider, and built-in providers cannot be removed "
            "(only your changes to one can)"
        )
    get_provider_config(conn, name)  # raises NotFoundError listing the known names
