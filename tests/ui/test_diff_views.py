"""The version diff, the output word diff and the dialog around them, as a user reads them."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QToolButton, QWidget

from playground.core.diff import FieldChange, word_diff
from playground.core.document import Message, PromptDocument
from playground.ui.history import DiffDialog, DocumentDiffView, OutputDiffView
from playground.ui.history.diff_text import diff_colors
from playground.ui.history.output_diff import LARGE_INPUT_CHARS, pending_jobs

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

OLD = PromptDocument(
    "greeter",
    system="You are a helpful assistant.\nAnswer in English.",
    messages=(Message("user", "Hi {{ name }}"),),
)
NEW = PromptDocument(
    "greeter",
    system="You are a terse assistant.\nAnswer in English.",
    messages=(Message("user", "Hi {{ name }}"), Message("assistant", "Hello there!")),
)


@pytest.fixture(autouse=True)
def no_comparison_left_running(qtbot) -> Iterator[None]:
    """A test that starts a background comparison waits for it, so none spills into the next."""
    yield
    qtbot.waitUntil(lambda: pending_jobs() == 0, timeout=60_000)


def find(edit: QPlainTextEdit, word: str) -> QTextCursor:
    cursor = edit.document().find(word)
    assert not cursor.isNull(), f"{word!r} not in {edit.objectName()}"
    return cursor


def background_at(edit: QPlainTextEdit, word: str) -> QColor | None:
    """The background of the characters of ``word`` (None when they have none)."""
    found = find(edit, word)
    cursor = QTextCursor(edit.document())
    colours = set()
    for position in range(found.selectionStart() + 1, found.selectionEnd() + 1):
        cursor.setPosition(position)  # charFormat() is that of the character before
        fmt = cursor.charFormat()
        colours.add(fmt.background().color().name() if fmt.hasProperty(0x820) else None)
    assert len(colours) == 1, f"{word!r} is not evenly formatted: {colours}"
    name = colours.pop()
    return None if name is None else QColor(name)


def block_background(edit: QPlainTextEdit, word: str) -> QColor | None:
    fmt = find(edit, word).block().blockFormat()
    return fmt.background().color() if fmt.hasProperty(0x820) else None


_VOCABULARY = ["".join(random.Random(n).choices("abcdefghij", k=2 + n % 7)) for n in range(3000)]


def words(count: int, seed: int) -> str:
    """``count`` words picked from a fixed vocabulary, the same for the same seed."""
    return " ".join(random.Random(seed).choices(_VOCABULARY, k=count))


def replaced(text: str, every: int) -> str:
    """``text`` with every ``every``-th word replaced by "zz": the smaller ``every``,
    the more the texts differ and the longer ``word_diff`` takes."""
    tokens = text.split()
    for i in range(0, len(tokens), every):
        tokens[i] = "zz"
    return " ".join(tokens)


# ---------------------------------------------------------------- version diff


@pytest.fixture
def document_view(qtbot) -> DocumentDiffView:
    view = DocumentDiffView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    return view


def test_document_diff_lists_the_changed_fields(document_view) -> None:
    document_view.set_documents("v1", OLD, "v2", NEW)
    assert document_view.changes() == [
        FieldChange(
            "system",
            "changed",
            "You are a helpful assistant.\nAnswer in English.",
            "You are a terse assistant.\nAnswer in English.",
        ),
        FieldChange("message 2 (assistant)", "added", "", "Hello there!"),
    ]
    summary = document_view.findChild(QLabel, "documentDiffSummary")
    assert summary is not None
    assert summary.text() == "2 fields changed"
    titles = [
        document_view.findChild(QLabel, n) for n in ("documentDiffOldTitle", "documentDiffNewTitle")
    ]
    assert [t.text() for t in titles if t is not None] == ["v1", "v2"]


def test_document_diff_marks_removed_words_left_and_added_words_right(document_view) -> None:
    document_view.set_documents("v1", OLD, "v2", NEW)
    colors = diff_colors(document_view.palette())
    left, right = document_view.old_side(), document_view.new_side()
    assert "helpful" in left.toPlainText()
    assert "terse" not in left.toPlainText()
    assert "terse" in right.toPlainText()
    assert background_at(left, "helpful") == colors.removed_word
    assert background_at(right, "terse") == colors.added_word
    # Words the line keeps are not marked, though the line is.
    assert background_at(left, "assistant.") is None
    assert block_background(left, "helpful") == colors.removed_line
    # Unchanged lines are context, dimmed.
    context = find(right, "Answer in English.")
    assert context.charFormat().foreground().color() == colors.dim
    # The added message stands on the right with nothing facing it on the left.
    assert "Hello there!" not in left.toPlainText()
    assert block_background(right, "Hello there!") == colors.added_line
    assert "(not present)" in left.toPlainText()
    assert "message 2 (assistant) — added" in left.toPlainText()
    # Row n on the left faces row n on the right.
    assert left.blockCount() == right.blockCount()
    row = find(right, "Hello there!").blockNumber()
    assert left.document().findBlockByNumber(row).text() == "(not present)"


def test_document_diff_of_equal_documents(document_view) -> None:
    document_view.set_documents("v1", OLD, "v1 again", OLD)
    assert document_view.changes() == []
    summary = document_view.findChild(QLabel, "documentDiffSummary")
    assert summary is not None
    assert summary.text() == "No differences."
    assert document_view.old_side().toPlainText() == ""


def test_long_unchanged_runs_fold_and_both_sides_scroll_together(document_view, qtbot) -> None:
    lines = [f"Rule number {i} of the house." for i in range(1, 201)]
    changed = list(lines)
    changed[99] = "Rule number 100 was rewritten."
    changed.insert(150, "A brand new rule.")
    document_view.set_documents(
        "v1",
        PromptDocument("p", system="\n".join(lines)),
        "v2",
        PromptDocument("p", system="\n".join(changed)),
    )
    left, right = document_view.old_side(), document_view.new_side()
    text = left.toPlainText()
    assert "⋯ 96 unchanged lines" in text  # 1..96 folded, 97..99 kept before the change
    assert "Rule number 50 of" not in text
    assert "Rule number 97 of" in text
    assert left.blockCount() == right.blockCount()

    document_view.resize(500, 200)
    document_view.show()
    qtbot.waitExposed(document_view)
    bar = left.verticalScrollBar()
    assert bar.maximum() > 5
    bar.setValue(bar.maximum() // 2)
    top_left = left.cursorForPosition(left.viewport().rect().topLeft()).blockNumber()
    top_right = right.cursorForPosition(right.viewport().rect().topLeft()).blockNumber()
    assert top_left > 0
    assert top_right == top_left
    right.verticalScrollBar().setValue(0)
    assert bar.value() == 0


def test_diff_colours_follow_a_dark_palette(document_view) -> None:
    light = diff_colors(document_view.palette())
    dark = QPalette(QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    document_view.set_documents("v1", OLD, "v2", NEW)
    document_view.setPalette(dark)  # redraws in the new colours
    colors = diff_colors(document_view.palette())
    assert colors.removed_word != light.removed_word
    assert colors.removed_word.lightnessF() < 0.45  # light text stays readable on it
    assert colors.removed_word.red() > colors.removed_word.green()
    assert colors.added_word.green() > colors.added_word.red()
    assert background_at(document_view.old_side(), "helpful") == colors.removed_word


# ---------------------------------------------------------------- output diff


@pytest.fixture
def output_view(qtbot) -> OutputDiffView:
    view = OutputDiffView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    return view


def test_small_outputs_are_compared_at_once(output_view, qtbot) -> None:
    output_view.set_texts(
        "Run 1", "The quick brown fox jumps.", "Run 2", "The slow brown fox jumps high."
    )
    assert not output_view.is_busy()
    colors = diff_colors(output_view.palette())
    left, right = output_view.left_side(), output_view.right_side()
    assert left.toPlainText() == "The quick brown fox jumps."
    assert right.toPlainText() == "The slow brown fox jumps high."
    assert background_at(left, "quick") == colors.removed_word
    assert background_at(right, "slow") == colors.added_word
    assert background_at(right, "high") == colors.added_word
    assert background_at(right, "brown") is None
    stats = output_view.findChild(QLabel, "outputDiffStats")
    assert stats is not None
    assert stats.text() == "+2 words / −1 words, 75% similar"

    toggle = output_view.findChild(QToolButton, "outputDiffInline")
    assert toggle is not None
    output_view.show()
    qtbot.waitExposed(output_view)
    QTest.mouseClick(toggle, Qt.MouseButton.LeftButton)
    inline = output_view.inline_side()
    assert inline.isVisible()
    assert not left.isVisible()
    assert inline.toPlainText() == "The quickslow brown fox jumps high."
    struck = find(inline, "quick")
    struck.setPosition(struck.selectionEnd())
    assert struck.charFormat().fontStrikeOut()
    underlined = find(inline, "slow")
    underlined.setPosition(underlined.selectionEnd())
    assert underlined.charFormat().fontUnderline()
    assert not underlined.charFormat().fontStrikeOut()
    QTest.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert left.isVisible()


def test_output_sides_scroll_to_the_same_text(output_view, qtbot) -> None:
    old_lines = [f"Step {i}: {words(5, seed=i)}" for i in range(300)]
    new_lines = [f"Preamble {i}: {words(5, seed=1000 + i)}" for i in range(80)]
    new_lines += [f"{line} (checked)" if i % 10 == 0 else line for i, line in enumerate(old_lines)]
    output_view.set_texts("a", "\n".join(old_lines), "b", "\n".join(new_lines))
    qtbot.waitUntil(lambda: not output_view.is_busy(), timeout=60_000)
    output_view.resize(600, 300)
    output_view.show()
    qtbot.waitExposed(output_view)
    left, right = output_view.left_side(), output_view.right_side()

    def top_text(edit: QPlainTextEdit) -> str:
        return edit.cursorForPosition(edit.viewport().rect().topLeft()).block().text()

    left.verticalScrollBar().setValue(find(left, "Step 150:").block().firstLineNumber())
    assert top_text(left) == old_lines[150]
    assert top_text(right) == f"{old_lines[150]} (checked)"
    right.verticalScrollBar().setValue(find(right, "Preamble 40:").block().firstLineNumber())
    assert top_text(left) == old_lines[0]  # nothing on the left comes before step 0
    right.verticalScrollBar().setValue(find(right, "Step 23:").block().firstLineNumber())
    assert top_text(left) == old_lines[23]


def test_identical_outputs(output_view) -> None:
    output_view.set_texts("a", "same text", "b", "same text")
    assert output_view.stats() == "+0 words / −0 words, 100% similar"


def test_large_outputs_are_compared_off_the_gui_thread(output_view, qtbot) -> None:
    old = words(2000, seed=1)
    new = replaced(old, 100)
    assert len(old) + len(new) > LARGE_INPUT_CHARS
    output_view.set_texts("a", old, "b", new)
    assert output_view.is_busy()
    assert output_view.stats() == "Comparing…"
    assert output_view.left_side().toPlainText() == old  # readable while it works
    qtbot.waitUntil(lambda: not output_view.is_busy(), timeout=60_000)
    assert output_view.ops() == word_diff(old, new)
    assert output_view.stats().endswith("% similar")
    colors = diff_colors(output_view.palette())
    assert background_at(output_view.right_side(), "zz") == colors.added_word


def test_a_superseded_comparison_is_dropped(output_view, qtbot) -> None:
    slow_old = words(3500, seed=2)
    slow_new = replaced(slow_old, 7)
    fast = words(2000, seed=3)  # identical texts compare in a blink
    assert len(fast) * 2 > LARGE_INPUT_CHARS
    output_view.set_texts("slow a", slow_old, "slow b", slow_new)
    output_view.set_texts("fast a", fast, "fast b", fast)
    assert output_view.is_busy()
    qtbot.waitUntil(lambda: not output_view.is_busy(), timeout=60_000)
    assert output_view.ops() == [word_diff(fast, fast)[0]]
    # Let the slow comparison finish too: its result must not replace the newer one.
    qtbot.waitUntil(lambda: pending_jobs() == 0, timeout=60_000)
    qtbot.wait(100)
    assert output_view.ops() == word_diff(fast, fast)
    assert output_view.left_side().toPlainText() == fast
    assert output_view.stats() == "+0 words / −0 words, 100% similar"


def test_small_texts_supersede_a_pending_large_comparison(output_view, qtbot) -> None:
    big = words(2000, seed=4)
    output_view.set_texts("a", big, "b", replaced(big, 50))
    assert output_view.is_busy()
    output_view.set_texts("c", "one two", "d", "one three")
    assert not output_view.is_busy()
    qtbot.waitUntil(lambda: pending_jobs() == 0, timeout=60_000)
    qtbot.wait(100)
    assert output_view.left_side().toPlainText() == "one two"
    assert output_view.stats() == "+1 words / −1 words, 50% similar"


def test_closing_the_view_mid_comparison_is_harmless(qtbot) -> None:
    view = OutputDiffView()
    big = words(2000, seed=5)
    view.set_texts("a", big, "b", replaced(big, 50))
    view.deleteLater()
    del view
    qtbot.waitUntil(lambda: pending_jobs() == 0, timeout=60_000)
    qtbot.wait(100)


# ---------------------------------------------------------------- dialog


@pytest.fixture
def owner(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_document_dialog_copies_a_unified_diff_and_closes_with_escape(owner, qtbot) -> None:
    dialog = DiffDialog.for_documents(owner, "v1", OLD, "v2", NEW)
    assert not dialog.isModal()
    assert isinstance(dialog.view(), DocumentDiffView)
    assert dialog.windowTitle() == "Compare v1 → v2"
    dialog.show()
    qtbot.waitExposed(dialog)
    copy = dialog.findChild(QPushButton, "diffCopy")
    assert copy is not None
    QTest.mouseClick(copy, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("v1 → v2: 2 fields changed\n")
    assert "--- a/system\n+++ b/system\n" in copied
    assert (
        "\n-You are a helpful assistant.\n+You are a terse assistant.\n Answer in English.\n"
        in copied
    )
    assert "+++ b/message 2 (assistant)\n@@ -0,0 +1 @@\n+Hello there!\n" in copied
    assert copy.text() == "Copied"
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_output_dialog_hosts_the_word_diff(owner, qtbot) -> None:
    dialog = DiffDialog.for_outputs(owner, "Run 1", "alpha\nbeta\n", "Run 2", "alpha\ngamma\n")
    view = dialog.view()
    assert isinstance(view, OutputDiffView)
    assert view.stats() == "+1 words / −1 words, 60% similar"
    assert dialog.patch_text() == ("--- Run 1\n+++ Run 2\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+gamma\n")
