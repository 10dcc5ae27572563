"""``playground export`` and ``playground import``: prompt files and code, headless.

``export`` prints the main file to stdout (or writes it with ``-o``) and lists
on stderr, as warnings, whatever the format cannot carry. ``import`` reads
each file and saves its prompts in the library, going on past a bad file;
it exits 1 when any file failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Literal

from playground import exchange
from playground.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Handler,
    UsageError,
    json_flag,
    parse_var,
    positive_int,
    read_prompt_file,
    read_vars_file,
)
from playground.commands.prompts import selected_document, version_selector
from playground.core.document import PromptDocument
from playground.core.errors import PlaygroundError
from playground.export import registry
from playground.export.base import ExportResult, HistoryEntry
from playground.store import Store

__all__ = ["COMMANDS", "add_parsers"]


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("export", help="export a prompt as runnable code or as a prompt file")
    p.add_argument("prompt", metavar="NAME_OR_FILE", help="a library name or a prompt file")
    p.add_argument(
        "--format",
        "-f",
        required=True,
        choices=registry.FORMAT_IDS,
        metavar="FORMAT",
        help="one of: " + ", ".join(registry.FORMAT_IDS),
    )
    version_selector(p)
    p.add_argument(
        "--target",
        type=positive_int,
        default=1,
        metavar="N",
        help="which of the prompt's targets the code calls (1 = the first; default 1)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write here (a folder takes the default file names); default: print the main file",
    )
    p.add_argument(
        "--parameters",
        action="store_true",
        help="code takes the variables as function parameters instead of inlining their values",
    )
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--vars-file", type=Path, help="a JSON object of variable values")
    p.add_argument("--stream", action="store_true", help="code streams the answer")
    p.add_argument(
        "--flatten-examples",
        action="store_true",
        help="code folds the n-shot examples into the system prompt instead of sending turns",
    )
    p.add_argument(
        "--history",
        action="store_true",
        help="native JSON only: include every saved version",
    )
    json_flag(p)

    p = sub.add_parser(
        "import", help="save prompt files (.prompty, promptfoo, JSON) in the library"
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--name", help="library name for the prompt (one file with one prompt only)")
    p.add_argument("-m", "--message", help="version message (default: 'Imported from FILE')")
    json_flag(p)


# ---------------------------------------------------------------- export


def _cmd_export(store: Store, args: argparse.Namespace) -> int:
    doc, history = _export_source(store, args)
    if args.target > max(len(doc.targets), 1):
        raise UsageError(f"--target {args.target}: the prompt has {len(doc.targets)} target(s)")
    if args.history and args.format != "json":
        raise UsageError("--history works with --format json only")
    values: dict[str, str] = {}
    if args.vars_file is not None:
        values.update(read_vars_file(args.vars_file))
    values.update(parse_var(item) for item in args.var)
    variables: Literal["inline", "parameters"] = "parameters" if args.parameters else "inline"
    examples: Literal["turns", "flattened"] = "flattened" if args.flatten_examples else "turns"
    options = exchange.export_options(
        store,
        target=args.target - 1,
        variables=variables,
        values=values,
        stream=args.stream,
        examples=examples,
        history=history,
        stem=args.output.stem if _is_file_output(args) else "",
    )
    result = registry.export_document(doc, args.format, options)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(_export_json(result))
        return EXIT_OK
    if args.output is None:
        if len(result.files) > 1:
            others = ", ".join(f.name for f in result.files[1:])
            raise UsageError(
                f"this format writes {len(result.files)} files ({result.main.name}, {others}); "
                "pass -o FOLDER or -o FILE"
            )
        sys.stdout.write(result.main.text)
        return EXIT_OK
    main_path = args.output / result.main.name if args.output.is_dir() else args.output
    written = exchange.write_export(result, main_path)
    for path in written:
        print(f"Wrote {path}", file=sys.stderr)
    return EXIT_OK


def _is_file_output(args: argparse.Namespace) -> bool:
    # A named output file names the files; promptfoo's config keeps its conventional name.
    return (
        args.output is not None and not args.output.is_dir() and args.format not in ("promptfoo",)
    )


def _export_source(
    store: Store, args: argparse.Namespace
) -> tuple[PromptDocument, tuple[HistoryEntry, ...]]:
    path = Path(args.prompt)
    if path.suffix.lower() in registry.IMPORT_SUFFIXES or (path.exists() and not path.is_dir()):
        if args.number is not None or args.label is not None or args.draft:
            raise UsageError("--version, --label and --draft apply to library prompts, not files")
        if args.history:
            raise UsageError("--history applies to library prompts, not files")
        return read_prompt_file(path, quiet=args.json), ()
    _, doc, _ = selected_document(store, args.prompt, args)
    history = (
        exchange.history_entries(store, store.get_prompt(args.prompt).id) if args.history else ()
    )
    return doc, history


def _export_json(result: ExportResult) -> str:
    import json

    return json.dumps(
        {
            "files": [{"name": f.name, "text": f.text} for f in result.files],
            "warnings": list(result.warnings),
        },
        indent=2,
        ensure_ascii=False,
    )


# ---------------------------------------------------------------- import


def _cmd_import(store: Store, args: argparse.Namespace) -> int:
    if args.name is not None and len(args.files) != 1:
        raise UsageError("--name works with one file only")
    rows: list[dict[str, Any]] = []
    failed = False
    for path in args.files:
        try:
            results = registry.import_path(path)
            if args.name is not None and len(results) != 1:
                raise UsageError(f"{path}: holds {len(results)} prompts; --name needs one")
            for result in results:
                outcome = exchange.import_into_store(
                    store, result, name=args.name, message=args.message
                )
                rows.append(_outcome_json(outcome))
                if not args.json:
                    print(_describe(outcome))
                    for warning in outcome.warnings:
                        print(f"  warning: {warning}", file=sys.stderr)
        except PlaygroundError as exc:
            failed = True
            rows.append({"source": str(path), "error": str(exc)})
            print(f"playground: error: {exc}", file=sys.stderr)
    if args.json:
        import json

        print(json.dumps(rows, indent=2, ensure_ascii=False))
    return EXIT_FAILURE if failed else EXIT_OK


def _describe(outcome: exchange.ImportOutcome) -> str:
    where = outcome.source
    if outcome.created:
        history = (
            f", with {outcome.history} earlier version(s) from its history"
            if outcome.history
            else ""
        )
        return f"{where}: imported '{outcome.name}' as a new prompt (v{outcome.version}{history})."
    if outcome.saved:
        return f"{where}: saved '{outcome.name}' as v{outcome.version}."
    return f"{where}: '{outcome.name}' unchanged (same as v{outcome.version})."


def _outcome_json(outcome: exchange.ImportOutcome) -> dict[str, Any]:
    return {
        "source": outcome.source,
        "prompt": outcome.name,
        "created": outcome.created,
        "version": outcome.version,
        "newVersion": outcome.saved,
        "historyVersions": outcome.history,
        "warnings": list(outcome.warnings),
    }


COMMANDS: dict[tuple[str, str | None], Handler] = {
    ("export", None): _cmd_export,
    ("import", None): _cmd_import,
}
