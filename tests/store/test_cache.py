"""The response cache: put, get, replace, clear, and what it refuses."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from playground.core.errors import ReadOnlyError
from playground.store import Store


def key_for(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


RESPONSE = json.dumps({"text": "Hello from gpt.", "usage": {"in": 3, "out": 4}})


def test_a_miss_is_none(store: Store) -> None:
    assert store.cache_get(key_for("never stored")) is None


def test_put_then_get_round_trips(store: Store) -> None:
    key = key_for("request 1")
    store.cache_put(key, "openai", "gpt-4o-mini", RESPONSE)
    assert store.cache_get(key) == RESPONSE
    row = store._conn.execute(
        "SELECT provider, model, created FROM response_cache WHERE key = ?", [key]
    ).fetchone()
    assert row[:2] == ("openai", "gpt-4o-mini")
    assert row[2].endswith("Z")


def test_it_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    key = key_for("persist")
    with Store.open(path) as store:
        store.cache_put(key, "anthropic", "claude-3-5-haiku", RESPONSE)
    with Store.open(path) as store:
        assert store.cache_get(key) == RESPONSE


def test_putting_the_same_key_again_replaces_the_entry(store: Store) -> None:
    key = key_for("same")
    store.cache_put(key, "openai", "a", '{"v": 1}')
    store.cache_put(key, "openai", "b", '{"v": 2}')
    assert store.cache_get(key) == '{"v": 2}'
    assert store._conn.execute("SELECT count(*), max(model) FROM response_cache").fetchone() == (
        1,
        "b",
    )


def test_clear_empties_the_cache_and_counts(store: Store) -> None:
    keys = [key_for(f"r{i}") for i in range(3)]
    for key in keys:
        store.cache_put(key, "ollama", "llama3.2:3b", RESPONSE)
    assert store.cache_clear() == 3
    assert [store.cache_get(k) for k in keys] == [None, None, None]
    assert store.cache_clear() == 0


def test_clearing_leaves_the_rest_of_the_library_alone(store: Store) -> None:
    prompt = store.create_prompt("kept")
    store.cache_put(key_for("x"), "openai", "m", RESPONSE)
    store.cache_clear()
    assert store.get_prompt("kept") == prompt


@pytest.mark.parametrize(
    "key", ["", "abc", "A" * 64, "g" * 64, key_for("x") + "0", " " + key_for("x")[1:]]
)
def test_a_key_that_is_not_a_sha256_hex_digest_is_a_bug(store: Store, key: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        store.cache_put(key, "openai", "m", RESPONSE)
    with pytest.raises(ValueError, match="sha256"):
        store.cache_get(key)


def test_the_database_checks_the_key_too(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute(
            "INSERT INTO response_cache VALUES ('not-a-digest', 'p', 'm', '{}', 't')"
        )


def test_a_response_that_is_not_json_is_a_bug(store: Store) -> None:
    with pytest.raises(ValueError, match="not JSON"):
        store.cache_put(key_for("x"), "openai", "m", "Hello, not JSON")
    assert store.cache_get(key_for("x")) is None


def test_writes_go_through_the_write_transaction(store: Store) -> None:
    # A read-only connection must turn a cache write into the friendly error,
    # which only the store's write path does.
    store._conn.execute("PRAGMA query_only = ON")
    try:
        with pytest.raises(ReadOnlyError):
            store.cache_put(key_for("x"), "openai", "m", RESPONSE)
        with pytest.raises(ReadOnlyError):
            store.cache_clear()
    finally:
        store._conn.execute("PRAGMA query_only = OFF")
    assert not store._conn.in_transaction
