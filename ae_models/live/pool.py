"""The server's live trainings: at most `limit` worker processes at once, a first-come queue for the rest, and
every run's lifetime tied to its owner (a session) and to the server itself.

A run is a spawned process (a fresh interpreter: no forked server threads, and cancelling it frees its memory),
with one pipe for commands and one for messages; a thread per run files the messages in the run as they come.
One spare process is kept started and waiting (torch imported, the usual datasets read), so Start trains at once
instead of after seconds of imports; the next spare starts once that run's first epoch is in."""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Literal

from .records import Adjust, Command, EpochSnapshot, LiveSettings, RunEnded, RunStarted
from .worker import PRELOADED, run_worker

LIMIT_ENV = "AE_LIVE_TRAININGS"
JOIN_SECONDS = 5.0
FIRST_EPOCH_WAIT_SECONDS = 3.0  # how long the page's Start waits for epoch 1 before it falls back to polling
RunState = Literal["queued", "starting", "running", "paused", "ended"]


def default_limit() -> int:
    """$AE_LIVE_TRAININGS, else one training per core but one, at least 1: a core stays free for the pages."""
    configured = os.environ.get(LIMIT_ENV, "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class Worker:
    """A started training process and its two pipe ends."""

    process: multiprocessing.process.BaseProcess
    commands: Connection
    events: Connection


@dataclass(eq=False)
class LiveRun:
    """One visitor's run as the server sees it: what was asked, what has come back so far, and how to steer it."""

    settings: LiveSettings
    pool: TrainingPool
    submitted: float = field(default_factory=time.monotonic)
    started: RunStarted | None = None
    snapshots: list[EpochSnapshot] = field(default_factory=list)
    first_epoch_seconds: float | None = None  # from submission to the first snapshot filed
    ended: RunEnded | None = None
    paused: bool = False
    process: multiprocessing.process.BaseProcess | None = None
    _commands: Connection | None = None
    _finished: threading.Event = field(default_factory=threading.Event)  # its process is reaped, its slot free
    _filed: threading.Condition = field(default_factory=threading.Condition)  # notified on each message filed

    @property
    def state(self) -> RunState:
        if self.ended is not None:
            return "ended"
        if self.process is None:
            return "queued"
        if self.started is None:
            return "starting"
        return "paused" if self.paused else "running"

    @property
    def queue_place(self) -> int | None:
        """1 for the next run to start, None once started."""
        return self.pool.queue_place(self)

    def wait_for_epochs(self, count: int, timeout: float | None = None) -> bool:
        """Block until `count` epochs are filed or the run ended (True), or `timeout` seconds passed (False;
        default FIRST_EPOCH_WAIT_SECONDS): a page draws an epoch the moment it arrives instead of at its next poll."""
        with self._filed:
            return self._filed.wait_for(
                lambda: len(self.snapshots) >= count or self.ended is not None,
                FIRST_EPOCH_WAIT_SECONDS if timeout is None else timeout,
            )

    def _send(self, command: Command) -> None:
        if self._commands is not None and self.ended is None:
            with contextlib.suppress(OSError):  # the process just ended: its last message says why
                self._commands.send(command)

    def adjust(self, beta: float, learning_rate: float) -> None:
        """From the next epoch on (checked here first: a bad value is the caller's LiveSettingsError)."""
        self.settings.check_change(beta, learning_rate)
        self._send(Adjust(beta, learning_rate))

    def pause(self) -> None:
        self.paused = True
        self._send("pause")

    def resume(self) -> None:
        self.paused = False
        self._send("resume")

    def stop(self) -> None:
        """End after the current epoch, keeping everything trained so far (a queued run just leaves the queue)."""
        if not self.pool.dequeue(self, "stopped before it started"):
            self.paused = False
            self._send("stop")

    def cancel(self) -> None:
        """End now, keeping nothing: the owner is gone."""
        self.pool.cancel(self)

    def _file(self, message: object) -> None:
        with self._filed:
            if isinstance(message, EpochSnapshot):
                if not self.snapshots:
                    self.first_epoch_seconds = time.monotonic() - self.submitted
                self.snapshots.append(message)
            elif isinstance(message, RunStarted):
                self.started = message
            elif isinstance(message, RunEnded):
                self.ended = message
            self._filed.notify_all()


class TrainingPool:
    """The server-wide limit and queue. Each worker trains with `threads` torch threads; a waiting one reads the
    `preload` datasets before it is asked."""

    def __init__(self, limit: int | None = None, threads: int = 1, preload: tuple[str, ...] = PRELOADED) -> None:
        self.limit = limit or default_limit()
        self.threads = threads
        self.preload = preload
        self._lock = threading.Lock()
        self._queue: deque[LiveRun] = deque()
        self._active: set[LiveRun] = set()
        self._context = multiprocessing.get_context("spawn")
        self._spare: Worker | None = None
        self._closed = False
        atexit.register(self.shutdown)  # before interpreter exit; the workers also watch for their parent's end
        with self._lock:
            self._keep_spare()

    def submit(self, settings: LiveSettings) -> LiveRun:
        run = LiveRun(settings, self)
        with self._lock:
            self._queue.append(run)
        self._start_waiting()
        return run

    def queue_place(self, run: LiveRun) -> int | None:
        with self._lock:
            return self._queue.index(run) + 1 if run in self._queue else None

    @property
    def active(self) -> int:
        with self._lock:
            return len(self._active)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._queue)

    def _start_waiting(self) -> None:
        with self._lock:
            while not self._closed and self._queue and len(self._active) < self.limit:
                run = self._queue.popleft()
                self._active.add(run)
                self._spawn(run)

    def _new_worker(self) -> Worker:
        commands_out, commands_in = self._context.Pipe(duplex=False)
        events_out, events_in = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=run_worker,
            args=(commands_out, events_in, self.threads, self.preload),
            name="live-training",
            daemon=True,
        )
        process.start()
        commands_out.close()
        events_in.close()
        return Worker(process, commands_in, events_out)

    def _keep_spare(self) -> None:
        """(Under the lock.) Start a waiting worker unless one waits already or the pool is closed."""
        if self._spare is None and not self._closed:
            self._spare = self._new_worker()

    def _spawn(self, run: LiveRun) -> None:
        spare = self._spare if self._spare is not None and self._spare.process.is_alive() else None
        worker, self._spare = spare or self._new_worker(), None
        worker.commands.send(run.settings)
        run.process, run._commands = worker.process, worker.commands
        threading.Thread(
            target=self._follow, args=(run, worker.events), name="live-training-reader", daemon=True
        ).start()

    def _replace_spare(self) -> None:
        """Start the next waiting worker once a run has its first epoch (or has ended), not when it starts: its
        imports and warm-up would take the CPU the visitor's first epoch needs."""
        with self._lock:
            self._keep_spare()

    def _follow(self, run: LiveRun, events: Connection) -> None:
        """File the run's messages until its process ends, then let the next queued run start."""
        try:
            while True:
                message = events.recv()
                if isinstance(message, RunEnded):  # free the slot now, not once the process has exited (seconds)
                    self._release(run)
                run._file(message)
                if isinstance(message, EpochSnapshot) and len(run.snapshots) == 1:
                    self._replace_spare()
        except (EOFError, OSError):
            pass
        finally:
            self._replace_spare()
            events.close()
            if run.process is not None:
                run.process.join(JOIN_SECONDS)
            if run.ended is None:
                good = len(run.snapshots)
                run._file(RunEnded("failed", "ended without finishing: its process stopped", None, good))
            self._release(run)
            run._finished.set()

    def _release(self, run: LiveRun) -> None:
        """Give the run's slot to the next queued run (again is harmless)."""
        with self._lock:
            self._active.discard(run)
        self._start_waiting()

    def dequeue(self, run: LiveRun, reason: str) -> bool:
        """Take a run out of the queue before it starts; False when it is not (or no longer) waiting."""
        with self._lock:
            if run not in self._queue:
                return False
            self._queue.remove(run)
        run._file(RunEnded("stopped", reason, None, 0))
        return True

    def cancel(self, run: LiveRun) -> None:
        if self.dequeue(run, "was cancelled before it started"):
            return
        process = run.process
        if process is not None and process.is_alive():
            if run.ended is None:
                run._file(RunEnded("stopped", "was cancelled: its page was closed", None, len(run.snapshots)))
            process.terminate()  # the reader thread reaps it and frees the slot
            if not run._finished.wait(JOIN_SECONDS):
                process.kill()
                run._finished.wait(JOIN_SECONDS)

    def shutdown(self) -> None:
        """Every queued run dropped, every worker ended (the spare too): nothing outlives the server."""
        with self._lock:
            self._closed = True
            runs = list(self._queue) + list(self._active)
            spare, self._spare = self._spare, None
        for run in runs:
            self.cancel(run)
        if spare is not None:
            spare.process.terminate()
            spare.process.join(JOIN_SECONDS)


class RunOwner:
    """A session's hold on its runs: when the session is dropped (its tab closed past the server's TTL), the
    object is collected and its runs are cancelled, so no worker trains for nobody."""

    def __init__(self) -> None:
        self.runs: list[LiveRun] = []
        weakref.finalize(self, _cancel_all, self.runs)

    @property
    def current(self) -> LiveRun | None:
        return self.runs[-1] if self.runs else None

    def start(self, pool: TrainingPool, settings: LiveSettings) -> LiveRun:
        """One run per session: a new one cancels the previous."""
        _cancel_all(self.runs)
        self.runs[:] = [pool.submit(settings)]
        return self.runs[0]

    def forget(self) -> None:
        _cancel_all(self.runs)
        self.runs.clear()


def _cancel_all(runs: list[LiveRun]) -> None:
    for run in runs:
        if run.ended is None:
            run.cancel()
