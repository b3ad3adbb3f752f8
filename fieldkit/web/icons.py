"""FieldKit's icon, drawn in code: the compass of its page icon (🧭), in its own colours.

Drawn, not shipped as files, so every size comes from one drawing; drawn
four times larger and scaled down, for smooth edges.
"""

from __future__ import annotations

import functools
import io
import math

from PIL import Image, ImageDraw

from fieldkit import contract

TEAL = contract.THEME_COLOUR
PAPER = "#ffffff"
RED = "#dc2626"
INK = "#1f2933"
_OVERSAMPLE = 4

# name -> (size in px, maskable: the drawing kept inside the 80 % safe zone)
ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS rounds the corners itself: fill the square
}


def _points(cx: float, cy: float, angle: float, length: float, width: float) -> list:
    """A needle half: tip at ``length`` along ``angle``, base ``width`` across the centre."""
    tip = (cx + length * math.cos(angle), cy - length * math.sin(angle))
    left = (cx + width * math.cos(angle + math.pi / 2), cy - width * math.sin(angle + math.pi / 2))
    right = (cx + width * math.cos(angle - math.pi / 2), cy - width * math.sin(angle - math.pi / 2))
    return [tip, left, right]


@functools.cache
def png(name: str) -> bytes:
    """The icon ``name`` (a key of ICONS) as PNG bytes; drawn once per process."""
    size, maskable = ICONS[name]
    big = size * _OVERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:  # a full square: the platform cuts its own shape from it
        draw.rectangle((0, 0, big, big), fill=TEAL)
        radius = big * 0.32
    else:  # a round badge with room around it
        draw.ellipse((big * 0.04, big * 0.04, big * 0.96, big * 0.96), fill=TEAL)
        radius = big * 0.36
    c = big / 2
    ring = radius * 0.09
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), fill=PAPER)
    draw.ellipse((c - radius + ring, c - radius + ring, c + radius - ring, c + radius - ring),
                 fill=PAPER, outline=INK, width=max(1, int(ring * 0.35)))
    for quarter in range(4):  # ticks at north, east, south, west
        angle = quarter * math.pi / 2
        outer, inner = radius - ring * 1.4, radius - ring * 2.6
        draw.line((c + outer * math.cos(angle), c - outer * math.sin(angle),
                   c + inner * math.cos(angle), c - inner * math.sin(angle)),
                  fill=INK, width=max(1, int(ring * 0.45)))
    north = math.radians(60)  # the needle points north-east, as the emoji's does
    draw.polygon(_points(c, c, north, radius * 0.72, radius * 0.17), fill=RED)
    draw.polygon(_points(c, c, north + math.pi, radius * 0.72, radius * 0.17), fill=INK)
    dot = radius * 0.07
    draw.ellipse((c - dot, c - dot, c + dot, c + dot), fill=PAPER)
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()
