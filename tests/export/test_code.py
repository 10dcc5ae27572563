"""Code export: golden files, safe literals, what the code sends, warnings and errors.

The golden files under ``tests/golden/export/code/`` are compared exactly;
``UPDATE_GOLDEN=1`` rewrites them (then read the diff before committing).
The cases here are shared with the tests that run the code
(``test_code_run.py``) and type-check it (``test_code_ts.py``).
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core import templates
from playground.core.document import Example, Message, Parameters, PromptDocument, Target, Variable
from playground.core.provider_config import ProviderConfig
from playground.export import code
from playground.export import code_support as cs
from playground.export.base import ExportOptions, ExportResult, FormatError, builtin_providers
from playground.export.registry import export_document
from tests import strategies

GOLDEN = Path(__file__).parent.parent / "golden" / "export" / "code"
CODE_FORMATS = ("python-openai", "python-anthropic", "ts-openai", "ts-anthropic", "curl")
SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "score": {"type": "integer"}},
    "required": ["answer", "score"],
    "additionalProperties": False,
}

PLAIN = PromptDocument(
    name="Explain like a friend",
    description="Short, warm explanations.",
    system='You explain {{ topic }} to a {{ audience }}.\nKeep it under 3 sentences; no "jargon".',
    messages=(
        Message("user", "What is {{ topic }}? Braces {stay} as they are."),
        Message("assistant", "Happy to help."),
        Message("user", "Go on: {{ topic }} \\ `tick` ${not_a_var} '''"),
    ),
    examples=(
        Example("Explain {{ audience }}s.", "They are people who listen."),
        Example("A disabled one", "Never sent", enabled=False),
    ),
    variables=(
        Variable("topic", "tides", "What to explain"),
        Variable("audience", "child", "Who listens (50% patience)"),
    ),
    targets=(
        Target(
            "openai",
            "gpt-4.1-mini",
            Parameters(temperature=0.3, max_tokens=200, top_p=0.9, stop=("END",), seed=7),
        ),
        Target("anthropic", "claude-haiku-4-5", Parameters(max_tokens=300, stop=("END",))),
        Target("ollama", "llama3.2", Parameters(temperature=0.5, max_tokens=50)),
    ),
)

LOGIC = PromptDocument(
    name="Checklist",
    system="You write checklists.{% if strict is defined %} Be strict.{% endif %}",
    messages=(
        Message(
            "user",
            "Make a checklist for {{ task | upper }}:\n"
            "{% for step in steps.split(',') %}- {{ step | trim }}\n{% endfor %}",
        ),
    ),
    variables=(Variable("task", "packing"), Variable("steps", "socks, tent,map")),
    targets=(
        Target("openai", "gpt-4.1-mini"),
        Target("anthropic", "claude-haiku-4-5", Parameters(temperature=0.2, seed=1)),
    ),
)

STRUCTURED = PromptDocument(
    name="Grader",
    system="Grade the answer.",
    messages=(Message("user", "Answer: {{ answer }}"),),
    variables=(Variable("answer", "42"),),
    targets=(
        Target("openai", "gpt-4.1-mini", json_schema_text=Target.schema_text(SCHEMA)),
        Target("anthropic", "claude-haiku-4-5", json_schema_text=Target.schema_text(SCHEMA)),
    ),
)

# name -> (format, document, options). Target 0 is OpenAI, 1 Anthropic, 2 Ollama.
CASES: dict[str, tuple[str, PromptDocument, ExportOptions]] = {
    "python-openai-inline": ("python-openai", PLAIN, ExportOptions()),
    "python-openai-parameters-stream": (
        "python-openai",
        PLAIN,
        ExportOptions(variables="parameters", stream=True),
    ),
    "python-openai-flattened": ("python-openai", PLAIN, ExportOptions(examples="flattened")),
    "python-openai-ollama-stream": ("python-openai", PLAIN, ExportOptions(target=2, stream=True)),
    "python-openai-jinja": ("python-openai", LOGIC, ExportOptions()),
    "python-openai-jinja-parameters": (
        "python-openai",
        LOGIC,
        ExportOptions(variables="parameters"),
    ),
    "python-openai-schema": ("python-openai", STRUCTURED, ExportOptions()),
    "python-anthropic-inline": ("python-anthropic", PLAIN, ExportOptions(target=1)),
    "python-anthropic-parameters-stream": (
        "python-anthropic",
        PLAIN,
        ExportOptions(target=1, variables="parameters", stream=True),
    ),
    "python-anthropic-flattened": (
        "python-anthropic",
        PLAIN,
        ExportOptions(target=1, examples="flattened"),
    ),
    "python-anthropic-jinja-stream": (
        "python-anthropic",
        LOGIC,
        ExportOptions(target=1, stream=True),
    ),
    "python-anthropic-schema": ("python-anthropic", STRUCTURED, ExportOptions(target=1)),
    "python-anthropic-schema-stream": (
        "python-anthropic",
        STRUCTURED,
        ExportOptions(target=1, stream=True),
    ),
    "ts-openai-inline": ("ts-openai", PLAIN, ExportOptions()),
    "ts-openai-parameters-stream": (
        "ts-openai",
        PLAIN,
        ExportOptions(variables="parameters", stream=True),
    ),
    "ts-openai-ollama": ("ts-openai", PLAIN, ExportOptions(target=2, examples="flattened")),
    "ts-openai-jinja-inline": ("ts-openai", LOGIC, ExportOptions()),
    "ts-openai-jinja-parameters": ("ts-openai", LOGIC, ExportOptions(variables="parameters")),
    "ts-openai-schema": ("ts-openai", STRUCTURED, ExportOptions()),
    "ts-anthropic-inline": ("ts-anthropic", PLAIN, ExportOptions(target=1)),
    "ts-anthropic-parameters-stream": (
        "ts-anthropic",
        PLAIN,
        ExportOptions(target=1, variables="parameters", stream=True),
    ),
    "ts-anthropic-jinja-parameters-stream": (
        "ts-anthropic",
        LOGIC,
        ExportOptions(target=1, variables="parameters", stream=True),
    ),
    "ts-anthropic-schema": ("ts-anthropic", STRUCTURED, ExportOptions(target=1)),
    "curl-openai": ("curl", PLAIN, ExportOptions()),
    "curl-openai-schema-stream": ("curl", STRUCTURED, ExportOptions(stream=True)),
    "curl-anthropic": ("curl", PLAIN, ExportOptions(target=1, examples="flattened")),
    "curl-anthropic-stream": ("curl", LOGIC, ExportOptions(target=1, stream=True)),
    "curl-ollama": ("curl", PLAIN, ExportOptions(target=2)),
}
_SUFFIX = {"python": ".py", "typescript": ".ts", "bash": ".sh"}


def export_case(name: str) -> ExportResult:
    fmt, doc, options = CASES[name]
    return export_document(doc, fmt, options)


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_matches_its_golden_file(name: str) -> None:
    result = export_case(name)
    golden = GOLDEN / f"{name}{_SUFFIX[result.main.lexer]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.main.text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with UPDATE_GOLDEN=1 and review it"
    assert result.main.text == golden.read_text(encoding="utf-8")


def test_every_code_format_has_golden_files() -> None:
    covered = {fmt for fmt, _, _ in CASES.values()}
    assert covered == set(CODE_FORMATS)
    expected = {f"{name}{_SUFFIX[export_case(name).main.lexer]}" for name in CASES}
    present = {p.name for p in GOLDEN.iterdir()}
    assert present == expected, "stale or missing golden files"


@pytest.mark.parametrize(
    ("fmt", "name", "lexer"),
    [
        ("python-openai", "Explain-like-a-friend.py", "python"),
        ("ts-anthropic", "Explain-like-a-friend.ts", "typescript"),
        ("curl", "Explain-like-a-friend.sh", "bash"),
    ],
)
def test_one_file_named_after_the_prompt_with_its_lexer(fmt: str, name: str, lexer: str) -> None:
    result = export_document(PLAIN, fmt, ExportOptions(target=1))
    assert [(f.name, f.lexer) for f in result.files] == [(name, lexer)]


# ---------------------------------------------------------------- what the Python builds


def _python_messages(text: str, **arguments: str) -> list[dict[str, str]]:
    """Run the exported module's message builder (not its main) and return the messages."""
    namespace: dict[str, Any] = {"__name__": "exported"}
    exec(compile(text, "<export>", "exec"), namespace)
    if "build_prompt" in namespace:
        system, messages = namespace["build_prompt"](**arguments)
        return [{"role": "system", "content": system}, *messages]
    messages = namespace["build_messages"](**arguments)
    assert isinstance(messages, list)
    return messages


def _app_messages(doc: PromptDocument, values: dict[str, str]) -> list[dict[str, str]]:
    request = templates.render(doc, values)
    out = [{"role": "system", "content": request.system}] if request.system else []
    return out + [{"role": m.role, "content": m.content} for m in request.messages]


@pytest.mark.parametrize("fmt", ["python-openai", "python-anthropic"])
@pytest.mark.parametrize("doc", [PLAIN, LOGIC, STRUCTURED], ids=lambda d: d.name)
@pytest.mark.parametrize("variables", ["inline", "parameters"])
def test_python_builds_the_messages_the_app_renders(
    fmt: str, doc: PromptDocument, variables: str
) -> None:
    values = {"topic": "rain", "audience": "pilot", "task": "a hike", "answer": "7"}
    values = {k: v for k, v in values.items() if k in templates.discover_variables(doc)}
    options = ExportOptions(target=1 if fmt == "python-anthropic" else 0, values=values)
    result = export_document(doc, fmt, replace(options, variables=variables))  # type: ignore[arg-type]
    arguments = values if variables == "parameters" else {}
    if variables == "parameters":
        arguments = {**arguments, "steps": "a,b"} if doc is LOGIC else arguments
        values = {**values, "steps": "a,b"} if doc is LOGIC else values
    assert _python_messages(result.main.text, **arguments) == _app_messages(doc, values)


def test_flattened_examples_become_a_block_in_the_system_prompt() -> None:
    result = export_document(PLAIN, "python-openai", ExportOptions(examples="flattened"))
    messages = _python_messages(result.main.text)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[0]["content"] == (
        'You explain tides to a child.\nKeep it under 3 sentences; no "jargon".\n\n'
        "Examples:\n\n<example>\n<input>\nExplain childs.\n</input>\n"
        "<output>\nThey are people who listen.\n</output>\n</example>"
    )
    assert "Never sent" not in result.main.text


def test_an_optional_variable_stays_optional_in_parameters_mode() -> None:
    result = export_document(LOGIC, "python-openai", ExportOptions(variables="parameters"))
    plain = _python_messages(result.main.text, task="x", steps="a")
    strict = _python_messages(result.main.text, task="x", steps="a", strict="yes")
    assert plain[0]["content"] == "You write checklists."
    assert strict[0]["content"] == "You write checklists. Be strict."


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=strategies.documents(valid_templates=True),
    data=st.data(),
    examples=st.sampled_from(["turns", "flattened"]),
    parameters=st.booleans(),
)
def test_any_document_exports_python_that_rebuilds_its_prompt(
    doc: PromptDocument, data: st.DataObject, examples: str, parameters: bool
) -> None:
    names = templates.discover_variables(doc)
    values = {name: data.draw(strategies.text, label=name) for name in names}
    options = ExportOptions(
        values=values,
        examples=examples,  # type: ignore[arg-type]
        variables="parameters" if parameters else "inline",
    )
    for fmt in ("python-openai", "python-anthropic"):
        result = export_document(doc, fmt, options)
        result.main.text.encode("utf-8")  # no lone surrogate slipped through
        if parameters:
            specs = code.plan(doc, options, "openai", "python").variables
            arguments = {v.py: values[v.name] for v in specs}
        else:
            arguments = {}
        built = _python_messages(result.main.text, **arguments)
        if examples == "turns":
            expected = _app_messages(doc, values)
            if fmt == "python-anthropic" and not templates.render(doc, values).system:
                built = [m for m in built if m["role"] != "system"]
            assert built == expected
        else:
            contents = [m["content"] for m in built]
            for example in (e for e in doc.examples if e.enabled):
                rendered = templates.render(replace(doc, messages=(), examples=(example,)), values)
                assert rendered.messages[0].content in contents[0]


# ---------------------------------------------------------------- literals


_any_text = st.text(alphabet=st.characters(codec=None, categories=None))  # surrogates too


@given(text=_any_text, indent=st.integers(0, 12))
def test_python_string_literals_evaluate_back_to_the_text(text: str, indent: int) -> None:
    literal = cs.py_str(text, indent)
    literal.encode("utf-8")
    assert ast.literal_eval(literal) == text


@given(text=_any_text)
def test_python_format_templates_give_back_text_with_braces(text: str) -> None:
    segment = cs.Plain(((False, text), (True, "name"), (False, "}{")))
    literal = cs.py_format(segment, 4)
    assert ast.literal_eval(literal).format(name="X") == text + "X}{"


@given(value=strategies.json_values())
def test_python_and_json_values_evaluate_back(value: Any) -> None:
    assert ast.literal_eval(cs.py_value(value, 8)) == value
    assert json.loads(cs.json_value(value, 2)) == value


@given(text=_any_text)
def test_json_strings_are_valid_json_for_any_text(text: str) -> None:
    literal = cs.ts_str(text, 0)
    pieces = ast.literal_eval("[" + literal.strip("()").replace(" +\n", ",\n") + "]")
    assert all(isinstance(p, str) for p in pieces)
    assert json.loads(cs.json_value(text)) == text
    assert "\u2028" not in literal
    assert "\u2029" not in literal


@pytest.mark.parametrize(
    "text",
    ["it's", "'", "", "$(rm -rf /)", "`x`", "a\nb", "\\'", "'''"],
)
def test_shell_quoting_is_one_literal_word(text: str) -> None:
    quoted = cs.sh_quote(text)
    assert quoted.startswith("'")
    assert quoted.endswith("'")
    # outside the quotes only the escaped quote itself may appear
    assert quoted.replace("'\\''", "").count("'") == 2


@given(doc=strategies.documents(), fmt=st.sampled_from(CODE_FORMATS), data=st.data())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_document_exports_or_fails_cleanly(
    doc: PromptDocument, fmt: str, data: st.DataObject
) -> None:
    variables = data.draw(st.sampled_from(["inline", "parameters"]))
    try:
        result = export_document(doc, fmt, ExportOptions(variables=variables))
    except FormatError:
        return  # a clear error is an allowed outcome; a traceback is not
    text = result.main.text
    text.encode("utf-8")
    if fmt.startswith("python"):
        compile(text, "<export>", "exec")
    # Line separators end a line (and so a comment or string) in JavaScript.
    assert "\u2028" not in text
    assert "\u2029" not in text
    if fmt == "curl":  # the request body cannot end its here-document early
        assert text.split("\n").count("JSON") == 1


def test_the_comment_header_cannot_be_broken_out_of() -> None:
    doc = replace(PLAIN, name="x\nimport os; os.system('boom')\u2028*/ `")
    for fmt in CODE_FORMATS:
        text = export_document(doc, fmt, ExportOptions()).main.text
        assert "\nimport os; os.system" not in text
        assert "\u2028" not in text


# ---------------------------------------------------------------- keys and endpoints


SECRET = "sk-live-DO-NOT-LEAK-0123456789"


def test_a_stored_key_never_appears_in_any_export(
    memory_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for provider in ("openai", "anthropic", "ollama", "corp"):
        memory_keyring.set_password("playground", provider, SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("CORP_KEY", SECRET)
    providers = {
        **builtin_providers(),
        "corp": ProviderConfig("corp", "openai-compatible", "https://llm.corp/v1", "CORP_KEY"),
    }
    doc = replace(PLAIN, targets=(*PLAIN.targets, Target("corp", "big")))
    checked = 0
    for fmt in CODE_FORMATS:
        for target in range(len(doc.targets)):
            for stream in (False, True):
                options = ExportOptions(target=target, providers=providers, stream=stream)
                text = export_document(doc, fmt, options).main.text
                assert SECRET not in text
                checked += 1
    assert checked == 40
    corp = export_document(doc, "python-openai", ExportOptions(target=3, providers=providers))
    assert 'os.environ["CORP_KEY"]' in corp.main.text
    assert 'os.environ.get("CORP_BASE_URL", "https://llm.corp/v1")' in corp.main.text


def test_local_servers_take_their_url_from_the_environment_and_need_no_key() -> None:
    text = export_document(PLAIN, "python-openai", ExportOptions(target=2)).main.text
    assert 'os.environ.get("OLLAMA_BASE_URL", "http://localhost:11434/v1")' in text
    assert 'os.environ.get("OLLAMA_API_KEY", "unused")' in text
    assert "max_tokens=50" in text  # local servers know max_tokens, not max_completion_tokens


def test_openai_gets_max_completion_tokens_and_the_official_default_url() -> None:
    text = export_document(PLAIN, "python-openai", ExportOptions()).main.text
    assert 'os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")' in text
    assert "max_completion_tokens=200" in text
    assert "max_tokens=" not in text.replace("max_completion_tokens=", "")


def test_the_openai_schema_is_sent_as_the_app_sends_it() -> None:
    from playground.providers.openai_chat import response_format

    request = export_document(STRUCTURED, "curl", ExportOptions()).main.text
    body = json.loads(request.split("<<'JSON'\n", 1)[1].split("\nJSON\n", 1)[0])
    assert body["response_format"] == response_format(SCHEMA)


@given(schema=strategies.json_objects())
def test_strict_mode_is_decided_as_the_app_decides(schema: dict[str, Any]) -> None:
    from playground.providers.openai_chat import strict_compatible

    assert cs.strict_compatible(schema) == strict_compatible(schema)


def test_strict_mode_examples() -> None:
    assert cs.strict_compatible(SCHEMA)
    assert not cs.strict_compatible({**SCHEMA, "additionalProperties": True})


# ---------------------------------------------------------------- warnings and errors


def _warnings(doc: PromptDocument, fmt: str, **options: Any) -> str:
    return "\n".join(export_document(doc, fmt, ExportOptions(**options)).warnings)


def test_what_anthropic_cannot_take_is_named() -> None:
    doc = replace(
        PLAIN, targets=(Target("anthropic", "c", Parameters(temperature=0.5, top_p=0.5, seed=3)),)
    )
    for fmt in ("python-anthropic", "ts-anthropic", "curl"):
        warned = _warnings(doc, fmt)
        assert "seed (3) is left out" in warned
        assert "temperature (0.5) is left out" in warned
        assert "top_p (0.5) is left out" in warned
        text = export_document(doc, fmt, ExportOptions()).main.text
        assert "seed" not in text
        assert "temperature" not in text


def test_an_anthropic_schema_that_is_not_an_object_is_named() -> None:
    doc = replace(
        STRUCTURED,
        targets=(Target("anthropic", "c", json_schema_text=Target.schema_text({"type": "array"})),),
    )
    assert "the JSON schema is left out" in _warnings(doc, "python-anthropic")


def test_an_unknown_provider_is_named_and_gets_variables_of_its_own() -> None:
    doc = replace(PLAIN, targets=(Target("my-proxy", "m1"),))
    result = export_document(doc, "python-openai", ExportOptions())
    assert "'my-proxy' is not configured" in "\n".join(result.warnings)
    assert 'os.environ["MY_PROXY_API_KEY"]' in result.main.text
    assert 'os.environ.get("MY_PROXY_BASE_URL", "https://api.openai.com/v1")' in result.main.text


def test_a_target_of_the_other_protocol_is_named() -> None:
    warned = _warnings(PLAIN, "python-anthropic", target=0)
    assert "speaks the OpenAI protocol" in warned


def test_no_targets_means_a_default_model_and_a_warning() -> None:
    doc = replace(PLAIN, targets=())
    result = export_document(doc, "python-anthropic", ExportOptions())
    assert "the prompt has no targets" in "\n".join(result.warnings)
    assert "MODEL = " in result.main.text


def test_curl_says_that_it_cannot_take_parameters() -> None:
    warned = _warnings(PLAIN, "curl", variables="parameters")
    assert "curl has no functions" in warned
    assert (
        "tides" in export_document(PLAIN, "curl", ExportOptions(variables="parameters")).main.text
    )


def test_disabled_examples_are_named_as_left_out() -> None:
    assert "1 disabled example is left out" in _warnings(PLAIN, "python-openai")


def test_typescript_with_jinja_logic_says_how_it_is_rendered() -> None:
    assert "rendered with the current values" in _warnings(LOGIC, "ts-openai")
    assert "nunjucks" in _warnings(LOGIC, "ts-openai", variables="parameters")
    assert _warnings(PLAIN, "ts-openai") == "1 disabled example is left out, as in a run"


def test_a_key_variable_that_is_not_a_name_is_replaced_and_named() -> None:
    providers = {"odd": ProviderConfig("odd", "openai-compatible", "http://h/v1", "BAD NAME;rm")}
    doc = replace(PLAIN, targets=(Target("odd", "m"),))
    result = export_document(doc, "curl", ExportOptions(providers=providers))
    assert "not a valid environment variable name" in "\n".join(result.warnings)
    assert "BAD NAME" not in result.main.text
    assert "ODD_API_KEY" in result.main.text


def test_a_variable_without_a_value_is_a_clear_error_when_inlined() -> None:
    doc = replace(PLAIN, variables=(Variable("topic"), Variable("audience", "child")))
    with pytest.raises(FormatError, match=r"'topic' has no value .* as parameters"):
        export_document(doc, "python-openai", ExportOptions())
    # as parameters it is a required command-line option instead
    text = export_document(doc, "python-openai", ExportOptions(variables="parameters")).main.text
    assert "required=True" in text


def test_a_target_that_does_not_exist_is_an_error() -> None:
    with pytest.raises(FormatError, match="there is no target 9: the prompt has 3"):
        export_document(PLAIN, "python-openai", ExportOptions(target=8))


def test_a_broken_template_is_an_error_naming_the_field() -> None:
    doc = replace(PLAIN, messages=(Message("user", "{% if x %}never closed"),))
    with pytest.raises(FormatError, match="message 1"):
        export_document(doc, "ts-openai", ExportOptions())


def test_plain_detection_uses_the_parse_tree() -> None:
    assert cs.is_plain("Hi {{ name }} {# a comment #} {% raw %}{{ x }}{% endraw %}")
    assert not cs.is_plain("{{ name | upper }}")
    assert not cs.is_plain("{% if a %}b{% endif %}")
    assert not cs.is_plain("{{ a.b }}")
    # Whitespace control and comments are already applied in the tree.
    assert cs.segments_for("a  {{- x }}{#c#}\r\nb", jinja_for_variables=False) == [
        cs.Plain(((False, "a"), (True, "x"), (False, "\nb")))
    ]


def test_python_variable_names_that_are_keywords_get_safe_parameters() -> None:
    doc = PromptDocument(
        name="kw",
        messages=(Message("user", "{{ lambda }} and {{ values }}"),),
        variables=(Variable("lambda", "L"), Variable("values", "V")),
        targets=(Target("openai", "m"),),
    )
    text = export_document(doc, "python-openai", ExportOptions(variables="parameters")).main.text
    messages = _python_messages(text, var1="L", var2="V")
    assert messages == [{"role": "user", "content": "L and V"}]
