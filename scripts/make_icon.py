"""Draws the program icon, resources/icons/disclosure-desk.png: a page with text lines and one redaction bar.

The PNG is kept in the repository as the icon's source (a 256-pixel square, a few kilobytes); run this script to
redraw it after changing the drawing. The PyInstaller build turns it into the .ico (Windows) or .icns (macOS) it
needs, with Pillow, at build time (packaging/disclosure-desk.spec).

    .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256
NAVY = (31, 58, 95, 255)
PAPER = (250, 250, 247, 255)
FOLD = (205, 212, 222, 255)
INK = (120, 132, 150, 255)
BAR = (17, 17, 17, 255)
SEAL = (214, 162, 52, 255)
OUT = Path(__file__).resolve().parents[1] / "resources" / "icons" / "disclosure-desk.png"


def draw() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((8, 8, SIZE - 8, SIZE - 8), radius=44, fill=NAVY)
    left, top, right, bottom, fold = 64, 40, 192, 216, 36
    pen.polygon([(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)], fill=PAPER)
    pen.polygon([(right - fold, top), (right - fold, top + fold), (right, top + fold)], fill=FOLD)
    for number, width in enumerate((96, 80, 100, 64, 90)):
        y = 84 + 22 * number
        colour = BAR if number == 2 else INK
        pen.rectangle((left + 16, y, left + 16 + width, y + (12 if number == 2 else 7)), fill=colour)
    pen.ellipse((150, 170, 198, 218), fill=SEAL, outline=NAVY, width=4)
    return image


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().save(OUT, optimize=True)
    print(f"Wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
