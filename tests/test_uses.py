"""The maths behind the use-case pages: anomaly scores and ROC, corruptions and PSNR, the codec, user images."""

import io

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from ae_models.anomaly import confusion_at, latent_distance_scores, outlier_images, reconstruction_scores, roc_curve
from ae_models.compression import codec_report
from ae_models.corruption import CORRUPTIONS, corrupt, psnr
from ae_models.user_images import ImageInputError, read_image, to_mnist_style


def test_roc_of_perfectly_separated_scores_has_auc_one_and_of_identical_scores_one_half() -> None:
    perfect = roc_curve(torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0.8, 0.9]))
    assert perfect.auc == pytest.approx(1.0)
    assert perfect.false_positive_rate[0] == 0 and perfect.true_positive_rate[-1] == 1
    tied = roc_curve(torch.ones(50), torch.ones(50))
    assert tied.auc == pytest.approx(0.5)


def test_roc_auc_matches_the_rank_statistic() -> None:
    generator = torch.Generator().manual_seed(0)
    normal, anomalies = torch.randn(300, generator=generator), torch.randn(200, generator=generator) + 1
    pairs = (anomalies.unsqueeze(1) > normal.unsqueeze(0)).double().mean().item()
    assert roc_curve(normal, anomalies).auc == pytest.approx(pairs, abs=1e-6)


def test_confusion_counts_add_up() -> None:
    counts = confusion_at(0.5, torch.tensor([0.1, 0.6, 0.2]), torch.tensor([0.7, 0.4]))
    assert (counts.true_positives, counts.false_negatives, counts.false_positives, counts.true_negatives) == (
        1,
        1,
        1,
        2,
    )


def test_outlier_sets() -> None:
    normal = torch.rand(5, 8, 8)
    assert torch.equal(outlier_images("rotated", normal, None), torch.rot90(normal, 1, dims=(1, 2)))
    noise = outlier_images("pure noise", normal, None, seed=3)
    assert noise.shape == normal.shape and torch.equal(noise, outlier_images("pure noise", normal, None, seed=3))
    other = torch.rand(9, 8, 8)
    assert torch.equal(outlier_images("other dataset", normal, other), other[:5])
    with pytest.raises(ValueError):
        outlier_images("other dataset", normal, torch.rand(9, 4, 4))


def test_a_trained_model_scores_noise_as_stranger_than_digits(tiny_ae) -> None:
    from ae_models.datasets import load_split

    digits = load_split("digits", "val").images
    noise = outlier_images("pure noise", digits, None)
    model = tiny_ae.network
    normal_scores, noise_scores = reconstruction_scores(model, digits), reconstruction_scores(model, noise)
    assert roc_curve(normal_scores, noise_scores).auc > 0.9
    reference = model.encode(load_split("digits", "train").images).mean
    assert latent_distance_scores(model, digits, reference).shape == (len(digits),)


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corruptions_damage_more_with_strength_and_keep_the_range(kind: str) -> None:
    clean = torch.rand(20, 28, 28) * 0.5
    mild, strong = corrupt(clean, kind, 0.1), corrupt(clean, kind, 0.6)
    assert mild.min() >= 0 and strong.max() <= 1
    assert psnr(clean, strong).mean() < psnr(clean, mild).mean()
    assert torch.equal(corrupt(clean, kind, 0.0), clean)


def test_psnr_is_infinite_like_for_identical_images_and_known_for_a_constant_error() -> None:
    clean = torch.zeros(2, 4, 4)
    assert psnr(clean, clean).min() >= 99
    assert psnr(clean, clean + 0.1).tolist() == pytest.approx([20.0, 20.0])


def test_codec_report_counts_bytes_and_quality(tiny_vae) -> None:
    from ae_models.datasets import load_split

    images = load_split("digits", "val").images
    full, half = codec_report(tiny_vae.network, images, "float32"), codec_report(tiny_vae.network, images, "float16")
    assert (full.code_bytes, half.code_bytes, full.image_bytes) == (8, 4, 64)
    assert half.ratio == 2 * full.ratio == 16
    assert abs(full.mean_psnr_db - half.mean_psnr_db) < 0.5


def _png(image: Image.Image, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kwargs.pop("format", "PNG"), **kwargs)
    return buffer.getvalue()


def test_a_dark_digit_on_white_becomes_a_centred_bright_mnist_digit() -> None:
    picture = Image.new("L", (200, 300), 255)
    ImageDraw.Draw(picture).rectangle((150, 40, 170, 260), fill=0)  # an off-centre "1"
    gray, notes = read_image(_png(picture))
    image = to_mnist_style(gray)
    assert image.shape == (28, 28) and notes == []
    rows, _ = torch.nonzero(image > 0.2, as_tuple=True)
    assert rows.max() - rows.min() + 1 <= 20 and rows.max() - rows.min() + 1 >= 18
    mass = image.sum()
    centre = ((image.sum(1) * torch.arange(28)).sum() / mass, (image.sum(0) * torch.arange(28)).sum() / mass)
    assert abs(centre[0] - 13.5) <= 1 and abs(centre[1] - 13.5) <= 1
    assert image[0, 0] == 0


def test_transparency_is_flattened_with_a_note() -> None:
    picture = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(picture).ellipse((10, 10, 54, 54), outline=(0, 0, 0, 255), width=6)
    _, notes = read_image(_png(picture))
    assert notes == ["transparent areas were flattened onto white"]


def _animated() -> bytes:
    frames = [Image.new("L", (32, 32), v) for v in (0, 255)]
    return _png(frames[0], format="GIF", save_all=True, append_images=frames[1:])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"plain text, not a picture", "not an image"),
        (
            _png(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)))[:2000],
            "truncated",
        ),
        (_png(Image.new("L", (1, 1))), "at least"),
        (_png(Image.new("L", (5000, 4000))), "at most 4096x4096"),
        (_png(Image.fromarray(np.zeros((32, 32), dtype=np.float32)), format="TIFF"), "32-bit or float"),
        (_animated(), "animated"),
        (b"\x00" * (11 * 2**20), "under 10 MB"),
    ],
    ids=["text", "truncated", "1x1", "huge", "float", "animated", "too-many-bytes"],
)
def test_bad_images_give_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ImageInputError, match=message):
        read_image(data)


def test_blank_and_palette_images() -> None:
    with pytest.raises(ImageInputError, match="blank"):
        to_mnist_style(np.zeros((40, 40), dtype=np.float32))
    palette = Image.new("P", (40, 40), 0)
    palette.putpalette([level for level in range(256) for _ in range(3)])
    ImageDraw.Draw(palette).line((20, 5, 20, 35), fill=200, width=4)
    gray, _ = read_image(_png(palette))
    assert to_mnist_style(gray).max() > 0.5
