"""What a loaded server's memory grows by: Python's own allocation tracer (tracemalloc) put in by
benchmarks/server_hooks when AE_MEMORY_SAMPLES names a file (`protocol_load.py --memory FILE`), never by
`make run`.

RSS says that a server grew, not what holds the growth. When a file named like it plus ".reset" appears (the load
test makes it at the end of its warm-up), this starts tracing every allocation that goes through Python's
allocators (objects, NumPy arrays, bytes; not torch's tensor storage, not glibc's own bookkeeping) with the
innermost frames of where it was made, and every half minute writes what of it is still held after a full
collection, largest first: what a cache that fills, or records a session keeps and never frees, hold by where
they were made. Beside it, Streamlit's own accounts at the reset and now (what /_stcore/metrics serves: entries of
each st.cache_resource function, bytes of session states, media files and uploads), which also count what the
tracer cannot see, such as cached tensors. Tracing slows every allocation several times over, so it starts only
with the steady window: use it to find growth, never for latency figures.
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from pathlib import Path

FRAMES = 12  # innermost frames kept per allocation: deep enough to get from Streamlit's internals to the page
WRITE_EVERY_S = 30.0
SHOWN = 30


def _snapshot() -> tracemalloc.Snapshot:
    """What is held after a full collection (the server runs one every 10 s anyway), minus the tracer's own."""
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])


def _accounts() -> dict[str, int]:
    """Streamlit's cache_memory_bytes stats by (category, cache); empty before its runtime exists."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.stats import CACHE_MEMORY_FAMILY

    if not Runtime.exists():
        return {}
    stats = Runtime.instance().stats_mgr.get_stats([CACHE_MEMORY_FAMILY]).get(CACHE_MEMORY_FAMILY, [])
    return {f"{stat.category_name} {stat.cache_name}": stat.byte_length for stat in stats}


def _report(held: tracemalloc.Snapshot, accounts: dict[str, int], seconds: float) -> str:
    statistics = held.statistics("traceback")
    lines = [
        f"{seconds:.0f} s since the reset: {sum(s.size for s in statistics) / 2**20:.2f} MiB allocated since then and "
        f"still held; the {SHOWN} largest by where they were allocated (innermost frame last)"
    ]
    for statistic in statistics[:SHOWN]:
        lines.append(f"\n{statistic.size / 2**20:.3f} MiB in {statistic.count} blocks")
        lines += [f"    {frame.filename}:{frame.lineno}" for frame in reversed(statistic.traceback)]
    lines.append("\nStreamlit's accounts (st.cache_resource: entries; the rest: bytes), at the reset -> now")
    current = _accounts()
    lines += [
        f"  {name}: {accounts.get(name, 0):,} -> {current.get(name, 0):,}" for name in sorted({*accounts, *current})
    ]
    return "\n".join(lines) + "\n"


def _sample(path: Path) -> None:
    reset = path.with_name(path.name + ".reset")
    while not reset.exists():
        time.sleep(1.0)
    reset.unlink()
    gc.collect()
    accounts, started = _accounts(), time.monotonic()
    tracemalloc.start(FRAMES)
    while True:
        time.sleep(WRITE_EVERY_S)
        path.write_text(_report(_snapshot(), accounts, time.monotonic() - started))


def start(path: str | Path) -> None:
    threading.Thread(target=_sample, args=(Path(path),), name="memory-sampler", daemon=True).start()
