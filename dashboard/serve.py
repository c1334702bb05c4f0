"""`latent-explorer [streamlit flags] [-- --weights-dir DIR]` (or `python -m dashboard.serve ...` in a checkout):
the dashboard, quick to first paint.

Weights come from --weights-dir, else $AE_DASHBOARD_WEIGHTS, else the checkout's weights/ folder; maps computed
for models without one go to $AE_DASHBOARD_CACHE (default: the checkout's cache/). Streamlit flags such as
--server.port 8502 pass through (`streamlit run --help` lists them).

Same as `streamlit run dashboard/app.py`, except that torch, Plotly and the dashboard's own modules are imported
in a background thread while the server starts and the browser loads the page, instead of inside the first
visitor's script run; and the HTML page tells the browser where the app's root is, so that a deep link such as
/latent-map loads without 404s (dashboard/deep_links.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dashboard.deep_links import DeepLinkBase
from dashboard.page_list import PAGES

APP = Path(__file__).resolve().parent / "app.py"
# ae_models.anomaly brings scikit-learn's metrics (about a second to import)
WARM_MODULES = (
    "torch",
    "plotly.graph_objects",
    "ae_models.library",
    "ae_models.anomaly",
    "dashboard.picker",
    "dashboard.figures",
)


def _one_thread_per_script() -> None:
    """One intra-op thread for every torch call of every script run, set before torch (and OpenMP) load.

    Sessions run their scripts in parallel threads, a new thread per run. torch.set_num_threads(1) holds only in
    the thread that calls it: OpenMP gives every new thread the process's initial team size (one thread per core),
    so each run's first convolution started a team of two whose workers spin while they wait. On a busy machine
    that cost 20-60 ms of CPU (and 100-300 ms of wall time) per rerun, where the same reconstruction takes 2 ms
    (benchmarks/rerun_cpu.py). OMP_NUM_THREADS is the initial team size, so it holds in every thread; an operator's
    own setting is kept. The live-training worker inherits it and sets its own count (ae_models/live/worker.py)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _warm_imports() -> None:
    for name in WARM_MODULES:
        importlib.import_module(name)
    import torch

    torch.set_num_threads(1)  # the warming thread's own count (every other thread's: _one_thread_per_script)
    gc.freeze()  # the libraries' 300,000 objects are never garbage: a full collection skips them (_steady_memory)


M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2
COLLECT_EVERY_S = 10.0


def _steady_memory() -> None:
    """Keep the server's memory flat under many sessions.

    Every rerun leaves its page's whole namespace (tensors, pictures, figures) as cyclic garbage (the page's
    functions refer back to it), which only a full collection frees; Streamlit's runner.postScriptGC would force
    one after every run, at 150-200 ms each with torch loaded (it is off), so such garbage piled up between Python's
    rare full collections. So the imported libraries' objects are frozen once imported (see _warm_imports), which
    makes a full collection take milliseconds, and one runs every 10 s. glibc (where there is one) keeps two malloc
    arenas rather than up to 8 per core for the many script threads, and hands freed pages back to the system after
    each collection. (The 60 % growth in 5 minutes of 50 sessions was mostly widget callbacks keeping namespaces
    alive: see session.remember_clicked_row.)"""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    glibc = libc is not None and hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")
    if glibc:
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)

    def collect() -> None:
        while True:
            time.sleep(COLLECT_EVERY_S)
            gc.collect()
            if glibc:
                libc.malloc_trim(0)

    threading.Thread(target=collect, name="collect-garbage", daemon=True).start()


def _with_deep_links(create_app: Callable) -> Callable:
    """Streamlit's app factory plus DeepLinkBase, innermost, so it sees the page before it is compressed."""
    from starlette.middleware import Middleware

    def create(runtime: object) -> object:
        app = create_app(runtime)
        app.user_middleware.append(Middleware(DeepLinkBase, page_paths=[page.url_path for page in PAGES]))
        return app

    return create


def main() -> None:
    own_flags = sys.argv[1 : sys.argv.index("--")] if "--" in sys.argv else sys.argv[1:]
    if {"-h", "--help"} & set(own_flags):
        print(__doc__)
        return
    _steady_memory()  # before any other thread starts
    _one_thread_per_script()  # before torch is imported
    threading.Thread(target=_warm_imports, name="warm-imports", daemon=True).start()
    from streamlit.web import cli
    from streamlit.web.server.starlette import starlette_server

    starlette_server.create_starlette_app = _with_deep_links(starlette_server.create_starlette_app)

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
