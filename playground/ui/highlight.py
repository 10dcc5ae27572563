"""Syntax highlighters: Jinja tags in the template editor, fenced code in model output.

Both work one block (line) at a time, the way QSyntaxHighlighter is meant to be
used: the only thing carried from one line to the next is an integer block
state, so typing in a line, or streaming text onto the end of a pane, costs
time proportional to the lines that changed, never to the whole document.

Colours follow the palette of the widget the document is shown in: each
highlighter picks a light or a dark set by comparing the palette's text and
base colours, and ``set_palette`` switches sets when the system theme changes.

Streaming output stays cheap to colour: a fence line's lexer is looked up
once per language and process (``warm_lexers_in_background`` does the
imports off the GUI thread ahead of time), a line too long to be code a
person reads is left plain, and while a pane streams, a long last line is
coloured once it is complete rather than again on every flush.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

from playground.ui.palette import is_dark

# pygments is imported where it is first used: at start-up it is not (about 60 ms).
if TYPE_CHECKING:
    from pygments.lexer import Lexer
    from pygments.token import _TokenType

__all__ = [
    "COMMON_LANGUAGES",
    "LIVE_LINE_LIMIT",
    "MAX_HIGHLIGHTED_LINE",
    "CodeBlockHighlighter",
    "LineHighlighter",
    "TemplateHighlighter",
    "is_dark",
    "make_lexer",
    "preload_lexers",
    "token_format",
    "warm_lexers_in_background",
]

log = logging.getLogger("playground.ui")


# Characters outside the Basic Multilingual Plane (emoji, mostly) are one
# Python character but two UTF-16 units, and QSyntaxHighlighter counts units.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _utf16_offsets(text: str) -> list[int] | None:
    """Maps Python indices to Qt's UTF-16 indices, or None when they coincide."""
    if _ASTRAL.search(text) is None:
        return None
    offsets = [0] * (len(text) + 1)
    unit = 0
    for i, ch in enumerate(text):
        offsets[i] = unit
        unit += 2 if ord(ch) > 0xFFFF else 1
    offsets[len(text)] = unit
    return offsets


class LineHighlighter(QSyntaxHighlighter):
    """Shared plumbing: palette tracking and formats addressed by Python indices."""

    def __init__(self, parent: QTextDocument | QObject, palette: QPalette | None = None) -> None:
        super().__init__(parent)
        self._offsets: list[int] | None = None
        self._palette = QPalette(palette if palette is not None else QGuiApplication.palette())
        self._build_formats()

    def set_palette(self, palette: QPalette) -> None:
        """Adopt a new palette (say, after a theme change) and repaint the whole document."""
        self._palette = QPalette(palette)
        self._build_formats()
        self.rehighlight()

    @property
    def dark(self) -> bool:
        return is_dark(self._palette)

    def _build_formats(self) -> None:
        raise NotImplementedError

    def _begin_line(self, text: str) -> None:
        self._offsets = _utf16_offsets(text)

    def _qt(self, index: int) -> int:
        return index if self._offsets is None else self._offsets[index]

    def _paint(self, start: int, end: int, fmt: QTextCharFormat) -> None:
        """Format ``text[start:end]`` of the current line (Python indices)."""
        if end > start:
            qt_start = self._qt(start)
            self.setFormat(qt_start, self._qt(end) - qt_start, fmt)


# ---------------------------------------------------------------- templates

# Block states of TemplateHighlighter: where the end of a line leaves the scanner.
_TEXT = 0
_VARIABLE = 1  # inside {{ ... }}
_STATEMENT = 2  # inside {% ... %}, keyword seen and not "raw"
_COMMENT = 3  # inside {# ... #}
_RAW = 4  # between {% raw %} and {% endraw %}: tags are plain text
_STATEMENT_RAW = 5  # inside {% raw ... %}: closing it enters _RAW
_STATEMENT_OPEN = 6  # inside {% with no keyword yet: the next line may say "raw"

_CLOSERS = {_VARIABLE: "}}", _COMMENT: "#}", _STATEMENT: "%}", _STATEMENT_RAW: "%}"}
_CLOSERS[_STATEMENT_OPEN] = "%}"
_OPENER = re.compile(r"\{[{%#][-+]?")
_KEYWORD = re.compile(r"\s*(\w*)")
_ENDRAW = re.compile(r"\{%[-+]?\s*endraw\b")
_WORD = re.compile(r"\w+|\S")


@dataclass(frozen=True)
class _TemplatePalette:
    delimiter: str
    variable: str
    statement: str
    comment: str
    error: str


# Picked for contrast of at least 4.5:1 on typical white and near-black bases.
_LIGHT = _TemplatePalette("#0b57d0", "#8e24aa", "#8a5300", "#5f6b76", "#d32f2f")
_DARK = _TemplatePalette("#61afef", "#d7a1ee", "#e5c07b", "#9aa5b1", "#ff6b6b")


class TemplateHighlighter(LineHighlighter):
    """Highlights ``{{ }}``, ``{% %}`` and ``{# #}`` and marks one template error.

    It follows the same rules as ``playground.core.template_positions.tags``
    (the first closer ends a tag, ``{% raw %}`` bodies are plain text), so the
    colours agree with where error positions are computed.
    """

    def __init__(self, parent: QTextDocument | QObject, palette: QPalette | None = None) -> None:
        self._error: tuple[int, int] | None = None
        super().__init__(parent, palette)

    def _build_formats(self) -> None:
        colours = _DARK if self.dark else _LIGHT

        def make(colour: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setFontItalic(italic)
            return fmt

        self.formats: dict[str, QTextCharFormat] = {
            "variable_delimiter": make(colours.delimiter, bold=True),
            "variable": make(colours.variable),
            "statement_delimiter": make(colours.statement, bold=True),
            "statement": make(colours.statement),
            "comment": make(colours.comment, italic=True),
        }
        self.error_colour = QColor(colours.error)

    # ------------------------------------------------------------ error mark

    @property
    def error(self) -> tuple[int, int] | None:
        """The marked (line, column), 1-based, or None."""
        return self._error

    def set_error(self, line: int, column: int) -> None:
        """Underline from ``line:column`` (1-based) to the end of the tag or word there."""
        old, self._error = self._error, (line, column)
        self._rehighlight_lines(old, self._error)

    def clear_error(self) -> None:
        old, self._error = self._error, None
        self._rehighlight_lines(old)

    def _rehighlight_lines(self, *marks: tuple[int, int] | None) -> None:
        document = self.document()
        if document is None:
            return
        for line in sorted({m[0] for m in marks if m is not None}):
            block = document.findBlockByNumber(line - 1)
            if block.isValid():
                self.rehighlightBlock(block)

    # ------------------------------------------------------------ scanning

    def highlightBlock(self, text: str) -> None:
        self._begin_line(text)
        state = max(self.previousBlockState(), _TEXT)
        tag_spans: list[tuple[int, int]] = []  # for placing the error mark
        tag_start = 0  # a tag carried in from the line above starts at 0
        pos = 0
        length = len(text)
        # Each pass consumes an opener or a tag body, so the loop ends within the line.
        while True:
            if state == _TEXT:
                m = _OPENER.search(text, pos)
                if m is None:
                    break
                tag_start, pos = m.start(), m.end()
                kind = m.group()[1]
                if kind == "{":
                    state = _VARIABLE
                    self._paint(tag_start, pos, self.formats["variable_delimiter"])
                elif kind == "#":
                    state = _COMMENT
                    self._paint(tag_start, pos, self.formats["comment"])
                else:
                    state = _STATEMENT_OPEN
                    self._paint(tag_start, pos, self.formats["statement_delimiter"])
            elif state == _RAW:
                m = _ENDRAW.search(text, pos)
                if m is None:
                    break
                pos, state = m.start(), _TEXT
            else:
                closer = _CLOSERS[state]
                end = text.find(closer, pos)
                body_end = length if end < 0 else end
                if state == _STATEMENT_OPEN:
                    word = _KEYWORD.match(text, pos, body_end)
                    assert word is not None  # \s*\w* always matches
                    if word.group(1):
                        state = _STATEMENT_RAW if word.group(1) == "raw" else _STATEMENT
                    elif word.end() < body_end:
                        state = _STATEMENT  # something other than a name comes first
                if end < 0:
                    self._paint(pos, length, self._body_format(state))
                    tag_spans.append((tag_start, length))
                    break
                closer_start = end - 1 if end > pos and text[end - 1] in "-+" else end
                self._paint(pos, closer_start, self._body_format(state))
                self._paint(closer_start, end + 2, self._delimiter_format(state))
                pos = end + 2
                tag_spans.append((tag_start, pos))
                state = _RAW if state == _STATEMENT_RAW else _TEXT
        self.setCurrentBlockState(state)
        if self._error is not None and self._error[0] == self.currentBlock().blockNumber() + 1:
            self._mark_error(text, self._error[1] - 1, tag_spans)

    def _body_format(self, state: int) -> QTextCharFormat:
        if state == _VARIABLE:
            return self.formats["variable"]
        if state == _COMMENT:
            return self.formats["comment"]
        return self.formats["statement"]

    def _delimiter_format(self, state: int) -> QTextCharFormat:
        if state == _VARIABLE:
            return self.formats["variable_delimiter"]
        if state == _COMMENT:
            return self.formats["comment"]
        return self.formats["statement_delimiter"]

    def _mark_error(self, text: str, column: int, tag_spans: list[tuple[int, int]]) -> None:
        if not text:
            return
        if column >= len(text):  # "unexpected end": point at the last character
            start, end = len(text) - 1, len(text)
        else:
            start = max(column, 0)
            end = next((e for s, e in tag_spans if s <= start < e), 0)
            if end == 0:
                word = _WORD.match(text, start)
                end = word.end() if word is not None else start + 1
        # Overlay the underline on whatever colours the scan already set.
        for unit in range(self._qt(start), self._qt(end)):
            fmt = QTextCharFormat(self.format(unit))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
            fmt.setUnderlineColor(self.error_colour)
            self.setFormat(unit, 1, fmt)


# ---------------------------------------------------------------- code blocks

# Outside a fence the block state is 0. Inside, it packs the fence and language:
# (language index + 1) << 8 | fence length << 1 | (1 for "~~~", 0 for "```").
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})\s*([^\s`{]*)")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})\s*$")
_MAX_FENCE = 127

# Lexers are shared by every pane; a state names a lexer by its index here, so
# the list only ever grows.
_LEXERS: list[Lexer] = []
_LEXER_INDEX: dict[str, int] = {}
#: Fence tags models use most, for ``preload_lexers``: most used first, and a
#: lexer that calls others (html: css, javascript) after them, so the warm-up
#: has prepared those by the time the GUI thread lexes with it.
COMMON_LANGUAGES = (
    "",
    "python",
    "javascript",
    "json",
    "bash",
    "typescript",
    "sql",
    "yaml",
    "css",
    "html",
    "rust",
    "go",
    "java",
    "c",
    "cpp",
    "markdown",
)
#: Lines inside a fence longer than this are left plain. Lexing and laying out
#: a formatted line costs time in proportion to its length (a 3,000-character
#: line of minified JSON takes about 15 ms), and such lines are data, not code
#: anyone reads line by line.
MAX_HIGHLIGHTED_LINE = 3000
#: While streaming, the last line is coloured as it grows only up to this
#: length; a longer one is coloured once, when it is complete, instead of
#: being lexed again on every flush.
LIVE_LINE_LIMIT = 500

# Making a pygments lexer the first time in a process imports its module and
# compiles its rules (up to ~70 ms); the warm-up thread does that ahead of
# time. A lock per lexer class keeps the two threads from preparing one class
# at once, and only that: the GUI thread never waits while the warm-up works
# on another language. The registry above is only ever touched on the GUI thread.
_CLASS_LOCKS: dict[type[Lexer], threading.Lock] = {}
_CLASS_LOCKS_GUARD = threading.Lock()
_warm_up: threading.Thread | None = None


def _lexer_index(language: str) -> int:
    """Index of the lexer for a fence's language tag; unknown tags get plain text."""
    key = language.lower()
    index = _LEXER_INDEX.get(key)
    if index is None:
        lexer = make_lexer(key)
        # Two tags may name one language ("py", "python"); share the instance.
        for i, known in enumerate(_LEXERS):
            if type(known) is type(lexer):
                index = i
                break
        else:
            index = len(_LEXERS)
            _LEXERS.append(lexer)
        _LEXER_INDEX[key] = index
    return index


def _lexer_class(language: str) -> type[Lexer]:
    # No content-based guessing: pygments' guess_lexer asks every lexer to score
    # the text (tens of ms), and one line of a streaming reply is too little to
    # go on. A tag that is a file extension ("tsx", "h") is a cheap, sure guess.
    from pygments.lexers import (
        TextLexer,
        find_lexer_class_by_name,
        find_lexer_class_for_filename,
    )
    from pygments.util import ClassNotFound

    if language:
        try:
            found: type[Lexer] = find_lexer_class_by_name(language)
            return found
        except ClassNotFound:
            pass
        by_extension: type[Lexer] | None = find_lexer_class_for_filename(f"snippet.{language}")
        if by_extension is not None:
            return by_extension
    plain: type[Lexer] = TextLexer
    return plain


def make_lexer(language: str) -> Lexer:
    """A lexer for a language tag (thread-safe; the first one of a class is the slow one)."""
    cls = _lexer_class(language)
    with _CLASS_LOCKS_GUARD:
        lock = _CLASS_LOCKS.setdefault(cls, threading.Lock())
    with lock:
        return cls(stripnl=False, ensurenl=False)


def preload_lexers(languages: tuple[str, ...] = COMMON_LANGUAGES) -> None:
    """Resolve the lexers for ``languages`` now, so a first fence costs no import later.

    The first lookup of a language imports its pygments module; call this at an
    idle moment (after the window is shown), not while panes are streaming.
    """
    for language in languages:
        _lexer_index(language)


def warm_lexers_in_background(languages: tuple[str, ...] = COMMON_LANGUAGES) -> None:
    """Import and prepare the lexers for ``languages`` on a worker thread, once per process.

    Returns at once. A fence whose lexer is ready costs the GUI thread next to
    nothing when it streams in; one that arrives before its lexer is ready is
    prepared on the spot, as without the warm-up. The thread holds the
    interpreter lock only in short slices, so the GUI keeps running meanwhile.
    """
    global _warm_up
    if _warm_up is not None:
        return
    styles = (CodeBlockHighlighter.LIGHT_STYLE, CodeBlockHighlighter.DARK_STYLE)

    def warm() -> None:
        from pygments.styles import get_style_by_name

        try:
            for style in styles:
                get_style_by_name(style)
            for language in languages:
                make_lexer(language)
        except Exception:  # only a head start: the GUI thread does it again if need be
            log.debug("lexer warm-up stopped", exc_info=True)

    _warm_up = threading.Thread(target=warm, name="lexer-warm-up", daemon=True)
    _warm_up.start()


# Per pygments style, each token type's format, filled lazily; None means "leave as is".
_TOKEN_FORMATS: dict[str, dict[_TokenType, QTextCharFormat | None]] = {}
_HEX = re.compile(r"[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


def token_format(style_name: str, token: _TokenType) -> QTextCharFormat | None:
    cache = _TOKEN_FORMATS.setdefault(style_name, {})
    if token in cache:
        return cache[token]
    from pygments.styles import get_style_by_name

    style = get_style_by_name(style_name)
    looked_up = token
    while not style.styles_token(looked_up) and looked_up.parent is not None:
        looked_up = looked_up.parent
    spec = style.style_for_token(looked_up)
    fmt: QTextCharFormat | None = None
    # Backgrounds are left out: they belong to the style's own page colour,
    # and the pane's background comes from the palette.
    colour = spec["color"] if spec["color"] and _HEX.fullmatch(spec["color"]) else None
    if colour or spec["bold"] or spec["italic"] or spec["underline"]:
        fmt = QTextCharFormat()
        if colour:
            fmt.setForeground(QColor(f"#{colour}"))
        if spec["bold"]:
            fmt.setFontWeight(QFont.Weight.Bold)
        if spec["italic"]:
            fmt.setFontItalic(True)
        if spec["underline"]:
            fmt.setFontUnderline(True)
    cache[token] = fmt
    return fmt


class CodeBlockHighlighter(LineHighlighter):
    """Highlights fenced code blocks (```lang ... ```) in model output with pygments.

    Each line inside a fence is lexed on its own. That is what keeps streaming
    cheap (a new token re-lexes one line) at a known cost: a construct that
    spans lines, such as a Python triple-quoted string or a C block comment,
    is coloured only on the line where it opens or closes. Lines longer than
    ``MAX_HIGHLIGHTED_LINE`` stay plain. While :attr:`streaming` is on, the
    last line is taken to be still arriving: past ``LIVE_LINE_LIMIT``
    characters it waits for its end (or for streaming to be switched off)
    before it is coloured.
    """

    LIGHT_STYLE = "default"
    DARK_STYLE = "github-dark"

    def __init__(self, parent: QTextDocument | QObject, palette: QPalette | None = None) -> None:
        self._enabled = True
        self._streaming = False
        super().__init__(parent, palette)

    def _build_formats(self) -> None:
        self.style_name = self.DARK_STYLE if self.dark else self.LIGHT_STYLE
        self.fence_format = QTextCharFormat()
        self.fence_format.setForeground(
            self._palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
        )

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Switch between highlighted and plain text."""
        if enabled != self._enabled:
            self._enabled = enabled
            self.rehighlight()

    @property
    def streaming(self) -> bool:
        return self._streaming

    def set_streaming(self, streaming: bool) -> None:
        """Say whether text is still being appended; switching off colours the last line."""
        if streaming == self._streaming:
            return
        self._streaming = streaming
        document = self.document()
        if not streaming and document is not None:
            self.rehighlightBlock(document.lastBlock())

    @staticmethod
    def lexer_for_state(state: int) -> Lexer | None:
        """The lexer a block state stands for, or None outside a fence."""
        return _LEXERS[(state >> 8) - 1] if state > 0 else None

    def highlightBlock(self, text: str) -> None:
        if not self._enabled:
            self.setCurrentBlockState(0)
            return
        self._begin_line(text)
        state = max(self.previousBlockState(), 0)
        if state == 0:
            opened = _FENCE_OPEN.match(text) if "``" in text or "~~" in text else None
            if opened is None:
                self.setCurrentBlockState(0)
                return
            fence, language = opened.group(1), opened.group(2)
            if language.lower() not in _LEXER_INDEX and not self.currentBlock().next().isValid():
                # The line may still be streaming in ("```py" before "thon"), and
                # a first lookup can import a module (up to ~100 ms). Qt highlights
                # this line again when the text after it arrives; resolve it then.
                language = ""
            self._paint(0, len(text), self.fence_format)
            self.setCurrentBlockState(
                (_lexer_index(language) + 1) << 8
                | min(len(fence), _MAX_FENCE) << 1
                | (fence[0] == "~")
            )
            return
        closed = _FENCE_CLOSE.match(text)
        if (
            closed is not None
            and closed.group(1)[0] == ("~" if state & 1 else "`")
            and len(closed.group(1)) >= (state >> 1) & _MAX_FENCE
        ):
            self._paint(0, len(text), self.fence_format)
            self.setCurrentBlockState(0)
            return
        self.setCurrentBlockState(state)
        self._lex_line(text, (state >> 8) - 1)

    def _lex_line(self, text: str, lexer_index: int) -> None:
        if not text or text.isspace() or len(text) > MAX_HIGHLIGHTED_LINE:
            return
        if (
            self._streaming
            and len(text) > LIVE_LINE_LIMIT
            and not self.currentBlock().next().isValid()
        ):
            return  # coloured once complete: Qt highlights it again when its newline arrives
        formats = _TOKEN_FORMATS.setdefault(self.style_name, {})
        length = len(text)
        runs: list[tuple[int, QTextCharFormat | None]] = []
        last: QTextCharFormat | None = None
        # The newline lets rules that expect one (line comments, say) match.
        for index, token, _value in _LEXERS[lexer_index].get_tokens_unprocessed(text + "\n"):
            if index >= length:
                break
            fmt = formats[token] if token in formats else token_format(self.style_name, token)
            if fmt is not last or not runs:  # formats are cached: identity is equality
                runs.append((index, fmt))
                last = fmt
        runs.append((length, None))
        for (start, fmt), (end, _next) in pairwise(runs):
            if fmt is not None:
                self._paint(start, end, fmt)
