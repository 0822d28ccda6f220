"""Judge a stream of samples against crate tasks: `workers` crates at a time, each on a worker slot of its own
(its own uids), every result handed to `sink` as it finishes. The context (toolchain, sandbox) is opened once;
the tasks' dependencies are vendored first if the cache lacks them (`warm`)."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable

import anyio

from sigil_eval.crates.judge import judge_crate
from sigil_eval.crates.task import CrateTask
from sigil_eval.crates.warm import warm_crate_tasks
from sigil_eval.options import EvalOptions
from sigil_eval.records import CrateTaskResult, Rejection, Sample
from sigil_eval.runner.context import close_context, open_context


async def judge_crate_samples(
    tasks: list[CrateTask],
    items: AsyncIterable[tuple[int, Sample | Rejection]],
    options: EvalOptions,
    sink: Callable[[CrateTaskResult], None],
    rejections: list[Rejection],
) -> None:
    """Judge every sample of `items` (rejections go to `rejections`), handing each result to `sink`."""
    by_id = {task.task_id: task for task in tasks}
    cache = await warm_crate_tasks(tasks, options.cache_dir)
    ctx = await open_context(options)
    free = list(range(options.workers))
    slots = anyio.Semaphore(options.workers)

    async def judge_one(index: int, sample: Sample, slot: int) -> None:
        try:
            sink(await judge_crate(by_id[sample.task_id], sample, index, ctx, cache, slot))
        finally:
            free.append(slot)
            slots.release()

    try:
        async with anyio.create_task_group() as group:
            async for index, item in items:
                if isinstance(item, Rejection):
                    rejections.append(item)
                    continue
                await slots.acquire()
                group.start_soon(judge_one, index, item, free.pop(), name=f"crate {item.task_id}")
    finally:
        close_context(ctx)
