"""Hostile files end in a clear FormatError, and a key typed in the wrong field never leaks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from playground.core import templates
from playground.core.document import Message, PromptDocument, Target
from playground.core.provider_config import ProviderConfig
from playground.export import registry
from playground.export.base import ExportOptions, FormatError

DEEP = "{{ x" + "|e" * 3000 + " }}"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("promptfooconfig.yaml", "prompts: [hi]\ndescription: 2020-13-45\n"),
        ("a.prompty", "---\nname: x\ndescription: 2020-02-30\n---\nuser:\nhi\n"),
        ("b.yaml", "prompts: [hi]\nx: !!int '0x'\n"),
        ("c.yaml", "prompts: [hi]\nx: " + "9" * 5000 + "\n"),
    ],
)
def test_yaml_values_python_cannot_build_are_format_errors(name: str, text: str) -> None:
    with pytest.raises(FormatError, match="a value cannot be read"):
        registry.import_text(text, name)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("p.yaml", f'prompts: ["{DEEP}"]\n'),
        ("p.prompty", f"---\nname: x\n---\nuser:\n{DEEP}\n"),
        ("p.json", '{"name": "x", "messages": [{"role": "user", "content": "' + DEEP + '"}]}'),
    ],
)
def test_a_template_nested_too_deeply_never_escapes_as_a_crash(name: str, text: str) -> None:
    # The file imports (its text is kept for the editor); the template check names the problem.
    [result] = registry.import_text(text, name)
    problems = templates.check(result.document)
    assert any("too deeply" in p.message for p in problems)


def test_a_nul_in_a_file_reference_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text('prompts: ["file://a\\0.json"]\n')
    with pytest.raises(FormatError, match="NUL character"):
        registry.import_path(config)


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(FormatError, match="not a regular file"):
        registry.import_path(tmp_path / "pipe.json")


def test_a_huge_example_turn_count_is_a_warning_not_an_allocation() -> None:
    text = (
        "prompts: [{raw: hi, label: p}]\ndefaultTest: {metadata: {exampleTurns: {p: 1000000000}}}\n"
    )
    [result] = registry.import_text(text, "promptfooconfig.yaml")
    assert any("does not match" in w for w in result.warnings)
    assert result.document.messages == (Message("user", "hi"),)


@pytest.mark.parametrize("fmt", registry.FORMAT_IDS)
def test_a_key_typed_as_the_key_variable_is_never_written_or_shown(fmt: str) -> None:
    secret = "sk-proj-SECRETKEY123"
    config = ProviderConfig(
        "myserver", "openai-compatible", base_url="http://localhost:9/v1", key_env=secret
    )
    doc = PromptDocument(
        name="x", messages=(Message("user", "hi"),), targets=(Target("myserver", "m"),)
    )
    result = registry.export_document(doc, fmt, ExportOptions(providers={"myserver": config}))
    everything = "".join(f.text for f in result.files) + "".join(result.warnings)
    assert secret not in everything
