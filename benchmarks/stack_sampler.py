"""Where a loaded server's threads spend their time: a sampling profiler put in by benchmarks/server_hooks when
AE_STACK_SAMPLES names a file (`protocol_load.py --profile FILE`), never by `make run`.

Every few milliseconds it reads every thread's Python stack (sys._current_frames) and counts, per kind of thread
(script runs, the server's event loop, the rest), the functions on the stack (inclusive), the innermost one (self)
and the innermost frames of whole stacks (who calls what). cProfile sees one thread; a server under load runs
dozens of scripts at once, so sampling is what shows where the GIL goes. The counts are rewritten to the file
every few seconds, so a server stopped with SIGKILL still leaves them; they start again from zero when a file
named like it plus ".reset" appears (the load test makes it at the end of its warm-up).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from pathlib import Path

INTERVAL_S = 0.005
WRITE_EVERY_S = 5.0
SHOWN = 45
STACK_DEPTH = 8  # innermost frames kept of each sampled stack, for the section that shows who calls what


def _kind(thread_name: str) -> str:
    if thread_name.startswith("ScriptRunner"):
        return "script runs"
    if thread_name == "MainThread":
        return "main thread (event loop, websockets)"
    return "other threads"


def _where(frame) -> str:
    code = frame.f_code
    return f"{'/'.join(Path(code.co_filename).parts[-2:])}:{code.co_firstlineno} {code.co_name}"


def _report(samples: Counter, counts: dict[str, dict[str, Counter]], seconds: float) -> str:
    lines = [f"{seconds:.0f} s sampled every {INTERVAL_S * 1000:g} ms; share of each kind's samples"]
    for kind, total in samples.most_common():
        lines.append(f"\n== {kind}: {total} samples")
        for title, counted in counts[kind].items():
            lines.append(f"-- {title}")
            lines += [f"{count / total:7.1%}  {where}" for where, count in counted.most_common(SHOWN)]
    return "\n".join(lines) + "\n"


def _sample(path: Path) -> None:
    me = threading.get_ident()
    samples, counts = Counter(), {}
    started = last_write = time.monotonic()
    reset = path.with_name(path.name + ".reset")
    while True:
        time.sleep(INTERVAL_S)
        names = {thread.ident: thread.name for thread in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            kind = _kind(names.get(ident, ""))
            samples[kind] += 1
            stack = []
            while frame is not None:
                stack.append(_where(frame))
                frame = frame.f_back
            counted = counts.setdefault(kind, {title: Counter() for title in ("inclusive", "innermost", "stacks")})
            counted["inclusive"].update(set(stack))
            counted["innermost"][stack[0]] += 1
            counted["stacks"]["\n           <- ".join(stack[:STACK_DEPTH])] += 1
        if time.monotonic() - last_write >= WRITE_EVERY_S:
            last_write = time.monotonic()
            if reset.exists():
                reset.unlink()
                samples, counts, started = Counter(), {}, last_write
            path.write_text(_report(samples, counts, last_write - started))


def start(path: str | Path) -> None:
    threading.Thread(target=_sample, args=(Path(path),), name="stack-sampler", daemon=True).start()
