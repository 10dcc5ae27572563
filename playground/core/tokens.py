"""Rough token counts, for servers that report none and for the editor's estimates."""

from __future__ import annotations

__all__ = ["estimate_tokens"]


def estimate_tokens(text: str) -> int:
    """A rough token count: about four characters a token (0 for empty text)."""
    return max(1, round(len(text) / 4)) if text else 0
