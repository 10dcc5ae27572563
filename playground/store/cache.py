"""The response cache: a provider's answer to an identical request, reused.

The caller computes the key (a sha256 hex digest of everything that decides
the answer) and serialises the response; the store keeps both opaque. Nothing
secret belongs in either: a key never goes into a cache.

Writers expect to run inside ``db.write_transaction``.
"""

from __future__ import annotations

import json
import re
import sqlite3

from playground.store.db import utc_now

__all__ = ["cache_clear", "cache_get", "cache_put", "check_cache_key"]

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def check_cache_key(key: str) -> str:
    """``key`` if it is a lower-case sha256 hex digest; a ``ValueError`` (a caller's bug) if not."""
    if not _SHA256_HEX.match(key):
        raise ValueError(f"a cache key is a lower-case sha256 hex digest, not {key[:80]!r}")
    return key


def cache_get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute(
        "SELECT response_json FROM response_cache WHERE key = ?", [check_cache_key(key)]
    ).fetchone()
    return None if row is None else str(row[0])


def cache_put(
    conn: sqlite3.Connection, key: str, provider: str, model: str, response_json: str
) -> None:
    """Store (or replace) the response for ``key``."""
    check_cache_key(key)
    try:
        json.loads(response_json)
    except ValueError as exc:
        raise ValueError(f"response_json is not JSON: {exc}") from None
    conn.execute(
        """
        INSERT INTO response_cache (key, provider, model, response_json, created)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET
            provider = excluded.provider,
            model = excluded.model,
            response_json = excluded.response_json,
            created = excluded.created
        """,
        [key, provider, model, response_json, utc_now()],
    )


def cache_clear(conn: sqlite3.Connection) -> int:
    """Delete every cached response; returns how many there were."""
    return conn.execute("DELETE FROM response_cache").rowcount
