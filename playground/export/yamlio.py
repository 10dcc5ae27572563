"""YAML for prompt files: read with ``yaml.safe_load`` only, written readably.

Files are untrusted. :func:`load_yaml` reads with ``safe_load`` (no Python
tags), refuses a document that expands into too many nodes (anchors and
aliases can multiply a small file into billions), and reports syntax errors
as :class:`FormatError` with the line in the *file*, front matter included.
:func:`dump_yaml` writes block style, multi-line text as ``|`` blocks, keys
in the order given.
"""

from __future__ import annotations

from typing import Any

import yaml

from playground.export.base import FormatError

__all__ = ["MAX_YAML_NODES", "dump_yaml", "load_yaml", "split_front_matter"]

#: More values than any prompt file needs; an alias bomb stops here.
MAX_YAML_NODES = 100_000


def load_yaml(text: str, source: str, *, first_line: int = 1) -> Any:
    """Parse ``text`` (which starts at line ``first_line`` of ``source``)."""
    try:
        value = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else first_line + mark.line
        problem = exc.problem or exc.context or "is not valid YAML"
        raise FormatError(source, f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise FormatError(source, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise FormatError(source, "the YAML is nested too deeply to read") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Values the YAML grammar allows but Python cannot build: 2020-13-45, a
        # 5,000-digit number, !!int "0x"...
        raise FormatError(source, f"invalid YAML: a value cannot be read ({exc})") from None
    _check_nodes(value, source)
    return value


def _check_nodes(value: Any, source: str) -> None:
    # Iterative, and counting every visit: shared and self-referencing nodes
    # (which safe_load builds from aliases) stop at the limit instead of looping.
    stack = [value]
    count = 0
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_YAML_NODES:
            raise FormatError(
                source, f"the YAML expands to more than {MAX_YAML_NODES:,} values; refused"
            )
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def split_front_matter(text: str, source: str) -> tuple[str, str, int]:
    """``(front matter, body, first line of the body)`` of a ``---`` fenced file.

    The front matter is the YAML between a first line ``---`` and the next
    line ``---``; the body is everything after the closing fence.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        raise FormatError(source, "must start with a '---' line opening the front matter", 1)
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    raise FormatError(source, "the front matter opened on line 1 is never closed by '---'", 1)


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings as literal blocks when YAML can keep them exact."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Written raw, NEL (U+0085) reads back as a line break; only double quotes escape it.
    if "\x85" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(value: Any) -> str:
    """YAML text for plain data, keys in the order given. It reads back equal."""
    return yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
