"""Put on the dashboard server's PYTHONPATH by the load tests (benchmarks/load_test.py, protocol_load.py), never by
`make run`: logs rerun timing and held sessions inside the server (dashboard/rerun_timing.py), and samples its
threads' stacks (benchmarks/stack_sampler.py) or traces its allocations (benchmarks/memory_sampler.py) when
asked."""

from __future__ import annotations

import contextlib
import os

if os.environ.get("AE_RERUN_LOG"):
    from dashboard.rerun_timing import UnsupportedStreamlit, install

    # on an unsupported Streamlit the hook logs why (the load test reports it); the server runs on, unmeasured
    with contextlib.suppress(UnsupportedStreamlit):
        install(os.environ["AE_RERUN_LOG"])

if os.environ.get("AE_STACK_SAMPLES"):
    from benchmarks.stack_sampler import start

    start(os.environ["AE_STACK_SAMPLES"])

if os.environ.get("AE_MEMORY_SAMPLES"):
    from benchmarks.memory_sampler import start as trace_memory

    trace_memory(os.environ["AE_MEMORY_SAMPLES"])
