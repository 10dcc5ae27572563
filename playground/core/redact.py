"""Masking API keys in any text: messages, logs, error details.

:func:`redact` masks each given secret (and, for long ones, the distinctive
first 12 and last 8 characters a server may quote), then anything shaped
like a key whatever its value. The keystore's logging filter and the
providers' error messages both use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASK", "redact"]

MASK = "***"

# Things that look like API keys whatever their value: OpenAI (sk-, sk-proj-),
# Anthropic (sk-ant-...), Google (AIza...), bearer tokens and key=value pairs.
_KEY_PATTERNS = (
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), "sk-" + MASK),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), MASK),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{16,}"), r"\1" + MASK),
    (
        re.compile(r"(?i)\b((?:x-)?api[_-]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]{8,}"),
        r"\1" + MASK,
    ),
)


def _fragments(secrets: Iterable[str]) -> list[str]:
    found: set[str] = set()
    for secret in secrets:
        for value in {secret, secret.strip()}:
            if not value:
                continue
            found.add(value)
            if len(value) >= 8:
                # A server may quote a key partly; keep distinctive pieces out too.
                found.add(value[:12])
                found.add(value[-8:])
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each non-empty secret, and anything key-shaped, masked.

    For secrets of 8 or more characters their first 12 and last 8 characters
    are masked wherever they occur as well. The result never contains any of
    the secrets, even when masking one would seem to create another.
    """
    secrets = [s for s in secrets if s]
    fragments = _fragments(secrets)
    if fragments:
        text = _mask_spans(text, fragments)
    for pattern, replacement in _KEY_PATTERNS:
        text = pattern.sub(replacement, text)
    if any(s in text for s in secrets):
        # Only possible for secrets made of mask characters; give nothing away.
        return MASK if not any(s in MASK for s in secrets) else ""
    return text


def _mask_spans(text: str, fragments: list[str]) -> str:
    """Replace each maximal run of characters covered by any occurrence of a fragment."""
    covered = bytearray(len(text))
    for fragment in fragments:
        start = text.find(fragment)
        while start != -1:
            covered[start : start + len(fragment)] = b"\x01" * len(fragment)
            start = text.find(fragment, start + 1)
    if not any(covered):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(MASK)
        else:
            j = i
            while j < len(text) and not covered[j]:
                j += 1
            out.append(text[i:j])
            i = j
    return "".join(out)
