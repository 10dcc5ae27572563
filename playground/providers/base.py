"""The one small interface every provider implements, and what they all share.

A provider is a small class per wire protocol. It declares its capabilities
as class attributes and implements :meth:`Provider._attempt`, one request
yielding typed events and raising :class:`~playground.core.errors.ProviderError`
subclasses (never SDK exceptions). :meth:`Provider.stream` wraps that with
what every protocol needs the same way:

- retries of retryable errors that happen before the first text, each wait
  announced as a :class:`Retrying` event; ``retry-after`` is honoured up to
  :data:`MAX_RETRY_WAIT_S`; authentication and quota errors are never retried;
- a :class:`Usage` estimate, marked estimated, when the server sends none;
- the :class:`SchemaChecked` event when the target has a JSON schema.

SDK clients are built with their own retries switched off, so every retry
is ours and visible. The SDK's async client comes from a factory that takes
the base URL, so tests point it at the loopback server.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import random
import ssl
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from playground.core.document import Target
from playground.core.errors import ProviderError, RateLimitedError
from playground.core.events import Finished, Retrying, StreamEvent, TextDelta, Usage
from playground.core.provider_config import ProviderConfig, ProviderKind
from playground.core.request import RenderedRequest
from playground.core.structured import check_output
from playground.core.tokens import estimate_tokens

if TYPE_CHECKING:
    import httpx2

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "MAX_RETRY_WAIT_S",
    "Provider",
    "Timeouts",
    "estimate_tokens",
    "sdk_timeout",
    "shared_ssl_context",
]

DEFAULT_MAX_RETRIES = 2
MAX_RETRY_WAIT_S = 30.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, and for the next bytes of a stream."""

    connect: float = 10.0
    idle: float = 60.0


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every SDK client: building one costs tens of milliseconds.

    It is the context httpx2 would build itself (the OS trust store on macOS and
    Windows, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set), made once and shared.
    """
    import httpx2  # the SDKs' HTTP client; imported here so base stays cheap to import

    return httpx2.create_ssl_context()


def sdk_timeout(timeouts: Timeouts) -> httpx2.Timeout:
    """Our timeouts in the SDKs' terms: connect (and pool) and idle (read and write)."""
    import httpx2

    return httpx2.Timeout(
        connect=timeouts.connect, read=timeouts.idle, write=timeouts.idle, pool=timeouts.connect
    )


class Provider(abc.ABC):
    """One configured provider. Subclasses set ``kind`` and implement ``_attempt``."""

    kind: ClassVar[ProviderKind]
    #: The server reports token usage itself (local servers may not).
    reports_usage: ClassVar[bool] = True
    #: Structured output can be requested natively.
    supports_json_schema: ClassVar[bool] = True

    def __init__(
        self,
        config: ProviderConfig,
        *,
        timeouts: Timeouts | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        self.config = config
        self.timeouts = timeouts or Timeouts()
        self.max_retries = max_retries

    @property
    def name(self) -> str:
        return self.config.display_name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.config.name!r} {self.config.base_url or ''}>"

    # ------------------------------------------------------------ to implement

    @abc.abstractmethod
    def _attempt(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncGenerator[StreamEvent, None]:
        """One request: yield TextDelta, Usage and Finished; raise ProviderError."""

    @abc.abstractmethod
    async def list_models(self, key: str | None) -> list[str]:
        """Model ids the server offers; raise ProviderError when it cannot say."""

    # ------------------------------------------------------------ shared behaviour

    async def stream(
        self, request: RenderedRequest, target: Target, key: str | None
    ) -> AsyncGenerator[StreamEvent, None]:
        """Run ``request`` on ``target``, with retries, usage estimate and schema check."""
        attempt = 1
        while True:
            text: list[str] = []
            usage_seen = False
            try:
                # aclosing: a consumer that stops early (or is cancelled) closes the
                # attempt at once, and with it the SDK client, instead of at GC time.
                async with aclosing(self._attempt(request, target, key)) as events:
                    async for event in events:
                        if isinstance(event, TextDelta):
                            text.append(event.text)
                        elif isinstance(event, Usage):
                            usage_seen = True
                        elif isinstance(event, Finished) and not usage_seen:
                            usage_seen = True
                            yield _estimated_usage(request, "".join(text))
                        yield event
            except ProviderError as exc:
                # Output already shown cannot be taken back, so only a failure
                # before the first text is retried.
                if text or not exc.retryable or attempt > self.max_retries:
                    raise
                wait = self._retry_wait(exc, attempt)
                attempt += 1
                yield Retrying(attempt=attempt, wait_s=wait, reason=str(exc))
                await asyncio.sleep(wait)
                continue
            if not usage_seen:
                yield _estimated_usage(request, "".join(text))
            schema = target.schema
            if schema is not None:
                yield check_output("".join(text), schema)
            return

    def _retry_wait(self, exc: ProviderError, attempt: int) -> float:
        if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), MAX_RETRY_WAIT_S)
        # Exponential backoff with jitter: 0.5 s, 1 s, 2 s... so parallel panes spread out.
        base: float = 0.5 * 2 ** (attempt - 1)
        return float(min(base * (0.75 + random.random() / 2), MAX_RETRY_WAIT_S))


def _estimated_usage(request: RenderedRequest, output: str) -> Usage:
    prompt = request.system + "".join(m.content for m in request.messages)
    # A few tokens of framing per message, as chat templates add.
    framing = 4 * (len(request.messages) + (1 if request.system else 0))
    return Usage(estimate_tokens(prompt) + framing, estimate_tokens(output), estimated=True)
