"""The scheduling seam. A job is a batch or one sample judged alone; an `Executor` runs jobs and returns their
verdicts. The scheduler sees nothing else of where or how a job runs: the local executor runs it on this
machine's worker slots, a distributed or remote one runs the same `run_job` where its slots are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import anyio

from sigil_eval.records import Result
from sigil_eval.runner.batched import BatchItem, run_batch
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.isolated import IsolatedItem, evaluate_isolated
from sigil_eval.runner.outcome import SampleOutcome, to_result


@dataclass(frozen=True, slots=True)
class BatchJob:
    """Samples of one edition compiled as one crate and run by one harness."""

    items: tuple[BatchItem, ...]


@dataclass(frozen=True, slots=True)
class IsolatedJob:
    """One sample compiled and run on its own."""

    item: IsolatedItem


Job = BatchJob | IsolatedJob


@dataclass(slots=True)
class JobOutcome:
    results: list[Result] = field(default_factory=list)
    # batch members the batch could not judge, each to be judged alone (`IsolatedItem.why` says why)
    requeue: list[IsolatedItem] = field(default_factory=list)


class Executor(Protocol):
    """Runs jobs. `capacity` is how many it runs at once: the scheduler never has more in flight."""

    @property
    def capacity(self) -> int: ...

    async def execute(self, job: Job) -> JobOutcome: ...

    async def aclose(self) -> None:
        """Release what the executor holds (called by the evaluator that opened it)."""


def _result(item: BatchItem | IsolatedItem, outcome: SampleOutcome, ctx: JobContext) -> Result:
    return to_result(item.result, outcome, clippy=ctx.options.clippy, compile_budget=ctx.options.compile_budget)


async def run_job(job: Job, ctx: JobContext, slot: int) -> JobOutcome:
    """Judge a job on worker slot `slot` (its number picks the sandbox uid) of the machine that holds `ctx`."""
    if isinstance(job, IsolatedJob):
        return JobOutcome(results=[_result(job.item, await evaluate_isolated(job.item, slot, ctx), ctx)])
    batch = await run_batch(list(job.items), ctx, slot)
    return JobOutcome(
        results=[_result(item, judged, ctx) for item, judged in batch.judged],
        requeue=[item.alone(why) for item, why in batch.isolate],
    )


class WorkerSlots:
    """`workers` numbered slots; a job holds one while it runs (its number picks the job's sandbox uid)."""

    def __init__(self, workers: int) -> None:
        self._free = list(range(workers))
        self._limiter = anyio.Semaphore(workers)

    async def acquire(self) -> int:
        await self._limiter.acquire()
        return self._free.pop()

    def release(self, slot: int) -> None:
        self._free.append(slot)
        self._limiter.release()


class LocalExecutor:
    """Runs jobs on this machine: one numbered worker slot per job, `options.workers` slots numbered from
    `first_slot` (a slot's number picks its sandbox uids: executors sharing a machine count on from each other)."""

    def __init__(self, ctx: JobContext, first_slot: int = 0) -> None:
        self._ctx = ctx
        self._first_slot = first_slot
        self._slots = WorkerSlots(ctx.options.workers)

    @property
    def capacity(self) -> int:
        return self._ctx.options.workers

    async def execute(self, job: Job) -> JobOutcome:
        slot = await self._slots.acquire()
        try:
            return await run_job(job, self._ctx, self._first_slot + slot)
        finally:
            self._slots.release(slot)

    async def aclose(self) -> None:
        """Nothing: the context belongs to whoever opened it."""
