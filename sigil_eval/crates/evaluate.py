"""Judge a stream of samples against crate tasks, every result handed to `sink` as it finishes. The context
(toolchain, sandbox) is opened once; the tasks' dependencies are vendored first if the cache lacks them (`warm`).

Batched mode (the default) fills workspaces from the stream as the function engine fills batches
(`engine.scheduling.fill_batches`): up to `CRATES_PER_WORKSPACE` answers whose tasks share a `route.batch_key`,
one workspace per worker slot at a time (`workspace`). Isolated mode judges every answer alone (`judge`)."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable

import anyio

from sigil_eval.crates.context import CrateContext
from sigil_eval.crates.judge import judge_crate
from sigil_eval.crates.route import batch_key
from sigil_eval.crates.task import CrateTask
from sigil_eval.crates.warm import warm_crate_tasks
from sigil_eval.crates.workspace import judge_crate_batch
from sigil_eval.engine.scheduling import fill_batches
from sigil_eval.options import EvalOptions
from sigil_eval.records import CrateTaskResult, Rejection, Sample
from sigil_eval.runner.context import close_context, open_context

CRATES_PER_WORKSPACE = 16  # a cargo build of more crates than this mostly waits on its slowest ones

Item = tuple[CrateTask, Sample, int]


async def judge_crate_samples(
    tasks: list[CrateTask],
    items: AsyncIterable[tuple[int, Sample | Rejection]],
    options: EvalOptions,
    sink: Callable[[CrateTaskResult], None],
    rejections: list[Rejection],
) -> None:
    """Judge every sample of `items` (rejections go to `rejections`), handing each result to `sink`."""
    by_id = {task.task_id: task for task in tasks}
    keys = {task.task_id: batch_key(task) for task in tasks}
    cache = await warm_crate_tasks(tasks, options.cache_dir)
    ctx = await open_context(options)
    crates = CrateContext(ctx, cache)
    size = 1 if options.mode == "isolated" else min(options.batch_size, CRATES_PER_WORKSPACE)
    try:
        async with anyio.create_task_group() as group:
            send, receive = anyio.create_memory_object_stream[Item](options.workers * size)
            pool = _Slots(options.workers)

            async def start(batch: list[Item]) -> None:
                for key in dict.fromkeys(keys[task.task_id] for task, _, _ in batch):
                    members = [item for item in batch if keys[item[0].task_id] == key]
                    slot = await pool.take()
                    group.start_soon(_judge, members, crates, slot, pool, sink)

            group.start_soon(fill_batches, receive, size, options.batch_wait, start)
            async with send:
                async for index, item in items:
                    if isinstance(item, Rejection):
                        rejections.append(item)
                    else:
                        await send.send((by_id[item.task_id], item, index))
    finally:
        close_context(ctx)


async def _judge(
    members: list[Item], crates: CrateContext, slot: int, pool: _Slots, sink: Callable[[CrateTaskResult], None]
) -> None:
    try:
        if len(members) == 1:
            task, sample, index = members[0]
            sink(await judge_crate(task, sample, index, crates, slot))
            return
        for result in await judge_crate_batch(members, crates, slot):
            sink(result)
    finally:
        pool.give(slot)


class _Slots:
    """Worker slots (each its own uids), taken by a crate or a workspace while it is judged."""

    def __init__(self, count: int) -> None:
        self._free = list(range(count))
        self._available = anyio.Semaphore(count)

    async def take(self) -> int:
        await self._available.acquire()
        return self._free.pop()

    def give(self, slot: int) -> None:
        self._free.append(slot)
        self._available.release()
