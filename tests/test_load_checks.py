"""The load test's own bookkeeping, without a browser: the training visitor's runs restart and their epochs add up,
and the check fails when the training or its refreshes left the steady window, or when the server itself (not its
training workers) grew; the browsers stay at the lowest priority even when run as root."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from benchmarks.load_test import LiveTrainer, LoadResult, Pace, Sample, Tally, failed_checks, niced_chromium
from dashboard.rerun_timing import ServerRerun

TRAINER = "trainer-session"


class FakeProgress:
    """The bits of a Playwright page LiveTrainer.look uses: a progress bar whose text is read in turn, and a Start
    button whose clicks are counted."""

    def __init__(self, texts: list[str]) -> None:
        self.texts, self.starts = iter(texts), 0
        self.first = self

    def locator(self, _selector: str) -> FakeProgress:
        return self

    async def inner_text(self) -> str:
        return next(self.texts)

    def get_by_role(self, _role: str, name: str) -> FakeProgress:
        assert name == "Start"
        return self

    async def click(self) -> None:
        self.starts += 1

    async def wait_for_function(self, _script: str) -> None:
        return None


def test_a_run_that_ends_is_started_again_and_the_epochs_of_all_runs_add_up() -> None:
    page = FakeProgress(["Epoch 400 of 500 · 3,100 images/s", "Finished: 500 of 500 epochs trained",
                         "Starting the training process ...", "Epoch 20 of 500 · 3,000 images/s"])  # fmt: skip
    trainer, tally = LiveTrainer(page, frozenset()), Tally()
    for _ in range(4):
        asyncio.run(trainer.look(tally))
    assert page.starts == 1 and trainer.runs == 2
    assert [n for _, n in trainer.epochs] == [400, 500, 500, 520]
    trainer.epochs = [(10.0, 400), (20.0, 500), (30.0, 520), (40.0, 560)]
    assert trainer.epochs_per_s(15, 40) == (560 - 500) / 20  # only the looks inside the window count


def result_with(trainer_reruns_at: list[float], server_mib: list[float], workers_mib: list[float]) -> LoadResult:
    """A run warm at 100 s and over at 200 s: visitors' reruns of 50 ms throughout, the trainer's refreshes at the
    given moments, and one memory sample a second from 100 s on."""
    tally = Tally(sessions=1)
    tally.warm_at = 100.0
    reruns = [ServerRerun(at, 10.0, 40.0, "visitor") for at in range(100, 200, 5)]
    reruns += [ServerRerun(at, 5.0, 60.0, TRAINER) for at in trainer_reruns_at]
    trainer = LiveTrainer(None, frozenset({TRAINER}), epochs=[(90.0, 30), (150.0, 230), (199.0, 400)])
    samples = [
        Sample(100.0 + i, server, workers, 3.0)
        for i, (server, workers) in enumerate(zip(server_mib, workers_mib, strict=True))
    ]
    return LoadResult(tally, samples, 200.0, reruns, [(150.0, 2)], 0, 0, 0, Pace(), trainer)


def test_the_check_holds_when_training_and_its_refreshes_go_on_in_the_steady_window() -> None:
    assert failed_checks(result_with([120.0, 160.0], [500, 510, 505], [700, 1400, 1400])) == []


def test_the_check_fails_when_the_trainer_refreshed_only_in_the_warm_up() -> None:
    failed = failed_checks(result_with([20.0, 60.0], [500, 505], [700, 700]))
    assert failed == ["the training visitor's page did not refresh in the steady window"]


def test_the_check_fails_when_no_epoch_was_trained_in_the_steady_window() -> None:
    result = result_with([120.0], [500, 505], [700, 700])
    result.trainer.epochs = [(50.0, 500), (150.0, 500), (199.0, 500)]  # the one run ended in the warm-up
    assert failed_checks(result) == ["the live training trained no epoch in the steady window"]


def test_server_memory_growth_fails_the_check_and_its_training_workers_do_not_count() -> None:
    assert failed_checks(result_with([120.0], [500, 500], [700, 1400])) == []  # a new worker is not the server's
    assert failed_checks(result_with([120.0], [500, 560], [700, 700])) == [
        "server memory grew +60 MiB after the warm-up"
    ]


def test_the_browser_cannot_raise_its_own_priority_back(tmp_path: Path) -> None:
    """Chromium run as root set its renderers to nice 0 and its display threads to -8, above the server's."""
    wrapper = niced_chromium(tmp_path, program="/bin/sh")  # stands in for Chromium: tries what Chromium does
    shell = subprocess.run(
        [str(wrapper), "-c", "renice -n -8 -p $$ >/dev/null 2>&1; ps -o ni= -p $$"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert int(shell.stdout) == 19


def test_a_deadline_stops_the_load_before_the_warm_up_ended_and_fails_the_check() -> None:
    """A run with its browsers starved opened one page a minute: 20 sessions outlasted a 12-minute time slot, and
    the killed run printed nothing."""
    tally = Tally(sessions=20, deadline=0.0)
    assert tally.warm_at is None and tally.steady_for(60) and tally.cut_short
    result = result_with([120.0], [500, 505], [700, 700])
    result.tally.cut_short, result.tally.deadline = True, 600.0
    assert failed_checks(result) == ["cut short by --deadline at 600 s"]
