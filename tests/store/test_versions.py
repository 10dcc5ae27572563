"""Versions and labels: numbering, dedup, parents, immutability, restore."""

from __future__ import annotations

import sqlite3

import pytest

from playground.core.document import content_hash, from_json, to_json
from playground.core.errors import ConflictError, NotFoundError, PlaygroundError
from playground.store import Store

from .conftest import make_doc


def test_versions_are_numbered_from_one(store: Store) -> None:
    info = store.create_prompt("p")
    numbers = [store.save_version(info.id, make_doc(f"text {i}")).version.number for i in range(5)]
    assert numbers == [1, 2, 3, 4, 5]
    listed = store.list_versions(info.id)
    assert [v.number for v in listed] == [5, 4, 3, 2, 1]  # newest first
    assert [v.hash for v in listed] == [
        content_hash(make_doc(f"text {i}")) for i in range(4, -1, -1)
    ]
    assert store.get_prompt(info.id).latest_version == 5


def test_numbers_are_per_prompt(store: Store) -> None:
    a = store.create_prompt("a")
    b = store.create_prompt("b")
    store.save_version(a.id, make_doc("a1"))
    store.save_version(a.id, make_doc("a2"))
    assert store.save_version(b.id, make_doc("b1")).version.number == 1


def test_identical_content_makes_no_new_version(store: Store) -> None:
    info = store.create_prompt("p")
    first = store.save_version(info.id, make_doc("same"), "first")
    assert first.created
    again = store.save_version(info.id, make_doc("same"), "again")
    assert again.created is False
    assert again.version == first.version
    assert again.version.message == "first"
    assert len(store.list_versions(info.id)) == 1
    # Only the latest counts: going back to older content is a new version.
    store.save_version(info.id, make_doc("different"))
    back = store.save_version(info.id, make_doc("same"))
    assert (back.created, back.version.number) == (True, 3)


def test_save_version_stores_the_document_and_cleans_the_draft(store: Store) -> None:
    info = store.create_prompt("p")
    doc = make_doc("content", name="a name that is not the prompt's")
    saved = store.save_version(info.id, doc, "why it changed").version
    version = store.get_version(info.id, 1)
    assert version.document == doc
    assert version.info == saved
    assert (saved.message, saved.hash, saved.prompt_id) == (
        "why it changed",
        content_hash(doc),
        info.id,
    )
    assert store.version_by_id(saved.id) == version
    draft = store.get_draft(info.id)
    assert draft is not None
    assert (draft.document, draft.base_version, draft.dirty) == (doc, 1, False)


def test_parents_follow_the_draft_base(store: Store) -> None:
    info = store.create_prompt("p")
    for i in range(3):
        store.save_version(info.id, make_doc(f"v{i + 1}"))
    store.restore_version(info.id, 1)
    store.save_draft(info.id, make_doc("v1 edited"))
    assert store.save_version(info.id, make_doc("v1 edited")).version.parent_number == 1
    assert store.save_version(info.id, make_doc("v5")).version.parent_number == 4
    store.save_draft(info.id, make_doc("detached"), base_version=None)
    assert store.save_version(info.id, make_doc("v6")).version.parent_number == 5  # the latest
    parents = {v.number: v.parent_number for v in store.list_versions(info.id)}
    assert parents == {1: None, 2: 1, 3: 2, 4: 1, 5: 4, 6: 5}


def test_versions_are_immutable(store: Store) -> None:
    info = store.create_prompt("p")
    saved = store.save_version(info.id, make_doc("original")).version
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            conn.execute("UPDATE versions SET content = ?", [to_json(make_doc("forged"))])
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            conn.execute("UPDATE versions SET message = 'rewritten history'")
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            conn.execute("DELETE FROM versions")
        conn.rollback()
    finally:
        conn.close()
    assert store.get_version(info.id, 1).document == make_doc("original")
    assert store.list_versions(info.id) == [saved]


def test_version_numbers_cannot_skip(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("one"))
    with pytest.raises(sqlite3.IntegrityError, match="without gaps"):
        store._conn.execute(
            "INSERT INTO versions (prompt_id, number, content, hash, created) "
            "VALUES (?, 3, '{}', 'x', 't')",
            [info.id],
        )
    store._conn.rollback()


def test_restore_makes_the_draft_and_creates_nothing(store: Store) -> None:
    info = store.create_prompt("p")
    for i in range(3):
        store.save_version(info.id, make_doc(f"v{i + 1}"))
    store.save_draft(info.id, make_doc("unsaved work"))
    before = store.list_versions(info.id)
    # Unsaved edits are never replaced silently...
    with pytest.raises(ConflictError, match="unsaved changes"):
        store.restore_version(info.id, 2)
    assert store.get_draft(info.id).document == make_doc("unsaved work")  # type: ignore[union-attr]
    # ...only when the user chose to discard them.
    draft = store.restore_version(info.id, 2, discard_unsaved=True)
    assert (draft.document, draft.base_version, draft.dirty) == (make_doc("v2"), 2, False)
    assert store.get_draft(info.id) == draft
    assert store.list_versions(info.id) == before
    # A clean draft restores without asking.
    assert store.restore_version(info.id, 1).document == make_doc("v1")
    with pytest.raises(NotFoundError, match=r"^Prompt 'p' has no version 7 \(latest is 3\)\.$"):
        store.restore_version(info.id, 7)


def test_saving_other_content_keeps_a_draft_with_unsaved_edits(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("v1"))
    store.save_draft(info.id, make_doc("work in progress"))
    store.save_version(info.id, make_doc("from a file"))  # e.g. `prompts save` from the CLI
    draft = store.get_draft(info.id)
    assert draft is not None
    assert (draft.document, draft.base_version, draft.dirty) == (
        make_doc("work in progress"),
        1,
        True,
    )
    store.save_version(info.id, make_doc("from a file"))  # identical: no version, draft kept
    assert store.get_draft(info.id) == draft
    # Saving the draft's own content moves its base and makes it clean.
    draft = store.get_draft(info.id)
    assert draft is not None
    store.save_version(info.id, draft.document)
    assert store.get_draft(info.id).dirty is False  # type: ignore[union-attr]


def test_clean_draft_follows_a_new_version(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("v1"))
    store.save_version(info.id, make_doc("v2"))
    draft = store.get_draft(info.id)
    assert draft is not None
    assert (draft.document, draft.base_version, draft.dirty) == (make_doc("v2"), 2, False)


@pytest.mark.parametrize("label", ["draft", "2", "007"])
def test_labels_that_read_as_versions_are_refused(store: Store, label: str) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("v1"))
    with pytest.raises(PlaygroundError, match="cannot be a label"):
        store.set_label(info.id, label, 1)


def test_get_version_by_number_label_or_latest(store: Store) -> None:
    info = store.create_prompt("p")
    with pytest.raises(NotFoundError, match="no saved versions yet"):
        store.get_version(info.id)
    for i in range(3):
        store.save_version(info.id, make_doc(f"v{i + 1}"))
    store.set_label(info.id, "production", 2)
    assert store.get_version(info.id).info.number == 3
    assert store.get_version(info.id, 1).document == make_doc("v1")
    assert store.get_version(info.id, label="production").document == make_doc("v2")
    with pytest.raises(NotFoundError, match=r"^Prompt 'p' has no version 7 \(latest is 3\)\.$"):
        store.get_version(info.id, 7)
    with pytest.raises(NotFoundError, match="has no label 'staging'"):
        store.get_version(info.id, label="staging")
    with pytest.raises(NotFoundError, match="No version with id 999"):
        store.version_by_id(999)
    with pytest.raises(NotFoundError):
        store.list_versions(999)


def test_labels_are_created_and_moved(store: Store) -> None:
    info = store.create_prompt("p")
    for i in range(3):
        store.save_version(info.id, make_doc(f"v{i + 1}"))
    store.set_label(info.id, "production", 1)
    store.set_label(info.id, "staging", 3)
    assert store.labels(info.id) == {"production": 1, "staging": 3}
    store.set_label(info.id, "production", 2)
    assert store.labels(info.id) == {"production": 2, "staging": 3}
    assert {v.number: v.labels for v in store.list_versions(info.id)} == {
        3: ("staging",),
        2: ("production",),
        1: (),
    }
    store.set_label(info.id, "staging", 2)
    assert store.get_version(info.id, 2).info.labels == ("production", "staging")
    store.remove_label(info.id, "staging")
    assert store.labels(info.id) == {"production": 2}
    with pytest.raises(NotFoundError, match="has no label 'staging'"):
        store.remove_label(info.id, "staging")


def test_a_label_needs_an_existing_version(store: Store) -> None:
    info = store.create_prompt("p")
    with pytest.raises(NotFoundError, match="has no version 1"):
        store.set_label(info.id, "production", 1)
    store.save_version(info.id, make_doc())
    with pytest.raises(NotFoundError, match=r"no version 4 \(latest is 1\)"):
        store.set_label(info.id, "production", 4)
    assert store.labels(info.id) == {}


def test_a_label_cannot_point_at_another_prompts_version(store: Store) -> None:
    a = store.create_prompt("a")
    b = store.create_prompt("b")
    store.save_version(a.id, make_doc("a1"))
    b1 = store.save_version(b.id, make_doc("b1")).version
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store._conn.execute(
            "INSERT INTO labels (prompt_id, name, version_id, updated) VALUES (?, 'x', ?, 't')",
            [a.id, b1.id],
        )
    store._conn.rollback()
    assert store.labels(a.id) == {}


@pytest.mark.parametrize("label", ["", "two words", "tab\there", "x" * 65, "new\nline"])
def test_bad_label_names_are_refused(store: Store, label: str) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc())
    with pytest.raises(PlaygroundError, match="cannot be a label") as caught:
        store.set_label(info.id, label, 1)
    assert type(caught.value) is PlaygroundError
    assert store.labels(info.id) == {}


def test_stored_content_is_canonical_json(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("content"))
    content, digest = store._conn.execute("SELECT content, hash FROM versions").fetchone()
    assert content == to_json(make_doc("content"))
    assert content_hash(from_json(content)) == digest


def test_a_run_of_another_prompts_version_conflicts(store: Store) -> None:
    # Guarded in Python as well as by the composite foreign key.
    from .test_runs import make_run

    a = store.create_prompt("a")
    b = store.create_prompt("b")
    b1 = store.save_version(b.id, make_doc("b1")).version
    with pytest.raises(ConflictError, match="belongs to prompt 'b', not to 'a'"):
        store.record_run(make_run(a.id, version_id=b1.id))
    with pytest.raises(NotFoundError, match="No version with id 77"):
        store.record_run(make_run(a.id, version_id=77))
