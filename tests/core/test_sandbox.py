"""Templates are untrusted: every known way out of the sandbox must be refused.

Each attempt must fail with a :class:`TemplateError` that says it is "not
allowed in templates", and must not run anything: a canary value passed to
the template records any call to its private method and would leave a file
behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from playground.core.document import Message, PromptDocument
from playground.core.errors import MissingVariablesError, TemplateError
from playground.core.templates import check, render


class Canary:
    """A provided value that leaves a trace if a template ever reaches its insides."""

    def __init__(self, trace: Path) -> None:
        self.trace = trace
        self.fired = False

    def _fire(self) -> str:
        self.fired = True
        self.trace.write_text("a template escaped the sandbox")
        return "fired"

    def describe(self) -> str:
        """A harmless public method; its __globals__ would expose ``os``."""
        assert os.sep  # keeps ``os`` in this function's globals on purpose
        return "canary"

    def __str__(self) -> str:
        return "canary"


@pytest.fixture
def canary(tmp_path: Path) -> Canary:
    return Canary(tmp_path / "escaped.txt")


ESCAPES = [
    # reaching Python internals from literals
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ [].__class__.__base__.__subclasses__()[0] }}",
    # through Jinja's own globals
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].system('true') }}",
    "{{ self.__init__.__globals__ }}",
    # through provided values
    "{{ request.__class__ }}",
    "{{ request.__class__.__init__.__globals__ }}",
    "{{ x.__dict__ }}",
    "{{ x._fire() }}",
    "{{ x['_fire']() }}",
    "{{ (x|attr('_fire'))() }}",
    "{{ x.__getattribute__('_fire')() }}",
    "{{ x.__class__._fire(x) }}",
    "{{ x.describe.__globals__.os }}",
    "{{ x.describe.__func__ }}",
    # format-string tricks
    "{{ '{0.__class__}'.format(x) }}",
    "{{ '{0._fire}'.format(x) }}",
    "{{ '{0.describe.__globals__[os]}'.format(x) }}",
    "{{ '{v.__class__}'.format_map({'v': x}) }}",
    # resource bombs
    "{{ 'a' * 10**9 }}",
    "{{ 10**9 * 'a' }}",
    "{{ [1] * 10**9 }}",
    "{{ 2 ** 100000 }}",
    "{% for i in range(10**8) %}{% endfor %}",
    # the sandbox is immutable
    "{% set l = [] %}{{ l.append(1) }}",
    "{% set d = {} %}{{ d.update({'k': 1}) }}",
    # no loader: nothing outside the template
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% extends 'x' %}",
    "{% from 'os' import system %}",
]


def _assert_refused(source: str, values: dict[str, object], canary: Canary) -> TemplateError:
    doc = PromptDocument(name="attack", system=source)
    with pytest.raises(TemplateError) as info:
        render(doc, values)  # type: ignore[arg-type]
    assert not isinstance(info.value, MissingVariablesError), info.value
    assert "not allowed in templates" in str(info.value)
    assert not canary.fired
    assert not canary.trace.exists()
    return info.value


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempt_is_refused_without_running(source: str, canary: Canary) -> None:
    _assert_refused(source, {"x": canary, "request": canary}, canary)


@pytest.mark.parametrize(
    "source",
    [
        "{{ x.__dict__ }}",
        "{{ x.__class__ }}",
        "{{ x.__doc__ }}",
    ],
)
def test_underscore_attributes_of_text_values_are_refused(source: str, canary: Canary) -> None:
    # Values are normally plain text; an escape attempt on one must read as one,
    # not as "str object has no attribute ...".
    _assert_refused(source, {"x": "some text"}, canary)


@pytest.mark.parametrize(
    "source",
    [
        "{{ (2 ** 1000) ** 1000 % 7 }}",  # each exponent is small, the result is not
        "{{ 'a'.ljust(10 ** 7)|length }}",
        "{{ '{:>10000000}'.format('a')|length }}",
        "{{ ('%10000000s' % 'a')|length }}",
    ],
)
def test_other_allocation_bombs_are_refused(source: str, canary: Canary) -> None:
    # Each of these builds a value far past MAX_OUTPUT_CHARS (or the power cap)
    # while printing something short, so the output cap never sees it.
    _assert_refused(source, {"x": canary}, canary)


@pytest.mark.parametrize(
    "attempt",
    [
        "{{ ''.__class__ }}",
        "{{ x._fire() }}",
        "{{ '{0.__class__}'.format(x) }}",
        "{{ 'a' * 10**9 }}",
        "{{ 2 ** 100000 }}",
        "{% include 'x' %}",
    ],
)
def test_refusal_points_at_the_offending_tag(attempt: str, canary: Canary) -> None:
    prefix = "  {{ fine }} and "
    doc = PromptDocument(
        name="attack",
        messages=(
            Message("user", "harmless"),
            Message("assistant", f"first line {{{{ fine }}}}\n{prefix}{attempt} tail"),
        ),
    )
    with pytest.raises(TemplateError) as info:
        render(doc, {"x": canary, "fine": "ok"})  # type: ignore[dict-item]
    (problem,) = info.value.problems
    assert problem.field == "message 2"
    assert problem.line == 2
    start = len(prefix) + 1
    assert start <= problem.column < start + len(attempt)
    assert "not allowed in templates" in problem.message
    assert not canary.fired


def test_check_refuses_loader_tags_in_every_field() -> None:
    doc = PromptDocument(
        name="attack",
        system="{% include 'a' %}",
        messages=(Message("user", "ok\n{% import 'b' as b %}"),),
    )
    problems = check(doc)
    assert [(p.field, p.line) for p in problems] == [("system", 1), ("message 1", 2)]
    assert all("not allowed in templates" in p.message for p in problems)


def test_public_methods_of_values_still_work(canary: Canary) -> None:
    # The sandbox refuses internals, not ordinary use of the values given.
    doc = PromptDocument(name="fine", system="{{ x.describe() }} {{ t.upper() }}")
    assert render(doc, {"x": canary, "t": "abc"}).system == "canary ABC"  # type: ignore[dict-item]
    assert not canary.fired


@pytest.mark.parametrize(
    "source",
    [
        "{% set l = [1] * 100000 %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}",
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    ],
)
def test_cpu_bombs_stop_with_a_clear_message(source: str) -> None:
    import time

    from playground.core.sandbox import MAX_RENDER_SECONDS

    started = time.monotonic()
    with pytest.raises(TemplateError) as info:
        render(PromptDocument("x", system=source))
    assert time.monotonic() - started < MAX_RENDER_SECONDS + 3
    assert "not allowed in templates" in str(info.value)
    assert "running for more than" in str(info.value)
