"""How work is handed out: the `Scheduler` turns routed samples into jobs for an executor (see `runner.jobs`),
with its helpers: batch sizes, and filling batches from a stream."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

import anyio
import structlog
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from sigil_eval.engine.stalls import StallWatch
from sigil_eval.options import EvalOptions
from sigil_eval.records import AGREED_FIELDS, SHARED_TESTS, Result, RunStats
from sigil_eval.runner.jobs import BatchItem, BatchJob, Executor, IsolatedItem, IsolatedJob, Job

log = structlog.get_logger("sigil_eval")

Item = TypeVar("Item")
READ_AHEAD_PER_WORKER = 512  # samples read but not yet settled, per worker: memory stays flat on any input
# with shared tests, batches are carved out of up to this many batches' worth of waiting samples, grouped by
# problem (within the read-ahead: a window the reader cannot fill would only wait for `batch_wait`)
GROUPING_WINDOW = 4


def batch_limit(total: int | None, size: int, workers: int) -> int:
    """`size`, or for a known number of samples the even split closest below it: 160 samples on 2 workers
    make 2 batches of 80, not 64 + 64 + 32 with one worker idle at the end."""
    if not total:
        return size
    batches = workers * math.ceil(total / (workers * size))
    return max(1, math.ceil(total / batches))


async def fill_batches(
    receive: MemoryObjectReceiveStream[Item],
    limit: int,
    max_wait: float,
    start: Callable[[list[Item]], Awaitable[None]],
    *,
    window: int = 0,
    key: Callable[[Item], object] | None = None,
) -> None:
    """Group the stream into batches of up to `limit` items. A batch starts when `window` items (at least
    `limit`) are waiting, or `max_wait` seconds after the oldest of them arrived (a streaming caller with one
    sample does not wait for a hundred), or when the stream ends; fewer than `limit` items left behind by a batch
    wait `max_wait` afresh (so at most twice that in all). With `key`, a batch takes whole groups of
    items with the same key — the oldest item's group first, then the largest — so samples of one problem that
    arrive close together share a batch (and, in it, their problem's tests)."""
    window = max(limit, window)
    pending: list[tuple[float, Item]] = []  # (arrival, item), oldest first
    async with receive:
        while True:
            wait = max(0.0, pending[0][0] + max_wait - time.monotonic()) if pending else math.inf
            with anyio.move_on_after(wait) as waiting:
                try:
                    item = await receive.receive()
                except anyio.EndOfStream:
                    break
                pending.append((time.monotonic(), item))
            # batches start outside the deadline's scope: starting one may wait for a free worker
            if waiting.cancelled_caught or len(pending) >= window:  # the oldest waited long enough, or a full window
                batch, pending = _carve(pending, limit, key)
                await start(batch)
                if len(pending) < limit:  # what is left waits afresh for company, rather than go as a scrap batch
                    now = time.monotonic()
                    pending = [(now, item) for _, item in pending]
        while pending:
            batch, pending = _carve(pending, limit, key)
            await start(batch)


def _carve(
    pending: list[tuple[float, Item]], limit: int, key: Callable[[Item], object] | None
) -> tuple[list[Item], list[tuple[float, Item]]]:
    """The next batch out of `pending`, and what stays (in arrival order)."""
    if key is None or len(pending) <= limit:
        return [item for _, item in pending[:limit]], pending[limit:]
    groups: dict[object, list[int]] = {}
    for position, (_, item) in enumerate(pending):
        groups.setdefault(key(item), []).append(position)
    oldest, *others = groups.values()
    chosen: list[int] = []
    for positions in [oldest, *sorted(others, key=len, reverse=True)]:
        chosen += positions[: limit - len(chosen)]
        if len(chosen) == limit:
            break
    taken = set(chosen)
    return [pending[p][1] for p in sorted(chosen)], [entry for p, entry in enumerate(pending) if p not in taken]


def _problem_of(item: BatchItem) -> str:
    return item.problem.task_id


class Scheduler:
    """Routed samples in, verdicts out. Batch members are grouped into batches (by edition, and those whose
    brackets do not close apart), samples routed alone become isolated jobs; at most `executor.capacity` jobs are
    in flight. What a batch hands back unjudged is re-queued alone; with `verify_fraction`, a share of batched
    verdicts is re-judged alone and the isolated verdict wins any difference."""

    def __init__(self, executor: Executor, options: EvalOptions, stats: RunStats, stalls: StallWatch) -> None:
        self._executor = executor
        self._options = options
        self._stats = stats
        self._stalls = stalls
        self._in_flight = anyio.Semaphore(executor.capacity)
        self._running = 0  # jobs handed to the executor and not back yet
        self._rng = random.Random()  # picks the samples --verify-fraction re-judges alone

    async def run(
        self,
        routed: MemoryObjectReceiveStream[BatchItem | IsolatedItem],
        total: int | None,
        send: MemoryObjectSendStream[Result],
    ) -> None:
        """Judge everything `routed` yields; every verdict goes to `send`, which is closed at the end."""
        limit = batch_limit(total, self._options.batch_size, self._executor.capacity)
        async with send, anyio.create_task_group() as group:
            members_send, members = anyio.create_memory_object_stream[BatchItem]()
            grouping = self._options.share_tests
            window = min(GROUPING_WINDOW * limit, READ_AHEAD_PER_WORKER * self._executor.capacity // 2)
            filling = partial(
                fill_batches,
                window=window if grouping else limit,
                key=_problem_of if grouping else None,
            )
            group.start_soon(filling, members, limit, self._options.batch_wait, self._batches(group, send))
            async with members_send, routed:
                async for item in routed:
                    if isinstance(item, BatchItem):
                        await members_send.send(item)
                    else:
                        await self._submit(group, IsolatedJob(item), send)

    def _batches(
        self, group: TaskGroup, send: MemoryObjectSendStream[Result]
    ) -> Callable[[list[BatchItem]], Awaitable[None]]:
        async def start(items: list[BatchItem]) -> None:
            by_kind: dict[tuple[str, bool], list[BatchItem]] = {}
            for item in items:
                by_kind.setdefault((item.problem.edition, item.syntax_error), []).append(item)
            for batch in by_kind.values():
                self._stats.syntax_batched += sum(item.syntax_error for item in batch)
                self._stats.batches += 1
                await self._submit(group, BatchJob(tuple(batch)), send)

        return start

    async def _submit(
        self,
        group: TaskGroup,
        job: Job,
        send: MemoryObjectSendStream[Result],
        checking: Result | None = None,
    ) -> None:
        await self._in_flight.acquire()
        self._running += 1
        self._stats.peak_jobs_in_flight = max(self._stats.peak_jobs_in_flight, self._running)
        group.start_soon(self._execute, group, job, send, checking)

    async def _execute(
        self, group: TaskGroup, job: Job, send: MemoryObjectSendStream[Result], checking: Result | None
    ) -> None:
        members = job.items if isinstance(job, BatchJob) else (job.item,)
        for member in members:
            self._stalls.started(member.index, member.result.task_id)
        try:
            outcome = await self._executor.execute(job)
        finally:
            self._running -= 1
            self._in_flight.release()
        if checking is not None:
            await send.send(self._compared(checking, outcome.results[0]))
            return
        verify = self._options.verify_fraction
        batched = {member.index: member for member in job.items} if isinstance(job, BatchJob) else {}
        for result in outcome.results:
            self._stats.shared_tests += result.judged_by == SHARED_TESTS
            if batched and verify and self._rng.random() < verify:
                alone = batched[result.sample_index].alone("verification")
                await self._submit(group, IsolatedJob(alone), send, checking=result)
            else:
                await send.send(result)
        for item in outcome.requeue:
            if item.why:
                self._stats.route(item.why)
            await self._submit(group, IsolatedJob(item), send)

    def _compared(self, batched: Result, alone: Result) -> Result:
        """The verdict to report for a verified sample: the batched one when both agree, else (said loudly)
        the isolated one."""
        self._stats.verified += 1
        differing = [f for f in AGREED_FIELDS if getattr(alone, f) != getattr(batched, f)]
        if not differing:
            return batched
        self._stats.verify_mismatches += 1
        log.error(
            "batched verdict differs from the isolated one",
            task_id=batched.task_id,
            sample_index=batched.sample_index,
            fields=",".join(differing),
            batched=[getattr(batched, f) for f in differing],
            isolated=[getattr(alone, f) for f in differing],
        )
        return alone
