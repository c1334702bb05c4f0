"""An autoencoder as a lossy codec: the code is the compressed file, the decoder the decompressor."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from .corruption import psnr
from .losses import reconstruction_error
from .models import Autoencoder, decode_logits_in_batches, encode_in_batches

CODE_DTYPES = {"float32": torch.float32, "float16": torch.float16}


@dataclass(frozen=True)
class CodecReport:
    """Sizes in bytes per image and the quality of what comes back."""

    latent_dim: int
    code_bytes: int
    image_bytes: int
    mean_psnr_db: float
    mean_reconstruction_nats: float
    decoder_bytes: int  # the decompressor ships once, with the weights: float32 parameters

    @property
    def ratio(self) -> float:
        return self.image_bytes / self.code_bytes


@torch.no_grad()
def codec_report(model: Autoencoder, images: Tensor, code_dtype: str = "float32") -> CodecReport:
    """Encode, store the code at `code_dtype`, decode: what a file-based codec built from this model would give."""
    dtype = CODE_DTYPES[code_dtype]
    stored = encode_in_batches(model, images).mean.to(dtype).to(torch.float32)
    logits = decode_logits_in_batches(model, stored)
    restored = torch.sigmoid(logits)
    height, width = model.config.image_shape
    return CodecReport(
        latent_dim=model.config.latent_dim,
        code_bytes=model.config.latent_dim * torch.finfo(dtype).bits // 8,
        image_bytes=height * width,  # 8-bit grayscale
        mean_psnr_db=float(psnr(images, restored).mean()),
        mean_reconstruction_nats=float(reconstruction_error(logits, images).mean()),
        decoder_bytes=sum(p.numel() * p.element_size() for p in model.decoder.parameters()),
    )


@dataclass(frozen=True)
class ClassicCodecs:
    """Mean bytes per image for the same images as lossless PNG, and as JPEG at the lowest quality that reaches a
    target PSNR (or quality 95 when none does). Both include their headers, as a file on disk would."""

    png_bytes: float
    jpeg_bytes: float
    jpeg_quality: int
    jpeg_psnr_db: float


def _encoded(pixels: np.ndarray, format: str, **options: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format=format, **options)
    return buffer.getvalue()


def _jpeg_at(pixels: list[np.ndarray], images: Tensor, quality: int) -> tuple[float, float]:
    """Mean bytes and mean PSNR of the images stored as JPEG at one quality."""
    files = [_encoded(p, "JPEG", quality=quality) for p in pixels]
    decoded = torch.stack([torch.from_numpy(np.array(Image.open(io.BytesIO(f)))) for f in files]).float() / 255
    return float(np.mean([len(f) for f in files])), float(psnr(images, decoded).mean())


def classic_codecs(images: Tensor, target_psnr_db: float) -> ClassicCodecs:
    """PNG and JPEG (Pillow) on the 8-bit images: the baseline a learned codec has to beat."""
    pixels = [(image * 255).round().to(torch.uint8).numpy() for image in images]
    png = float(np.mean([len(_encoded(p, "PNG", optimize=True)) for p in pixels]))
    low, high = 1, 95  # JPEG's PSNR rises with quality: bisect for the lowest quality reaching the target
    while low < high:
        middle = (low + high) // 2
        if _jpeg_at(pixels, images, middle)[1] >= target_psnr_db:
            high = middle
        else:
            low = middle + 1
    jpeg_bytes, jpeg_psnr = _jpeg_at(pixels, images, low)
    return ClassicCodecs(png, jpeg_bytes, low, jpeg_psnr)
