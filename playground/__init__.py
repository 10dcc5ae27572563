"""Prompt Playground: a local-first desktop playground for prompt engineers."""

__version__ = "0.1.0"

__all__ = ["__version__"]
