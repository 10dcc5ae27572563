"""promptfoo: a ``promptfooconfig.yaml`` plus a chat-JSON prompt file, both ways.

Export writes two files, for all of a prompt's targets (``options.target`` does
not narrow them: promptfoo compares providers side by side). The chat prompt
(``<stem>.json``) is the OpenAI message list promptfoo sends: the system
prompt, the enabled n-shot examples as user/assistant turns, then the
messages, each ``content`` a template.
promptfoo parses the JSON first and renders each string with Nunjucks, so the
text needs no escaping. The config names it and lists every target::

    description: ...
    prompts:
      - id: file://<stem>.json
        label: <prompt name>
    providers:
      - id: openai:chat:<model>         # or anthropic:messages:<model>
        label: <provider>:<model>       # the app's provider name comes back from here
        config: {apiBaseUrl, apiKeyEnvar, temperature, max_tokens, ...}
    defaultTest:
      vars: {<variable>: <sample>}
      metadata: {exampleTurns: {<prompt name>: <n>}}
    tests: [...]                        # export(tests=...) or one test of the samples

OpenAI-compatible servers (Ollama, LM Studio, ...) are ``openai:chat`` with
``apiBaseUrl``, ``apiKeyEnvar`` when the provider has a key variable and
``apiKeyRequired: false`` when it needs none. A key is never written; for
Anthropic a non-default variable is the template ``{{ env.NAME }}``. A JSON
schema is ``response_format`` for OpenAI and, for Anthropic, the forced
``respond`` tool the app itself uses; Anthropic's stop sequences go through
``extra_body``. ``metadata.exampleTurns`` (test metadata is free-form in
promptfoo, unlike prompt entries) says how many leading turns are examples,
so they come back as examples rather than messages.

What promptfoo has no place for is listed in the warnings: tags, variable
descriptions, disabled examples, example notes, a seed for Anthropic, and
variables without a sample that the text does not use (on import, variables
are the sampled ones, then the ones the text uses, in that order). Template
constructs that Nunjucks reads differently from Jinja2 are warned about too.

This module writes files; the importer is :mod:`playground.export.promptfoo_read`
(its :func:`read` is re-exported here, the name the format registry uses),
and what both sides must agree on is in :mod:`playground.export.promptfoo_common`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError

from playground.core import templates
from playground.core.document import JSONValue, PromptDocument, Target
from playground.core.provider_config import ProviderConfig
from playground.core.sandbox import ENV
from playground.export.base import ExportFile, ExportOptions, ExportResult
from playground.export.code_support import strict_compatible, valid_env_name
from playground.export.native import file_stem
from playground.export.promptfoo_common import EXAMPLE_TURNS, RESPOND, variables_back
from playground.export.promptfoo_read import read
from playground.export.yamlio import dump_yaml

__all__ = ["CONFIG_NAME", "EXAMPLE_TURNS", "export", "read", "template_warnings"]

CONFIG_NAME = "promptfooconfig.yaml"
_SCHEMA_LINE = "# yaml-language-server: $schema=https://promptfoo.dev/config-schema.json\n"
_SAMPLE_TEST = {"description": "the prompt's sample values"}

# Nunjucks's built-in filters (its filters.js); a Jinja2 filter outside this set fails there.
_NUNJUCKS_FILTERS = frozenset(
    [
        "abs",
        "batch",
        "capitalize",
        "center",
        "default",
        "d",
        "dictsort",
        "dump",
        "escape",
        "e",
        "safe",
        "first",
        "forceescape",
        "groupby",
        "indent",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "nl2br",
        "random",
        "reject",
        "rejectattr",
        "select",
        "selectattr",
        "replace",
        "reverse",
        "round",
        "slice",
        "sum",
        "sort",
        "string",
        "striptags",
        "title",
        "trim",
        "truncate",
        "upper",
        "urlencode",
        "urlize",
        "wordcount",
        "float",
        "int",
    ]
)
_JINJA_ONLY_GLOBALS = frozenset({"dict", "namespace", "lipsum"})


def export(
    doc: PromptDocument,
    options: ExportOptions,
    tests: Sequence[Mapping[str, JSONValue]] = (),
) -> ExportResult:
    """The config (main file) and the chat prompt; ``tests`` are promptfoo test cases."""
    chat_name = f"{file_stem(doc, options)}.json"
    warnings = _lost(doc) + template_warnings(doc)
    config: dict[str, Any] = {}
    if doc.description:
        config["description"] = doc.description
    config["prompts"] = [{"id": f"file://{chat_name}", "label": doc.name}]
    if doc.targets:
        config["providers"] = [
            _provider(t, i, options, warnings) for i, t in enumerate(doc.targets, 1)
        ]
    default_test: dict[str, Any] = {}
    samples = {v.name: v.sample for v in doc.variables if v.sample is not None}
    if samples:
        default_test["vars"] = samples
    examples = [e for e in doc.examples if e.enabled]
    if examples:
        default_test["metadata"] = {EXAMPLE_TURNS: {doc.name: len(examples)}}
    if default_test:
        config["defaultTest"] = default_test
    config["tests"] = [dict(t) for t in tests] or [dict(_SAMPLE_TEST)]
    chat: list[dict[str, str]] = [{"role": "system", "content": doc.system}] if doc.system else []
    for e in examples:
        chat += [{"role": "user", "content": e.input}, {"role": "assistant", "content": e.output}]
    chat += [{"role": m.role, "content": m.content} for m in doc.messages]
    return ExportResult(
        files=(
            ExportFile(CONFIG_NAME, _SCHEMA_LINE + dump_yaml(config), "yaml"),
            ExportFile(chat_name, json.dumps(chat, indent=2, ensure_ascii=False) + "\n", "json"),
        ),
        warnings=tuple(warnings),
    )


def _lost(doc: PromptDocument) -> list[str]:
    out = []
    if doc.tags:
        out.append(f"tags are not kept (promptfoo has no place for them): {', '.join(doc.tags)}")
    described = [v.name for v in doc.variables if v.description]
    if described:
        out.append(f"variable descriptions are not kept: {', '.join(described)}")
    for i, e in enumerate(doc.examples, 1):
        if not e.enabled:
            out.append(f"example {i} is disabled, so it is not written")
        elif e.note:
            out.append(f"the note of example {i} is not kept")
    held = variables_back(replace(doc, examples=tuple(e for e in doc.examples if e.enabled)))
    if held != tuple(replace(v, description="") for v in doc.variables):
        listed = ", ".join(v.name for v in held) or "none"
        out.append(
            "variables without a sample have no place in promptfoo: on import the list is the "
            f"sampled variables, then those the text uses ({listed})"
        )
    return out


def _provider(
    target: Target, number: int, options: ExportOptions, warnings: list[str]
) -> dict[str, Any]:
    provider = options.providers.get(target.provider)
    where = f"target {number} ({target.label})"
    if provider is None:
        warnings.append(
            f"{where}: provider {target.provider!r} is not configured here; written as an "
            "OpenAI-compatible server without a base URL"
        )
        provider = ProviderConfig(target.provider, "openai-compatible")
    anthropic = provider.kind == "anthropic"
    entry: dict[str, Any] = {
        "id": f"{'anthropic:messages' if anthropic else 'openai:chat'}:{target.model}",
        "label": target.label,
    }
    config: dict[str, Any] = {}
    if provider.base_url:
        config["apiBaseUrl"] = provider.base_url
    elif provider.kind == "openai-compatible" and target.provider in options.providers:
        warnings.append(f"{where}: provider {target.provider!r} has no base URL")
    if provider.key_env and not valid_env_name(provider.key_env):
        # Not echoed or written: what is there may be a key typed in the wrong field.
        warnings.append(f"{where}: the key variable of {target.provider!r} is not a variable name")
        provider = replace(provider, key_env=None)
    if provider.key_env and not anthropic:
        config["apiKeyEnvar"] = provider.key_env
    elif provider.key_env and provider.key_env != "ANTHROPIC_API_KEY":
        config["apiKey"] = f"{{{{ env.{provider.key_env} }}}}"  # a reference, never a key
    if provider.kind == "openai-compatible" and not provider.key_required:
        config["apiKeyRequired"] = False
    p = target.parameters
    for key, value in (("temperature", p.temperature), ("max_tokens", p.max_tokens)):
        if value is not None:
            config[key] = value
    if p.top_p is not None:
        config["top_p"] = p.top_p
    schema = target.schema
    if anthropic:
        if p.stop:
            config["extra_body"] = {"stop_sequences": list(p.stop)}
        if p.seed is not None:
            warnings.append(f"{where}: Anthropic has no seed, so seed {p.seed} is not written")
        if schema is not None:
            config["tools"] = [
                {
                    "name": RESPOND,
                    "description": "Give the answer, as JSON that follows this schema.",
                    "input_schema": schema,
                }
            ]
            config["tool_choice"] = {"type": "tool", "name": RESPOND}
    else:
        if p.stop:
            config["stop"] = list(p.stop)
        if p.seed is not None:
            config["seed"] = p.seed
        if schema is not None:
            config["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "response",
                    "schema": schema,
                    "strict": strict_compatible(schema),
                },
            }
    if config:
        entry["config"] = config
    return entry


def template_warnings(doc: PromptDocument) -> list[str]:
    """Jinja2 constructs in the exported text that Nunjucks, promptfoo's engine, reads otherwise."""
    out: list[str] = []
    for f in templates.template_fields(doc):
        try:
            tree = ENV.parse(f.source)
        except (TemplateSyntaxError, RecursionError, MemoryError, ValueError):
            continue  # not a template the app can run either; nothing Nunjucks-specific to say
        found: dict[str, None] = {}
        for flt in tree.find_all(nodes.Filter):
            if flt.name not in _NUNJUCKS_FILTERS:
                found[f"the filter '{flt.name}', which Nunjucks does not have"] = None
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Getattr):
                found[
                    f"the method call .{call.node.attr}(): Nunjucks runs on JavaScript, "
                    "where Python's methods do not exist"
                ] = None
            elif isinstance(call.node, nodes.Name) and call.node.name in _JINJA_ONLY_GLOBALS:
                found[f"{call.node.name}(), which Nunjucks does not have"] = None
        for mod in tree.find_all(nodes.Mod):
            if isinstance(mod.left, nodes.Const) and isinstance(mod.left.value, str):
                found["'%' formatting of text: in Nunjucks '%' is only a remainder"] = None
        out += [f"{f.label} uses {what}" for what in found]
    return out
