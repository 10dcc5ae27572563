"""Model providers: one module per wire protocol, behind one small interface (``base``)."""

from playground.providers.base import Provider, Timeouts

__all__ = ["Provider", "Timeouts"]
