"""The prompt document: what a user edits, versions, runs and exports.

A :class:`PromptDocument` is an immutable value. Editing produces a new
document (``dataclasses.replace``), which keeps versions honest and lets the
content hash identify identical content.

The native JSON form is documented field by field in ``docs/prompt-format.md``.
:func:`to_json` writes the canonical form (sorted keys, no insignificant
white space, every field present), so that the same content always gives
the same bytes and the same :func:`content_hash`. :func:`from_json` and
:func:`from_dict` accept hand-written files too: optional fields may be
left out, and every problem is reported as a :class:`DocumentError` naming
the field.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, cast

from playground.core.errors import DocumentError

__all__ = [
    "SCHEMA_VERSION",
    "Example",
    "JSONValue",
    "Message",
    "Parameters",
    "PromptDocument",
    "Role",
    "Target",
    "Variable",
    "canonical_json",
    "content_hash",
    "from_dict",
    "from_json",
    "parse_json",
    "to_dict",
    "to_json",
]

#: Version of the native JSON format. Bump it only with a reader for the old one.
SCHEMA_VERSION = 1

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
Role = Literal["user", "assistant"]
ROLES: tuple[Role, ...] = ("user", "assistant")


@dataclass(frozen=True)
class Message:
    """One conversation turn; ``content`` is a template."""

    role: Role
    content: str


@dataclass(frozen=True)
class Example:
    """An n-shot example: ``input`` becomes a user turn, ``output`` an assistant turn."""

    input: str
    output: str
    enabled: bool = True
    note: str = ""


@dataclass(frozen=True)
class Variable:
    """What the user has said about a template variable.

    Variables are discovered from the text (see ``templates.discover_variables``);
    this records a description and a sample value, which is the default used
    when a run is given no value. ``sample=None`` means there is no default.
    """

    name: str
    sample: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Parameters:
    """Sampling parameters; ``None`` means "the provider's default"."""

    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None


@dataclass(frozen=True)
class Target:
    """A model to run the prompt against.

    ``json_schema`` asks for structured output: when set, outputs are
    validated against it. It is stored as canonical JSON text so the
    document stays hashable and immutable; use :attr:`schema` to read it.
    """

    provider: str
    model: str
    parameters: Parameters = field(default_factory=Parameters)
    json_schema_text: str | None = None

    @property
    def schema(self) -> dict[str, JSONValue] | None:
        if self.json_schema_text is None:
            return None
        return cast("dict[str, JSONValue]", json.loads(self.json_schema_text))

    @staticmethod
    def schema_text(schema: Mapping[str, Any] | None) -> str | None:
        """Canonical text for a JSON schema, for building a :class:`Target`."""
        return None if schema is None else canonical_json(dict(schema))

    @property
    def label(self) -> str:
        """``provider:model``, the form the CLI accepts."""
        return f"{self.provider}:{self.model}"


@dataclass(frozen=True)
class PromptDocument:
    """A whole prompt: text templates plus what to run them on."""

    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    system: str = ""
    messages: tuple[Message, ...] = ()
    examples: tuple[Example, ...] = ()
    variables: tuple[Variable, ...] = ()
    targets: tuple[Target, ...] = ()

    def variable(self, name: str) -> Variable | None:
        """The declared variable called ``name``, if any."""
        return next((v for v in self.variables if v.name == name), None)


# ---------------------------------------------------------------- writing


def canonical_json(value: JSONValue) -> str:
    """JSON text with sorted keys and no spaces: equal values, equal bytes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def to_dict(doc: PromptDocument) -> dict[str, JSONValue]:
    """The native JSON object for ``doc``, every field present."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "name": doc.name,
        "description": doc.description,
        "tags": list(doc.tags),
        "system": doc.system,
        "messages": [{"role": m.role, "content": m.content} for m in doc.messages],
        "examples": [
            {"input": e.input, "output": e.output, "enabled": e.enabled, "note": e.note}
            for e in doc.examples
        ],
        "variables": [
            {"name": v.name, "sample": v.sample, "description": v.description}
            for v in doc.variables
        ],
        "targets": [_target_to_dict(t) for t in doc.targets],
    }


def _target_to_dict(target: Target) -> dict[str, JSONValue]:
    p = target.parameters
    return {
        "provider": target.provider,
        "model": target.model,
        "parameters": {
            "temperature": _canonical_float(p.temperature),
            "maxTokens": p.max_tokens,
            "topP": _canonical_float(p.top_p),
            "stop": list(p.stop),
            "seed": p.seed,
        },
        "jsonSchema": target.schema,
    }


def _canonical_float(value: float | None) -> float | None:
    # Equal numbers must write equal text: 1 and 1.0, and -0.0 and 0.0, are one value.
    return None if value is None else float(value) + 0.0


def to_json(doc: PromptDocument, *, indent: int | None = None) -> str:
    """Canonical JSON (``indent=None``) or a pretty form for files people read."""
    if indent is None:
        return canonical_json(to_dict(doc))
    return (
        json.dumps(to_dict(doc), sort_keys=True, indent=indent, ensure_ascii=False, allow_nan=False)
        + "\n"
    )


def content_hash(doc: PromptDocument) -> str:
    """sha256 (hex) of the canonical JSON: identical content, identical hash."""
    return hashlib.sha256(to_json(doc).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- reading


def from_json(text: str | bytes) -> PromptDocument:
    """Parse native JSON; malformed input raises :class:`DocumentError`."""
    return from_dict(parse_json(text))


def parse_json(text: str | bytes) -> Any:
    """Strict JSON: no NaN or Infinity, no key twice in one object; :class:`DocumentError`."""
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_object_without_duplicates
        )
    except json.JSONDecodeError as exc:
        raise DocumentError(
            "",
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            line=exc.lineno,
        ) from None
    except UnicodeDecodeError:
        raise DocumentError("", "not valid UTF-8 text") from None
    except RecursionError:
        raise DocumentError("", "the JSON is nested too deeply to read") from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise DocumentError("", f"the JSON cannot be read: {exc}") from None
    return data


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise DocumentError(key, "appears twice in the same object")
        obj[key] = value
    return obj


def _reject_constant(name: str) -> object:
    raise DocumentError("", f"{name} is not allowed in a prompt file (JSON has no such number)")


def from_dict(data: object) -> PromptDocument:
    """Build a document from a parsed JSON object, checking every field."""
    if isinstance(data, dict):
        _check_schema_version(data.get("schemaVersion"))
    obj = _Reader("", data).object(
        required=("name",),
        optional=(
            "schemaVersion",
            "description",
            "tags",
            "system",
            "messages",
            "examples",
            "variables",
            "targets",
        ),
    )
    return PromptDocument(
        name=obj["name"].string(),
        description=_opt(obj, "description", _Reader.string, ""),
        tags=tuple(r.string() for r in _opt(obj, "tags", _Reader.array, [])),
        system=_opt(obj, "system", _Reader.string, ""),
        messages=tuple(_message(r) for r in _opt(obj, "messages", _Reader.array, [])),
        examples=tuple(_example(r) for r in _opt(obj, "examples", _Reader.array, [])),
        variables=_variables(_opt(obj, "variables", _Reader.array, [])),
        targets=tuple(_target(r) for r in _opt(obj, "targets", _Reader.array, [])),
    )


def _check_schema_version(version: object) -> None:
    # Checked before anything else: a newer file's new fields must not hide "upgrade".
    if version is None:
        return
    v = _Reader("schemaVersion", version).integer()
    if v is None or v < 1:
        raise DocumentError("schemaVersion", "must be a positive whole number")
    if v > SCHEMA_VERSION:
        raise DocumentError(
            "schemaVersion",
            f"this file uses format version {v}, but this version of Prompt Playground "
            f"reads up to version {SCHEMA_VERSION}; upgrade the app to open it",
        )


def _message(r: _Reader) -> Message:
    obj = r.object(required=("role", "content"))
    role = obj["role"].string()
    if role not in ROLES:
        raise DocumentError(obj["role"].path, f"must be 'user' or 'assistant', not {role!r}")
    return Message(role=role, content=obj["content"].string())


def _example(r: _Reader) -> Example:
    obj = r.object(required=("input", "output"), optional=("enabled", "note"))
    return Example(
        input=obj["input"].string(),
        output=obj["output"].string(),
        enabled=_opt(obj, "enabled", _Reader.boolean, True),
        note=_opt(obj, "note", _Reader.string, ""),
    )


# Words Jinja2 reads as literals or operators, or defines itself, so a variable can't use them.
_RESERVED_NAMES = frozenset(
    {
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "elif",
        "self",
        "loop",
        "caller",
        "varargs",
        "kwargs",
        "super",
    }
)


def _variables(readers: list[_Reader]) -> tuple[Variable, ...]:
    seen: set[str] = set()
    out: list[Variable] = []
    for r in readers:
        obj = r.object(required=("name",), optional=("sample", "description"))
        name = obj["name"].string()
        if name in _RESERVED_NAMES:
            raise DocumentError(
                obj["name"].path, f"{name!r} is reserved by the template language; pick another"
            )
        if not name.isidentifier():
            raise DocumentError(
                obj["name"].path, f"{name!r} is not a valid variable name (letters, digits, _)"
            )
        if name in seen:
            raise DocumentError(obj["name"].path, f"variable {name!r} is declared twice")
        seen.add(name)
        sample = obj.get("sample")
        out.append(
            Variable(
                name=name,
                sample=None if sample is None or sample.value is None else sample.string(),
                description=_opt(obj, "description", _Reader.string, ""),
            )
        )
    return tuple(out)


def _target(r: _Reader) -> Target:
    obj = r.object(required=("provider", "model"), optional=("parameters", "jsonSchema"))
    params = Parameters()
    if "parameters" in obj and obj["parameters"].value is not None:
        p = obj["parameters"].object(optional=("temperature", "maxTokens", "topP", "stop", "seed"))
        params = Parameters(
            temperature=_opt_number(p, "temperature", 0.0, 2.0),
            max_tokens=_opt_int(p, "maxTokens", 1),
            top_p=_opt_number(p, "topP", 0.0, 1.0),
            stop=tuple(s.string() for s in _opt(p, "stop", _Reader.array, [])),
            seed=_opt_int(p, "seed", None),
        )
    schema_text: str | None = None
    schema = obj.get("jsonSchema")
    if schema is not None and schema.value is not None:
        if not isinstance(schema.value, dict):
            raise DocumentError(schema.path, "must be a JSON object (a JSON Schema) or null")
        _check_json_value(schema.path, schema.value)
        schema_text = Target.schema_text(schema.value)
    provider = obj["provider"].string()
    model = obj["model"].string()
    for key, value in (("provider", provider), ("model", model)):
        if not value.strip():
            raise DocumentError(obj[key].path, "must not be empty")
    if ":" in provider:
        raise DocumentError(obj["provider"].path, "a provider id cannot contain ':'")
    return Target(provider=provider, model=model, parameters=params, json_schema_text=schema_text)


def _check_json_value(path: str, value: object) -> None:
    """Reject what canonical JSON cannot hold: non-finite numbers, lone surrogates, odd types."""
    if isinstance(value, float) and not math.isfinite(value):
        raise DocumentError(path, "numbers must be finite (no NaN or Infinity)")
    if isinstance(value, str):
        _check_text(path, value)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json_value(f"{path}[{i}]", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise DocumentError(path, "object keys must be strings")
            _check_text(f"{path}.{key}", key)
            _check_json_value(f"{path}.{key}", item)
    elif value is not None and not isinstance(value, bool | int | float):
        raise DocumentError(path, f"{type(value).__name__} is not a JSON value")


def _check_text(path: str, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise DocumentError(path, "contains an invalid character (a lone surrogate)") from None


def _opt_number(obj: dict[str, _Reader], key: str, lo: float, hi: float) -> float | None:
    r = obj.get(key)
    if r is None or r.value is None:
        return None
    value = r.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DocumentError(r.path, "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise DocumentError(r.path, "must be a number (finite: not NaN or Infinity)")
    if not lo <= value <= hi:
        shown = f"{value:g}" if isinstance(value, float) or abs(value) < 10**15 else "a huge number"
        raise DocumentError(r.path, f"must be between {lo:g} and {hi:g}, not {shown}")
    return float(value) + 0.0


def _opt_int(obj: dict[str, _Reader], key: str, lo: int | None) -> int | None:
    r = obj.get(key)
    if r is None or r.value is None:
        return None
    value = r.integer()
    if value is None:
        raise DocumentError(r.path, "must be a whole number")
    if lo is not None and value < lo:
        raise DocumentError(r.path, f"must be at least {lo}")
    return value


def _opt(obj: dict[str, _Reader], key: str, read: Any, default: Any) -> Any:
    r = obj.get(key)
    if r is None or r.value is None:
        return default
    return read(r)


class _Reader:
    """A JSON value plus the path to it, with typed accessors that explain failures."""

    __slots__ = ("path", "value")

    def __init__(self, path: str, value: object) -> None:
        self.path = path
        self.value = value

    def _fail(self, expected: str) -> DocumentError:
        got = type(self.value).__name__
        got = {
            "NoneType": "null",
            "dict": "an object",
            "list": "an array",
            "str": "a string",
            "bool": "true/false",
            "int": "a number",
            "float": "a number",
        }.get(got, got)
        return DocumentError(self.path, f"must be {expected}, not {got}")

    def string(self) -> str:
        if not isinstance(self.value, str):
            raise self._fail("a string")
        _check_text(self.path, self.value)
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self._fail("true or false")
        return self.value

    def integer(self) -> int | None:
        value = self.value
        if isinstance(value, bool):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value if isinstance(value, int) else None

    def array(self) -> list[_Reader]:
        if not isinstance(self.value, list):
            raise self._fail("an array")
        return [_Reader(f"{self.path}[{i}]", v) for i, v in enumerate(self.value)]

    def object(
        self, required: Sequence[str] = (), optional: Sequence[str] = ()
    ) -> dict[str, _Reader]:
        if not isinstance(self.value, dict):
            raise self._fail("an object")
        where = f"{self.path}." if self.path else ""
        allowed = set(required) | set(optional)
        for key in self.value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise DocumentError(f"{where}{key}", f"unknown field (expected one of: {known})")
        for key in required:
            if key not in self.value:
                raise DocumentError(f"{where}{key}", "is required")
        return {k: _Reader(f"{where}{k}", v) for k, v in self.value.items()}
