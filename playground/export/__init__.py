"""Export prompts as runnable code or prompt files, and import prompt files.

Pure Python: no Qt, no SDK. See :mod:`playground.export.registry` for the
formats and :mod:`playground.export.base` for the shared types.
"""

from playground.export.base import (
    ExportFile,
    ExportOptions,
    ExportResult,
    FormatError,
    HistoryEntry,
    ImportResult,
)
from playground.export.registry import (
    FORMAT_IDS,
    FORMATS,
    export_document,
    get_format,
    import_path,
    import_text,
)

__all__ = [
    "FORMATS",
    "FORMAT_IDS",
    "ExportFile",
    "ExportOptions",
    "ExportResult",
    "FormatError",
    "HistoryEntry",
    "ImportResult",
    "export_document",
    "get_format",
    "import_path",
    "import_text",
]
