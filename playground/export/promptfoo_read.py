"""Reading promptfoo configs and chat prompts into documents.

:func:`read` takes three kinds of file. A ``promptfooconfig.yaml``, whether
:mod:`playground.export.promptfoo` wrote it or a person did, gives one
:class:`ImportResult` per prompt it names: prompts as ``file://`` chat JSON,
YAML or text files (read only through the source's sibling reader, confined
to the config's folder), inline strings or ``{id|raw, label}`` objects. A
chat JSON file on its own (the OpenAI message list), or a YAML file that is
such a list, is one prompt named after the file.

Providers come back as targets: ``openai:chat``, ``anthropic:messages``,
``ollama:chat`` and the ``openai:<model>`` / ``anthropic:<model>``
shorthands, with the app's provider name taken from the ``<provider>:<model>``
label, a built-in provider's base URL, or the vendor's own host. Providers
the app cannot run are skipped with a warning, and a key written into the
file is ignored with one (an ``{{ env.NAME }}`` reference is not a key).
The turns that ``defaultTest.metadata.exampleTurns`` counts become n-shot
examples, and the default test's values (or the first test's) the samples.

Whatever the app cannot hold is a warning with its file line; a value of the
wrong shape is a :class:`FormatError` at its line. The result passes the
same checks as a native file.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePosixPath
from typing import Any, NoReturn
from urllib.parse import urlsplit

import yaml

from playground.core import document
from playground.core.document import (
    Example,
    JSONValue,
    Message,
    Parameters,
    PromptDocument,
    Target,
    Variable,
)
from playground.core.errors import DocumentError
from playground.core.provider_config import BUILTIN_PROVIDERS
from playground.export.base import FormatError, ImportResult, ImportSource, json_line
from playground.export.native import parse_failure
from playground.export.promptfoo_common import (
    EXAMPLE_TURNS,
    RESPOND,
    declarable,
    variables_back,
)
from playground.export.yamlio import load_yaml

__all__ = ["read"]


Where = tuple[str | int, ...]  # a field, as keys and indexes from the top


def _dotted(path: Where) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out


@dataclass
class _Chat:
    """One prompt read from a file: its name, system text and turns."""

    name: str
    label: str | None
    system: str = ""
    turns: list[Message] = field(default_factory=list)


class _Reader:
    """Problems in one parsed file, reported at their line (YAML or JSON)."""

    def __init__(self, source: ImportSource, *, is_json: bool, locate: bool = True) -> None:
        self.source = source
        self.is_json = is_json
        self.locate = locate
        self.warnings: list[str] = []
        self._tree: yaml.Node | bool | None = False  # composed on first need

    def line(self, path: Where) -> int | None:
        if not self.locate:
            return None
        for n in range(len(path), -1, -1):  # a missing field is shown at its parent's line
            found = (
                json_line(self.source.text, _dotted(path[:n]))
                if self.is_json
                else self._yaml_line(path[:n])
            )
            if found is not None:
                return found
        return None

    def _yaml_line(self, path: Where) -> int | None:
        if self._tree is False:
            try:
                self._tree = yaml.compose(self.source.text, Loader=yaml.SafeLoader)
            except (yaml.YAMLError, RecursionError):
                self._tree = None
        node = self._tree
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if part < len(node.value) else None
            else:
                node = None
        return int(node.start_mark.line) + 1 if isinstance(node, yaml.Node) else None

    def fail(self, path: Where, message: str) -> NoReturn:
        where = f"{_dotted(path)}: " if path else ""
        raise FormatError(self.source.source, where + message, self.line(path) or 1)

    def warn(self, path: Where, message: str) -> None:
        line = self.line(path)
        where = f"line {line}: " if line else ""
        self.warnings.append(f"{where}{_dotted(path) + ': ' if path else ''}{message}")


def read(source: ImportSource) -> list[ImportResult]:
    if source.text.lstrip().startswith("["):
        reader = _Reader(source, is_json=True)
        chat = _chat(reader, _parse_json(source), source.name, None)
        return [_result(source, reader.warnings, chat, _Shared())]
    data = load_yaml(source.text, source.source)
    reader = _Reader(source, is_json=False)
    if isinstance(data, list):  # a YAML chat prompt by itself
        chat = _chat(reader, data, source.name, None)
        return [_result(source, reader.warnings, chat, _Shared())]
    return _Config(source, reader, data).results()


def _parse_json(source: ImportSource) -> Any:
    try:
        return document.parse_json(source.text)
    except DocumentError as exc:
        error = parse_failure(source, exc)
        raise FormatError(error.source, error.reason, error.line or 1) from None


@dataclass
class _Shared:
    """What a config gives every prompt in it."""

    description: str = ""
    targets: list[tuple[Target, frozenset[str] | None]] = field(default_factory=list)
    samples: dict[str, str | None] = field(default_factory=dict)
    example_turns: dict[str, Any] = field(default_factory=dict)


def _result(
    source: ImportSource, warnings: list[str], chat: _Chat, shared: _Shared
) -> ImportResult:
    turns, examples = list(chat.turns), []
    count = shared.example_turns.get(chat.label) if chat.label is not None else None
    if count is not None:
        valid = (
            isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= len(turns) // 2
        )
        pairs = turns[: 2 * count] if valid else []
        if not valid or [m.role for m in pairs] != ["user", "assistant"] * count:
            warnings.append(
                f"defaultTest.metadata.{EXAMPLE_TURNS} for {chat.label!r} does not match the "
                "prompt's turns; every turn was read as a message"
            )
        else:
            examples = [
                Example(q.content, a.content) for q, a in zip(pairs[::2], pairs[1::2], strict=True)
            ]
            turns = turns[2 * count :]
    keys = {chat.label, chat.name}
    sampled = tuple(Variable(k, v) for k, v in shared.samples.items() if v is not None)
    doc = PromptDocument(
        name=chat.name,
        description=shared.description,
        system=chat.system,
        messages=tuple(turns),
        examples=tuple(examples),
        variables=sampled,
        targets=tuple(t for t, only in shared.targets if only is None or keys & only),
    )
    doc = replace(doc, variables=variables_back(doc))
    try:  # the native format's checks: whatever a file holds, the document is a valid one
        doc = document.from_dict(document.to_dict(doc))
    except DocumentError as exc:
        raise FormatError(source.source, f"{chat.name!r}: {exc}", 1) from None
    return ImportResult(document=doc, source=source.source, warnings=tuple(warnings))


def _chat(reader: _Reader, value: Any, name: str, label: str | None) -> _Chat:
    """Messages in promptfoo's (OpenAI's) chat format: a list of {role, content}."""
    if not isinstance(value, list):
        reader.fail((), "a chat prompt must be a list of messages with role and content")
    chat = _Chat(name=name, label=label)
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            reader.fail((i,), "must be an object with role and content")
        role, content = item.get("role"), item.get("content", ...)
        if not isinstance(role, str):
            reader.fail((i, "role") if "role" in item else (i,), "needs a role (text)")
        if content is ...:
            reader.fail((i,), "needs a content")
        extra = sorted(str(k) for k in item if k not in ("role", "content"))
        if extra:
            reader.warn((i,), f"ignored: {', '.join(extra)}")
        text = _content_text(content)
        if text is None:
            reader.warn((i, "content"), "only text content is imported; message skipped")
        elif role in ("system", "developer"):
            if chat.turns:
                reader.warn((i,), "a system message after the conversation began is skipped")
            else:
                if chat.system:
                    reader.warn((i,), "system messages were joined into one")
                chat.system = f"{chat.system}\n\n{text}" if chat.system else text
        elif role == "user":
            chat.turns.append(Message("user", text))
        elif role == "assistant":
            chat.turns.append(Message("assistant", text))
        else:
            reader.warn((i, "role"), f"a {role!r} message is not imported")
    return chat


def _content_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
        isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        for p in content
    ):
        return "".join(p["text"] for p in content)
    return None


_TOP_KEYS = ("description", "prompts", "providers", "targets", "defaultTest", "tests")
_CODE_SUFFIXES = frozenset({".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".py", ".rb", ".go"})


class _Config:
    """A parsed promptfoo config and the prompts it names."""

    def __init__(self, source: ImportSource, reader: _Reader, data: Any) -> None:
        self.source = source
        self.r = reader
        if not isinstance(data, dict) or "prompts" not in data:
            reader.fail((), "not a promptfoo config: it has no 'prompts' list")
        self.data: dict[Any, Any] = data

    def results(self) -> list[ImportResult]:
        data, r = self.data, self.r
        ignored = [str(k) for k in data if k not in _TOP_KEYS]
        if ignored:
            r.warn((), f"ignored: {', '.join(ignored)}")
        shared = _Shared()
        description = data.get("description")
        if description is not None and not isinstance(description, str):
            r.fail(("description",), "must be text")
        shared.description = description or ""
        for key in ("providers", "targets"):
            if data.get(key) is not None:
                shared.targets += self.targets(key, data[key])
        self.tests(shared)
        chats = self.prompts()
        if not chats:
            r.fail(("prompts",), "names no prompt this app can import")
        seen: dict[str, int] = {}
        for chat in chats:  # prompt names must differ, or they would be versions of one prompt
            seen[chat.name] = seen.get(chat.name, 0) + 1
            if seen[chat.name] > 1:
                chat.name = f"{chat.name} ({seen[chat.name]})"
        return [_result(self.source, list(r.warnings), c, shared) for c in chats]

    # -------------------------------------------------------- prompts

    def prompts(self) -> list[_Chat]:
        value = self.data["prompts"]
        if isinstance(value, str):
            value = [value]
        elif isinstance(value, dict):  # {path: label}
            value = [{"id": k, "label": v} for k, v in value.items()]
        if not isinstance(value, list):
            self.r.fail(("prompts",), "must be a list of prompts")
        single = len(value) == 1
        chats: list[_Chat] = []
        for i, item in enumerate(value):
            path: Where = ("prompts", i)
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, dict):
                self.r.fail(path, "must be text or an object with id or raw, and label")
            extra = sorted(str(k) for k in item if k not in ("id", "raw", "label"))
            if extra:
                self.r.warn(path, f"ignored: {', '.join(extra)}")
            label, raw, ref = item.get("label"), item.get("raw"), item.get("id")
            for key, v in (("label", label), ("raw", raw), ("id", ref)):
                if v is not None and not isinstance(v, str):
                    self.r.fail((*path, key), "must be text")
            fallback = self.source.name if single else f"{self.source.name} {i + 1}"
            if raw is None and isinstance(ref, str) and ref.startswith("file://"):
                chats += self.file_prompts(path, ref, label)
            else:
                text = raw if raw is not None else ref
                if text is None:
                    self.r.fail(path, "needs an id (a file://... reference) or raw text")
                chats.append(self.inline(path, text, label, fallback))
        return chats

    def inline(self, path: Where, text: str, label: str | None, fallback: str) -> _Chat:
        name = fallback if label is None else label
        if text.lstrip().startswith("["):
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, list):
                inner = _Reader(self.source, is_json=True, locate=False)
                try:
                    chat = _chat(inner, value, name, label)
                except FormatError as exc:
                    self.r.fail(path, f"a chat prompt written inline: {exc.reason}")
                self.r.warnings += [f"{_dotted(path)}: {w}" for w in inner.warnings]
                return chat
        return _Chat(name, label, turns=[Message("user", text)])

    def file_prompts(self, path: Where, ref: str, label: str | None) -> list[_Chat]:
        target = ref.removeprefix("file://")
        suffix = PurePosixPath(target.partition(":")[0] if ":" in target else target).suffix.lower()
        if any(c in target for c in "*?[{"):
            self.r.warn(path, f"{ref}: prompt files chosen by a pattern are not imported")
            return []
        if suffix in _CODE_SUFFIXES or suffix in (".csv", ".jsonl"):
            self.r.warn(path, f"{ref}: prompts from {suffix} files are not imported")
            return []
        if self.source.sibling is None:
            self.r.fail(
                path,
                f"refers to {ref!r}, which can only be read when the config is opened from its "
                "folder (import the file, not pasted text)",
            )
        sibling = self.source.sibling(ref)
        stem = PurePosixPath(target).stem
        name = stem if label is None else label
        if suffix == ".json":
            reader = _Reader(sibling, is_json=True)
            chat = _chat(reader, _parse_json(sibling), name, label)
        elif suffix in (".yaml", ".yml"):
            reader = _Reader(sibling, is_json=False)
            chat = _chat(reader, load_yaml(sibling.text, sibling.source), name, label)
        else:  # a text prompt; promptfoo splits a file at lines of '---'
            parts = re.split(r"(?m)^---[ \t]*\n?", sibling.text.removesuffix("\n"))
            if len(parts) == 1:
                return [_Chat(name, label, turns=[Message("user", parts[0])])]
            return [
                _Chat(f"{name} {k}", None, turns=[Message("user", part.removesuffix("\n"))])
                for k, part in enumerate(parts, 1)
            ]
        self.r.warnings += [f"{sibling.source}: {w}" for w in reader.warnings]
        return [chat]

    # -------------------------------------------------------- tests and samples

    def tests(self, shared: _Shared) -> None:
        r, default = self.r, self.data.get("defaultTest")
        if isinstance(default, str):
            r.warn(("defaultTest",), f"{default}: a default test in another file is not imported")
        elif isinstance(default, dict):
            extra = sorted(str(k) for k in default if k not in ("vars", "metadata"))
            if extra:
                r.warn(("defaultTest",), f"ignored: {', '.join(extra)}")
            shared.samples = self.samples(("defaultTest", "vars"), default.get("vars"))
            metadata = default.get("metadata")
            if isinstance(metadata, dict) and isinstance(metadata.get(EXAMPLE_TURNS), dict):
                shared.example_turns = metadata[EXAMPLE_TURNS]
        elif default is not None:
            r.fail(("defaultTest",), "must be an object")
        tests = self.data.get("tests")
        if isinstance(tests, str):
            r.warn(("tests",), f"{tests}: test cases in another file are not imported")
        elif isinstance(tests, list):
            cases = [t for t in tests if not (isinstance(t, dict) and set(t) <= {"description"})]
            if cases and not shared.samples and isinstance(cases[0], dict):
                # With no default values, the first test's values are the samples.
                at: Where = ("tests", tests.index(cases[0]))
                shared.samples = self.samples((*at, "vars"), cases[0].get("vars"))
                rest = sorted(str(k) for k in cases[0] if k not in ("vars", "description"))
                if rest:
                    r.warn(at, f"only the values are imported; ignored: {', '.join(rest)}")
                cases = cases[1:]
            if cases:
                r.warn(
                    ("tests",),
                    f"{len(cases)} test case(s) not imported: this app has no datasets yet",
                )
        elif tests is not None:
            r.fail(("tests",), "must be a list of test cases")

    def samples(self, path: Where, value: Any) -> dict[str, str | None]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.r.warn(path, "variables given in another form than a mapping are not imported")
            return {}
        out: dict[str, str | None] = {}
        for key, sample in value.items():
            name = str(key)
            if not declarable(name):
                self.r.warn((*path, name), f"{name!r} cannot be a variable name here; skipped")
            elif sample is None or isinstance(sample, str):
                out[name] = sample
            elif isinstance(sample, bool | int | float | date) and not (
                isinstance(sample, float) and not math.isfinite(sample)
            ):
                out[name] = sample.isoformat() if isinstance(sample, date) else json.dumps(sample)
            else:
                text = _json_text(sample)
                if text is None:
                    self.r.warn((*path, name), "a value that is not text or JSON is skipped")
                else:
                    self.r.warn((*path, name), "a list or mapping sample is kept as JSON text")
                    out[name] = text
        return out

    # -------------------------------------------------------- providers

    def targets(self, key: str, value: Any) -> list[tuple[Target, frozenset[str] | None]]:
        items: list[tuple[Where, Any]]
        if isinstance(value, str):
            items = [((key,), value)]
        elif isinstance(value, list):
            items = [((key, i), v) for i, v in enumerate(value)]
        elif isinstance(value, dict):
            items = [
                ((key, str(k)), {"id": k, **v} if isinstance(v, dict) else v)
                for k, v in value.items()
            ]
        else:
            self.r.fail((key,), "must be a provider id or a list of providers")
        out = []
        for path, item in items:
            if isinstance(item, dict) and "id" not in item and len(item) == 1:
                pid, options = next(iter(item.items()))  # the {id: options} shorthand
                item = {"id": pid, **options} if isinstance(options, dict) else None
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                self.r.fail(path, "must be a provider id, or an object with an id")
            found = self.target(path, item)
            if found is not None:
                only = item.get("prompts")
                scope = frozenset(str(p) for p in only) if isinstance(only, list) else None
                out.append((found, scope))
        return out

    def target(self, path: Where, item: dict[Any, Any]) -> Target | None:
        r, pid = self.r, item["id"]
        kind, model = _parse_provider_id(pid)
        if kind is None or not model.strip():
            r.warn(
                path, f"skipped: {pid!r} is not a provider this app runs (OpenAI or Anthropic chat)"
            )
            return None
        extra = sorted(str(k) for k in item if k not in ("id", "label", "config", "prompts"))
        if extra:
            r.warn(path, f"ignored: {', '.join(extra)}")
        config = item.get("config") or {}
        if not isinstance(config, dict):
            r.fail((*path, "config"), "must be a mapping")
        cfg: Where = (*path, "config")
        base_url = config.get("apiBaseUrl")
        label = item.get("label")
        name = kind if kind == "ollama" else None
        if isinstance(label, str):
            head, sep, rest = label.partition(":")
            if sep and rest == model and head.strip():
                name = head
        if name is None:
            builtin = next(
                (p for p in BUILTIN_PROVIDERS if p.base_url and p.base_url == base_url), None
            )
            if builtin is not None:
                name = builtin.name
            elif base_url is None or _host(base_url) == f"api.{kind}.com":
                name = kind
            else:
                r.warn(
                    path,
                    f"skipped: {pid!r} at {base_url} names no provider of this app "
                    f"(label it '<provider>:{model}')",
                )
                return None
        params, schema_text = self.parameters(cfg, config, kind)
        return Target(name, model, params, schema_text)

    def parameters(
        self, path: Where, config: dict[Any, Any], kind: str
    ) -> tuple[Parameters, str | None]:
        r = self.r
        values: dict[str, Any] = {}
        schema: Any = None
        for key, value in config.items():
            at: Where = (*path, str(key))
            if key == "temperature" or key == "top_p":
                high = 2.0 if key == "temperature" else 1.0
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and 0.0 <= value <= high
                ):
                    values[key] = float(value) + 0.0
                else:
                    r.warn(at, f"must be a number from 0 to {high:g}; not imported")
            elif key in ("max_tokens", "max_completion_tokens"):
                if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                    values.setdefault("max_tokens", value)
                else:
                    r.warn(at, "must be a whole number of at least 1; not imported")
            elif key == "seed" and kind != "anthropic":
                if isinstance(value, int) and not isinstance(value, bool):
                    values["seed"] = value
                else:
                    r.warn(at, "must be a whole number; not imported")
            elif key == "stop" and kind != "anthropic":
                values["stop"] = self.stop(at, value)
            elif key == "extra_body" and kind == "anthropic" and isinstance(value, dict):
                if "stop_sequences" in value:
                    values["stop"] = self.stop((*at, "stop_sequences"), value["stop_sequences"])
                if set(value) - {"stop_sequences"}:
                    r.warn(at, "ignored: everything but stop_sequences")
            elif key == "response_format" and kind != "anthropic":
                inner = value.get("json_schema") if isinstance(value, dict) else None
                schema = inner.get("schema") if isinstance(inner, dict) else None
                if schema is None:
                    r.warn(at, "only a json_schema response format is imported")
            elif key == "output_format" and kind == "anthropic":
                schema = value.get("schema") if isinstance(value, dict) else None
            elif key == "tools" and kind == "anthropic":
                tools = value if isinstance(value, list) else []
                tool = tools[0] if len(tools) == 1 and isinstance(tools[0], dict) else {}
                choice = config.get("tool_choice")
                forced = isinstance(choice, dict) and choice.get("name") == tool.get("name")
                if tool.get("name") == RESPOND and forced and "input_schema" in tool:
                    schema = tool["input_schema"]
                else:
                    r.warn(at, "tools are not imported")
            elif key == "tool_choice" and kind == "anthropic":
                pass  # read with tools
            elif key == "apiKey":
                if not (isinstance(value, str) and re.fullmatch(r"\{\{\s*env\.\w+\s*\}\}", value)):
                    r.warn(
                        at,
                        "a key in the file is ignored: keys come from the keyring or "
                        "the environment",
                    )
            elif key not in ("apiBaseUrl", "apiKeyEnvar", "apiKeyRequired"):
                r.warn(at, "not imported")
        schema_text = None
        if schema is not None:
            text = _json_text(schema) if isinstance(schema, dict) else None
            if text is None:
                r.warn(path, "the JSON schema is not a JSON object; not imported")
            else:
                schema_text = Target.schema_text(json.loads(text))
        return Parameters(**values), schema_text

    def stop(self, path: Where, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(s, str) for s in value):
            return tuple(value)
        self.r.warn(path, "must be text or a list of text; not imported")
        return ()


_ANTHROPIC_TOOLS = frozenset({"claude-code", "claude-agent-sdk"})
_OPENAI_ENDPOINTS = frozenset(
    [
        "responses",
        "assistant",
        "completion",
        "embedding",
        "embeddings",
        "moderation",
        "image",
        "transcription",
        "tts",
        "speech",
        "realtime",
        "video",
        "agents",
        "chatkit",
        "codex",
        "codex-sdk",
        "codex-app-server",
        "codex-desktop",
    ]
)


def _parse_provider_id(pid: str) -> tuple[str | None, str]:
    """``(kind, model)`` for ids the app can run (Chat Completions or Messages); else None."""
    for prefix, kind in (
        ("openai:chat:", "openai"),
        ("anthropic:messages:", "anthropic"),
        ("ollama:chat:", "ollama"),
    ):
        if pid.startswith(prefix):
            return kind, pid[len(prefix) :]
    family, _, model = pid.partition(":")
    first = model.partition(":")[0]
    # openai:<model> routes to Chat Completions unless it names another endpoint.
    if family == "openai" and model and first not in _OPENAI_ENDPOINTS and first != "chat":
        return "openai", model
    # anthropic:<model> is shorthand for Messages; claude-code and the agent SDK are not models.
    if family == "anthropic" and first.startswith("claude-") and first not in _ANTHROPIC_TOOLS:
        return "anthropic", model
    return None, ""


def _host(url: object) -> str | None:
    try:
        return urlsplit(str(url)).hostname
    except ValueError:
        return None


def _json_text(value: Any) -> str | None:
    """Canonical JSON for a YAML value, or None when it holds what JSON cannot."""
    try:
        return document.canonical_json(_plain_json(value, 0))
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError):
        return None


def _plain_json(value: Any, depth: int) -> JSONValue:
    if depth > 200:
        raise ValueError("nested too deeply")
    if value is None or isinstance(value, bool | int | str):
        if isinstance(value, str):
            value.encode("utf-8")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not finite")
        return value
    if isinstance(value, list):
        return [_plain_json(v, depth + 1) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {_plain_json(k, depth): _plain_json(v, depth + 1) for k, v in value.items()}  # type: ignore[misc]
    raise TypeError(type(value).__name__)
