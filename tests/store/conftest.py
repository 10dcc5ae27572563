"""Fixtures for store tests: an open Store in the test's own data dir, and documents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from playground.core.document import Example, Message, PromptDocument, Variable
from playground.store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


def make_doc(text: str = "Summarise the text.", name: str = "Summariser") -> PromptDocument:
    """A small but complete document whose system prompt is ``text``."""
    return PromptDocument(
        name=name,
        description="Turns long text into a short summary",
        tags=("demo",),
        system=text,
        messages=(Message("user", "Summarise this: {{ article }}"),),
        examples=(Example(input="A long story", output="A short one", note="keep it brief"),),
        variables=(Variable(name="article", sample="Once upon a time", description="the input"),),
    )
