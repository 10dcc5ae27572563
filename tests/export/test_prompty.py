"""Prompty export (version 2) and import (versions 2 and 1): goldens, fixtures, round trips.

Goldens live in tests/golden/export/prompty/; ``UPDATE_GOLDEN=1`` rewrites
them (read the diff before keeping it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
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
from playground.export import prompty
from playground.export.base import (
    MAX_IMPORT_BYTES,
    ExportOptions,
    FormatError,
    ImportSource,
    folder_sibling_reader,
    read_text_file,
)
from tests.export.prompty_strategies import provider_settings
from tests.strategies import documents

GOLDEN = Path(__file__).parent.parent / "golden" / "export" / "prompty"

RICH = PromptDocument(
    name="Support triage",
    description="Sorts incoming tickets by urgency",
    tags=("support", "triage"),
    system="You are a triage assistant for {{ company }}.\nAnswer with one word.",
    messages=(Message("user", "Ticket:\n{{ ticket }}"),),
    examples=(
        Example("Ticket: the printer is on fire", "urgent", True, "the classic"),
        Example("Ticket: thanks!", "low", False, "too easy"),
        Example("Ticket: cannot log in", "high"),
    ),
    variables=(
        Variable("company", "ACME", "Whose helpdesk this is"),
        Variable("ticket", None, "The ticket text"),
    ),
    targets=(
        Target("openai", "gpt-4o-mini", Parameters(0.2, 16, 0.9, ("\n\n",), 42)),
        Target(
            "anthropic",
            "claude-3-5-haiku-latest",
            Parameters(max_tokens=64),
            Target.schema_text({"type": "object", "properties": {"label": {"type": "string"}}}),
        ),
    ),
)
MINIMAL = PromptDocument(name="hello", messages=(Message("user", "Say hello."),))
LOCAL = PromptDocument(
    name="local llama",
    system="Be brief.",
    messages=(Message("user", "{{ q }}"),),
    variables=(Variable("q", "Why is the sky blue?"),),
    targets=(Target("ollama", "llama3.2:3b", Parameters(temperature=0.0)),),
)


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def _read(text: str, name: str = "t") -> tuple[PromptDocument, tuple[str, ...]]:
    [result] = prompty.read(ImportSource(text, f"{name}.prompty", name))
    return result.document, result.warnings


@pytest.mark.parametrize(
    ("doc", "golden"),
    [(RICH, "rich.prompty"), (MINIMAL, "minimal.prompty"), (LOCAL, "openai_compatible.prompty")],
)
def test_export_matches_golden_and_reads_back_equal(doc: PromptDocument, golden: str) -> None:
    result = prompty.export(doc, ExportOptions())
    _check_golden(golden, result.main.text)
    assert result.warnings == ()
    back, warnings = _read(result.main.text)
    assert back == doc
    assert warnings == ()


def test_file_name_comes_from_the_prompt_name() -> None:
    assert prompty.export(LOCAL, ExportOptions()).main.name == "local-llama.prompty"
    assert prompty.export(LOCAL, ExportOptions(stem="x")).main.name == "x.prompty"


def test_connection_names_environment_variables_never_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123")
    text = prompty.export(RICH, ExportOptions()).main.text
    assert "sk-secret" not in text
    assert "apiKey: ${env:OPENAI_API_KEY}" in text
    local = prompty.export(LOCAL, ExportOptions()).main.text
    assert "endpoint: ${env:OLLAMA_BASE_URL:http://localhost:11434/v1}" in local
    assert "apiKey" not in local


def test_unconfigured_provider_is_named_and_warned() -> None:
    doc = PromptDocument(name="x", targets=(Target("mycorp", "m1"),))
    result = prompty.export(doc, ExportOptions(providers={}))
    assert "provider: mycorp" in result.main.text
    assert result.warnings == (
        "target 1 (mycorp:m1): provider 'mycorp' is not configured, so the file names it "
        "but has no connection settings",
    )
    back, warnings = _read(result.main.text)
    assert back == doc
    assert any("add a provider of that name" in w for w in warnings)


@pytest.mark.parametrize(
    ("text", "fitted", "warned"),
    [
        ("plain\ntext", "plain\ntext", 0),
        ("\n\nblank ends\n", "blank ends", 1),
        ("a\r\nb\u2028c", "a\nb\nc", 1),
        ("Transcript:\nUser:\nhi", "Transcript:\nUser\\:\nhi", 1),
        ('  # Assistant[name="x"] :  ', '  # Assistant[name="x"] \\:  ', 1),
        ('# assistant [name="x"]:', '# assistant [name="x"]:', 0),
        ("user: with text after", "user: with text after", 0),
        ("tool:", "tool:", 0),
        ("nul\x00", "nul", 1),
    ],
)
def test_fit_text_changes_only_what_prompty_cannot_hold(
    text: str, fitted: str, warned: int
) -> None:
    out, changes = prompty.fit_text(text)
    assert out == fitted
    assert len(changes) == warned
    assert prompty.fit_text(out) == (out, [])  # what was fitted stays put


def test_lost_text_is_warned_by_field() -> None:
    doc = replace_system(MINIMAL, "System:\n")
    result = prompty.export(doc, ExportOptions())
    assert result.warnings == (
        "system: Prompty drops blank lines at the start and end of a message; left out",
        "system: line 1 'System:' would start a new message in Prompty; written as 'System\\:'",
    )
    assert _read(result.main.text)[0].system == "System\\:"


def replace_system(doc: PromptDocument, system: str) -> PromptDocument:
    return PromptDocument(**{**doc.__dict__, "system": system})


@settings(max_examples=300, deadline=None)
@given(data=st.data(), doc=documents())
def test_round_trip_gives_what_the_format_holds(data: st.DataObject, doc: PromptDocument) -> None:
    providers = data.draw(provider_settings(doc))
    result = prompty.export(doc, ExportOptions(providers=providers))
    back, warnings = _read(result.main.text)
    expected = prompty.holdable(doc)
    assert back == expected
    assert (result.warnings == ()) == (expected == doc)
    # Import notes are only about settings the document does not keep, or template syntax.
    for warning in warnings:
        assert "in Settings" in warning or ": template (" in warning, warning


def test_examples_come_back_as_examples_only_while_the_turns_match() -> None:
    text = prompty.export(RICH, ExportOptions()).main.text
    head, _, _ = text.partition("---\nsystem:")
    broken = head + "---\nuser:\nonly one turn\n"
    doc, warnings = _read(broken)
    assert doc.examples == (Example("Ticket: thanks!", "low", False, "too easy"),)
    assert doc.messages == (Message("user", "only one turn"),)
    assert any("2 enabled examples" in w for w in warnings)


def test_v1_file_reads_field_by_field() -> None:
    text = read_text_file(GOLDEN / "import_v1.prompty")
    doc, warnings = _read(text, "import_v1")
    assert doc.name == "Basic Q&A"
    assert doc.description == "Answers a customer's question"
    assert doc.tags == ("qa", "support")
    assert doc.system == "You are an assistant helping {{firstName}}.\nAnswer briefly."
    assert doc.messages == (Message("user", "{{question}}"),)
    assert doc.examples == ()
    assert doc.variables == (
        Variable("firstName", "Jane", "The customer's first name"),
        Variable("question", "What can you do?", ""),
        Variable("retries", "3", ""),
    )
    assert doc.targets == (
        Target("azure", "gpt-35-turbo", Parameters(0.2, 128, 0.95, ("###",), None)),
    )
    assert "line 4: ignored: authors" in warnings
    assert "line 16: ignored: model.configuration.api_version" in warnings
    assert "line 22: ignored: model.parameters.frequency_penalty" in warnings
    assert any(w.startswith("line 9: model.provider 'azure'") for w in warnings)
    assert any("AZURE_OPENAI_ENDPOINT" in w and "in Settings" in w for w in warnings)
    assert len(warnings) == 5


def test_v1_sample_file_is_read_beside_the_prompt_and_a_literal_key_is_dropped() -> None:
    path = GOLDEN / "import_v1_sample_ref.prompty"
    source = ImportSource(read_text_file(path), str(path), path.stem, folder_sibling_reader(path))
    [result] = prompty.read(source)
    doc = result.document
    assert doc.name == "with-sample-file"
    assert doc.variables == (Variable("topic", "tides"), Variable("depth", "2"))
    assert doc.targets == (Target("openai", "gpt-4o-mini"),)
    assert doc.messages == (Message("user", "Tell me about {{topic}}."),)
    assert "sk-this" not in " ".join(result.warnings)
    assert any("holds a key written into the file" in w for w in result.warnings)
    pasted = prompty.read(ImportSource(source.text, "pasted", "pasted"))[0]
    assert pasted.document.variables == (Variable("topic"),)
    assert any("import the .prompty from its folder" in w for w in pasted.warnings)


def test_v2_file_reads_field_by_field() -> None:
    doc, warnings = _read(read_text_file(GOLDEN / "import_v2.prompty"), "import_v2")
    assert doc.name == "reviewer"
    assert doc.description == "Reviews a pull request"
    assert doc.tags == ("code",)
    assert doc.system == "You review code. Strictness: {{strictness}}."
    assert doc.messages == (
        Message("user", "Please review:\n{{diff}}"),
        Message("assistant", "Looks good."),
        Message("user", "Are you sure?"),
    )
    assert doc.variables == (
        Variable("diff", "- old\n+ new", "The change to review"),
        Variable("strictness", "3", ""),
    )
    assert doc.targets == (
        Target(
            "anthropic",
            "claude-3-5-sonnet-latest",
            Parameters(temperature=0.3, max_tokens=1024, stop=("END",), seed=7),
        ),
    )
    assert sorted(warnings) == sorted(
        [
            "line 5: ignored: metadata.authors",
            "line 9: ignored: metadata.version",
            "line 23: ignored: model.options.topK",
            "line 30: input 'strictness' is of kind 'number'; this app's variables are text",
            "line 46: ignored: the attributes of the assistant marker",
        ]
    )


def test_no_front_matter_takes_the_name_from_the_file() -> None:
    doc, warnings = _read("user:\nhi\n", "greeting")
    assert doc == PromptDocument(name="greeting", messages=(Message("user", "hi"),))
    assert warnings == ()
    assert _read("plain text only", "p")[0].system == "plain text only"


def test_template_syntax_errors_are_reported_at_their_line_in_the_file() -> None:
    text = "---\nname: t\n---\nsystem:\nfine\n\nuser:\nline one\n{{ broken\n"
    doc, warnings = _read(text)
    assert doc.messages == (Message("user", "line one\n{{ broken"),)
    assert len(warnings) == 1
    assert warnings[0].startswith("line 9: template (message 1):")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("---\nname: [unclosed\n---\n", "invalid YAML", 3),
        ("---\nname: x\n", "never closed", 1),
        ("---\n- a list\n---\n", "must be YAML fields", 2),
        ("---\nname: 12\n---\n", "name: must be text", 2),
        ("---\nmodel:\n  id: m\n  options:\n    temperature: 9\n---\n", "between 0 and 2", 5),
        ("---\nmodel:\n  id: m\n  options:\n    maxOutputTokens: 0\n---\n", "at least 1", 5),
        ("---\nmodel:\n  id: m\n  provider: 'a:b'\n---\n", "without ':'", 4),
        (
            "---\nmetadata:\n  playground:\n    schemaVersion: 9\n---\n",
            "newer Prompt Playground",
            4,
        ),
        ("---\nmetadata:\n  playground:\n    targets: [1]\n---\n", "targets[0]", 4),
    ],
)
def test_malformed_files_name_file_and_line(text: str, message: str, line: int) -> None:
    with pytest.raises(FormatError) as info:
        prompty.read(ImportSource(text, "bad.prompty", "bad"))
    assert message in str(info.value)
    assert info.value.line == line
    assert str(info.value).startswith(f"bad.prompty:{line}: ")


def test_oversized_and_binary_text_is_refused() -> None:
    with pytest.raises(FormatError, match="limited to"):
        prompty.read(ImportSource("x" * (MAX_IMPORT_BYTES + 1), "big.prompty", "big"))
    with pytest.raises(FormatError, match="binary"):
        prompty.read(ImportSource("user:\n\x00", "bin.prompty", "bin"))


def test_an_alias_bomb_is_refused() -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += f"{'abcdefgh'[i]}: &{'abcdefgh'[i]} [" + ", ".join(["*" + "abcdefgh"[i - 1]] * 10)
        bomb += "]\n"
    with pytest.raises(FormatError, match="refused"):
        prompty.read(ImportSource(bomb + "---\n", "bomb.prompty", "bomb"))


def test_imported_documents_are_valid_native_documents() -> None:
    doc, _ = _read(read_text_file(GOLDEN / "import_v2.prompty"))
    assert document.from_json(document.to_json(doc)) == doc


def test_custom_openai_compatible_provider_keeps_its_name_and_notes_the_endpoint() -> None:
    config = ProviderConfig("mycorp", "openai-compatible", "https://llm.example/v1", "MYCORP_KEY")
    doc = PromptDocument(name="c", targets=(Target("mycorp", "m"),))
    text = prompty.export(doc, ExportOptions(providers={"mycorp": config})).main.text
    assert "endpoint: ${env:MYCORP_BASE_URL:https://llm.example/v1}" in text
    assert "apiKey: ${env:MYCORP_KEY}" in text
    back, warnings = _read(text)
    assert back == doc
    assert warnings == (
        "line 7: the document keeps no endpoint: to run it, set the base URL of provider "
        "'mycorp' to https://llm.example/v1 (or $MYCORP_BASE_URL) in Settings",
    )
