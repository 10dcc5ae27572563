"""Every export format and importer, by id, and how a file finds its importer.

The table is data; each format's module is imported only when it is used,
so opening the app does not pay for code generation it may never need.

===================  ======  ==================================  ========
id                   kind    module                              imports
===================  ======  ==================================  ========
python-openai        code    playground.export.code              no
python-anthropic     code    playground.export.code              no
ts-openai            code    playground.export.code              no
ts-anthropic         code    playground.export.code              no
curl                 code    playground.export.code              no
prompty              file    playground.export.prompty           yes
promptfoo            file    playground.export.promptfoo         yes
json                 file    playground.export.native            yes
dotprompt            file    playground.export.dotprompt         no
===================  ======  ==================================  ========
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from playground.core.document import PromptDocument
from playground.export.base import (
    ExportOptions,
    ExportResult,
    FormatError,
    ImportResult,
    ImportSource,
    folder_sibling_reader,
    read_text_file,
)

__all__ = [
    "FORMATS",
    "FORMAT_IDS",
    "IMPORT_SUFFIXES",
    "ExportFormat",
    "export_document",
    "format_for_file",
    "get_format",
    "import_path",
    "import_text",
]

Exporter = Callable[[PromptDocument, ExportOptions], ExportResult]
Importer = Callable[[ImportSource], list[ImportResult]]


@dataclass(frozen=True)
class ExportFormat:
    """One entry of the table: what it is called and where its code lives."""

    id: str
    label: str
    kind: Literal["code", "file"]
    module: str
    exporter: str
    importer: str | None = None

    def export(self, doc: PromptDocument, options: ExportOptions) -> ExportResult:
        return cast(Exporter, self._function(self.exporter))(doc, options)

    def read(self, source: ImportSource) -> list[ImportResult]:
        if self.importer is None:
            raise FormatError(source.source, f"{self.label} files can be exported, not imported")
        try:
            return cast(Importer, self._function(self.importer))(source)
        except RecursionError:
            # e.g. a template with thousands of chained filters, analysed after parsing
            raise FormatError(source.source, "is nested too deeply to read") from None

    def _function(self, name: str) -> object:
        return getattr(importlib.import_module(self.module), name)


_CODE = "playground.export.code"

FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("python-openai", "Python (openai SDK)", "code", _CODE, "export_python_openai"),
    ExportFormat(
        "python-anthropic", "Python (anthropic SDK)", "code", _CODE, "export_python_anthropic"
    ),
    ExportFormat("ts-openai", "TypeScript (openai)", "code", _CODE, "export_ts_openai"),
    ExportFormat(
        "ts-anthropic", "TypeScript (@anthropic-ai/sdk)", "code", _CODE, "export_ts_anthropic"
    ),
    ExportFormat("curl", "curl", "code", _CODE, "export_curl"),
    ExportFormat(
        "prompty", "Prompty (.prompty)", "file", "playground.export.prompty", "export", "read"
    ),
    ExportFormat(
        "promptfoo",
        "promptfoo (promptfooconfig.yaml)",
        "file",
        "playground.export.promptfoo",
        "export",
        "read",
    ),
    ExportFormat("json", "Native JSON", "file", "playground.export.native", "export", "read"),
    ExportFormat(
        "dotprompt", "Dotprompt (.prompt)", "file", "playground.export.dotprompt", "export"
    ),
)
FORMAT_IDS: tuple[str, ...] = tuple(f.id for f in FORMATS)
#: File name endings that :func:`import_path` knows, for file dialogs and drops.
IMPORT_SUFFIXES: tuple[str, ...] = (".prompty", ".json", ".yaml", ".yml")


def get_format(format_id: str) -> ExportFormat:
    for fmt in FORMATS:
        if fmt.id == format_id:
            return fmt
    raise FormatError("", f"unknown format {format_id!r}; choose one of: {', '.join(FORMAT_IDS)}")


def export_document(
    doc: PromptDocument, format_id: str, options: ExportOptions | None = None
) -> ExportResult:
    """Export ``doc`` in the format ``format_id``."""
    return get_format(format_id).export(doc, options or ExportOptions())


def format_for_file(name: str, text: str, source: str) -> ExportFormat:
    """The format that reads a file called ``name`` holding ``text``; FormatError if none."""
    suffix = Path(name).suffix.lower()
    if suffix == ".prompty":
        return get_format("prompty")
    if suffix in (".yaml", ".yml"):
        return get_format("promptfoo")
    if suffix == ".json":
        # A JSON array is promptfoo's chat prompt; an object is our native file.
        return get_format("promptfoo" if text.lstrip().startswith("[") else "json")
    if suffix == ".prompt":
        raise FormatError(
            source,
            "Dotprompt (.prompt) files can be exported but not imported; "
            "import a .prompty, promptfoo or native JSON file instead",
        )
    raise FormatError(
        source,
        "is not a prompt file this app reads: use a .prompty, a promptfoo config "
        "(.yaml), a promptfoo chat prompt or a native prompt (.json)",
    )


def import_text(text: str, name: str, *, source: str | None = None) -> list[ImportResult]:
    """Import text that came with a file name but no folder (pasted or dropped)."""
    shown = source or name
    fmt = format_for_file(name, text, shown)
    return fmt.read(ImportSource(text=text, source=shown, name=Path(name).stem))


def import_path(path: Path) -> list[ImportResult]:
    """Import the prompt file at ``path``; it may refer to files in its folder."""
    text = read_text_file(path)
    fmt = format_for_file(path.name, text, str(path))
    return fmt.read(
        ImportSource(
            text=text, source=str(path), name=path.stem, sibling=folder_sibling_reader(path)
        )
    )
