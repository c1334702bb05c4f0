"""Image tensors to pictures: tiles, strips, PNG and animated GIF bytes for display and download."""

from __future__ import annotations

import base64
import io

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

LABEL_PX = 16  # text height of the labels burnt into exported pictures


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, H, W) floats in [0, 1] -> uint8, white digits on black as in the datasets."""
    return (images.detach().clamp(0, 1).numpy() * 255).round().astype(np.uint8)


def tile(images: torch.Tensor, columns: int, pad: int = 2, upscale: int = 1) -> np.ndarray:
    """Images laid out row by row with a grey gap, as one uint8 picture."""
    pixels = to_uint8(images)
    if upscale > 1:
        pixels = pixels.repeat(upscale, axis=1).repeat(upscale, axis=2)
    n, h, w = pixels.shape
    rows = max(1, -(-n // columns))
    canvas = np.full((rows * (h + pad) + pad, columns * (w + pad) + pad), 96, dtype=np.uint8)
    for index in range(n):
        r, c = divmod(index, columns)
        canvas[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = pixels[
            index
        ]
    return canvas


def upscale(image: torch.Tensor, factor: int) -> np.ndarray:
    """One (H, W) image enlarged with hard pixel edges, so small digits stay crisp on screen."""
    return to_uint8(image.unsqueeze(0))[0].repeat(factor, axis=0).repeat(factor, axis=1)


def png_bytes(picture: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_uri(picture: np.ndarray) -> str:
    """A picture inline in a Plotly figure: a few kB of PNG instead of one JSON number per pixel."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(picture)).decode()


def gif_bytes(frames: list[np.ndarray], frame_ms: int = 120) -> bytes:
    """An endlessly looping animation that plays forward then back, so the motion reads both ways."""
    sequence = frames + frames[-2:0:-1]
    images = [Image.fromarray(frame) for frame in sequence]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=frame_ms, loop=0)
    return buffer.getvalue()


def with_label(picture: np.ndarray, text: str, below: bool = False) -> np.ndarray:
    """The picture with a band of white text above (or below) it, so an exported file says what it shows."""
    band = Image.new("L", (picture.shape[1], LABEL_PX + 8), 40)
    ImageDraw.Draw(band).text((4, 3), text, fill=255, font=ImageFont.load_default(size=LABEL_PX))
    parts = [picture, np.asarray(band)] if below else [np.asarray(band), picture]
    return np.vstack(parts)


def labelled_png(pictures: list[tuple[np.ndarray, str]]) -> bytes:
    """Equal-width pictures one above the other, each under a band naming it, as PNG bytes: a download of what a
    page shows (burning the labels in costs a font per picture, so a page builds it only when clicked)."""
    return png_bytes(np.vstack([with_label(picture, text) for picture, text in pictures]))


def side_by_side(pictures: list[np.ndarray], gap: int = 4) -> np.ndarray:
    """Equal-height pictures left to right with a grey gap."""
    spacer = np.full((pictures[0].shape[0], gap), 96, dtype=np.uint8)
    return np.hstack([part for picture in pictures for part in (picture, spacer)][:-1])
