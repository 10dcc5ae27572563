"""Code export: one prompt, one target, as a program that runs as it is.

Five targets, each written by one template in ``templates/``: Python with the
openai SDK (Chat Completions) or the anthropic SDK (Messages), TypeScript with
the ``openai`` or ``@anthropic-ai/sdk`` npm package, and a curl script for the
matching HTTP API. This module works out what the program must say (a
:class:`CodePlan`: endpoint, model, messages, parameters) and what it cannot
say (the warnings); the templates decide how it is written.

How the prompt's templates travel:

* ``variables="inline"``: the current values (or the samples) are written into
  the code. A variable with no value is a :class:`FormatError` naming it: code
  that runs must have every value, and the error says how to give one.
* ``variables="parameters"``: the code has a function that takes the variables,
  and its command line takes them as ``--name`` options (defaulting to the
  current values). curl has no functions, so it always inlines and says so.
* A prompt of text and bare ``{{ name }}`` outputs becomes plain string
  formatting. One with Jinja logic is rendered by jinja2 in Python (sandboxed,
  a missing variable an error, as in the app); in TypeScript the app renders it
  with the current values (inline) or the code uses nunjucks (parameters), and
  a warning says which.

Keys are read from environment variables only; base URLs from an environment
variable too, with the configured URL as the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import jinja2

from playground.core import templates
from playground.core.document import JSONValue, Parameters, PromptDocument, Target, content_hash
from playground.core.errors import MissingVariablesError, TemplateError
from playground.core.provider_config import ProviderConfig
from playground.core.request import RenderedRequest
from playground.export import code_support as cs
from playground.export.base import ExportFile, ExportOptions, ExportResult, FormatError
from playground.export.native import file_stem

__all__ = [
    "CodePlan",
    "export_curl",
    "export_python_anthropic",
    "export_python_openai",
    "export_ts_anthropic",
    "export_ts_openai",
]

Protocol = Literal["openai", "anthropic"]
Language = Literal["python", "typescript", "curl"]

_OFFICIAL_URL = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}
_FALLBACK_MODEL = {"openai": "gpt-4.1-mini", "anthropic": "claude-haiku-4-5"}
#: The Messages API version the curl script asks for: the one the SDKs send.
ANTHROPIC_VERSION = "2026-10-21"
_PYTHON_RESERVED = ("values", "render", "build_messages", "build_prompt", "main", "MODEL")
_TS_RESERVED = ("values", "render", "buildMessages", "buildPrompt", "main", "MODEL", "args")


@dataclass(frozen=True)
class Endpoint:
    """Where the code sends its request and how it finds the key."""

    provider: str
    base_url_env: str
    base_url: str
    key_env: str
    key_required: bool
    compatible: bool  # an OpenAI-compatible server rather than OpenAI itself


@dataclass(frozen=True)
class Turn:
    """One message of the request: its role and what its text is made of."""

    role: str  # "system" | "user" | "assistant"
    label: str
    segments: tuple[cs.Segment, ...]

    @property
    def names(self) -> list[str]:
        return [n for s in self.segments if isinstance(s, cs.Plain) for n in s.names]


@dataclass(frozen=True)
class VariableSpec:
    """A variable as the code takes it: identifiers per language, default, required."""

    name: str
    py: str
    ts: str
    default: str | None
    required: bool
    description: str


@dataclass(frozen=True)
class CodePlan:
    """Everything a code template needs; built by :func:`plan`."""

    prompt: str
    digest: str
    stem: str
    protocol: Protocol
    endpoint: Endpoint
    model: str
    target_label: str
    stream: bool
    parameters_mode: bool
    engine: Literal["plain", "jinja", "nunjucks"]
    system: Turn | None
    turns: tuple[Turn, ...]
    variables: tuple[VariableSpec, ...]  # with inline values as their defaults
    params: tuple[tuple[str, JSONValue], ...]
    structured: bool
    max_tokens_defaulted: bool
    warnings: tuple[str, ...] = field(default=())

    @property
    def uses_values(self) -> bool:
        """Whether any message refers to variables (and so needs a ``values`` mapping)."""
        turns = (*((self.system,) if self.system else ()), *self.turns)
        return any(t.names or any(isinstance(s, cs.Jinja) for s in t.segments) for t in turns)

    @property
    def ts_names(self) -> dict[str, str]:
        """Each variable's TypeScript identifier, for template literals."""
        return {v.name: v.ts for v in self.variables}

    def body(self) -> dict[str, JSONValue]:
        """The JSON request body, for curl: every text already rendered."""
        messages: list[JSONValue] = []
        if self.protocol == "openai" and self.system is not None:
            messages.append({"role": "system", "content": _text(self.system)})
        messages += [{"role": t.role, "content": _text(t)} for t in self.turns]
        body: dict[str, JSONValue] = {"model": self.model}
        if self.protocol == "anthropic":
            body["max_tokens"] = dict(self.params)["max_tokens"]
            if self.system is not None:
                body["system"] = _text(self.system)
        body["messages"] = messages
        body.update((k, v) for k, v in self.params if k not in body)
        if self.stream:
            body["stream"] = True
        return body


def _text(turn: Turn) -> str:
    return "".join(s.text for s in turn.segments if isinstance(s, cs.Plain))


# ---------------------------------------------------------------- planning


def plan(
    doc: PromptDocument, options: ExportOptions, protocol: Protocol, language: Language
) -> CodePlan:
    """Work out the request ``doc`` makes for ``options.target``, and what cannot be said."""
    warnings: list[str] = []
    problems = _problems(doc)
    if problems:
        raise FormatError(doc.name, f"the prompt has template errors: {problems}")
    target = _target(doc, options, protocol, warnings)
    endpoint = _endpoint(target.provider, options.providers, protocol, warnings)
    inline = options.variables == "inline" or language == "curl"
    if language == "curl" and options.variables == "parameters":
        warnings.append(
            "curl has no functions to take parameters: the current variable values are "
            "written into the request instead"
        )
    rendered = _render(doc, options.values) if inline else None
    fields = templates.template_fields(doc)
    logic = any(not cs.is_plain(f.source) for f in fields)
    engine: Literal["plain", "jinja", "nunjucks"] = "plain"
    if language == "curl" or (logic and language == "typescript" and inline):
        slots = _rendered_slots(doc, rendered)
        if logic and language == "typescript":
            warnings.append(
                "the prompt uses Jinja logic, which TypeScript cannot run: it was rendered "
                "with the current values and the code holds the resulting text"
            )
    else:
        if logic:
            engine = "jinja" if language == "python" else "nunjucks"
            if engine == "nunjucks":
                warnings.append(
                    "the prompt uses Jinja logic: the TypeScript code renders it with nunjucks, "
                    "which follows Jinja closely but not exactly (no Python methods such as "
                    ".upper(); some filters differ); check the output"
                )
        slots = _template_slots(doc, jinja=logic)
    system, turns = _turns(slots, options, rendered)
    disabled = sum(1 for e in doc.examples if not e.enabled)
    if disabled:
        warnings.append(
            f"{disabled} disabled example{'s are' if disabled > 1 else ' is'} left out, as in a run"
        )
    if protocol == "anthropic" and not turns:
        warnings.append("the prompt has no messages, and Anthropic's API needs at least one")
    params, structured, defaulted = cs.request_params(
        target, protocol, warnings, compatible=endpoint.compatible
    )
    variables = _variables(doc, options)
    return CodePlan(
        prompt=doc.name,
        digest=content_hash(doc)[:12],
        stem=file_stem(doc, options),
        protocol=protocol,
        endpoint=endpoint,
        model=target.model,
        target_label=target.label,
        stream=options.stream,
        parameters_mode=not inline,
        engine=engine,
        system=system,
        turns=tuple(turns),
        variables=variables,
        params=params,
        structured=structured,
        max_tokens_defaulted=defaulted,
        warnings=tuple(warnings),
    )


def _problems(doc: PromptDocument) -> str:
    labels = {f.label for f in templates.template_fields(doc)}
    found = [p for p in templates.check(doc) if p.field in labels]
    return "; ".join(str(p) for p in found)


def _target(
    doc: PromptDocument, options: ExportOptions, protocol: Protocol, warnings: list[str]
) -> Target:
    if not doc.targets:
        provider = protocol
        config = options.providers.get(provider)
        listed = config.default_models if config else ()
        model = next(iter((*listed, *cs.curated_models(protocol))), _FALLBACK_MODEL[protocol])
        warnings.append(
            f"the prompt has no targets: the code uses {provider}:{model}; change MODEL to taste"
        )
        return Target(provider=provider, model=model, parameters=Parameters())
    if not 0 <= options.target < len(doc.targets):
        raise FormatError(
            doc.name,
            f"there is no target {options.target + 1}: the prompt has {len(doc.targets)}",
        )
    return doc.targets[options.target]


def _endpoint(
    name: str, providers: Mapping[str, ProviderConfig], protocol: Protocol, warnings: list[str]
) -> Endpoint:
    config = providers.get(name)
    if config is None:
        warnings.append(
            f"the provider {name!r} is not configured here: the code reads its URL from "
            f"{cs.env_name(name, 'BASE_URL')} (default {_OFFICIAL_URL[protocol]}) and its key "
            f"from {cs.env_name(name, 'API_KEY')}"
        )
        config = ProviderConfig(name, "anthropic" if protocol == "anthropic" else "openai")
    elif (config.kind == "anthropic") != (protocol == "anthropic"):
        spoken = "Anthropic" if config.kind == "anthropic" else "OpenAI"
        wanted = "Anthropic" if protocol == "anthropic" else "OpenAI"
        warnings.append(
            f"the target's provider {name!r} speaks the {spoken} protocol, but this code "
            f"uses the {wanted} API: it talks to {wanted} instead, with the same model id"
        )
        config = providers.get(protocol) or ProviderConfig(protocol, protocol)
    if config.key_env is not None and not cs.valid_env_name(config.key_env):
        warnings.append(
            # Not echoed: what is there may be a key typed in the wrong field.
            f"the key variable of {config.name!r} is not a valid "
            f"environment variable name: the code reads {cs.env_name(config.name, 'API_KEY')}"
        )
        config = replace(config, key_env=None)
    return Endpoint(
        provider=config.name,
        base_url_env=cs.env_name(config.name, "BASE_URL"),
        base_url=config.base_url or _OFFICIAL_URL[protocol],
        key_env=config.key_env or cs.env_name(config.name, "API_KEY"),
        key_required=config.key_required,
        compatible=config.kind == "openai-compatible",
    )


def _render(doc: PromptDocument, values: Mapping[str, str]) -> RenderedRequest:
    try:
        return templates.render(doc, values)
    except MissingVariablesError as exc:
        names = ", ".join(repr(n) for n in exc.names)
        noun = "variable" if len(exc.names) == 1 else "variables"
        raise FormatError(
            doc.name,
            f"the {noun} {names} {'has' if len(exc.names) == 1 else 'have'} no value to "
            "write into the code: give a value or a sample, or export with variables "
            "as parameters",
        ) from None
    except TemplateError as exc:
        raise FormatError(doc.name, str(exc)) from None


# A prompt's parts in request order: system, then (input, output) per enabled example,
# then (role, text) per message; each as segments.
_Slots = tuple[
    list[cs.Segment],
    list[tuple[list[cs.Segment], list[cs.Segment]]],
    list[tuple[str, list[cs.Segment]]],
]


def _template_slots(doc: PromptDocument, *, jinja: bool) -> _Slots:
    def seg(source: str) -> list[cs.Segment]:
        return cs.segments_for(source, jinja_for_variables=jinja)

    examples = [(seg(e.input), seg(e.output)) for e in doc.examples if e.enabled]
    return seg(doc.system), examples, [(m.role, seg(m.content)) for m in doc.messages]


def _rendered_slots(doc: PromptDocument, rendered: RenderedRequest | None) -> _Slots:
    assert rendered is not None  # inline exports always render first

    def text(t: str) -> list[cs.Segment]:
        return [cs.Plain(((False, t),))]

    count = sum(1 for e in doc.examples if e.enabled)
    turns = rendered.messages
    examples = [(text(turns[2 * i].content), text(turns[2 * i + 1].content)) for i in range(count)]
    rest: list[tuple[str, list[cs.Segment]]] = [
        (m.role, text(m.content)) for m in turns[2 * count :]
    ]
    return text(rendered.system), examples, rest


def _turns(
    slots: _Slots, options: ExportOptions, rendered: RenderedRequest | None
) -> tuple[Turn | None, list[Turn]]:
    system_segs, examples, messages = slots
    has_system = (
        bool(rendered.system)
        if rendered is not None
        else any(not (isinstance(s, cs.Plain) and not s.pieces) for s in system_segs)
    )
    turns: list[Turn] = []
    if options.examples == "flattened" and examples:
        parts: list[cs.Segment] = list(system_segs) if has_system else []
        parts.append(_literal(("\n\n" if has_system else "") + "Examples:\n"))
        for i, (given, wanted) in enumerate(examples):
            parts += [_literal("\n<example>\n<input>\n"), *given]
            parts += [_literal("\n</input>\n<output>\n"), *wanted]
            last = i == len(examples) - 1
            parts.append(_literal("\n</output>\n</example>" + ("" if last else "\n")))
        system_segs, has_system = parts, True
    else:
        for i, (given, wanted) in enumerate(examples, start=1):
            turns.append(Turn("user", f"example {i} input", tuple(cs.merge_segments(given))))
            turns.append(Turn("assistant", f"example {i} output", tuple(cs.merge_segments(wanted))))
    for i, (role, segs) in enumerate(messages, start=1):
        turns.append(Turn(role, f"message {i}", tuple(cs.merge_segments(segs))))
    system = Turn("system", "system", tuple(cs.merge_segments(system_segs))) if has_system else None
    return system, turns


def _literal(text: str) -> cs.Plain:
    return cs.Plain(((False, text),))


def _variables(doc: PromptDocument, options: ExportOptions) -> tuple[VariableSpec, ...]:
    names = templates.discover_variables(doc)
    defaults = templates.effective_values(doc, options.values)
    required = set(names)
    try:
        templates.render(doc, {}, use_samples=False)
        required = set()
    except MissingVariablesError as exc:
        required = set(exc.names)  # the rest are used only under "is defined"
    except TemplateError:
        pass  # the template fails without values some other way: take all as required
    py = cs.identifiers(names, reserved=_PYTHON_RESERVED, language="python")
    ts = cs.identifiers(names, reserved=_TS_RESERVED, language="typescript")
    described = {v.name: v.description for v in doc.variables}
    return tuple(
        VariableSpec(n, py[n], ts[n], defaults.get(n), n in required, described.get(n, ""))
        for n in names
    )


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class _Target:
    template: str
    suffix: str
    lexer: str
    protocol: Protocol
    language: Language


_TARGETS = {
    "python-openai": _Target("python_openai.py.j2", ".py", "python", "openai", "python"),
    "python-anthropic": _Target("python_anthropic.py.j2", ".py", "python", "anthropic", "python"),
    "ts-openai": _Target("ts_openai.ts.j2", ".ts", "typescript", "openai", "typescript"),
    "ts-anthropic": _Target("ts_anthropic.ts.j2", ".ts", "typescript", "anthropic", "typescript"),
    "curl-openai": _Target("curl.sh.j2", ".sh", "bash", "openai", "curl"),
    "curl-anthropic": _Target("curl.sh.j2", ".sh", "bash", "anthropic", "curl"),
}


def _environment() -> jinja2.Environment:
    # Our own templates, so not sandboxed; user text reaches them only as data,
    # through the literal filters.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("playground.export", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        py=cs.py_value,
        py_format=cs.py_format,
        ts=cs.ts_value,
        ts_key=cs.ts_key,
        ts_template=cs.ts_template,
        json=cs.json_value,
        sh=cs.sh_quote,
        comment=cs.comment_text,
    )
    env.filters["block"] = _block
    env.tests.update(plain=lambda s: isinstance(s, cs.Plain))
    return env


#: Marks the line of a block that came out empty, so that it leaves no blank line.
_EMPTY_BLOCK = "\x00empty block"


def _block(text: str) -> str:
    """A macro's lines as one block for a line of its own; nothing at all when empty.

    A macro's output ends with its last line break, and the line that calls it adds
    one more; an empty block would leave a blank line. The marker is removed after
    rendering, and cannot come from user text, whose control characters are escaped.
    """
    text = str(text).rstrip("\n")
    return text if text.strip() else _EMPTY_BLOCK


_ENV = _environment()


def _export(name: str, doc: PromptDocument, options: ExportOptions) -> ExportResult:
    spec = _TARGETS[name]
    code = plan(doc, options, spec.protocol, spec.language)
    text = _ENV.get_template(spec.template).render(plan=code, anthropic_version=ANTHROPIC_VERSION)
    text = text.replace(_EMPTY_BLOCK + "\n", "")
    file = ExportFile(f"{code.stem}{spec.suffix}", text, spec.lexer)
    return ExportResult(files=(file,), warnings=code.warnings)


def export_python_openai(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    """A Python script using the openai SDK's Chat Completions."""
    return _export("python-openai", doc, options)


def export_python_anthropic(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    """A Python script using the anthropic SDK's Messages API."""
    return _export("python-anthropic", doc, options)


def export_ts_openai(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    """A TypeScript program using the ``openai`` npm package."""
    return _export("ts-openai", doc, options)


def export_ts_anthropic(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    """A TypeScript program using the ``@anthropic-ai/sdk`` npm package."""
    return _export("ts-anthropic", doc, options)


def export_curl(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    """A bash script with one curl call to the target's HTTP API (Chat Completions or Messages)."""
    return _export(f"curl-{_curl_protocol(doc, options)}", doc, options)


def _curl_protocol(doc: PromptDocument, options: ExportOptions) -> Protocol:
    """curl speaks whatever protocol the target's provider speaks."""
    if not doc.targets or not 0 <= options.target < len(doc.targets):
        return "openai"
    target = doc.targets[options.target]
    config = options.providers.get(target.provider)
    if config is None:  # not configured: go by the names (the plan warns either way)
        named = target.provider.startswith("anthropic") or target.model.startswith("claude")
        return "anthropic" if named else "openai"
    return "anthropic" if config.kind == "anthropic" else "openai"
