"""Prompts and drafts: create, list, rename, duplicate, archive, autosave."""

from __future__ import annotations

import dataclasses

import pytest

from playground.core.document import PromptDocument, content_hash
from playground.core.errors import ConflictError, NotFoundError, PlaygroundError
from playground.store import Store

from .conftest import make_doc


def test_create_prompt_makes_an_empty_draft(store: Store) -> None:
    info = store.create_prompt("  Summariser ")
    assert info.name == "Summariser"
    assert (info.latest_version, info.version_count, info.labels) == (None, 0, {})
    assert info.archived is False
    assert info.created.endswith("Z")
    assert len(info.created) == len("2026-11-22T10:11:12.345Z")
    draft = store.get_draft(info.id)
    assert draft is not None
    assert draft.document == PromptDocument(name="Summariser")
    assert draft.hash == content_hash(PromptDocument(name="Summariser"))
    assert draft.base_version is None
    assert draft.dirty  # nothing of it is saved yet


def test_create_prompt_with_a_document(store: Store) -> None:
    doc = make_doc("Be terse.")
    info = store.create_prompt("Terse", doc)
    draft = store.get_draft(info.id)
    assert draft is not None
    assert draft.document == doc


def test_names_are_unique_ignoring_case(store: Store) -> None:
    store.create_prompt("Straße")
    with pytest.raises(ConflictError, match="already a prompt named 'Straße'"):
        store.create_prompt("STRASSE")
    with pytest.raises(ConflictError):
        store.create_prompt("straße")
    assert [p.name for p in store.list_prompts()] == ["Straße"]


@pytest.mark.parametrize("name", ["", "   ", "two\nlines", "tab\there", "x" * 201, "a\u2028b"])
def test_unusable_names_are_refused(store: Store, name: str) -> None:
    with pytest.raises(PlaygroundError) as caught:
        store.create_prompt(name)
    assert not isinstance(caught.value, ConflictError | NotFoundError)
    assert store.list_prompts() == []


def test_names_may_hold_any_printable_text(store: Store) -> None:
    name = "👩\u200d💻 Código — 東京 «draft»"
    assert store.create_prompt(name).name == name
    assert store.get_prompt(name.upper()).name == name


def test_list_prompts_is_ordered_by_name_ignoring_case(store: Store) -> None:
    for name in ["banana", "Apple", "cherry", "apricot"]:
        store.create_prompt(name)
    assert [p.name for p in store.list_prompts()] == ["Apple", "apricot", "banana", "cherry"]


def test_list_prompts_reports_versions_and_labels(store: Store) -> None:
    a = store.create_prompt("a")
    b = store.create_prompt("b")
    for i in range(3):
        store.save_version(a.id, make_doc(f"text {i}"))
    store.set_label(a.id, "production", 2)
    listed = {p.name: p for p in store.list_prompts()}
    assert (listed["a"].latest_version, listed["a"].version_count) == (3, 3)
    assert listed["a"].labels == {"production": 2}
    assert (listed["b"].latest_version, listed["b"].version_count, listed["b"].labels) == (
        None,
        0,
        {},
    )
    assert store.get_prompt(b.id) == listed["b"]


def test_get_prompt_by_name_or_id(store: Store) -> None:
    info = store.create_prompt("Classifier")
    assert store.get_prompt("classifier") == info
    assert store.get_prompt(info.id) == info
    with pytest.raises(NotFoundError, match=r"^No prompt named 'nope'\.$"):
        store.get_prompt("nope")
    with pytest.raises(NotFoundError, match=r"^No prompt with id 99\.$"):
        store.get_prompt(99)


def test_rename_updates_the_draft_but_not_the_versions(store: Store) -> None:
    info = store.create_prompt("old", make_doc(name="old"))
    store.save_version(info.id, make_doc(name="old"))
    renamed = store.rename_prompt(info.id, "new")
    assert renamed.name == "new"
    assert renamed.updated >= info.updated
    assert store.get_prompt("new").id == info.id
    with pytest.raises(NotFoundError):
        store.get_prompt("old")
    draft = store.get_draft(info.id)
    assert draft is not None
    assert draft.document == dataclasses.replace(make_doc(name="old"), name="new")
    assert draft.base_version == 1
    assert draft.dirty  # the name is part of the content
    assert store.get_version(info.id, 1).document.name == "old"


def test_rename_to_a_taken_name_conflicts(store: Store) -> None:
    a = store.create_prompt("a")
    store.create_prompt("b")
    with pytest.raises(ConflictError):
        store.rename_prompt(a.id, "B")
    assert store.rename_prompt(a.id, "A").name == "A"  # its own name in another case is fine
    with pytest.raises(NotFoundError):
        store.rename_prompt(42, "c")


def test_duplicate_copies_the_draft_and_no_versions(store: Store) -> None:
    info = store.create_prompt("original", make_doc("v1", name="original"))
    store.save_version(info.id, make_doc("v1", name="original"))
    store.save_draft(info.id, make_doc("work in progress", name="original"))
    copy = store.duplicate_prompt(info.id, "copy")
    assert (copy.name, copy.version_count, copy.latest_version) == ("copy", 0, None)
    draft = store.get_draft(copy.id)
    assert draft is not None
    assert draft.document == make_doc("work in progress", name="copy")
    assert draft.base_version is None
    assert store.list_versions(copy.id) == []
    with pytest.raises(ConflictError):
        store.duplicate_prompt(info.id, "Copy")


def test_duplicate_without_a_draft_copies_the_latest_version(store: Store) -> None:
    info = store.create_prompt("original")
    store.save_version(info.id, make_doc("saved", name="original"))
    store._conn.execute("DELETE FROM drafts")
    store._conn.commit()
    copy = store.duplicate_prompt(info.id, "copy")
    draft = store.get_draft(copy.id)
    assert draft is not None
    assert draft.document == make_doc("saved", name="copy")


def test_archived_prompts_are_hidden_unless_asked_for(store: Store) -> None:
    a = store.create_prompt("a")
    store.create_prompt("b")
    store.set_archived(a.id, True)
    assert [p.name for p in store.list_prompts()] == ["b"]
    everything = store.list_prompts(include_archived=True)
    assert [(p.name, p.archived) for p in everything] == [("a", True), ("b", False)]
    store.set_archived(a.id, False)
    assert [p.name for p in store.list_prompts()] == ["a", "b"]
    with pytest.raises(NotFoundError):
        store.set_archived(7, True)


def test_save_draft_keeps_the_base_unless_given(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("one"))
    store.save_version(info.id, make_doc("two"))
    draft = store.save_draft(info.id, make_doc("two, edited"))
    assert (draft.base_version, draft.dirty) == (2, True)
    assert draft.document == make_doc("two, edited")
    draft = store.save_draft(info.id, make_doc("one"), base_version=1)
    assert (draft.base_version, draft.dirty) == (1, False)
    draft = store.save_draft(info.id, make_doc("one"), base_version=None)
    assert (draft.base_version, draft.dirty) == (None, True)
    with pytest.raises(NotFoundError, match=r"has no version 9 \(latest is 2\)"):
        store.save_draft(info.id, make_doc("x"), base_version=9)
    assert store.get_draft(info.id) == draft


def test_dirty_follows_the_content_not_the_writes(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("saved"))
    assert store.save_draft(info.id, make_doc("edited")).dirty
    back = store.save_draft(info.id, make_doc("saved"))
    assert back.dirty is False
    assert back.hash == content_hash(make_doc("saved"))


def test_unknown_prompt_drafts(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_draft(5)
    with pytest.raises(NotFoundError):
        store.save_draft(5, make_doc())
