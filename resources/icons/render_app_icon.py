"""Render the app icon, playground.svg, to PNGs in the freedesktop hicolor layout.

Run it after editing playground.svg, from anywhere, with the project's Python:

    python resources/icons/render_app_icon.py          # write hicolor/<N>x<N>/apps/playground.png
    python resources/icons/render_app_icon.py --check  # exit 1 if a PNG is missing or stale

It needs only PySide6 and draws offscreen, so no display is required.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# Set before Qt is imported, so no display is needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "playground.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)
# Antialiasing may shift a channel by a step or two between Qt versions;
# a real change to the drawing moves far more.
TOLERANCE = 12


def target(size: int) -> Path:
    return HERE / "hicolor" / f"{size}x{size}" / "apps" / "playground.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def differs(image: QImage, path: Path) -> bool:
    """True when the PNG at ``path`` is missing or not (nearly) ``image``."""
    existing = QImage(str(path))
    if existing.isNull() or existing.size() != image.size():
        return True
    argb = QImage.Format.Format_ARGB32
    old = bytes(existing.convertToFormat(argb).constBits())
    new = bytes(image.convertToFormat(argb).constBits())
    return any(abs(a - b) > TOLERANCE for a, b in zip(old, new, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale or missing PNGs")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"{SOURCE} is not a valid SVG", file=sys.stderr)
        return 2
    stale = []
    for size in SIZES:
        image = render(renderer, size)
        path = target(size)
        if args.check:
            if differs(image, path):
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            print(f"could not write {path}", file=sys.stderr)
            return 2
        print(f"wrote {path.relative_to(HERE)}")
    del app
    for path in stale:
        print(f"stale or missing: {path.relative_to(HERE)}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
