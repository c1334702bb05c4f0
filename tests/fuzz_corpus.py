"""Deterministic corpora of hostile files, written by the fuzz tests themselves (nothing is fetched or shipped).

Weights: every way a .safetensors file can lie (framing, header JSON, offsets, dtypes, shapes, metadata, values),
each family varied by a seeded generator. Images: the classic decoder traps (truncation, bombs, odd modes, frames).
"""

from __future__ import annotations

import functools
import io
import json
import random
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterator
from copy import deepcopy
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from ae_models.models import Autoencoder, build_model
from ae_models.weights import NAMESPACE, TrainedModel, save_model

Header = dict[str, dict]
DTYPES = ("F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "nonsense", "")


def weights_bytes(trained: TrainedModel) -> bytes:
    """A valid weights file's bytes: the seed every hostile variant is grown from."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "valid.safetensors"
        save_model(trained, path)
        return path.read_bytes()


def split_safetensors(data: bytes) -> tuple[Header, bytes]:
    size = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8 : 8 + size]), data[8 + size :]


def join_safetensors(header: Header | bytes, body: bytes, declared: int | None = None) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if declared is None else declared) + raw + body


def _tensor_names(header: Header) -> list[str]:
    return sorted(name for name in header if name != "__metadata__")


def _metadata_variants(rng: random.Random, metadata: dict[str, str]) -> dict[str, object]:
    """One metadata lie: not JSON, wrong JSON types, another architecture, deep nesting, or non-string values."""
    metadata = dict(metadata)
    key = NAMESPACE + rng.choice(("model_config", "training", "dataset", "history", "final_metrics", "image_shape"))
    config = json.loads(metadata[NAMESPACE + "model_config"])
    lies: list[Callable[[], None]] = [
        lambda: metadata.update({key: rng.choice(["{oops", "", "NaN}", "\x00", "[" * 5000, "é" * 10])}),
        lambda: metadata.update({key: json.dumps(rng.choice([1, "text", None, [], {}, [[1]], {"a": 1}, 1e308]))}),
        lambda: metadata.update({key: "[" * rng.randint(2000, 200_000) + "]" * 10}),
        lambda: metadata.pop(key),
        lambda: metadata.update({NAMESPACE + "kind": rng.choice(["gan", "", "AE", "vae ", "ae"])}),
        lambda: metadata.update({NAMESPACE + "format_version": str(rng.randint(2, 99))}),
        lambda: metadata.update({key: metadata[key].replace("1", rng.choice(['"x"', "true", "null", "-1"]), 1)}),
        lambda: metadata.update(
            {
                NAMESPACE + "model_config": json.dumps(
                    {
                        **config,
                        rng.choice(["hidden_sizes", "conv_channels"]): [rng.choice([0, -3, 7, 10**6, 10**12, 2.5])]
                        * rng.randint(1, 40),
                        "latent_dim": rng.choice([config["latent_dim"], 0, 3, 10**9, "2", True]),
                        "architecture": rng.choice(["mlp", "conv", "transformer"]),
                        "image_shape": rng.choice([[8, 8], [28, 28], [8], [10**6, 10**6], [-8, 8], "8x8"]),
                    }
                )
            }
        ),
        lambda: metadata.update({NAMESPACE + "history": json.dumps([{"epoch": "one"}] * rng.randint(1, 5))}),
    ]
    rng.choice(lies)()
    if rng.random() < 0.1:
        metadata[key] = rng.choice([1, None, ["a"], {"b": 2}])  # safetensors requires strings here
    return metadata


def weights_corpus(valid: bytes, per_family: int = 100, seed: int = 0) -> Iterator[tuple[str, bytes]]:
    """(family, bytes) pairs, per_family of each family, from one valid weights file."""
    rng = random.Random(seed)
    header, body = split_safetensors(valid)
    names = _tensor_names(header)
    metadata = header["__metadata__"]

    def with_header(change: Callable[[Header], None]) -> bytes:
        copy = header
        while copy == header:  # a lie that happened to tell the truth (e.g. F32 -> F32) is drawn again
            copy = json.loads(json.dumps(header))
            change(copy)
        return join_safetensors(copy, body)

    def tensor(h: Header) -> dict:
        return h[rng.choice(names)]

    def random_shape() -> list[int]:
        return [rng.choice([0, 1, 3, 2**31, 2**62]) for _ in range(rng.randint(0, 4))]

    def overlap(h: Header) -> None:
        first, second = rng.sample(names, 2)
        h[second]["data_offsets"] = list(h[first]["data_offsets"])

    def values(kind: float) -> bytes:
        copy = bytearray(body)
        entry = header[rng.choice(names)]
        start, end = entry["data_offsets"]
        position = start + 4 * rng.randrange((end - start) // 4)
        copy[position : position + 4] = struct.pack("<f", kind)
        return join_safetensors(header, bytes(copy))

    def flips() -> bytes:
        copy = bytearray(valid)
        for _ in range(rng.randint(1, 8)):
            copy[rng.randrange(len(copy))] ^= 1 << rng.randrange(8)
        return bytes(copy)

    families: dict[str, Callable[[], bytes]] = {
        "random-bytes": lambda: rng.randbytes(rng.randint(0, 4096)),
        "truncated": lambda: valid[: rng.randrange(len(valid))],
        "huge-declared-header": lambda: join_safetensors(header, body, declared=rng.randint(len(valid), 2**64 - 1)),
        "small-declared-header": lambda: join_safetensors(header, body, declared=rng.randint(0, 200)),
        "header-not-json": lambda: join_safetensors(rng.randbytes(rng.randint(1, 300)), body),
        "overlapping-offsets": lambda: with_header(overlap),
        "offsets-out-of-range": lambda: with_header(
            lambda h: tensor(h).update({"data_offsets": [rng.randint(0, 2**40), rng.randint(0, 2**62)]})
        ),
        "wrong-dtype": lambda: with_header(lambda h: tensor(h).update({"dtype": rng.choice(DTYPES)})),
        "wrong-shape": lambda: with_header(lambda h: tensor(h).update({"shape": random_shape()})),
        "missing-or-extra-tensor": lambda: with_header(
            lambda h: h.pop(rng.choice(names)) if rng.random() < 0.5 else h.update({"intruder": dict(tensor(h))})
        ),
        "bad-metadata": lambda: with_header(lambda h: h.update({"__metadata__": _metadata_variants(rng, metadata)})),
        "nan-or-inf-weights": lambda: values(rng.choice([float("nan"), float("inf"), float("-inf")])),
        "bit-flips": flips,
    }
    for family, make in families.items():
        for _ in range(per_family):
            yield family, make()


def _encoded(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def digit_image(size: int = 64) -> Image.Image:
    """A white ring (a zero) on black: enough ink for the MNIST-style preparation."""
    yy, xx = np.mgrid[:size, :size]
    radius = np.hypot(yy - size / 2, xx - size / 2)
    return Image.fromarray(((abs(radius - size / 3) < size / 10) * 255).astype(np.uint8))


def png_bomb(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height gray pixels over one tiny zlib stream of zeros."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * min(width + 1, 1 << 16) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def ico_file(pictures: list[bytes], declared: list[tuple[int, int]] | None = None) -> bytes:
    """An ICO directory over the given PNG or bitmap payloads, declaring whatever sizes it is told (one byte each)."""
    declared = declared or [(64, 64)] * len(pictures)
    offset = 6 + 16 * len(pictures)
    directory = struct.pack("<HHH", 0, 1, len(pictures))
    for picture, (width, height) in zip(pictures, declared, strict=True):
        directory += struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(picture), offset)
        offset += len(picture)
    return directory + b"".join(pictures)


def dib_bomb(width: int, height: int) -> bytes:
    """An icon's bitmap (info header, no pixels) claiming width x height, height doubled for its mask."""
    return struct.pack("<IiiHHIIiiII", 40, width, 2 * height, 1, 32, 0, 0, 0, 0, 0, 0)


def container_corpus(seed: int = 0) -> Iterator[tuple[str, bytes]]:
    """Files that hold several pictures, or one picture behind a header that lies about it: icons, multi-page
    TIFFs, multi-picture JPEGs, animations, and container formats the page does not read."""
    rng = random.Random(seed)
    digit = digit_image()
    small_png = _encoded(digit)
    yield "ico-holding-huge-png", ico_file([png_bomb(9400, 9400)])
    yield "ico-holding-huge-bitmap", ico_file([dib_bomb(20_000, 20_000)])
    yield "valid-ico", _encoded(digit.convert("RGBA"), "ICO", sizes=[(64, 64), (32, 32)])
    yield "multi-page-tiff", _encoded(digit, "TIFF", save_all=True, append_images=[digit.rotate(90)])
    yield (
        "multi-picture-jpeg",
        _encoded(digit.convert("RGB"), "MPO", save_all=True, append_images=[digit.convert("RGB")]),
    )
    yield "animated-webp", _encoded(digit, "WEBP", save_all=True, append_images=[digit.rotate(90)])
    yield "icns", _encoded(digit.convert("RGBA").resize((128, 128)), "ICNS")
    yield "psd-like-container", b"8BPS" + rng.randbytes(200)
    for _ in range(20):  # icons with several pictures, one of them hidden far beyond the cap
        pictures = [small_png for _ in range(rng.randint(0, 3))]
        side = rng.choice([4097, 5000, 9400, 30_000, 65_535])
        pictures.insert(
            rng.randint(0, len(pictures)), png_bomb(side, side) if rng.random() < 0.5 else dib_bomb(side, side)
        )
        yield (
            "ico-with-one-huge-picture",
            ico_file(pictures, [(rng.randint(1, 255), rng.randint(1, 255))] * len(pictures)),
        )
    for _ in range(10):  # icons whose directory points outside the file or at junk
        count = rng.randint(1, 4)
        directory = struct.pack("<HHH", 0, 1, count) + b"".join(
            struct.pack("<BBBBHHII", 64, 64, 0, 0, 1, 32, rng.randint(0, 2**32 - 1), rng.randint(0, 2**32 - 1))
            for _ in range(count)
        )
        yield "ico-bad-directory", directory + rng.randbytes(rng.randint(0, 64))
    for _ in range(10):
        pages = [digit.resize((rng.randint(8, 300), rng.randint(8, 300))) for _ in range(rng.randint(2, 5))]
        yield "multi-page-tiff-sizes", _encoded(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    for _ in range(10):
        frames = [digit.rotate(angle) for angle in rng.sample(range(10, 350, 10), rng.randint(2, 4))]
        fmt = rng.choice(["GIF", "PNG", "WEBP"])
        yield f"animated-{fmt.lower()}-frames", _encoded(frames[0], fmt, save_all=True, append_images=frames[1:])
    for _ in range(10):
        yield "gif-frame-beyond-screen", gif_with_frame(rng.choice([5000, 9400, 60_000]), rng.choice([8, 64, 4000]))


def gif_with_frame(frame_side: int, screen_side: int) -> bytes:
    """A GIF whose logical screen is small and whose one frame claims frame_side x frame_side pixels."""
    header = b"GIF89a" + struct.pack("<HHBBB", screen_side, screen_side, 0x80, 0, 0) + b"\x00" * 3 + b"\xff" * 3
    frame = b"," + struct.pack("<HHHHB", 0, 0, frame_side, frame_side, 0) + b"\x02\x02\x44\x01\x00"
    return header + frame + b";"


def image_corpus(seed: int = 0) -> Iterator[tuple[str, bytes]]:
    """(case, bytes) for the traps named in the issue, plus seeded truncations and bit flips of real images."""
    yield from _image_cases(seed)


@functools.cache
def _image_cases(seed: int) -> tuple[tuple[str, bytes], ...]:  # built once per test process: several tests read it
    return tuple(_generate_images(seed))


def _generate_images(seed: int) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    digit = digit_image()
    frames = [digit, digit.rotate(90)]
    yield "not-an-image", b"this is a text file, not a picture"
    yield "empty", b""
    yield "decompression-bomb", png_bomb(50_000, 50_000)
    yield "decompression-bomb-over-pillow-limit", png_bomb(200_000, 200_000)
    yield "1x1", _encoded(Image.new("L", (1, 1), 255))
    yield "10000x10000", _encoded(Image.new("L", (10_000, 10_000)))
    yield "palette", _encoded(digit.convert("P"))
    yield "palette-with-transparency", _encoded(ImageOps.invert(digit).convert("P"), transparency=255)
    yield "16-bit", _encoded(Image.fromarray(np.asarray(digit, dtype=np.uint16) * 257))
    yield "32-bit-int", _encoded(Image.fromarray(np.asarray(digit, dtype=np.int32)), "TIFF")
    yield "float", _encoded(Image.fromarray(np.asarray(digit, dtype=np.float32)), "TIFF")
    yield "animated-gif", _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    yield "animated-png", _encoded(frames[0], "PNG", save_all=True, append_images=frames[1:])
    yield "cmyk-jpeg", _encoded(digit.convert("CMYK"), "JPEG")
    yield "1-bit", _encoded(digit.convert("1"))
    yield "lab-tiff", _encoded(digit.convert("RGB").convert("LAB"), "TIFF")
    black = Image.new("L", digit.size)
    yield "rgba-transparent", _encoded(Image.merge("RGBA", [black, black, black, digit]))  # black ink on nothing
    yield "blank", _encoded(Image.new("L", (64, 64)))
    yield "very-wide", _encoded(digit.resize((4000, 64)))
    valid = {
        "png": _encoded(digit),
        "jpeg": _encoded(digit, "JPEG"),
        "gif": _encoded(digit, "GIF"),
        "bmp": _encoded(digit, "BMP"),
        "webp": _encoded(digit, "WEBP"),
        "tiff": _encoded(digit, "TIFF"),
    }
    for name, data in valid.items():
        yield f"valid-{name}", data
        for _ in range(15):
            yield f"truncated-{name}", data[: rng.randrange(len(data))]
        for _ in range(15):
            copy = bytearray(data)
            for _ in range(rng.randint(1, 6)):
                copy[rng.randrange(len(copy))] ^= 1 << rng.randrange(8)
            yield f"bit-flipped-{name}", bytes(copy)
    yield from container_corpus(seed)


# Issue 14, classes 1-7: files that pass the framing checks but lie in ways that reach the CLI and the pages.

RAW = "\x00raw\x00"  # a placeholder that json.dumps writes as one string, swapped for a raw token afterwards
HUGE_INT = "1" + "0" * 5000  # valid JSON, but more digits than Python converts to int by default
INSANE_NUMBERS = (HUGE_INT, "9" * 25, "NaN", "Infinity", "-Infinity", "1e999")
NUMBER_FIELDS: dict[str, tuple[tuple[str | int, ...], ...]] = {
    "model_config": (("latent_dim",), ("image_shape", 0)),
    "image_shape": ((1,),),
    "training": tuple((name,) for name in ("epochs", "batch_size", "learning_rate", "beta", "kl_warmup_epochs",
                                           "augment", "input_noise", "seed", "val_fraction", "split_seed")),
    "dataset": (("n_train",), ("n_val",), ("val_fraction",), ("split_seed",)),
    "final_metrics": (("reconstruction",), ("kl",), ("neg_elbo",), ("n_images",)),
    "history": tuple((0, name) for name in ("epoch", "beta", "train_reconstruction", "train_kl", "train_total",
                                            "val_reconstruction", "val_kl", "val_total", "seconds")),
}  # fmt: skip
COUNTS = {"latent_dim", "epochs", "batch_size", "kl_warmup_epochs", "seed", "split_seed", "n_train", "n_val",
          "n_images", "epoch"}  # fmt: skip
MARKDOWN_PAYLOADS = (
    "![x](http://evil.example/pixel.png)",
    "[click here](http://evil.example/phish)",
    "<http://evil.example/auto>",
    "https://evil.example/bare",
    "see www.evil.example now",
    "mail victim@evil.example",
    "<img src='http://evil.example/tag.png'>",
    "[ref][r]\n\n[r]: http://evil.example/ref",
    ":red[**warning**] ![i](http://evil.example/i.png)",
    "`code` *em* __strong__ # heading $x$ :material/home:",
)
CONTROL_PAYLOADS = (
    "\x1b[2J\x1b[H", "\x1b]0;pwned title\x07", "\x1b[31mWARNING: disk failing\x1b[0m", "\r" + " " * 40 + "\r",
    "\x07\x07\x07", "\x08\x08\x08\x08rm -rf", "\x1b[8mhidden\x1b[28m", "\x9b31m", "tab\there\x0bvt\x0cff", "\x00nul",
)  # fmt: skip
DATASET_PATHS = (
    "/", "/etc", "/tmp", "/root", "/proc/self", "..", "../..", "../../../etc", "~", "~/.ssh", "weights", "samples",
    ".", "/usr/share/datasets/fashion-mnist", "/usr/share/datasets", "/nonexistent/folder", "mnist-5k/../..",
    "./digits", "digits/", "file:///etc",
)  # fmt: skip


def with_metadata(valid: bytes, **changes: str) -> bytes:
    """The valid file with some ae_models.* metadata values replaced by the given (already serialised) strings."""
    header, body = split_safetensors(valid)
    header["__metadata__"].update({NAMESPACE + key: value for key, value in changes.items()})
    return join_safetensors(header, body)


def metadata_value(valid: bytes, key: str) -> object:
    return json.loads(split_safetensors(valid)[0]["__metadata__"][NAMESPACE + key])


def _with_raw(value: object, path: tuple[str | int, ...], token: str) -> str:
    """value as JSON with the item at path replaced by a raw token (NaN, 1e999, thousands of digits)."""
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = RAW
    return json.dumps(copy).replace(json.dumps(RAW), token)


def with_field(valid: bytes, key: str, field: str, value: object) -> bytes:
    """The valid file with one field of one JSON metadata record changed."""
    record = metadata_value(valid, key)
    assert isinstance(record, dict)
    return with_metadata(valid, **{key: json.dumps({**record, field: value})})


def insane_metadata_corpus(valid: bytes) -> Iterator[tuple[str, bytes]]:
    """Class 1: every number of the metadata as huge, non-finite or negative; every kind of string as megabytes."""
    for key, paths in NUMBER_FIELDS.items():
        value = metadata_value(valid, key)
        for path in paths:
            for token in INSANE_NUMBERS + (("-1",) if path[-1] in COUNTS else ()):
                case = f"{key}.{'.'.join(map(str, path))}={token[:10]}"
                yield case, with_metadata(valid, **{key: _with_raw(value, path, token)})
    megabytes = "A" * 3_000_000
    for key in ("kind", "created", "format_version"):
        yield f"{key}=3MB", with_metadata(valid, **{key: megabytes})
    for key, field in (("dataset", "name"), ("training", "lr_schedule"), ("model_config", "activation")):
        yield f"{key}.{field}=3MB", with_field(valid, key, field, megabytes)


def _file_of(trained: TrainedModel, model: Autoencoder, dataset: str | None = None) -> bytes:
    info = trained.dataset if dataset is None else replace(trained.dataset, name=dataset)
    return weights_bytes(replace(trained, network=model, dataset=info))


def mismatched_size_corpus(trained: TrainedModel) -> Iterator[tuple[str, bytes]]:
    """Class 3: models whose declared images are not their dataset's (digits are 8x8, mnist-5k 28x28)."""
    for dataset, shapes in (("digits", ((4, 4), (16, 16), (28, 28), (32, 32), (8, 16), (16, 8))),
                            ("mnist-5k", ((8, 8), (32, 32), (14, 14), (56, 56)))):  # fmt: skip
        for shape in shapes:
            for kind in ("ae", "vae"):
                torch.manual_seed(0)
                model = build_model(replace(trained.config, kind=kind, image_shape=shape))
                yield f"{dataset}-as-{shape[0]}x{shape[1]}-{kind}", _file_of(trained, model, dataset)


def overflowing_corpus(trained: TrainedModel) -> Iterator[tuple[str, bytes]]:
    """Classes 3 and 7: finite float32 weights whose forward pass overflows to inf/NaN (one matrix near float32's
    maximum, all one sign or alternating)."""
    for name, tensor in trained.network.state_dict().items():
        if not name.endswith("weight"):
            continue
        alternating = (torch.arange(tensor.numel()) % 2 * 2 - 1).reshape(tensor.shape).to(tensor.dtype)
        for scale in (1e38, 3e38):
            for pattern_name, pattern in (("positive", torch.ones_like(tensor)), ("alternating", alternating)):
                model = deepcopy(trained.network)
                model.state_dict()[name].copy_(pattern * scale)
                yield f"overflow-{name}-{scale:g}-{pattern_name}", _file_of(trained, model)


def markdown_corpus(valid: bytes) -> Iterator[tuple[str, bytes]]:
    """Class 4: metadata strings (format version, kind, dataset name) that are Markdown with links and images."""
    for index, payload in enumerate(MARKDOWN_PAYLOADS):
        yield f"markdown-format-version-{index}", with_metadata(valid, format_version=payload)
        yield f"markdown-kind-{index}", with_metadata(valid, kind=payload)
        yield f"markdown-dataset-{index}", with_field(valid, "dataset", "name", payload)


def control_character_corpus(valid: bytes) -> Iterator[tuple[str, bytes]]:
    """Class 5: terminal escape sequences in the strings `info` prints (creation date, dataset name)."""
    for index, payload in enumerate(CONTROL_PAYLOADS):
        yield f"control-created-{index}", with_metadata(valid, created=f"2026-01-01{payload}")
        yield f"control-dataset-{index}", with_field(valid, "dataset", "name", f"digits{payload}")


def dataset_path_corpus(valid: bytes) -> Iterator[tuple[str, bytes]]:
    """Class 6: a model naming a server folder (or a near-miss of a known name) as its dataset."""
    for index, path in enumerate(DATASET_PATHS):
        yield f"dataset-path-{index}", with_field(valid, "dataset", "name", path)


# the message each image trap is refused with (a part of it): one expectation for the loader and the pages
IMAGE_REFUSALS = {"not-an-image": "not an image", "empty": "not an image", "decompression-bomb": "at most 4096x4096",
                  "decompression-bomb-over-pillow-limit": "at most 4096x4096", "1x1": "at least 8x8",
                  "10000x10000": "at most 4096x4096", "animated-gif": "animated", "animated-png": "animated",
                  "32-bit-int": "8-bit", "float": "8-bit", "blank": "blank",
                  "ico-holding-huge-png": "picture of 9400x9400", "ico-holding-huge-bitmap": "picture of 20000x20000",
                  "multi-page-tiff": "multi-page", "multi-picture-jpeg": "2 pictures", "animated-webp": "animated",
                  "icns": "not an image", "psd-like-container": "not an image"}  # fmt: skip
