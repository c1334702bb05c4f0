"""An autoencoder as a lossy codec: the code is the compressed file, the decoder the decompressor."""

from __future__ import annotations

from dataclasses import dataclass

import torch
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
    )
