"""Provider configurations in the store: built-ins, overrides, validation, and no keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from playground.core.errors import NotFoundError, PlaygroundError
from playground.core.provider_config import BUILTIN_PROVIDERS, ProviderConfig
from playground.store import SCHEMA_VERSION, Store
from playground.store.migrations import KNOWN_MIGRATIONS, MIGRATIONS

from .conftest import make_doc

BUILTIN_NAMES = [c.name for c in BUILTIN_PROVIDERS]


def together(**changes: object) -> ProviderConfig:
    fields: dict[str, object] = {
        "name": "together",
        "kind": "openai-compatible",
        "base_url": "https://api.together.xyz/v1",
        "key_env": "TOGETHER_API_KEY",
        "default_models": ("meta-llama/Llama-3-8b-chat-hf",),
    }
    fields.update(changes)
    return ProviderConfig(**fields)  # type: ignore[arg-type]


def test_a_new_library_lists_exactly_the_builtins(store: Store) -> None:
    assert store.provider_configs() == list(BUILTIN_PROVIDERS)
    assert store.provider_config("anthropic").key_env == "ANTHROPIC_API_KEY"
    assert store.provider_config("ollama").key_required is False


def test_a_custom_provider_round_trips(store: Store) -> None:
    saved = store.save_provider_config(together())
    assert saved == together(key_required=True)
    assert store.provider_config("together") == saved
    assert store.provider_configs()[-1] == saved
    assert [c.name for c in store.provider_configs()] == [*BUILTIN_NAMES, "together"]


def test_it_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    with Store.open(path) as store:
        store.save_provider_config(together(default_models=("a", "b:7b", "a")))
    with Store.open(path) as store:
        assert store.provider_config("together").default_models == ("a", "b:7b")


def test_saving_again_replaces_and_keeps_the_created_time(store: Store) -> None:
    store.save_provider_config(together())
    created = store._conn.execute("SELECT created FROM provider_configs").fetchone()[0]
    store.save_provider_config(together(base_url="https://other.example/v1/", key_env=None))
    config = store.provider_config("together")
    assert config.base_url == "https://other.example/v1"  # trailing slash tidied
    assert config.key_env is None
    assert config.key_required is False  # openai-compatible with no variable: a local server
    row = store._conn.execute("SELECT created, updated FROM provider_configs").fetchall()
    assert len(row) == 1
    assert row[0][0] == created


def test_custom_providers_are_listed_by_name_after_the_builtins(store: Store) -> None:
    for name in ("zeta", "alpha", "mid"):
        store.save_provider_config(together(name=name))
    assert [c.name for c in store.provider_configs()] == [*BUILTIN_NAMES, "alpha", "mid", "zeta"]


def test_a_stored_config_overrides_a_builtin_in_place(store: Store) -> None:
    override = ProviderConfig("ollama", "openai-compatible", base_url="http://gpu-box:11434/v1")
    store.save_provider_config(override)
    configs = store.provider_configs()
    assert [c.name for c in configs] == BUILTIN_NAMES
    ollama = store.provider_config("ollama")
    assert ollama.base_url == "http://gpu-box:11434/v1"
    assert ollama.builtin is False
    assert configs[BUILTIN_NAMES.index("ollama")] == ollama


def test_removing_an_override_restores_the_builtin(store: Store) -> None:
    store.save_provider_config(ProviderConfig("openai", "openai", base_url="http://proxy:1/v1"))
    assert store.provider_config("openai").base_url == "http://proxy:1/v1"
    store.remove_provider_config("openai")
    assert store.provider_config("openai") == BUILTIN_PROVIDERS[0]


def test_a_builtin_cannot_be_removed(store: Store) -> None:
    with pytest.raises(PlaygroundError, match="built-in providers cannot be removed"):
        store.remove_provider_config("anthropic")
    assert store.provider_config("anthropic").builtin is True


def test_removing_a_custom_provider(store: Store) -> None:
    store.save_provider_config(together())
    store.remove_provider_config("together")
    with pytest.raises(NotFoundError):
        store.provider_config("together")
    with pytest.raises(NotFoundError, match="together"):
        store.remove_provider_config("together")


def test_an_unknown_provider_lists_the_known_names(store: Store) -> None:
    store.save_provider_config(together())
    with pytest.raises(NotFoundError) as caught:
        store.provider_config("openia")
    message = str(caught.value)
    assert "'openia'" in message
    for name in [*BUILTIN_NAMES, "together"]:
        assert name in message


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"name": "Together"}, "not a valid provider name"),
        ({"name": "my:provider"}, "no ':'"),
        ({"name": ""}, "not a valid provider name"),
        ({"kind": "gemini"}, "not a provider kind"),
        ({"base_url": None}, "needs a base URL"),
        ({"base_url": "ftp://example.com/v1"}, "http:// or https://"),
        ({"base_url": "localhost:8000/v1"}, "http:// or https://"),
        ({"base_url": "http:///v1"}, "with a host"),
        ({"base_url": "http://example.com:99999/v1"}, "http:// or https://"),
        ({"base_url": "http://exa mple.com/v1"}, "spaces"),
        ({"base_url": "https://example.com/v1?api_key=abc"}, "query string"),
        ({"key_env": "1ABC"}, "variable name"),
        ({"key_env": "MY-KEY"}, "variable name"),
        ({"key_env": "my_key"}, "upper-case"),
        ({"default_models": ("",)}, "not a model id"),
        ({"default_models": ("two words",)}, "not a model id"),
    ],
)
def test_invalid_configs_are_refused_with_a_reason(
    store: Store, changes: dict[str, object], needle: str
) -> None:
    with pytest.raises(PlaygroundError) as caught:
        store.save_provider_config(together(**changes))
    assert needle in str(caught.value)
    assert store.provider_configs() == list(BUILTIN_PROVIDERS)


def test_credentials_in_a_url_or_a_pasted_key_are_refused_without_echoing_them(
    store: Store,
) -> None:
    secret = "sk-proj-Zq8TvXw3Yb9LmN2kR7pQ"
    with pytest.raises(PlaygroundError) as caught:
        store.save_provider_config(together(base_url=f"https://user:{secret}@example.com/v1"))
    assert "user name or password" in str(caught.value)
    assert secret not in str(caught.value)
    with pytest.raises(PlaygroundError) as caught:
        store.save_provider_config(together(key_env=secret))
    assert secret not in str(caught.value)
    with pytest.raises(PlaygroundError) as caught:
        store.save_provider_config(together(key_env="GSK_live_8fjA9dkq0PzXv"))
    assert "GSK_live" not in str(caught.value)


def test_the_table_has_no_column_for_a_key(store: Store) -> None:
    columns = {row[1] for row in store._conn.execute("PRAGMA table_info(provider_configs)")}
    assert columns == {
        "name",
        "kind",
        "base_url",
        "key_env",
        "default_models",
        "created",
        "updated",
    }


def test_the_database_checks_kind_and_models(store: Store) -> None:
    insert = (
        "INSERT INTO provider_configs (name, kind, default_models, created, updated) "
        "VALUES (?, ?, ?, 't', 't')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute(insert, ["x", "gemini", "[]"])
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute(insert, ["x", "openai", '{"not": "an array"}'])
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute(insert, ["x", "openai", "not json"])


# ---------------------------------------------------------------- upgrades


def _library_at_m007(path: Path) -> None:
    """A library as the previous release left it: schema 7, with a prompt, versions,
    a label, a draft and a run."""
    with Database(path, execute_plugins=False) as db:
        MIGRATIONS.apply(db, stop_before="m008_provider_configs")
        applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == list(KNOWN_MIGRATIONS[:7])
        db.execute("PRAGMA user_version = 7")
    # The previous release's own code wrote the rows, through the same SQL.
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO prompts (id, name, name_key, created, updated) "
            "VALUES (1, 'Old one', 'old one', 't0', 't0')"
        )
        for number in (1, 2):
            conn.execute(
                "INSERT INTO versions (id, prompt_id, number, parent_id, content, hash, message, "
                "created) VALUES (?, 1, ?, ?, ?, ?, ?, 't')",
                [number, number, number - 1 or None, f'{{"v": {number}}}', f"h{number}", "msg"],
            )
        conn.execute(
            "INSERT INTO labels (prompt_id, name, version_id, updated) "
            "VALUES (1, 'production', 1, 't')"
        )
        conn.execute(
            "INSERT INTO runs (prompt_id, version_id, content_hash, provider, model, target_json, "
            "request_json, variables_json, output, status, created) "
            "VALUES (1, 2, 'h2', 'openai', 'gpt-4o-mini', '{}', '{}', '{}', "
            "'a remarkable walrus', 'ok', 't')"
        )
    conn.close()


def _dump(path: Path, tables: tuple[str, ...]) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def test_a_schema_7_library_upgrades_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    _library_at_m007(path)
    old_tables = ("prompts", "versions", "labels", "runs", "_sqlite_migrations")
    before = _dump(path, old_tables)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
    after = _dump(path, old_tables)
    assert {t: after[t] for t in old_tables[:-1]} == {t: before[t] for t in old_tables[:-1]}
    assert after["_sqlite_migrations"][:7] == before["_sqlite_migrations"]
    applied = [row[2] for row in after["_sqlite_migrations"]]
    assert applied == list(KNOWN_MIGRATIONS)
    assert applied[7:] == ["m008_provider_configs", "m009_response_cache"]

    with Store.open(path) as store:
        assert store.labels(1) == {"production": 1}
        assert [h.run_id for h in store.search("walrus")] == [1]
        assert store.provider_configs() == list(BUILTIN_PROVIDERS)
        store.save_provider_config(together())
        store.cache_put("0" * 64, "openai", "gpt-4o-mini", "{}")
        assert store.save_version(1, make_doc()).version.number == 3
        assert store.provider_config("together").key_env == "TOGETHER_API_KEY"
