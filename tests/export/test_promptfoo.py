"""The promptfoo format: the config and chat prompt it writes, and what it reads back.

Goldens live in ``tests/golden/export/promptfoo/``; ``UPDATE_GOLDEN=1`` rewrites
them (review the diff before committing it).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core import document, templates
from playground.core.document import (
    Example,
    JSONValue,
    Message,
    Parameters,
    PromptDocument,
    Target,
    Variable,
)
from playground.core.errors import DocumentError
from playground.core.provider_config import ProviderConfig
from playground.export import promptfoo, registry
from playground.export.base import (
    ExportOptions,
    ExportResult,
    FormatError,
    ImportResult,
    ImportSource,
    builtin_providers,
)
from tests.export.promptfoo_strategies import provider_configs
from tests.strategies import documents

GOLDEN = Path(__file__).parents[1] / "golden" / "export" / "promptfoo"

SUPPORT = PromptDocument(
    name="Support reply",
    description="Answers a customer's question about an order.",
    tags=("support", "orders"),
    system="You are a friendly agent for {{ company }}. Answer in {{ language }}.",
    messages=(Message("user", "Customer wrote:\n{{ question }}"),),
    examples=(
        Example("Where is my parcel?", "Let me look that up for you.", note="tone"),
        Example("Refund please", "I can help.", enabled=False),
    ),
    variables=(
        Variable("company", "ACME", "the brand name"),
        Variable("language", "English"),
        Variable("question"),
    ),
    targets=(
        Target(
            "openai",
            "gpt-4o-mini",
            Parameters(temperature=0.2, max_tokens=400, stop=("END",), seed=7),
            Target.schema_text(
                {
                    "type": "object",
                    "properties": {"answer": {"type": "string"}},
                    "required": ["answer"],
                    "additionalProperties": False,
                }
            ),
        ),
        Target(
            "anthropic",
            "claude-3-5-haiku-latest",
            Parameters(max_tokens=500, stop=("X",)),
            Target.schema_text({"type": "object", "properties": {"mood": {"enum": ["ok", "bad"]}}}),
        ),
        Target("ollama", "llama3.2:3b", Parameters(top_p=0.9)),
        Target("gateway", "mixtral"),
    ),
)
GATEWAY = ProviderConfig(
    "gateway", "openai-compatible", base_url="https://llm.internal/v1", key_env="GATEWAY_KEY"
)
OPTIONS = ExportOptions(providers={**builtin_providers(), "gateway": GATEWAY})


def _held(doc: PromptDocument, providers: dict[str, ProviderConfig]) -> PromptDocument:
    """What a promptfoo export can hold of ``doc``: the expected result of importing it."""
    examples = tuple(Example(e.input, e.output) for e in doc.examples if e.enabled)
    targets = tuple(
        replace(t, parameters=replace(t.parameters, seed=None))
        if providers[t.provider].kind == "anthropic"
        else t
        for t in doc.targets
    )
    held = replace(doc, tags=(), examples=examples, targets=targets)
    sampled = [Variable(v.name, v.sample) for v in doc.variables if v.sample is not None]
    names = {v.name for v in sampled}
    used = [
        Variable(n)
        for n in templates.discover_variables(held)
        if n not in names and _valid_variable(n)
    ]
    return replace(held, variables=(*sampled, *used))


def _valid_variable(name: str) -> bool:
    try:
        document.from_dict({"name": "x", "variables": [{"name": name}]})
    except DocumentError:
        return False
    return True


def _read_back(result: ExportResult, name: str = "promptfooconfig") -> list[ImportResult]:
    files = {f.name: f.text for f in result.files}

    def sibling(reference: str) -> ImportSource:
        ref = reference.removeprefix("file://")
        return ImportSource(files[ref], ref, Path(ref).stem, sibling)

    return promptfoo.read(ImportSource(result.main.text, result.main.name, name, sibling))


def _write(result: ExportResult, folder: Path) -> Path:
    for f in result.files:
        (folder / f.name).write_text(f.text, encoding="utf-8")
    return folder / result.main.name


def _check_golden(folder: Path, result: ExportResult) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        folder.mkdir(parents=True, exist_ok=True)
        _write(result, folder)
    for f in result.files:
        assert (folder / f.name).read_text(encoding="utf-8") == f.text, f.name
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.name for f in result.files)


# ---------------------------------------------------------------- export


def test_export_matches_the_golden_files() -> None:
    result = promptfoo.export(SUPPORT, OPTIONS)
    assert [f.name for f in result.files] == ["promptfooconfig.yaml", "Support-reply.json"]
    assert [f.lexer for f in result.files] == ["yaml", "json"]
    _check_golden(GOLDEN / "support-reply", result)


def test_the_files_are_what_promptfoo_expects() -> None:
    result = promptfoo.export(SUPPORT, OPTIONS)
    config = yaml.safe_load(result.main.text)
    assert set(config) <= {"description", "prompts", "providers", "defaultTest", "tests"}
    assert config["prompts"] == [{"id": "file://Support-reply.json", "label": "Support reply"}]
    ids = [p["id"] for p in config["providers"]]
    assert ids == [
        "openai:chat:gpt-4o-mini",
        "anthropic:messages:claude-3-5-haiku-latest",
        "openai:chat:llama3.2:3b",
        "openai:chat:mixtral",
    ]
    openai, anthropic, ollama, gateway = (p.get("config", {}) for p in config["providers"])
    assert openai["response_format"]["json_schema"]["strict"] is True
    assert openai["apiKeyEnvar"] == "OPENAI_API_KEY"
    assert anthropic["extra_body"] == {"stop_sequences": ["X"]}
    assert anthropic["tool_choice"] == {"type": "tool", "name": "respond"}
    assert anthropic["tools"][0]["input_schema"]["properties"] == {"mood": {"enum": ["ok", "bad"]}}
    assert "seed" not in anthropic
    assert "apiKey" not in anthropic
    assert ollama == {
        "apiBaseUrl": "http://localhost:11434/v1",
        "apiKeyRequired": False,
        "top_p": 0.9,
    }
    assert gateway == {"apiBaseUrl": "https://llm.internal/v1", "apiKeyEnvar": "GATEWAY_KEY"}
    assert config["defaultTest"]["vars"] == {"company": "ACME", "language": "English"}
    chat = json.loads(result.files[1].text)
    assert [m["role"] for m in chat] == ["system", "user", "assistant", "user"]


def test_what_promptfoo_cannot_hold_is_listed() -> None:
    warnings = promptfoo.export(SUPPORT, OPTIONS).warnings
    assert warnings == (
        "tags are not kept (promptfoo has no place for them): support, orders",
        "variable descriptions are not kept: company",
        "the note of example 1 is not kept",
        "example 2 is disabled, so it is not written",
    )
    seeded = replace(SUPPORT, targets=(Target("anthropic", "claude-x", Parameters(seed=3)),))
    assert any("Anthropic has no seed" in w for w in promptfoo.export(seeded, OPTIONS).warnings)


def test_a_variable_without_a_sample_that_the_text_does_not_use_is_reported() -> None:
    doc = PromptDocument("p", messages=(Message("user", "{{ b }} {{ a }}"),))
    assert (
        promptfoo.export(replace(doc, variables=(Variable("b"), Variable("a"))), OPTIONS).warnings
        == ()
    )
    for variables in (
        (Variable("a"), Variable("b")),
        (Variable("b"), Variable("a"), Variable("c")),
    ):
        warnings = promptfoo.export(replace(doc, variables=variables), OPTIONS).warnings
        assert warnings == (
            "variables without a sample have no place in promptfoo: on import the list is "
            "the sampled variables, then those the text uses (b, a)",
        )


def test_no_key_is_ever_written(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-secret-value-123"
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GATEWAY_KEY", "CLAUDE_PROXY_KEY"):
        monkeypatch.setenv(var, secret)
    proxy = ProviderConfig(
        "proxy", "anthropic", base_url="https://proxy/v1", key_env="CLAUDE_PROXY_KEY"
    )
    doc = replace(SUPPORT, targets=(*SUPPORT.targets, Target("proxy", "claude-3-opus")))
    result = promptfoo.export(
        doc, replace(OPTIONS, providers={**OPTIONS.providers, "proxy": proxy})
    )
    assert all(secret not in f.text for f in result.files)
    config = yaml.safe_load(result.main.text)
    assert config["providers"][-1]["config"] == {
        "apiBaseUrl": "https://proxy/v1",
        "apiKey": "{{ env.CLAUDE_PROXY_KEY }}",
    }


def test_an_unconfigured_provider_is_reported_and_still_comes_back() -> None:
    doc = PromptDocument("p", targets=(Target("mystery", "m1"),))
    result = promptfoo.export(doc, ExportOptions())
    assert result.warnings == (
        "target 1 (mystery:m1): provider 'mystery' is not configured here; written as an "
        "OpenAI-compatible server without a base URL",
    )
    assert _read_back(result)[0].document == doc


def test_tests_given_to_the_exporter_replace_the_sample_test() -> None:
    cases: list[dict[str, JSONValue]] = [
        {"vars": {"question": "Hi"}, "assert": [{"type": "contains", "value": "Hello"}]}
    ]
    config = yaml.safe_load(promptfoo.export(SUPPORT, OPTIONS, tests=cases).main.text)
    assert config["tests"] == cases
    assert yaml.safe_load(promptfoo.export(SUPPORT, OPTIONS).main.text)["tests"] == [
        {"description": "the prompt's sample values"}
    ]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ items | tojson }}", "system uses the filter 'tojson', which Nunjucks does not have"),
        ("{{ name.upper() }}", "system uses the method call .upper(): Nunjucks runs on JavaScript"),
        ("{{ '%s!' % name }}", "system uses '%' formatting of text"),
        ("{% set d = dict(a=1) %}{{ d }}", "system uses dict(), which Nunjucks does not have"),
    ],
)
def test_jinja_constructs_that_nunjucks_reads_otherwise_are_warned(
    template: str, expected: str
) -> None:
    doc = PromptDocument("p", system=template)
    doc = replace(doc, variables=templates.sync_variables(doc))
    warnings = promptfoo.export(doc, OPTIONS).warnings
    assert len(warnings) == 1
    assert warnings[0].startswith(expected)


def test_templates_that_nunjucks_shares_give_no_warning() -> None:
    text = "{% for x in items %}{{ loop.index }}. {{ x | upper | trim }}{% endfor %}{# c #}"
    assert (
        promptfoo.template_warnings(
            PromptDocument("p", system=text, messages=(Message("user", "{{ a | default('b') }}"),))
        )
        == []
    )


# ---------------------------------------------------------------- round trips


def test_the_golden_document_comes_back_from_disk(tmp_path: Path) -> None:
    config = _write(promptfoo.export(SUPPORT, OPTIONS), tmp_path)
    [result] = registry.import_path(config)
    assert result.document == _held(SUPPORT, dict(OPTIONS.providers))
    assert result.warnings == ()
    assert result.source == str(config)


@settings(max_examples=150, deadline=None)
@given(st.data(), st.booleans())
def test_round_trip_keeps_everything_the_format_holds(data: st.DataObject, valid: bool) -> None:
    doc = data.draw(documents(valid_templates=valid))
    providers = data.draw(provider_configs(doc))
    result = promptfoo.export(doc, ExportOptions(providers=providers))
    [back] = _read_back(result)
    held = _held(doc, providers)
    assert back.document == held
    lost = [w for w in result.warnings if w not in promptfoo.template_warnings(doc)]
    assert (lost == []) == (held == doc), lost


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_round_trip_through_files_on_disk(data: st.DataObject) -> None:
    doc = data.draw(documents(valid_templates=True))
    providers = data.draw(provider_configs(doc))
    result = promptfoo.export(doc, ExportOptions(providers=providers))
    with tempfile.TemporaryDirectory() as folder:
        [back] = registry.import_path(_write(result, Path(folder)))
    assert back.document == _held(doc, providers)


# ---------------------------------------------------------------- import


def _config(tmp_path: Path, text: str, **files: str) -> list[ImportResult]:
    for name, content in files.items():
        (tmp_path / name.replace("__", ".")).write_text(content, encoding="utf-8")
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(text, encoding="utf-8")
    return registry.import_path(path)


def test_a_hand_written_config_with_several_prompts(tmp_path: Path) -> None:
    results = _config(
        tmp_path,
        """
description: Translation
prompts:
  - 'Translate to {{ language }}: {{ text }}'
  - id: file://chat.json
    label: Chat style
  - file://two.txt
  - raw: '[{"role": "user", "content": "Inline {{ text }}"}]'
    label: Chat style
providers:
  - openai:gpt-4o
  - anthropic:messages:claude-3-5-sonnet-latest
  - id: openai:chat:qwen2.5
    label: lmstudio:qwen2.5
    config: {apiBaseUrl: 'http://localhost:1234/v1', temperature: 1}
  - id: openai:chat:llama3
    config: {apiBaseUrl: 'http://localhost:11434/v1'}
  - vertex:gemini-pro
  - openai:responses:gpt-5
  - id: openai:chat:x
    config: {apiBaseUrl: 'http://elsewhere:9/v1'}
tests:
  - vars: {language: French, text: Hello}
  - vars: {language: German, text: Bye}
outputPath: out.json
""",
        chat__json='[{"role": "system", "content": "Be brief."}, '
        '{"role": "user", "content": "{{ text }}"}]',
        two__txt="First {{ text }}\n---\nSecond\n",
    )
    names = [r.document.name for r in results]
    assert names == ["promptfooconfig 1", "Chat style", "two 1", "two 2", "Chat style (2)"]
    first, chat = results[0].document, results[1].document
    assert first.messages == (Message("user", "Translate to {{ language }}: {{ text }}"),)
    assert first.description == "Translation"
    assert first.variables == (Variable("language", "French"), Variable("text", "Hello"))
    assert chat.system == "Be brief."
    assert chat.messages == (Message("user", "{{ text }}"),)
    assert [r.document.messages[0].content for r in results[2:4]] == ["First {{ text }}", "Second"]
    assert [t.label for t in first.targets] == [
        "openai:gpt-4o",
        "anthropic:claude-3-5-sonnet-latest",
        "lmstudio:qwen2.5",
        "ollama:llama3",
    ]
    assert first.targets[2].parameters.temperature == 1.0
    warnings = "\n".join(results[0].warnings)
    for expected in (
        "outputPath",
        "'vertex:gemini-pro'",
        "'openai:responses:gpt-5'",
        "elsewhere",
        "1 test case",
    ):
        assert expected in warnings


def test_a_key_in_an_imported_file_is_not_kept(tmp_path: Path) -> None:
    [result] = _config(
        tmp_path,
        "prompts: [hi]\nproviders:\n  - id: openai:gpt-4o\n    config: {apiKey: sk-live-abc}\n",
    )
    assert "sk-live-abc" not in json.dumps(document.to_dict(result.document))
    assert any("a key in the file is ignored" in w for w in result.warnings)


def test_a_chat_prompt_on_its_own_is_one_prompt_named_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "greeting.json"
    path.write_text('[{"role": "user", "content": "Hi {{ name }}"}]', encoding="utf-8")
    [result] = registry.import_path(path)
    assert result.document == PromptDocument(
        "greeting", messages=(Message("user", "Hi {{ name }}"),), variables=(Variable("name"),)
    )
    [pasted] = registry.import_text(path.read_text(encoding="utf-8"), "pasted.json")
    assert pasted.document.name == "pasted"


def test_a_yaml_chat_prompt_is_read_too(tmp_path: Path) -> None:
    [result] = _config(
        tmp_path,
        "prompts: [file://chat.yaml]\n",
        chat__yaml="- role: system\n  content: S\n- role: user\n  content: U\n",
    )
    assert (result.document.system, result.document.messages) == ("S", (Message("user", "U"),))


def test_example_turns_that_do_not_match_are_read_as_messages(tmp_path: Path) -> None:
    [result] = _config(
        tmp_path,
        "prompts: [{id: file://c.json, label: p}]\n"
        "defaultTest:\n  metadata:\n    exampleTurns: {p: 2}\n",
        c__json='[{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]',
    )
    assert result.document.examples == ()
    assert len(result.document.messages) == 2
    assert any("exampleTurns" in w for w in result.warnings)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("prompts:\n  - a\n  b: c\n", 3, "invalid YAML"),
        ("description: x\n", 1, "not a promptfoo config"),
        ("prompts:\n  - hi\nproviders:\n  - 42\n", 4, "providers[0]: must be a provider id"),
        ("prompts:\n  - hi\n  - {label: 3, raw: x}\n", 3, "prompts[1].label: must be text"),
        ("prompts: 7\n", 1, "prompts: must be a list"),
        (
            "prompts: [hi]\nproviders:\n  - id: openai:gpt-4o\n    config: [1]\n",
            4,
            "config: must be a mapping",
        ),
    ],
)
def test_a_broken_config_names_its_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError, match=re.escape(message)) as caught:
        _config(tmp_path, text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{tmp_path / 'promptfooconfig.yaml'}:{line}: ")


def test_a_broken_chat_prompt_names_its_own_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        _config(
            tmp_path,
            "prompts: [file://c.json]\n",
            c__json='[\n  {"role": "user"},\n  {"content": 1}\n]',
        )
    assert str(caught.value) == f"{tmp_path / 'c.json'}:2: [0]: needs a content"
    with pytest.raises(FormatError, match=r"c\.json:3: not valid JSON"):
        _config(tmp_path, "prompts: [file://c.json]\n", c__json='[\n  {"role": "user",\n  }]')


def test_file_references_stay_in_the_folder_and_need_one(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    with pytest.raises(FormatError, match="outside the file's folder"):
        registry.import_path(
            _write_text(tmp_path / "inner" / "promptfooconfig.yaml", "prompts: [file://../x.json]")
        )
    with pytest.raises(FormatError, match="no such file"):
        _config(tmp_path, "prompts: [file://missing.json]\n")
    with pytest.raises(
        FormatError,
        match=r"pasted\.yaml:1: prompts\[0\]: refers to 'file://c\.json', which can only",
    ):
        registry.import_text("prompts: [file://c.json]\n", "pasted.yaml")


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
