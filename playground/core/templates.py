"""Sandboxed Jinja2 templates: variable discovery, checking and rendering.

Templates may come from files other people wrote, so they are untrusted:
they render in Jinja2's ``ImmutableSandboxedEnvironment`` with strict
undefined handling, no loader (no include/import/extends), capped string
multiplication and powers, and a cap on output size. ``{{ variable }}`` is
the documented syntax; the rest of Jinja2 (``{% if %}``, ``{% for %}``,
filters) works as in Jinja2's own defaults, except that a trailing newline
is kept so text round-trips exactly.

Every problem is reported as a :class:`TemplateProblem` naming the field
(``system``, ``message 3``, ``example 2 input``), the 1-based line and column
inside that field, and a plain message. Missing variables are collected
across all fields and reported at once by :class:`MissingVariablesError`.
"""

from __future__ import annotations

import contextvars
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NoReturn

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from playground.core.document import PromptDocument, Variable
from playground.core.errors import MissingVariablesError, TemplateError, TemplateProblem
from playground.core.request import ChatMessage, RenderedRequest

__all__ = [
    "MAX_OUTPUT_CHARS",
    "TemplateField",
    "check",
    "discover_variables",
    "render",
    "sync_variables",
    "template_fields",
]

#: A rendered field longer than this is refused: a template is a prompt, not a bomb.
MAX_OUTPUT_CHARS = 2_000_000
_TEMPLATE_FILENAME = "<template>"


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


# ---------------------------------------------------------------- environment


@dataclass
class _RenderState:
    """Names found missing while rendering one document; set per render call."""

    missing: dict[str, None] = field(default_factory=dict)


_state: contextvars.ContextVar[_RenderState | None] = contextvars.ContextVar(
    "playground_render_state", default=None
)


class _RecordingUndefined(jinja2.StrictUndefined):
    """StrictUndefined that records a missing top-level name instead of failing.

    A render that records anything is never returned: it becomes a
    :class:`MissingVariablesError` that lists every missing name at once.
    Attributes missing on real objects and unsafe attributes still fail.
    """

    __slots__ = ()

    def _record(self) -> bool:
        state = _state.get()
        if (
            state is None
            or self._undefined_obj is not missing
            or self._undefined_exception is not UndefinedError
            or not isinstance(self._undefined_name, str)
        ):
            return False
        state.missing.setdefault(self._undefined_name, None)
        return True

    def __str__(self) -> str:  # type: ignore[override]
        if not self._record():
            self._fail_with_undefined_error()
        return ""

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        if not self._record():
            self._fail_with_undefined_error()
        return iter(())

    def __len__(self) -> int:  # type: ignore[override]
        if not self._record():
            self._fail_with_undefined_error()
        return 0

    def __bool__(self) -> bool:  # type: ignore[override]
        if not self._record():
            self._fail_with_undefined_error()
        return False

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._record()
        super()._fail_with_undefined_error(*args, **kwargs)


class _PromptSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus limits on operators that can allocate without bound."""

    intercepted_binops = frozenset({"*", "**"})
    _MAX_SEQUENCE = 1_000_000
    _MAX_EXPONENT = 1_000

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(times, int)
                    and len(seq) * times > self._MAX_SEQUENCE
                ):
                    raise SecurityError(
                        "repeating text that many times is not allowed in templates"
                    )
            return operator.mul(left, right)
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > self._MAX_EXPONENT:
                raise SecurityError("powers that large are not allowed in templates")
            return operator.pow(left, right)
        return super().call_binop(context, operator_, left, right)


_ENV = _PromptSandbox(undefined=_RecordingUndefined, autoescape=False, keep_trailing_newline=True)
_FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Extends: "{% extends %}",
}


# ---------------------------------------------------------------- discovery


def _parse(source: str) -> nodes.Template:
    return _ENV.parse(source)


def _ordered_undeclared(ast: nodes.Template) -> list[str]:
    undeclared = meta.find_undeclared_variables(ast)
    ordered: dict[str, None] = {}
    for name_node in ast.find_all(nodes.Name):
        if name_node.name in undeclared:
            ordered.setdefault(name_node.name, None)
    return list(ordered)


def discover_variables(doc: PromptDocument) -> list[str]:
    """Names the templates use, in order of first appearance; unparsable fields skipped."""
    found: dict[str, None] = {}
    for f in template_fields(doc):
        try:
            names = _ordered_undeclared(_parse(f.source))
        except TemplateSyntaxError:
            continue
        for name in names:
            found.setdefault(name, None)
    return list(found)


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
            col = _locate(f.source, line, re.escape(tag.split()[1]))
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
    skipped. Raises :class:`TemplateError` (every syntax or runtime problem
    found) or :class:`MissingVariablesError` (every missing name at once).
    """
    context: dict[str, Any] = {}
    if use_samples:
        context.update({v.name: v.sample for v in doc.variables if v.sample is not None})
    context.update(values or {})

    fields = template_fields(doc)
    problems = [p for f in fields if (p := _check_field(f)) is not None]
    if problems:
        raise TemplateError(problems)

    state = _RenderState()
    token = _state.set(state)
    rendered: dict[str, str] = {}
    aborted: list[TemplateField] = []
    try:
        for f in fields:
            result = _render_field(f, context, state)
            if isinstance(result, str):
                rendered[f.label] = result
            elif result is None:
                aborted.append(f)
            else:
                problems.append(result)
    finally:
        _state.reset(token)

    # A field that stopped on a missing name may hide more of them further on.
    for f in aborted:
        for name in _ordered_undeclared(_parse(f.source)):
            if name not in context:
                state.missing.setdefault(name, None)
    if state.missing:
        raise _missing_error(list(state.missing), fields, context)
    if problems:
        raise TemplateError(problems)
    return _assemble(doc, rendered)


def _render_field(
    f: TemplateField, context: Mapping[str, Any], state: _RenderState
) -> str | TemplateProblem | None:
    """Rendered text, a problem, or None when a missing variable stopped it."""
    before = len(state.missing)
    try:
        template = _ENV.from_string(f.source)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                return TemplateProblem(
                    f.label,
                    1,
                    1,
                    f"renders to more than "
                    f"{MAX_OUTPUT_CHARS:,} characters; that is not allowed "
                    f"in templates",
                )
            chunks.append(chunk)
        return "".join(chunks)
    except UndefinedError as exc:
        if len(state.missing) > before or _has_unset_names(f, context):
            return None
        return _runtime_problem(f, exc, exc.__traceback__)
    except SecurityError as exc:
        return _runtime_problem(f, exc, exc.__traceback__)
    except RecursionError as exc:
        return _runtime_problem(f, exc, exc.__traceback__, "the template calls itself too deeply")
    except Exception as exc:
        return _runtime_problem(f, exc, exc.__traceback__)


def _has_unset_names(f: TemplateField, context: Mapping[str, Any]) -> bool:
    return any(name not in context for name in _ordered_undeclared(_parse(f.source)))


def _assemble(doc: PromptDocument, rendered: Mapping[str, str]) -> RenderedRequest:
    turns: list[ChatMessage] = []
    for i, ex in enumerate(doc.examples):
        if ex.enabled:
            turns.append(ChatMessage("user", rendered[f"example {i + 1} input"]))
            turns.append(ChatMessage("assistant", rendered[f"example {i + 1} output"]))
    turns += [ChatMessage(m.role, rendered[f"message {i + 1}"]) for i, m in enumerate(doc.messages)]
    return RenderedRequest(system=rendered["system"], messages=tuple(turns))


def _missing_error(
    names: list[str], fields: list[TemplateField], context: Mapping[str, Any]
) -> MissingVariablesError:
    problems: list[TemplateProblem] = []
    for name in names:
        for f in fields:
            pos = _find_name(f.source, name)
            if pos is not None:
                problems.append(
                    TemplateProblem(f.label, pos[0], pos[1], f"variable '{name}' has no value")
                )
    if not problems:  # cannot happen for names found in the text, but never lose the list
        problems = [
            TemplateProblem("template", 1, 1, f"variable '{n}' has no value") for n in names
        ]
    return MissingVariablesError(names, problems)


# ---------------------------------------------------------------- locating errors


@dataclass(frozen=True)
class _Tag:
    line: int
    column: int  # 1-based
    end_line: int
    text: str  # the whole tag, delimiters included; up to the end for unclosed tags
    closed: bool


_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_BLOCK_START = re.compile(r"^\{%-?\s*(for|if|macro|call|filter|with|autoescape|raw|block|set)\b")
_BLOCK_END = re.compile(r"^\{%-?\s*end(\w+)")


def _tags(source: str) -> list[_Tag]:
    """Every ``{{ }}``, ``{% %}`` and ``{# #}`` in ``source`` with its position."""
    tags: list[_Tag] = []
    pos = 0
    raw = False
    while True:
        start = source.find("{", pos)
        if start < 0 or start + 1 >= len(source):
            return tags
        opener = source[start : start + 2]
        closer = _OPENERS.get(opener)
        if closer is None or (raw and opener != "{%"):
            pos = start + 1
            continue
        end = source.find(closer, start + 2)
        closed = end >= 0
        stop = end + 2 if closed else len(source)
        text = source[start:stop]
        if raw and not re.match(r"^\{%-?\s*endraw\b", text):
            pos = start + 2
            continue
        line = source.count("\n", 0, start) + 1
        column = start - (source.rfind("\n", 0, start) + 1) + 1
        tags.append(_Tag(line, column, line + text.count("\n"), text, closed))
        raw = bool(re.match(r"^\{%-?\s*raw\b", text)) if not raw else False
        if not closed:
            return tags
        pos = stop


def _unclosed_block(tags: list[_Tag]) -> _Tag | None:
    stack: list[tuple[str, _Tag]] = []
    for tag in tags:
        if (end := _BLOCK_END.match(tag.text)) is not None:
            if stack and stack[-1][0] == end.group(1):
                stack.pop()
            continue
        start = _BLOCK_START.match(tag.text)
        if start is None:
            continue
        keyword = start.group(1)
        if keyword == "set" and "=" in tag.text:
            continue  # {% set x = 1 %} has no end tag; {% set x %}...{% endset %} does
        stack.append((keyword, tag))
    return stack[-1][1] if stack else None


def _syntax_problem(f: TemplateField, exc: TemplateSyntaxError) -> TemplateProblem:
    message = _plain_syntax_message(exc.message or "invalid template syntax")
    tags = _tags(f.source)
    unterminated = next((t for t in tags if not t.closed), None)
    if unterminated is not None:
        closer = _OPENERS[unterminated.text[:2]]
        return TemplateProblem(
            f.label,
            unterminated.line,
            unterminated.column,
            f"'{unterminated.text[:2]}' is never closed with '{closer}'",
        )
    if "end of template" in (exc.message or "").lower():
        block = _unclosed_block(tags)
        if block is not None:
            keyword = _BLOCK_START.match(block.text).group(1)  # type: ignore[union-attr]
            return TemplateProblem(
                f.label,
                block.line,
                block.column,
                f"'{{% {keyword} %}}' is never closed: add '{{% end{keyword} %}}'",
            )
    line = exc.lineno or 1
    on_line = [t for t in tags if t.line <= line <= t.end_line]
    culprit = next((t for t in on_line if t.text.startswith("{{") and not _parses(t.text)), None)
    tag = culprit or (on_line[0] if on_line else None)
    if tag is not None:
        return TemplateProblem(f.label, tag.line, tag.column, message)
    return TemplateProblem(f.label, line, 1, message)


def _plain_syntax_message(message: str) -> str:
    return " ".join(message.split()).replace("Jinja was", "the template was")


def _parses(text: str) -> bool:
    try:
        _parse(text)
    except TemplateSyntaxError:
        return False
    return True


def _runtime_problem(
    f: TemplateField, exc: BaseException, tb: TracebackType | None, message: str | None = None
) -> TemplateProblem:
    line = _template_line(tb)
    needle: str | None = None
    text = message or str(exc) or type(exc).__name__
    if isinstance(exc, SecurityError):
        attr = re.match(r"access to attribute '([^']+)' of '([^']+)' object is unsafe", str(exc))
        if attr is not None:
            needle = re.escape(attr.group(1))
            text = f"'{attr.group(1)}' is not allowed in templates"
        elif "not allowed in templates" not in text:
            text = f"not allowed in templates: {text}"
    elif isinstance(exc, UndefinedError):
        name = re.search(r"no (?:attribute|element) '?([^']+)'?$", str(exc))
        if name is not None:
            needle = re.escape(name.group(1))
    if line is None:
        line = _first_line_with(f.source, needle) if needle else 1
    return TemplateProblem(f.label, line, _locate(f.source, line, needle), text)


def _template_line(tb: TracebackType | None) -> int | None:
    line: int | None = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _locate(source: str, line: int, needle: str | None) -> int:
    """1-based column on ``line``: of ``needle`` inside a tag, else of the first tag."""
    on_line = [t for t in _tags(source) if t.line <= line <= t.end_line]
    if needle is not None:
        for tag in on_line:
            if tag.line != line:
                continue
            m = re.search(needle, tag.text)
            if m is not None and "\n" not in tag.text[: m.start()]:
                return tag.column + m.start()
    if on_line:
        return on_line[0].column if on_line[0].line == line else 1
    return 1


def _first_line_with(source: str, needle: str) -> int:
    for tag in _tags(source):
        if re.search(needle, tag.text):
            return tag.line
    return 1


def _find_name(source: str, name: str) -> tuple[int, int] | None:
    pattern: Callable[[str], re.Match[str] | None] = re.compile(
        rf"(?<![\w.]){re.escape(name)}\b"
    ).search
    for tag in _tags(source):
        if tag.text.startswith("{#"):
            continue
        m = pattern(tag.text)
        if m is not None:
            before = tag.text[: m.start()]
            line = tag.line + before.count("\n")
            column = (
                tag.column + m.start() if "\n" not in before else m.start() - before.rfind("\n")
            )
            return line, column
    return None
