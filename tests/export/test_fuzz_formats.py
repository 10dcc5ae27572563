"""Fuzzing the importers: broken or mutated files end in a clean error or valid documents.

Each format gets at least 1,000 inputs made from valid files (lines deleted,
doubled or swapped, characters flipped, the end cut off, random values spliced
into fields). Every one must raise :class:`FormatError` or give
:class:`ImportResult` values whose documents pass the native format's checks;
any other exception is a bug.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core import document
from playground.core.document import (
    Example,
    Message,
    Parameters,
    PromptDocument,
    Target,
    Variable,
)
from playground.core.provider_config import ProviderConfig
from playground.export import native, promptfoo, registry
from playground.export.base import (
    ExportOptions,
    FormatError,
    HistoryEntry,
    ImportResult,
    ImportSource,
    builtin_providers,
)
from tests.export.promptfoo_strategies import mutated, spliced_json, spliced_yaml

_DOC = PromptDocument(
    name="Fuzz",
    description="seed",
    system="System {{ a }}",
    messages=(Message("user", "Q {{ b }}"), Message("assistant", "A")),
    examples=(Example("in", "out"),),
    variables=(Variable("a", "1"), Variable("b")),
    targets=(
        Target("openai", "gpt-4o", Parameters(0.5, 10, 0.9, ("x",), 3), '{"type":"object"}'),
        Target("anthropic", "claude-3-5-haiku-latest", Parameters(stop=("y",))),
        Target("gw", "m", json_schema_text='{"properties":{"a":{"type":"string"}}}'),
    ),
)
_OPTIONS = ExportOptions(
    providers={
        **builtin_providers(),
        "gw": ProviderConfig("gw", "openai-compatible", "http://h/v1"),
    }
)
_EXPORT = promptfoo.export(_DOC, _OPTIONS)
_CHAT = _EXPORT.files[1].text
_SIBLINGS = {
    _EXPORT.files[1].name: _CHAT,
    "notes.txt": "One {{ x }}\n---\nTwo\n",
    "chat.yaml": "- role: system\n  content: S\n- role: user\n  content: U\n",
}
_HAND_WRITTEN = """\
description: several kinds of prompt
prompts:
  - 'Inline {{ x }}'
  - id: file://notes.txt
  - raw: '[{"role": "user", "content": "raw"}]'
    label: Raw
  - file://chat.yaml
providers:
  - openai:gpt-4o-mini
  - id: openai:chat:llama3
    label: ollama:llama3
    config: {temperature: 0.1, stop: END, response_format: {type: json_object}}
  - anthropic:messages:claude-3-opus
defaultTest:
  vars: {x: 1, y: [1, 2]}
tests:
  - vars: {x: 2}
"""
_NATIVE = native.export(_DOC, ExportOptions(history=(HistoryEntry(1, _DOC, "v1"),))).main.text


def _sibling(reference: str) -> ImportSource:
    name = reference.removeprefix("file://")
    if name not in _SIBLINGS:
        raise FormatError("promptfooconfig.yaml", f"no such file: {name}")
    return ImportSource(_SIBLINGS[name], name, name.rsplit(".", 1)[0], _sibling)


def _survives(read: Callable[[], list[ImportResult]]) -> None:
    try:
        outcome: list[ImportResult] | FormatError = read()
    except FormatError as exc:
        outcome = exc
    if isinstance(outcome, FormatError):
        assert outcome.reason
        return
    assert isinstance(outcome, list)
    assert outcome
    for result in outcome:
        doc = result.document
        assert document.from_dict(document.to_dict(doc)) == doc
        assert all(isinstance(w, str) for w in result.warnings)
        for entry in result.history:
            assert document.from_dict(document.to_dict(entry.document)) == entry.document


def test_the_seeds_are_valid_files() -> None:
    # Fuzzing broken copies says nothing unless the originals read cleanly.
    assert len(_read_config(_EXPORT.main.text)) == 1
    assert len(_read_config(_HAND_WRITTEN)) == 5
    assert registry.import_text(_CHAT, "chat.json")[0].document.system == "System {{ a }}"
    assert registry.import_text(_NATIVE, "p.json")[0].document == _DOC


def _read_config(text: str) -> list[ImportResult]:
    return promptfoo.read(ImportSource(text, "promptfooconfig.yaml", "promptfooconfig", _sibling))


_configs = st.sampled_from([_EXPORT.main.text, _HAND_WRITTEN])


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_mutated_promptfoo_configs(data: st.DataObject) -> None:
    source = data.draw(_configs)
    if data.draw(st.booleans()):
        source = data.draw(spliced_yaml(source))
    if data.draw(st.booleans()):
        source = data.draw(mutated(source))
    _survives(lambda: _read_config(source))


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_mutated_promptfoo_chat_prompts(data: st.DataObject) -> None:
    source = _CHAT
    if data.draw(st.booleans()):
        source = data.draw(spliced_json(source))
    if data.draw(st.booleans()):
        source = data.draw(mutated(source))
    # As the app reads a dropped file: a JSON array is a chat prompt, an object a native file.
    _survives(lambda: registry.import_text(source, "chat.json"))


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_mutated_native_json(data: st.DataObject) -> None:
    source = _NATIVE
    if data.draw(st.booleans()):
        source = data.draw(spliced_json(source))
    if data.draw(st.booleans()):
        source = data.draw(mutated(source))
    _survives(lambda: native.read(ImportSource(source, "p.json", "p")))
