"""The native JSON format: round trips, canonical form, hashing and every error."""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jinja2 import meta

from playground.core.document import (
    SCHEMA_VERSION,
    Example,
    JSONValue,
    Message,
    Parameters,
    PromptDocument,
    Target,
    Variable,
    canonical_json,
    content_hash,
    from_dict,
    from_json,
    to_dict,
    to_json,
)
from playground.core.errors import DocumentError
from tests.strategies import (
    documents,
    json_objects,
    json_values,
    plain_text,
    template_text,
    text,
    variable_names,
)

# Documents are comparatively costly to draw; timing is not what these test.
slow_ok = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOP_LEVEL_KEYS = {
    "schemaVersion",
    "name",
    "description",
    "tags",
    "system",
    "messages",
    "examples",
    "variables",
    "targets",
}


# ---------------------------------------------------------------- round trips


@slow_ok
@given(documents())
def test_json_round_trip(doc: PromptDocument) -> None:
    assert from_json(to_json(doc)) == doc


@slow_ok
@given(documents())
def test_bytes_round_trip(doc: PromptDocument) -> None:
    assert from_json(to_json(doc).encode("utf-8")) == doc


@slow_ok
@given(documents())
def test_dict_round_trip(doc: PromptDocument) -> None:
    assert from_dict(to_dict(doc)) == doc


@slow_ok
@given(documents())
def test_dict_survives_a_trip_through_json(doc: PromptDocument) -> None:
    data = to_dict(doc)
    assert json.loads(json.dumps(data)) == data


@slow_ok
@given(documents(), st.sampled_from([1, 2, 4]))
def test_pretty_json_round_trip(doc: PromptDocument, indent: int) -> None:
    pretty = to_json(doc, indent=indent)
    assert pretty.endswith("\n")
    assert from_json(pretty) == doc
    # Pretty and canonical are the same JSON value, only laid out differently.
    assert json.loads(pretty) == json.loads(to_json(doc))


# ---------------------------------------------------------------- canonical form and hash


@slow_ok
@given(documents())
def test_canonical_json_is_stable(doc: PromptDocument) -> None:
    canonical = to_json(doc)
    assert to_json(copy.deepcopy(doc)) == canonical
    assert to_json(from_json(canonical)) == canonical
    assert to_json(from_json(to_json(doc, indent=2))) == canonical
    assert canonical == canonical_json(to_dict(doc))


@slow_ok
@given(documents())
def test_canonical_json_layout(doc: PromptDocument) -> None:
    canonical = to_json(doc)
    # Sorted keys, no spaces between tokens, non-ASCII kept as itself.
    assert canonical == json.dumps(
        json.loads(canonical), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    data = json.loads(canonical)
    assert set(data) == TOP_LEVEL_KEYS
    assert data["schemaVersion"] == SCHEMA_VERSION
    for target in data["targets"]:
        assert set(target) == {"provider", "model", "parameters", "jsonSchema"}
        assert set(target["parameters"]) == {"temperature", "maxTokens", "topP", "stop", "seed"}


def test_canonical_json_keeps_non_ascii_and_sorts_keys() -> None:
    doc = PromptDocument(name="café ☕", tags=("ü",))
    assert to_json(doc) == (
        '{"description":"","examples":[],"messages":[],"name":"café ☕",'
        '"schemaVersion":1,"system":"","tags":["ü"],"targets":[],"variables":[]}'
    )


@slow_ok
@given(documents())
def test_content_hash_is_sha256_of_canonical_utf8(doc: PromptDocument) -> None:
    expected = hashlib.sha256(to_json(doc).encode("utf-8")).hexdigest()
    assert content_hash(doc) == expected
    assert len(expected) == 64


@settings(slow_ok, max_examples=50)
@given(documents(), documents())
def test_hash_equal_iff_canonical_equal(a: PromptDocument, b: PromptDocument) -> None:
    assert (content_hash(a) == content_hash(b)) == (to_json(a) == to_json(b))


def test_equal_content_built_differently_hashes_the_same() -> None:
    a = PromptDocument(
        name="x",
        targets=(
            Target(
                "p", "m", json_schema_text=Target.schema_text({"type": "object", "required": ["a"]})
            ),
        ),
    )
    b = from_json(
        '{"targets": [{"jsonSchema": {"required": ["a"], "type": "object"},'
        ' "model": "m", "provider": "p"}], "name": "x"}'
    )
    assert a == b
    assert content_hash(a) == content_hash(b)


def _bump(value: float, hi: float) -> float:
    return value + 0.25 if value + 0.25 <= hi else value - 0.25


def _first_target(doc: PromptDocument, **changes: Any) -> PromptDocument:
    target = doc.targets[0]
    params = {k: v for k, v in changes.items() if hasattr(Parameters, k)}
    fields = {k: v for k, v in changes.items() if k not in params}
    new = replace(target, parameters=replace(target.parameters, **params), **fields)
    return replace(doc, targets=(new, *doc.targets[1:]))


def _first_message(doc: PromptDocument, **changes: Any) -> PromptDocument:
    return replace(doc, messages=(replace(doc.messages[0], **changes), *doc.messages[1:]))


def _first_example(doc: PromptDocument, **changes: Any) -> PromptDocument:
    return replace(doc, examples=(replace(doc.examples[0], **changes), *doc.examples[1:]))


def _first_variable(doc: PromptDocument, **changes: Any) -> PromptDocument:
    return replace(doc, variables=(replace(doc.variables[0], **changes), *doc.variables[1:]))


def _unused_name(doc: PromptDocument) -> str:
    names = {v.name for v in doc.variables}
    return next(f"v{i}" for i in range(len(names) + 1) if f"v{i}" not in names)


# Each mutation changes exactly one field. The first item names the collection
# that must be non-empty for the mutation to apply ("" when it always applies).
MUTATIONS: dict[str, tuple[str, Callable[[PromptDocument], PromptDocument]]] = {
    "name": ("", lambda d: replace(d, name=d.name + "!")),
    "description": ("", lambda d: replace(d, description=d.description + "!")),
    "tags": ("", lambda d: replace(d, tags=(*d.tags, "new"))),
    "system": ("", lambda d: replace(d, system=d.system + "!")),
    "add message": ("", lambda d: replace(d, messages=(*d.messages, Message("user", "")))),
    "message role": (
        "messages",
        lambda d: _first_message(d, role="assistant" if d.messages[0].role == "user" else "user"),
    ),
    "message content": (
        "messages",
        lambda d: _first_message(d, content=d.messages[0].content + "!"),
    ),
    "add example": ("", lambda d: replace(d, examples=(*d.examples, Example("", "")))),
    "example input": ("examples", lambda d: _first_example(d, input=d.examples[0].input + "!")),
    "example output": ("examples", lambda d: _first_example(d, output=d.examples[0].output + "!")),
    "example enabled": ("examples", lambda d: _first_example(d, enabled=not d.examples[0].enabled)),
    "example note": ("examples", lambda d: _first_example(d, note=d.examples[0].note + "!")),
    "add variable": ("", lambda d: replace(d, variables=(*d.variables, Variable(_unused_name(d))))),
    "variable name": ("variables", lambda d: _first_variable(d, name=_unused_name(d))),
    "variable sample": (
        "variables",
        lambda d: _first_variable(d, sample="" if d.variables[0].sample is None else None),
    ),
    "variable description": (
        "variables",
        lambda d: _first_variable(d, description=d.variables[0].description + "!"),
    ),
    "add target": ("", lambda d: replace(d, targets=(*d.targets, Target("p", "m")))),
    "target provider": (
        "targets",
        lambda d: _first_target(d, provider=d.targets[0].provider + "x"),
    ),
    "target model": ("targets", lambda d: _first_target(d, model=d.targets[0].model + "x")),
    "temperature": (
        "targets",
        lambda d: _first_target(
            d, temperature=_bump(d.targets[0].parameters.temperature or 0.0, 2.0)
        ),
    ),
    "max tokens": (
        "targets",
        lambda d: _first_target(d, max_tokens=(d.targets[0].parameters.max_tokens or 1) + 1),
    ),
    "top p": (
        "targets",
        lambda d: _first_target(d, top_p=_bump(d.targets[0].parameters.top_p or 0.0, 1.0)),
    ),
    "stop": ("targets", lambda d: _first_target(d, stop=(*d.targets[0].parameters.stop, "STOP"))),
    "seed": ("targets", lambda d: _first_target(d, seed=(d.targets[0].parameters.seed or 0) + 1)),
    "json schema": (
        "targets",
        lambda d: _first_target(
            d, json_schema_text=None if d.targets[0].json_schema_text else "{}"
        ),
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@settings(
    deadline=None,
    max_examples=20,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(doc=documents())
def test_changing_any_single_field_changes_the_hash(mutation: str, doc: PromptDocument) -> None:
    needs, mutate = MUTATIONS[mutation]
    assume(not needs or getattr(doc, needs))
    changed = mutate(doc)
    assert changed != doc
    assert content_hash(changed) != content_hash(doc)
    # The mutation is itself a valid document, so the hash survives a reload.
    assert content_hash(from_json(to_json(changed))) == content_hash(changed)


def test_temperature_none_and_zero_hash_differently() -> None:
    unset = PromptDocument(name="x", targets=(Target("p", "m"),))
    zero = _first_target(unset, temperature=0.0)
    assert content_hash(unset) != content_hash(zero)


# ---------------------------------------------------------------- hand-written files


def test_minimal_file_loads_with_defaults() -> None:
    doc = from_json('{"name": "Summarise"}')
    assert doc == PromptDocument(name="Summarise")
    assert (doc.description, doc.tags, doc.system) == ("", (), "")
    assert (doc.messages, doc.examples, doc.variables, doc.targets) == ((), (), (), ())


def test_minimal_dict_loads_with_defaults() -> None:
    assert from_dict({"name": ""}) == PromptDocument(name="")


def test_null_optional_fields_mean_the_default() -> None:
    doc = from_json(
        json.dumps(
            {
                "name": "x",
                "description": None,
                "tags": None,
                "system": None,
                "messages": None,
                "examples": [{"input": "i", "output": "o", "enabled": None, "note": None}],
                "variables": [{"name": "v", "sample": None, "description": None}],
                "targets": [
                    {
                        "provider": "p",
                        "model": "m",
                        "jsonSchema": None,
                        "parameters": {
                            "temperature": None,
                            "maxTokens": None,
                            "topP": None,
                            "stop": None,
                            "seed": None,
                        },
                    }
                ],
            }
        )
    )
    assert doc == PromptDocument(
        name="x",
        examples=(Example("i", "o"),),
        variables=(Variable("v"),),
        targets=(Target("p", "m"),),
    )


def test_minimal_nested_items_load_with_defaults() -> None:
    doc = from_dict(
        {
            "name": "x",
            "messages": [{"role": "assistant", "content": "hi"}],
            "examples": [{"input": "2+2", "output": "4"}],
            "variables": [{"name": "topic"}],
            "targets": [{"provider": "openai", "model": "gpt-4o"}],
        }
    )
    assert doc.messages == (Message("assistant", "hi"),)
    assert doc.examples == (Example("2+2", "4", enabled=True, note=""),)
    assert doc.variables == (Variable("topic", sample=None, description=""),)
    assert doc.targets == (Target("openai", "gpt-4o", Parameters(), None),)
    assert doc.targets[0].label == "openai:gpt-4o"


def test_empty_parameters_object_means_defaults() -> None:
    doc = from_dict({"name": "x", "targets": [{"provider": "p", "model": "m", "parameters": {}}]})
    assert doc.targets[0].parameters == Parameters()


def test_null_means_left_out_for_version_and_parameters() -> None:
    doc = from_dict(
        {
            "schemaVersion": None,
            "name": "x",
            "targets": [{"provider": "p", "model": "m", "parameters": None}],
        }
    )
    assert doc == PromptDocument("x", targets=(Target("p", "m"),))


@pytest.mark.parametrize("name", ["true", "None", "not", "loop", "self"])
def test_reserved_variable_names_are_refused(name: str) -> None:
    with pytest.raises(DocumentError) as info:
        from_dict({"name": "x", "variables": [{"name": name}]})
    assert info.value.path == "variables[0].name"
    assert "reserved" in info.value.reason


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(DocumentError) as info:
        from_json('{"name": "a", "name": "b"}')
    assert info.value.path == "name"
    assert "twice" in info.value.reason


def test_model_may_contain_colons() -> None:
    doc = from_dict(
        {"name": "x", "targets": [{"provider": "openai", "model": "ft:gpt-4o:org::abc"}]}
    )
    assert doc.targets[0].label == "openai:ft:gpt-4o:org::abc"


def test_hand_written_pretty_file_equals_canonical() -> None:
    hand_written = """
    {
      "schemaVersion": 1,
      "name": "Translate",
      "system": "You translate into {{ language }}.",
      "messages": [ {"content": "{{ text }}", "role": "user"} ],
      "variables": [ {"name": "language", "sample": "French"}, {"name": "text"} ],
      "targets": [
        {"provider": "openai", "model": "gpt-4o",
         "parameters": {"temperature": 0.2, "stop": ["\\n\\n"], "seed": -7},
         "jsonSchema": {"type": "object",   "properties": {}}}
      ]
    }
    """
    doc = from_json(hand_written)
    assert doc.targets[0].parameters == Parameters(temperature=0.2, stop=("\n\n",), seed=-7)
    assert doc.targets[0].json_schema_text == '{"properties":{},"type":"object"}'
    assert doc.targets[0].schema == {"type": "object", "properties": {}}
    assert from_json(to_json(doc)) == doc


@pytest.mark.parametrize(("key", "attr"), [("temperature", "temperature"), ("topP", "top_p")])
def test_integer_float_parameters_normalise_to_float(key: str, attr: str) -> None:
    as_int = from_dict(
        {"name": "x", "targets": [{"provider": "p", "model": "m", "parameters": {key: 1}}]}
    )
    as_float = from_json(
        '{"name": "x", "targets": [{"provider": "p", "model": "m",'
        f' "parameters": {{"{key}": 1.0}}}}]}}'
    )
    value = getattr(as_int.targets[0].parameters, attr)
    assert value == 1.0
    assert isinstance(value, float)
    assert to_json(as_int) == to_json(as_float)
    assert content_hash(as_int) == content_hash(as_float)
    assert f'"{key}":1.0' in to_json(as_int)


@pytest.mark.parametrize("key", ["maxTokens", "seed"])
def test_whole_float_integers_normalise_to_int(key: str) -> None:
    doc = from_json(
        '{"name": "x", "targets": [{"provider": "p", "model": "m",'
        f' "parameters": {{"{key}": 12.0}}}}]}}'
    )
    params = doc.targets[0].parameters
    value = params.max_tokens if key == "maxTokens" else params.seed
    assert value == 12
    assert type(value) is int


def test_large_and_negative_seeds_survive() -> None:
    for seed in (-(2**63), 2**64 + 1, 10**40):
        doc = PromptDocument(name="x", targets=(Target("p", "m", Parameters(seed=seed)),))
        assert from_json(to_json(doc)).targets[0].parameters.seed == seed


def test_boundary_values_are_accepted() -> None:
    for temperature, top_p in ((0, 0), (2, 1), (2.0, 1.0)):
        doc = from_dict(
            {
                "name": "x",
                "targets": [
                    {
                        "provider": "p",
                        "model": "m",
                        "parameters": {"temperature": temperature, "topP": top_p, "maxTokens": 1},
                    }
                ],
            }
        )
        assert doc.targets[0].parameters.temperature == float(temperature)


def test_schema_version_current_accepted_and_whole_float_too() -> None:
    assert from_dict({"schemaVersion": 1, "name": "x"}) == PromptDocument(name="x")
    assert from_dict({"schemaVersion": 1.0, "name": "x"}) == PromptDocument(name="x")


def test_utf8_bom_in_bytes_is_tolerated() -> None:
    assert from_json(b'\xef\xbb\xbf{"name": "x"}') == PromptDocument(name="x")


# ---------------------------------------------------------------- the documentation

FORMAT_DOC = Path(__file__).parents[2] / "docs" / "prompt-format.md"


def _doc_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", FORMAT_DOC.read_text("utf-8"), re.DOTALL)


def test_documented_files_load() -> None:
    # The third block, a file with history, is read by tests/export/test_native.py.
    minimal, complete, _history = _doc_blocks("json")
    assert from_json(minimal) == PromptDocument(name="Hello")
    # The complete example is exactly what the app writes for people.
    assert to_json(from_json(complete), indent=2) == complete


def test_documented_canonical_form_and_hash() -> None:
    blocks = [block.strip() for block in _doc_blocks("text")]
    minimal = PromptDocument(name="Hello")
    assert to_json(minimal) in blocks
    assert content_hash(minimal) in blocks


def test_every_key_is_documented() -> None:
    _, complete, _history = _doc_blocks("json")
    documented = FORMAT_DOC.read_text("utf-8")
    keys: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, dict):
            keys.update(value)
            for key, child in value.items():
                if key != "jsonSchema":
                    collect(child)
        elif isinstance(value, list):
            for child in value:
                collect(child)

    collect(to_dict(from_json(complete)))
    assert keys >= TOP_LEVEL_KEYS
    assert [key for key in sorted(keys) if f"| `{key}`" not in documented] == []


# ---------------------------------------------------------------- errors


def _doc(**fields: Any) -> dict[str, Any]:
    return {"name": "x", **fields}


def _target(**fields: Any) -> dict[str, Any]:
    return _doc(targets=[{"provider": "p", "model": "m", **fields}])


def _params(**fields: Any) -> dict[str, Any]:
    return _target(parameters=fields)


# Rows stay compact by hand: the formatter would explode them into some 400 lines.
# fmt: off
ERROR_CASES: list[tuple[str, object, str, str]] = [
    # (id, input, path, part of the message)
    # -- required fields
    ("name missing", {}, "name", "is required"),
    ("name missing with others", {"system": "s"}, "name", "is required"),
    ("role missing", _doc(messages=[{"content": "c"}]), "messages[0].role", "is required"),
    ("content missing", _doc(messages=[{"role": "user"}]), "messages[0].content",
     "is required"),
    ("input missing", _doc(examples=[{"output": "o"}]), "examples[0].input", "is required"),
    ("output missing", _doc(examples=[{"input": "i"}]), "examples[0].output", "is required"),
    ("variable name missing", _doc(variables=[{"sample": "s"}]), "variables[0].name",
     "is required"),
    ("provider missing", _doc(targets=[{"model": "m"}]), "targets[0].provider", "is required"),
    ("model missing", _doc(targets=[{"provider": "p"}]), "targets[0].model", "is required"),
    # -- wrong types
    ("document is array", [], "", "must be an object, not an array"),
    ("document is string", "x", "", "must be an object, not a string"),
    ("document is null", None, "", "must be an object, not null"),
    ("name number", {"name": 1}, "name", "must be a string, not a number"),
    ("name null", {"name": None}, "name", "must be a string, not null"),
    ("description array", _doc(description=[]), "description", "must be a string, not an array"),
    ("tags string", _doc(tags="a,b"), "tags", "must be an array, not a string"),
    ("tag number", _doc(tags=["a", 3]), "tags[1]", "must be a string, not a number"),
    ("system object", _doc(system={}), "system", "must be a string, not an object"),
    ("messages object", _doc(messages={}), "messages", "must be an array, not an object"),
    ("message string", _doc(messages=["hi"]), "messages[0]", "must be an object, not a string"),
    ("role number", _doc(messages=[{"role": 1, "content": ""}]), "messages[0].role",
     "must be a string, not a number"),
    ("content null", _doc(messages=[{"role": "user", "content": None}]),
     "messages[0].content", "must be a string, not null"),
    ("second message", _doc(messages=[{"role": "user", "content": ""},
                                      {"role": "user", "content": 2}]),
     "messages[1].content", "must be a string"),
    ("examples string", _doc(examples="x"), "examples", "must be an array, not a string"),
    ("example input number", _doc(examples=[{"input": 1, "output": ""}]),
     "examples[0].input", "must be a string, not a number"),
    ("example output bool", _doc(examples=[{"input": "", "output": False}]),
     "examples[0].output", "must be a string, not true/false"),
    ("example enabled string", _doc(examples=[{"input": "", "output": "", "enabled": "yes"}]),
     "examples[0].enabled", "must be true or false, not a string"),
    ("example enabled number", _doc(examples=[{"input": "", "output": "", "enabled": 1}]),
     "examples[0].enabled", "must be true or false, not a number"),
    ("example note number", _doc(examples=[{"input": "", "output": "", "note": 1}]),
     "examples[0].note", "must be a string, not a number"),
    ("variables object", _doc(variables={"topic": "x"}), "variables",
     "must be an array, not an object"),
    ("variable string", _doc(variables=["topic"]), "variables[0]",
     "must be an object, not a string"),
    ("variable name number", _doc(variables=[{"name": 1}]), "variables[0].name",
     "must be a string, not a number"),
    ("variable sample number", _doc(variables=[{"name": "v", "sample": 1}]),
     "variables[0].sample", "must be a string, not a number"),
    ("variable description array", _doc(variables=[{"name": "v", "description": []}]),
     "variables[0].description", "must be a string, not an array"),
    ("targets string", _doc(targets="openai:gpt-4o"), "targets", "must be an array"),
    ("target string", _doc(targets=["openai:gpt-4o"]), "targets[0]",
     "must be an object, not a string"),
    ("provider number", _doc(targets=[{"provider": 1, "model": "m"}]), "targets[0].provider",
     "must be a string, not a number"),
    ("model null", _doc(targets=[{"provider": "p", "model": None}]), "targets[0].model",
     "must be a string, not null"),
    ("parameters array", _target(parameters=[]), "targets[0].parameters",
     "must be an object, not an array"),
    ("temperature string", _params(temperature="hot"), "targets[0].parameters.temperature",
     "must be a number"),
    ("temperature bool", _params(temperature=True), "targets[0].parameters.temperature",
     "must be a number"),
    ("temperature nan (dict)", _params(temperature=math.nan),
     "targets[0].parameters.temperature", "must be a number"),
    ("top_p inf (dict)", _params(topP=math.inf), "targets[0].parameters.topP",
     "must be a number"),
    ("top_p string", _params(topP="0.5"), "targets[0].parameters.topP", "must be a number"),
    ("max tokens fraction", _params(maxTokens=1.5), "targets[0].parameters.maxTokens",
     "must be a whole number"),
    ("max tokens string", _params(maxTokens="10"), "targets[0].parameters.maxTokens",
     "must be a whole number"),
    ("max tokens bool", _params(maxTokens=True), "targets[0].parameters.maxTokens",
     "must be a whole number"),
    ("stop string", _params(stop="\n"), "targets[0].parameters.stop",
     "must be an array, not a string"),
    ("stop item number", _params(stop=["a", 1]), "targets[0].parameters.stop[1]",
     "must be a string, not a number"),
    ("seed fraction", _params(seed=0.5), "targets[0].parameters.seed", "must be a whole number"),
    ("seed string", _params(seed="42"), "targets[0].parameters.seed", "must be a whole number"),
    # -- unknown fields, at every level
    ("unknown top-level", {"name": "x", "nmae": "y"}, "nmae", "unknown field"),
    ("unknown top-level lists known", {"name": "x", "prompt": "y"}, "prompt",
     "expected one of: description, examples, messages, name, schemaVersion, system, tags, "
     "targets, variables"),
    ("unknown in message", _doc(messages=[{"role": "user", "content": "", "name": "bob"}]),
     "messages[0].name", "unknown field (expected one of: content, role)"),
    ("unknown in example", _doc(examples=[{"input": "", "output": "", "weight": 2}]),
     "examples[0].weight", "unknown field"),
    ("unknown in variable", _doc(variables=[{"name": "v", "default": "d"}]),
     "variables[0].default", "unknown field"),
    ("unknown in target", _target(temperature=0.5), "targets[0].temperature",
     "unknown field (expected one of: jsonSchema, model, parameters, provider)"),
    ("snake case parameter", _params(max_tokens=10), "targets[0].parameters.max_tokens",
     "unknown field (expected one of: maxTokens, seed, stop, temperature, topP)"),
    # -- values out of range or not allowed
    ("bad role", _doc(messages=[{"role": "system", "content": ""}]), "messages[0].role",
     "must be 'user' or 'assistant', not 'system'"),
    ("role case", _doc(messages=[{"role": "User", "content": ""}]), "messages[0].role",
     "must be 'user' or 'assistant'"),
    ("duplicate variable", _doc(variables=[{"name": "a"}, {"name": "b"}, {"name": "a"}]),
     "variables[2].name", "variable 'a' is declared twice"),
    ("variable name with space", _doc(variables=[{"name": "my topic"}]), "variables[0].name",
     "'my topic' is not a valid variable name"),
    ("variable name leading digit", _doc(variables=[{"name": "1st"}]), "variables[0].name",
     "is not a valid variable name"),
    ("variable name empty", _doc(variables=[{"name": ""}]), "variables[0].name",
     "is not a valid variable name"),
    ("variable name with braces", _doc(variables=[{"name": "{{x}}"}]), "variables[0].name",
     "is not a valid variable name"),
    ("temperature below", _params(temperature=-0.1), "targets[0].parameters.temperature",
     "must be between 0 and 2, not -0.1"),
    ("temperature above", _params(temperature=2.1), "targets[0].parameters.temperature",
     "must be between 0 and 2, not 2.1"),
    ("top_p above", _params(topP=1.5), "targets[0].parameters.topP",
     "must be between 0 and 1, not 1.5"),
    ("top_p below", _params(topP=-1), "targets[0].parameters.topP",
     "must be between 0 and 1, not -1"),
    ("max tokens zero", _params(maxTokens=0), "targets[0].parameters.maxTokens",
     "must be at least 1"),
    ("max tokens negative", _params(maxTokens=-5), "targets[0].parameters.maxTokens",
     "must be at least 1"),
    ("provider empty", _doc(targets=[{"provider": "", "model": "m"}]), "targets[0].provider",
     "must not be empty"),
    ("provider blank", _doc(targets=[{"provider": " \t", "model": "m"}]),
     "targets[0].provider", "must not be empty"),
    ("model empty", _doc(targets=[{"provider": "p", "model": ""}]), "targets[0].model",
     "must not be empty"),
    ("provider with colon", _doc(targets=[{"provider": "openai:x", "model": "m"}]),
     "targets[0].provider", "cannot contain ':'"),
    ("second target", _doc(targets=[{"provider": "p", "model": "m"},
                                    {"provider": "p", "model": " "}]),
     "targets[1].model", "must not be empty"),
    ("schema string", _target(jsonSchema='{"type": "object"}'), "targets[0].jsonSchema",
     "must be a JSON object (a JSON Schema) or null"),
    ("schema array", _target(jsonSchema=[]), "targets[0].jsonSchema", "must be a JSON object"),
    ("schema bool", _target(jsonSchema=True), "targets[0].jsonSchema", "must be a JSON object"),
    ("schema number", _target(jsonSchema=1), "targets[0].jsonSchema", "must be a JSON object"),
    # -- schemaVersion
    ("version too new", {"schemaVersion": SCHEMA_VERSION + 1, "name": "x"}, "schemaVersion",
     "upgrade the app to open it"),
    ("version zero", {"schemaVersion": 0, "name": "x"}, "schemaVersion",
     "must be a positive whole number"),
    ("version negative", {"schemaVersion": -1, "name": "x"}, "schemaVersion",
     "must be a positive whole number"),
    ("version string", {"schemaVersion": "1", "name": "x"}, "schemaVersion",
     "must be a positive whole number"),
    ("version fraction", {"schemaVersion": 1.5, "name": "x"}, "schemaVersion",
     "must be a positive whole number"),
    ("version bool", {"schemaVersion": True, "name": "x"}, "schemaVersion",
     "must be a positive whole number"),
]
# fmt: on


@pytest.mark.parametrize(
    ("data", "path", "message"), [pytest.param(*case[1:], id=case[0]) for case in ERROR_CASES]
)
def test_document_errors(data: object, path: str, message: str) -> None:
    with pytest.raises(DocumentError) as info:
        from_dict(data)
    assert info.value.path == path
    assert message in info.value.reason
    assert str(info.value) == (f"{path}: {info.value.reason}" if path else info.value.reason)


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in ERROR_CASES if "(dict)" not in case[0]],
)
def test_document_errors_through_json(data: object, path: str, message: str) -> None:
    with pytest.raises(DocumentError) as info:
        from_json(json.dumps(data))
    assert info.value.path == path
    assert message in info.value.reason


def test_too_new_version_names_both_versions() -> None:
    with pytest.raises(DocumentError) as info:
        from_json(json.dumps({"schemaVersion": 7, "name": "x"}))
    assert "format version 7" in info.value.reason
    assert f"reads up to version {SCHEMA_VERSION}" in info.value.reason


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    "where",
    [
        '{{"name": "x", "targets": [{{"provider": "p", "model": "m",'
        ' "parameters": {{"temperature": {}}}}}]}}',
        '{{"name": "x", "targets": [{{"provider": "p", "model": "m",'
        ' "jsonSchema": {{"maximum": {}}}}}]}}',
        '{{"name": "x", "tags": [{}]}}',
    ],
)
def test_nan_and_infinity_rejected(constant: str, where: str) -> None:
    with pytest.raises(DocumentError) as info:
        from_json(where.format(constant))
    assert info.value.path == ""
    assert f"{constant} is not allowed in a prompt file" in info.value.reason


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"name": "x",}', "line 1, column 14"),
        ('{\n  "name": "x"\n  "system": ""\n}', "line 3, column 3: Expecting ',' delimiter"),
        ("", "line 1, column 1: Expecting value"),
        ('{"name": "x"} extra', "line 1, column 15: Extra data"),
        ("{'name': 'x'}", "line 1, column 2"),
        ('\ufeff{"name": "x"}', "line 1, column 1"),
    ],
)
def test_invalid_json_reports_line_and_column(text: str, where: str) -> None:
    with pytest.raises(DocumentError) as info:
        from_json(text)
    assert info.value.path == ""
    assert info.value.reason.startswith("not valid JSON (")
    assert where in info.value.reason


@pytest.mark.parametrize("data", [b'{"name": "\xff"}', b'{"name": "caf\xe9"}'])
def test_invalid_utf8_bytes_rejected(data: bytes) -> None:
    with pytest.raises(DocumentError) as info:
        from_json(data)
    assert info.value.path == ""
    assert info.value.reason == "not valid UTF-8 text"


# ---------------------------------------------------------------- fuzz


def _loads_or_rejects(data: object) -> None:
    """Load ``data``, as a dict and as JSON text: DocumentError is fine, anything else a bug."""
    for load, value in ((from_dict, data), (from_json, json.dumps(data))):
        try:
            doc = load(value)
        except DocumentError:
            continue
        # Whatever loads must be fully usable: written, re-read and hashed.
        assert from_json(to_json(doc)) == doc
        assert len(content_hash(doc)) == 64


def _parses_or_rejects(data: str | bytes) -> None:
    try:
        doc = from_json(data)
    except DocumentError:
        return
    assert from_json(to_json(doc)) == doc


@slow_ok
@given(json_values(max_leaves=20))
def test_fuzz_arbitrary_json_values(value: JSONValue) -> None:
    _loads_or_rejects(value)


_FIELD_VALUES = json_values(max_leaves=6)


@slow_ok
@given(st.fixed_dictionaries({}, optional=dict.fromkeys(TOP_LEVEL_KEYS, _FIELD_VALUES)))
def test_fuzz_objects_with_the_right_keys(value: dict[str, JSONValue]) -> None:
    _loads_or_rejects(value)


def _locations(value: object, here: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every key path into a JSON value (dict keys and list indices)."""
    out: list[tuple[object, ...]] = [here]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _locations(child, (*here, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _locations(child, (*here, i))
    return out


def _container(root: Any, location: tuple[object, ...]) -> Any:
    for step in location[:-1]:
        root = root[step]
    return root


@slow_ok
@given(documents(), st.data())
def test_fuzz_mutated_valid_documents(doc: PromptDocument, data: st.DataObject) -> None:
    tree: Any = to_dict(doc)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        locations = [loc for loc in _locations(tree) if loc]
        if not locations:
            break
        location = data.draw(st.sampled_from(locations), label="location")
        parent = _container(tree, location)
        key = location[-1]
        action = data.draw(st.sampled_from(["drop", "replace", "add unknown"]), label="action")
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = data.draw(_FIELD_VALUES, label="new value")
        elif isinstance(parent, dict):
            parent[data.draw(text, label="new key")] = data.draw(_FIELD_VALUES)
        else:
            parent.insert(key, data.draw(_FIELD_VALUES, label="new item"))
    _loads_or_rejects(tree)


@slow_ok
@given(st.text(alphabet=st.sampled_from('{}[]:,"nulltrue0123456789.-eE \\\n'), max_size=40))
def test_fuzz_json_like_text(value: str) -> None:
    _parses_or_rejects(value)


@slow_ok
@given(st.binary(max_size=40))
def test_fuzz_bytes(value: bytes) -> None:
    _parses_or_rejects(value)


@slow_ok
@given(json_objects())
def test_any_json_object_is_a_valid_schema(schema: dict[str, JSONValue]) -> None:
    doc = from_dict(_target(jsonSchema=schema))
    assert doc.targets[0].schema == json.loads(json.dumps(schema))
    assert doc.targets[0].json_schema_text == canonical_json(schema)


# ---------------------------------------------------------------- the shared strategies


@given(
    st.lists(variable_names, unique=True, max_size=4).flatmap(
        lambda names: st.tuples(st.just(names), template_text(names))
    )
)
def test_template_text_is_jinja_using_only_the_given_names(case: tuple[list[str], str]) -> None:
    names, source = case
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    assert meta.find_undeclared_variables(env.parse(source)) <= set(names)
    env.from_string(source).render(dict.fromkeys(names, "value"))


@given(plain_text)
def test_plain_text_has_no_jinja_delimiters(value: str) -> None:
    assert not any(d in value for d in ("{{", "}}", "{%", "%}", "{#", "#}"))


@slow_ok
@given(documents(valid_templates=True))
def test_documents_with_valid_templates(doc: PromptDocument) -> None:
    declared = {v.name for v in doc.variables}
    env = jinja2.Environment()
    sources = [doc.system, *(m.content for m in doc.messages)]
    sources += [text for e in doc.examples for text in (e.input, e.output)]
    for source in sources:
        assert meta.find_undeclared_variables(env.parse(source)) <= declared
    assert from_json(to_json(doc)) == doc


# ---------------------------------------------------------------- regressions
#
# Each of these pins a bug found while writing the tests above (now fixed).


def test_huge_integer_temperature_is_a_document_error() -> None:
    with pytest.raises(DocumentError) as info:
        from_json(json.dumps(_params(temperature=10**400)))
    assert info.value.path == "targets[0].parameters.temperature"
    assert info.value.reason == "must be between 0 and 2, not a huge number"


def test_overflowing_number_in_schema_is_a_document_error() -> None:
    with pytest.raises(DocumentError) as info:
        from_json(
            '{"name": "x", "targets": [{"provider": "p", "model": "m",'
            ' "jsonSchema": {"maximum": 1e400}}]}'
        )
    assert info.value.path == "targets[0].jsonSchema.maximum"
    assert "finite" in info.value.reason


def test_very_long_integer_is_a_document_error() -> None:
    with pytest.raises(DocumentError) as info:
        from_json('{"name": "x", "tags": [' + "1" * 5000 + "]}")
    assert info.value.path == ""
    assert info.value.reason.startswith("the JSON cannot be read: ")


def test_deeply_nested_json_is_a_document_error() -> None:
    with pytest.raises(DocumentError) as info:
        from_json('{"name": "x", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert info.value.path == ""
    assert info.value.reason == "the JSON is nested too deeply to read"


@pytest.mark.parametrize(
    "data",
    [
        '{"name": "\\ud800"}',  # a JSON escape
        b'{"name": "\xed\xa0\x80"}',  # UTF-8-encoded surrogate: json.loads uses surrogatepass
    ],
    ids=["escape", "bytes"],
)
def test_lone_surrogate_is_a_document_error(data: str | bytes) -> None:
    with pytest.raises(DocumentError) as info:
        from_json(data)
    assert info.value.path == "name"
    assert "lone surrogate" in info.value.reason


def test_nan_inside_schema_dict_is_a_document_error() -> None:
    with pytest.raises(DocumentError) as info:
        from_dict(_target(jsonSchema={"maximum": math.nan}))
    assert info.value.path == "targets[0].jsonSchema.maximum"
    assert "finite" in info.value.reason


def test_newer_file_with_new_fields_says_upgrade() -> None:
    with pytest.raises(DocumentError) as info:
        from_dict({"schemaVersion": SCHEMA_VERSION + 1, "name": "x", "attachments": []})
    assert info.value.path == "schemaVersion"


def test_equal_documents_have_equal_hashes() -> None:
    negative = from_dict(_params(temperature=-0.0))
    positive = from_dict(_params(temperature=0.0))
    assert negative == positive
    assert content_hash(negative) == content_hash(positive)
