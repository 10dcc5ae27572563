"""The editor's field-by-field template analysis answers exactly as the core functions do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.document import Example, Message, PromptDocument, Variable
from playground.core.errors import PlaygroundError
from playground.core.templates import check, render, sync_variables
from playground.core.tokens import estimate_tokens
from playground.ui.editor.analysis import TemplateAnalysis

FRAGMENTS = [
    "{{ a }}",
    "{{ b | upper }}",
    "{% if a %}",
    "{% endif %}",
    "{% for x in b %}{{ x }}{% endfor %}",
    "{% set c = 1 %}{{ c }}",
    "{{ d is defined }}",
    "{{",
    "}}",
    "{# note #}",
    "{% include 'x' %}",
    "plain text ",
    "\n",
]
TEMPLATE = st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join)
VARIABLES = st.lists(
    st.builds(Variable, st.sampled_from(["a", "b", "c", "d", "e"]), st.none() | st.just("v")),
    max_size=4,
    unique_by=lambda v: v.name,
).map(tuple)


@st.composite
def documents(draw: st.DrawFn) -> PromptDocument:
    return PromptDocument(
        name="p",
        system=draw(TEMPLATE),
        messages=tuple(draw(st.lists(st.builds(Message, st.just("user"), TEMPLATE), max_size=3))),
        examples=tuple(
            draw(st.lists(st.builds(Example, TEMPLATE, TEMPLATE, st.booleans()), max_size=2))
        ),
        variables=draw(VARIABLES),
    )


@settings(max_examples=150, deadline=None)
@given(first=documents(), second=documents())
def test_same_answers_as_the_core_even_after_other_documents(
    first: PromptDocument, second: PromptDocument
) -> None:
    analysis = TemplateAnalysis()
    for doc in (first, second, first):
        assert analysis.variables(doc) == sync_variables(doc)
        assert analysis.problems(doc) == check(doc)


@settings(max_examples=100, deadline=None)
@given(doc=documents(), value=st.sampled_from(["", "x", "a much longer value " * 5]))
def test_tokens_match_the_rendered_request_when_it_renders(doc: PromptDocument, value: str) -> None:
    values = dict.fromkeys(("a", "b", "d"), value)
    analysis = TemplateAnalysis()
    estimate = analysis.tokens(doc, values)
    try:
        request = render(doc, values, use_samples=False)
    except PlaygroundError:
        return
    turns = [estimate_tokens(m.content) for m in request.messages]
    enabled = sum(1 for e in doc.examples if e.enabled)
    assert estimate.total == estimate_tokens(request.system) + sum(turns)
    assert estimate.examples == sum(turns[: 2 * enabled])


def test_changed_values_are_rendered_again() -> None:
    doc = PromptDocument(name="p", system="{{ a }}")
    analysis = TemplateAnalysis()
    assert analysis.tokens(doc, {"a": "x" * 40}).total == 10
    assert analysis.tokens(doc, {"a": "x" * 80}).total == 20
    assert analysis.tokens(doc, {}).total == estimate_tokens("{{ a }}")
