"""The main window end to end, against the loopback fake server.

A user creates a prompt with a variable and two examples, runs it in three
panes (one failing), saves a version, edits, saves again, looks at the diff,
and restores the first version. Plus the library actions, the title marker,
layout memory and the shortcuts list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QPlainTextEdit,
    QTreeWidget,
    QWidget,
)

from playground.core.document import Example, Message, PromptDocument, Target
from playground.core.provider_config import ProviderConfig
from playground.keystore import KeyStore
from playground.store import Store
from playground.ui.dialogs.save_version import SaveVersionDialog
from playground.ui.history import DiffDialog
from playground.ui.main_window import MainWindow, Services
from tests.fakes.llm_server import FakeLLMServer
from tests.ui.conftest import wait_until

ANSWER_A = "Hello Ada!\n\n```python\nprint('hi')\n```\n"
ANSWER_B = "Hi there, Ada. Nice to meet you."


@pytest.fixture
def make_window(qtbot, store: Store, tmp_path: Path) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(Services(store, KeyStore(), settings))
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.services.drafts.close()
        window.services.runs.close()


def local_server(store: Store, server: FakeLLMServer) -> None:
    store.save_provider_config(
        ProviderConfig(
            "local", "openai-compatible", base_url=server.openai_base_url, key_required=False
        )
    )


def child(parent: QWidget, name: str, kind: type = QWidget) -> QWidget:
    found = parent.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name!r}"
    return found


def type_into(edit: QWidget, text: str) -> None:
    edit.setFocus()
    QTest.keyClicks(edit, text)


def append_to(edit: QPlainTextEdit, text: str) -> None:
    edit.moveCursor(QTextCursor.MoveOperation.End)
    type_into(edit, text)


def top_level(kind: type) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_write_run_save_diff_restore(
    qtbot, aio, make_window, store: Store, server: FakeLLMServer
) -> None:
    server.script("model-a", text=ANSWER_A, chunk_delay=0.002)
    server.script("model-b", text=ANSWER_B, chunk_delay=0.002)
    server.script("model-broken", fault="server_error")
    local_server(store, server)
    window = make_window()
    assert window.library_panel.names() == []
    assert not window.run_all_action.isEnabled()

    # 1. A new prompt with a variable and two examples, typed as a user would.
    window.new_action.trigger()
    assert window.library_panel.names() == ["Untitled prompt"]
    editor = window.editor
    type_into(child(editor, "systemEdit"), "You are terse.")
    child(editor, "addMessage").click()
    type_into(child(editor, "messageEdit"), "Greet {{ name }}")
    qtbot.waitUntil(lambda: editor.findChild(QWidget, "variableValue_name") is not None)
    type_into(child(editor, "variableValue_name"), "Ada")
    add_example = child(editor, "examplesAdd")
    add_example.click()
    add_example.click()
    model = editor.examples.model
    for row, (given, wanted) in enumerate([("Greet Bo", "Hi Bo."), ("Greet Cy", "Hi Cy.")]):
        model.setData(model.index(row, 1), given)
        model.setData(model.index(row, 2), wanted)
    assert window.windowTitle().startswith("Untitled prompt •")

    # 2. Three panes, one of them failing.
    first = window.panes.panes()[0]
    first.set_providers(["local"])
    first.set_target(Target("local", "model-a"))
    QTest.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    panes = window.panes.panes()
    assert len(panes) == 3
    panes[1].set_target(Target("local", "model-b"))
    panes[2].set_target(Target("local", "model-broken"))

    async def run_all() -> None:
        window.activateWindow()
        QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        await wait_until(lambda: any(p.is_running() for p in panes), what="the run to start")
        await wait_until(lambda: not any(p.is_running() for p in panes), what="all panes")

    aio(run_all())
    assert panes[0].output_text() == ANSWER_A
    assert panes[1].output_text() == ANSWER_B
    assert panes[0].error_text() == ""
    assert "server" in panes[2].error_text().lower()
    assert panes[2].output_text() == ""
    sent = next(r for r in server.requests if r.model == "model-a").body
    assert [m["content"] for m in sent["messages"]] == [
        "You are terse.",
        "Greet Bo",
        "Hi Bo.",
        "Greet Cy",
        "Hi Cy.",
        "Greet Ada",
    ]
    prompt_id = window.library_panel.ids()[0]
    assert {r.record.model for r in store.list_runs(prompt_id)} == {
        "model-a",
        "model-b",
        "model-broken",
    }

    # 3. Save a version (Ctrl+S asks for a message), edit, save again.
    def save(message: str) -> None:
        window.activateWindow()  # the last dialog took the activation with it
        qtbot.waitUntil(window.isActiveWindow)
        QTest.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        dialogs = top_level(SaveVersionDialog)
        assert len(dialogs) == 1
        type_into(child(dialogs[0], "versionMessage"), message)
        dialogs[0].accept()

    save("first cut")
    assert not window.windowTitle().startswith("Untitled prompt •")
    versions = store.list_versions(prompt_id)
    assert [(v.number, v.message) for v in versions] == [(1, "first cut")]
    v1 = store.get_version(prompt_id, 1).document
    assert v1.system == "You are terse."
    assert [e.input for e in v1.examples] == ["Greet Bo", "Greet Cy"]
    assert v1.variable("name").sample == "Ada"  # type: ignore[union-attr]
    assert [t.model for t in v1.targets] == ["model-a", "model-b", "model-broken"]

    system = child(editor, "systemEdit", QPlainTextEdit)
    append_to(system, " Answer in French.")
    qtbot.waitUntil(lambda: window.windowTitle().startswith("Untitled prompt •"))
    save("french")
    assert [v.number for v in store.list_versions(prompt_id)] == [2, 1]

    # 4. The history panel shows both; comparing them shows the change.
    tree = child(window.history, "historyVersions", QTreeWidget)
    assert tree.topLevelItemCount() == 2
    assert "french" in tree.topLevelItem(0).text(1)
    tree.selectAll()
    child(window.history, "historyCompare", QAbstractButton).click()
    dialogs = top_level(DiffDialog)
    assert len(dialogs) == 1
    changes = dialogs[0].view().changes()  # type: ignore[attr-defined]
    assert [c.field for c in changes] == ["system"]
    assert changes[0].after == "You are terse. Answer in French."
    dialogs[0].close()

    # 5. Word diff of two panes' outputs.
    window.compare_panes(panes[0].pane_id, panes[1].pane_id)
    diffs = top_level(DiffDialog)
    assert len(diffs) == 1
    assert "Ada" in diffs[0].patch_text()
    diffs[0].close()

    # 6. Restore the first version: it becomes the draft, shown in the editor and panes.
    tree.clearSelection()
    tree.topLevelItem(1).setSelected(True)
    child(window.history, "historyRestore", QAbstractButton).click()
    assert system.toPlainText() == "You are terse."
    assert store.get_draft(prompt_id).base_version == 1  # type: ignore[union-attr]
    assert not window.windowTitle().startswith("Untitled prompt •")
    assert [v.number for v in store.list_versions(prompt_id)] == [2, 1]  # nothing lost
    assert [p.target() for p in window.panes.panes()] == [
        Target("local", m) for m in ("model-a", "model-b", "model-broken")
    ]


def test_restore_over_unsaved_edits_asks_first(qtbot, make_window, store: Store) -> None:
    prompt = store.create_prompt("p", PromptDocument("p", system="one"))
    store.save_version(prompt.id, PromptDocument("p", system="one"))
    store.save_version(prompt.id, PromptDocument("p", system="two"))
    window = make_window()
    system = child(window.editor, "systemEdit", QPlainTextEdit)
    assert system.toPlainText() == "two"
    append_to(system, " and more")
    window.history.restore_requested.emit(1)
    box = window.findChild(QWidget, "restoreConflict")
    assert box is not None
    assert box.isVisible()
    assert system.toPlainText() == "two and more"  # nothing replaced yet
    save_first = next(b for b in box.buttons() if b.text().startswith("Save version"))  # type: ignore[attr-defined]
    save_first.click()
    assert system.toPlainText() == "one"
    versions = store.list_versions(prompt.id)
    assert versions[0].message == "Before restoring"
    assert store.get_version(prompt.id, versions[0].number).document.system == "two and more"


def test_library_new_rename_duplicate_archive_search(qtbot, make_window, store: Store) -> None:
    pirate = store.create_prompt("pirate", PromptDocument("pirate", system="Talk like a pirate."))
    store.save_version(pirate.id, PromptDocument("pirate", system="Talk like a pirate."))
    window = make_window()
    lib = window.library_panel
    assert lib.names() == ["pirate"]
    assert window.windowTitle() == "pirate — Prompt Playground"

    lib.rename_requested.emit(pirate.id, "buccaneer")
    assert lib.names() == ["buccaneer"]
    assert window.windowTitle().startswith("buccaneer")
    assert store.get_prompt(pirate.id).name == "buccaneer"

    window.duplicate_action.trigger()
    assert lib.names() == ["buccaneer", "buccaneer copy"]
    assert window.windowTitle().startswith("buccaneer copy")
    assert child(window.editor, "systemEdit", QPlainTextEdit).toPlainText() == (
        "Talk like a pirate."
    )

    window.archive_action.trigger()
    assert lib.names() == ["buccaneer"]
    assert "Archived" in window.status.currentMessage()
    lib.show_archived.setChecked(True)
    assert lib.names() == ["buccaneer", "buccaneer copy"]
    lib.show_archived.setChecked(False)

    # Search: FTS over versions, as the user types (debounced).
    type_into(lib.search, "pirat")
    qtbot.waitUntil(lambda: lib.list.count() == 1 and "v1" in lib.list.item(0).text())
    lib.search.clear()
    qtbot.waitUntil(lambda: lib.names() == ["buccaneer"])
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert lib.search.hasFocus()


def test_invalid_template_disables_run_with_the_reason(qtbot, make_window, store: Store) -> None:
    store.create_prompt("p", PromptDocument("p", messages=(Message("user", "Hi"),)))
    window = make_window()
    assert window.run_all_action.isEnabled()
    type_into(child(window.editor, "messageEdit"), " {{ name ")
    qtbot.waitUntil(lambda: not window.run_all_action.isEnabled())
    blocked = child(window, "runBlocked", QLabel)
    assert blocked.isVisible()
    assert "line 1:" in blocked.text()
    assert not window.panes.panes()[0].findChild(QWidget, "runButton").isEnabled()
    QTest.keyClick(child(window.editor, "messageEdit"), Qt.Key.Key_Backspace)
    type_into(child(window.editor, "messageEdit"), "}}")
    qtbot.waitUntil(lambda: window.run_all_action.isEnabled())
    assert not blocked.isVisible()


def test_layout_and_last_prompt_are_remembered(qtbot, make_window, store: Store) -> None:
    store.create_prompt("a", PromptDocument("a"))
    b = store.create_prompt("b", PromptDocument("b"))
    window = make_window()
    window.open_prompt(b.id)
    window.main_splitter.setSizes([333, 1000])
    window.history_action.trigger()  # hide the history panel
    window.close()
    again = make_window()
    assert again.windowTitle().startswith("b")
    assert again.main_splitter.sizes()[0] == 333
    assert not again.history.isVisible()


def test_draft_is_autosaved_and_saved_on_close(qtbot, make_window, store: Store) -> None:
    prompt = store.create_prompt("p", PromptDocument("p", system="start"))
    window = make_window()
    system = child(window.editor, "systemEdit", QPlainTextEdit)
    append_to(system, "!")
    qtbot.waitUntil(
        lambda: store.get_draft(prompt.id).document.system == "start!",  # type: ignore[union-attr]
        timeout=3000,
    )
    append_to(system, "?")
    window.close()  # before the autosave timer: closing writes it
    assert store.get_draft(prompt.id).document.system == "start!?"  # type: ignore[union-attr]


def test_past_run_opens_in_a_pane(
    qtbot, aio, make_window, store: Store, server: FakeLLMServer
) -> None:
    server.script("m", text="An old answer.")
    local_server(store, server)
    doc = PromptDocument(
        "p",
        messages=(Message("user", "Hi"),),
        examples=(Example("a", "b"),),
        targets=(Target("local", "m"),),
    )
    prompt = store.create_prompt("p", doc)
    store.save_version(prompt.id, doc)
    window = make_window()

    async def run() -> None:
        window.run_all()
        await window.services.runs.wait_idle()

    aio(run())
    runs = store.list_runs(prompt.id)
    assert len(runs) == 1
    assert runs[0].version_number == 1
    window.history.run_open_requested.emit(runs[0].id)
    panes = window.panes.panes()
    assert len(panes) == 2
    assert panes[1].output_text() == "An old answer."
    assert panes[1].target() == Target("local", "m")
    # Shown for reference: it is not added to the prompt's targets.
    assert window.current_document().targets == (Target("local", "m"),)


def test_shortcuts_dialog_lists_the_essentials(qtbot, make_window, store: Store) -> None:
    window = make_window()
    dialog = window.show_shortcuts()
    entries = dialog.entries()
    for name in (
        "Run all panes",
        "Stop all panes",
        "Save version",
        "New pane",
        "Find in library",
        "New prompt",
        "Export",
        "Import",
    ):
        assert entries.get(name), f"{name} has no shortcut listed"
    assert entries["Save version"] == "Ctrl+S"
    dialog.close()


def test_empty_library_and_no_keys_say_what_to_do(qtbot, make_window, store: Store) -> None:
    window = make_window()
    assert child(window, "libraryEmpty", QLabel).isVisible()
    assert "Ctrl+N" in child(window, "editorEmpty", QLabel).text()
    window.new_action.trigger()
    pane = window.panes.panes()[0]
    hint = child(pane, "paneOutput", QPlainTextEdit).placeholderText()
    assert "Add a key in Settings, or point a pane at a local server" in hint


def test_export_writes_the_lossless_json(qtbot, make_window, store: Store, tmp_path: Path) -> None:
    store.create_prompt("p", PromptDocument("p", system="Be {{ tone }}."))
    window = make_window()
    out = tmp_path / "p.prompt.json"
    assert window.write_export(str(out), window.current_document())
    data = json.loads(out.read_text())
    assert data["system"] == "Be {{ tone }}."
    assert data["schemaVersion"] == 1
    assert not window.write_export(str(tmp_path / "missing" / "x.json"), window.current_document())
    assert "Could not write" in window.notice.message()


def test_switching_palette_recolours_the_toolbar_icons(
    qtbot, qapp: QApplication, make_window, store: Store
) -> None:
    from PySide6.QtGui import QPalette

    from playground.ui.icons import clear_cache
    from playground.ui.theme import apply_theme

    style, palette = qapp.style().name(), QPalette(qapp.palette())
    try:
        apply_theme(qapp, "light")
        window = make_window()
        before = window.run_all_action.icon().pixmap(24, 24).toImage()
        apply_theme(qapp, "dark")
        window.apply_palette()
        after = window.run_all_action.icon().pixmap(24, 24).toImage()
        assert before != after
    finally:
        qapp.setStyle(style)
        qapp.setPalette(palette)
        clear_cache()


def test_ctrl_enter_runs_all_even_while_typing_in_an_editor(
    qtbot, make_window, store: Store
) -> None:
    store.create_prompt("p", PromptDocument("p", messages=(Message("user", "x"),)))
    window = make_window()
    hits: list[bool] = []
    window.run_all_action.triggered.connect(lambda *_: hits.append(True))
    for name in ("systemEdit", "messageEdit"):
        edit = child(window.editor, name, QPlainTextEdit)
        window.activateWindow()
        edit.setFocus()
        qtbot.waitUntil(edit.hasFocus)
        QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(hits) == 2
    assert child(window.editor, "systemEdit", QPlainTextEdit).toPlainText() == ""  # no newline


def test_closing_while_a_run_streams_logs_it_as_stopped(
    qtbot, aio, make_window, store: Store, server: FakeLLMServer
) -> None:
    server.script("slow", text="word " * 400, chunk_delay=0.01)
    local_server(store, server)
    doc = PromptDocument("p", messages=(Message("user", "Hi"),), targets=(Target("local", "slow"),))
    prompt = store.create_prompt("p", doc)
    window = make_window()
    pane = window.panes.panes()[0]

    async def scenario() -> None:
        window.run_all()
        await wait_until(lambda: len(pane.output_text()) > 20, what="streaming")
        window.close()
        assert window.isVisible()  # waits for the stream to wind down first
        await wait_until(lambda: not window.isVisible(), what="the window to close")

    # Closing the last window would quit the test's event loop as it quits the app.
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    qapp.setQuitOnLastWindowClosed(False)
    try:
        aio(scenario())
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    runs = store.list_runs(prompt.id)
    assert [r.record.status for r in runs] == ["cancelled"]
    assert runs[0].record.output.startswith("word word")


def test_the_window_parts_cover_every_name_imported_for_type_checking() -> None:
    """The window's parts are imported after the first paint (load_parts); none may be missed."""
    import ast

    import playground.ui.main_window as module

    module.load_parts()
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    blocks = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    ]
    names = [
        (alias.asname or alias.name).split(".")[0]
        for block in blocks
        for statement in block.body
        if isinstance(statement, ast.Import | ast.ImportFrom)
        for alias in statement.names
    ]
    only_in_annotations = {"QCloseEvent", "QShowEvent"}
    assert len(names) > 20
    assert [n for n in names if n not in vars(module) and n not in only_in_annotations] == []
