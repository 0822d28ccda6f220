"""Judge a stream of samples against crate tasks, every result handed to `sink` as it finishes. The context
(toolchain, sandbox) is opened once; the tasks' dependencies are vendored first if the cache lacks them (`warm`).

Batched mode (the default) fills workspaces from the stream as the function engine fills batches
(`engine.scheduling.fill_batches`): up to `CRATES_PER_WORKSPACE` answers whose tasks share a `route.batch_key`,
one workspace per worker slot at a time (`workspace`). Isolated mode judges every answer alone (`judge`)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any

import anyio
import structlog

from sigil_eval.crates.context import CrateContext
from sigil_eval.crates.harnessed import unjudgeable
from sigil_eval.crates.judge import judge_crate
from sigil_eval.crates.route import batch_key
from sigil_eval.crates.task import CrateTask
from sigil_eval.crates.warm import warm_crate_tasks
from sigil_eval.crates.workspace import judge_crate_batch
from sigil_eval.engine.evaluator import first_sigil_error
from sigil_eval.engine.scheduling import fill_batches
from sigil_eval.inputs.samples import sample_from_object
from sigil_eval.options import EvalOptions
from sigil_eval.records import CrateTaskResult, Rejection, Sample
from sigil_eval.runner.context import close_context, open_context
from sigil_eval.runner.local import WorkerSlots

log = structlog.get_logger("sigil_eval")
CRATES_PER_WORKSPACE = 16  # a cargo build of more crates than this mostly waits on its slowest ones

Item = tuple[CrateTask, Sample, int]


async def judge_crate_samples(
    tasks: list[CrateTask],
    items: AsyncIterable[tuple[int, Sample | Rejection]],
    options: EvalOptions,
    sink: Callable[[CrateTaskResult], None],
    rejections: list[Rejection],
    source: str = "samples",
) -> None:
    """Judge every sample of `items` (rejections go to `rejections`), handing each result to `sink`. A sample of
    a task no answer can be judged against is rejected (`source`, line, why)."""
    by_id = {task.task_id: task for task in tasks}
    keys = {task.task_id: batch_key(task) for task in tasks}
    refused = {task.task_id: why for task in tasks if (why := unjudgeable(task))}
    for why in refused.values():
        log.warning("crate task not judged", reason=why)
    cache = await warm_crate_tasks(tasks, options.cache_dir)
    ctx = await open_context(options)
    crates = CrateContext(ctx, cache)
    size = 1 if options.mode == "isolated" else min(options.batch_size, CRATES_PER_WORKSPACE)
    try:
        async with anyio.create_task_group() as group:
            send, receive = anyio.create_memory_object_stream[Item](options.workers * size)
            pool = WorkerSlots(options.workers)

            async def start(batch: list[Item]) -> None:
                for key in dict.fromkeys(keys[task.task_id] for task, _, _ in batch):
                    members = [item for item in batch if keys[item[0].task_id] == key]
                    slot = await pool.acquire()
                    group.start_soon(_judge, members, crates, slot, pool, sink)

            group.start_soon(fill_batches, receive, size, options.batch_wait, start)
            async with send:
                async for index, item in items:
                    if isinstance(item, Rejection):
                        rejections.append(item)
                    elif item.task_id in refused:
                        rejections.append(Rejection(source=source, line=index + 1, reason=refused[item.task_id]))
                    else:
                        await send.send((by_id[item.task_id], item, index))
    finally:
        close_context(ctx)


async def _judge(
    members: list[Item], crates: CrateContext, slot: int, pool: WorkerSlots, sink: Callable[[CrateTaskResult], None]
) -> None:
    try:
        if len(members) == 1:
            task, sample, index = members[0]
            sink(await judge_crate(task, sample, index, crates, slot))
            return
        for result in await judge_crate_batch(members, crates, slot):
            sink(result)
    finally:
        pool.release(slot)


async def evaluate_crates(
    samples: Iterable[Sample | Mapping[str, Any]], tasks: Sequence[CrateTask], **options: Any
) -> list[CrateTaskResult | Rejection]:
    """Judge `samples` (Samples or JSON-like objects) against crate `tasks` (`sigil_eval.load_crate_tasks`): one
    result or one rejection per sample, in their order. `options` are `EvalOptions` fields. Raises InfraError
    when the machine cannot judge; a sample never raises."""
    known = {task.task_id: task for task in tasks}
    out: list[CrateTaskResult | Rejection | None] = []

    async def items() -> AsyncIterator[tuple[int, Sample | Rejection]]:
        for index, value in enumerate(samples):
            sample = value if isinstance(value, Sample) else sample_from_object(value, known)
            if isinstance(sample, Sample) and sample.task_id not in known:
                sample = f"unknown task_id {sample.task_id!r} (not in the crate tasks)"
            out.append(None)
            yield (
                index,
                sample if isinstance(sample, Sample) else Rejection(source="samples", line=index + 1, reason=sample),
            )

    def keep(result: CrateTaskResult | Rejection) -> None:
        position = result.sample_index if isinstance(result, CrateTaskResult) else result.line - 1
        out[position] = result

    rejections: list[Rejection] = []
    try:
        await judge_crate_samples(list(tasks), items(), EvalOptions(**options), keep, rejections)
    except BaseExceptionGroup as group:
        raise (first_sigil_error(group) or group) from None
    for rejection in rejections:
        keep(rejection)
    return [item for item in out if item is not None]
