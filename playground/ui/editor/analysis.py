"""Template analysis for the editor, remembered field by field.

``sync_variables``, ``check`` and ``render`` parse every field of a document
on each call, and Jinja2 parsing is the slow part (tens of milliseconds for
a long prompt). An edit changes one field, so this asks the core functions
about one field at a time (as a one-field document) and keeps the answers
for texts that did not change. The results are the same as the whole-document
calls; the tests hold them to that.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from playground.core.document import PromptDocument, Variable
from playground.core.errors import PlaygroundError, TemplateProblem
from playground.core.templates import check, discover_variables, render, template_fields
from playground.core.tokens import estimate_tokens

__all__ = ["TemplateAnalysis", "TokenEstimate"]

log = logging.getLogger("playground.ui")


def _alone(text: str) -> PromptDocument:
    """A document whose only template is ``text`` (as its system prompt)."""
    return PromptDocument(name="", system=text)


@dataclass(frozen=True)
class TokenEstimate:
    """Estimated tokens of a request: all of it, and the part that is n-shot examples."""

    total: int
    examples: int


class TemplateAnalysis:
    """Per-field memo of variable discovery, syntax checks and rendering."""

    def __init__(self) -> None:
        self._names: dict[str, list[str]] = {}
        self._problems: dict[str, list[TemplateProblem]] = {}
        self._rendered: dict[str, int] = {}
        self._values_key: tuple[tuple[str, str], ...] = ()

    def variables(self, doc: PromptDocument) -> tuple[Variable, ...]:
        """What ``templates.sync_variables(doc)`` returns."""
        names: dict[str, list[str]] = {}
        used: dict[str, None] = {}
        for f in template_fields(doc):
            found = names.get(f.source)
            if found is None:
                found = self._names.get(f.source)
            if found is None:
                found = discover_variables(_alone(f.source))
            names[f.source] = found
            for name in found:
                used.setdefault(name, None)
        self._names = names  # only current texts are kept
        declared = [v for v in doc.variables if v.name in used]
        known = {v.name for v in declared}
        return tuple(declared + [Variable(name) for name in used if name not in known])

    def problems(self, doc: PromptDocument) -> list[TemplateProblem]:
        """What ``templates.check(doc)`` returns."""
        cache: dict[str, list[TemplateProblem]] = {}
        out: list[TemplateProblem] = []
        for f in template_fields(doc, include_disabled=True):
            found = cache.get(f.source)
            if found is None:
                found = self._problems.get(f.source)
            if found is None:
                found = check(_alone(f.source))
            cache[f.source] = found
            out += [replace(p, field=f.label) for p in found]
        self._problems = cache
        return out

    def tokens(self, doc: PromptDocument, values: Mapping[str, str]) -> TokenEstimate:
        """System, messages and enabled examples; each field rendered if it renders, else raw."""
        key = tuple(sorted(values.items()))
        previous = self._rendered if key == self._values_key else {}
        cache: dict[str, int] = {}
        total = examples = 0
        for f in template_fields(doc):
            count = cache.get(f.source)
            if count is None:
                count = previous.get(f.source)
            if count is None:
                count = self._render_tokens(f.source, values)
            cache[f.source] = count
            total += count
            if f.kind == "example":
                examples += count
        self._rendered, self._values_key = cache, key
        return TokenEstimate(total, examples)

    @staticmethod
    def _render_tokens(text: str, values: Mapping[str, str]) -> int:
        try:
            rendered = render(_alone(text), values, use_samples=False).system
        except PlaygroundError:
            rendered = text
        except Exception:  # a renderer bug must not break editing
            log.exception("rendering a field for the token estimate failed")
            rendered = text
        return estimate_tokens(rendered)
