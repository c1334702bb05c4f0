"""Plain functions behind the pages that AppTest cannot reach directly."""

import io
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
from PIL import Image

from dashboard.imaging import gif_bytes, png_bytes, tile, to_uint8, upscale
from dashboard.session import rows_from_event
from dashboard.settings import weights_dir

from .conftest import REPO_ROOT


def test_tile_lays_images_out_row_by_row() -> None:
    images = torch.zeros(5, 4, 3)
    images[3] = 1.0
    picture = tile(images, columns=2, pad=1)
    assert picture.shape == (3 * 5 + 1, 2 * 4 + 1)
    row, col = divmod(3, 2)
    assert (picture[1 + row * 5 : 1 + row * 5 + 4, 1 + col * 4 : 1 + col * 4 + 3] == 255).all()
    assert picture[0, 0] == 96  # the grey gap


def test_upscale_and_uint8_conversion() -> None:
    image = torch.tensor([[0.0, 1.0], [0.5, 2.0]])
    assert to_uint8(image.unsqueeze(0))[0].tolist() == [[0, 255], [128, 255]]
    assert upscale(image, 3).shape == (6, 6)


def test_png_and_gif_decode_back() -> None:
    picture = tile(torch.rand(4, 8, 8), columns=4)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png_bytes(picture)))), picture)
    frames = [np.full((8, 8), value, dtype=np.uint8) for value in (0, 100, 200)]
    gif = Image.open(io.BytesIO(gif_bytes(frames)))
    assert gif.n_frames == 4  # forward, then back without repeating the ends
    assert gif.info["loop"] == 0


def test_selection_rows_come_from_customdata_not_trace_indices() -> None:
    event = SimpleNamespace(
        selection=SimpleNamespace(
            points=[{"curve_number": 3, "point_index": 0, "customdata": [412]}, {"customdata": 17}, {"x": 1}]
        )
    )
    assert rows_from_event(event) == [412, 17]
    assert rows_from_event(None) == []


def test_weights_dir_from_flag_then_environment(monkeypatch) -> None:
    monkeypatch.setenv("AE_DASHBOARD_WEIGHTS", "/from/env")
    assert weights_dir(["--weights-dir", "/from/flag"]) == Path("/from/flag")
    assert weights_dir([]) == Path("/from/env")
    monkeypatch.delenv("AE_DASHBOARD_WEIGHTS")
    assert weights_dir([]).name == "weights"


def test_map_table_csv_has_a_row_per_image_with_codes_and_positions() -> None:
    import csv

    from ae_models.latent_maps import LatentMap
    from ae_models.samples import draw_sample
    from dashboard.exports import map_table_csv

    sample = draw_sample("digits", size=50)
    latent_map = LatentMap(torch.randn(50, 2), torch.randn(50, 3), torch.randn(50, 3), "umap", "x" * 64, "digits")
    rows = list(csv.DictReader(io.StringIO(map_table_csv(latent_map, sample).decode())))
    assert len(rows) == 50
    assert list(rows[0]) == ["row", "pool_index", "class", "held_out", "map_x", "map_y", "z1", "z2", "z3",
                             "logvar1", "logvar2", "logvar3"]  # fmt: skip
    assert float(rows[7]["z2"]) == round(latent_map.codes[7, 1].item(), 5)


def test_per_model_computes_once_per_weights_and_input_values() -> None:
    from dashboard.resources import per_model

    calls = []

    def score(network: object, images: torch.Tensor, mode: str) -> torch.Tensor:
        calls.append((network, mode))
        return images.flatten(1).sum(dim=1)

    first = SimpleNamespace(sha256="a" * 64, network="net-a")
    other = SimpleNamespace(sha256="b" * 64, network="net-b")
    images = torch.rand(3, 4, 4)
    result = per_model(first, score, images, "x")
    assert torch.equal(result, images.flatten(1).sum(dim=1)) and calls == [("net-a", "x")]
    assert per_model(first, score, images.clone(), "x") is result  # equal values, another tensor: cached
    per_model(first, score, images + 1, "x")  # other values
    per_model(first, score, images, "y")  # other string input
    per_model(first, score, images.reshape(3, 16), "x")  # same bytes, other shape
    per_model(other, score, images, "x")  # other weights
    assert calls == [("net-a", "x"), ("net-a", "x"), ("net-a", "y"), ("net-a", "x"), ("net-b", "x")]
    images.mul_(3)  # the very tensor written in place: the digest remembered for it must not hide the new values
    assert torch.equal(per_model(first, score, images, "x"), images.flatten(1).sum(dim=1)) and len(calls) == 6


def test_the_server_collects_a_reruns_cyclic_garbage_without_a_collection_per_run() -> None:
    """A rerun's page namespace is cyclic garbage (its functions refer back to it) that only a full collection
    frees; Streamlit's per-run collection is off (too slow with torch), so the server collects on a timer."""
    probe = """
import gc, sys, time, weakref
import dashboard.serve as serve
gc.disable()  # only the server's own timer may collect
serve.COLLECT_EVERY_S = 0.1
serve._steady_memory()
class Namespace: pass
page = Namespace()
page.itself = page  # a cycle, as a page's functions make with its globals
alive = weakref.ref(page)
del page
time.sleep(1.0)
sys.exit(0 if alive() is None else 1)
"""
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-2000:] or "the cycle was never collected"


def test_a_script_threads_first_convolution_starts_no_thread_team() -> None:
    """Each rerun runs in a new thread; its torch calls must use one thread, as torch.set_num_threads(1) in another
    thread does not ensure (OpenMP started a spinning team of one thread per core: 20-60 ms CPU per rerun)."""
    probe = """
import os, sys, threading
os.environ.pop("OMP_NUM_THREADS", None)
import dashboard.serve as serve
serve._one_thread_per_script()
import torch
torch.set_num_threads(1)  # as the server's warming thread does
conv = torch.nn.Conv2d(1, 32, 4, 2, 1)
started = []
def rerun():
    before = len(os.listdir("/proc/self/task"))
    with torch.no_grad():
        conv(torch.rand(1, 1, 28, 28))
    started.append(len(os.listdir("/proc/self/task")) - before)
for _ in range(3):
    thread = threading.Thread(target=rerun)
    thread.start()
    thread.join()
sys.exit(0 if started == [0, 0, 0] else f"threads started by each run's first convolution: {started}")
"""
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
