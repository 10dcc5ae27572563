"""The template and code-block highlighters colour the right ranges, one block at a time."""

from __future__ import annotations

import sys
import time
from typing import TypeVar

import pytest
from pygments.lexer import RegexLexer
from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from playground.ui import highlight
from playground.ui.highlight import (
    COMMON_LANGUAGES,
    LIVE_LINE_LIMIT,
    MAX_HIGHLIGHTED_LINE,
    CodeBlockHighlighter,
    TemplateHighlighter,
    is_dark,
    preload_lexers,
    warm_lexers_in_background,
)
from playground.ui.stream_buffer import append_plain_text

H = TypeVar("H", bound=QSyntaxHighlighter)
SPELL = QTextCharFormat.UnderlineStyle.SpellCheckUnderline


def palette(base: str, text: str) -> QPalette:
    p = QPalette()
    for role, colour in ((QPalette.ColorRole.Base, base), (QPalette.ColorRole.Window, base)):
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.ColorRole.Text, QColor(text))
    p.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return p


LIGHT = palette("#ffffff", "#000000")
DARK = palette("#1e1e1e", "#e6e6e6")


def editor(qtbot, cls: type[H], text: str = "", pal: QPalette = LIGHT) -> tuple[QPlainTextEdit, H]:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    highlighter = cls(edit.document(), pal)
    edit.setPlainText(text)
    return edit, highlighter


def block(edit: QPlainTextEdit, number: int):
    return edit.document().findBlockByNumber(number)


def fmt_at(edit: QPlainTextEdit, line: int, pos: int) -> QTextCharFormat | None:
    """The highlighter's format at one position of one block (0-based), or None."""
    ranges = block(edit, line).layout().formats()
    for r in ranges:
        if r.start <= pos < r.start + r.length:
            return QTextCharFormat(r.format)  # a copy: the range owns its format
    return None


def colour_at(edit: QPlainTextEdit, line: int, pos: int) -> str | None:
    f = fmt_at(edit, line, pos)
    return (
        f.foreground().color().name()
        if f is not None and f.hasProperty(QTextCharFormat.Property.ForegroundBrush)
        else None
    )


def colours(edit: QPlainTextEdit, line: int) -> list[str | None]:
    return [colour_at(edit, line, i) for i in range(block(edit, line).length() - 1)]


def underlined(edit: QPlainTextEdit, line: int) -> list[int]:
    n = block(edit, line).length() - 1
    return [i for i in range(n) if (f := fmt_at(edit, line, i)) and f.underlineStyle() == SPELL]


def counting(base: type[H]) -> tuple[type[H], list[int]]:
    """A subclass of ``base`` recording the number of each block it highlights."""
    calls: list[int] = []

    class Counting(base):  # type: ignore[valid-type,misc]
        def highlightBlock(self, text: str) -> None:
            calls.append(self.currentBlock().blockNumber())
            super().highlightBlock(text)

    return Counting, calls


def named(h: TemplateHighlighter, kind: str) -> str:
    return h.formats[kind].foreground().color().name()


# ---------------------------------------------------------------- templates


def test_each_tag_kind_gets_its_format_at_the_right_range(qtbot) -> None:
    text = "Hi {{ name }}! {% if x %}y{% endif %} {# note #}"
    edit, h = editor(qtbot, TemplateHighlighter, text)
    delim, var = named(h, "variable_delimiter"), named(h, "variable")
    stmt, comment = named(h, "statement"), named(h, "comment")
    assert len({delim, var, stmt, comment}) == 4
    expected: list[str | None] = [None] * 3 + [delim] * 2 + [var] * 6 + [delim] * 2 + [None] * 2
    expected += [stmt] * 10 + [None] + [stmt] * 11 + [None] + [comment] * 10
    assert colours(edit, 0) == expected
    assert fmt_at(edit, 0, 3).fontWeight() > fmt_at(edit, 0, 6).fontWeight()  # bold delimiters
    assert fmt_at(edit, 0, len(text) - 1).fontItalic()


def test_whitespace_control_dashes_belong_to_the_delimiters(qtbot) -> None:
    edit, h = editor(qtbot, TemplateHighlighter, "{{- x -}}")
    delim, var = named(h, "variable_delimiter"), named(h, "variable")
    assert colours(edit, 0) == [delim] * 3 + [var] * 3 + [delim] * 3


def test_a_comment_spanning_lines_carries_state_until_closed(qtbot) -> None:
    edit, h = editor(qtbot, TemplateHighlighter, "a {# start\nmiddle\nend #} b\nplain")
    comment = named(h, "comment")
    assert colours(edit, 0) == [None, None] + [comment] * 8
    assert colours(edit, 1) == [comment] * 6
    assert colours(edit, 2) == [comment] * 6 + [None, None]
    assert colours(edit, 3) == [None] * 5
    assert [block(edit, i).userState() for i in range(4)] == [3, 3, 0, 0]

    # Closing the comment on the first line clears the state of the lines below.
    cursor = QTextCursor(block(edit, 0))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    cursor.insertText(" #}")
    assert colours(edit, 1) == [None] * 6
    assert [block(edit, i).userState() for i in range(4)] == [0, 0, 0, 0]


def test_an_unclosed_statement_continues_on_the_next_line(qtbot) -> None:
    edit, h = editor(qtbot, TemplateHighlighter, "{% for x\n  in xs %}body")
    stmt, stmt_delim = named(h, "statement"), named(h, "statement_delimiter")
    assert block(edit, 0).userState() != 0
    assert colours(edit, 1) == [stmt] * 8 + [stmt_delim] * 2 + [None] * 4
    assert fmt_at(edit, 1, 8).fontWeight() > fmt_at(edit, 1, 2).fontWeight()


def test_raw_blocks_are_plain_text_even_when_the_raw_tag_wraps(qtbot) -> None:
    text = "{% raw %}{{ x }}\n{# y #}{% endraw %}{{ z }}\n{%\n raw %}{{ w }}{% endraw %}"
    edit, h = editor(qtbot, TemplateHighlighter, text)
    assert colours(edit, 0)[9:] == [None] * 7
    assert colours(edit, 1)[:7] == [None] * 7
    assert (
        colours(edit, 1)[-7:]
        == [named(h, "variable_delimiter")] * 2
        + [named(h, "variable")] * 3
        + [named(h, "variable_delimiter")] * 2
    )
    assert colours(edit, 3)[7:14] == [None] * 7


def test_editing_a_line_rehighlights_only_the_lines_whose_state_changes(qtbot) -> None:
    cls, calls = counting(TemplateHighlighter)
    edit, _ = editor(qtbot, cls, "\n".join(f"line {i} {{{{ v{i} }}}}" for i in range(100)))
    calls.clear()

    QTextCursor(block(edit, 50)).insertText("x")
    assert calls == [50]

    calls.clear()
    QTextCursor(block(edit, 50)).insertText("{# ")  # opens a comment: every later line changes
    assert calls == list(range(50, 100))

    calls.clear()
    QTextCursor(block(edit, 60)).insertText("still a comment ")
    assert calls == [60]

    calls.clear()
    QTextCursor(block(edit, 52)).insertText("#}")  # closes it again
    assert calls == list(range(52, 100))
    assert block(edit, 99).userState() == 0


def test_error_mark_underlines_to_the_end_of_the_tag(qtbot) -> None:
    edit, h = editor(qtbot, TemplateHighlighter, "first line\nHi {{ name | nope }} there")
    h.set_error(2, 12)  # the "|"
    assert underlined(edit, 1) == list(range(11, 20))
    assert underlined(edit, 0) == []
    mark = fmt_at(edit, 1, 15)
    assert mark.underlineColor() == h.error_colour
    # The underline sits on top of the tag's own colours.
    assert colour_at(edit, 1, 15) == named(h, "variable")
    assert colour_at(edit, 1, 18) == named(h, "variable_delimiter")

    h.clear_error()
    assert underlined(edit, 1) == []
    assert colour_at(edit, 1, 15) == named(h, "variable")
    assert h.error is None


def test_error_mark_on_a_word_or_past_the_end(qtbot) -> None:
    edit, h = editor(qtbot, TemplateHighlighter, "Hello world\n{% if x")
    h.set_error(1, 7)
    assert underlined(edit, 0) == list(range(6, 11))
    h.set_error(2, 8)  # "unexpected end of template": after the last character
    assert underlined(edit, 0) == []
    assert underlined(edit, 1) == [6]
    h.set_error(2, 4)  # inside an unclosed tag: to the end of the line
    assert underlined(edit, 1) == [3, 4, 5, 6]


def test_moving_the_error_rehighlights_only_the_old_and_new_lines(qtbot) -> None:
    cls, calls = counting(TemplateHighlighter)
    edit, h = editor(qtbot, cls, "\n".join(f"{{{{ v{i} }}}}" for i in range(20)))
    calls.clear()
    h.set_error(3, 1)
    assert calls == [2]
    calls.clear()
    h.set_error(10, 1)
    assert sorted(calls) == [2, 9]
    calls.clear()
    h.clear_error()
    assert calls == [9]
    h.set_error(99, 1)  # beyond the document: ignored, no crash
    assert underlined(edit, 9) == []


def test_emoji_do_not_shift_the_ranges(qtbot) -> None:
    edit, h = editor(qtbot, TemplateHighlighter, "😀 {{ x }}")
    # Qt counts the emoji as two UTF-16 units, so the tag starts at unit 3.
    assert colour_at(edit, 0, 2) is None
    assert colour_at(edit, 0, 3) == named(h, "variable_delimiter")
    assert colour_at(edit, 0, 9) == named(h, "variable_delimiter")


def contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_dark_and_light_palettes_get_different_readable_colours(qtbot) -> None:
    assert is_dark(DARK)
    assert not is_dark(LIGHT)
    _, light = editor(qtbot, TemplateHighlighter, "", LIGHT)
    _, dark = editor(qtbot, TemplateHighlighter, "", DARK)
    for kind in light.formats:
        assert named(light, kind) != named(dark, kind)
        assert contrast(light.formats[kind].foreground().color(), QColor("#ffffff")) >= 4.5
        assert contrast(dark.formats[kind].foreground().color(), QColor("#1e1e1e")) >= 4.5


def test_set_palette_switches_colours_in_place(qtbot) -> None:
    edit, h = editor(qtbot, TemplateHighlighter, "{{ x }}", LIGHT)
    before = colour_at(edit, 0, 0)
    h.set_palette(DARK)
    assert colour_at(edit, 0, 0) == named(h, "variable_delimiter") != before


# ---------------------------------------------------------------- code blocks


def test_code_is_highlighted_inside_fences_only(qtbot) -> None:
    text = "def outside\n```python\ndef inside(): pass\n```\ndef after"
    edit, h = editor(qtbot, CodeBlockHighlighter, text)
    assert block(edit, 0).layout().formats() == []
    assert block(edit, 4).layout().formats() == []
    keyword = colour_at(edit, 2, 0)
    assert keyword is not None
    assert colour_at(edit, 2, 3) is None or colour_at(edit, 2, 3) != keyword  # the space
    fence = h.fence_format.foreground().color().name()
    assert colours(edit, 1) == [fence] * 9
    assert colours(edit, 3) == [fence] * 3
    assert [block(edit, i).userState() > 0 for i in range(5)] == [False, True, True, False, False]


@pytest.mark.parametrize(
    ("tag", "lexer"),
    [("python", "Python"), ("rs", "Rust"), ("pyw", "Python"), ("", "Text only")],
)
def test_language_tag_picks_the_lexer(qtbot, tag: str, lexer: str) -> None:
    edit, _ = editor(qtbot, CodeBlockHighlighter, f"```{tag}\nx = 1\n```")
    state = block(edit, 1).userState()
    found = CodeBlockHighlighter.lexer_for_state(state)
    assert found is not None
    assert found.name == lexer


def test_unknown_language_falls_back_to_plain_text(qtbot) -> None:
    edit, _ = editor(qtbot, CodeBlockHighlighter, "```nosuchlang\ndef f(): return 1\n```")
    found = CodeBlockHighlighter.lexer_for_state(block(edit, 1).userState())
    assert found is not None
    assert found.name == "Text only"
    assert block(edit, 1).layout().formats() == []  # plain text has no colour in a light style
    assert block(edit, 2).userState() == 0


def test_a_fence_closes_only_with_the_same_kind_and_enough_length(qtbot) -> None:
    edit, _ = editor(qtbot, CodeBlockHighlighter, "````py\n```\n~~~\nx\n````\nafter")
    assert [block(edit, i).userState() > 0 for i in range(6)] == [True] * 4 + [False, False]


def test_toggle_off_shows_no_formats_and_on_restores_them(qtbot) -> None:
    edit, h = editor(qtbot, CodeBlockHighlighter, "```python\nimport os\n```")
    assert block(edit, 1).layout().formats() != []
    h.set_enabled(False)
    assert not h.enabled
    assert all(block(edit, i).layout().formats() == [] for i in range(3))
    h.set_enabled(True)
    assert block(edit, 1).layout().formats() != []


def test_dark_palette_uses_the_dark_style(qtbot) -> None:
    light_edit, light = editor(qtbot, CodeBlockHighlighter, "```python\nimport os\n```", LIGHT)
    dark_edit, dark = editor(qtbot, CodeBlockHighlighter, "```python\nimport os\n```", DARK)
    assert (light.style_name, dark.style_name) == ("default", "github-dark")
    assert colour_at(light_edit, 1, 0) != colour_at(dark_edit, 1, 0)


def lexer_name(edit: QPlainTextEdit, line: int) -> str | None:
    found = CodeBlockHighlighter.lexer_for_state(block(edit, line).userState())
    return None if found is None else found.name


def test_streamed_fence_is_fixed_up_when_its_line_completes(qtbot) -> None:
    cls, calls = counting(CodeBlockHighlighter)
    edit, _ = editor(qtbot, cls)
    append_plain_text(edit, "Here:\n```javascr")
    # A tag still streaming in is not looked up (each prefix could cost an import).
    assert lexer_name(edit, 1) == "Text only"
    for piece in ["ipt\nlet", " x = 1;\n", "```\nDone."]:
        append_plain_text(edit, piece)
    assert lexer_name(edit, 1) == "JavaScript"
    assert block(edit, 2).layout().formats() != []
    assert block(edit, 4).userState() == 0
    # Each append touches only the lines it changed, not the whole pane.
    calls.clear()
    append_plain_text(edit, " More text.")
    assert calls == [4]


def test_preloaded_lexers_are_used_even_for_a_last_line(qtbot) -> None:
    preload_lexers(("go",))
    edit, _ = editor(qtbot, CodeBlockHighlighter, "```go")
    assert lexer_name(edit, 0) == "Go"


def test_a_line_too_long_to_read_is_left_plain(qtbot) -> None:
    data = '{"id": 1, "name": "x"}, ' * (MAX_HIGHLIGHTED_LINE // 20)
    assert len(data) > MAX_HIGHLIGHTED_LINE
    fitting = data[: MAX_HIGHLIGHTED_LINE - 1]
    edit, _ = editor(qtbot, CodeBlockHighlighter, f"```json\n{data}\n{fitting}\n```\nafter")
    assert block(edit, 1).layout().formats() == []
    assert coloured_ranges(edit, 2)
    assert block(edit, 3).userState() == 0  # the fence still closes


def coloured_ranges(edit: QPlainTextEdit, line: int) -> bool:
    return any(
        r.format.hasProperty(QTextCharFormat.Property.ForegroundBrush)
        for r in block(edit, line).layout().formats()
    )


def test_while_streaming_a_long_last_line_is_coloured_once_it_is_complete(qtbot) -> None:
    cls, calls = counting(CodeBlockHighlighter)
    edit, h = editor(qtbot, cls)
    h.set_streaming(True)
    append_plain_text(edit, "```python\nimport os")
    assert coloured_ranges(edit, 1)  # a short last line is coloured as it grows
    long_piece = " + os.sep" * (LIVE_LINE_LIMIT // 8)
    append_plain_text(edit, "\nvalue = 1" + long_piece)
    assert len(block(edit, 2).text()) > LIVE_LINE_LIMIT
    assert not coloured_ranges(edit, 2)
    append_plain_text(edit, long_piece)
    assert not coloured_ranges(edit, 2)
    calls.clear()
    append_plain_text(edit, "\n")  # the line is complete: coloured now, once
    assert coloured_ranges(edit, 2)
    assert calls.count(2) == 1


def test_switching_streaming_off_colours_the_last_line(qtbot) -> None:
    edit, h = editor(qtbot, CodeBlockHighlighter)
    h.set_streaming(True)
    assert h.streaming
    append_plain_text(edit, "```python\nvalue = 1" + " + os.sep" * (LIVE_LINE_LIMIT // 8))
    assert not coloured_ranges(edit, 1)
    h.set_streaming(False)
    assert not h.streaming
    assert coloured_ranges(edit, 1)


def test_lexers_are_prepared_on_a_worker_thread(qtbot) -> None:
    warm_lexers_in_background()
    thread = highlight._warm_up
    assert thread is not None
    assert thread.daemon
    warm_lexers_in_background()  # once per process
    assert highlight._warm_up is thread
    thread.join(timeout=30)
    assert not thread.is_alive()
    # Each common language's rule-based lexer has its rules compiled, so a
    # first fence costs the GUI thread no import and no compiling.
    prepared = [highlight._lexer_class(language) for language in COMMON_LANGUAGES[1:]]
    rule_based = [cls for cls in prepared if issubclass(cls, RegexLexer)]
    assert len(rule_based) > 10
    assert all("_tokens" in cls.__dict__ for cls in rule_based)


def _void_calls_leak_none() -> bool:
    """PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void call."""
    fmt = QTextCharFormat()
    before = sys.getrefcount(None)
    for _ in range(100):
        fmt.setFontItalic(False)
    return sys.getrefcount(None) < before - 50


def test_qt_bindings_keep_none_alive() -> None:
    # Each highlighted line makes several void calls; with the leak, None's
    # count runs out after some thousands of lines and the process aborts.
    assert not _void_calls_leak_none(), (
        "This PySide6 build loses a reference to None on every call that returns "
        "nothing (seen with 6.12.0 on Python 3.11); use another PySide6 version."
    )


def megabyte_of_output() -> str:
    parts: list[str] = []
    size = i = 0
    while size < 1_000_000:
        lang = ("python", "js", "rust", "", "nosuchlang")[i % 5]
        code = "".join(
            f"    value_{i}_{j} = compute({j}, 'text {j}')  # step {j}\n" for j in range(12)
        )
        part = f"Paragraph {i} explains the code below in a few words.\n```{lang}\n{code}```\n"
        parts.append(part)
        size += len(part)
        i += 1
    return "".join(parts)


def test_a_megabyte_with_fences_highlights_in_reasonable_time(qtbot) -> None:
    if _void_calls_leak_none():
        pytest.skip("would abort the interpreter; see test_qt_bindings_keep_none_alive")
    text = megabyte_of_output()
    started = time.perf_counter()
    edit, _ = editor(qtbot, CodeBlockHighlighter, text)
    elapsed = time.perf_counter() - started
    last_code_line = edit.document().blockCount() - 3
    assert block(edit, last_code_line).layout().formats() != []
    assert elapsed < 10, f"{elapsed:.1f} s for 1 MB"  # about 2 s here; a bound, not a benchmark


def test_template_highlighter_on_a_megabyte(qtbot) -> None:
    if _void_calls_leak_none():
        pytest.skip("would abort the interpreter; see test_qt_bindings_keep_none_alive")
    text = "Hi {{ name }}, {% for x in xs %}{{ x | upper }}{% endfor %} {# n #}\n" * 15_000
    started = time.perf_counter()
    editor(qtbot, TemplateHighlighter, text)
    assert time.perf_counter() - started < 10
