"""Turn a user's picture or drawing into an MNIST-style input, the way MNIST itself was made:
grayscale, ink bright on black, cropped to the ink, fitted into 20x20, centred by mass in 28x28, in [0, 1]."""

from __future__ import annotations

import io
import struct
import warnings

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 2**20
MAX_PIXELS = 4096 * 4096
MIN_SIDE = 8
SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N")
UNSUPPORTED_DEPTHS = ("I", "F")  # 32-bit integer and float pixels: no agreed white level to scale by
TOO_LARGE = "upload one of at most 4096x4096 pixels"
READABLE = "upload a PNG, JPEG, GIF, BMP or WebP file"
# Only decoders whose pictures are all measured before decoding (Pillow reads some 40 formats; many are containers)
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", "ICO")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ICO_MAGIC = b"\x00\x00\x01\x00"


class ImageInputError(ValueError):
    """An upload or drawing that cannot become a model input; the message says what to do instead."""


def _icon_sizes(data: bytes) -> list[tuple[int, int]]:
    """The real size of every picture in an ICO file, from its PNG or bitmap header, without decoding any.

    The directory's own width and height are one byte each and need not match what is stored, so they prove
    nothing; Pillow decodes the largest picture while opening the file."""
    count = struct.unpack_from("<H", data, 4)[0] if len(data) >= 6 else 0
    sizes = []
    for entry in range(count):
        start = 6 + 16 * entry
        if len(data) < start + 16:
            break
        offset = struct.unpack_from("<I", data, start + 12)[0]
        picture = data[offset : offset + 24]
        if picture.startswith(PNG_MAGIC) and len(picture) == 24:
            sizes.append(struct.unpack_from(">II", picture, 16))
        elif len(picture) >= 12:  # a bitmap's info header: its height counts the image and its mask
            width, height = struct.unpack_from("<ii", picture, 4)
            sizes.append((abs(width), abs(height) // 2))
    return sizes


def _refuse_large(width: int, height: int, where: str = "the image is") -> None:
    if width * height > MAX_PIXELS:
        raise ImageInputError(f"{where} {width}x{height} pixels; {TOO_LARGE}")


def _frames_refusal(image: Image.Image) -> str | None:
    """Why a file holding several pictures cannot be used, in the words its format calls them."""
    frames = getattr(image, "n_frames", 1)
    if frames <= 1:
        return None
    if image.format == "TIFF":
        return f"multi-page TIFF files ({frames} pages) are not supported; save the page you want on its own"
    if image.format == "MPO":
        return f"this JPEG holds {frames} pictures (multi-picture format); save the one you want on its own"
    return "animated images are not supported; upload a single still frame"


def _open_checked(data: bytes) -> Image.Image:
    """Open and fully decode, refusing what is too big, has several pictures or an unusual depth, before
    decoding it: every picture a container holds is measured first."""
    if data.startswith(ICO_MAGIC):
        for width, height in _icon_sizes(data):
            _refuse_large(width, height, "the icon holds a picture of")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's chatter about corrupt EXIF and the like: not the user's concern
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=FORMATS)
        _refuse_large(*image.size)
        refusal = _frames_refusal(image)
        if refusal:
            raise ImageInputError(refusal)
        if image.mode in UNSUPPORTED_DEPTHS:
            raise ImageInputError(f"{image.mode} images (32-bit or float pixels) are not supported; save it as 8-bit")
        image.load()
    return image


def _decode(data: bytes) -> Image.Image:
    try:
        return _open_checked(data)
    except ImageInputError:
        raise
    except UnidentifiedImageError:
        raise ImageInputError(f"this is not an image this page can read; {READABLE}") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError(f"the image declares far more pixels than a digit needs; {TOO_LARGE}") from None
    except Exception as err:  # decoders raise many types on hostile bytes; all of them mean "corrupt"
        raise ImageInputError(f"the image is truncated or corrupt ({type(err).__name__}: {err})") from None


def _to_gray(image: Image.Image, notes: list[str]) -> np.ndarray:
    if image.mode in SIXTEEN_BIT_MODES:
        notes.append("16-bit pixels were scaled to 8-bit")
        return np.asarray(image, dtype=np.float32) / 65535.0
    if image.mode == "LAB":  # Pillow cannot convert LAB, but its L channel is the lightness we want
        return np.asarray(image.getchannel("L"), dtype=np.float32) / 255.0
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:  # some pixel is see-through
            rgba = Image.alpha_composite(Image.new("RGBA", image.size, "white"), rgba)
            notes.append("transparent areas were flattened onto white")
        image = rgba
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def read_image(data: bytes) -> tuple[np.ndarray, list[str]]:
    """Decode an uploaded file to grayscale floats in [0, 1] (H, W), with notes on what was adjusted."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageInputError(
            f"the file is {len(data) / 2**20:.1f} MB; upload an image under {MAX_UPLOAD_BYTES // 2**20} MB"
        )
    image = _decode(data)
    width, height = image.size
    if min(width, height) < MIN_SIDE:
        raise ImageInputError(
            f"the image is only {width}x{height} pixels; draw or upload at least {MIN_SIDE}x{MIN_SIDE}"
        )
    notes: list[str] = []
    try:
        gray = _to_gray(image, notes)
    except (ValueError, OSError) as err:
        raise ImageInputError(f"colour mode {image.mode} cannot be read ({err}); save it as RGB or grayscale") from None
    return gray, notes


def to_mnist_style(gray: np.ndarray, size: int = 28, box: int = 20) -> torch.Tensor:
    """Crop to the ink, fit it into box x box keeping its aspect, and centre its mass in size x size."""
    if gray.ndim != 2:
        raise ImageInputError(f"expected a grayscale image, got shape {gray.shape}")
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = 1.0 - gray if border.mean() > 0.5 else gray  # MNIST digits are bright ink on black
    ink = np.where(ink > 0.15, ink, 0.0)
    rows, cols = np.nonzero(ink)
    if len(rows) == 0:
        raise ImageInputError("the image is blank: draw or upload a digit with visible strokes")
    cropped = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = box / max(cropped.shape)
    new_size = (max(1, round(cropped.shape[1] * scale)), max(1, round(cropped.shape[0] * scale)))
    fitted = Image.fromarray((cropped * 255).astype(np.uint8)).resize(new_size, Image.Resampling.LANCZOS)
    fitted_array = np.asarray(fitted, dtype=np.float32) / 255.0
    canvas = np.zeros((size, size), dtype=np.float32)
    mass = fitted_array.sum()
    centre_y = (fitted_array.sum(axis=1) * np.arange(fitted_array.shape[0])).sum() / mass
    centre_x = (fitted_array.sum(axis=0) * np.arange(fitted_array.shape[1])).sum() / mass
    top = int(np.clip(round(size / 2 - 0.5 - centre_y), 0, size - fitted_array.shape[0]))
    left = int(np.clip(round(size / 2 - 0.5 - centre_x), 0, size - fitted_array.shape[1]))
    canvas[top : top + fitted_array.shape[0], left : left + fitted_array.shape[1]] = fitted_array
    return torch.from_numpy(np.clip(canvas, 0.0, 1.0))
