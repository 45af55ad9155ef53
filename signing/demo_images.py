"""Plausible signature and seal images for the demo (PNG, transparent background).

Real installations take these images from the account or agency settings;
the demo draws them: a blue handwritten-looking stroke for a leader
(Decree 30/2020: signature image in blue) and a round red seal with the
agency name (the seal image in red, at real size).
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from signing.fonts import font_path

SIGNATURE_BLUE = (17, 51, 170, 255)
SEAL_RED = (220, 20, 30, 255)


def signature_png(seed: str, *, width: int = 500, height: int = 200) -> bytes:
    """A blue flourish derived from ``seed`` (the same seed gives the same image)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    k = sum(ord(c) for c in seed) % 7 + 3
    points = []
    for i in range(400):
        t = i / 399
        x = width * (0.08 + 0.84 * t)
        y = height * (0.5 + 0.28 * math.sin(k * math.pi * t) * math.cos(2.3 * math.pi * t))
        points.append((x, y))
    draw.line(points, fill=SIGNATURE_BLUE, width=6, joint="curve")
    draw.line(
        [(width * 0.15, height * 0.78), (width * 0.85, height * 0.7)], fill=SIGNATURE_BLUE, width=4
    )
    return _png(image)


def seal_png(agency_name: str, *, size: int = 400) -> bytes:
    """A round red seal: two rings, the agency name around, a star in the middle."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    for radius, width in ((c - 4, 10), (c * 0.62, 5)):
        draw.ellipse(
            (c - radius, c - radius, c + radius, c + radius), outline=SEAL_RED, width=width
        )
    _star(draw, c, c, c * 0.22)
    font = ImageFont.truetype(str(font_path(bold=True)), size=int(size * 0.07))
    text = agency_name.upper()
    span = 300.0
    for i, char in enumerate(text):
        angle = math.radians(-90 - span / 2 + span * (i + 0.5) / len(text))
        r = c * 0.8
        x, y = c + r * math.cos(angle), c + r * math.sin(angle)
        glyph = Image.new("RGBA", (size // 8, size // 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (size // 16, size // 16), char, font=font, fill=SEAL_RED, anchor="mm"
        )
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    return _png(image)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.4
        angle = math.radians(-90 + 36 * i)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
