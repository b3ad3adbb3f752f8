"""The photo: the OCR engine, loaded once, and the text lines it finds, turned level."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from PIL import Image

from fieldkit import photos
from fieldkit.cardreader.model import DETECT_SIDE, MAX_SIDE, CardReadError, Line

_engine = None
_engine_lock = threading.Lock()  # one engine per process
_read_lock = threading.Lock()  # one read at a time: a call keeps state on the engine


def engine():
    """The OCR engine, loaded on first use and kept (about half a second to load)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr import RapidOCR

                # Its INFO lines name each model file on every load.
                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                _engine = RapidOCR(params={
                    "Global.log_level": "warning",
                    # Text is found on a smaller copy and read from the full photo.
                    "Det.limit_type": "max", "Det.limit_side_len": DETECT_SIDE,
                    # A line at a time: as fast on a CPU, and a third less memory at
                    # the peak than six at once (bench/README.md).
                    "Rec.rec_batch_num": 1, "Cls.cls_batch_num": 1})
    return _engine


def warm_up() -> None:
    """Load the engine in the background, once: the first card read then waits less."""
    if _engine is None and not _engine_lock.locked():
        threading.Thread(target=engine, name="cardreader-warm-up", daemon=True).start()


def load(data: bytes) -> Image.Image:
    """The photo in ``data``, upright and at most MAX_SIDE a side; CardReadError if unreadable."""
    return photos.load(data, label="Card photo", field="photo", error=CardReadError,
                       side=MAX_SIDE).convert("RGB")


def readable(image: Image.Image) -> Image.Image:
    """An upright photo already decoded, as the reader reads it: RGB, at most MAX_SIDE a side."""
    image = image.convert("RGB")  # a copy: the caller's image is left as it was
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def ocr_lines(image: Image.Image) -> list[Line]:
    """The text lines in ``image``, their boxes turned level with the card's own text."""
    import numpy as np

    with _read_lock:
        try:
            result = engine()(np.asarray(image))
        finally:
            # onnxruntime frees a read's buffers (a few hundred MB) into the heap.
            photos.release_memory()
    if result.boxes is None or not len(result.txts):
        return []
    return upright(result.txts, result.boxes)


def upright(texts: Sequence[str], boxes) -> list[Line]:
    """Lines from quadrilaterals (top-left, top-right, bottom-right, bottom-left).

    A card photographed at an angle gives boxes tilted alike: each is turned
    back by the typical tilt of the long ones, so that lines on one row share
    a top and a column shares a left edge.
    """
    import numpy as np

    quads = np.asarray(boxes, dtype=float).reshape(-1, 4, 2)
    top_edge = quads[:, 1] - quads[:, 0]
    lengths = np.hypot(top_edge[:, 0], top_edge[:, 1])
    angles = np.arctan2(top_edge[:, 1], top_edge[:, 0])
    long = lengths >= np.median(lengths)
    tilt = float(np.median(angles[long])) if long.any() else 0.0
    cos, sin = np.cos(-tilt), np.sin(-tilt)
    turned = quads @ np.array([[cos, sin], [-sin, cos]])
    lines = []
    for text, quad, points in zip(texts, quads, turned):
        height = (np.hypot(*(quad[3] - quad[0])) + np.hypot(*(quad[2] - quad[1]))) / 2
        left, right = points[:, 0].min(), points[:, 0].max()
        middle = points[:, 1].mean()
        lines.append(Line(str(text), float(left), float(middle - height / 2),
                          float(right - left), float(height)))
    return lines
