"""An in-memory keyring backend, so tests never touch the real OS keyring.

Pass an instance to :class:`playground.keystore.KeyStore` directly, or install
it process-wide with ``keyring.set_keyring(MemoryKeyring())`` (and restore the
previous backend afterwards) for code that builds its own KeyStore.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

__all__ = ["MemoryKeyring", "installed"]


class MemoryKeyring(KeyringBackend):
    """Passwords in a dict keyed by ``(service, username)``.

    ``reads`` counts get_password calls, so tests can see the keyring was asked.
    """

    # Below every real backend and keyring's own "fail" placeholder (0), so
    # keyring's automatic detection never picks this class just because a test
    # imported it: it is only ever installed explicitly.
    priority = -1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"no password for {username!r} in {service!r}") from None


@contextmanager
def installed(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make ``backend`` the process-wide keyring for the duration, then restore the previous one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
