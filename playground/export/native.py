"""The native JSON prompt file: lossless, with ``schemaVersion``, optionally with history.

The file is the document's canonical object (see ``docs/prompt-format.md``),
pretty-printed. With history, one more key, ``history``, lists the saved
versions oldest first::

    "history": [{"number": 1, "message": "first", "created": "2026-...Z",
                 "labels": ["production"], "document": {...}}, ...]

Everything the app keeps in a document survives a round trip, so an export
never has warnings unless a history entry is dropped for being invalid.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playground.core import document
from playground.core.document import JSONValue, PromptDocument
from playground.core.errors import DocumentError
from playground.export.base import (
    ExportFile,
    ExportOptions,
    ExportResult,
    FormatError,
    HistoryEntry,
    ImportResult,
    ImportSource,
    json_line,
)

__all__ = ["export", "file_stem", "parse_failure", "read"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(doc: PromptDocument, options: ExportOptions) -> str:
    """A file name stem from the prompt's name: letters, digits, ``.``, ``_`` and ``-``."""
    stem = options.stem or _UNSAFE.sub("-", doc.name).strip("-.")
    return stem or "prompt"


def export(doc: PromptDocument, options: ExportOptions) -> ExportResult:
    data: dict[str, JSONValue] = document.to_dict(doc)
    if options.history:
        data["history"] = [_entry_to_dict(e) for e in options.history]
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return ExportResult(files=(ExportFile(f"{file_stem(doc, options)}.json", text, "json"),))


def _entry_to_dict(entry: HistoryEntry) -> dict[str, JSONValue]:
    return {
        "number": entry.number,
        "message": entry.message,
        "created": entry.created,
        "labels": list(entry.labels),
        "document": document.to_dict(entry.document),
    }


def read(source: ImportSource) -> list[ImportResult]:
    text = source.text
    try:
        data = document.parse_json(text)
    except DocumentError as exc:
        raise parse_failure(source, exc) from None
    if not isinstance(data, dict):
        raise FormatError(source.source, "a native prompt file must be a JSON object", 1)
    history_value = data.pop("history", None)
    try:
        doc = document.from_dict(data)
    except DocumentError as exc:
        raise _located(source, text, exc) from None
    history = _history(source, text, history_value)
    return [ImportResult(document=doc, source=source.source, history=history)]


def parse_failure(source: ImportSource, exc: DocumentError) -> FormatError:
    """A :func:`document.parse_json` error as a FormatError with its line.

    The only parse error with a path is a key given twice; it is shown at the
    key's second appearance in the text (found by its spelling, so a best effort).
    """
    if not exc.path:
        return FormatError(source.source, exc.reason, exc.line)
    spelled = re.compile(re.escape(json.dumps(exc.path, ensure_ascii=False)) + r"\s*:")
    found = list(spelled.finditer(source.text))
    line = source.text.count("\n", 0, found[1].start()) + 1 if len(found) > 1 else None
    return FormatError(source.source, f"{exc.path!r} {exc.reason}", line)


def _located(source: ImportSource, text: str, exc: DocumentError, prefix: str = "") -> FormatError:
    """The error at its line; a missing field is reported at its parent's line."""
    full = f"{prefix}{exc.path}" if exc.path else prefix.rstrip(".")
    path, line = full, None
    while path and line is None:
        line = json_line(text, path)
        shorter = re.sub(r"(\.[^.\[\]]*|\[\d+\]|^[^.\[\]]*)$", "", path)
        if shorter == path:  # a key such as "a]b" that the pattern cannot take apart
            break
        path = shorter
    return FormatError(source.source, f"{full or 'the file'}: {exc.reason}", line or 1)


def _history(source: ImportSource, text: str, value: Any) -> tuple[HistoryEntry, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FormatError(source.source, "history: must be an array", json_line(text, "history"))
    entries: list[HistoryEntry] = []
    numbers: set[int] = set()
    for i, item in enumerate(value):
        where = f"history[{i}]"
        line = json_line(text, where)
        if not isinstance(item, dict) or "document" not in item:
            raise FormatError(source.source, f"{where}: must be an object with a document", line)
        unknown = set(item) - {"number", "message", "created", "labels", "document"}
        if unknown:
            raise FormatError(source.source, f"{where}: unknown field {sorted(unknown)[0]!r}", line)
        number = item.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise FormatError(
                source.source, f"{where}.number: must be a positive whole number", line
            )
        if number in numbers or (entries and number <= entries[-1].number):
            raise FormatError(source.source, f"{where}.number: versions must count up", line)
        numbers.add(number)
        message, created = item.get("message", ""), item.get("created", "")
        labels = item.get("labels", [])
        if not isinstance(message, str) or not isinstance(created, str):
            raise FormatError(source.source, f"{where}: message and created must be text", line)
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise FormatError(source.source, f"{where}.labels: must be an array of text", line)
        try:
            doc = document.from_dict(item["document"])
        except DocumentError as exc:
            raise _located(source, text, exc, f"{where}.document.") from None
        entries.append(HistoryEntry(number, doc, message, created, tuple(labels)))
    return tuple(entries)
