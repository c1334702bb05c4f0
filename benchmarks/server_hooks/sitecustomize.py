"""Put on the dashboard server's PYTHONPATH by the load tests (benchmarks/load_test.py, protocol_load.py), never by
`make run`: logs rerun timing and held sessions inside the server (dashboard/rerun_timing.py), and samples its
threads' stacks when asked (benchmarks/stack_sampler.py)."""

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
