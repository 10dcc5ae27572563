"""Hypothesis strategies for the Prompty tests: provider settings and mutated files.

``provider_settings(doc)`` configures every provider a document names (with
a random kind, base URL and key variable), so a round trip exercises each
way a target can be written. ``mutated_files(bases)`` damages valid files
the way hand edits and broken tools do: lines deleted, repeated or swapped,
characters flipped, YAML values replaced, random text spliced in.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from playground.core.document import PromptDocument
from playground.core.provider_config import KINDS, ProviderConfig

__all__ = ["mutated_files", "provider_settings"]


@st.composite
def provider_settings(draw: st.DrawFn, doc: PromptDocument) -> dict[str, ProviderConfig]:
    out: dict[str, ProviderConfig] = {}
    for target in doc.targets:
        out[target.provider] = ProviderConfig(
            name=target.provider,
            kind=draw(st.sampled_from(KINDS)),
            base_url=draw(
                st.none() | st.sampled_from(["http://localhost:8080/v1", "https://x/v1"])
            ),
            key_env=draw(st.none() | st.sampled_from(["MY_KEY", "OPENAI_API_KEY"])),
        )
    return out


# Values that are legal YAML but wrong where they land: types, ranges, shapes.
_YAML_VALUES = [
    "",
    "~",
    "true",
    "-1",
    "0",
    "3.5",
    "1e400",
    ".nan",
    "[]",
    "[1, 2]",
    "{}",
    "{a: b}",
    "'text'",
    "2024-01-01",
    "!!binary aGk=",
    "&a [*a]",
    "${env:X}",
    "${file:../../etc/passwd}",
    "|\n  block",
    "user:",
    "{{ x }}",
    '"\\ud800"',
]


def _mutate(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    op = draw(st.sampled_from(["delete", "duplicate", "swap", "flip", "value", "splice", "cut"]))
    if not lines:
        return text
    i = draw(st.integers(0, len(lines) - 1))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "flip" and lines[i]:
        k = draw(st.integers(0, len(lines[i]) - 1))
        char = draw(st.sampled_from(list(":-[]{}'\"#&*!|> \t\\%")) | st.characters(codec="utf-8"))
        lines[i] = lines[i][:k] + char + lines[i][k + 1 :]
    elif op == "value" and ":" in lines[i]:
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {draw(st.sampled_from(_YAML_VALUES))}"
    elif op == "splice":
        lines.insert(i, draw(st.text(st.characters(codec="utf-8"), max_size=30)))
    elif op == "cut":
        return "\n".join(lines)[: draw(st.integers(0, len(text)))]
    return "\n".join(lines)


@st.composite
def mutated_files(draw: st.DrawFn, bases: Sequence[str]) -> str:
    """One of ``bases`` after one to four random edits."""
    text = draw(st.sampled_from(list(bases)))
    for _ in range(draw(st.integers(1, 4))):
        text = _mutate(draw, text)
    return text
