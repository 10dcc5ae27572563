"""What the Prompty exporter and importer must agree on.

The role-line rule (which body lines start a new message), the version of
the ``metadata.playground`` block, and how a provider's connection is
written. Both :mod:`playground.export.prompty` and
:mod:`playground.export.prompty_read` import from here, and this module
imports neither, so the imports run one way.
"""

from __future__ import annotations

import re
from typing import Any

from playground.core.provider_config import ProviderConfig

__all__ = ["PLAYGROUND_VERSION", "ROLE_LINE", "base_url_variable", "connection", "is_role_line"]

#: Version of the ``metadata.playground`` block; a newer one is refused.
PLAYGROUND_VERSION = 1

# A role line as Prompty's chat parser sees it (after strip()): an optional
# '#', a role, optional [key=value, ...] attributes, a colon. Possessive
# quantifiers keep it linear on hostile input.
_ATTR = r'\w++\s*+=\s*+(?:"[^"]*+"|[^",\]]*+)\s*+,?+\s*+'
ROLE_LINE = re.compile(
    rf"#?\s*+(system|user|assistant|developer)(\[(?:{_ATTR})++\])?\s*+:\s*+", re.IGNORECASE
)


def is_role_line(line: str) -> bool:
    """Whether Prompty reads ``line`` as the start of a new message."""
    return ROLE_LINE.fullmatch(line.strip()) is not None


def base_url_variable(provider: str) -> str:
    """The environment variable an export reads a provider's base URL from."""
    return re.sub(r"[^A-Z0-9]+", "_", provider.upper()).strip("_") + "_BASE_URL"


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def connection(config: ProviderConfig) -> dict[str, Any]:
    """The ``model.connection`` an export writes: environment references, never a key."""
    out: dict[str, Any] = {"kind": "key"}
    if config.base_url:
        out["endpoint"] = f"${{env:{base_url_variable(config.name)}:{config.base_url}}}"
    if config.key_env and _ENV_NAME.fullmatch(config.key_env):  # never something else
        out["apiKey"] = f"${{env:{config.key_env}}}"
    return out
