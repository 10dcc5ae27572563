"""``playground run``: one prompt against several models at once, from the terminal.

With one target and one row the text streams to stdout as it arrives and
the figures go to stderr, so the output can be piped. With several targets,
each output is printed under a header, then a summary table. ``--json``
prints one JSON object per target (and row) per line. Exit 0 when every
target succeeded, 1 when any failed or was stopped, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import io
import json
import math
import sys
from pathlib import Path
from typing import Any

from playground.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Handler,
    UsageError,
    json_flag,
    open_keystore,
    parse_var,
    read_prompt_file,
    read_vars_file,
    table,
)
from playground.commands.prompts import selected_document, version_selector
from playground.core import templates
from playground.core.document import PromptDocument, Target
from playground.core.errors import PlaygroundError
from playground.core.events import Retrying, TextDelta
from playground.core.provider_config import parse_target_spec
from playground.core.request import RenderedRequest
from playground.core.runner import Completed, Runner, RunTarget, TargetResult
from playground.export.registry import IMPORT_SUFFIXES
from playground.providers.base import Timeouts
from playground.running import context_for, load_prices, make_runner, prepare_targets
from playground.store import Store

__all__ = ["COMMANDS", "add_parsers"]

MAX_ROWS_FILE_BYTES = 20_000_000


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("run", help="run a prompt against one or more models")
    p.add_argument("prompt", metavar="FILE_OR_NAME", help="a prompt file or a library name")
    version_selector(p)
    p.add_argument(
        "--model",
        "-m",
        action="append",
        default=[],
        metavar="PROVIDER:MODEL",
        help="a target, e.g. openai:gpt-4o-mini or ollama:llama3.2:3b (repeatable; "
        "default: the prompt's own targets)",
    )
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument(
        "--vars-file", type=Path, help="variable values: a JSON object, or rows as CSV or JSONL"
    )
    p.add_argument("--cache", action="store_true", help="answer from the response cache")
    p.add_argument(
        "--timeout", type=float, default=60.0, help="idle timeout: seconds without new output"
    )
    p.add_argument("--connect-timeout", type=float, default=10.0, help="seconds to connect")
    p.add_argument("--retries", type=int, default=2, help="retries of retryable errors")
    json_flag(p)


def _cmd_run(store: Store, args: argparse.Namespace) -> int:
    for value in (args.timeout, args.connect_timeout):
        if not (math.isfinite(value) and 0 < value <= 3600):
            raise UsageError("--timeout and --connect-timeout take 0 to 3600 seconds")
    if not 0 <= args.retries <= 10:
        raise UsageError("--retries takes 0 to 10")
    doc = _load_prompt(store, args)
    targets = _targets(doc, args.model)
    rows = _rows(args)
    # Every row is rendered before the first request, so a bad row costs nothing.
    requests = []
    for number, values in enumerate(rows, 1):
        try:
            requests.append(templates.render(doc, values))
        except PlaygroundError as exc:
            where = f"row {number}: " if len(rows) > 1 else ""
            raise UsageError(f"{where}{exc}") from None
    keys = open_keystore()
    if keys.warning and not args.json:
        print(f"note: {keys.warning}", file=sys.stderr)
    timeouts = Timeouts(connect=args.connect_timeout, idle=args.timeout)
    # Providers, keys, prices and the prompt's place in the library are the
    # same for every row; only the values and the request change.
    prepared = prepare_targets(store, keys, targets, timeouts=timeouts, max_retries=args.retries)
    prices = load_prices()
    base = context_for(store, doc, {})
    failed = False
    for number, (values, request) in enumerate(zip(rows, requests, strict=True), 1):
        context = dataclasses.replace(base, variables=templates.effective_values(doc, values))
        runner = make_runner(store, context, prices=prices)
        row = number if len(rows) > 1 else None
        try:
            results = asyncio.run(_drive(runner, request, prepared, args, row))
        except KeyboardInterrupt:
            print("\nStopped; partial outputs were saved.", file=sys.stderr)
            return 130
        failed = failed or any(r.status != "ok" for r in results)
    return EXIT_FAILURE if failed else EXIT_OK


def _load_prompt(store: Store, args: argparse.Namespace) -> PromptDocument:
    path = Path(args.prompt)
    if path.suffix.lower() in IMPORT_SUFFIXES or (path.exists() and not path.is_dir()):
        if args.number is not None or args.label is not None or args.draft:
            raise UsageError("--version, --label and --draft apply to library prompts, not files")
        doc = read_prompt_file(path, quiet=args.json)
        # Runs are logged under the prompt's name; a file may leave it empty.
        name = " ".join(doc.name.split()) or path.stem
        return dataclasses.replace(doc, name=name)
    _, doc, _ = selected_document(store, args.prompt, args)
    return doc


def _targets(doc: PromptDocument, specs: list[str]) -> list[Target]:
    if not specs:
        if not doc.targets:
            raise UsageError(
                "the prompt has no targets; pass --model PROVIDER:MODEL (e.g. openai:gpt-4o-mini)"
            )
        return list(doc.targets)
    by_label = {t.label: t for t in doc.targets}
    out = []
    for spec in specs:
        try:
            provider, model = parse_target_spec(spec)
        except Exception as exc:
            raise UsageError(str(exc)) from None
        # A target the prompt already has keeps its parameters and schema.
        out.append(by_label.get(f"{provider}:{model}", Target(provider, model)))
    return out


def _rows(args: argparse.Namespace) -> list[dict[str, str]]:
    base = dict(parse_var(item) for item in args.var)
    path: Path | None = args.vars_file
    if path is None:
        return [base]
    suffix = path.suffix.lower()
    if suffix == ".json":
        return [{**read_vars_file(path), **base}]
    if suffix not in (".csv", ".jsonl"):
        raise UsageError(f"{path}: --vars-file takes .json, .csv or .jsonl")
    try:
        if path.stat().st_size > MAX_ROWS_FILE_BYTES:
            raise UsageError(f"{path}: larger than {MAX_ROWS_FILE_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    rows = _csv_rows(path, text) if suffix == ".csv" else _jsonl_rows(path, text)
    if not rows:
        raise UsageError(f"{path}: has no rows")
    return [{**row, **base} for row in rows]


def _csv_rows(path: Path, text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    names = reader.fieldnames
    if not names or any(not (f or "").strip() for f in names):
        raise UsageError(f"{path}: the first line must name every column")
    if len(set(names)) != len(names):
        raise UsageError(f"{path}: a column name appears twice in the first line")
    rows = []
    for row in reader:
        if None in row:
            raise UsageError(f"{path}:{reader.line_num}: more values than columns")
        if any(value is None for value in row.values()):
            raise UsageError(f"{path}:{reader.line_num}: fewer values than columns")
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows


def _jsonl_rows(path: Path, text: str) -> list[dict[str, str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise UsageError(f"{path}:{number}: each line must be a JSON object")
        for key, value in row.items():
            if value is None:
                raise UsageError(f"{path}:{number}: '{key}' is null; give it a value")
        rows.append({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in row.items()})
    return rows


async def _drive(
    runner: Runner,
    request: RenderedRequest,
    prepared: list[RunTarget],
    args: argparse.Namespace,
    row: int | None,
) -> list[TargetResult]:
    streaming = len(prepared) == 1 and row is None and not args.json
    results: dict[str, TargetResult] = {}
    partial: dict[str, list[str]] = {t.id: [] for t in prepared}
    try:
        async for update in runner.run(request, prepared, use_cache=args.cache):
            event = update.event
            if isinstance(event, TextDelta):
                partial[update.target_id].append(event.text)
                if streaming:
                    sys.stdout.write(event.text)
                    sys.stdout.flush()
            elif isinstance(event, Retrying) and not args.json:
                target = next(t.target.label for t in prepared if t.id == update.target_id)
                print(
                    f"{target}: retrying in {event.wait_s:.1f} s ({event.reason})", file=sys.stderr
                )
            elif isinstance(event, Completed):
                results[update.target_id] = event.result
    except asyncio.CancelledError:
        # Ctrl-C: show what every target had said so far, then stop.
        for t in prepared:
            if t.id not in results:
                results[t.id] = TargetResult(
                    t.id, t.target, "cancelled", "".join(partial[t.id]), error="Stopped."
                )
        _report([results[t.id] for t in prepared], args, row, streaming)
        raise
    ordered = [results[t.id] for t in prepared]
    _report(ordered, args, row, streaming)
    return ordered


def _report(
    ordered: list[TargetResult], args: argparse.Namespace, row: int | None, streaming: bool
) -> None:
    if args.json:
        for result in ordered:
            print(json.dumps(_result_json(result, row), ensure_ascii=False))
    elif streaming:
        result = ordered[0]
        if result.output and not result.output.endswith("\n"):
            sys.stdout.write("\n")
        if result.status != "ok":
            print(f"playground: error: {result.error}", file=sys.stderr)
        print(_summary(ordered), file=sys.stderr)
    else:
        _print_outputs(ordered, row)
    sys.stdout.flush()


def _print_outputs(results: list[TargetResult], row: int | None) -> None:
    for result in results:
        title = f"{result.target.label}" + (f" · row {row}" if row is not None else "")
        print(f"== {title} ==")
        if result.output:
            print(result.output.rstrip("\n"))
        if result.status != "ok":
            print(f"[{result.status}] {result.error}")
        print()
    print(_summary(results))


def _fmt(value: float | None, unit: str, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}{unit}"


def _summary(results: list[TargetResult]) -> str:
    rows = [("TARGET", "STATUS", "TTFT", "TOTAL", "TOKENS IN/OUT", "TOK/S", "COST")]
    for r in results:
        status = r.status + (" (cached)" if r.cached else "")
        tokens = f"{_fmt(r.input_tokens, '')}/{_fmt(r.output_tokens, '')}"
        if r.tokens_estimated:
            tokens += " (est.)"
        rows.append(
            (
                r.target.label,
                status,
                _fmt(r.ttft_ms, " ms"),
                _fmt(r.total_ms, " ms"),
                tokens,
                _fmt(r.tokens_per_s, "", 1),
                "-" if r.cost is None else f"${r.cost:.6f}",
            )
        )
    return table(rows)


def _result_json(r: TargetResult, row: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "target": r.target.label,
        "status": r.status,
        "output": r.output,
        "finishReason": r.finish_reason,
        "tokensIn": r.input_tokens,
        "tokensOut": r.output_tokens,
        "tokensEstimated": r.tokens_estimated,
        "ttftMs": r.ttft_ms,
        "totalMs": r.total_ms,
        "tokensPerSecond": r.tokens_per_s,
        "cost": r.cost,
        "cached": r.cached,
        "retries": r.retries,
        "error": r.error,
        "errorKind": r.error_kind,
        "schemaValid": r.schema_valid,
        "schemaError": r.schema_error,
    }
    if row is not None:
        data["row"] = row
    return data


COMMANDS: dict[tuple[str, str | None], Handler] = {("run", None): _cmd_run}
