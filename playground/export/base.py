"""What every exporter and importer shares: options, results, errors and limits.

An exporter turns one :class:`~playground.core.document.PromptDocument` into
one or more :class:`ExportFile` values plus the warnings that name whatever
the format could not carry. An importer turns the text of a file (and, for
formats that point at other files, its siblings) into :class:`ImportResult`
values. Both are plain functions registered in :mod:`playground.export.registry`.

Nothing here touches the disk except :func:`read_text_file`, which enforces
the size limit and the UTF-8 rule for every importer alike. No export ever
contains a key: exporters see :class:`~playground.core.provider_config.ProviderConfig`
values, which name the environment variable that holds a key, never the key.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from playground.core.document import PromptDocument
from playground.core.errors import PlaygroundError
from playground.core.provider_config import BUILTIN_PROVIDERS, ProviderConfig

__all__ = [
    "MAX_IMPORT_BYTES",
    "ExportFile",
    "ExportOptions",
    "ExportResult",
    "FormatError",
    "HistoryEntry",
    "ImportResult",
    "ImportSource",
    "builtin_providers",
    "folder_sibling_reader",
    "json_line",
    "read_text_file",
]

#: Files larger than this are refused before they are parsed.
MAX_IMPORT_BYTES = 5_000_000

ExamplesMode = Literal["turns", "flattened"]
VariablesMode = Literal["inline", "parameters"]


class FormatError(PlaygroundError):
    """A file that cannot be imported, or a document that cannot be exported.

    ``source`` is what the user knows the file as (its path); ``line`` is
    1-based when the problem has a place. ``str()`` reads ``source:line: message``.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class HistoryEntry:
    """One saved version carried by a file (native JSON can hold the whole history)."""

    number: int
    document: PromptDocument
    message: str = ""
    created: str = ""
    labels: tuple[str, ...] = ()


def builtin_providers() -> dict[str, ProviderConfig]:
    return {p.name: p for p in BUILTIN_PROVIDERS}


@dataclass(frozen=True)
class ExportOptions:
    """How to export. Every field has a default that gives runnable output.

    ``target`` indexes ``document.targets``. ``providers`` maps provider names
    to their configurations (base URL, key variable); names missing from it
    are reported as a warning. ``values`` are the variable values used when
    ``variables`` is ``"inline"``; a variable without one falls back to its
    sample. ``history`` is carried only by formats that can hold it.
    """

    target: int = 0
    providers: Mapping[str, ProviderConfig] = field(default_factory=builtin_providers)
    variables: VariablesMode = "inline"
    values: Mapping[str, str] = field(default_factory=dict)
    stream: bool = False
    examples: ExamplesMode = "turns"
    history: tuple[HistoryEntry, ...] = ()
    stem: str = ""  # base name for the files written; "" means one from the prompt's name


@dataclass(frozen=True)
class ExportFile:
    """One file of an export: its name, its text, and the pygments lexer to show it with."""

    name: str
    text: str
    lexer: str


@dataclass(frozen=True)
class ExportResult:
    """The files of one export (the first is the main one) and what they could not carry."""

    files: tuple[ExportFile, ...]
    warnings: tuple[str, ...] = ()

    @property
    def main(self) -> ExportFile:
        return self.files[0]


@dataclass(frozen=True)
class ImportResult:
    """One document read from a file, what was not understood, and any history it carried."""

    document: PromptDocument
    source: str
    warnings: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


#: Reads a file that an imported file refers to, by the reference as written.
SiblingReader = Callable[[str], "ImportSource"]


@dataclass(frozen=True)
class ImportSource:
    """The text of one file to import, and how to reach files it refers to.

    ``name`` is the file's own name (used as the prompt name when the format
    has none); ``source`` is how errors name it. ``sibling`` is ``None`` when
    the text did not come from a folder (pasted or dropped text).
    """

    text: str
    source: str
    name: str = ""
    sibling: SiblingReader | None = None


def read_text_file(path: Path, *, source: str | None = None) -> str:
    """The UTF-8 text of ``path``, refusing folders, huge files and binary data."""
    shown = source or str(path)
    try:
        info = path.stat()
        size = info.st_size
        if stat.S_ISDIR(info.st_mode):
            raise FormatError(shown, "is a folder, not a prompt file")
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block the read
            raise FormatError(shown, "is not a regular file")
        if size > MAX_IMPORT_BYTES:
            raise FormatError(
                shown,
                f"the file is {size:,} bytes; prompt files are limited to {MAX_IMPORT_BYTES:,}",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(shown, "no such file") from None
    except PermissionError:
        raise FormatError(shown, "permission denied") from None
    except OSError as exc:
        raise FormatError(shown, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_IMPORT_BYTES:  # it grew after stat
        raise FormatError(shown, f"prompt files are limited to {MAX_IMPORT_BYTES:,} bytes")
    if b"\x00" in data:
        raise FormatError(shown, "is a binary file, not a prompt file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(shown, "is not UTF-8 text", line) from None
    return text


def folder_sibling_reader(path: Path) -> SiblingReader:
    """A :data:`SiblingReader` confined to ``path``'s folder and the folders below it.

    An imported file is untrusted, so ``file://../../etc/passwd`` must not read
    outside the folder the user chose.
    """
    root = path.resolve().parent

    def read(reference: str) -> ImportSource:
        ref = reference.removeprefix("file://")
        if "\x00" in ref:
            raise FormatError(str(path), "refers to a file name with a NUL character in it")
        try:
            target = (root / ref).resolve()
        except (OSError, ValueError, RuntimeError) as exc:
            raise FormatError(str(path), f"refers to a file that cannot be found ({exc})") from None
        if not target.is_relative_to(root):
            raise FormatError(
                str(path), f"refers to {reference!r}, which is outside the file's folder"
            )
        shown = str(path.parent / ref)
        return ImportSource(
            text=read_text_file(target, source=shown),
            source=shown,
            name=target.stem,
            sibling=read,
        )

    return read


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_DECODER = json.JSONDecoder()


def json_line(text: str, path: str) -> int | None:
    """The 1-based line where the value at ``path`` (``messages[2].role``) starts in ``text``.

    Used to put a line number on a problem found after parsing; ``None``
    when the path cannot be followed (the caller still names the field).
    """
    parts: list[str | int] = [
        int(index) if index else key for index, key in _PATH_PART.findall(path)
    ]
    pos = _skip_space(text, 0)
    try:
        for part in parts:
            pos = _child(text, pos, part)
            if pos < 0:
                return None
    except (ValueError, IndexError):
        return None
    return text.count("\n", 0, pos) + 1


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _child(text: str, pos: int, part: str | int) -> int:
    """Where member ``part`` of the object or array at ``pos`` starts, or -1."""
    opener = text[pos]
    if opener not in "{[" or (opener == "{") != isinstance(part, str):
        return -1
    pos = _skip_space(text, pos + 1)
    index = 0
    while pos < len(text) and text[pos] not in "}]":
        if opener == "{":
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip_space(text, pos)
            pos = _skip_space(text, pos + 1)  # the colon
            if key == part:
                return pos
        elif index == part:
            return pos
        _value, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
        index += 1
    return -1
