"""Fuzzing the Prompty importer: damaged files end in FormatError or valid documents.

The inputs are the golden files and fresh exports with lines deleted,
repeated or swapped, characters flipped, YAML values replaced and random
text spliced in, plus random text alone. Anything but a FormatError or a
list of valid ImportResults (a document the native format accepts) fails.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core import document
from playground.export import prompty
from playground.export.base import ExportOptions, FormatError, ImportResult, ImportSource
from tests.export.prompty_strategies import mutated_files
from tests.export.test_prompty import LOCAL, MINIMAL, RICH

GOLDEN = Path(__file__).parent.parent / "golden" / "export" / "prompty"
BASES = [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.prompty"))] + [
    prompty.export(doc, ExportOptions()).main.text for doc in (RICH, MINIMAL, LOCAL)
]


def _import_cleanly(text: str) -> None:
    try:
        results = prompty.read(ImportSource(text, "fuzz.prompty", "fuzz"))
    except FormatError as exc:
        error = exc
    else:
        error = None
    if error is not None:
        assert str(error).startswith("fuzz.prompty")
        return
    assert isinstance(results, list)
    for result in results:
        assert isinstance(result, ImportResult)
        assert document.from_json(document.to_json(result.document)) == result.document
        assert all(isinstance(w, str) for w in result.warnings)


def test_the_bases_import() -> None:
    assert len(BASES) >= 7
    for text in BASES:
        assert prompty.read(ImportSource(text, "base.prompty", "base"))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_files(BASES))
def test_mutated_files_import_cleanly(text: str) -> None:
    _import_cleanly(text)


@settings(max_examples=1000, deadline=None)
@given(
    text=st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=200),
        st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace")),
        st.text(st.characters(codec="utf-8"), max_size=120).map(lambda t: f"---\n{t}\n---\n"),
    )
)
def test_random_text_imports_cleanly(text: str) -> None:
    _import_cleanly(text)
