"""Where things are in template text: tags, variable uses, and error columns.

Jinja2 reports errors by line only. People fix templates faster when the
mark lands on the exact spot, so this module finds the tags in a template
and the variable uses inside them, with 1-based line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["OPENERS", "Tag", "first_uses", "locate", "tags", "unclosed_block"]

OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_BLOCK_START = re.compile(r"^\{%-?\s*(for|if|macro|call|filter|with|autoescape|raw|block|set)\b")
_BLOCK_END = re.compile(r"^\{%-?\s*end(\w+)")
_RAW_START = re.compile(r"^\{%-?\s*raw\b")
_RAW_END = re.compile(r"^\{%-?\s*endraw\b")
# Inside a tag: string literals (skipped), names, and any other single character.
_TOKEN = re.compile(r"""(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(?P<name>[A-Za-z_]\w*)|\S""")
_NOT_A_USE_AFTER = {".", "|"}
_TESTS_AND_TARGETS = {"is", "for", "set", "macro", "import", "as"}


@dataclass(frozen=True)
class Tag:
    line: int
    column: int  # 1-based
    end_line: int
    text: str  # the whole tag, delimiters included; up to the end for an unclosed tag
    closed: bool

    @property
    def keyword(self) -> str | None:
        """The block keyword (``for``, ``if``...) when this tag opens a block."""
        m = _BLOCK_START.match(self.text)
        if m is None or (m.group(1) == "set" and "=" in self.text):
            return None  # {% set x = 1 %} has no end tag; {% set x %}...{% endset %} does
        return m.group(1)


def tags(source: str) -> list[Tag]:
    """Every ``{{ }}``, ``{% %}`` and ``{# #}`` in ``source``, raw blocks respected."""
    found: list[Tag] = []
    pos = 0
    in_raw = False
    while True:
        start = source.find("{", pos)
        if start < 0 or start + 1 >= len(source):
            return found
        opener = source[start : start + 2]
        closer = OPENERS.get(opener)
        if closer is None or (in_raw and opener != "{%"):
            pos = start + 1
            continue
        end = source.find(closer, start + 2)
        closed = end >= 0
        stop = end + 2 if closed else len(source)
        text = source[start:stop]
        if in_raw and not _RAW_END.match(text):
            pos = start + 2
            continue
        line = source.count("\n", 0, start) + 1
        column = start - (source.rfind("\n", 0, start) + 1) + 1
        found.append(Tag(line, column, line + text.count("\n"), text, closed))
        in_raw = not in_raw if (_RAW_START.match(text) or _RAW_END.match(text)) else in_raw
        if not closed:
            return found
        pos = stop


def unclosed_block(found: list[Tag]) -> Tag | None:
    """The innermost block tag that is never closed, if any."""
    stack: list[Tag] = []
    for tag in found:
        end = _BLOCK_END.match(tag.text)
        if end is not None:
            if stack and stack[-1].keyword == end.group(1):
                stack.pop()
            continue
        if tag.keyword is not None:
            stack.append(tag)
    return stack[-1] if stack else None


def _position(tag: Tag, offset: int) -> tuple[int, int]:
    before = tag.text[:offset]
    newlines = before.count("\n")
    if newlines == 0:
        return tag.line, tag.column + offset
    return tag.line + newlines, offset - before.rfind("\n")


def first_uses(source: str) -> dict[str, tuple[int, int]]:
    """Each name read as a variable, in text order, with the position of its first use.

    Attribute names (``x.name``), filter and test names (``|upper``,
    ``is defined``), names in string literals and comments, and loop or
    ``set`` targets are not uses.
    """
    uses: dict[str, tuple[int, int]] = {}
    for tag in tags(source):
        if tag.text.startswith("{#"):
            continue
        previous = ""
        for m in _TOKEN.finditer(tag.text, 2):
            token = m.group(0)
            if (
                m.group("name") is not None
                and previous not in _NOT_A_USE_AFTER
                and (previous not in _TESTS_AND_TARGETS)
            ):
                uses.setdefault(token, _position(tag, m.start()))
            if m.group("str") is None:
                previous = token
    return uses


def locate(source: str, line: int, needle: str | None = None) -> int:
    """1-based column on ``line``: of ``needle`` (a regex) inside a tag, else the first tag."""
    on_line = [t for t in tags(source) if t.line <= line <= t.end_line]
    if needle is not None:
        for tag in on_line:
            for m in re.finditer(needle, tag.text):
                found_line, column = _position(tag, m.start())
                if found_line == line:
                    return column
    if on_line and on_line[0].line == line:
        return on_line[0].column
    return 1
