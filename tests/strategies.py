"""Hypothesis strategies shared by the test suite.

``documents()`` builds arbitrary valid :class:`PromptDocument` values (every
one of them must survive a trip through the native JSON format), and
``template_text()`` builds Jinja template text that uses given variables.
Other test modules (templates, exporters, store) reuse these, so they aim
at the awkward corners: braces, emoji, newlines, negative and huge seeds,
nested JSON schemas.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence

from hypothesis import strategies as st

from playground.core.document import (
    Example,
    JSONValue,
    Message,
    Parameters,
    PromptDocument,
    Target,
    Variable,
)

__all__ = [
    "documents",
    "examples",
    "json_objects",
    "json_values",
    "messages",
    "parameters",
    "plain_text",
    "targets",
    "template_text",
    "text",
    "variable_names",
    "variables",
]

# Characters that make text interesting for a JSON writer, a template engine
# and a diff: braces and Jinja delimiters, line breaks, quotes, escapes, emoji
# (outside the BMP), combining marks and right-to-left text.
_AWKWARD = [
    "\n",
    "\r\n",
    "\t",
    "{",
    "}",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    '"',
    "\\",
    "😀",
    "👩‍💻",
    "é",
    "e\u0301",
    "\u05d0",
    "\u2028",
    "\x00",
    " ",
]

_AWKWARD_CHARS = [c for c in _AWKWARD if len(c) == 1] + ["{", "}"]

_chars = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(_AWKWARD_CHARS)),
    max_size=24,
)

#: Arbitrary unicode text (no lone surrogates: they cannot be encoded as UTF-8).
#: Half the time it has one of the awkward sequences ("{{", "\r\n", a ZWJ
#: emoji...) somewhere in it; single characters alone would rarely make those.
text: st.SearchStrategy[str] = st.one_of(
    _chars,
    st.tuples(_chars, st.sampled_from(_AWKWARD), _chars).map("".join),
)

# Identifiers that do not work as template variables: Python keywords (some
# are Jinja operators), Jinja's constants, ``self`` (the template itself), and
# Jinja's special names and default globals, which would stand in silently
# for a missing variable.
_NOT_VARIABLES = frozenset(keyword.kwlist) | {
    "true",
    "false",
    "none",
    "self",
    "loop",
    "super",
    "caller",
    "varargs",
    "kwargs",
    "range",
    "dict",
    "lipsum",
    "cycler",
    "joiner",
    "namespace",
}

#: Identifier names usable as template variables, including a few non-ASCII ones.
variable_names: st.SearchStrategy[str] = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True),
    st.sampled_from(["café", "名前", "ünïcode_1", "_", "x1"]),
).filter(lambda name: name not in _NOT_VARIABLES)

_DELIMITER_CHARS = "{}%#"


def _join_literally(parts: Sequence[str]) -> str:
    """Join parts, putting a space wherever a seam would form a Jinja delimiter.

    The check is deliberately coarse (any delimiter character on either side
    of the seam): ``"{" + "{{ x }}"`` would otherwise open an expression early.
    """
    out = ""
    for part in parts:
        if out and part and (out[-1] in _DELIMITER_CHARS or part[0] in _DELIMITER_CHARS):
            out += " "
        out += part
    return out


#: Text that Jinja reads as literal text: no delimiter pair anywhere in it.
#: It still has single braces, '%' and '#', so it is not a trivial alphabet.
plain_text: st.SearchStrategy[str] = st.lists(
    st.one_of(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_characters=_DELIMITER_CHARS), max_size=8
        ),
        st.sampled_from(["{", "}", "%", "#", "\n", "😀", " { x } ", "50%", "#1"]),
    ),
    max_size=5,
).map(_join_literally)


@st.composite
def template_text(draw: st.DrawFn, variables: Sequence[str]) -> str:
    """Valid Jinja template text mixing plain text with ``{{ name }}`` placeholders.

    Only names from ``variables`` appear, each zero or more times. Placeholders
    are kept apart from stray braces by a space, since ``{{{ x }}`` would not
    parse as intended.
    """
    names = list(variables)
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        if names and draw(st.booleans()):
            name = draw(st.sampled_from(names))
            spacing = draw(st.sampled_from(["", " ", "  "]))
            parts.append("{{" + spacing + name + spacing + "}}")
        else:
            parts.append(draw(plain_text))
    return _join_literally(parts)


def json_values(max_leaves: int = 8) -> st.SearchStrategy[JSONValue]:
    """Any JSON value: no NaN or infinity, since JSON has neither."""
    scalars: st.SearchStrategy[JSONValue] = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        text,
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(text, children, max_size=3),
        ),
        max_leaves=max_leaves,
    )


def json_objects(max_leaves: int = 8) -> st.SearchStrategy[dict[str, JSONValue]]:
    """A JSON object with arbitrary (recursive) values, e.g. a JSON schema."""
    return st.dictionaries(text, json_values(max_leaves), max_size=4)


def messages() -> st.SearchStrategy[Message]:
    return st.builds(Message, role=st.sampled_from(["user", "assistant"]), content=text)


def examples() -> st.SearchStrategy[Example]:
    return st.builds(Example, input=text, output=text, enabled=st.booleans(), note=text)


@st.composite
def variables(draw: st.DrawFn, max_size: int = 4) -> tuple[Variable, ...]:
    """Variables with unique names, as :func:`from_dict` requires."""
    names = draw(st.lists(variable_names, max_size=max_size, unique=True))
    return tuple(
        Variable(name=name, sample=draw(st.none() | text), description=draw(text)) for name in names
    )


_seeds = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63), 2**64, 10**30]),
)


def parameters() -> st.SearchStrategy[Parameters]:
    """Sampling parameters inside the ranges the format allows, or unset."""
    return st.builds(
        Parameters,
        temperature=st.none() | st.floats(0.0, 2.0),
        max_tokens=st.none() | st.integers(min_value=1) | st.just(1),
        top_p=st.none() | st.floats(0.0, 1.0),
        stop=st.lists(text, max_size=3).map(tuple),
        seed=st.none() | _seeds,
    )


def _non_blank(value: str) -> bool:
    return bool(value.strip())


_provider_ids = st.one_of(
    st.sampled_from(["openai", "anthropic", "local-llama", "azure_openai"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters=":"), min_size=1, max_size=10),
).filter(_non_blank)

_model_ids = st.one_of(
    st.sampled_from(["gpt-4o", "claude-3-5-sonnet-latest", "llama3:8b", "ft:gpt-4o:org::id"]),
    st.text(min_size=1, max_size=12),
).filter(_non_blank)


def targets() -> st.SearchStrategy[Target]:
    schema_text = st.none() | json_objects().map(Target.schema_text)
    return st.builds(
        Target,
        provider=_provider_ids,
        model=_model_ids,
        parameters=parameters(),
        json_schema_text=schema_text,
    )


@st.composite
def documents(draw: st.DrawFn, *, valid_templates: bool = False) -> PromptDocument:
    """An arbitrary valid prompt document.

    With ``valid_templates=True`` the system prompt, messages and examples are
    Jinja templates that use only the document's declared variables, for
    tests that render them; otherwise they are arbitrary text.
    """
    declared = draw(variables())
    if valid_templates:
        template: st.SearchStrategy[str] = template_text([v.name for v in declared])
    else:
        template = text
    message_list = draw(
        st.lists(
            st.builds(Message, role=st.sampled_from(["user", "assistant"]), content=template),
            max_size=4,
        )
    )
    example_list = draw(
        st.lists(
            st.builds(Example, input=template, output=template, enabled=st.booleans(), note=text),
            max_size=4,
        )
    )
    return PromptDocument(
        name=draw(text),
        description=draw(text),
        tags=tuple(draw(st.lists(text, max_size=3))),
        system=draw(template),
        messages=tuple(message_list),
        examples=tuple(example_list),
        variables=declared,
        targets=tuple(draw(st.lists(targets(), max_size=3))),
    )
