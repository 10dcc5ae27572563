"""The plain main window lists the library and shows the selected prompt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from playground.core.document import Message, PromptDocument
from playground.store import Store
from playground.ui.controllers import LibraryController
from playground.ui.main_window import MainWindow


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as s:
        yield s


def test_lists_prompts_and_shows_the_working_copy(qtbot, store: Store) -> None:
    a = store.create_prompt("alpha")
    store.save_version(
        a.id,
        PromptDocument("alpha", system="Be brief.", messages=(Message("user", "Hi {{ who }}"),)),
    )
    b = store.create_prompt("beta")
    store.save_draft(b.id, PromptDocument("beta", system="Draft only."))

    window = MainWindow(LibraryController(store))
    qtbot.addWidget(window)
    names = [window.prompt_list.item(i).text() for i in range(window.prompt_list.count())]
    assert names == ["alpha", "beta"]
    assert "Be brief." in window.preview.toPlainText()
    assert "Hi {{ who }}" in window.preview.toPlainText()
    assert window.windowTitle().startswith("alpha")

    window.prompt_list.setCurrentRow(1)
    assert "Draft only." in window.preview.toPlainText()
    assert window.windowTitle().startswith("beta")
    assert window.prompt_list.item(1).data(Qt.ItemDataRole.UserRole) == b.id


def test_empty_library(qtbot, store: Store) -> None:
    window = MainWindow(LibraryController(store))
    qtbot.addWidget(window)
    assert window.prompt_list.count() == 0
    assert window.preview.toPlainText() == "No prompts yet."
