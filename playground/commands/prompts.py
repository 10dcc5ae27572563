"""``playground prompts ...`` and ``playground search``: the library, headless."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from playground.commands.common import (
    Handler,
    Parser,
    UsageError,
    emit,
    json_flag,
    parse_var,
    positive_int,
    read_prompt_file,
    read_vars_file,
    table,
)
from playground.core import diff, document, templates
from playground.core.document import PromptDocument
from playground.store import Store, Version

__all__ = ["COMMANDS", "add_parsers", "selected_document", "version_selector"]


def add_parsers(sub: Any) -> None:
    prompts = sub.add_parser("prompts", help="list, show and compare prompts in the library")
    psub = prompts.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )
    p = psub.add_parser("list", help="list prompts")
    p.add_argument("--all", action="store_true", help="include archived prompts")
    json_flag(p)
    p = psub.add_parser("show", help="show a version (latest by default) or the draft")
    p.add_argument("name")
    version_selector(p)
    json_flag(p)
    p = psub.add_parser("history", help="list the versions of a prompt")
    p.add_argument("name")
    json_flag(p)
    p = psub.add_parser("diff", help="compare two versions field by field")
    p.add_argument("name")
    p.add_argument("a", help="version number, label, or 'draft'")
    p.add_argument("b", help="version number, label, or 'draft'")
    json_flag(p)
    p = psub.add_parser("label", help="point a label (e.g. production) at a version")
    p.add_argument("name")
    p.add_argument("number", type=positive_int)
    p.add_argument("label")
    json_flag(p)
    p = psub.add_parser("save", help="save a native JSON prompt file as a new version")
    p.add_argument("file", type=Path)
    p.add_argument("--name", help="library name (default: the file's name field)")
    p.add_argument("-m", "--message", default="", help="version message")
    json_flag(p)
    p = psub.add_parser("render", help="render a version with variable values")
    p.add_argument("name")
    version_selector(p)
    p.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable value (repeatable)",
    )
    p.add_argument("--vars-file", type=Path, help="a JSON object of variable values")
    json_flag(p)

    p = sub.add_parser("search", help="full-text search over versions and run outputs")
    p.add_argument("text")
    p.add_argument("--limit", type=positive_int, default=50)
    p.add_argument("--all", action="store_true", help="include archived prompts")
    json_flag(p)


def version_selector(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--version", type=positive_int, dest="number", metavar="N")
    group.add_argument("--label", metavar="LABEL")
    group.add_argument("--draft", action="store_true", help="the autosaved working copy")


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
        return emit(
            args,
            rows,
            "No prompts yet. Create one in the app, or save a prompt file "
            "with 'playground prompts save FILE'.",
        )
    grid = [("NAME", "VERSIONS", "LABELS", "UPDATED")]
    for p in prompts:
        labels = ", ".join(f"{k}=v{v}" for k, v in sorted(p.labels.items()))
        name = f"{p.name} (archived)" if p.archived else p.name
        grid.append((name, str(p.version_count), labels or "-", p.updated[:16].replace("T", " ")))
    return emit(args, rows, table(grid))


def _resolve_version(store: Store, prompt_id: int, spec: str) -> tuple[str, PromptDocument]:
    """A version number, a label or 'draft', as a display name and its document."""
    if spec == "draft":
        draft = store.get_draft(prompt_id)
        if draft is None:
            raise UsageError("this prompt has no draft")
        return "draft", draft.document
    if spec.isascii() and spec.isdigit():
        try:
            number = positive_int(spec)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(str(exc)) from None
        return f"v{number}", store.get_version(prompt_id, number).document
    version = store.get_version(prompt_id, label=spec)
    return f"v{version.info.number} ({spec})", version.document


def selected_document(
    store: Store, name: str, args: argparse.Namespace
) -> tuple[str, PromptDocument, Version | None]:
    """The version ``--version``/``--label``/``--draft`` pick (default: latest, else the draft)."""
    prompt = store.get_prompt(name)
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
    which, doc, version = selected_document(store, args.name, args)
    data: dict[str, Any] = {"selected": which, "document": document.to_dict(doc)}
    if version is not None:
        data["version"] = _version_json(version.info)
    return emit(args, data, _describe(doc, which, version))


def _cmd_prompts_history(store: Store, args: argparse.Namespace) -> int:
    prompt = store.get_prompt(args.name)
    versions = store.list_versions(prompt.id)
    rows = [_version_json(v) for v in versions]
    if not versions:
        return emit(args, rows, f"'{prompt.name}' has no saved versions yet.")
    grid = [("VERSION", "CREATED", "LABELS", "MESSAGE")]
    grid += [
        (
            f"v{v.number}",
            v.created[:19].replace("T", " "),
            ", ".join(v.labels) or "-",
            v.message or "-",
        )
        for v in versions
    ]
    return emit(args, rows, table(grid))


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
        return emit(args, data, f"{name_a} and {name_b} of '{prompt.name}' are identical.")
    header = f"'{prompt.name}': {name_a} → {name_b}, {len(changes)} field(s) changed\n"
    return emit(args, data, header + diff.format_changes(changes))


def _cmd_prompts_label(store: Store, args: argparse.Namespace) -> int:
    prompt = store.get_prompt(args.name)
    before = store.labels(prompt.id).get(args.label)
    store.set_label(prompt.id, args.label, args.number)
    moved = f" (moved from v{before})" if before not in (None, args.number) else ""
    return emit(
        args,
        {"prompt": prompt.name, "label": args.label, "version": args.number, "previous": before},
        f"Label '{args.label}' of '{prompt.name}' points at v{args.number}{moved}.",
    )


def _cmd_prompts_save(store: Store, args: argparse.Namespace) -> int:
    doc = read_prompt_file(args.file)
    name = args.name or doc.name
    if not name.strip():
        raise UsageError(f"{args.file}: the prompt has no name; pass --name")
    prompt = store.get_or_create_prompt(name, doc)
    result = store.save_version(prompt.id, doc, args.message)
    v = result.version
    text = (
        f"Saved '{prompt.name}' as v{v.number}."
        if result.created
        else f"'{prompt.name}' v{v.number} already has this content; no new version."
    )
    return emit(args, {"prompt": prompt.name, **_version_json(v), "new": result.created}, text)


def _cmd_prompts_render(store: Store, args: argparse.Namespace) -> int:
    _, doc, _ = selected_document(store, args.name, args)
    values: dict[str, str] = {}
    if args.vars_file is not None:
        values.update(read_vars_file(args.vars_file))
    for item in args.var:
        name, value = parse_var(item)
        values[name] = value
    request = templates.render(doc, values)
    if args.json:
        return emit(args, request.to_dict(), "")
    parts = [f"[system]\n{request.system}"] if request.system else []
    parts += [f"[{m.role}]\n{m.content}" for m in request.messages]
    return emit(args, None, "\n\n".join(parts))


def _cmd_search(store: Store, args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise UsageError("search needs some text to look for")
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
        return emit(args, rows, f"Nothing matches '{args.text}'.")
    lines = []
    for h in hits:
        where = f"v{h.version_number}" if h.kind == "version" else f"run #{h.run_id}"
        snippet = " ".join(h.snippet.split())
        lines.append(f"{h.prompt_name}  {where}  {snippet}")
    return emit(args, rows, "\n".join(lines))


COMMANDS: dict[tuple[str, str | None], Handler] = {
    ("prompts", "list"): _cmd_prompts_list,
    ("prompts", "show"): _cmd_prompts_show,
    ("prompts", "history"): _cmd_prompts_history,
    ("prompts", "diff"): _cmd_prompts_diff,
    ("prompts", "label"): _cmd_prompts_label,
    ("prompts", "save"): _cmd_prompts_save,
    ("prompts", "render"): _cmd_prompts_render,
    ("search", None): _cmd_search,
}


def _version_json(v: Any) -> dict[str, Any]:
    return {
        "number": v.number,
        "parent": v.parent_number,
        "hash": v.hash,
        "message": v.message,
        "created": v.created,
        "labels": list(v.labels),
    }


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
