"""Numbers behind the use-case pages, on the shipped weights and held-out images:

    python -m benchmarks.use_cases

anomaly-detection AUCs (AE and VAE, each outlier set, both scores), denoising PSNRs, codec sizes and quality,
and the latency of the drawn-image path (decode PNG, MNIST-style preparation, scores, map placement, neighbours).
"""

from __future__ import annotations

import io
from pathlib import Path

import torch
from PIL import Image, ImageDraw

from ae_models.anomaly import (
    OUTLIER_KINDS,
    contrast_dataset,
    latent_distance_scores,
    outlier_images,
    reconstruction_scores,
    roc_curve,
)
from ae_models.compression import codec_report
from ae_models.corruption import CORRUPTIONS, corrupt, psnr
from ae_models.latent_maps import load_map, map_path_for
from ae_models.latent_ops import nearest_neighbours, place_on_map
from ae_models.library import load_folder
from ae_models.samples import load_sample, sample_path
from ae_models.user_images import read_image, to_mnist_style
from benchmarks.run_benchmarks import timed

REPO_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = REPO_ROOT / "weights"


def anomaly_table(models: dict) -> None:
    print("\nAnomaly detection AUC (held-out normal images vs outliers)")
    print(f"{'model':<18}{'outliers':<16}{'reconstruction':>16}{'latent distance':>17}")
    for name in ("mnist_ae_z2", "mnist_vae_z2", "mnist_ae_z16", "mnist_vae_z16", "fashion_ae_z16", "fashion_vae_z16"):
        model = models[name]
        sample = load_sample(sample_path(WEIGHTS, model.dataset))
        other_name = contrast_dataset(model.dataset)
        other = load_sample(sample_path(WEIGHTS, other_name)).images.images
        normal = sample.images.images[sample.held_out]
        codes = load_map(map_path_for(model.path)).codes[~sample.held_out]
        for kind in OUTLIER_KINDS:
            outliers = outlier_images(kind, normal, other[-len(normal) :], seed=0)
            net = model.network
            rec = roc_curve(reconstruction_scores(net, normal), reconstruction_scores(net, outliers)).auc
            dist = roc_curve(
                latent_distance_scores(net, normal, codes), latent_distance_scores(net, outliers, codes)
            ).auc
            label = other_name if kind == "other dataset" else kind
            print(f"{name:<18}{label:<16}{rec:>16.3f}{dist:>17.3f}")


def denoising_table(models: dict) -> None:
    sample = load_sample(sample_path(WEIGHTS, "mnist-5k"))
    clean = sample.images.images[sample.held_out]
    names = ("mnist_ae_z16", "mnist_vae_z16", "mnist_dae_z16")
    print("\nDenoising PSNR in dB on held-out digits (strength 0.4; 'input' = the damaged image itself)")
    print(f"{'damage':<18}{'input':>8}" + "".join(f"{n:>16}" for n in names))
    for kind in CORRUPTIONS:
        noisy = corrupt(clean, kind, 0.4, seed=0)
        row = [float(psnr(clean, models[n].network.reconstruct(noisy)).mean()) for n in names]
        print(f"{kind:<18}{float(psnr(clean, noisy).mean()):>8.2f}" + "".join(f"{v:>16.2f}" for v in row))


def codec_table(models: dict) -> None:
    sample = load_sample(sample_path(WEIGHTS, "mnist-5k"))
    held_out = sample.images.images[sample.held_out]
    print("\nCompression on held-out digits (float32 codes; 784-byte images)")
    for name in ("mnist_ae_z2", "mnist_ae_z16", "mnist_vae_z2", "mnist_vae_z16"):
        report = codec_report(models[name].network, held_out)
        print(f"{name:<16} {report.code_bytes:>3} bytes  {report.ratio:>5.1f}x  PSNR {report.mean_psnr_db:5.2f} dB")


def drawn_image_latency(models: dict, repeats: int = 30) -> None:
    picture = Image.new("RGBA", (280, 280), "black")
    ImageDraw.Draw(picture).line((140, 40, 160, 240), fill="white", width=20)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    png = buffer.getvalue()
    pair = [models["mnist_ae_z16"], models["mnist_vae_z16"]]
    maps = [load_map(map_path_for(m.path)) for m in pair]
    held_out = load_sample(sample_path(WEIGHTS, "mnist-5k"))
    held_out = held_out.images.images[held_out.held_out]

    def path() -> None:
        gray, _ = read_image(png)
        batch = to_mnist_style(gray).unsqueeze(0)
        for model, latent_map in zip(pair, maps, strict=True):
            net = model.network
            net.reconstruct(batch)
            reconstruction_scores(net, batch)
            reconstruction_scores(net, held_out)
            code = net.encode(batch).mean
            place_on_map(code, latent_map.codes, latent_map.coords)
            nearest_neighbours(latent_map.codes, code[0], 8)

    median, worst = timed(path, repeats)
    print(f"\nDrawn-image path, AE + VAE at latent 16 (UMAP maps): median {median:.1f} ms, "
          f"worst {worst:.1f} ms over {repeats} runs")  # fmt: skip


def main() -> None:
    torch.set_grad_enabled(False)
    models = {m.name: m for m in load_folder(WEIGHTS)[0]}
    anomaly_table(models)
    denoising_table(models)
    codec_table(models)
    drawn_image_latency(models)


if __name__ == "__main__":
    main()
