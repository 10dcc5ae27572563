"""Screenshots of the main window in light and dark palettes, saved for people to look at.

Not golden comparisons: the PNGs land in ``build/screenshots/`` (or
``$PLAYGROUND_SCREENSHOTS``) so a reviewer can see how the app looks. The
test checks only that each picture was taken and that the dark one is dark.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication

from playground.core.document import Example, Message, Parameters, PromptDocument, Target
from playground.core.runner import TargetResult
from playground.keystore import KeyStore
from playground.store import Store
from playground.ui.icons import clear_cache
from playground.ui.main_window import MainWindow, Services
from playground.ui.theme import apply_theme

ROOT = Path(__file__).resolve().parents[2]

DOC = PromptDocument(
    "Support reply",
    system="You are a friendly support agent for {{ product }}. Answer in {{ tone }} tone.",
    messages=(Message("user", "Customer wrote:\n{{ ticket }}"),),
    examples=(
        Example("My invoice is wrong.", "Sorry about that! I have corrected it."),
        Example("How do I export?", "Use File → Export, then pick a format.", enabled=False),
    ),
    targets=(
        Target("openai", "gpt-4o-mini", Parameters(temperature=0.2)),
        Target("anthropic", "claude-sonnet-4-5"),
        Target("ollama", "llama3.2"),
    ),
)
ANSWERS = [
    "Thanks for reaching out! Here is how to reset it:\n\n```python\nclient.reset(token)\n```\n",
    "I'm sorry for the trouble. Please try signing out and in again.",
    "",
]


@pytest.fixture
def restore_theme(qapp: QApplication) -> Iterator[None]:
    style = qapp.style().name()
    palette = QPalette(qapp.palette())
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    clear_cache()


def shots_dir() -> Path:
    folder = Path(os.environ.get("PLAYGROUND_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def mean_lightness(image: QImage) -> float:
    step = 17
    values = [
        image.pixelColor(x, y).lightnessF()
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    ]
    return sum(values) / len(values)


@pytest.mark.usefixtures("restore_theme")
def test_screenshots_in_light_and_dark(qtbot, qapp: QApplication, tmp_path: Path) -> None:
    lightness: dict[str, float] = {}
    with Store.open() as store:
        prompt = store.create_prompt(DOC.name, DOC)
        store.save_version(prompt.id, DOC, "First draft")
        for scheme in ("light", "dark"):
            apply_theme(qapp, scheme)
            settings = QSettings(str(tmp_path / f"{scheme}.ini"), QSettings.Format.IniFormat)
            window = MainWindow(Services(store, KeyStore(), settings))
            qtbot.addWidget(window)
            window.resize(1500, 920)
            window.show()
            qtbot.waitExposed(window)
            for pane, text, target in zip(window.panes.panes(), ANSWERS, DOC.targets, strict=True):
                if text:
                    pane.show_result(
                        TargetResult(
                            pane.pane_id,
                            target,
                            "ok",
                            text,
                            "stop",
                            112,
                            48,
                            False,
                            420.0,
                            1630.0,
                            0.00021,
                        )
                    )
                else:
                    pane.show_result(
                        TargetResult(
                            pane.pane_id,
                            target,
                            "error",
                            "",
                            error=(
                                "Could not reach Ollama at http://localhost:11434/v1. "
                                "Is the server running?"
                            ),
                        )
                    )
            qtbot.wait(50)
            image = window.grab().toImage()
            path = shots_dir() / f"main-window-{scheme}.png"
            assert image.save(str(path))
            assert path.stat().st_size > 10_000
            lightness[scheme] = mean_lightness(image)
            window.services.drafts.close()
            window.close()
    assert lightness["dark"] < 0.4 < lightness["light"]
