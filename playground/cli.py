"""Command line: no arguments opens the app; subcommands work headless.

Every command prints human-readable text, or JSON with ``--json``. Usage and
input errors print one clear line and exit 2; problems with the library
(a locked or newer database, a full disk) exit 1; a bug is logged with its
traceback and reported in one line that says where the log is.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from playground import __version__, logs
from playground.core import diff, document, templates
from playground.core.document import PromptDocument
from playground.core.errors import NotFoundError, PlaygroundError, StoreError
from playground.store import Store, Version

__all__ = ["main"]

log = logging.getLogger("playground.cli")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
MAX_PROMPT_FILE_BYTES = 5_000_000


class UsageError(PlaygroundError):
    """Bad arguments or input on the command line."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports one clear line instead of usage + error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="playground", description="Prompt Playground. With no command, opens the desktop app."
    )
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    parser.add_argument("--verbose", action="store_true", help="verbose logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    sub.add_parser("gui", help="open the desktop app")

    prompts = sub.add_parser("prompts", help="list, show and compare prompts in the library")
    psub = prompts.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = psub.add_parser("list", help="list prompts")
    p.add_argument("--all", action="store_true", help="include archived prompts")
    _json_flag(p)
    p = psub.add_parser("show", help="show a version (latest by default) or the draft")
    p.add_argument("name")
    _version_selector(p)
    _json_flag(p)
    p = psub.add_parser("history", help="list the versions of a prompt")
    p.add_argument("name")
    _json_flag(p)
    p = psub.add_parser("diff", help="compare two versions field by field")
    p.add_argument("name")
    p.add_argument("a", help="version number, label, or 'draft'")
    p.add_argument("b", help="version number, label, or 'draft'")
    _json_flag(p)
    p = psub.add_parser("label", help="point a label (e.g. production) at a version")
    p.add_argument("name")
    p.add_argument("number", type=_positive_int)
    p.add_argument("label")
    _json_flag(p)
    p = psub.add_parser("save", help="save a native JSON prompt file as a new version")
    p.add_argument("file", type=Path)
    p.add_argument("--name", help="library name (default: the file's name field)")
    p.add_argument("-m", "--message", default="", help="version message")
    _json_flag(p)
    p = psub.add_parser("render", help="render a version with variable values")
    p.add_argument("name")
    _version_selector(p)
    p.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable value (repeatable)",
    )
    p.add_argument("--vars-file", type=Path, help="a JSON object of variable values")
    _json_flag(p)

    p = sub.add_parser("search", help="full-text search over versions and run outputs")
    p.add_argument("text")
    p.add_argument("--limit", type=_positive_int, default=50)
    p.add_argument("--all", action="store_true", help="include archived prompts")
    _json_flag(p)
    return parser


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for machines")


def _version_selector(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--version", type=_positive_int, dest="number", metavar="N")
    group.add_argument("--label", metavar="LABEL")
    group.add_argument("--draft", action="store_true", help="the autosaved working copy")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be 1 or more")
    return value


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _build_parser().parse_args(args_list)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except SystemExit as exc:  # --help and --version print, then "exit"
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    logs.setup_logging(verbose=args.verbose)
    if args.command in (None, "gui"):
        return _open_gui()
    handler = _COMMANDS[(args.command, getattr(args, "action", None))]
    try:
        with Store.open() as store:
            return handler(store, args)
    except StoreError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    except PlaygroundError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("unexpected error running %s", args_list[:2])
        return _fail(f"internal error; details were written to {logs.log_file()}", EXIT_FAILURE)


def _fail(message: str, code: int) -> int:
    print(f"playground: error: {message}", file=sys.stderr)
    return code


def _open_gui() -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        return _fail(
            "no display found; run the app in a desktop session, or use a command "
            "such as 'playground prompts list' (see 'playground --help')",
            EXIT_USAGE,
        )
    from playground.app import run_app  # Qt is imported only when the GUI is wanted

    return run_app()


# ---------------------------------------------------------------- commands


def _emit(args: argparse.Namespace, data: Any, text: str) -> int:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
    return EXIT_OK


def _cmd_prompts_list(store: Store, args: argparse.Namespace) -> int:
    prompts = store.list_prompts(include_archived=args.all)
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "versions": p.version_count,
            "latestVersion": p.latest_version,
            "labels": p.labels,
            "updated": p.updated,
            "archived": p.archived,
        }
        for p in prompts
    ]
    if not prompts:
        return _emit(
            args,
            rows,
            "No prompts yet. Create one in the app, or save a prompt file "
            "with 'playground prompts save FILE'.",
        )
    table = [("NAME", "VERSIONS", "LABELS", "UPDATED")]
    for p in prompts:
        labels = ", ".join(f"{k}=v{v}" for k, v in sorted(p.labels.items()))
        name = f"{p.name} (archived)" if p.archived else p.name
        table.append((name, str(p.version_count), labels or "-", p.updated[:16].replace("T", " ")))
    return _emit(args, rows, _table(table))


def _resolve_version(store: Store, prompt_id: int, spec: str) -> tuple[str, PromptDocument]:
    """A version number, a label or 'draft', as a display name and its document."""
    if spec == "draft":
        draft = store.get_draft(prompt_id)
        if draft is None:
            raise UsageError("this prompt has no draft")
        return "draft", draft.document
    if spec.isdigit():
        return f"v{spec}", store.get_version(prompt_id, int(spec)).document
    version = store.get_version(prompt_id, label=spec)
    return f"v{version.info.number} ({spec})", version.document


def _selected(store: Store, args: argparse.Namespace) -> tuple[str, PromptDocument, Version | None]:
    prompt = store.get_prompt(args.name)
    if args.draft:
        draft = store.get_draft(prompt.id)
        if draft is None:
            raise UsageError(f"prompt '{prompt.name}' has no draft")
        return "draft", draft.document, None
    if prompt.latest_version is None and args.number is None and args.label is None:
        draft = store.get_draft(prompt.id)
        if draft is not None:
            return "draft (no saved versions yet)", draft.document, None
    version = store.get_version(prompt.id, args.number, label=args.label)
    return f"v{version.info.number}", version.document, version


def _cmd_prompts_show(store: Store, args: argparse.Namespace) -> int:
    which, doc, version = _selected(store, args)
    data: dict[str, Any] = {"selected": which, "document": document.to_dict(doc)}
    if version is not None:
        data["version"] = _version_json(version.info)
    return _emit(args, data, _describe(doc, which, version))


def _cmd_prompts_history(store: Store, args: argparse.Namespace) -> int:
    prompt = store.get_prompt(args.name)
    versions = store.list_versions(prompt.id)
    rows = [_version_json(v) for v in versions]
    if not versions:
        return _emit(args, rows, f"'{prompt.name}' has no saved versions yet.")
    table = [("VERSION", "CREATED", "LABELS", "MESSAGE")]
    table += [
        (
            f"v{v.number}",
            v.created[:19].replace("T", " "),
            ", ".join(v.labels) or "-",
            v.message or "-",
        )
        for v in versions
    ]
    return _emit(args, rows, _table(table))


def _cmd_prompts_diff(store: Store, args: argparse.Namespace) -> int:
    prompt = store.get_prompt(args.name)
    name_a, doc_a = _resolve_version(store, prompt.id, args.a)
    name_b, doc_b = _resolve_version(store, prompt.id, args.b)
    changes = diff.diff_documents(doc_a, doc_b)
    data = {
        "a": name_a,
        "b": name_b,
        "changes": [
            {"field": c.field, "kind": c.kind, "before": c.before, "after": c.after}
            for c in changes
        ],
    }
    if not changes:
        return _emit(args, data, f"{name_a} and {name_b} of '{prompt.name}' are identical.")
    header = f"'{prompt.name}': {name_a} → {name_b}, {len(changes)} field(s) changed\n"
    return _emit(args, data, header + diff.format_changes(changes))


def _cmd_prompts_label(store: Store, args: argparse.Namespace) -> int:
    prompt = store.get_prompt(args.name)
    before = store.labels(prompt.id).get(args.label)
    store.set_label(prompt.id, args.label, args.number)
    moved = f" (moved from v{before})" if before not in (None, args.number) else ""
    return _emit(
        args,
        {"prompt": prompt.name, "label": args.label, "version": args.number, "previous": before},
        f"Label '{args.label}' of '{prompt.name}' points at v{args.number}{moved}.",
    )


def _cmd_prompts_save(store: Store, args: argparse.Namespace) -> int:
    doc = _read_prompt_file(args.file)
    name = args.name or doc.name
    if not name.strip():
        raise UsageError(f"{args.file}: the prompt has no name; pass --name")
    try:
        prompt = store.get_prompt(name)
    except NotFoundError:
        prompt = store.create_prompt(name, doc)
    result = store.save_version(prompt.id, doc, args.message)
    v = result.version
    text = (
        f"Saved '{prompt.name}' as v{v.number}."
        if result.created
        else f"'{prompt.name}' v{v.number} already has this content; no new version."
    )
    return _emit(args, {"prompt": prompt.name, **_version_json(v), "new": result.created}, text)


def _read_prompt_file(path: Path) -> PromptDocument:
    try:
        size = path.stat().st_size
        if size > MAX_PROMPT_FILE_BYTES:
            raise UsageError(
                f"{path}: the file is {size:,} bytes; prompt files are limited to "
                f"{MAX_PROMPT_FILE_BYTES:,}"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder, not a prompt file") from None
    except PermissionError:
        raise UsageError(f"{path}: permission denied") from None
    try:
        return document.from_json(data)
    except PlaygroundError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _cmd_prompts_render(store: Store, args: argparse.Namespace) -> int:
    _, doc, _ = _selected(store, args)
    values: dict[str, str] = {}
    if args.vars_file is not None:
        values.update(_read_vars_file(args.vars_file))
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--var expects NAME=VALUE, got '{item}'")
        values[name] = value
    request = templates.render(doc, values)
    if args.json:
        return _emit(args, request.to_dict(), "")
    parts = [f"[system]\n{request.system}"] if request.system else []
    parts += [f"[{m.role}]\n{m.content}" for m in request.messages]
    return _emit(args, None, "\n\n".join(parts))


def _read_vars_file(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON object of variable values ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"{path}: expected a JSON object whose values are strings")
    return data


def _cmd_search(store: Store, args: argparse.Namespace) -> int:
    hits = store.search(args.text, limit=args.limit, include_archived=args.all)
    rows = [
        {
            "kind": h.kind,
            "prompt": h.prompt_name,
            "version": h.version_number,
            "run": h.run_id,
            "snippet": h.snippet,
            "created": h.created,
        }
        for h in hits
    ]
    if not hits:
        return _emit(args, rows, f"Nothing matches '{args.text}'.")
    lines = []
    for h in hits:
        where = f"v{h.version_number}" if h.kind == "version" else f"run #{h.run_id}"
        snippet = " ".join(h.snippet.split())
        lines.append(f"{h.prompt_name}  {where}  {snippet}")
    return _emit(args, rows, "\n".join(lines))


_COMMANDS: dict[tuple[str, str | None], Callable[[Store, argparse.Namespace], int]] = {
    ("prompts", "list"): _cmd_prompts_list,
    ("prompts", "show"): _cmd_prompts_show,
    ("prompts", "history"): _cmd_prompts_history,
    ("prompts", "diff"): _cmd_prompts_diff,
    ("prompts", "label"): _cmd_prompts_label,
    ("prompts", "save"): _cmd_prompts_save,
    ("prompts", "render"): _cmd_prompts_render,
    ("search", None): _cmd_search,
}


# ---------------------------------------------------------------- formatting


def _version_json(v: Any) -> dict[str, Any]:
    return {
        "number": v.number,
        "parent": v.parent_number,
        "hash": v.hash,
        "message": v.message,
        "created": v.created,
        "labels": list(v.labels),
    }


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def _describe(doc: PromptDocument, which: str, version: Version | None) -> str:
    head = f"{doc.name}  [{which}]"
    if version is not None:
        info = version.info
        extras = [info.created[:19].replace("T", " ")]
        if info.labels:
            extras.append("labels: " + ", ".join(info.labels))
        if info.message:
            extras.append(info.message)
        head += "  " + " · ".join(extras)
    out = [head]
    if doc.description:
        out.append(doc.description)
    if doc.tags:
        out.append("tags: " + ", ".join(doc.tags))
    out.append(f"\n[system]\n{doc.system}" if doc.system else "\n[system] (empty)")
    for i, ex in enumerate(doc.examples, 1):
        state = "" if ex.enabled else " (disabled)"
        note = f" — {ex.note}" if ex.note else ""
        out.append(f"\n[example {i}{state}{note}]\ninput: {ex.input}\noutput: {ex.output}")
    for i, m in enumerate(doc.messages, 1):
        out.append(f"\n[message {i}: {m.role}]\n{m.content}")
    variables = templates.sync_variables(doc)
    if variables:
        out.append("\nvariables:")
        for v in variables:
            sample = f" = {v.sample!r}" if v.sample is not None else ""
            desc = f"  # {v.description}" if v.description else ""
            out.append(f"  {v.name}{sample}{desc}")
    if doc.targets:
        out.append("\ntargets:")
        for t in doc.targets:
            p = t.parameters
            params = [
                f"{k}={val}"
                for k, val in (
                    ("temperature", p.temperature),
                    ("max_tokens", p.max_tokens),
                    ("top_p", p.top_p),
                    ("seed", p.seed),
                )
                if val is not None
            ]
            if p.stop:
                params.append(f"stop={list(p.stop)}")
            if t.json_schema_text:
                params.append("json schema")
            out.append(f"  {t.label}" + (f"  ({', '.join(params)})" if params else ""))
    return "\n".join(out)
