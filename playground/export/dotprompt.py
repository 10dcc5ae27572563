"""Dotprompt (``.prompt``) export: YAML front matter plus a Handlebars body.

The front matter names the model as ``provider/model``, sampling settings
under ``config`` (``temperature``, ``maxOutputTokens``, ``topP``,
``stopSequences``, ``seed``), the variables as a Picoschema under
``input.schema`` with their samples under ``input.default``, the first
target's JSON schema as ``output.schema``, and app-only state under
``metadata.playground`` (disabled examples, notes, further targets).

The body switches roles with ``{{role "system"}}``, ``{{role "user"}}`` and,
for the assistant, ``{{role "model"}}``; enabled examples come first, as
turns. Each marker is written ``{{~role "user"~}}`` so the line breaks that
separate sections are not part of any message; white space at either end
of a message is therefore trimmed, and said so.

Templates are translated from Jinja to Handlebars where the meaning is the
same: ``{{ name }}`` and ``{{ a.b }}``, ``{% if %}``/``{% elif %}``/``{% else %}``
on a name, ``{% if not name %}``, and ``{% for x in xs %}`` over a name
(``{{#each xs}}``, with ``{{this}}``, ``@index``, ``@first``, ``@last``).
Literal ``{{`` is written ``\\{{``. A field using anything else (filters,
``{% set %}``, expressions) is written as literal text with every tag
escaped, and a warning says Dotprompt will show those tags rather than run
them. This module only reads templates; nothing is rendered here.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError

from playground.core.document import PromptDocument, Target
from playground.core.sandbox import ENV
from playground.export.base import ExportFile, ExportOptions, ExportResult
from playground.export.native import file_stem
from playground.export.yamlio import dump_yaml

__all__ = ["export", "translate"]

# Helpers Dotprompt registers (it compiles with knownHelpersOnly): a variable of
# one of these names must be read as a path, or Handlebars calls the helper.
_HELPERS = frozenset(
    {"role", "history", "section", "media", "json", "ifEquals", "unlessEquals"}
    | {"if", "unless", "each", "with", "lookup", "log", "blockHelperMissing", "helperMissing"}
)
# Names Handlebars reads as literals or as the context itself.
_NOT_PATHS = frozenset({"this", "true", "false", "null", "undefined"})
# A block tag alone on its line loses the line's indentation and its line break.
_STANDALONE_BLOCK = re.compile(
    r"(?:^|\n)(?:[ \t]*\{\{(?:[#/]|else\b)[^}]*\}\}[ \t]*\n"
    r"|[ \t]+\{\{(?:[#/]|else\b)[^}]*\}\}[ \t]*$|\{\{(?:[#/]|else\b)[^}]*\}\}[ \t]+$)"
)


_CONSTRUCTS = {
    "Filter": "a filter",
    "Call": "a call",
    "Assign": "{% set %}",
    "AssignBlock": "{% set %}",
    "Macro": "{% macro %}",
    "CallBlock": "{% call %}",
    "FilterBlock": "{% filter %}",
    "With": "{% with %}",
}


class _Untranslatable(Exception):
    """A template construct with no Handlebars equivalent of the same meaning."""


def export(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    warnings: list[str] = []
    front: dict[str, Any] = {"name": doc.name}
    if doc.description:
        front["description"] = doc.description
    playground: dict[str, Any] = {}
    if doc.targets:
        _model(doc.targets[0], front, playground, warnings)
    if len(doc.targets) > 1:
        playground["targets"] = [t.label for t in doc.targets[1:]]
        warnings.append(
            f"Dotprompt runs one model: targets 2 to {len(doc.targets)} are only listed "
            "under metadata.playground.targets"
        )
    if doc.variables:
        front["input"] = _input(doc, warnings)

    sections: list[tuple[str, str, str]] = []  # (role, template, label)
    if doc.system:
        sections.append(("system", doc.system, "system"))
    notes: list[dict[str, Any]] = []
    for i, ex in enumerate(doc.examples, 1):
        if ex.enabled:
            sections.append(("user", ex.input, f"example {i} input"))
            sections.append(("model", ex.output, f"example {i} output"))
        if not ex.enabled or ex.note:
            entry: dict[str, Any] = {"example": i, "enabled": ex.enabled}
            if not ex.enabled:
                entry.update(input=ex.input, output=ex.output)
            if ex.note:
                entry["note"] = ex.note
            notes.append(entry)
    for i, m in enumerate(doc.messages, 1):
        sections.append(("user" if m.role == "user" else "model", m.content, f"message {i}"))
    if notes:
        playground["examples"] = notes

    parts: list[str] = []
    for role, template, label in sections:
        text, problems = translate(template)
        warnings.extend(f"{label}: {p}" for p in problems)
        if not template.strip():
            warnings.append(f"{label}: Dotprompt drops empty messages; this one is left out")
            continue
        if template != template.strip():
            warnings.append(f"{label}: Dotprompt trims white space at the ends of a message")
        parts.append(f'{{{{~role "{role}"~}}}}\n{text}')

    metadata: dict[str, Any] = {}
    if doc.tags:
        metadata["tags"] = list(doc.tags)
    if playground:
        metadata["playground"] = playground
    if metadata:
        front["metadata"] = metadata
    body = "\n\n".join(parts)
    text = "---\n" + dump_yaml(front) + "---\n" + (body + "\n" if body else "")
    name = f"{file_stem(doc, options)}.prompt"
    return ExportResult(files=(ExportFile(name, text, "handlebars"),), warnings=tuple(warnings))


def _model(
    target: Target, front: dict[str, Any], playground: dict[str, Any], warnings: list[str]
) -> None:
    front["model"] = f"{target.provider}/{target.model}"
    p = target.parameters
    config: dict[str, Any] = {}
    if p.temperature is not None:
        config["temperature"] = p.temperature
    if p.max_tokens is not None:
        config["maxOutputTokens"] = p.max_tokens
    if p.top_p is not None:
        config["topP"] = p.top_p
    if p.stop:
        config["stopSequences"] = list(p.stop)
    if p.seed is not None:
        config["seed"] = p.seed
    if config:
        front["config"] = config
    schema = target.schema
    if schema is None:
        return
    # Picoschema passes a schema through as JSON Schema only when it looks like one.
    kinds = {"any", "boolean", "integer", "null", "number", "string", "object", "array"}
    if schema.get("type") in kinds or isinstance(schema.get("properties"), dict):
        front["output"] = {"format": "json", "schema": schema}
    else:
        playground["jsonSchema"] = schema
        warnings.append(
            "target 1: the JSON schema has no top-level 'type' or 'properties', which "
            "Dotprompt needs to read it as JSON Schema; kept under metadata.playground.jsonSchema"
        )


def _input(doc: PromptDocument, warnings: list[str]) -> dict[str, Any]:
    schema: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for v in doc.variables:
        # Picoschema: "type, description" on one line; "name?" for an optional value.
        description = " ".join(v.description.split())
        if description != v.description.strip():
            warnings.append(f"variable {v.name!r}: its description was joined onto one line")
        key = v.name if v.sample is None else f"{v.name}?"
        schema[key] = f"string, {description}" if description else "string"
        if v.sample is not None:
            defaults[v.name] = v.sample
    out: dict[str, Any] = {"schema": schema}
    if defaults:
        out["default"] = defaults
    return out


# ---------------------------------------------------------------- translation


def translate(source: str) -> tuple[str, list[str]]:
    """Handlebars text for the Jinja template ``source``, and what did not carry over."""
    notes: list[str] = []
    try:
        ast = ENV.parse(source)
        text = _Emitter(notes).block(ast.body)
    except (TemplateSyntaxError, _Untranslatable, RecursionError) as exc:
        reason = exc.message if isinstance(exc, TemplateSyntaxError) else str(exc)
        notes = [
            f"uses Jinja that Handlebars cannot express ({reason or 'a syntax error'}); written "
            "as literal text, so Dotprompt shows its tags instead of running them"
        ]
        if "\\{{" in source:
            notes.append("a backslash right before '{{' reads as an escape in Handlebars")
        return source.replace("{{", "\\{{"), notes
    if "{#" in source:
        notes.append("Jinja comments are not carried over")
    if _STANDALONE_BLOCK.search(text):
        notes.append(
            "Handlebars drops the line of a block tag that stands alone on it, so the "
            "blank lines around it may differ"
        )
    if "<<<dotprompt:" in source:
        notes.append("the text '<<<dotprompt:' is read by Dotprompt as one of its own markers")
    return text, notes


class _Emitter:
    """Walks a parsed Jinja template, writing the Handlebars that means the same."""

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes
        self.loop: str | None = None  # the target of the enclosing {% for %}

    def block(self, body: list[nodes.Node]) -> str:
        out = ""
        for node in body:
            out = self._join(out, self.node(node))
        return out

    @staticmethod
    def _join(out: str, piece: str) -> str:
        if not piece:
            return out
        if piece.startswith("{{") and not piece.startswith("\\{{"):
            if out.endswith("{"):
                raise _Untranslatable("a '{' right before a placeholder")
            if out.endswith("\\"):
                out += "\\"  # '\\{{' would escape the placeholder; '\\\\{{' prints one '\\'
        elif piece.startswith("\\{{") and out.endswith("\\"):
            raise _Untranslatable("a backslash right before '{{'")
        elif piece.startswith("}") and out.endswith("}}"):
            raise _Untranslatable("a '}' right after a placeholder")
        return out + piece

    def node(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Output):
            return self.block(list(node.nodes))
        if isinstance(node, nodes.TemplateData):
            return self.literal(node.data)
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            return self.literal(node.value)
        if isinstance(node, nodes.Name | nodes.Getattr):
            return "{{" + self.path(node, top=True) + "}}"
        if isinstance(node, nodes.If):
            return self.if_block(node)
        if isinstance(node, nodes.For):
            return self.for_block(node)
        kind = type(node).__name__
        raise _Untranslatable(_CONSTRUCTS.get(kind, f"{{% {kind.lower()} %}}"))

    def literal(self, text: str) -> str:
        if "\\{{" in text:
            raise _Untranslatable("a backslash right before '{{'")
        return text.replace("{{", "\\{{")

    def path(self, node: nodes.Node, *, top: bool = False) -> str:
        if isinstance(node, nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "loop" and self.loop:
                special = {"index0": "@index", "first": "@first", "last": "@last"}
                if node.attr in special:
                    return special[node.attr]
                raise _Untranslatable(f"loop.{node.attr}")
            return f"{self.path(node.node)}.{node.attr}"
        if not isinstance(node, nodes.Name):
            raise _Untranslatable("an expression")
        name = node.name
        if name in _NOT_PATHS or name == "loop":
            raise _Untranslatable(f"the name {name!r}")
        if self.loop is not None:
            return "this" if name == self.loop else f"@root.{name}"
        return f"this.{name}" if top and name in _HELPERS else name

    def condition(self, test: nodes.Node) -> tuple[str, str]:
        if isinstance(test, nodes.Not):
            return "unless", self.path(test.node)
        return "if", self.path(test)

    def if_block(self, node: nodes.If) -> str:
        helper, subject = self.condition(node.test)
        out = f"{{{{#{helper} {subject}}}}}" + self.block(node.body)
        for elif_ in node.elif_:
            kind, other = self.condition(elif_.test)
            if helper != "if" or kind != "if":
                raise _Untranslatable("{% elif %} with 'not'")
            out += f"{{{{else if {other}}}}}" + self.block(elif_.body)
        if node.else_:
            out += "{{else}}" + self.block(node.else_)
        return out + f"{{{{/{helper}}}}}"

    def for_block(self, node: nodes.For) -> str:
        if self.loop is not None or node.recursive or node.test is not None:
            raise _Untranslatable("a nested, filtered or recursive {% for %}")
        if not isinstance(node.target, nodes.Name):
            raise _Untranslatable("{% for %} over pairs")
        subject = self.path(node.iter)
        self.loop = node.target.name
        try:
            body = self.block(node.body)
        finally:
            self.loop = None
        out = f"{{{{#each {subject}}}}}" + body
        if node.else_:
            out += "{{else}}" + self.block(node.else_)
        self.notes.append(
            f"{{% for {node.target.name} in ... %}} became {{{{#each {subject}}}}}: Dotprompt "
            "loops over a list value, while this app's variables are text"
        )
        return out + "{{/each}}"
