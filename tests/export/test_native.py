"""The native JSON format: lossless, versioned, optionally with the version history.

Goldens live in ``tests/golden/export/json/``; ``UPDATE_GOLDEN=1`` rewrites them
(review the diff before committing it).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core import document
from playground.core.document import (
    Example,
    Message,
    Parameters,
    PromptDocument,
    Target,
    Variable,
)
from playground.export import native, registry
from playground.export.base import ExportOptions, FormatError, HistoryEntry, ImportSource
from tests.strategies import documents, text

GOLDEN = Path(__file__).parents[1] / "golden" / "export" / "json"

DOC = PromptDocument(
    name="Support reply",
    description="Answers a customer.",
    tags=("support",),
    system="You are an agent for {{ company }}.",
    messages=(Message("user", "{{ question }}"),),
    examples=(Example("Hi", "Hello!", note="greeting"), Example("x", "y", enabled=False)),
    variables=(Variable("company", "ACME", "brand"), Variable("question")),
    targets=(
        Target("openai", "gpt-4o-mini", Parameters(temperature=0.5, stop=("END",), seed=-1)),
        Target("ollama", "llama3.2:3b", json_schema_text=Target.schema_text({"type": "object"})),
    ),
)
HISTORY = (
    HistoryEntry(1, PromptDocument("Support reply"), "first", "2026-01-02T03:04:05Z"),
    HistoryEntry(2, DOC, "with examples", "2026-02-03T04:05:06Z", ("production",)),
)


def _read(text: str, name: str = "p.json") -> list:  # type: ignore[type-arg]
    return native.read(ImportSource(text, name, Path(name).stem))


def _golden(name: str, produced: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(produced, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == produced


def test_export_matches_the_golden_file() -> None:
    result = native.export(DOC, ExportOptions())
    assert [f.name for f in result.files] == ["Support-reply.json"]
    assert result.warnings == ()
    _golden("support-reply.json", result.main.text)


def test_export_with_history_matches_the_golden_file() -> None:
    result = native.export(DOC, ExportOptions(history=HISTORY))
    _golden("support-reply-history.json", result.main.text)
    assert json.loads(result.main.text)["history"][1]["labels"] == ["production"]


def test_the_golden_files_read_back_equal(tmp_path: Path) -> None:
    [plain] = registry.import_path(GOLDEN / "support-reply.json")
    assert plain.document == DOC
    assert plain.history == ()
    [full] = registry.import_path(GOLDEN / "support-reply-history.json")
    assert full.document == DOC
    assert full.history == HISTORY


@settings(max_examples=200, deadline=None)
@given(documents())
def test_round_trip_gives_an_equal_document(doc: PromptDocument) -> None:
    result = native.export(doc, ExportOptions())
    [back] = _read(result.main.text, result.main.name)
    assert back.document == doc
    assert back.history == ()
    assert back.warnings == ()


_entries = st.lists(
    st.tuples(st.integers(1, 3), documents(), text, text, st.lists(text, max_size=2)),
    max_size=3,
)


@settings(max_examples=100, deadline=None)
@given(documents(), _entries)
def test_round_trip_keeps_the_history(doc: PromptDocument, raw: list) -> None:  # type: ignore[type-arg]
    number, history = 0, []
    for step, entry_doc, message, created, labels in raw:
        number += step  # version numbers count up, with gaps where versions were deleted
        history.append(HistoryEntry(number, entry_doc, message, created, tuple(labels)))
    result = native.export(doc, ExportOptions(history=tuple(history)))
    [back] = _read(result.main.text)
    assert back.document == doc
    assert list(back.history) == history


def _lines(obj: object) -> str:
    return json.dumps(obj, indent=2)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{\n  "name": "x",\n  "system": "a\n}', 3, "not valid JSON"),
        ('{\n  "name": "x",\n  "tags": "a"\n}', 3, "tags: must be an array, not a string"),
        ('{\n  "name": "x",\n  "colour": "red"\n}', 3, "colour: unknown field"),
        (
            '{\n  "name": "x",\n  "targets": [\n    {"provider": "openai",\n'
            '     "model": 5}\n  ]\n}',
            5,
            r"targets\[0\]\.model: must be a string",
        ),
        ('{\n  "name": "x",\n  "name": "y"\n}', 3, "'name' appears twice"),
        ("[1, 2]", 1, "must be a JSON object"),
        ('{\n  "description": "no name"\n}', 1, "name: is required"),
    ],
)
def test_errors_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError, match=message) as caught:
        _read(text, "bad.json")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"bad.json:{line}: ")


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ('"all of it"', "history: must be an array"),
        ('[\n    {"number": 1}\n  ]', r"history\[0\]: must be an object with a document"),
        (
            '[\n    {"number": 0, "document": {"name": "a"}}\n  ]',
            r"history\[0\]\.number: must be a positive",
        ),
        (
            '[\n    {"number": 2, "document": {"name": "a"}},\n'
            '    {"number": 1, "document": {"name": "b"}}\n  ]',
            r"history\[1\]\.number: versions must count up",
        ),
        (
            '[\n    {"number": 1, "note": "", "document": {"name": "a"}}\n  ]',
            "unknown field 'note'",
        ),
        (
            '[\n    {"number": 1, "document": {"name": 3}}\n  ]',
            r"history\[0\]\.document\.name: must be a string",
        ),
    ],
)
def test_a_bad_history_entry_names_its_line(history: str, message: str) -> None:
    text = '{\n  "name": "x",\n  "history": ' + history + "\n}"
    with pytest.raises(FormatError, match=message) as caught:
        _read(text, "h.json")
    assert caught.value.line is not None
    assert caught.value.line >= 3


def test_a_file_from_a_newer_version_is_refused_with_what_to_do() -> None:
    newer = _lines({"schemaVersion": document.SCHEMA_VERSION + 1, "name": "x", "future": 1})
    with pytest.raises(FormatError, match="upgrade the app to open it") as caught:
        _read(newer)
    assert caught.value.line == 2
    assert f"format version {document.SCHEMA_VERSION + 1}" in str(caught.value)


def test_the_documented_history_example_imports() -> None:
    doc_path = Path(__file__).parents[2] / "docs" / "prompt-format.md"
    blocks = re.findall(r"```json\n(.*?)```", doc_path.read_text("utf-8"), re.DOTALL)
    [result] = registry.import_text(blocks[2], "hello.json")
    assert result.document == PromptDocument(name="Hello", system="Be brief.")
    assert [(e.number, e.message, e.labels) for e in result.history] == [
        (1, "first cut", ()),
        (2, "shorter", ("production",)),
    ]
    assert result.history[1].document == result.document
