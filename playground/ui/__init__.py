"""The Qt user interface: the only package (with playground.app) that imports PySide6."""

__all__: list[str] = []
