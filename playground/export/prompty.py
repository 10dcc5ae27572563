"""Prompty (``.prompty``) files: export writes version 2; import reads versions 2 and 1.

A file is YAML front matter between ``---`` lines, then a body of role
sections. Export writes::

    ---
    name: ...
    description: ...
    metadata: {tags: [...], playground: {...}}
    model: {id, provider, apiType: chat, connection: {kind: key, ...}, options: {...}}
    inputSchema: {properties: [{name, kind: string, description, default}, ...]}
    template: {format: {kind: jinja2}, parser: {kind: prompty}}
    ---
    system:
    ...

    user:
    ...

Enabled n-shot examples are the first user/assistant turns of the body;
``metadata.playground.examples`` lists every example (enabled flag, note,
and the text of disabled ones, which the body cannot show), so they come
back as examples. ``metadata.playground`` also carries the app's own
provider name when the file names a different one (``ollama`` runs as
Prompty's ``openai``), the first target's JSON schema, and every target
after the first. Connections never hold a key, only ``${env:VAR}``.

What the body cannot hold, following how Prompty reads it (lines split at
every Unicode line break, a line such as ``user:`` or ``# Assistant:``
starts a new message, blank lines at either end of a message dropped):
line breaks other than ``\\n`` are written as ``\\n``; blank lines at the
start and end of a message are left out; a line that would start a new
message gets a ``\\`` before its colon. Each change is a warning, and
:func:`fit_text` is the rule. Prompty renders the whole body as one
template, so a template whose *output* contains such a line still splits
there; that cannot be seen without rendering, and is not checked.

This module writes files; the importer is :mod:`playground.export.prompty_read`
(its :func:`read` is re-exported here, the name the format registry uses),
and the rules both sides share are in :mod:`playground.export.prompty_common`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from playground.core import document
from playground.core.document import Message, PromptDocument, Target
from playground.export.base import ExportFile, ExportOptions, ExportResult
from playground.export.native import file_stem
from playground.export.prompty_common import (
    PLAYGROUND_VERSION,
    base_url_variable,
    connection,
    is_role_line,
)
from playground.export.prompty_read import read
from playground.export.yamlio import dump_yaml

__all__ = [
    "PLAYGROUND_VERSION",
    "base_url_variable",
    "export",
    "fit_text",
    "holdable",
    "is_role_line",
    "read",
]

# Everything str.splitlines() splits at besides "\n" ("\r\n" counts once).
_OTHER_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def fit_text(text: str) -> tuple[str, list[str]]:
    """``text`` as the body can hold it, and what had to change (empty: nothing)."""
    changes: list[str] = []
    out = text.replace("\x00", "")
    if out != text:
        changes.append("a text file cannot hold NUL characters; they were left out")
    text = out
    out = _OTHER_BREAKS.sub("\n", text)
    if out != text:
        changes.append(
            "Prompty splits lines at \\r, form feeds and Unicode line separators; "
            "they were written as \\n"
        )
    stripped = out.strip("\n")
    if stripped != out:
        changes.append("Prompty drops blank lines at the start and end of a message; left out")
    lines = stripped.split("\n")
    for n, line in enumerate(lines, 1):
        if is_role_line(line):
            colon = line.rindex(":")
            lines[n - 1] = line[:colon] + "\\" + line[colon:]
            changes.append(
                f"line {n} '{line.strip()}' would start a new message in Prompty; "
                f"written as '{lines[n - 1].strip()}'"
            )
    return "\n".join(lines), changes


# ---------------------------------------------------------------- export


def export(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    warnings: list[str] = []

    def fit(text: str, label: str) -> str:
        fitted, changes = fit_text(text)
        warnings.extend(f"{label}: {change}" for change in changes)
        return fitted

    playground: dict[str, Any] = {"schemaVersion": PLAYGROUND_VERSION}
    sections: list[tuple[str, str]] = []
    if doc.system:
        system = fit(doc.system, "system")
        if system:
            sections.append(("system", system))
    example_entries: list[dict[str, Any]] = []
    for i, ex in enumerate(doc.examples, 1):
        entry: dict[str, Any] = {"enabled": ex.enabled}
        if ex.enabled:
            sections.append(("user", fit(ex.input, f"example {i} input")))
            sections.append(("assistant", fit(ex.output, f"example {i} output")))
        else:
            entry.update(input=ex.input, output=ex.output)
        if ex.note:
            entry["note"] = ex.note
        example_entries.append(entry)
    for i, m in enumerate(doc.messages, 1):
        sections.append((m.role, fit(m.content, f"message {i}")))

    front: dict[str, Any] = {"name": doc.name}
    if doc.description:
        front["description"] = doc.description
    if doc.targets:
        first = doc.targets[0]
        front["model"] = _model(first, options, playground, warnings)
        if first.json_schema_text is not None:
            playground["jsonSchema"] = first.schema
    if example_entries:
        playground["examples"] = example_entries
    if len(doc.targets) > 1:
        playground["targets"] = [_target_dict(t) for t in doc.targets[1:]]
    if doc.variables:
        front["inputSchema"] = {"properties": [_property(v) for v in doc.variables]}
    front["template"] = {"format": {"kind": "jinja2"}, "parser": {"kind": "prompty"}}
    metadata: dict[str, Any] = {}
    if doc.tags:
        metadata["tags"] = list(doc.tags)
    metadata["playground"] = playground
    front["metadata"] = metadata

    body = "\n\n".join(f"{role}:\n{text}" for role, text in sections)
    text = "---\n" + dump_yaml(front) + "---\n" + (body + "\n" if body else "")
    name = f"{file_stem(doc, options)}.prompty"
    return ExportResult(files=(ExportFile(name, text, "yaml+jinja"),), warnings=tuple(warnings))


def _model(
    target: Target, options: ExportOptions, playground: dict[str, Any], warnings: list[str]
) -> dict[str, Any]:
    model: dict[str, Any] = {"id": target.model}
    config = options.providers.get(target.provider)
    if config is None:
        model["provider"] = target.provider
        model["apiType"] = "chat"
        warnings.append(
            f"target 1 ({target.label}): provider '{target.provider}' is not configured, "
            "so the file names it but has no connection settings"
        )
    else:
        written = "anthropic" if config.kind == "anthropic" else "openai"
        model["provider"] = written
        model["apiType"] = "chat"
        model["connection"] = connection(config)
        if target.provider != written:
            playground["provider"] = {"name": target.provider, "fileProvider": written}
    p = target.parameters
    opts: dict[str, Any] = {}
    if p.temperature is not None:
        opts["temperature"] = p.temperature
    if p.max_tokens is not None:
        opts["maxOutputTokens"] = p.max_tokens
    if p.top_p is not None:
        opts["topP"] = p.top_p
    if p.stop:
        opts["stopSequences"] = list(p.stop)
    if p.seed is not None:
        opts["seed"] = p.seed
    if opts:
        model["options"] = opts
    return model


def _target_dict(target: Target) -> dict[str, Any]:
    # The native file's shape, so the reader can check it with document.from_dict.
    data = document.to_dict(PromptDocument(name="", targets=(target,)))["targets"]
    assert isinstance(data, list)
    return dict(data[0])  # type: ignore[arg-type]


def _property(v: document.Variable) -> dict[str, Any]:
    prop: dict[str, Any] = {"name": v.name, "kind": "string"}
    if v.description:
        prop["description"] = v.description
    if v.sample is not None:
        prop["default"] = v.sample
    return prop


def holdable(doc: PromptDocument) -> PromptDocument:
    """What :func:`export` writes of ``doc``: the document an import of it gives back."""

    def fit(text: str) -> str:
        return fit_text(text)[0]

    return replace(
        doc,
        system=fit(doc.system),
        messages=tuple(Message(m.role, fit(m.content)) for m in doc.messages),
        examples=tuple(
            replace(e, input=fit(e.input), output=fit(e.output)) if e.enabled else e
            for e in doc.examples
        ),
    )
