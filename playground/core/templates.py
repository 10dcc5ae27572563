"""Sandboxed Jinja2 templates: variable discovery, checking and rendering.

Templates may come from files other people wrote, so they are untrusted:
they render in the sandbox of :mod:`playground.core.sandbox` with
StrictUndefined semantics. ``{{ variable }}`` is the documented syntax; the
rest of Jinja2 (``{% if %}``, ``{% for %}``, filters) works with Jinja2's own
defaults, except that a trailing newline is kept. As in Jinja2, line endings
in the output are ``\n``.

Every problem is reported as a :class:`TemplateProblem` naming the field
(``system``, ``message 3``, ``example 2 input``), the 1-based line and column
inside that field, and a plain message. Missing variables are collected
across all fields and reported at once by :class:`MissingVariablesError`, in
the order they first appear in the text; a name used only under
``is defined`` is optional.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

from playground.core import template_positions as positions
from playground.core.document import PromptDocument, Variable
from playground.core.errors import MissingVariablesError, TemplateError, TemplateProblem
from playground.core.request import ChatMessage, RenderedRequest
from playground.core.sandbox import ENV, TEMPLATE_FILENAME, recording, time_limit

__all__ = [
    "MAX_OUTPUT_CHARS",
    "TemplateField",
    "check",
    "discover_variables",
    "effective_values",
    "render",
    "sync_variables",
    "template_fields",
]

#: A rendered field longer than this is refused: a template is a prompt, not a bomb.
MAX_OUTPUT_CHARS = 2_000_000


@dataclass(frozen=True)
class TemplateField:
    """One piece of template text in a document, with its human label."""

    label: str
    source: str
    kind: str  # "system" | "message" | "example"
    index: int = 0  # 0-based position among messages or examples
    part: str = ""  # "input" | "output" for examples


def template_fields(doc: PromptDocument, *, include_disabled: bool = False) -> list[TemplateField]:
    """Every template text in ``doc``, in order: system, messages, examples."""
    out = [TemplateField("system", doc.system, "system")]
    out += [
        TemplateField(f"message {i + 1}", m.content, "message", i)
        for i, m in enumerate(doc.messages)
    ]
    for i, ex in enumerate(doc.examples):
        if ex.enabled or include_disabled:
            out.append(TemplateField(f"example {i + 1} input", ex.input, "example", i, "input"))
            out.append(TemplateField(f"example {i + 1} output", ex.output, "example", i, "output"))
    return out


_FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Extends: "{% extends %}",
}


# ---------------------------------------------------------------- discovery


def _parse(source: str) -> nodes.Template:
    """Parse, turning the parser's own limits (deep nesting, huge numbers) into syntax errors."""
    try:
        tree = ENV.parse(source)
        # The analyses after parsing walk the tree recursively too; a tree the
        # parser just managed (thousands of chained filters) must fail here, cleanly.
        for _node in tree.find_all(nodes.Node):
            pass
        return tree
    except TemplateSyntaxError:
        raise
    except (RecursionError, MemoryError):
        raise TemplateSyntaxError("the template is nested too deeply to read", 1) from None
    except ValueError as exc:
        raise TemplateSyntaxError(f"the template cannot be read: {exc}", 1) from None


def _field_variables(source: str) -> list[str]:
    """Names the field reads without defining them, in order of first use in the text."""
    undeclared = meta.find_undeclared_variables(_parse(source))
    ordered = [name for name in positions.first_uses(source) if name in undeclared]
    return ordered + sorted(undeclared.difference(ordered))


def discover_variables(doc: PromptDocument) -> list[str]:
    """Names the templates use, in order of first appearance; unparsable fields skipped."""
    found: dict[str, None] = {}
    for f in template_fields(doc):
        try:
            names = _field_variables(f.source)
        except TemplateSyntaxError:
            continue
        for name in names:
            found.setdefault(name, None)
    return list(found)


def effective_values(
    doc: PromptDocument, values: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The value each variable the text uses will get: given values, else declared samples."""
    samples = {v.name: v.sample for v in doc.variables if v.sample is not None}
    given = dict(values or {})
    return {
        name: given[name] if name in given else samples[name]
        for name in discover_variables(doc)
        if name in given or name in samples
    }


def sync_variables(doc: PromptDocument) -> tuple[Variable, ...]:
    """The variable list the text implies, keeping what the user said about each.

    Declared variables still in use keep their place and metadata; newly
    discovered ones follow. Declared variables no longer used are dropped.
    """
    used = discover_variables(doc)
    used_set = set(used)
    declared = [v for v in doc.variables if v.name in used_set]
    known = {v.name for v in declared}
    return tuple(declared + [Variable(name) for name in used if name not in known])


# ---------------------------------------------------------------- checking


def check(doc: PromptDocument) -> list[TemplateProblem]:
    """Syntax problems in every field (disabled examples included); [] when valid."""
    problems: list[TemplateProblem] = []
    for f in template_fields(doc, include_disabled=True):
        problem = _check_field(f)
        if problem is not None:
            problems.append(problem)
    return problems


def _check_field(f: TemplateField) -> TemplateProblem | None:
    try:
        ast = _parse(f.source)
    except TemplateSyntaxError as exc:
        return _syntax_problem(f, exc)
    for node_type, tag in _FORBIDDEN_NODES.items():
        node = next(iter(ast.find_all(node_type)), None)
        if node is not None:
            line = node.lineno
            col = positions.locate(f.source, line, re.escape(tag.split()[1]))
            return TemplateProblem(
                f.label,
                line,
                col,
                f"{tag} is not allowed in templates: a prompt template must be self-contained",
            )
    return None


# ---------------------------------------------------------------- rendering


def render(
    doc: PromptDocument, values: Mapping[str, str] | None = None, *, use_samples: bool = True
) -> RenderedRequest:
    """Render ``doc`` into a provider-neutral request.

    ``values`` give variable values; a declared variable's sample fills in
    for a missing value when ``use_samples`` is true. Enabled examples become
    user/assistant turns, in order, before the messages; disabled ones are
    skipped. Raises :class:`MissingVariablesError` (every missing name at
    once) or :class:`TemplateError` (every other problem found).
    """
    context: dict[str, Any] = {}
    if use_samples:
        context.update({v.name: v.sample for v in doc.variables if v.sample is not None})
    context.update(values or {})

    fields = template_fields(doc)
    problems = [p for f in fields if (p := _check_field(f)) is not None]
    if problems:
        raise TemplateError(problems)

    rendered: dict[str, str] = {}
    with recording() as state:
        for f in fields:
            result = _render_field(f, context)
            if isinstance(result, str):
                rendered[f.label] = result
            else:
                problems.append(result)
    if state.missing:
        raise _missing_error(list(state.missing), fields)
    if problems:
        raise TemplateError(problems)
    return _assemble(doc, rendered)


def _render_field(f: TemplateField, context: Mapping[str, Any]) -> str | TemplateProblem:
    try:
        chunks: list[str] = []
        size = 0
        with time_limit():
            stream = ENV.from_string(f.source).generate(context)
            for chunk in stream:
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    return TemplateProblem(
                        f.label,
                        1,
                        1,
                        f"rendering more than {MAX_OUTPUT_CHARS:,} characters is not allowed "
                        f"in templates",
                    )
                chunks.append(chunk)
        return "".join(chunks)
    except RecursionError as exc:
        return _runtime_problem(f, exc, context, "the template calls itself too deeply")
    except Exception as exc:
        return _runtime_problem(f, exc, context)


def _assemble(doc: PromptDocument, rendered: Mapping[str, str]) -> RenderedRequest:
    turns: list[ChatMessage] = []
    for i, ex in enumerate(doc.examples):
        if ex.enabled:
            turns.append(ChatMessage("user", rendered[f"example {i + 1} input"]))
            turns.append(ChatMessage("assistant", rendered[f"example {i + 1} output"]))
    turns += [ChatMessage(m.role, rendered[f"message {i + 1}"]) for i, m in enumerate(doc.messages)]
    return RenderedRequest(system=rendered["system"], messages=tuple(turns))


# ---------------------------------------------------------------- reporting


def _missing_error(names: list[str], fields: list[TemplateField]) -> MissingVariablesError:
    """All missing names in text order, with where each is first used in each field."""
    order: dict[str, int] = {}
    problems: list[TemplateProblem] = []
    for f in fields:
        undeclared = set(_field_variables(f.source))
        for name, (line, column) in positions.first_uses(f.source).items():
            if name in undeclared:
                order.setdefault(name, len(order))
                if name in names:
                    problems.append(
                        TemplateProblem(f.label, line, column, f"variable '{name}' has no value")
                    )
    ordered = sorted(names, key=lambda n: order.get(n, len(order)))
    problems.sort(key=lambda p: order.get(p.message.split("'")[1], len(order)))
    if not problems:  # a name reached some other way: still never lose the list
        problems = [
            TemplateProblem("template", 1, 1, f"variable '{n}' has no value") for n in ordered
        ]
    return MissingVariablesError(ordered, problems)


def _runtime_problem(
    f: TemplateField, exc: BaseException, context: Mapping[str, Any], message: str | None = None
) -> TemplateProblem:
    line = _template_line(exc.__traceback__)
    needle: str | None = None
    text = message or str(exc) or type(exc).__name__
    attr = re.match(r"access to attribute '([^']+)' of '([^']+)' object is unsafe", str(exc))
    missing_attr = re.search(r"has no (?:attribute|element) '?([^']+?)'?$", str(exc))
    if isinstance(exc, SecurityError) and attr is not None:
        needle = re.escape(attr.group(1))
        text = f"'{attr.group(1)}' is not allowed in templates"
    elif isinstance(exc, UndefinedError) and missing_attr is not None:
        needle = re.escape(missing_attr.group(1))
        if missing_attr.group(1).startswith("_"):
            text = f"'{missing_attr.group(1)}' is not allowed in templates"
    elif isinstance(exc, OverflowError) and "range" in text.lower():
        text = "ranges of more than 100,000 items are not allowed in templates"
    elif isinstance(exc, SecurityError) and "not allowed in templates" not in text:
        text = f"not allowed in templates: {text}"
    if line is None:
        line = _first_line_with(f.source, needle) if needle else 1
    if needle is not None:
        column = positions.locate(f.source, line, needle)
    else:
        column = _culprit_column(f.source, line, type(exc), context)
    return TemplateProblem(f.label, line, column, text)


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line Jinja2 mapped the failing frame to, if it did."""
    line: int | None = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _culprit_column(
    source: str, line: int, kind: type[BaseException], context: Mapping[str, Any]
) -> int:
    """Column of the ``{{ }}`` on ``line`` that fails alone the same way, else of the first tag."""
    for tag in positions.tags(source):
        if tag.line != line or not tag.text.startswith("{{"):
            continue
        try:
            ENV.from_string(tag.text).render(context)
        except kind:
            return tag.column
        except Exception:
            continue
    return positions.locate(source, line)


def _first_line_with(source: str, needle: str) -> int:
    for tag in positions.tags(source):
        if re.search(needle, tag.text):
            return tag.line
    return 1


def _syntax_problem(f: TemplateField, exc: TemplateSyntaxError) -> TemplateProblem:
    message = " ".join((exc.message or "invalid template syntax").split())
    message = message.replace("Jinja was", "the template was")
    found = positions.tags(f.source)
    unterminated = next((t for t in found if not t.closed), None)
    if unterminated is not None:
        opener = unterminated.text[:2]
        return TemplateProblem(
            f.label,
            unterminated.line,
            unterminated.column,
            f"'{opener}' is never closed with '{positions.OPENERS[opener]}'",
        )
    if "end of template" in message.lower():
        block = positions.unclosed_block(found)
        if block is not None:
            return TemplateProblem(
                f.label,
                block.line,
                block.column,
                f"'{{% {block.keyword} %}}' is never closed: add '{{% end{block.keyword} %}}'",
            )
    line = exc.lineno or 1
    on_line = [t for t in found if t.line <= line <= t.end_line]
    culprit = next((t for t in on_line if t.text.startswith("{{") and not _parses(t.text)), None)
    tag = culprit or (on_line[0] if on_line else None)
    if tag is not None:
        return TemplateProblem(f.label, tag.line, tag.column, message)
    return TemplateProblem(f.label, line, 1, message)


def _parses(text: str) -> bool:
    try:
        _parse(text)
    except TemplateSyntaxError:
        return False
    return True
