"""Recorded runs: round trip, listing, filtering by version."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from playground.core.document import content_hash
from playground.core.errors import NotFoundError
from playground.store import RunRecord, Store

from .conftest import make_doc


def make_run(
    prompt_id: int, version_id: int | None = None, output: str = "An answer.", **changes: object
) -> RunRecord:
    record = RunRecord(
        prompt_id=prompt_id,
        version_id=version_id,
        content_hash="ab" * 32,
        provider="openai",
        model="gpt-4o-mini",
        target_json='{"model":"gpt-4o-mini","provider":"openai"}',
        request_json='{"messages":[{"content":"Hi","role":"user"}]}',
        variables={"topic": "tea", "tone": "dry"},
        output=output,
        finish_reason="stop",
        tokens_in=12,
        tokens_out=34,
        tokens_estimated=False,
        ttft_ms=123.5,
        total_ms=987.25,
        cost=0.00042,
        status="ok",
        error=None,
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def test_a_run_round_trips(store: Store) -> None:
    info = store.create_prompt("p")
    version = store.save_version(info.id, make_doc()).version
    record = make_run(info.id, version.id)
    run_id = store.record_run(record)
    run = store.get_run(run_id)
    assert run.record == record
    assert (run.id, run.version_number) == (run_id, 1)
    assert run.created.endswith("Z")


def test_a_draft_run_with_missing_figures_round_trips(store: Store) -> None:
    info = store.create_prompt("p")
    record = make_run(
        info.id,
        None,
        output="",
        finish_reason=None,
        tokens_in=None,
        tokens_out=None,
        tokens_estimated=True,
        ttft_ms=None,
        total_ms=None,
        cost=None,
        status="error",
        error="401 Unauthorized: check the key in Settings",
        variables={},
    )
    run = store.get_run(store.record_run(record))
    assert run.record == record
    assert run.version_number is None


def test_runs_are_listed_newest_first_and_filtered(store: Store) -> None:
    info = store.create_prompt("p")
    other = store.create_prompt("other")
    v1 = store.save_version(info.id, make_doc("one")).version
    v2 = store.save_version(info.id, make_doc("two")).version
    ids = [
        store.record_run(make_run(info.id, v1.id, output="first")),
        store.record_run(make_run(info.id, None, output="draft")),
        store.record_run(make_run(info.id, v2.id, output="second")),
        store.record_run(make_run(info.id, v1.id, output="third", status="cancelled")),
    ]
    store.record_run(make_run(other.id, None, output="elsewhere"))
    assert [r.id for r in store.list_runs(info.id)] == ids[::-1]
    assert [r.record.output for r in store.list_runs(info.id, limit=2)] == ["third", "second"]
    on_v1 = store.list_runs(info.id, version_number=1)
    assert [(r.record.output, r.version_number) for r in on_v1] == [("third", 1), ("first", 1)]
    with pytest.raises(NotFoundError, match="no version 3"):
        store.list_runs(info.id, version_number=3)


def test_unknown_runs_and_prompts(store: Store) -> None:
    with pytest.raises(NotFoundError, match=r"^No run with id 3\.$"):
        store.get_run(3)
    with pytest.raises(NotFoundError, match="No prompt with id 8"):
        store.record_run(make_run(8))
    with pytest.raises(NotFoundError):
        store.list_runs(8)


def test_the_status_is_checked_by_the_database(store: Store) -> None:
    info = store.create_prompt("p")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        store.record_run(make_run(info.id, status="maybe"))
    assert store.list_runs(info.id) == []


def test_a_versions_runs_include_draft_runs_of_the_same_content(store: Store) -> None:
    info = store.create_prompt("p")
    doc = make_doc("one")
    digest = content_hash(doc)
    before = store.record_run(make_run(info.id, None, output="before save", content_hash=digest))
    store.record_run(make_run(info.id, None, output="other draft", content_hash="cd" * 32))
    v1 = store.save_version(info.id, doc).version
    after = store.record_run(make_run(info.id, v1.id, output="after save", content_hash=digest))
    on_v1 = store.list_runs(info.id, version_number=1)
    assert [(r.id, r.version_number) for r in on_v1] == [(after, 1), (before, None)]
