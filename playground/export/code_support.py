"""Helpers for code export: safe literals, and what a prompt template turns into.

Everything a user typed (prompt text, model ids, URLs, values, names) reaches
generated code only through the literal functions here, which the code
templates use as filters. Each escapes whatever could end its literal (quotes,
backslashes, ``${``, line breaks, including U+2028 and U+2029, which end a
line in JavaScript) and writes every non-printable character, lone surrogates
included, as an escape, so any input gives a literal that evaluates back to it.

A template field becomes a list of :class:`Segment` values: :class:`Plain`
for text and bare ``{{ name }}`` outputs (plain string formatting in the
generated code), :class:`Jinja` for anything else (rendered by a template
engine there). The decision is made on jinja2's parse tree, so comments,
whitespace control and ``{% raw %}`` need no special handling: the tree
already holds the text they leave.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import nodes

from playground.core.document import JSONValue, Target
from playground.core.sandbox import ENV
from playground.paths import resources_dir

__all__ = [
    "Jinja",
    "Plain",
    "Segment",
    "comment_text",
    "curated_models",
    "env_name",
    "is_plain",
    "json_value",
    "merge_segments",
    "py_format",
    "py_str",
    "py_value",
    "request_params",
    "segments_for",
    "sh_quote",
    "strict_compatible",
    "ts_key",
    "ts_str",
    "ts_template",
    "ts_value",
]


@dataclass(frozen=True)
class Plain:
    """Text with bare variable outputs: ``pieces`` alternate text and variable names.

    ``pieces`` is a tuple of ``(is_variable, text)`` pairs.
    """

    pieces: tuple[tuple[bool, str], ...]

    @property
    def names(self) -> list[str]:
        return [text for is_var, text in self.pieces if is_var]

    @property
    def text(self) -> str:
        """The text when there are no variables (callers check :attr:`names` first)."""
        return "".join(text for _, text in self.pieces)


@dataclass(frozen=True)
class Jinja:
    """A template with Jinja logic, kept as its source."""

    source: str


Segment = Plain | Jinja


# ---------------------------------------------------------------- templates


def _plain_pieces(source: str) -> tuple[tuple[bool, str], ...] | None:
    """The text and names of a template made only of text and ``{{ name }}``; else None."""
    tree = ENV.parse(source)
    pieces: list[tuple[bool, str]] = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                pieces.append((False, child.data))
            elif isinstance(child, nodes.Name) and child.ctx == "load":
                pieces.append((True, child.name))
            else:
                return None
    return tuple(pieces)


def is_plain(source: str) -> bool:
    """Whether ``source`` needs no template engine: only text and bare variable outputs."""
    return _plain_pieces(source) is not None


def segments_for(source: str, *, jinja_for_variables: bool) -> list[Segment]:
    """What one template field becomes.

    A plain field becomes one :class:`Plain`. Otherwise, and also for a plain
    field that uses variables when ``jinja_for_variables`` is set (so that a
    prompt using Jinja anywhere is rendered one way throughout), the source is
    kept as one :class:`Jinja`.
    """
    pieces = _plain_pieces(source)
    if pieces is None or (jinja_for_variables and any(v for v, _ in pieces)):
        return [Jinja(source)]
    return [Plain(pieces)]


def merge_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Adjacent plain segments joined into one; empty plain segments dropped."""
    out: list[Segment] = []
    for seg in segments:
        if isinstance(seg, Plain):
            if not seg.pieces:
                continue
            if out and isinstance(out[-1], Plain):
                out[-1] = Plain(out[-1].pieces + seg.pieces)
                continue
        out.append(seg)
    return out


# ---------------------------------------------------------------- escaping

_PY_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_JSON_SHORT = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_TEMPLATE_SHORT = {"\\": "\\\\", "`": "\\`", "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _printable(ch: str) -> bool:
    # isprintable() is false for controls, separators such as U+2028, format
    # characters and surrogates: all of them are written as escapes.
    return ch == " " or ch.isprintable()


def _py_escape(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _PY_SHORT:
            out.append(_PY_SHORT[ch])
        elif _printable(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    return "".join(out)


def _js_escape(text: str, table: Mapping[str, str], *, braces: bool) -> str:
    out: list[str] = []
    for ch in text:
        if ch in table:
            out.append(table[ch])
        elif _printable(ch):
            out.append(ch)
        else:
            code = ord(ch)
            if braces:  # template literals take \u{...} for any code point
                out.append(f"\\u{{{code:x}}}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:  # JSON has only four-digit escapes: write the surrogate pair
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """``text`` cut after each line break, so long prompts read line by line."""
    return text.splitlines(keepends=True) if "\n" in text.rstrip("\n") else [text]


def _wrapped(parts: Sequence[str], indent: int, joiner: str, step: int = 4) -> str:
    if len(parts) == 1:
        return parts[0]
    pad = " " * (indent + step)
    inner = f"{joiner}\n{pad}".join(parts)
    return f"(\n{pad}{inner}\n{' ' * indent})"


def py_str(text: str, indent: int = 0) -> str:
    """A Python string literal for ``text``; multi-line text as one literal per line."""
    return _wrapped([f'"{_py_escape(line)}"' for line in _lines(text)], indent, "")


def py_format(segment: Plain, indent: int = 0) -> str:
    """A ``str.format`` template (braces doubled) for a plain segment with variables."""
    source = "".join(
        "{" + text + "}" if is_var else text.replace("{", "{{").replace("}", "}}")
        for is_var, text in segment.pieces
    )
    return py_str(source, indent)


def py_value(value: JSONValue, indent: int = 0) -> str:
    """A Python literal for a JSON value, nested objects indented."""
    if isinstance(value, str):
        return py_str(value, indent)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    pad = " " * (indent + 4)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}{py_value(v, indent + 4)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{' ' * indent}]"
    if not value:
        return "{}"
    items = [f"{pad}{py_str(k)}: {py_value(v, indent + 4)}," for k, v in value.items()]
    return "{\n" + "\n".join(items) + f"\n{' ' * indent}}}"


def ts_str(text: str, indent: int = 0) -> str:
    """A TypeScript (and JSON) string literal for ``text``; multi-line text joined with +."""
    parts = [f'"{_js_escape(line, _JSON_SHORT, braces=False)}"' for line in _lines(text)]
    return _wrapped(parts, indent, " +", 2)


def ts_template(segment: Plain, names: Mapping[str, str], indent: int = 0) -> str:
    """A template literal for a plain segment; ``names`` maps variables to identifiers."""
    lines: list[list[str]] = [[]]
    for is_var, text in segment.pieces:
        if is_var:
            lines[-1].append("${" + names[text] + "}")
            continue
        for line in _lines(text):
            lines[-1].append(_js_escape(line, _TEMPLATE_SHORT, braces=True))
            if line.endswith("\n"):
                lines.append([])
    parts = ["`" + "".join(line) + "`" for line in lines if line]
    return _wrapped(parts, indent, " +", 2)


_JS_SAFE_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def ts_key(key: str) -> str:
    """An object literal key for ``key``: bare when it can be, else quoted."""
    # "__proto__": in an object literal sets the prototype; a computed key does not.
    if key == "__proto__":
        return '["__proto__"]'
    return key if _JS_SAFE_KEY.fullmatch(key) else json_value(key)


def json_value(value: JSONValue, indent: int = 0, *, typescript: bool = False) -> str:
    """JSON text (or, with ``typescript``, a TypeScript literal) for a JSON value."""
    if isinstance(value, str):
        return (
            ts_str(value, indent)
            if typescript
            else f'"{_js_escape(value, _JSON_SHORT, braces=False)}"'
        )
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    pad = " " * (indent + 2)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}{json_value(v, indent + 2, typescript=typescript)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{' ' * indent}]"
    if not value:
        return "{}"
    items = []
    for k, v in value.items():
        key = ts_key(k) if typescript else json_value(k)
        items.append(f"{pad}{key}: {json_value(v, indent + 2, typescript=typescript)}")
    return "{\n" + ",\n".join(items) + f"\n{' ' * indent}}}"


def ts_value(value: JSONValue, indent: int = 0) -> str:
    """A TypeScript literal for a JSON value."""
    return json_value(value, indent, typescript=True)


def sh_quote(text: str) -> str:
    """One shell word for ``text``: single quotes, a quote inside written as '\\''."""
    return "'" + text.replace("'", "'\\''") + "'"


def comment_text(text: str) -> str:
    """``text`` quoted for a one-line comment in any of the languages: nothing can end it."""
    return f'"{_js_escape(text, _JSON_SHORT, braces=False)}"'


# ---------------------------------------------------------------- names

_ENV_UNSAFE = re.compile(r"[^A-Z0-9_]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_name(text: str, suffix: str) -> str:
    """An environment variable name from a provider name: ``lm-studio`` → ``LM_STUDIO_<suffix>``."""
    stem = _ENV_UNSAFE.sub("_", text.upper()).strip("_") or "PROVIDER"
    if stem[0].isdigit():
        stem = "P_" + stem
    return f"{stem}_{suffix}"


def valid_env_name(text: str | None) -> bool:
    return text is not None and _ENV_NAME.fullmatch(text) is not None


def identifiers(names: Sequence[str], *, reserved: Iterable[str], language: str) -> dict[str, str]:
    """A safe, distinct identifier for each variable name in the given language.

    A name that is already a plain ASCII identifier, not a keyword and not one
    the generated code uses itself, is kept; any other gets ``var<N>``.
    """
    taken = set(reserved)
    out: dict[str, str] = {}
    for i, name in enumerate(names, start=1):
        usable = _JS_SAFE_KEY.fullmatch(name) is not None and "$" not in name
        if language == "python":
            usable = usable and not keyword.iskeyword(name)
        else:
            usable = usable and name not in _JS_RESERVED
        ident = name if usable and name not in taken else f"var{i}"
        while ident in taken:
            ident += "_"
        taken.add(ident)
        out[name] = ident
    return out


# Reserved and contextual words of JavaScript and TypeScript, and names with a meaning
# of their own, none of which a generated identifier should be.
_JS_WORDS = """break case catch class const continue debugger default delete do else enum export
    extends false finally for function if import in instanceof new null return super switch
    this throw true try typeof var void while with as implements interface let package
    private protected public static yield await async of any boolean number string symbol
    type undefined arguments eval never unknown object declare namespace module require
    constructor __proto__ process console"""
_JS_RESERVED = frozenset(_JS_WORDS.split())


# ---------------------------------------------------------------- provider facts


@cache
def _curated() -> dict[str, Any]:
    try:
        data = json.loads((resources_dir() / "models.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def curated_models(kind: str, server: str = "") -> list[str]:
    """The model ids the app suggests for a protocol (and, for local servers, a server)."""
    listed = _curated().get(kind)
    if isinstance(listed, dict):
        listed = listed.get(server)
    return [m for m in listed if isinstance(m, str)] if isinstance(listed, list) else []


#: Anthropic requires max_tokens; this is written when the target sets none.
ANTHROPIC_DEFAULT_MAX_TOKENS = 1024
#: The forced tool that carries structured output on Anthropic, as the app sends it.
STRUCTURED_TOOL = "respond"


def request_params(
    target: Target, protocol: str, warnings: list[str], *, compatible: bool
) -> tuple[tuple[tuple[str, JSONValue], ...], bool, bool]:
    """The request's optional fields, whether output is structured, whether max_tokens defaulted.

    What ``protocol`` cannot carry is appended to ``warnings``; ``compatible``
    is true for OpenAI-compatible servers.
    """
    p = target.parameters
    schema = target.schema
    out: list[tuple[str, JSONValue]] = []
    if protocol == "openai":
        # As the app sends it: OpenAI's newer models refuse max_tokens; local servers know only it.
        limit = "max_tokens" if compatible else "max_completion_tokens"
        given: list[tuple[str, JSONValue]] = [
            ("temperature", p.temperature),
            ("top_p", p.top_p),
            (limit, p.max_tokens),
            ("stop", list(p.stop) if p.stop else None),
            ("seed", p.seed),
        ]
        out = [(k, v) for k, v in given if v is not None]
        if schema is not None:
            out.append(
                (
                    "response_format",
                    {
                        "type": "json_schema",
                        "json_schema": {
                            "name": "response",
                            "schema": schema,
                            "strict": strict_compatible(schema),
                        },
                    },
                )
            )
        return tuple(out), False, False
    out.append(("max_tokens", p.max_tokens or ANTHROPIC_DEFAULT_MAX_TOKENS))
    for label, value in (("temperature", p.temperature), ("top_p", p.top_p)):
        if value is not None:
            warnings.append(
                f"{label} ({value:g}) is left out: Anthropic's current API rejects it at any value"
            )
    if p.seed is not None:
        warnings.append(f"seed ({p.seed}) is left out: Anthropic's API has no seed")
    if p.stop:
        out.append(("stop_sequences", list(p.stop)))
    structured = False
    if schema is not None:
        if schema.get("type", "object") != "object":
            warnings.append(
                "the JSON schema is left out: Anthropic returns structured output as a tool's "
                f"input, which must be an object, and this schema asks for {schema.get('type')!r}"
            )
        else:
            structured = True
            out.append(
                (
                    "tools",
                    [
                        {
                            "name": STRUCTURED_TOOL,
                            "description": "Give the answer, as JSON that follows this schema.",
                            "input_schema": {"type": "object", **schema},
                        }
                    ],
                )
            )
            out.append(("tool_choice", {"type": "tool", "name": STRUCTURED_TOOL}))
    return tuple(out), structured, p.max_tokens is None


# JSON Schema keywords OpenAI's strict mode rejects.
_NOT_STRICT = frozenset(
    {
        "allOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "patternProperties",
        "unevaluatedProperties",
        "propertyNames",
    }
)


def strict_compatible(schema: Mapping[str, Any]) -> bool:
    """Whether OpenAI's strict mode takes ``schema`` as it is, decided as the app decides.

    The export layer may not import the providers, so this is the same rule
    written for export; a test holds the two to the same answers.
    """
    return schema.get("type") == "object" and _strict_node(schema)


def _strict_node(node: object) -> bool:
    if not isinstance(node, Mapping) or _NOT_STRICT & node.keys():
        return False
    types = node.get("type")
    if types == "object" or (isinstance(types, list) and "object" in types) or "properties" in node:
        properties = node.get("properties") or {}
        if not isinstance(properties, Mapping) or node.get("additionalProperties") is not False:
            return False
        if set(node.get("required") or ()) != set(properties):
            return False
        if not all(_strict_node(child) for child in properties.values()):
            return False
    children: list[object] = [node["items"]] if "items" in node else []
    for key in ("anyOf", "prefixItems"):
        value = node.get(key)
        if value is not None:
            if not isinstance(value, list):
                return False
            children.extend(value)
    for key in ("$defs", "definitions"):
        value = node.get(key)
        if value is not None:
            if not isinstance(value, Mapping):
                return False
            children.extend(value.values())
    return all(_strict_node(child) for child in children)
