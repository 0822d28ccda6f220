"""The local executor: jobs judged on this machine's numbered worker slots, over one execution context."""

from __future__ import annotations

import anyio

from sigil_eval.options import EvalOptions
from sigil_eval.records import Result
from sigil_eval.runner.batch.run import run_batch
from sigil_eval.runner.batch.sharing import Sharing
from sigil_eval.runner.context import JobContext, close_context, open_context
from sigil_eval.runner.isolated import evaluate_isolated
from sigil_eval.runner.jobs import BatchItem, IsolatedItem, IsolatedJob, Job, JobOutcome, JudgeSetup
from sigil_eval.runner.outcome import SampleOutcome, to_result


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


def judge_setup(ctx: JobContext) -> JudgeSetup:
    """What a context judges with (`JudgeSetup`)."""
    return JudgeSetup(
        rustc_version=ctx.toolchain.version,
        sandbox=ctx.sandbox.kind,
        values_kept_out=ctx.sandbox.kind == "firejail" and ctx.sandbox.setpriv is not None,
        clippy_available=ctx.toolchain.clippy_driver is not None,
        verdict_settings=ctx.verdict_settings,
    )


class LocalExecutor:
    """Runs jobs on this machine: one numbered worker slot per job, `options.workers` slots numbered from
    `first_slot` (a slot's number picks its sandbox uids: executors sharing a machine count on from each other).
    `LocalExecutor.open(options)` opens its context; `aclose` closes it (its scratch space goes)."""

    def __init__(self, ctx: JobContext, first_slot: int = 0) -> None:
        self.ctx = ctx
        self._first_slot = first_slot
        self._slots = WorkerSlots(ctx.options.workers)
        self._sharing = Sharing(ctx.options.prelude)  # this executor's run: its shared tests
        self._open = True
        self._setup = judge_setup(ctx)

    @classmethod
    async def open(cls, options: EvalOptions, first_slot: int = 0) -> LocalExecutor:
        """Open a context for `options` (toolchain, crate cache, a sandbox proven to work; see `open_context`)."""
        return cls(await open_context(options), first_slot)

    @property
    def capacity(self) -> int:
        return self.ctx.options.workers

    @property
    def setup(self) -> JudgeSetup:
        return self._setup

    async def execute(self, job: Job) -> JobOutcome:
        slot = await self._slots.acquire()
        try:
            return await self.run(job, self._first_slot + slot)
        finally:
            self._slots.release(slot)

    async def run(self, job: Job, slot: int) -> JobOutcome:
        """Judge a job on worker slot `slot` (its number picks the sandbox uid)."""
        ctx = self.ctx
        if isinstance(job, IsolatedJob):
            return JobOutcome(results=[self._result(job.item, await evaluate_isolated(job.item, slot, ctx))])
        batch = await run_batch(list(job.items), ctx, slot, self._sharing)
        return JobOutcome(
            results=[self._result(item, judged) for item, judged in batch.judged],
            requeue=[item.alone(why) for item, why in batch.isolate],
        )

    def _result(self, item: BatchItem | IsolatedItem, outcome: SampleOutcome) -> Result:
        options = self.ctx.options
        return to_result(item.result, outcome, clippy=options.clippy, compile_budget=options.compile_budget)

    async def aclose(self) -> None:
        """Close the context: its scratch space goes (once)."""
        if self._open:
            self._open = False
            close_context(self.ctx)
