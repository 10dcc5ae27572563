"""Dotprompt (.prompt) export: goldens, the Jinja to Handlebars translation, and its warnings.

Goldens live in tests/golden/export/dotprompt/; ``UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings

from playground.core.document import Message, Parameters, PromptDocument, Target, Variable
from playground.export import dotprompt
from playground.export.base import ExportOptions
from playground.export.yamlio import load_yaml, split_front_matter
from tests.export.test_prompty import LOCAL, MINIMAL, RICH
from tests.strategies import documents

GOLDEN = Path(__file__).parent.parent / "golden" / "export" / "dotprompt"


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("doc", "golden", "warnings"),
    [
        (
            RICH,
            "rich.prompt",
            (
                "Dotprompt runs one model: targets 2 to 2 are only listed under "
                "metadata.playground.targets",
            ),
        ),
        (MINIMAL, "minimal.prompt", ()),
        (LOCAL, "openai_compatible.prompt", ()),
    ],
)
def test_export_matches_golden(doc: PromptDocument, golden: str, warnings: tuple[str, ...]) -> None:
    result = dotprompt.export(doc, ExportOptions())
    _check_golden(golden, result.main.text)
    assert result.warnings == warnings
    assert result.main.name.endswith(".prompt")


def test_front_matter_holds_model_config_input_and_output() -> None:
    front, body, _ = split_front_matter(dotprompt.export(RICH, ExportOptions()).main.text, "x")
    data = load_yaml(front, "x")
    assert data["model"] == "openai/gpt-4o-mini"
    assert data["config"] == {
        "temperature": 0.2,
        "maxOutputTokens": 16,
        "topP": 0.9,
        "stopSequences": ["\n\n"],
        "seed": 42,
    }
    assert data["input"] == {
        "schema": {
            "company?": "string, Whose helpdesk this is",
            "ticket": "string, The ticket text",
        },
        "default": {"company": "ACME"},
    }
    assert data["metadata"]["tags"] == ["support", "triage"]
    assert data["metadata"]["playground"]["examples"][1] == {
        "example": 2,
        "enabled": False,
        "input": "Ticket: thanks!",
        "output": "low",
        "note": "too easy",
    }
    assert body.index('{{~role "user"~}}') < body.index('{{~role "model"~}}')
    assert "{{company}}" in body
    assert "{{ company }}" not in body


def test_json_schema_becomes_the_output_schema() -> None:
    schema = Target.schema_text({"type": "object", "properties": {"a": {"type": "string"}}})
    doc = PromptDocument(name="s", targets=(Target("openai", "m", Parameters(), schema),))
    front, _, _ = split_front_matter(dotprompt.export(doc, ExportOptions()).main.text, "x")
    assert load_yaml(front, "x")["output"] == {
        "format": "json",
        "schema": {"properties": {"a": {"type": "string"}}, "type": "object"},
    }
    odd = PromptDocument(name="s", targets=(Target("openai", "m", Parameters(), '{"x":1}'),))
    assert "metadata.playground.jsonSchema" in dotprompt.export(odd, ExportOptions()).warnings[0]


@pytest.mark.parametrize(
    ("jinja", "handlebars"),
    [
        ("Hi {{ name }}!", "Hi {{name}}!"),
        ("{{ user.email }}", "{{user.email}}"),
        (
            "{% if x %}a{% elif y %}b{% else %}c{% endif %}",
            "{{#if x}}a{{else if y}}b{{else}}c{{/if}}",
        ),
        ("{% if not x %}none{% endif %}", "{{#unless x}}none{{/unless}}"),
        ("{% raw %}{{ literal }}{% endraw %}", "\\{{ literal }}"),
        ("{{ '{{' }} and }}", "\\{{ and }}"),
        ("path\\{{ x }}", "path\\\\{{x}}"),
        ("{{ role }} {{ json }}", "{{this.role}} {{this.json}}"),
        ("100% {literal} #1", "100% {literal} #1"),
    ],
)
def test_translation_keeps_the_meaning(jinja: str, handlebars: str) -> None:
    assert dotprompt.translate(jinja) == (handlebars, [])


def test_for_loops_become_each_with_a_warning() -> None:
    text, notes = dotprompt.translate(
        "{% for item in items %}{{ loop.index0 }}: {{ item }} for {{ who }}; {% endfor %}"
    )
    assert text == "{{#each items}}{{@index}}: {{this}} for {{@root.who}}; {{/each}}"
    assert len(notes) == 1
    assert "loops over a list value" in notes[0]


@pytest.mark.parametrize(
    ("jinja", "reason"),
    [
        ("{{ name | upper }}", "a filter"),
        ("{% set x = 1 %}{{ x }}", "{% set %}"),
        ("{{ a + b }}", "an expression"),
        ("{% for a in xs %}{% for b in ys %}{% endfor %}{% endfor %}", "nested"),
        ("{{ loop }}", "'loop'"),
        ("{{ broken", "a syntax error"),
        ("{{{ x }}", "'{' right before"),
    ],
)
def test_untranslatable_templates_are_kept_literally_and_warned(jinja: str, reason: str) -> None:
    text, notes = dotprompt.translate(jinja)
    assert "{{" not in text.replace("\\{{", "")  # every tag is escaped: nothing will run
    assert len(notes) >= 1
    assert reason in notes[0] or "cannot express" in notes[0]
    assert "shows its tags instead of running them" in notes[0]


def test_whitespace_and_empty_messages_are_warned() -> None:
    doc = PromptDocument(
        name="w",
        system="  padded\n",
        messages=(Message("user", ""), Message("user", "ok")),
    )
    result = dotprompt.export(doc, ExportOptions())
    assert result.warnings == (
        "system: Dotprompt trims white space at the ends of a message",
        "message 1: Dotprompt drops empty messages; this one is left out",
    )
    assert result.main.text.count("{{~role") == 2


def test_standalone_block_lines_are_warned() -> None:
    _, notes = dotprompt.translate("Intro\n{% if x %}\nyes\n{% endif %}\nend")
    assert any("stands alone" in n for n in notes)
    assert dotprompt.translate("{% if x %}yes{% endif %}")[1] == []


def test_multiline_descriptions_are_joined() -> None:
    doc = PromptDocument(name="d", variables=(Variable("v", None, "two\nlines"),))
    result = dotprompt.export(doc, ExportOptions())
    assert "v: string, two lines" in result.main.text
    assert result.warnings == ("variable 'v': its description was joined onto one line",)


@settings(max_examples=200, deadline=None)
@given(doc=documents(valid_templates=True))
def test_every_export_has_valid_front_matter(doc: PromptDocument) -> None:
    result = dotprompt.export(doc, ExportOptions())
    front, _, _ = split_front_matter(result.main.text, "x")
    data = load_yaml(front, "x")
    assert data["name"] == doc.name
    assert set(data.get("input", {}).get("default", {})) == {
        v.name for v in doc.variables if v.sample is not None
    }
