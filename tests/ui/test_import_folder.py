"""File → Import, files dropped on the window, Open folder, and write-back on Save Version.

Prompt files are native JSON written by the native exporter (the one format
every checkout reads). The window is the real one, on a temporary library and
a temporary QSettings file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QMessageBox, QPlainTextEdit, QWidget

from playground import exchange
from playground.core.document import Message, PromptDocument
from playground.export import native, registry
from playground.export.base import ExportOptions
from playground.keystore import KeyStore
from playground.store import Store
from playground.ui.controllers.files import ImportReport
from playground.ui.dialogs.save_version import SaveVersionDialog
from playground.ui.file_actions import FOLDER_KEY
from playground.ui.main_window import MainWindow, Services


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, store: Store, settings_path: Path) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        window = MainWindow(Services(store, KeyStore(), settings))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.services.drafts.close()
        window.services.runs.close()


def doc(name: str, system: str = "Be brief.") -> PromptDocument:
    return PromptDocument(name, system=system, messages=(Message("user", "Hi {{ who }}"),))


def write(path: Path, document: PromptDocument) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(native.export(document, ExportOptions()).main.text, encoding="utf-8")
    return path


def saved(store: Store, document: PromptDocument) -> int:
    prompt_id = store.create_prompt(document.name, document).id
    store.save_version(prompt_id, document, "in the library")
    return prompt_id


def system_edit(window: MainWindow) -> QPlainTextEdit:
    found = window.editor.findChild(QPlainTextEdit, "systemEdit")
    assert found is not None
    return found


def status_text(window: MainWindow) -> str:
    return window.status.currentMessage()


def file_system(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8"))["system"])


# ---------------------------------------------------------------- File → Import


def test_import_action_imports_each_file_and_opens_the_last(
    qtbot, make_window, store: Store, tmp_path: Path
) -> None:
    first = write(tmp_path / "a.json", doc("Alpha", "First."))
    second = write(tmp_path / "b.json", doc("Beta", "Second."))
    window = make_window()
    assert window.files.import_action.shortcut().toString() == "Ctrl+Shift+O"
    file_menu = window.menuBar().actions()[0].menu()
    assert window.files.import_action in file_menu.actions()  # type: ignore[union-attr]

    dialog = window.files.choose_files()
    assert dialog.isVisible()
    dialog.filesSelected.emit([str(first), str(second)])
    dialog.reject()

    assert window.library_panel.names() == ["Alpha", "Beta"]
    assert window.services.drafts.name == "Beta"
    assert system_edit(window).toPlainText() == "Second."
    assert status_text(window) == (
        "Imported 'Alpha' as a new prompt (v1). Imported 'Beta' as a new prompt (v1)."
    )
    assert not window.notice.isVisible()

    # The same file again changes nothing; a changed one is the next version.
    window.files.import_files([first])
    assert status_text(window) == "'Alpha': unchanged (same as v1)."
    assert window.services.drafts.name == "Alpha"
    write(first, doc("Alpha", "First, edited."))
    window.files.import_files([first])
    assert status_text(window) == "'Alpha': saved as v2."
    assert system_edit(window).toPlainText() == "First, edited."  # the open prompt reloaded
    assert [v.number for v in store.list_versions(store.get_prompt("Alpha").id)] == [2, 1]


def test_a_malformed_file_is_named_with_its_line_and_the_others_still_import(
    qtbot, make_window, store: Store, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "name": "Broken",\n  "messages": [\n    {"role": "robot"}\n  ]\n}\n')
    good = write(tmp_path / "good.json", doc("Good"))
    window = make_window()
    report = window.files.import_files([broken, good])
    assert report is not None
    assert len(report.outcomes) == 1
    assert window.library_panel.names() == ["Good"]
    assert window.services.drafts.name == "Good"
    assert window.notice.kind == "error"
    message = window.notice.message()
    assert f"{broken}:4: " in message
    assert "Could not import 1 file(s):" in message
    assert "Imported 'Good' as a new prompt (v1)." in message


def test_warnings_are_listed_calmly_with_all_of_them_in_the_tooltip(
    qtbot, make_window, store: Store, tmp_path: Path
) -> None:
    window = make_window()
    report = window.files.controller.import_files([write(tmp_path / "w.json", doc("W"))])
    warnings = tuple(f"w.json: warning {i}" for i in range(8))
    window.files.show_report(ImportReport(report.outcomes, (), warnings))
    assert window.notice.kind == "warning"
    message = window.notice.message()
    assert "8 warning(s):" in message
    assert "• w.json: warning 4" in message
    assert "warning 5" not in message
    assert "… and 3 more (hover to see all)" in message
    assert window.notice.text.toolTip().splitlines() == list(warnings)


def test_import_never_loses_the_open_drafts_edits(
    qtbot, make_window, store: Store, tmp_path: Path
) -> None:
    prompt_id = saved(store, doc("Greeter", "Library text."))
    window = make_window()
    system = system_edit(window)
    system.moveCursor(system.textCursor().MoveOperation.End)
    QTest.keyClicks(system, " My edit.")  # not yet autosaved
    window.files.import_files([write(tmp_path / "g.json", doc("Greeter", "From the file."))])
    assert status_text(window) == "'Greeter': saved as v2."
    assert system.toPlainText() == "Library text. My edit."
    draft = store.get_draft(prompt_id)
    assert draft is not None
    assert draft.document.system == "Library text. My edit."
    assert store.get_version(prompt_id, 2).document.system == "From the file."
    assert window.windowTitle().startswith("Greeter •")  # still unsaved


# ---------------------------------------------------------------- dropping files


def drag_and_drop(window: MainWindow, paths: list[Path]) -> tuple[bool, bool]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(200, 200), action, mime, buttons, modifiers)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False, False
    drop = QDropEvent(QPointF(200, 200), action, mime, buttons, modifiers)
    QApplication.sendEvent(window, drop)
    return True, drop.isAccepted()


def test_dropping_prompt_files_imports_them(
    qtbot, make_window, store: Store, tmp_path: Path
) -> None:
    window = make_window()
    assert window.acceptDrops()
    entered, dropped = drag_and_drop(window, [write(tmp_path / "d.json", doc("Dropped"))])
    assert entered
    assert dropped
    assert window.library_panel.names() == ["Dropped"]
    assert window.services.drafts.name == "Dropped"
    assert status_text(window) == "Imported 'Dropped' as a new prompt (v1)."


def test_dropping_other_files_is_refused_with_a_reason(
    qtbot, make_window, store: Store, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a prompt")
    window = make_window()
    assert drag_and_drop(window, [notes]) == (False, False)
    assert "Only prompt files can be dropped here (.prompty, .json" in status_text(window)
    assert window.library_panel.names() == []

    # With a prompt file among them, each other file is named in the report.
    entered, dropped = drag_and_drop(window, [notes, write(tmp_path / "p.json", doc("P"))])
    assert entered
    assert dropped
    assert window.library_panel.names() == ["P"]
    assert f"{notes}: is not a prompt file this app reads" in window.notice.message()


# ---------------------------------------------------------------- the opened folder


@pytest.fixture
def folder(tmp_path: Path, store: Store) -> Path:
    """A prompts/ folder with one file of each status."""
    root = tmp_path / "prompts"
    write(root / "fresh.json", doc("Fresh", "New here."))
    write(root / "same.json", doc("Same", "Kept in step."))
    write(root / "sub" / "changed.json", doc("Changed", "File version."))
    (root / "broken.json").write_text('{\n  "name": 3\n}\n')
    saved(store, doc("Same", "Kept in step."))
    saved(store, doc("Changed", "Library version."))
    return root


STATUSES = {
    "broken.json": "error",
    "fresh.json": "new",
    "same.json": "same",
    "sub/changed.json": "differs",
}


def test_open_folder_lists_its_files_with_their_status_and_is_remembered(
    qtbot, make_window, store: Store, folder: Path, settings_path: Path
) -> None:
    window = make_window()
    panel = window.files.panel
    assert not panel.isVisible()
    assert not window.files.close_folder_action.isEnabled()
    dialog = window.files.choose_folder()
    dialog.fileSelected.emit(str(folder))
    dialog.reject()
    assert panel.isVisible()
    assert panel.title.text() == "prompts"
    assert panel.statuses() == STATUSES
    assert status_text(window) == (
        "Opened prompts: 4 prompt file(s): 1 new, 1 differ from the library, 1 cannot be read."
    )
    error_row = panel.list.item(0)
    assert error_row.text() == "broken.json  ·  error"
    assert f"{folder / 'broken.json'}:2: name:" in error_row.toolTip()
    assert "differs from v1 in the library" in panel.list.item(3).toolTip()
    window.close()
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).value(FOLDER_KEY) == str(
        folder
    )

    again = make_window()
    qtbot.waitUntil(lambda: again.files.panel.isVisible(), timeout=3000)
    assert again.files.panel.statuses() == STATUSES
    again.files.close_folder_action.trigger()
    assert not again.files.panel.isVisible()
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).value(FOLDER_KEY) is None


def test_a_remembered_folder_that_is_gone_is_only_mentioned(
    qtbot, make_window, store: Store, tmp_path: Path, settings_path: Path
) -> None:
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue(FOLDER_KEY, str(tmp_path / "gone"))
    settings.sync()
    window = make_window()
    qtbot.waitUntil(lambda: "is not there any more" in status_text(window), timeout=3000)
    assert not window.files.panel.isVisible()
    assert not window.notice.isVisible()


def pick(window: MainWindow, detail: str) -> None:
    key = window.files.panel.key_of(detail)
    assert key is not None, detail
    window.files.panel.entry_activated.emit(key)


def test_picking_each_kind_of_file(qtbot, make_window, store: Store, folder: Path) -> None:
    window = make_window()
    window.files.open_folder(folder)

    pick(window, "broken.json")
    assert window.notice.kind == "error"
    assert f"{folder / 'broken.json'}:2:" in window.notice.message()

    pick(window, "same.json")
    assert window.services.drafts.name == "Same"
    assert system_edit(window).toPlainText() == "Kept in step."

    pick(window, "fresh.json")
    assert "Fresh" in window.library_panel.names()
    assert window.services.drafts.name == "Fresh"
    assert window.files.panel.statuses()["fresh.json"] == "same"

    changed_id = store.get_prompt("Changed").id
    pick(window, "sub/changed.json")
    assert window.services.drafts.name == "Changed"
    assert system_edit(window).toPlainText() == "File version."
    assert window.windowTitle().startswith("Changed •")  # the file's content is unsaved
    assert store.get_version(changed_id).document.system == "Library version."
    assert window.services.drafts.base_version == 1
    assert "Loaded changed.json as the draft of 'Changed'" in status_text(window)
    pick(window, "sub/changed.json")  # picking it again asks nothing: it is loaded already
    assert window.findChild(QMessageBox, "loadFileConflict") is None


def conflict_box(window: MainWindow) -> QMessageBox:
    box = window.findChild(QMessageBox, "loadFileConflict")
    assert box is not None
    assert box.isVisible()
    return box


def click(box: QMessageBox, starts: str) -> None:
    next(b for b in box.buttons() if b.text().startswith(starts)).click()


def test_a_file_never_silently_replaces_unsaved_edits(
    qtbot, make_window, store: Store, folder: Path
) -> None:
    changed_id = store.get_prompt("Changed").id
    window = make_window()
    window.open_prompt(changed_id)
    window.files.open_folder(folder)
    system = system_edit(window)
    system.moveCursor(system.textCursor().MoveOperation.End)
    QTest.keyClicks(system, " Unsaved.")

    pick(window, "sub/changed.json")
    box = conflict_box(window)
    assert "has edits that are not saved as a version" in box.text()
    pick(window, "sub/changed.json")  # a second pick while asking opens no second question
    assert len(window.findChildren(QMessageBox, "loadFileConflict")) == 1
    click(box, "Cancel")
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "loadFileConflict") is None)
    assert system.toPlainText() == "Library version. Unsaved."

    pick(window, "sub/changed.json")
    click(conflict_box(window), "Open the draft as it is")
    assert system.toPlainText() == "Library version. Unsaved."
    draft = store.get_draft(changed_id)
    assert draft is not None
    assert draft.document.system == "Library version. Unsaved."
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "loadFileConflict") is None)

    pick(window, "sub/changed.json")
    click(conflict_box(window), "Save edits as a version")
    assert system.toPlainText() == "File version."
    kept = store.list_versions(changed_id)[0]
    assert (kept.number, kept.message) == (2, "Before loading changed.json")
    assert store.get_version(changed_id, 2).document.system == "Library version. Unsaved."
    assert window.services.drafts.base_version == 2


# ---------------------------------------------------------------- write-back


def save_with_dialog(window: MainWindow, *, write_back: bool | None) -> None:
    dialog = window.save_version()
    assert isinstance(dialog, SaveVersionDialog)
    box = dialog.findChild(QCheckBox, "writeBack")
    if write_back is None:
        assert box is None
    else:
        assert box is not None
        assert box.isChecked()
        box.setChecked(write_back)
    dialog.accept()


def test_saving_a_version_writes_the_file_back(
    qtbot, make_window, store: Store, folder: Path
) -> None:
    window = make_window()
    window.files.open_folder(folder)
    pick(window, "sub/changed.json")  # the file's content as the draft
    system = system_edit(window)
    system.moveCursor(system.textCursor().MoveOperation.End)
    QTest.keyClicks(system, " Better.")
    dialog = window.save_version()
    assert isinstance(dialog, SaveVersionDialog)
    checkbox = dialog.findChild(QCheckBox, "writeBack")
    assert checkbox is not None
    assert checkbox.text() == "Also write changed.json"
    dialog.accept()

    changed = folder / "sub" / "changed.json"
    assert file_system(changed) == "File version. Better."
    assert window.files.panel.statuses()["sub/changed.json"] == "same"
    assert status_text(window) == "Saved v2 and wrote changed.json."
    assert [p.name for p in changed.parent.iterdir()] == ["changed.json"]

    # Unticked, the version is saved and the file is left alone.
    QTest.keyClicks(system, " Again.")
    save_with_dialog(window, write_back=False)
    assert file_system(changed) == "File version. Better."
    assert window.files.panel.statuses()["sub/changed.json"] == "differs"

    # A prompt with no file in the folder is not offered a write-back.
    window.open_prompt(store.create_prompt("Elsewhere", doc("Elsewhere")).id)
    save_with_dialog(window, write_back=None)


def test_a_write_back_that_fails_is_shown_and_the_version_is_kept(
    qtbot, make_window, store: Store, folder: Path
) -> None:
    same_id = store.get_prompt("Same").id
    window = make_window()
    window.files.open_folder(folder)
    pick(window, "same.json")
    target = folder / "same.json"
    target.unlink()
    target.mkdir()  # the file's place is taken by a folder: the rename onto it fails
    system = system_edit(window)
    system.moveCursor(system.textCursor().MoveOperation.End)
    QTest.keyClicks(system, " More.")
    save_with_dialog(window, write_back=True)
    assert store.get_version(same_id, 2).document.system == "Kept in step. More."
    assert window.notice.kind == "error"
    message = window.notice.message()
    assert message.startswith("v2 is saved, but its file was not written: ")
    assert f"{target}: cannot be written" in message


@pytest.mark.skipif(
    not (Path(registry.__file__).parent / "prompty.py").is_file(),
    reason="the .prompty format is not in this checkout yet",
)
def test_a_prompty_file_is_imported_and_written_back_as_prompty(
    qtbot, make_window, store: Store, tmp_path: Path
) -> None:
    root = tmp_path / "prompts"
    root.mkdir()
    result = registry.export_document(doc("Poet", "Rhyme."), "prompty", ExportOptions())
    path = exchange.write_export(result, root / "poet.prompty")[0]
    window = make_window()
    window.files.open_folder(root)
    pick(window, "poet.prompty")
    assert window.services.drafts.name == "Poet"
    assert window.files.panel.statuses() == {"poet.prompty": "same"}
    system = system_edit(window)
    system.moveCursor(system.textCursor().MoveOperation.End)
    QTest.keyClicks(system, " Always.")
    save_with_dialog(window, write_back=True)
    [again] = registry.import_path(path)
    assert again.document.system == "Rhyme. Always."
    assert path.read_text(encoding="utf-8").startswith("---")  # still a .prompty file
    assert window.files.panel.statuses() == {"poet.prompty": "same"}


def test_the_folder_follows_changes_on_disk(qtbot, make_window, store: Store, folder: Path) -> None:
    window = make_window()
    window.files.open_folder(folder)
    write(folder / "same.json", doc("Same", "Edited in another editor."))
    write(folder / "sub" / "added.json", doc("Added"))
    qtbot.waitUntil(
        lambda: (
            window.files.panel.statuses().get("same.json") == "differs"
            and window.files.panel.statuses().get("sub/added.json") == "new"
        ),
        timeout=5000,
    )
    window.files.panel.refresh_button.click()  # Refresh by hand gives the same
    assert window.files.panel.statuses()["sub/added.json"] == "new"


def test_two_hundred_files_scan_quickly(qtbot, make_window, store: Store, tmp_path: Path) -> None:
    root = tmp_path / "many"
    for i in range(200):
        write(root / f"p{i:03}.json", doc(f"Prompt {i}", f"Text {i}."))
    for i in range(0, 200, 2):  # half in the library: those are compared in full
        saved(store, doc(f"Prompt {i}", f"Text {i}." if i % 4 else "Other."))
    window = make_window()
    started = time.perf_counter()
    assert window.files.open_folder(root)
    elapsed = time.perf_counter() - started
    statuses = list(window.files.panel.statuses().values())
    assert (statuses.count("new"), statuses.count("same"), statuses.count("differs")) == (
        100,
        50,
        50,
    )
    # Generous for a busy shared machine; the figure itself is in the closing note.
    assert elapsed < 5.0, f"scanning 200 files took {elapsed:.2f} s"


def test_the_window_part_exists_only_after_attach(qtbot) -> None:
    frame = MainWindow()
    qtbot.addWidget(frame)
    assert frame.findChild(QWidget, "folderPanel") is None
