"""Version diffs (field by field) and output diffs (word by word)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core.diff import (
    FieldChange,
    WordOp,
    diff_documents,
    diff_stats,
    format_changes,
    word_diff,
)
from playground.core.document import (
    Example,
    Message,
    Parameters,
    PromptDocument,
    Target,
    Variable,
    content_hash,
    from_json,
    to_json,
)
from tests.strategies import documents, messages, text

slow_ok = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

A = Message("user", "alpha")
B = Message("assistant", "beta")
C = Message("user", "gamma")
X = Message("user", "inserted")
Y = Message("assistant", "other")

BASE = PromptDocument(
    name="Summarise",
    description="Short summaries",
    tags=("work",),
    system="You are terse.\nAnswer in {{ language }}.",
    messages=(A, B, C),
    examples=(Example("in 1", "out 1"), Example("in 2", "out 2", enabled=False, note="n")),
    variables=(Variable("language", "French", "output language"), Variable("text")),
    targets=(
        Target("openai", "gpt-4o", Parameters(temperature=0.2, max_tokens=100, stop=("\n",))),
        Target("anthropic", "claude", json_schema_text=Target.schema_text({"type": "object"})),
    ),
)


def changed(field: str, before: str, after: str) -> FieldChange:
    return FieldChange(field, "changed", before, after)


def added(field: str, after: str) -> FieldChange:
    return FieldChange(field, "added", "", after)


def removed(field: str, before: str) -> FieldChange:
    return FieldChange(field, "removed", before, "")


def with_target(doc: PromptDocument, index: int, target: Target) -> PromptDocument:
    targets = list(doc.targets)
    targets[index] = target
    return replace(doc, targets=tuple(targets))


def with_params(doc: PromptDocument, index: int, **changes: object) -> PromptDocument:
    target = doc.targets[index]
    return with_target(
        doc, index, replace(target, parameters=replace(target.parameters, **changes))
    )


# ---------------------------------------------------------------- scalar fields


def test_equal_documents_have_no_changes() -> None:
    assert diff_documents(BASE, BASE) == []
    assert diff_documents(BASE, from_json(to_json(BASE))) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "Summarise v2", changed("name", "Summarise", "Summarise v2")),
        ("description", "", changed("description", "Short summaries", "")),
        ("tags", ("work", "ops"), changed("tags", '["work"]', '["work", "ops"]')),
        ("tags", (), changed("tags", '["work"]', "[]")),
        ("tags", ("work, ops",), changed("tags", '["work"]', '["work, ops"]')),
        (
            "system",
            "You are terse.\nAnswer in {{ lang }}.",
            changed(
                "system",
                "You are terse.\nAnswer in {{ language }}.",
                "You are terse.\nAnswer in {{ lang }}.",
            ),
        ),
    ],
)
def test_top_level_fields(field: str, value: object, expected: FieldChange) -> None:
    assert diff_documents(BASE, replace(BASE, **{field: value})) == [expected]


# ---------------------------------------------------------------- messages


def test_message_inserted_at_top_is_one_addition() -> None:
    new = replace(BASE, messages=(X, A, B, C))
    assert diff_documents(BASE, new) == [added("message 1 (user)", "inserted")]


def test_message_appended() -> None:
    new = replace(BASE, messages=(A, B, C, Y))
    assert diff_documents(BASE, new) == [added("message 4 (assistant)", "other")]


def test_message_removed_is_numbered_in_old_document() -> None:
    new = replace(BASE, messages=(A, C))
    assert diff_documents(BASE, new) == [removed("message 2 (assistant)", "beta")]


def test_message_content_changed() -> None:
    new = replace(BASE, messages=(A, Message("assistant", "beta!"), C))
    assert diff_documents(BASE, new) == [changed("message 2 (assistant)", "beta", "beta!")]


def test_message_role_changed() -> None:
    new = replace(BASE, messages=(A, Message("user", "beta"), C))
    assert diff_documents(BASE, new) == [changed("message 2 role", "assistant", "user")]


def test_message_role_and_content_changed() -> None:
    new = replace(BASE, messages=(Message("assistant", "ALPHA"), B, C))
    assert diff_documents(BASE, new) == [
        changed("message 1 role", "user", "assistant"),
        changed("message 1 (assistant)", "alpha", "ALPHA"),
    ]


def test_replaced_run_pairs_items_then_adds_leftovers() -> None:
    new = replace(BASE, messages=(A, X, Y, Message("user", "third"), C))
    assert diff_documents(BASE, new) == [
        changed("message 2 role", "assistant", "user"),
        changed("message 2 (user)", "beta", "inserted"),
        added("message 3 (assistant)", "other"),
        added("message 4 (user)", "third"),
    ]


def test_replaced_run_pairs_items_then_removes_leftovers() -> None:
    old = replace(BASE, messages=(A, B, C, Y))
    new = replace(BASE, messages=(X, Y))
    # Y is matched; A, B, C against X: one pair, two removals in old numbering.
    assert diff_documents(old, new) == [
        changed("message 1 (user)", "alpha", "inserted"),
        removed("message 2 (assistant)", "beta"),
        removed("message 3 (user)", "gamma"),
    ]


def test_messages_moved() -> None:
    new = replace(BASE, messages=(B, C, A))
    assert diff_documents(BASE, new) == [
        removed("message 1 (user)", "alpha"),
        added("message 3 (user)", "alpha"),
    ]


def test_all_messages_removed_and_added() -> None:
    assert diff_documents(BASE, replace(BASE, messages=())) == [
        removed("message 1 (user)", "alpha"),
        removed("message 2 (assistant)", "beta"),
        removed("message 3 (user)", "gamma"),
    ]
    assert diff_documents(replace(BASE, messages=()), BASE) == [
        added("message 1 (user)", "alpha"),
        added("message 2 (assistant)", "beta"),
        added("message 3 (user)", "gamma"),
    ]


@slow_ok
@given(st.lists(messages(), max_size=6), st.data())
def test_inserting_one_new_message_is_one_addition(old: list[Message], data: st.DataObject) -> None:
    new_message = data.draw(messages().filter(lambda m: m not in old), label="new message")
    at = data.draw(st.integers(0, len(old)), label="position")
    new = [*old[:at], new_message, *old[at:]]
    before = PromptDocument(name="x", messages=tuple(old))
    after = PromptDocument(name="x", messages=tuple(new))
    assert diff_documents(before, after) == [
        added(f"message {at + 1} ({new_message.role})", new_message.content)
    ]
    assert diff_documents(after, before) == [
        removed(f"message {at + 1} ({new_message.role})", new_message.content)
    ]


# ---------------------------------------------------------------- examples


def test_example_inserted_at_top() -> None:
    new = replace(BASE, examples=(Example("new in", "new out"), *BASE.examples))
    assert diff_documents(BASE, new) == [
        added("example 1 input", "new in"),
        added("example 1 output", "new out"),
    ]


def test_removed_example_lists_non_default_fields() -> None:
    new = replace(BASE, examples=BASE.examples[:1])
    assert diff_documents(BASE, new) == [
        removed("example 2 input", "in 2"),
        removed("example 2 output", "out 2"),
        removed("example 2 enabled", "false"),
        removed("example 2 note", "n"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"input": "in 2!"}, changed("example 2 input", "in 2", "in 2!")),
        ({"output": ""}, changed("example 2 output", "out 2", "")),
        ({"enabled": True}, changed("example 2 enabled", "false", "true")),
        ({"note": "why"}, changed("example 2 note", "n", "why")),
    ],
)
def test_example_fields(change: dict[str, object], expected: FieldChange) -> None:
    new = replace(BASE, examples=(BASE.examples[0], replace(BASE.examples[1], **change)))
    assert diff_documents(BASE, new) == [expected]


# ---------------------------------------------------------------- variables


def with_variables(*variables: Variable) -> PromptDocument:
    return replace(BASE, variables=variables)


LANGUAGE, TEXT = BASE.variables


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (
            with_variables(replace(LANGUAGE, sample="German"), TEXT),
            [changed("variable language sample", "French", "German")],
        ),
        (
            with_variables(replace(LANGUAGE, sample=None), TEXT),
            [removed("variable language sample", "French")],
        ),
        (
            with_variables(LANGUAGE, replace(TEXT, sample="Lorem")),
            [added("variable text sample", "Lorem")],
        ),
        # An empty sample is a value, unlike no sample at all.
        (with_variables(LANGUAGE, replace(TEXT, sample="")), [added("variable text sample", "")]),
        (
            with_variables(replace(LANGUAGE, description="target language"), TEXT),
            [changed("variable language description", "output language", "target language")],
        ),
        (
            with_variables(LANGUAGE, TEXT, Variable("tone", "dry", "how it sounds")),
            [
                added("variable tone", "tone"),
                added("variable tone sample", "dry"),
                added("variable tone description", "how it sounds"),
            ],
        ),
        (with_variables(Variable("tone"), LANGUAGE, TEXT), [added("variable tone", "tone")]),
        (
            with_variables(TEXT),
            [
                removed("variable language", "language"),
                removed("variable language sample", "French"),
                removed("variable language description", "output language"),
            ],
        ),
        (
            with_variables(TEXT, LANGUAGE),
            [changed("variable order", "language, text", "text, language")],
        ),
        # A rename is a removal and an addition: variables are matched by name.
        (
            with_variables(LANGUAGE, Variable("body")),
            [added("variable body", "body"), removed("variable text", "text")],
        ),
    ],
)
def test_variables(new: PromptDocument, expected: list[FieldChange]) -> None:
    assert diff_documents(BASE, new) == expected


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (
            with_params(BASE, 0, temperature=0.7),
            [changed("target 1 (openai:gpt-4o) temperature", "0.2", "0.7")],
        ),
        (
            with_params(BASE, 0, temperature=None),
            [removed("target 1 (openai:gpt-4o) temperature", "0.2")],
        ),
        (
            with_params(BASE, 1, temperature=0.0),
            [added("target 2 (anthropic:claude) temperature", "0.0")],
        ),
        (
            with_params(BASE, 0, max_tokens=4096),
            [changed("target 1 (openai:gpt-4o) max tokens", "100", "4096")],
        ),
        (with_params(BASE, 0, top_p=0.9), [added("target 1 (openai:gpt-4o) top p", "0.9")]),
        (
            with_params(BASE, 0, stop=("\n", "###")),
            [changed("target 1 (openai:gpt-4o) stop", '["\\n"]', '["\\n", "###"]')],
        ),
        (with_params(BASE, 0, stop=()), [removed("target 1 (openai:gpt-4o) stop", '["\\n"]')]),
        (
            with_params(BASE, 0, seed=-(2**63)),
            [added("target 1 (openai:gpt-4o) seed", "-9223372036854775808")],
        ),
        (
            with_target(BASE, 0, replace(BASE.targets[0], model="gpt-4o-mini")),
            [changed("target 1 (openai:gpt-4o-mini) model", "gpt-4o", "gpt-4o-mini")],
        ),
        (
            with_target(BASE, 0, replace(BASE.targets[0], provider="azure")),
            [changed("target 1 (azure:gpt-4o) provider", "openai", "azure")],
        ),
        (
            with_target(BASE, 1, replace(BASE.targets[1], json_schema_text=None)),
            [removed("target 2 (anthropic:claude) json schema", '{\n  "type": "object"\n}\n')],
        ),
        (
            with_target(
                BASE,
                1,
                replace(
                    BASE.targets[1],
                    json_schema_text=Target.schema_text({"type": "object", "required": ["a"]}),
                ),
            ),
            [
                changed(
                    "target 2 (anthropic:claude) json schema",
                    '{\n  "type": "object"\n}\n',
                    '{\n  "required": [\n    "a"\n  ],\n  "type": "object"\n}\n',
                )
            ],
        ),
        (
            replace(BASE, targets=BASE.targets[:1]),
            [
                removed("target 2", "anthropic:claude"),
                removed("target 2 (anthropic:claude) json schema", '{\n  "type": "object"\n}\n'),
            ],
        ),
        (
            replace(BASE, targets=(*BASE.targets, Target("local", "llama3", Parameters(seed=7)))),
            [added("target 3", "local:llama3"), added("target 3 (local:llama3) seed", "7")],
        ),
        # Targets are matched by position: another target in slot 2 changes slot 2.
        (
            replace(BASE, targets=(BASE.targets[0], BASE.targets[0])),
            [
                changed("target 2 (openai:gpt-4o) provider", "anthropic", "openai"),
                changed("target 2 (openai:gpt-4o) model", "claude", "gpt-4o"),
                added("target 2 (openai:gpt-4o) temperature", "0.2"),
                added("target 2 (openai:gpt-4o) max tokens", "100"),
                added("target 2 (openai:gpt-4o) stop", '["\\n"]'),
                removed("target 2 (openai:gpt-4o) json schema", '{\n  "type": "object"\n}\n'),
            ],
        ),
    ],
)
def test_targets(new: PromptDocument, expected: list[FieldChange]) -> None:
    assert diff_documents(BASE, new) == expected


def test_values_compare_as_the_canonical_json_writes_them() -> None:
    # -0.0 == 0.0 in Python, but the canonical JSON (and so the hash) differs.
    zero = with_params(BASE, 1, temperature=0.0)
    negative_zero = with_params(BASE, 1, temperature=-0.0)
    assert diff_documents(zero, negative_zero) == [
        changed("target 2 (anthropic:claude) temperature", "0.0", "-0.0")
    ]


def test_changes_come_in_document_order() -> None:
    new = replace(
        with_params(BASE, 0, seed=1),
        name="n",
        system="s",
        messages=(A, B),
        examples=(),
        variables=(LANGUAGE,),
    )
    fields = [c.field for c in diff_documents(BASE, new)]
    assert fields == [
        "name",
        "system",
        "message 3 (user)",
        "example 1 input",
        "example 1 output",
        "example 2 input",
        "example 2 output",
        "example 2 enabled",
        "example 2 note",
        "variable text",
        "target 1 (openai:gpt-4o) seed",
    ]


# ---------------------------------------------------------------- properties


@slow_ok
@given(documents())
def test_document_has_no_changes_against_itself(doc: PromptDocument) -> None:
    assert diff_documents(doc, doc) == []


@st.composite
def related_documents(draw: st.DrawFn) -> tuple[PromptDocument, PromptDocument]:
    """Two documents that share some fields and some list items, often all of them."""
    old = draw(documents())
    other = draw(documents())
    fields: dict[str, object] = {}
    for name in ("name", "description", "tags", "system"):
        if draw(st.booleans()):
            fields[name] = getattr(other, name)
    for name in ("messages", "examples", "targets"):
        if draw(st.booleans()):
            pool = list(getattr(old, name)) + list(getattr(other, name))
            fields[name] = tuple(draw(st.lists(st.sampled_from(pool), max_size=5)) if pool else [])
    if draw(st.booleans()):
        pool = {v.name: v for v in (*other.variables, *old.variables)}
        names = draw(
            st.lists(st.sampled_from(sorted(pool)), unique=True, max_size=5)
            if pool
            else st.just([])
        )
        fields["variables"] = tuple(pool[name] for name in names)
    return old, replace(old, **fields)


@slow_ok
@given(related_documents())
def test_diff_is_empty_iff_hashes_are_equal(pair: tuple[PromptDocument, PromptDocument]) -> None:
    old, new = pair
    changes = diff_documents(old, new)
    assert (changes == []) == (content_hash(old) == content_hash(new))
    assert (diff_documents(new, old) == []) == (changes == [])


@slow_ok
@given(documents(), documents())
def test_unrelated_documents(old: PromptDocument, new: PromptDocument) -> None:
    changes = diff_documents(old, new)
    assert (changes == []) == (content_hash(old) == content_hash(new))
    for change in changes:
        assert change.before != change.after or change.kind != "changed"
        if change.kind == "added":
            assert change.before == ""
        if change.kind == "removed":
            assert change.after == ""


# ---------------------------------------------------------------- unified and format


def test_unified_labels_and_body() -> None:
    change = changed("system", "one\ntwo\nthree\n", "one\n2\nthree\n")
    assert change.unified() == [
        "--- a/system",
        "+++ b/system",
        "@@ -1,3 +1,3 @@",
        " one",
        "-two",
        "+2",
        " three",
    ]
    assert change.unified(context=0) == [
        "--- a/system",
        "+++ b/system",
        "@@ -2 +2 @@",
        "-two",
        "+2",
    ]


def test_unified_shows_a_change_to_the_final_newline() -> None:
    assert changed("system", "a\nb", "a\nb\n").unified() == [
        "--- a/system",
        "+++ b/system",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "\\ No newline at end of file",
        "+b",
    ]


def test_unified_splits_only_on_newline() -> None:
    lines = changed("system", "a\u2028b", "a\u2028c").unified()
    assert lines[3:] == [
        "-a\u2028b",
        "\\ No newline at end of file",
        "+a\u2028c",
        "\\ No newline at end of file",
    ]


def test_unified_of_an_addition() -> None:
    assert added("message 3 (user)", "hi\nthere").unified() == [
        "--- a/message 3 (user)",
        "+++ b/message 3 (user)",
        "@@ -0,0 +1,2 @@",
        "+hi",
        "+there",
        "\\ No newline at end of file",
    ]


def test_unified_of_equal_text_is_empty() -> None:
    assert changed("x", "same", "same").unified() == []


def test_format_changes() -> None:
    text = format_changes(
        [
            changed("name", "Old", "New"),
            changed("description", "", "Now described"),
            added("message 3 (user)", "hi"),
            removed("example 2 input", ""),
            changed("system", "one\ntwo\n", "one\n2\n"),
            changed("tags", "a b", "a  b"),
        ]
    )
    assert text == "\n".join(
        [
            "~ name",
            "  Old → New",
            "~ description",
            "  (empty) → Now described",
            "+ message 3 (user)",
            "  hi",
            "- example 2 input",
            "  (empty)",
            "~ system",
            "  @@ -1,2 +1,2 @@",
            "   one",
            "  -two",
            "  +2",
            "~ tags",
            "  'a b' → 'a  b'",
        ]
    )


def test_format_no_changes() -> None:
    assert format_changes([]) == ""


def test_format_a_real_diff() -> None:
    new = replace(BASE, messages=(X, A, B, C), examples=BASE.examples[1:])
    assert format_changes(diff_documents(BASE, new)).splitlines() == [
        "+ message 1 (user)",
        "  inserted",
        "- example 1 input",
        "  in 1",
        "- example 1 output",
        "  out 1",
    ]


# ---------------------------------------------------------------- words


def test_word_diff_replaces_a_word() -> None:
    assert word_diff("the quick brown fox", "the slow brown fox") == [
        WordOp("equal", "the "),
        WordOp("delete", "quick"),
        WordOp("insert", "slow"),
        WordOp("equal", " brown fox"),
    ]


def test_word_diff_punctuation_is_its_own_token() -> None:
    assert word_diff("Hello, world!", "Hello world.") == [
        WordOp("equal", "Hello"),
        WordOp("delete", ","),
        WordOp("equal", " world"),
        WordOp("delete", "!"),
        WordOp("insert", "."),
    ]


def test_word_diff_groups_deletions_before_insertions() -> None:
    assert word_diff("a b c d", "a x c y d") == [
        WordOp("equal", "a "),
        WordOp("delete", "b"),
        WordOp("insert", "x"),
        WordOp("equal", " c "),
        WordOp("insert", "y "),
        WordOp("equal", "d"),
    ]


def test_word_diff_whole_word_granularity() -> None:
    assert word_diff("cat", "cats") == [WordOp("delete", "cat"), WordOp("insert", "cats")]


def test_word_diff_white_space_change() -> None:
    assert word_diff("a b", "a\n\nb") == [
        WordOp("equal", "a"),
        WordOp("delete", " "),
        WordOp("insert", "\n\n"),
        WordOp("equal", "b"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", []),
        ("", "new text", [WordOp("insert", "new text")]),
        ("old text", "", [WordOp("delete", "old text")]),
        ("same", "same", [WordOp("equal", "same")]),
        (
            "日本語 テキスト",
            "日本語 文章",
            [WordOp("equal", "日本語 "), WordOp("delete", "テキスト"), WordOp("insert", "文章")],
        ),
    ],
)
def test_word_diff_edges(old: str, new: str, expected: list[WordOp]) -> None:
    assert word_diff(old, new) == expected


@settings(max_examples=300)
@given(text, text)
def test_word_diff_reconstructs_both_texts(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert "".join(op.text for op in ops if op.op != "insert") == old
    assert "".join(op.text for op in ops if op.op != "delete") == new
    assert all(op.text for op in ops)
    assert all(a.op != b.op for a, b in itertools.pairwise(ops))
    if old == new:
        assert all(op.op == "equal" for op in ops)


@given(
    st.lists(st.sampled_from(["a", "b", "c", " ", ".", "\n", "é"]), max_size=30).map("".join),
    st.lists(st.sampled_from(["a", "b", " ", ".", "é"]), max_size=30).map("".join),
)
def test_word_diff_reconstructs_similar_texts(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert "".join(op.text for op in ops if op.op != "insert") == old
    assert "".join(op.text for op in ops if op.op != "delete") == new


def test_diff_stats_counts_words() -> None:
    ops = word_diff("one two three", "one 2 3 three, four")
    assert diff_stats(ops) == (4, 1)  # "2 3" and ", four" (counted like wc -w); "two"


def test_diff_stats_of_nothing() -> None:
    assert diff_stats([]) == (0, 0)
    assert diff_stats(word_diff("same text", "same text")) == (0, 0)


def test_diff_stats_ignores_white_space_only_changes() -> None:
    assert diff_stats([WordOp("insert", "  \n"), WordOp("delete", " ")]) == (0, 0)


def test_insertion_among_identical_messages_is_one_addition() -> None:
    # Found by hypothesis: a contiguous-block matcher reported add + add + remove here.
    same = Message("user", "0")
    old = PromptDocument("x", messages=(same, same, same))
    new = PromptDocument("x", messages=(same, Message("user", ""), same, same))
    changes = diff_documents(old, new)
    assert [(c.field, c.kind) for c in changes] == [("message 2 (user)", "added")]
