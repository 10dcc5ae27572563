"""The error tree.

Every error a user can cause or fix is a :class:`PlaygroundError`. Its
``str()`` is a complete, plain sentence fit to show in a dialog, a pane or a
CLI line, and it never contains a secret. Any other exception is a bug: the
GUI and CLI log it with its traceback and show a calm generic message.

::

    PlaygroundError                 known error: message is for the user
    ├── DocumentError               a prompt document that is malformed (path + reason)
    ├── TemplateError               one or more template problems (field, line:col, message)
    │   └── MissingVariablesError   variables with no value, all listed at once
    ├── NotFoundError               a prompt, version, label or run that does not exist
    ├── ConflictError               a name already taken, a label on another prompt...
    ├── StoreError                  the library database cannot be used as asked
    │   ├── DatabaseTooNewError     written by a newer schema: refused, left untouched
    │   ├── DatabaseCorruptError    not a database, or failed its integrity check
    │   ├── DatabaseBusyError       another process holds the write lock too long
    │   ├── DiskFullError           no space left to write
    │   └── ReadOnlyError           the file or folder is not writable
    ├── KeyStoreError               the OS keyring failed or is missing
    └── ProviderError               a model provider failed one request (provider named)
        ├── MissingKeyError         no key in the keyring or the environment   (never retried)
        ├── AuthenticationError     the key was rejected (401)                 (never retried)
        ├── PermissionDeniedError   the key may not use this (403)             (never retried)
        ├── ModelNotFoundError      no such model on this server (404)         (never retried)
        ├── BadRequestError         the server refused the request (400, 422)  (never retried)
        ├── QuotaExhaustedError     out of credit or over a spend limit        (never retried)
        ├── RateLimitedError        429; carries retry_after                   (retried)
        ├── OverloadedError         the service is overloaded (529, 503)       (retried)
        ├── ServerError             5xx                                        (retried)
        ├── RequestTimeoutError     connect or idle timeout                    (retried)
        ├── ConnectionFailedError   refused, DNS, TLS, dropped                 (retried)
        ├── MalformedStreamError    a chunk that is not the protocol, a cut stream
        └── RunCancelledError       the user stopped it
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectionFailedError",
    "DatabaseBusyError",
    "DatabaseCorruptError",
    "DatabaseTooNewError",
    "DiskFullError",
    "DocumentError",
    "KeyStoreError",
    "MalformedStreamError",
    "MissingKeyError",
    "MissingVariablesError",
    "ModelNotFoundError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "PlaygroundError",
    "ProviderError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "ReadOnlyError",
    "RequestTimeoutError",
    "RunCancelledError",
    "ServerError",
    "StoreError",
    "TemplateError",
    "TemplateProblem",
]


class PlaygroundError(Exception):
    """Base of every error whose message is meant for the user."""

    @property
    def message(self) -> str:
        return str(self)


class DocumentError(PlaygroundError):
    """A prompt document (JSON or dict) that does not match the format.

    ``path`` names the offending field the way a person would look for it,
    e.g. ``messages[2].role``; it is empty for problems with the whole document.
    """

    def __init__(self, path: str, reason: str, *, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line  # 1-based, when the problem was found while parsing text
        super().__init__(f"{path}: {reason}" if path else reason)


@dataclass(frozen=True)
class TemplateProblem:
    """One problem in one template field.

    ``field`` is a human label such as ``system``, ``message 3`` or
    ``example 2 output``; ``line`` and ``column`` are 1-based positions inside
    that field's text.
    """

    field: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.field}, line {self.line}:{self.column}: {self.message}"


class TemplateError(PlaygroundError):
    """A template that cannot be rendered; ``problems`` lists every one found."""

    def __init__(self, problems: Sequence[TemplateProblem]) -> None:
        if not problems:
            raise ValueError("TemplateError needs at least one problem")
        self.problems: tuple[TemplateProblem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if len(self.problems) == 1:
            return f"Template error in {self.problems[0]}"
        lines = "\n".join(f"  {p}" for p in self.problems)
        return f"{len(self.problems)} template errors:\n{lines}"


class MissingVariablesError(TemplateError):
    """Variables used by the template that were given no value."""

    def __init__(self, names: Sequence[str], problems: Sequence[TemplateProblem]) -> None:
        self.names: tuple[str, ...] = tuple(names)
        super().__init__(problems)

    def _summary(self) -> str:
        noun = "variable has" if len(self.names) == 1 else "variables have"
        return f"{len(self.names)} {noun} no value: {', '.join(self.names)}"


class NotFoundError(PlaygroundError):
    """Something asked for by name or number does not exist."""


class ConflictError(PlaygroundError):
    """The request clashes with what is already there (a taken name, say)."""


class StoreError(PlaygroundError):
    """The library database cannot be used as asked."""


class DatabaseTooNewError(StoreError):
    """The database was written by a newer schema; it is refused and not touched."""


class DatabaseCorruptError(StoreError):
    """The file is not a database, or it failed its integrity check."""


class DatabaseBusyError(StoreError):
    """Another process kept the database locked for longer than the busy timeout."""


class DiskFullError(StoreError):
    """There is no space left to write to the database."""


class ReadOnlyError(StoreError):
    """The database file or its folder is read-only."""


class KeyStoreError(PlaygroundError):
    """The OS keyring is missing or failed; the message says what to do instead."""


class ProviderError(PlaygroundError):
    """One request to one provider failed. ``provider`` is the provider's display name.

    ``retryable`` says whether trying again later can help; the runner retries
    only those, and reports each wait. Messages never contain a key: build them
    with ``keystore.redact`` when they quote a server's words.
    """

    retryable = False

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        self.provider = provider
        self.status = status
        super().__init__(message)


class MissingKeyError(ProviderError):
    """No key for a provider that needs one."""


class AuthenticationError(ProviderError):
    """The provider rejected the key."""


class PermissionDeniedError(ProviderError):
    """The key is valid but may not do this."""


class ModelNotFoundError(ProviderError):
    """The server does not know the model id."""


class BadRequestError(ProviderError):
    """The server refused the request as invalid (a parameter out of range, say)."""


class QuotaExhaustedError(ProviderError):
    """Out of credit, or over a spend limit: waiting will not help."""


class RateLimitedError(ProviderError):
    """Too many requests; ``retry_after`` is the server's advice in seconds, if any."""

    retryable = True

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(provider, message, status=status)


class OverloadedError(ProviderError):
    retryable = True


class ServerError(ProviderError):
    retryable = True


class RequestTimeoutError(ProviderError):
    """The server did not answer (connect) or went quiet mid-stream (idle)."""

    retryable = True


class ConnectionFailedError(ProviderError):
    """Nothing answered at the address, or the connection dropped."""

    retryable = True


class MalformedStreamError(ProviderError):
    """The server sent something that is not the protocol, or cut the stream short."""


class RunCancelledError(ProviderError):
    """The user stopped the run."""
