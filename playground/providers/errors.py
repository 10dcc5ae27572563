"""From what an SDK or the network raised to our error tree, with messages people can act on.

Both wire protocols fail in the same few ways, so the protocol-neutral half of
the mapping lives here:

- :func:`from_status`: an HTTP status (or an error type reported inside a
  stream) becomes the right :class:`ProviderError`, with ``retry_after`` read
  from ``retry-after-ms`` / ``retry-after``;
- :func:`from_transport`: timeouts, refused connections, dropped connections
  and cut streams;
- :func:`malformed_json` and :func:`ended_early` for streams that break the protocol.

Each provider module keeps the SDK-specific half (which attribute holds the
status and the server's words) and calls these. Every message names the
provider, says what to do, and passes through :func:`redact`, so the key never
appears in it even when a server quotes it back.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import math
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx2

from playground.core.errors import (
    AuthenticationError,
    BadRequestError,
    ConnectionFailedError,
    MalformedStreamError,
    MissingKeyError,
    ModelNotFoundError,
    OverloadedError,
    PermissionDeniedError,
    ProviderError,
    QuotaExhaustedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
)
from playground.core.provider_config import ProviderConfig
from playground.core.redact import MASK
from playground.core.redact import redact as redact_secrets

if TYPE_CHECKING:
    from playground.providers.base import Provider

__all__ = [
    "PLACEHOLDER_KEY",
    "TRANSPORT_ERRORS",
    "ErrorContext",
    "api_key_for",
    "ended_early",
    "from_status",
    "from_transport",
    "malformed_json",
    "parse_retry_after",
    "redact",
]

#: Sent to servers that need no key: the SDKs refuse an empty one.
PLACEHOLDER_KEY = "not-needed"

#: What the network layer can raise past an SDK (anthropic does not wrap errors
#: raised while reading a stream body).
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx2.HTTPError, ssl.SSLError)

_MAX_DETAIL = 300
# Things shaped like API keys, including the masked forms servers echo ("sk-abc***wxyz").
_KEYISH = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_*.\-]{6,}|(?i:bearer)\s+\S+")

# The error ``type`` each protocol reports, as the HTTP status it stands for: used when
# the status says nothing (an error event inside a 200 stream).
_TYPE_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "insufficient_quota": 429,
    "api_error": 500,
    "server_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}
# Out of credit or over a spend limit: OpenAI's type/code, Anthropic's error_code values.
_QUOTA_CODES = frozenset(
    {
        "insufficient_quota",
        "billing_error",
        "billing_hard_limit_reached",
        "enforced_spend_limit_reached",
        "contract_spend_limit_reached",
        "linked_organization_spend_limit_reached",
        "linked_organization_billing_unavailable",
    }
)


@dataclass(frozen=True)
class ErrorContext:
    """Who was asked for what: everything a message needs, and the key to keep out of it."""

    config: ProviderConfig
    base_url: str
    model: str | None = None
    key: str | None = field(default=None, repr=False)
    connect_s: float = 10.0
    idle_s: float = 60.0

    @property
    def provider(self) -> str:
        return self.config.display_name

    @property
    def is_local(self) -> bool:
        """The server runs on this machine, so "is it running?" is the useful question."""
        host = urlsplit(self.base_url).hostname or ""
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def redact(self, text: str) -> str:
        return redact(text, self.key)

    @classmethod
    def for_provider(
        cls, provider: Provider, base_url: object, model: str | None, key: str | None
    ) -> ErrorContext:
        """The context for one request of ``provider`` to ``base_url`` (the SDK's, as given)."""
        return cls(
            config=provider.config,
            base_url=str(base_url).rstrip("/"),
            model=model,
            key=key,
            connect_s=provider.timeouts.connect,
            idle_s=provider.timeouts.idle,
        )


def redact(text: str, key: str | None) -> str:
    """``text`` with ``key``, and anything else shaped like a key, replaced by ``***``.

    On top of :func:`playground.core.redact.redact`, masked echoes of a key
    that servers put in their messages (``sk-abc***wxyz``) go too.
    """
    return _KEYISH.sub(MASK, redact_secrets(text, [key] if key else []))


def key_hint(config: ProviderConfig) -> str:
    """Where the user puts this provider's key."""
    if config.key_env:
        return f"set it in Settings → Keys or in {config.key_env}"
    return "set it in Settings → Keys"


def api_key_for(config: ProviderConfig, key: str | None) -> str:
    """The key to hand the SDK: ``key``, or a placeholder for servers that need none."""
    if key:
        return key
    if config.key_required:
        name = config.display_name
        raise MissingKeyError(name, f"{name} needs an API key — {key_hint(config)}.")
    return PLACEHOLDER_KEY


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, else ``retry-after`` (seconds or an HTTP date)."""
    milliseconds = _finite(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return max(milliseconds / 1000, 0.0)
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def _finite(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def from_status(
    ctx: ErrorContext,
    status: int | None,
    server_message: str,
    *,
    error_type: str | None = None,
    error_code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProviderError:
    """The error for an HTTP error status; ``status`` ``None``: an error event mid-stream."""
    name = ctx.provider
    kept = status if status is not None and status >= 400 else None
    effective = kept if kept is not None else _TYPE_STATUS.get(error_type or "", 500)
    said = _said(kept, _clip(ctx.redact(server_message.strip())))

    if effective == 402 or error_type in _QUOTA_CODES or error_code in _QUOTA_CODES:
        return QuotaExhaustedError(
            name,
            f"{name} says this account is out of credit or over its spend limit{said} — "
            "check billing and usage limits; retrying will not help.",
            status=kept,
        )
    if effective == 401:
        return AuthenticationError(
            name, f"{name} rejected the key — {key_hint(ctx.config)}.", status=kept
        )
    if effective == 403:
        what = f"model '{ctx.model}'" if ctx.model else "this"
        return PermissionDeniedError(
            name,
            f"{name} does not let this key use {what}{said} — "
            "check the key's project or workspace permissions.",
            status=kept,
        )
    if effective == 404:
        return _not_found(ctx, server_message, error_code, said, kept)
    if effective == 408:
        return RequestTimeoutError(
            name, f"{name} gave up waiting for the request{said}; try again.", status=kept
        )
    if effective == 429:
        retry_after = parse_retry_after(headers) if headers is not None else None
        return RateLimitedError(
            name,
            f"{name} is limiting how fast requests may be sent{said}.",
            status=kept,
            retry_after=retry_after,
        )
    if effective in (503, 529):
        return OverloadedError(
            name, f"{name} is overloaded right now{said}; try again in a moment.", status=kept
        )
    if effective >= 500:
        return ServerError(name, f"{name} had a server error{said}.", status=kept)
    return BadRequestError(name, f"{name} refused the request{said}.", status=kept)


def _not_found(
    ctx: ErrorContext, server_message: str, error_code: str | None, said: str, status: int | None
) -> ProviderError:
    name, model = ctx.provider, ctx.model
    about_model = model is not None and (
        error_code == "model_not_found"
        or re.search(r"\bmodel\b", server_message, re.IGNORECASE) is not None
        # The id on its own, not inside a word: model "m" is not in "messages".
        or re.search(rf"(?<![\w.:/-]){re.escape(model)}(?![\w.:/-])", server_message) is not None
    )
    if about_model:
        return ModelNotFoundError(
            name,
            f"{name} has no model '{model}' — check the model id; "
            f"`playground providers test {ctx.config.name}` lists the models.",
            status=status,
        )
    # Nothing about a model: the address is wrong (a base URL without /v1, say).
    return BadRequestError(
        name,
        f"{name} has nothing at {ctx.base_url}{said} — check the provider's base URL.",
        status=status,
    )


def from_transport(ctx: ErrorContext, exc: BaseException, *, streaming: bool) -> ProviderError:
    """The error for a network failure. ``streaming``: the answer had started arriving."""
    name, url = ctx.provider, ctx.base_url
    reason = _clip(ctx.redact(str(exc))) or type(exc).__name__
    if isinstance(exc, httpx2.ConnectTimeout | httpx2.PoolTimeout):
        return RequestTimeoutError(
            name, f"No answer from {name} at {url} within {ctx.connect_s:g} s — is it up?"
        )
    if isinstance(exc, httpx2.TimeoutException):
        return timed_out(ctx, streaming=streaming)
    if isinstance(exc, httpx2.ConnectError):
        if ctx.is_local:
            return ConnectionFailedError(
                name, f"Nothing is listening at {url} — is {name} running?"
            )
        return ConnectionFailedError(
            name,
            f"Could not connect to {name} at {url} ({reason}) — "
            "check the address, your network connection and any proxy settings.",
        )
    if streaming and isinstance(exc, httpx2.RemoteProtocolError):
        return MalformedStreamError(
            name, f"The answer from {name} was cut off before it finished ({reason})."
        )
    if isinstance(exc, httpx2.DecodingError):
        return MalformedStreamError(name, f"{name} sent a body that cannot be decoded ({reason}).")
    if isinstance(exc, ssl.SSLError):
        return ConnectionFailedError(
            name, f"The secure connection to {name} at {url} failed ({reason})."
        )
    return ConnectionFailedError(name, f"The connection to {name} at {url} failed ({reason}).")


def timed_out(ctx: ErrorContext, *, streaming: bool) -> RequestTimeoutError:
    """The server accepted the connection, then went quiet for the idle timeout."""
    name, url = ctx.provider, ctx.base_url
    if streaming:
        return RequestTimeoutError(
            name,
            f"{name} at {url} stopped sending for {ctx.idle_s:g} s in the middle of its answer.",
        )
    return RequestTimeoutError(name, f"No answer from {name} at {url} within {ctx.idle_s:g} s.")


def malformed_json(ctx: ErrorContext, exc: json.JSONDecodeError) -> MalformedStreamError:
    name = ctx.provider
    return MalformedStreamError(
        name,
        f"{name} sent a piece of its answer that is not valid JSON "
        f"({exc.msg}; column {exc.colno}), so the stream was abandoned.",
    )


def ended_early(ctx: ErrorContext) -> MalformedStreamError:
    name = ctx.provider
    return MalformedStreamError(
        name,
        f"The answer from {name} ended before it finished: the connection closed "
        "without the stream's end marker.",
    )


def _said(status: int | None, detail: str) -> str:
    """`` (HTTP 429: the server's words)``, or what there is of it."""
    where = f"HTTP {status}" if status is not None else "reported mid-answer"
    return f" ({where}: {detail})" if detail else f" ({where})"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"
