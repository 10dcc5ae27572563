"""Tests for the template engine: rendering, variable discovery, error positions.

The sandbox's refusals have their own module, ``test_sandbox.py``.
"""

from __future__ import annotations

import keyword
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.document import Example, Message, PromptDocument, Variable
from playground.core.errors import MissingVariablesError, TemplateError, TemplateProblem
from playground.core.request import ChatMessage, RenderedRequest
from playground.core.templates import check, discover_variables, render, sync_variables


def make_doc(
    system: str = "",
    messages: tuple[str | Message, ...] = (),
    examples: tuple[Example, ...] = (),
    variables: tuple[Variable, ...] = (),
) -> PromptDocument:
    """A document; bare strings in ``messages`` become user turns."""
    return PromptDocument(
        name="test",
        system=system,
        messages=tuple(m if isinstance(m, Message) else Message("user", m) for m in messages),
        examples=examples,
        variables=variables,
    )


def render_problems(
    doc: PromptDocument, values: dict[str, object] | None = None
) -> tuple[TemplateProblem, ...]:
    """The problems of the TemplateError that rendering ``doc`` must raise."""
    with pytest.raises(TemplateError) as info:
        render(doc, values)  # type: ignore[arg-type]
    assert not isinstance(info.value, MissingVariablesError), info.value
    return info.value.problems


def only_problem(doc: PromptDocument, values: dict[str, object] | None = None) -> TemplateProblem:
    problems = render_problems(doc, values)
    assert len(problems) == 1, problems
    return problems[0]


def missing(
    doc: PromptDocument, values: dict[str, str] | None = None, **kwargs: bool
) -> MissingVariablesError:
    with pytest.raises(MissingVariablesError) as info:
        render(doc, values, **kwargs)
    return info.value


def where(p: TemplateProblem) -> tuple[str, int, int]:
    return (p.field, p.line, p.column)


# ---------------------------------------------------------------- rendering


def test_plain_text_renders_unchanged() -> None:
    text = "You are terse.  {not a tag} 100% # ok }} }"
    assert render(make_doc(text, ("hello",))) == RenderedRequest(
        system=text, messages=(ChatMessage("user", "hello"),)
    )


def test_variables_are_substituted() -> None:
    doc = make_doc("Hi {{ name }}!", ("{{name}} is {{ age }}",))
    result = render(doc, {"name": "Ada", "age": "36"})
    assert result.system == "Hi Ada!"
    assert result.messages == (ChatMessage("user", "Ada is 36"),)


def test_values_are_inserted_literally_not_rendered_or_escaped() -> None:
    result = render(make_doc("[{{ v }}]"), {"v": "{{ other }} <b>&amp;</b> {% if %}"})
    assert result.system == "[{{ other }} <b>&amp;</b> {% if %}]"


def test_filters_work() -> None:
    doc = make_doc("{{ name|upper }} {{ name|length }} {{ pad|trim }} {{ name|replace('a', 'o') }}")
    assert render(doc, {"name": "ada", "pad": "  x  "}).system == "ADA 3 x odo"


def test_loops_and_conditionals_work() -> None:
    doc = make_doc(
        "{% for c in word %}{{ loop.index }}{{ c }}{% if not loop.last %},{% endif %}{% endfor %}"
        "|{% if flag %}yes{% else %}no{% endif %}"
        "|{% set greeting = 'hi ' ~ word %}{{ greeting }}",
    )
    assert render(doc, {"word": "abc", "flag": ""}).system == "1a,2b,3c|no|hi abc"


@pytest.mark.parametrize("text", ["line\n", "line\n\n", "\n", "a\nb\n"])
def test_trailing_newlines_are_kept(text: str) -> None:
    assert render(make_doc(text, (text,))).system == text
    assert render(make_doc(text, (text,))).messages[0].content == text


def test_line_endings_are_normalised_to_newlines() -> None:
    # Documented: as in Jinja2, pasted Windows or old-Mac line endings come out as "\n".
    text = "first\r\nsecond {{ v }}\r\nthird\r"
    assert render(make_doc(text), {"v": "V"}).system == "first\nsecond V\nthird\n"


def test_unicode_round_trips() -> None:
    doc = make_doc("Grüße, {{ name }} — 日本語 🎉\n", ("Ünïcödé {{ name|upper }}",))
    result = render(doc, {"name": "zoë"})
    assert result.system == "Grüße, zoë — 日本語 🎉\n"
    assert result.messages[0].content == "Ünïcödé ZOË"


def test_enabled_examples_become_turns_before_the_messages() -> None:
    doc = make_doc(
        "sys",
        (Message("user", "q {{ x }}"), Message("assistant", "a"), Message("user", "last")),
        (Example("in1 {{ x }}", "out1"), Example("in2", "out2 {{ x }}")),
    )
    assert render(doc, {"x": "X"}).messages == (
        ChatMessage("user", "in1 X"),
        ChatMessage("assistant", "out1"),
        ChatMessage("user", "in2"),
        ChatMessage("assistant", "out2 X"),
        ChatMessage("user", "q X"),
        ChatMessage("assistant", "a"),
        ChatMessage("user", "last"),
    )


def test_disabled_examples_are_skipped_even_when_broken_or_needing_values() -> None:
    doc = make_doc(
        "",
        ("m",),
        (
            Example("one", "1"),
            Example("{{ nope", "{{ unset }}", enabled=False),
            Example("three", "3"),
        ),
    )
    assert render(doc).messages == (
        ChatMessage("user", "one"),
        ChatMessage("assistant", "1"),
        ChatMessage("user", "three"),
        ChatMessage("assistant", "3"),
        ChatMessage("user", "m"),
    )


def test_samples_fill_in_and_explicit_values_override_them() -> None:
    doc = make_doc(
        "{{ a }} {{ b }} {{ c }}",
        variables=(
            Variable("a", sample="sample-a"),
            Variable("b", sample="sample-b"),
            Variable("c", sample=""),
        ),
    )
    assert render(doc).system == "sample-a sample-b "
    assert render(doc, {"b": "given-b"}).system == "sample-a given-b "


def test_use_samples_false_ignores_samples() -> None:
    doc = make_doc("{{ a }} {{ b }}", variables=(Variable("a", sample="A"), Variable("b", "B")))
    assert missing(doc, {}, use_samples=False).names == ("a", "b")
    assert render(doc, {"a": "1", "b": "2"}, use_samples=False).system == "1 2"


def test_a_variable_without_a_sample_still_needs_a_value() -> None:
    doc = make_doc("{{ a }} {{ b }}", variables=(Variable("a", sample="A"), Variable("b")))
    assert missing(doc).names == ("b",)


def test_empty_system_renders_as_empty_text() -> None:
    assert render(make_doc("", ("hi",))) == RenderedRequest(
        system="", messages=(ChatMessage("user", "hi"),)
    )
    assert render(make_doc()) == RenderedRequest(system="", messages=())


def test_names_only_tested_with_is_defined_are_not_required() -> None:
    doc = make_doc(
        "{% if tone is defined %}Tone: {{ tone }}{% endif %}"
        "{{ extra if extra is defined else 'none' }}"
    )
    assert render(doc).system == "none"
    assert render(doc, {"tone": "dry", "extra": "!"}).system == "Tone: dry!"


# ---------------------------------------------------------------- discovery


def test_discovery_is_in_order_of_first_appearance_across_fields() -> None:
    doc = make_doc(
        "{{ persona }} {{ topic }}",
        ("{{ question }} on {{ topic }}", Message("assistant", "{{ answer }}")),
        (Example("{{ ex_in }} {{ persona }}", "{{ ex_out }}"),),
    )
    assert discover_variables(doc) == ["persona", "topic", "question", "answer", "ex_in", "ex_out"]


def test_discovery_follows_text_order_inside_one_expression() -> None:
    doc = make_doc("{{ first if second else third }}")
    assert discover_variables(doc) == ["first", "second", "third"]


def test_discovery_ignores_loop_variables_and_set_names() -> None:
    doc = make_doc(
        "{% for item in items %}{{ item }}{{ loop.index }}{% endfor %}"
        "{% set total = items|length %}{{ total }}"
        "{% set block_text %}{{ inner }}{% endset %}{{ block_text }}"
    )
    assert discover_variables(doc) == ["items", "inner"]


def test_discovery_skips_disabled_examples() -> None:
    doc = make_doc(
        "{{ a }}",
        examples=(
            Example("{{ hidden_in }}", "{{ hidden_out }}", enabled=False),
            Example("{{ b }}", "{{ c }}"),
        ),
    )
    assert discover_variables(doc) == ["a", "b", "c"]


def test_discovery_skips_unparsable_fields() -> None:
    doc = make_doc(
        "{{ lost",
        ("{{ kept }} {% for %}", "{{ also_kept }}"),
        (Example("{{ ex }}", "{% endif %}"),),
    )
    assert discover_variables(doc) == ["also_kept", "ex"]


def test_sync_variables_keeps_metadata_and_order_appends_new_drops_unused() -> None:
    declared = (
        Variable("b", sample="B", description="bee"),
        Variable("gone", sample="G", description="no longer used"),
        Variable("a", sample=None, description="ay"),
    )
    doc = make_doc("{{ new1 }} {{ a }}", ("{{ b }} {{ new2 }}",), variables=declared)
    assert sync_variables(doc) == (
        Variable("b", sample="B", description="bee"),
        Variable("a", sample=None, description="ay"),
        Variable("new1"),
        Variable("new2"),
    )


def test_sync_variables_with_nothing_used_is_empty() -> None:
    assert sync_variables(make_doc("plain", variables=(Variable("x", "1"),))) == ()


# ---------------------------------------------------------------- syntax errors


def test_unclosed_print_tag_points_at_the_opener() -> None:
    p = only_problem(make_doc("line one\n  say {{ name and more"))
    assert where(p) == ("system", 2, 7)
    assert "'{{'" in p.message
    assert "'}}'" in p.message


@pytest.mark.parametrize(
    ("source", "keyword_"),
    [
        ("intro\n\n   {% for item in items %}{{ item }}", "for"),
        ("intro\n\n   {% if flag %}yes", "if"),
        ("intro\n\n   {% if flag %}{% for i in x %}{% endfor %}tail", "if"),
    ],
)
def test_unclosed_block_points_at_its_opening_tag(source: str, keyword_: str) -> None:
    p = only_problem(make_doc(source))
    assert where(p) == ("system", 3, 4)
    assert f"{{% end{keyword_} %}}" in p.message
    assert "add" in p.message


def test_unknown_tag_is_reported_at_the_tag() -> None:
    p = only_problem(make_doc("ok\nthen {% frobnicate x %} done"))
    assert where(p) == ("system", 2, 6)
    assert "frobnicate" in p.message


def test_mismatched_end_tag_message_is_plain() -> None:
    p = only_problem(make_doc("{% for x in y %}{% endif %}"))
    assert p.field == "system"
    assert p.line == 1
    assert "endif" in p.message
    assert "Jinja" not in p.message


def test_bad_expression_in_second_tag_on_line_three() -> None:
    source = "one\ntwo {{ fine }}\nthree {{ ok }} {{ 1 + }} {{ also_ok }}"
    p = only_problem(make_doc(source))
    assert where(p) == ("system", 3, 16)


def test_error_in_message_two() -> None:
    doc = make_doc("fine", ("fine too", "x\n {{ a b }}"))
    assert where(only_problem(doc)) == ("message 2", 2, 2)


def test_error_in_example_one_output() -> None:
    doc = make_doc(examples=(Example("{{ ok }}", "good\n\nbad {{ (1 }}"),))
    assert where(only_problem(doc, {"ok": "1"})) == ("example 1 output", 3, 5)


def test_every_broken_field_is_reported_at_once() -> None:
    doc = make_doc(
        "{{ a + }}",
        ("fine", "x {% nope %}"),
        (Example("fine", "tail {{"), Example("{% if %}", "ok", enabled=False)),
    )
    assert [where(p) for p in render_problems(doc)] == [
        ("system", 1, 1),
        ("message 2", 1, 3),
        ("example 1 output", 1, 6),
    ]


def test_error_str_names_field_line_and_column() -> None:
    with pytest.raises(TemplateError) as info:
        render(make_doc("", ("ab {{",)))
    assert str(info.value).startswith("Template error in message 1, line 1:4: ")


# ---------------------------------------------------------------- runtime errors


def test_division_by_zero_points_at_its_tag() -> None:
    p = only_problem(make_doc("a\nb {{ n }} {{ 1 / 0 }}"), {"n": "1"})
    assert where(p) == ("system", 2, 11)
    assert "division by zero" in p.message


def test_missing_attribute_on_a_provided_value_points_at_the_attribute() -> None:
    doc = make_doc("hello\n{{ user }} and {{ user.name }}")
    p = only_problem(doc, {"user": "Ada"})
    assert where(p) == ("system", 2, 24)
    assert "name" in p.message


def test_runtime_errors_in_several_fields_are_all_reported() -> None:
    doc = make_doc("{{ 1 // 0 }}", ("ok", "{{ v.missing_attr }}"))
    assert [where(p) for p in render_problems(doc, {"v": "s"})] == [
        ("system", 1, 1),
        ("message 2", 1, 6),
    ]


@pytest.mark.parametrize(
    ("tag", "source"),
    [
        ("include", "text\n  {% include 'other.txt' %}"),
        ("import", "text\n  {% import 'macros' as m %}"),
        ("extends", "text\n  {% extends 'base' %}"),
        ("from", "text\n  {% from 'macros' import m %}"),
    ],
)
def test_include_extends_import_are_refused(tag: str, source: str) -> None:
    p = only_problem(make_doc("", ("fine", source)))
    assert p.field == "message 2"
    assert p.line == 2
    assert 3 <= p.column < 3 + len(source.splitlines()[1].strip())
    assert "not allowed in templates" in p.message
    assert tag in p.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ " + "9" * 5000 + " }}",  # past Python's int/str digit limit
        "{{ " + "(" * 300 + "1" + ")" * 300 + " }}",  # deep nesting
    ],
)
def test_pathological_sources_are_template_errors(source: str) -> None:
    doc = make_doc(source)
    with pytest.raises(TemplateError):
        render(doc)
    assert len(check(doc)) == 1
    assert discover_variables(doc) == []


# ---------------------------------------------------------------- check()


def test_check_accepts_valid_documents() -> None:
    doc = make_doc(
        "{% for x in xs %}{{ x|upper }}{% endfor %}{{ missing_is_fine_here }}",
        ("{% if a %}{{ b }}{% endif %}",),
        (Example("{{ c }}", "d", enabled=False),),
    )
    assert check(doc) == []


def test_check_reports_every_field_including_disabled_examples() -> None:
    doc = make_doc(
        "{{ 1 + }}",
        ("fine",),
        (Example("ok", "ok"), Example("x\n{% if y %}", "{% include 'a' %}", enabled=False)),
    )
    problems = check(doc)
    assert [where(p) for p in problems] == [
        ("system", 1, 1),
        ("example 2 input", 2, 1),
        ("example 2 output", 1, 4),
    ]
    assert "endif" in problems[1].message
    assert "not allowed in templates" in problems[2].message


# ---------------------------------------------------------------- missing variables


def test_all_missing_names_are_listed_at_once_across_fields() -> None:
    doc = make_doc(
        "{{ a }} {{ b }}",
        ("{{ c }}\n  {{ a }}",),
        (Example("{{ d }}", "{{ b }}"), Example("{{ off }}", "x", enabled=False)),
    )
    err = missing(doc)
    assert err.names == ("a", "b", "c", "d")
    assert {(*where(p), p.message) for p in err.problems} == {
        ("system", 1, 4, "variable 'a' has no value"),
        ("system", 1, 12, "variable 'b' has no value"),
        ("message 1", 1, 4, "variable 'c' has no value"),
        ("message 1", 2, 6, "variable 'a' has no value"),
        ("example 1 input", 1, 4, "variable 'd' has no value"),
        ("example 1 output", 1, 4, "variable 'b' has no value"),
    }
    assert str(err) == "4 variables have no value: a, b, c, d"


def test_names_after_an_aborting_use_are_still_listed() -> None:
    err = missing(make_doc("{{ x.y }} {{ z }}"))
    assert err.names == ("x", "z")
    assert {where(p) for p in err.problems} == {("system", 1, 4), ("system", 1, 14)}


def test_missing_names_keep_first_appearance_order_across_an_aborted_field() -> None:
    doc = make_doc("{{ x.y }} {{ later }}", ("{{ m }}",))
    assert missing(doc).names == ("x", "later", "m")


def test_a_name_only_tested_with_is_defined_is_not_reported_as_missing() -> None:
    doc = make_doc("{% if opt is defined %}{{ opt }}{% endif %}{{ req.attr }}")
    assert missing(doc).names == ("req",)


def test_an_optional_name_does_not_hide_a_real_error() -> None:
    doc = make_doc("{% if opt is defined %}{{ opt }}{% endif %}{{ req.attr }}")
    p = only_problem(doc, {"req": "text"})
    assert "attr" in p.message


@pytest.mark.parametrize(
    ("system", "position"),
    [
        ("{{ value|title }} {{ title }}", (1, 22)),  # not the filter called title
        ("{{ 'topic' }} {{ topic }}", (1, 18)),  # not the string literal
    ],
)
def test_missing_name_position_is_its_first_use_as_a_variable(
    system: str, position: tuple[int, int]
) -> None:
    err = missing(make_doc(system), {"value": "v"})
    assert [(p.line, p.column) for p in err.problems] == [position]


def test_missing_name_used_only_as_loop_variable_elsewhere_is_reported_once() -> None:
    doc = make_doc("{% for x in xs %}{{ x }}{% endfor %}", ("{{ x }}",))
    err = missing(doc, {"xs": "ab"})
    assert err.names == ("x",)
    assert [where(p) for p in err.problems] == [("message 1", 1, 4)]


def test_missing_name_position_on_a_later_line() -> None:
    err = missing(make_doc("first\nsecond\n   {% if go %}{{ go }}{% endif %}"))
    assert [where(p) for p in err.problems] == [("system", 3, 10)]
    assert str(err) == "1 variable has no value: go"


# ---------------------------------------------------------------- properties

_RESERVED = {
    "true",
    "false",
    "none",
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "self",
    "loop",
    "caller",
    "varargs",
    "kwargs",
}
_names = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True).filter(
    lambda n: n not in _RESERVED and not keyword.iskeyword(n)
)
# Plain text has no "{" (so it cannot open a tag) and no "\r" (whose handling has
# its own test above); everything else, "}" "%" "#" included, must pass through.
_plain = st.text(st.characters(exclude_characters="{\r", codec="utf-8"), max_size=20)


@st.composite
def _template(draw: st.DrawFn, names: list[str]) -> tuple[str, list[str]]:
    """Plain text with ``{{ name }}`` placeholders, and the names in order of use."""
    parts: list[str] = [draw(_plain)]
    used: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(names))
        used.append(name)
        placeholder = draw(st.sampled_from(["{{ %s }}", "{{%s}}", "{{  %s\t}}"]))
        parts += [placeholder % name, draw(_plain)]
    return "".join(parts), used


@st.composite
def _documents(draw: st.DrawFn) -> tuple[PromptDocument, list[str]]:
    """A document of placeholder templates, and the names used, in order of first use."""
    names = draw(st.lists(_names, min_size=1, max_size=5, unique=True))
    used: list[str] = []

    def text() -> str:
        source, in_it = draw(_template(names))
        used.extend(in_it)
        return source

    system = text()
    messages = tuple(
        Message(draw(st.sampled_from(["user", "assistant"])), text())
        for _ in range(draw(st.integers(0, 3)))
    )
    examples = []
    for _ in range(draw(st.integers(0, 3))):
        enabled = draw(st.booleans())
        before = len(used)
        example = Example(text(), text(), enabled=enabled)
        if not enabled:
            del used[before:]
        examples.append(example)
    doc = PromptDocument(name="prop", system=system, messages=messages, examples=tuple(examples))
    return doc, list(dict.fromkeys(used))


_values = st.text(max_size=15)


def _expected(source: str, values: dict[str, str]) -> str:
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: values[m.group(1)], source)


@settings(deadline=None)
@given(data=st.data(), generated=_documents())
def test_render_substitutes_exactly(
    data: st.DataObject, generated: tuple[PromptDocument, list[str]]
) -> None:
    doc, used = generated
    values = {n: data.draw(_values, label=n) for n in used}
    result = render(doc, values)
    assert result.system == _expected(doc.system, values)
    enabled = [e for e in doc.examples if e.enabled]
    expected_turns = [t for e in enabled for t in (e.input, e.output)]
    expected_turns += [m.content for m in doc.messages]
    assert [m.content for m in result.messages] == [_expected(t, values) for t in expected_turns]


@settings(deadline=None)
@given(generated=_documents())
def test_turn_count_and_roles(generated: tuple[PromptDocument, list[str]]) -> None:
    doc, used = generated
    result = render(doc, dict.fromkeys(used, "v"))
    enabled = sum(e.enabled for e in doc.examples)
    assert len(result.messages) == 2 * enabled + len(doc.messages)
    roles = [m.role for m in result.messages]
    assert roles[: 2 * enabled] == ["user", "assistant"] * enabled
    assert roles[2 * enabled :] == [m.role for m in doc.messages]


@settings(deadline=None)
@given(generated=_documents())
def test_discovery_matches_placeholders_in_order(
    generated: tuple[PromptDocument, list[str]],
) -> None:
    doc, used = generated
    assert discover_variables(doc) == used
    assert check(doc) == []


@settings(deadline=None)
@given(data=st.data(), generated=_documents())
def test_missing_values_are_exactly_the_unset_names(
    data: st.DataObject, generated: tuple[PromptDocument, list[str]]
) -> None:
    doc, used = generated
    given_names = data.draw(st.sets(st.sampled_from(used)) if used else st.just(set()))
    unset = [n for n in used if n not in given_names]
    values = dict.fromkeys(given_names, "v")
    if unset:
        assert missing(doc, values).names == tuple(unset)
    else:
        render(doc, values)


_jinja_bits = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "{",
        "}",
        "%",
        "#",
        "-",
        "+",
        "*",
        "**",
        "/",
        "|",
        "~",
        "(",
        ")",
        "[",
        "]",
        "'",
        '"',
        ".",
        ",",
        "=",
        " ",
        "\n",
        "x",
        "y",
        "name",
        "for ",
        " in ",
        "if ",
        "else",
        "endif",
        "endfor",
        "set ",
        "raw",
        "endraw",
        "loop",
        "is defined",
        "range(",
        "macro ",
        "call ",
        "block ",
        "filter ",
        "upper",
        "0",
        "1",
    ]
)
_fuzz_text = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(_jinja_bits, st.text(max_size=3)), max_size=25).map("".join),
)


@settings(deadline=None, max_examples=500)
@given(system=_fuzz_text, message=_fuzz_text, example=_fuzz_text)
def test_render_only_ever_raises_template_errors(system: str, message: str, example: str) -> None:
    doc = make_doc(system, (message,), (Example(example, message),))
    outcome: RenderedRequest | TemplateError
    try:
        outcome = render(doc, {"x": "X", "name": "N"})
    except TemplateError as exc:
        outcome = exc
    if isinstance(outcome, TemplateError):
        assert all(p.line >= 1 and p.column >= 1 for p in outcome.problems)
    else:
        assert isinstance(outcome, RenderedRequest)
    discover_variables(doc)
    check(doc)


def test_effective_values_are_given_values_then_samples_for_used_names() -> None:
    from playground.core.templates import effective_values

    doc = PromptDocument(
        "x",
        system="{{ tone }} {{ topic }}",
        messages=(Message("user", "{{ n }}"),),
        variables=(
            Variable("tone", sample="calm"),
            Variable("unused", sample="u"),
            Variable("n", sample="3"),
        ),
    )
    assert effective_values(doc, {"topic": "tides", "n": "5", "extra": "e"}) == {
        "tone": "calm",
        "topic": "tides",
        "n": "5",
    }
    assert effective_values(doc) == {"tone": "calm", "n": "3"}
