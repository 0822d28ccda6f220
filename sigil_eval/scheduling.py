"""How work is handed out: numbered worker slots, batch sizes, and filling batches from a stream."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream

Item = TypeVar("Item")


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
) -> None:
    """Group the stream into batches of up to `limit` items; a batch starts when full, or `max_wait` seconds
    after its first item arrived (a streaming caller with one sample does not wait for a hundred)."""
    pending: list[Item] = []
    opened_at = 0.0
    async with receive:
        while True:
            wait = max(0.0, opened_at + max_wait - time.monotonic()) if pending else math.inf
            with anyio.move_on_after(wait):
                try:
                    item = await receive.receive()
                except anyio.EndOfStream:
                    break
                if not pending:
                    opened_at = time.monotonic()
                pending.append(item)
                if len(pending) < limit:
                    continue
            if pending:
                await start(pending)
                pending = []
        if pending:
            await start(pending)
