"""Full-text search over versions and run outputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.document import Message, PromptDocument
from playground.store import Store
from playground.store.search import document_text, match_query

from .conftest import make_doc
from .test_runs import make_run


def test_versions_are_found_with_a_snippet(store: Store) -> None:
    info = store.create_prompt("Pirate", make_doc())
    store.save_version(info.id, make_doc("You are a pirate who answers in rhyme.", name="Pirate"))
    store.create_prompt("Other")
    hits = store.search("rhyme")
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.kind, hit.prompt_id, hit.prompt_name, hit.version_number, hit.run_id) == (
        "version",
        info.id,
        "Pirate",
        1,
        None,
    )
    assert "[rhyme]" in hit.snippet
    assert "\n" not in hit.snippet
    assert hit.created == store.get_version(info.id, 1).info.created


def test_every_text_field_is_searchable(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("system words"))
    for word in [
        "Summariser",
        "summary",
        "demo",
        "system",
        "article",
        "story",
        "short",
        "brief",
        "input",
    ]:
        assert [h.prompt_id for h in store.search(word)] == [info.id], word
    assert document_text(make_doc()).count("Once upon") == 0  # samples are not indexed...
    assert store.search("once") == []  # ...so a variable's sample value is not found


def test_raw_json_is_not_indexed(store: Store) -> None:
    info = store.create_prompt("p")
    doc = PromptDocument(name="p", messages=(Message("user", 'line one\nnewline "quoted"'),))
    store.save_version(info.id, doc)
    assert len(store.search("newline")) == 1
    assert store.search("nnewline") == []  # what the JSON escape \n would have produced
    assert store.search("schemaVersion") == []
    assert store.search("role") == []


def test_only_the_newest_matching_version_is_reported(store: Store) -> None:
    a = store.create_prompt("a")
    b = store.create_prompt("b")
    store.save_version(a.id, make_doc("kettle one"))
    store.save_version(a.id, make_doc("kettle two"))
    store.save_version(a.id, make_doc("teapot three"))
    store.save_version(b.id, make_doc("kettle four"))
    hits = store.search("kettle")
    assert sorted((h.prompt_name, h.version_number) for h in hits) == [("a", 2), ("b", 1)]


def test_run_outputs_are_found(store: Store) -> None:
    info = store.create_prompt("p")
    version = store.save_version(info.id, make_doc()).version
    first = store.record_run(make_run(info.id, version.id, output="The capital is Canberra."))
    second = store.record_run(make_run(info.id, None, output="Canberra, again."))
    hits = store.search("canberra")
    assert sorted((h.kind, h.run_id, h.version_number) for h in hits) == [
        ("run", first, 1),
        ("run", second, None),
    ]
    assert all("[Canberra]" in h.snippet for h in hits)


def test_results_are_ranked_by_relevance(store: Store) -> None:
    once = store.create_prompt("once")
    often = store.create_prompt("often")
    store.save_version(once.id, make_doc("walrus " + "filler words here " * 30))
    store.save_version(often.id, make_doc("walrus walrus walrus walrus"))
    assert [h.prompt_name for h in store.search("walrus")] == ["often", "once"]
    assert len(store.search("walrus", limit=1)) == 1


def test_archived_prompts_are_left_out_unless_asked_for(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("zebra"))
    store.record_run(make_run(info.id, output="zebra crossing"))
    store.set_archived(info.id, True)
    assert store.search("zebra") == []
    assert len(store.search("zebra", include_archived=True)) == 2


def test_the_last_word_matches_as_a_prefix(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("translate into Portuguese"))
    assert len(store.search("transl")) == 1
    assert len(store.search("portug")) == 1
    assert store.search("transl portuguese") == []  # only the last word is a prefix
    assert len(store.search("translate portu")) == 1
    assert len(store.search("PORTUGUESE")) == 1


def test_accents_are_ignored(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("Write a résumé for a café owner"))
    assert len(store.search("resume")) == 1
    assert len(store.search("CAFÉ")) == 1


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "AND OR NOT",
        "*",
        "foo:bar",
        "",
        "   ",
        "(",
        "NEAR(a b)",
        "a -b",
        "^x",
        "col:",
        "'",
        '""',
        "\x00",
        "+ - ~ .",
        'x" OR "y',
    ],
)
def test_odd_input_never_breaks_the_query(store: Store, text: str) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("foo bar baz unbalanced and or not near"))
    store.search(text)  # no exception is the point


def test_odd_input_is_searched_as_words(store: Store) -> None:
    info = store.create_prompt("p")
    store.save_version(info.id, make_doc("the foo bar and an unbalanced quote, or not"))
    assert len(store.search('"unbalanced')) == 1
    assert len(store.search("AND OR NOT")) == 1  # words, not operators
    assert len(store.search("foo:bar")) == 1  # a phrase, not a column filter
    assert store.search("bar:foo") == []
    assert store.search("*") == []
    assert store.search("") == []
    assert store.search("   ") == []


def test_match_query_quotes_every_word() -> None:
    assert match_query("") is None
    assert match_query("* ( )") is None
    assert match_query("hello wor") == '"hello" "wor"*'
    assert match_query('say "hi') == '"say" """hi"*'
    assert match_query("tea a") == '"tea" "a"'  # one letter is too short a prefix


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "library.db"
    with Store.open(path) as store:
        info = store.create_prompt("p")
        store.save_version(info.id, make_doc("alpha beta gamma ünïcödé 東京 emoji 🎉"))
        yield store


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_no_text_makes_an_fts_syntax_error(fuzz_store: Store, text: str) -> None:
    hits = fuzz_store.search(text)
    assert len(hits) <= 1


def test_a_very_common_word_ranks_only_the_newest_matches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("playground.store.search.RANK_WINDOW", 3)
    ids = [store.create_prompt(f"p{i}").id for i in range(5)]
    for prompt_id in ids:
        store.save_version(prompt_id, make_doc("kettle"))
    assert sorted(h.prompt_id for h in store.search("kettle")) == ids[2:]


def test_the_indexes_stay_in_step_with_the_rows(store: Store) -> None:
    info = store.create_prompt("p")
    for i in range(3):
        version = store.save_version(info.id, make_doc(f"text {i}")).version
        store.record_run(make_run(info.id, version.id, output=f"output {i}"))
    conn = store._conn
    for table in ("version_search", "run_search"):
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM version_search").fetchone() == (3,)
    rowids = [r[0] for r in conn.execute("SELECT rowid FROM version_search ORDER BY rowid")]
    assert rowids == [v.id for v in reversed(store.list_versions(info.id))]
