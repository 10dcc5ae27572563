"""Reading ``.prompty`` files, version 2 and version 1, into a document.

:func:`read` takes the front matter and the body apart. The body is cut
into messages at role lines, the way Prompty's own parser cuts it (the rule
is :data:`~playground.export.prompty_common.ROLE_LINE`): text before the
first marker is system text, ``developer`` is read as system, and system
messages are joined into the one system prompt. The first user/assistant
pairs become the enabled n-shot examples that ``metadata.playground``
lists; the other turns are the messages.

The front matter may be version 2 (``model {id, provider, apiType,
connection, options}``, ``inputSchema``) or version 1 (``model.api``,
``configuration``, ``parameters``, ``inputs``, ``sample``, a top-level
``tags``), in any mix. Keys and endpoints are never imported: a key
written into the file (not an ``${env:VAR}`` reference), or an endpoint
other than a built-in provider's own, is a warning that says what to set
in Settings instead. Whatever else the app cannot hold (an unknown field,
an attribute on a role marker, a non-text input) is a warning with its
file line; a value of the wrong type or range is a :class:`FormatError`
at its line, and so is a file over the size limit or a binary one. The
result passes the same checks as a native file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from playground.core import document, templates
from playground.core.document import Example, Message, PromptDocument, Target, Variable
from playground.core.errors import DocumentError
from playground.core.provider_config import BUILTIN_PROVIDERS
from playground.export.base import MAX_IMPORT_BYTES, FormatError, ImportResult, ImportSource
from playground.export.prompty_common import PLAYGROUND_VERSION, ROLE_LINE, connection
from playground.export.yamlio import load_yaml, split_front_matter

__all__ = ["FrontMatter", "builtin_endpoint", "read", "read_front"]


def read(source: ImportSource) -> list[ImportResult]:
    text = source.text
    if len(text) > MAX_IMPORT_BYTES or len(text.encode("utf-8", "replace")) > MAX_IMPORT_BYTES:
        raise FormatError(source.source, f"prompt files are limited to {MAX_IMPORT_BYTES:,} bytes")
    if "\x00" in text:
        raise FormatError(source.source, "is a binary file, not a prompt file")
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    front_text, body, body_line = "", text, 1
    if lines and lines[0].rstrip() == "---":
        front_text, body, body_line = split_front_matter(text, source.source)
    front = read_front(source, front_text)
    doc, warnings = _assemble(source, front, body, body_line)
    try:  # the same checks as a native file: every imported document is a valid one
        document.from_dict(document.to_dict(doc))
    except DocumentError as exc:
        raise FormatError(source.source, f"{exc.path or 'the file'}: {exc.reason}") from None
    return [ImportResult(document=doc, source=source.source, warnings=tuple(warnings))]


def _sections(body: str, first_line: int) -> list[tuple[str, str, int, bool]]:
    """``(role, content, file line of the content's first line, had attributes)``."""
    out: list[tuple[str, str, int, bool]] = []
    role, attrs, start = "system", False, first_line
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            lead = next((i for i, text in enumerate(buffer) if text), 0)  # blank lines dropped
            out.append((role, "\n".join(buffer).strip("\n"), start + lead, attrs))

    for n, line in enumerate(body.splitlines()):
        match = ROLE_LINE.fullmatch(line.strip())
        if match:
            flush()
            buffer = []
            role, attrs, start = (
                match.group(1).lower(),
                match.group(2) is not None,
                first_line + n + 1,
            )
        else:
            buffer.append(line)
    flush()
    return out


def _assemble(
    source: ImportSource, front: FrontMatter, body: str, body_line: int
) -> tuple[PromptDocument, list[str]]:
    warnings = front.warnings
    system_parts: list[str] = []
    lines: dict[str, int] = {}
    turns: list[tuple[str, str, int]] = []
    for role, content, line, attrs in _sections(body, body_line):
        if attrs:
            warnings.append(f"line {line - 1}: ignored: the attributes of the {role} marker")
        if role in ("system", "developer"):
            if role == "developer":
                warnings.append(f"line {line - 1}: a developer message was read as system text")
            if turns:
                warnings.append(
                    f"line {line - 1}: a system message after the conversation started was "
                    "added to the system prompt, which comes first"
                )
            if system_parts and content:
                warnings.append(f"line {line - 1}: system messages were joined into one")
            if content or not system_parts:
                lines.setdefault("system", line)
                system_parts.append(content)
        else:
            turns.append((role, content, line))
    system = "\n\n".join(p for p in system_parts if p)

    entries = front.examples
    enabled = sum(1 for e in entries if e.enabled)
    pairs_ok = len(turns) >= 2 * enabled and all(
        turns[2 * k][0] == "user" and turns[2 * k + 1][0] == "assistant" for k in range(enabled)
    )
    if not pairs_ok:
        warnings.append(
            f"metadata.playground.examples lists {enabled} enabled examples, but the body does "
            f"not start with {enabled} user/assistant pairs; its turns were read as messages"
        )
        entries = [e for e in entries if not e.enabled]
        enabled = 0
    examples: list[Example] = []
    next_turn = 0
    for entry in entries:
        if entry.enabled:
            (_, given, in_line), (_, answer, out_line) = turns[next_turn], turns[next_turn + 1]
            next_turn += 2
            lines[f"example {len(examples) + 1} input"] = in_line
            lines[f"example {len(examples) + 1} output"] = out_line
            examples.append(Example(given, answer, True, entry.note))
        else:
            examples.append(Example(entry.input, entry.output, False, entry.note))
    messages: list[Message] = []
    for role, content, line in turns[2 * enabled :]:
        lines[f"message {len(messages) + 1}"] = line
        messages.append(Message("user" if role == "user" else "assistant", content))

    name = front.name if front.name is not None else source.name
    doc = PromptDocument(
        name=name,
        description=front.description,
        tags=front.tags,
        system=system,
        messages=tuple(messages),
        examples=tuple(examples),
        variables=front.variables,
        targets=front.targets,
    )
    warnings.extend(_syntax_warnings(doc, lines))
    return doc, warnings


def _syntax_warnings(doc: PromptDocument, lines: dict[str, int]) -> list[str]:
    """Template problems at their line in the file; the text is kept for the editor."""
    out: list[str] = []
    for problem in templates.check(doc):
        start = lines.get(problem.field)
        where = f"line {start + problem.line - 1}" if start is not None else problem.field
        out.append(f"{where}: template ({problem.field}): {problem.message}")
    return out


_BUILTIN = {p.name: p for p in BUILTIN_PROVIDERS}


def builtin_endpoint(provider: str) -> str | None:
    """The endpoint an export writes for a built-in provider (``None``: none)."""
    config = _BUILTIN.get(provider)
    return None if config is None else connection(config).get("endpoint")


# ---------------------------------------------------------------- front matter

_TOP_KEYS = frozenset(
    {"name", "description", "metadata", "model", "inputSchema", "inputs", "template", "sample"}
    | {"authors", "tags", "version"}  # version 1 kept these at the top
)
_ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")
_FILE_REF = re.compile(r"\$\{file:([^}]+)\}")
_AZURE = frozenset({"azure", "azure_openai", "foundry"})


@dataclass
class _ExampleEntry:
    enabled: bool
    note: str = ""
    input: str = ""
    output: str = ""


@dataclass
class FrontMatter:
    """What the front matter says, already checked; ``name`` ``None`` when it has none."""

    name: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    variables: tuple[Variable, ...] = ()
    targets: tuple[Target, ...] = ()
    examples: list[_ExampleEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Path = tuple[str | int, ...]


class _Front:
    """Checked access to the parsed front matter, naming each problem's path and line."""

    def __init__(self, source: ImportSource, text: str) -> None:
        self.source = source
        self.yaml_text = text
        self.warnings: list[str] = []
        self._root: yaml.Node | None = None
        self._composed = False

    def line(self, path: Path) -> int | None:
        if not self._composed:
            self._composed = True
            try:  # nodes only, nothing constructed: safe, and already known to parse
                self._root = yaml.compose(self.yaml_text, Loader=yaml.SafeLoader)
            except (yaml.YAMLError, RecursionError):
                self._root = None
        node, found = self._root, None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                pair = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if pair is None:
                    break
                found, node = pair[0].start_mark.line, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                found = node.start_mark.line
            else:
                break
        return None if found is None else found + 2  # the front matter starts on line 2

    @staticmethod
    def dotted(path: Path) -> str:
        out = ""
        for part in path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out

    def fail(self, path: Path, message: str) -> FormatError:
        return FormatError(self.source.source, f"{self.dotted(path)}: {message}", self.line(path))

    def warn(self, path: Path, message: str) -> None:
        line = self.line(path)
        self.warnings.append(f"{'' if line is None else f'line {line}: '}{message}")

    def ignore(self, path: Path, why: str = "") -> None:
        self.warn(path, f"ignored: {self.dotted(path)}{why}")

    def text(self, value: Any, path: Path) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be text, not {_kind(value)} (put it in quotes)")
        return value

    def mapping(self, value: Any, path: Path) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping of fields, not {_kind(value)}")
        return value

    def listing(self, value: Any, path: Path) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list, not {_kind(value)}")
        return value

    def number(self, value: Any, path: Path, lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise self.fail(path, "must be a number")
        if not lo <= value <= hi:
            raise self.fail(path, f"must be between {lo:g} and {hi:g}")
        return float(value) + 0.0

    def whole(self, value: Any, path: Path, lo: int | None) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "must be a whole number")
        if lo is not None and value < lo:
            raise self.fail(path, f"must be at least {lo}")
        return value

    def known(self, data: dict[Any, Any], path: Path, keys: frozenset[str] | set[str]) -> None:
        for key in data:
            if key not in keys:
                self.ignore((*path, str(key)))


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else type(value).__name__


def read_front(source: ImportSource, text: str) -> FrontMatter:
    data = load_yaml(text, source.source, first_line=2) if text.strip() else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FormatError(source.source, "the front matter must be YAML fields (name: ...)", 2)
    f = _Front(source, text)
    out = FrontMatter(warnings=f.warnings)
    f.known(data, (), _TOP_KEYS)
    if data.get("name") is not None:
        out.name = f.text(data["name"], ("name",))
    if data.get("description") is not None:
        out.description = f.text(data["description"], ("description",))
    metadata = f.mapping(data.get("metadata") or {}, ("metadata",))
    f.known(metadata, ("metadata",), {"tags", "playground"})
    tags_path: Path = ("metadata", "tags") if "tags" in metadata else ("tags",)
    tags = metadata.get("tags", data.get("tags"))
    if tags is not None:
        out.tags = tuple(
            f.text(t, (*tags_path, i)) for i, t in enumerate(f.listing(tags, tags_path))
        )
    for legacy in ("authors", "version"):
        if legacy in data:
            f.ignore((legacy,))
    playground = _playground(f, metadata.get("playground"))
    out.examples = playground.examples
    first = _read_model(f, data.get("model"), playground)
    out.targets = ((first,) if first is not None else ()) + playground.targets
    out.variables = _variables(f, data)
    if data.get("template") is not None:
        _check_template(f, data["template"])
    return out


@dataclass
class _Playground:
    provider: tuple[str, str] | None = None  # (the app's name, the name the file uses)
    json_schema: str | None = None
    examples: list[_ExampleEntry] = field(default_factory=list)
    targets: tuple[Target, ...] = ()


def _playground(f: _Front, value: Any) -> _Playground:
    out = _Playground()
    if value is None:
        return out
    base: Path = ("metadata", "playground")
    block = f.mapping(value, base)
    f.known(block, base, {"schemaVersion", "provider", "jsonSchema", "examples", "targets"})
    version = f.whole(block.get("schemaVersion", 1), (*base, "schemaVersion"), 1)
    if version > PLAYGROUND_VERSION:
        raise f.fail(
            (*base, "schemaVersion"),
            f"was written by a newer Prompt Playground (version {version}); upgrade to import it",
        )
    if block.get("provider") is not None:
        p = f.mapping(block["provider"], (*base, "provider"))
        f.known(p, (*base, "provider"), {"name", "fileProvider"})
        name = f.text(p.get("name"), (*base, "provider", "name"))
        written = f.text(p.get("fileProvider"), (*base, "provider", "fileProvider"))
        out.provider = (name, written)
    if block.get("jsonSchema") is not None:
        schema = f.mapping(block["jsonSchema"], (*base, "jsonSchema"))
        out.json_schema = _schema_text(f, schema, (*base, "jsonSchema"))
    for i, item in enumerate(f.listing(block.get("examples") or [], (*base, "examples"))):
        where: Path = (*base, "examples", i)
        entry = f.mapping(item, where)
        f.known(entry, where, {"enabled", "note", "input", "output"})
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise f.fail((*where, "enabled"), "must be true or false")
        texts = {k: f.text(entry.get(k, ""), (*where, k)) for k in ("note", "input", "output")}
        if enabled and (texts["input"] or texts["output"]):
            f.warn(
                where,
                f"ignored: {f.dotted(where)} input/output: an enabled example's "
                "text is its turns in the body",
            )
        out.examples.append(_ExampleEntry(enabled, texts["note"], texts["input"], texts["output"]))
    if block.get("targets") is not None:
        where = (*base, "targets")
        try:
            native = document.from_dict({"name": "", "targets": f.listing(block["targets"], where)})
        except DocumentError as exc:
            raise FormatError(
                f.source.source, f"{f.dotted(where)}{exc.path}: {exc.reason}", f.line(where)
            ) from None
        out.targets = native.targets
    return out


def _schema_text(f: _Front, schema: dict[Any, Any], path: Path) -> str:
    try:
        checked = document.from_dict(
            {"name": "", "targets": [{"provider": "p", "model": "m", "jsonSchema": schema}]}
        )
    except (DocumentError, TypeError, ValueError):
        raise f.fail(path, "must be a JSON schema (JSON data only)") from None
    text = checked.targets[0].json_schema_text
    assert text is not None
    return text


_MODEL_KEYS = frozenset(
    {"id", "provider", "apiType", "connection", "options"} | {"api", "configuration", "parameters"}
)
_OPTION_NAMES = {  # version 2 name, or version 1 name -> version 2 name
    "temperature": "temperature",
    "maxOutputTokens": "maxOutputTokens",
    "max_tokens": "maxOutputTokens",
    "topP": "topP",
    "top_p": "topP",
    "stopSequences": "stopSequences",
    "stop": "stopSequences",
    "seed": "seed",
}


@dataclass
class _Connection:
    endpoint: str | None = None
    key: str | None = None
    key_path: Path = ()


def _read_model(f: _Front, value: Any, playground: _Playground) -> Target | None:
    if value is None:
        return None
    path: Path = ("model",)
    model = {"id": value} if isinstance(value, str) else f.mapping(value, path)
    f.known(model, path, _MODEL_KEYS)
    api_key: Path = (*path, "apiType" if "apiType" in model else "api")
    api = model.get("apiType", model.get("api"))
    if api is not None and api != "chat":
        f.warn(api_key, f"{f.dotted(api_key)} {api!r}: this app runs chat prompts; read as chat")
    model_id = f.text(model["id"], (*path, "id")) if model.get("id") is not None else None
    provider = f.text(model["provider"], (*path, "provider")) if model.get("provider") else None
    conn = _Connection()
    if model.get("connection") is not None:
        _read_connection(f, model["connection"], (*path, "connection"), conn)
    if model.get("configuration") is not None:
        v1_provider, v1_id = _read_configuration(f, model["configuration"], conn)
        provider, model_id = provider or v1_provider, model_id or v1_id
    schema = playground.json_schema
    params = document.Parameters()
    for key in ("options", "parameters"):
        if model.get(key) is not None:
            params, v1_schema = _read_options(f, model[key], (*path, key))
            schema = schema or v1_schema
    if model_id is None:
        f.warn(path, "model has no id, so no target was imported")
        return None
    if not model_id.strip():
        raise f.fail((*path, "id"), "must not be empty")
    app = _app_provider(f, provider, playground)
    if conn.key is not None and not _ENV_REF.fullmatch(conn.key):
        f.warn(
            conn.key_path,
            f"{f.dotted(conn.key_path)} holds a key written into the file; it "
            "was not imported (keys come from the keyring or an environment variable)",
        )
    if conn.endpoint is not None and conn.endpoint != builtin_endpoint(app):
        match = _ENV_REF.fullmatch(conn.endpoint)
        shown = conn.endpoint
        if match and match.group(2):
            shown = f"{match.group(2)} (or ${match.group(1)})"
        elif match:
            shown = f"the value of ${match.group(1)}"
        f.warn(
            (*path, "connection"),
            f"the document keeps no endpoint: to run it, set the base URL of provider "
            f"'{app}' to {shown} in Settings",
        )
    return Target(provider=app, model=model_id, parameters=params, json_schema_text=schema)


def _app_provider(f: _Front, provider: str | None, playground: _Playground) -> str:
    path: Path = ("model", "provider")
    if provider is None:
        f.warn(("model",), "model.provider is not given; assumed openai")
        provider = "openai"
    if ":" in provider or not provider.strip():
        raise f.fail(path, "must be a provider name without ':'")
    if playground.provider is not None:
        name, written = playground.provider
        if written == provider and name.strip() and ":" not in name:
            return name
        f.warn(
            ("metadata", "playground", "provider"),
            f"ignored: metadata.playground.provider "
            f"names '{name}' for '{written}', but model.provider is '{provider}'",
        )
    if provider in _AZURE:
        f.warn(
            path,
            f"model.provider '{provider}': this app has no Azure provider; the target "
            f"uses a provider named '{provider}': add an openai-compatible provider of that "
            "name with the deployment's endpoint in Settings",
        )
    elif provider not in _BUILTIN:
        f.warn(
            path,
            f"model.provider '{provider}' is not a built-in provider: add a provider "
            "of that name in Settings to run it",
        )
    return provider


def _read_connection(f: _Front, value: Any, path: Path, conn: _Connection) -> None:
    if isinstance(value, str):  # version 1 named a stored connection
        f.ignore(path, " (a named connection; its name is not shown, it may be a secret)")
        return
    connection = f.mapping(value, path)
    f.known(connection, path, {"kind", "endpoint", "apiKey"})
    kind = connection.get("kind", "key")
    if kind != "key":
        f.warn((*path, "kind"), f"ignored: {f.dotted(path)} of kind {kind!r}")
    if connection.get("endpoint") is not None:
        conn.endpoint = f.text(connection["endpoint"], (*path, "endpoint"))
    if connection.get("apiKey") is not None:
        conn.key, conn.key_path = f.text(connection["apiKey"], (*path, "apiKey")), (*path, "apiKey")


def _read_configuration(f: _Front, value: Any, conn: _Connection) -> tuple[str | None, str | None]:
    """Version 1 ``model.configuration``: (provider, model id)."""
    path: Path = ("model", "configuration")
    config = f.mapping(value, path)
    known = {"type", "azure_deployment", "name", "model", "azure_endpoint", "base_url", "api_key"}
    f.known(config, path, known)
    kind = config.get("type")
    provider = None
    if kind is not None:
        kind = f.text(kind, (*path, "type"))
        provider = {"azure_openai": "azure", "openai": "openai"}.get(kind, kind)
    model_id = None
    for key in ("azure_deployment", "name", "model"):
        if config.get(key) is not None:
            model_id = f.text(config[key], (*path, key))
            break
    for key in ("azure_endpoint", "base_url"):
        if config.get(key) is not None:
            conn.endpoint = f.text(config[key], (*path, key))
    if config.get("api_key") is not None:
        conn.key, conn.key_path = f.text(config["api_key"], (*path, "api_key")), (*path, "api_key")
    return provider, model_id


def _read_options(f: _Front, value: Any, path: Path) -> tuple[document.Parameters, str | None]:
    options = f.mapping(value, path)
    f.known(options, path, set(_OPTION_NAMES) | {"response_format"})
    got: dict[str, Any] = {}
    for key, item in options.items():
        name = _OPTION_NAMES.get(str(key))
        if name is None or item is None:
            continue
        where: Path = (*path, str(key))
        if name == "temperature":
            got[name] = f.number(item, where, 0.0, 2.0)
        elif name == "topP":
            got[name] = f.number(item, where, 0.0, 1.0)
        elif name == "maxOutputTokens":
            got[name] = f.whole(item, where, 1)
        elif name == "seed":
            got[name] = f.whole(item, where, None)
        else:
            stops = [item] if isinstance(item, str) else f.listing(item, where)
            got[name] = tuple(f.text(s, (*where, i)) for i, s in enumerate(stops))
    schema = None
    if options.get("response_format") is not None:
        schema = _response_format(f, options["response_format"], (*path, "response_format"))
    params = document.Parameters(
        temperature=got.get("temperature"),
        max_tokens=got.get("maxOutputTokens"),
        top_p=got.get("topP"),
        stop=got.get("stopSequences", ()),
        seed=got.get("seed"),
    )
    return params, schema


def _response_format(f: _Front, value: Any, path: Path) -> str | None:
    """Version 1 ``response_format``: a JSON schema becomes the target's; the rest is noted."""
    if isinstance(value, dict) and value.get("type") == "json_schema":
        inner = value.get("json_schema")
        if isinstance(inner, dict) and isinstance(inner.get("schema"), dict):
            return _schema_text(f, inner["schema"], (*path, "json_schema", "schema"))
    f.ignore(path, " (only a json_schema response format is carried)")
    return None


_PROPERTY_KEYS = frozenset({"name", "kind", "type", "description", "default", "sample", "required"})


def _variables(f: _Front, data: dict[Any, Any]) -> tuple[Variable, ...]:
    found: dict[str, Variable] = {}
    specs: list[tuple[Path, Any, Any]] = []  # (path, name or None, spec)
    if data.get("inputSchema") is not None:
        base: Path = ("inputSchema",)
        if isinstance(data["inputSchema"], str):
            f.ignore(base, " (a schema in another file)")
        else:
            schema = f.mapping(data["inputSchema"], base)
            f.known(schema, base, {"properties"})
            props = schema.get("properties") or []
            if isinstance(props, dict):
                specs += [((*base, "properties", str(k)), k, v) for k, v in props.items()]
            else:
                props_path: Path = (*base, "properties")
                specs += [
                    ((*props_path, i), None, p) for i, p in enumerate(f.listing(props, props_path))
                ]
    inputs = data.get("inputs")
    if isinstance(inputs, dict):  # version 1: name -> spec, or name -> sample
        specs += [(("inputs", str(k)), k, v) for k, v in inputs.items()]
    elif inputs is not None:
        specs += [(("inputs", i), None, p) for i, p in enumerate(f.listing(inputs, ("inputs",)))]
    for path, key, spec in specs:
        if isinstance(spec, dict):
            f.known(spec, path, _PROPERTY_KEYS)
            name = key if key is not None else spec.get("name")
            kind = spec.get("kind", spec.get("type", "string"))
            default = spec.get("default", spec.get("sample"))
            description = spec.get("description")
            description = "" if description is None else f.text(description, (*path, "description"))
        else:
            name, kind, default, description = key, "string", spec, ""
        name = f.text(name, (*path, "name") if key is None else path)
        if kind != "string":
            f.warn(path, f"input {name!r} is of kind {kind!r}; this app's variables are text")
        sample = None if default is None else _as_text(f, default, path, name)
        _add_variable(f, found, path, Variable(name, sample, description))
    if data.get("sample") is not None:
        for name, value, path in _samples(f, data["sample"]):
            old = found.get(name)
            sample = None if value is None else _as_text(f, value, path, name)
            if old is None:
                _add_variable(f, found, path, Variable(name, sample))
            else:
                found[name] = replace(old, sample=sample)
    return tuple(found.values())


def _add_variable(f: _Front, found: dict[str, Variable], path: Path, var: Variable) -> None:
    if var.name in found:
        f.warn(path, f"ignored: input {var.name!r} is declared twice")
        return
    try:  # the native format's own rules for a variable name
        document.from_dict({"name": "", "variables": [{"name": var.name}]})
    except DocumentError as exc:
        f.warn(path, f"ignored: input {var.name!r}: {exc.reason}")
        return
    found[var.name] = var


def _as_text(f: _Front, value: Any, path: Path, name: str) -> str:
    """A sample as the text the app keeps; Jinja prints numbers and dates the same way."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        f.warn(path, f"the sample of {name!r} is a {_kind(value)[2:]}; kept as JSON text")
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _samples(f: _Front, value: Any) -> list[tuple[str, Any, Path]]:
    """Version 1 ``sample``: a mapping, or a reference to a JSON or YAML file beside this one."""
    path: Path = ("sample",)
    if isinstance(value, str):
        match = _FILE_REF.fullmatch(value.strip())
        ref = match.group(1) if match else value.strip()
        if f.source.sibling is None:
            f.warn(
                path,
                f"ignored: sample refers to the file {ref!r}, which cannot be read "
                "here; import the .prompty from its folder",
            )
            return []
        try:
            other = f.source.sibling(ref)
            if other.source.endswith((".yaml", ".yml")):
                loaded = load_yaml(other.text, other.source)
            else:
                loaded = document.parse_json(other.text)
        except FormatError as exc:
            f.warn(path, f"ignored: sample: {exc}")
            return []
        except DocumentError as exc:
            f.warn(path, f"ignored: sample: {ref}: {exc.reason}")
            return []
        if not isinstance(loaded, dict):
            f.warn(path, f"ignored: sample: {ref} does not hold a mapping of input values")
            return []
        return [(str(k), v, path) for k, v in loaded.items()]
    return [(str(k), v, (*path, str(k))) for k, v in f.mapping(value, path).items()]


def _check_template(f: _Front, value: Any) -> None:
    path: Path = ("template",)
    if isinstance(value, str):
        engine, parser = value, "prompty"
    else:
        template = f.mapping(value, path)
        f.known(template, path, {"format", "parser", "type"})
        engine = template.get("format", template.get("type", "jinja2"))
        parser = template.get("parser", "prompty")
        engine = engine.get("kind", "jinja2") if isinstance(engine, dict) else engine
        parser = parser.get("kind", "prompty") if isinstance(parser, dict) else parser
    if engine != "jinja2":
        f.warn(
            path,
            f"the body is a {engine!r} template; this app reads it as Jinja2, so "
            "check how its placeholders render",
        )
    if parser != "prompty":
        f.warn(
            path, f"the body uses the {parser!r} parser; it was read with Prompty's role markers"
        )
