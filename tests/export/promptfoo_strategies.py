"""Hypothesis strategies for the promptfoo and native JSON tests.

``provider_configs(doc)`` configures every provider a document's targets name
(any kind, with or without a key variable), so an export needs no guessing.
``mutated(text)`` breaks a valid file the ways real files break: lines lost,
doubled or swapped, characters flipped, a cut-off end, and random JSON or
YAML values spliced into its fields.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import strategies as st

from playground.core.document import PromptDocument
from playground.core.provider_config import KINDS, ProviderConfig
from playground.export.yamlio import dump_yaml
from tests.strategies import json_values, text

__all__ = ["mutated", "provider_configs", "spliced_json", "spliced_yaml"]

_URLS = st.sampled_from(
    ["http://localhost:11434/v1", "http://127.0.0.1:8000/v1", "https://gateway.example/v1?x=1"]
)
_KEY_VARS = st.none() | st.sampled_from(["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "MY_GATEWAY_KEY"])


@st.composite
def provider_configs(draw: st.DrawFn, doc: PromptDocument) -> dict[str, ProviderConfig]:
    """A configuration for each provider ``doc`` uses; OpenAI-compatible ones have a URL."""
    out = {}
    for name in dict.fromkeys(t.provider for t in doc.targets):
        kind = draw(st.sampled_from(KINDS))
        url = draw(_URLS) if kind == "openai-compatible" else draw(st.none() | _URLS)
        out[name] = ProviderConfig(
            name, kind, base_url=url, key_env=draw(_KEY_VARS), key_required=draw(st.booleans())
        )
    return out


_GARBAGE = st.sampled_from(
    [
        "",
        "\x00",
        "{",
        "}",
        "[",
        "]",
        ":",
        "- ",
        '"',
        "'",
        "\\",
        "&a",
        "*a",
        "!!python/object",
        "\t",
        "\n",
        "{{",
        "%}",
        "é",
        "\ud7ff",
        "null",
        "1e999",
        "NaN",
        "---",
        "file://../x",
    ]
)


@st.composite
def _one_mutation(draw: st.DrawFn, source: str) -> str:
    lines = source.splitlines(keepends=True) or [""]
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "flip", "truncate", "insert"]))
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        joined = "".join(lines)
        at = draw(st.integers(0, len(joined)))
        if kind == "truncate":
            return joined[:at]
        piece = draw(_GARBAGE | text)
        end = at + (1 if kind == "flip" else 0)
        return joined[:at] + piece + joined[end:]
    return "".join(lines)


@st.composite
def mutated(draw: st.DrawFn, source: str) -> str:
    """``source`` after one to three random edits."""
    out = source
    for _ in range(draw(st.integers(1, 3))):
        out = draw(_one_mutation(out))
    return out


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _splice(draw: st.DrawFn, data: Any) -> Any:
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    value = draw(json_values(max_leaves=4))
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return data


@st.composite
def spliced_json(draw: st.DrawFn, source: str) -> str:
    """``source`` (JSON) with one field, or the whole, replaced by a random JSON value."""
    return json.dumps(_splice(draw, json.loads(source)), indent=2, ensure_ascii=False)


@st.composite
def spliced_yaml(draw: st.DrawFn, source: str) -> str:
    """``source`` (YAML) with one field, or the whole, replaced by a random value."""
    return dump_yaml(_splice(draw, yaml.safe_load(source)))
