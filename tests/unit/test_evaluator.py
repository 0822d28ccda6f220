"""The evaluator and its scheduler driven through the job seam by a `FakeExecutor`: no toolchain, no sandbox, in
milliseconds. What a batch hands back is judged alone, `--verify-fraction` re-judges and the isolated verdict
wins, a consumer that stops early cancels the work in flight, stored and duplicate verdicts are not judged
again, input is read a bounded distance ahead, and no more jobs than the executor's capacity run at once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import sigil_eval
from sigil_eval.engine.scheduling import READ_AHEAD_PER_WORKER
from sigil_eval.records import BATCH, ISOLATED, JudgedBy, RunStats, judged_alone
from sigil_eval.runner.jobs import BatchItem, BatchJob, IsolatedItem, IsolatedJob, Job, JobOutcome, JudgeSetup
from sigil_eval.runner.results import finish

from ..helpers import RETURN_ONE

SETUP = JudgeSetup(
    rustc_version="rustc 0.0.0 (fake)",
    sandbox="firejail",
    values_kept_out=True,
    clippy_available=False,
    verdict_settings={"evaluator": "fake", "toolchain": "rustc 0.0.0 (fake)"},
)


def answer(value: int, note: str = "") -> dict[str, Any]:
    """A sample of `RETURN_ONE`: it passes when it returns 1. `note` (a comment) tells the fake what to do."""
    return {"task_id": "test_rust/0", "completion": f"    // {note}\n    {value}\n}}\n"}


class FakeExecutor:
    """Judges a sample by the value its completion returns; a batch member whose completion says `hand back` is
    handed back to be judged alone, and one that says `disagree` gets the opposite verdict when judged alone."""

    def __init__(self, capacity: int = 2, *, hold: anyio.Event | None = None, quick: int = 0) -> None:
        self._capacity = capacity
        self.hold = hold  # while set and not fired, every job but the first `quick` waits (a slow machine)
        self.quick = quick
        self.jobs: list[Job] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.filled = anyio.Event()  # set when as many jobs as it holds run at once
        self.cancelled = 0
        self.closed = False

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def setup(self) -> JudgeSetup:
        return SETUP

    async def execute(self, job: Job) -> JobOutcome:
        self.jobs.append(job)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.in_flight == self._capacity:
            self.filled.set()
        try:
            if self.hold is not None and len(self.jobs) > self.quick:
                await self.hold.wait()
            await anyio.sleep(0.005)  # long enough for jobs to overlap
            return self._judged(job)
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1

    def _judged(self, job: Job) -> JobOutcome:
        if isinstance(job, IsolatedJob):
            return JobOutcome(results=[self._verdict(job.item, judged_alone(job.item.why), alone=True)])
        outcome = JobOutcome()
        for item in job.items:
            if "hand back" in item.result.completion:
                outcome.requeue.append(item.alone("no record from the batch harness"))
            else:
                outcome.results.append(self._verdict(item, BATCH, alone=False))
        return outcome

    @staticmethod
    def _verdict(item: BatchItem | IsolatedItem, judged_by: JudgedBy | str, *, alone: bool) -> sigil_eval.Result:
        returned = re.search(r"(-?\d+)\s*\}\s*$", item.result.completion)
        passes = returned is not None and returned.group(1) == "1"
        if alone and "disagree" in item.result.completion:
            passes = not passes
        result = item.result
        result.judged_by = judged_by
        result.compile_ok = result.test_ok = True
        result.test_ok = passes
        return finish(result, None if passes else "assertion_failure", "returned another value")

    async def aclose(self) -> None:
        self.closed = True


def run(samples: list[dict[str, Any]], executor: FakeExecutor, **options: Any) -> list[sigil_eval.Result]:
    async def main() -> list[sigil_eval.Result]:
        async with sigil_eval.Evaluator({"t": RETURN_ONE}, executor=executor, **options) as ev:
            return sorted([r async for r in ev.results(samples)], key=lambda r: r.sample_index)

    return anyio.run(main)


def test_a_given_executor_needs_no_toolchain_and_is_not_closed_by_the_evaluator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The evaluator opens a local context only for the local backend: with an executor given, no rustc is
    looked for (there is none on this PATH) and the run's header says what the executor judges with."""
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("RUSTC", "/nonexistent/rustc")
    executor = FakeExecutor()
    report = anyio.run(lambda: sigil_eval.evaluate([answer(1), answer(0)], {"t": RETURN_ONE}, executor=executor))
    assert report.pass_at_k["pass@1"] == 0.5
    assert report.rustc_version == SETUP.rustc_version and report.sandbox == "firejail"
    assert not executor.closed


def test_members_a_batch_hands_back_are_judged_alone_and_counted() -> None:
    executor = FakeExecutor()
    samples = [answer(1), answer(1, "hand back"), answer(0), answer(0, "hand back")]

    results = run(samples, executor, reuse_verdicts=False, batch_wait=0.01)

    assert [r.passed for r in results] == [True, True, False, False]
    alone = judged_alone("no record from the batch harness")
    assert [r.judged_by for r in results] == [BATCH, alone, BATCH, alone]
    assert sum(isinstance(job, IsolatedJob) for job in executor.jobs) == 2


def test_verification_rejudges_alone_and_the_isolated_verdict_wins() -> None:
    executor = FakeExecutor()
    samples = [answer(1), answer(1, "disagree"), answer(0, "disagree"), answer(0)]

    async def main() -> tuple[sigil_eval.Evaluator, list[sigil_eval.Result]]:
        async with sigil_eval.Evaluator(
            {"t": RETURN_ONE}, executor=executor, verify_fraction=1.0, reuse_verdicts=False, batch_wait=0.01
        ) as ev:
            return ev, sorted([r async for r in ev.results(samples)], key=lambda r: r.sample_index)

    evaluator, results = anyio.run(main)

    assert evaluator.stats.verified == 4 and evaluator.stats.verify_mismatches == 2
    assert [r.passed for r in results] == [True, False, True, False]  # where they differ, the isolated verdict
    verified = judged_alone("verification")
    assert [r.judged_by for r in results] == [BATCH, verified, verified, BATCH]


def test_isolated_mode_sends_every_sample_alone() -> None:
    executor = FakeExecutor()
    results = run([answer(1), answer(0)], executor, mode="isolated", reuse_verdicts=False)
    assert [r.judged_by for r in results] == [ISOLATED, ISOLATED]
    assert all(isinstance(job, IsolatedJob) for job in executor.jobs)


def test_a_consumer_that_stops_early_cancels_the_jobs_in_flight() -> None:
    """The first job finishes; the others never would. The consumer takes one result and stops: the jobs in
    flight are cancelled, nothing is left running, and the evaluator closes at once."""
    executor = FakeExecutor(capacity=2, hold=anyio.Event(), quick=1)
    samples = [answer(value) for value in range(1, 40)]

    async def main() -> sigil_eval.Result:
        with anyio.fail_after(5):
            async with sigil_eval.Evaluator(
                {"t": RETURN_ONE}, executor=executor, reuse_verdicts=False, mode="isolated"
            ) as ev:
                async for result in ev.results(samples):
                    return result
        raise AssertionError("no result")

    first = anyio.run(main)
    assert first.passed
    assert executor.cancelled >= 1 and executor.in_flight == 0
    assert len(executor.jobs) < len(samples)


def test_stored_and_duplicate_verdicts_are_not_judged_again(tmp_path: Path) -> None:
    store = tmp_path / "verdicts.sqlite"
    executor = FakeExecutor()
    samples = [answer(1), answer(1), answer(0), answer(1)]  # three copies of one program

    first = run(samples, executor, verdict_store=store, batch_wait=0.01)
    judged = sum(len(job.items) if isinstance(job, BatchJob) else 1 for job in executor.jobs)
    assert judged == 2  # one per distinct program; the copies follow the first's verdict
    assert [r.passed for r in first] == [True, True, False, True]

    again = FakeExecutor()
    second = run(samples, again, verdict_store=store, batch_wait=0.01)
    assert again.jobs == []
    assert [r.passed for r in second] == [True, True, False, True]
    assert {r.judged_by for r in second} == {"store"}


def test_input_is_read_a_bounded_distance_ahead_of_the_verdicts() -> None:
    """The evaluator reads at most `READ_AHEAD_PER_WORKER × capacity` samples ahead of the verdicts (memory stays
    flat on any input): here one batch that would take any number of samples waits for company, and no verdict
    comes."""
    hold = anyio.Event()
    executor = FakeExecutor(capacity=1, hold=hold)
    read = 0
    bound = READ_AHEAD_PER_WORKER * 1

    async def samples() -> AsyncIterator[dict[str, Any]]:
        nonlocal read
        for value in range(bound * 3):
            read += 1
            yield answer(value + 2)

    async def main() -> int:
        async with (
            sigil_eval.Evaluator(
                {"t": RETURN_ONE},
                executor=executor,
                workers=1,
                reuse_verdicts=False,
                batch_size=100_000,
                batch_wait=30,
            ) as ev,
            anyio.create_task_group() as group,
        ):

            async def consume() -> None:
                async for _ in ev.results(samples()):
                    pass

            group.start_soon(consume)
            seen = -1
            with anyio.fail_after(20):
                while seen != read:  # until the reader stops, long before its batch stops waiting for company
                    seen = read
                    await anyio.sleep(0.5)
            group.cancel_scope.cancel()  # the consumer stops: its jobs in flight are cancelled
        return seen

    seen = anyio.run(main)
    assert bound <= seen <= bound + 1


def test_a_small_driver_keeps_a_large_executor_full() -> None:
    """A 2-worker driver in front of a 96-slot executor (a Ray cluster): read-ahead and the grouping window follow
    the executor's capacity, so 96 batches are in flight at once, not the ~50 that 2 workers' read-ahead holds."""
    hold = anyio.Event()
    executor = FakeExecutor(capacity=96, hold=hold)
    samples = [answer(v) for v in range(96 * 20)]

    async def main() -> RunStats:
        async with (
            sigil_eval.Evaluator(
                {"t": RETURN_ONE}, executor=executor, workers=2, batch_size=20, batch_wait=0.05, reuse_verdicts=False
            ) as ev,
            anyio.create_task_group() as group,
        ):

            async def consume() -> None:
                async for _ in ev.results(samples):
                    pass

            group.start_soon(consume)
            with anyio.fail_after(30):
                await executor.filled.wait()
            hold.set()
        return ev.stats

    stats = anyio.run(main)
    assert executor.most_in_flight == 96 and stats.peak_jobs_in_flight == 96


def test_no_more_jobs_run_at_once_than_the_executor_holds() -> None:
    executor = FakeExecutor(capacity=3)
    results = run([answer(v) for v in range(60)], executor, mode="isolated", reuse_verdicts=False)
    assert len(results) == 60
    assert executor.most_in_flight == 3
