"""Cost of a run, from the price table in ``resources/prices.json``.

Prices are per million tokens, per provider kind and model, each with the
date it was checked. Dated snapshots (``gpt-4o-2024-08-06``,
``claude-sonnet-4-20250514``) and ``-latest`` aliases are priced as their
base model. Anything else unknown gets no cost: a blank is honest, a guess
is not. Local (OpenAI-compatible) servers have no price.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Price", "PriceTable"]

_SNAPSHOT_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$")


@dataclass(frozen=True)
class Price:
    input_per_million: float
    output_per_million: float
    checked: str

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (
            input_tokens * self.input_per_million + output_tokens * self.output_per_million
        ) / 1_000_000


class PriceTable:
    """Prices by provider kind and model id."""

    def __init__(self, prices: Mapping[str, Mapping[str, Price]]) -> None:
        self._prices = {kind: dict(models) for kind, models in prices.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriceTable:
        table: dict[str, dict[str, Price]] = {}
        for kind, models in dict(data.get("models", {})).items():
            for model, entry in dict(models).items():
                table.setdefault(kind, {})[model] = Price(
                    float(entry["input"]), float(entry["output"]), str(entry.get("checked", ""))
                )
        return cls(table)

    @classmethod
    def load(cls, *paths: Path) -> PriceTable:
        """The bundled table, with entries from each later existing file laid over it."""
        merged: dict[str, dict[str, Price]] = {}
        for path in paths:
            if path.is_file():
                for kind, models in cls.from_json(
                    json.loads(path.read_text("utf-8"))
                )._prices.items():
                    merged.setdefault(kind, {}).update(models)
        return cls(merged)

    def price(self, kind: str, model: str) -> Price | None:
        models = self._prices.get(kind, {})
        if model in models:
            return models[model]
        return models.get(_SNAPSHOT_SUFFIX.sub("", model))

    def cost(
        self, kind: str, model: str, input_tokens: int | None, output_tokens: int | None
    ) -> float | None:
        """Dollars for a run, or ``None`` when the model or the token counts are unknown."""
        price = self.price(kind, model)
        if price is None or input_tokens is None or output_tokens is None:
            return None
        return price.cost(input_tokens, output_tokens)
