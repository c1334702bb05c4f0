"""Peak memory of a piece of work, measured in a fresh Python process.

The suite's own process has its lifetime peak (ru_maxrss) set by whatever ran before, so a bound computed there
can hardly fail. Here the work runs alone, after imports and set-up: the kernel's high-water mark of resident
memory is reset to the current size just before it (Linux: `5` to /proc/self/clear_refs), so the peak read after
it is the work's own.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from .conftest import REPO_ROOT

_RUNNER = """
def _resident_kib(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

{setup}
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = _resident_kib("VmRSS")
{work}
print(_resident_kib("VmHWM") - before)
"""


def peak_growth_mib(setup: str, work: str, timeout: float = 600) -> float:
    """MiB the process's peak rose above its size before `work` ran; `setup` (imports, inputs) is not counted."""
    script = _RUNNER.format(setup=textwrap.dedent(setup), work=textwrap.dedent(work))
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return int(out.stdout.split()[-1]) / 1024
